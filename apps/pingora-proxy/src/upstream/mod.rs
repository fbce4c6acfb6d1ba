//! Upstream pools: pingora's `LoadBalancer` (weighted round-robin or ketama), its active HTTP
//! health check, nginx-style passive health, and per-request server selection that skips
//! servers already tried by this request (so a retry lands on another server).

mod discovery;
pub mod passive;

use crate::config::{Algorithm, HealthCheckConfig, UpstreamConfig};
use discovery::{Discovery, ServerInfo};
use passive::{now_ms, PassivePolicy};
use pingora_core::upstreams::peer::HttpPeer;
use pingora_http::RequestHeader;
use pingora_load_balancing::health_check::HttpHealthCheck;
use pingora_load_balancing::selection::{consistent::KetamaHashing, RoundRobin};
use pingora_load_balancing::{Backend, Backends, LoadBalancer};
use std::sync::Arc;
use std::time::Duration;

/// Bound on the selection walk (pingora's `max_iterations`); far above any pool size here.
const MAX_SELECT_ITERATIONS: usize = 256;

enum Balancer {
    RoundRobin(LoadBalancer<RoundRobin>),
    Consistent(LoadBalancer<KetamaHashing>),
}

pub struct UpstreamPool {
    pub name: Arc<str>,
    balancer: Balancer,
    policy: PassivePolicy,
    pub health_check: HealthCheckConfig,
    connect_timeout: Duration,
    read_timeout: Duration,
    idle_timeout: Duration,
    /// Configured `host:port` strings, the `server` label of `pingora_upstream_health`.
    labels: Vec<Arc<str>>,
    /// Host names (not IP literals) are re-resolved periodically.
    pub needs_dns_refresh: bool,
}

/// One server's state as shown in metrics and `/healthz`.
#[derive(Debug, Clone)]
pub struct ServerHealth {
    pub server: Arc<str>,
    pub up: bool,
}

/// Response header by which a platform service says it is shutting down (see
/// packages/http: it is set on every response while the service drains). Never forwarded.
pub const DRAINING_HEADER: &str = "x-draining";

/// How long a draining server stays out of rotation when `fail_timeout` is shorter.
const MIN_DRAIN_EJECTION: Duration = Duration::from_secs(5);

impl UpstreamPool {
    pub fn new(config: &UpstreamConfig) -> UpstreamPool {
        let discovery = Discovery::new(&config.servers);
        let needs_dns_refresh = discovery.has_host_names();
        let labels = discovery.labels();
        let mut backends = Backends::new(Box::new(discovery));
        if config.health_check.enabled {
            backends.set_health_check(health_check(&config.name, &config.health_check));
        }
        let balancer = match config.load_balancing.algorithm {
            Algorithm::RoundRobin | Algorithm::Weighted => {
                Balancer::RoundRobin(LoadBalancer::from_backends(backends))
            }
            Algorithm::ConsistentHash => {
                Balancer::Consistent(LoadBalancer::from_backends(backends))
            }
        };
        UpstreamPool {
            name: config.name.as_str().into(),
            balancer,
            policy: PassivePolicy {
                max_fails: config.load_balancing.max_fails,
                fail_timeout: config.load_balancing.fail_timeout,
            },
            health_check: config.health_check.clone(),
            connect_timeout: config.connect_timeout,
            read_timeout: config.read_timeout,
            idle_timeout: config.idle_timeout,
            labels,
            needs_dns_refresh,
        }
    }

    fn backends(&self) -> &Backends {
        match &self.balancer {
            Balancer::RoundRobin(lb) => lb.backends(),
            Balancer::Consistent(lb) => lb.backends(),
        }
    }

    /// Runs discovery (resolving host names) and rebuilds the selector if membership changed.
    pub async fn update(&self) {
        let result = match &self.balancer {
            Balancer::RoundRobin(lb) => lb.update().await,
            Balancer::Consistent(lb) => lb.update().await,
        };
        if let Err(e) = result {
            log::warn!("upstream {}: discovery failed: {e}", self.name);
        }
    }

    /// One active health-check pass over every server, concurrently.
    pub async fn run_health_check(&self) {
        self.backends().run_health_check(true).await;
    }

    /// The next server for this request: healthy (active check), not passively ejected, and not
    /// already tried by this request (`tried`: bit i = configured server i). `key` only matters
    /// for consistent hashing.
    pub fn select(&self, key: &[u8], tried: u64) -> Option<Backend> {
        let now = now_ms();
        let accept = |b: &Backend, healthy: bool| {
            healthy
                && ServerInfo::of(b)
                    .is_none_or(|i| tried & Self::bit(i.index) == 0 && i.passive.available(now))
        };
        match &self.balancer {
            Balancer::RoundRobin(lb) => lb.select_with(key, MAX_SELECT_ITERATIONS, accept),
            Balancer::Consistent(lb) => lb.select_with(key, MAX_SELECT_ITERATIONS, accept),
        }
    }

    fn bit(index: usize) -> u64 {
        1u64.checked_shl(index as u32).unwrap_or(0)
    }

    /// The bit that marks `backend` as tried.
    pub fn tried_bit(backend: &Backend) -> u64 {
        ServerInfo::of(backend).map_or(0, |i| Self::bit(i.index))
    }

    pub fn peer(&self, backend: &Backend) -> HttpPeer {
        let mut peer = HttpPeer::new(backend, false, String::new());
        peer.options.connection_timeout = Some(self.connect_timeout);
        peer.options.read_timeout = Some(self.read_timeout);
        peer.options.write_timeout = Some(self.read_timeout);
        peer.options.idle_timeout = Some(self.idle_timeout);
        peer
    }

    /// The configured label (`host:port` as written) of a selected server.
    pub fn label(backend: &Backend) -> Option<Arc<str>> {
        ServerInfo::of(backend).map(|i| i.label.clone())
    }

    /// Counts a failed attempt against the server (passive health).
    pub fn record_failure(&self, backend: &Backend) {
        if let Some(info) = ServerInfo::of(backend) {
            if info.passive.record_failure(self.policy, now_ms()) {
                log::warn!(
                    "upstream {}: server {} failed {} time(s) within {:?}; out of rotation for {:?}",
                    self.name,
                    info.label,
                    self.policy.max_fails,
                    self.policy.fail_timeout,
                    self.policy.fail_timeout
                );
            }
        }
    }

    /// The server said it is shutting down (its response carried [`DRAINING_HEADER`]): no new
    /// requests go to it for `fail_timeout` (at least [`MIN_DRAIN_EJECTION`]), so that when it
    /// closes, no pooled connection to it is being reused. Requests already sent are answered.
    pub fn record_draining(&self, backend: &Backend) {
        if let Some(info) = ServerInfo::of(backend) {
            let now = now_ms();
            let hold = self.policy.fail_timeout.max(MIN_DRAIN_EJECTION).as_millis() as u64;
            if info.passive.eject_until(now + hold, now) {
                log::warn!(
                    "upstream {}: server {} is draining; out of rotation for {} ms",
                    self.name,
                    info.label,
                    hold
                );
            }
        }
    }

    pub fn record_success(&self, backend: &Backend) {
        if let Some(info) = ServerInfo::of(backend) {
            info.passive.record_success();
        }
    }

    /// Per configured server: up when it resolved, passes active checks and is not ejected.
    pub fn server_health(&self) -> Vec<ServerHealth> {
        let now = now_ms();
        let backends = self.backends();
        let current = backends.get_backend();
        self.labels
            .iter()
            .map(|label| {
                let up = current.iter().any(|b| {
                    ServerInfo::of(b).is_some_and(|i| &i.label == label && i.passive.available(now))
                        && backends.ready(b)
                });
                ServerHealth {
                    server: label.clone(),
                    up,
                }
            })
            .collect()
    }

    pub fn server_count(&self) -> usize {
        self.labels.len()
    }
}

fn health_check(upstream: &str, config: &HealthCheckConfig) -> Box<HttpHealthCheck> {
    let mut hc = HttpHealthCheck::new("localhost", false);
    let upstream = upstream.to_string();
    // pingora logs "<summary> becomes unhealthy"; name the server as configured, not by IP.
    hc.set_backend_summary(move |b| {
        let server = ServerInfo::of(b).map_or_else(|| b.addr.to_string(), |i| i.label.to_string());
        format!("upstream {upstream} server {server}")
    });
    let mut req =
        RequestHeader::build("GET", config.path.as_bytes(), None).expect("validated path");
    req.insert_header("Host", "localhost")
        .expect("static header");
    req.insert_header("User-Agent", "pingora-proxy-health-check")
        .expect("static header");
    hc.req = req;
    // `retries` consecutive failures mark a server down; one success brings it back.
    hc.consecutive_failure = config.retries.max(1);
    hc.consecutive_success = 1;
    hc.peer_template.options.connection_timeout = Some(config.timeout);
    hc.peer_template.options.read_timeout = Some(config.timeout);
    hc.peer_template.options.write_timeout = Some(config.timeout);
    Box::new(hc)
}
