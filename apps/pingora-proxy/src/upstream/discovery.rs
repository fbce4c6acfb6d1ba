//! Service discovery for one upstream: the configured `host:port` list, with host names resolved
//! at every update. A name that does not resolve (a container not started yet) leaves that server
//! out until it does, rather than failing start-up.

use super::passive::PassiveState;
use crate::config::ServerEntry;
use crate::url::split_host_port;
use async_trait::async_trait;
use pingora_core::protocols::l4::socket::SocketAddr;
use pingora_error::Result;
use pingora_load_balancing::discovery::ServiceDiscovery;
use pingora_load_balancing::Backend;
use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

/// Attached to each `Backend` (its `ext`): what the gateway knows about the server beyond its address.
#[derive(Clone)]
pub struct ServerInfo {
    /// Position in the configured list (< 64), for the per-request "already tried" bit set.
    pub index: usize,
    pub label: Arc<str>,
    pub passive: Arc<PassiveState>,
}

impl ServerInfo {
    pub fn of(backend: &Backend) -> Option<&ServerInfo> {
        backend.ext.get::<ServerInfo>()
    }
}

struct Spec {
    label: Arc<str>,
    host: String,
    port: u16,
    weight: usize,
    ip: Option<IpAddr>,
    /// Whether the last resolution failed, so the warning is logged once per outage.
    unresolved: AtomicBool,
}

pub struct Discovery {
    specs: Vec<Spec>,
    /// Passive state per (server, address), kept across updates so a re-resolution does not
    /// forgive an ejected server.
    states: Mutex<HashMap<(usize, std::net::SocketAddr), Arc<PassiveState>>>,
}

impl Discovery {
    pub fn new(servers: &[ServerEntry]) -> Discovery {
        let specs = servers
            .iter()
            .map(|s| {
                // validate() guarantees host:port; fall back to an unresolvable spec otherwise.
                let (host, port) = split_host_port(&s.address, 0).unwrap_or_default();
                Spec {
                    label: s.address.as_str().into(),
                    ip: host.parse().ok(),
                    host,
                    port,
                    weight: s.weight,
                    unresolved: AtomicBool::new(false),
                }
            })
            .collect();
        Discovery {
            specs,
            states: Mutex::new(HashMap::new()),
        }
    }

    pub fn has_host_names(&self) -> bool {
        self.specs.iter().any(|s| s.ip.is_none())
    }

    pub fn labels(&self) -> Vec<Arc<str>> {
        self.specs.iter().map(|s| s.label.clone()).collect()
    }

    async fn resolve(spec: &Spec) -> Option<std::net::SocketAddr> {
        if let Some(ip) = spec.ip {
            return Some(std::net::SocketAddr::new(ip, spec.port));
        }
        let found = tokio::net::lookup_host((spec.host.as_str(), spec.port))
            .await
            .ok()
            .and_then(|addrs| {
                let addrs: Vec<_> = addrs.collect();
                // Prefer IPv4: container networks and most services listen on it.
                addrs
                    .iter()
                    .find(|a| a.is_ipv4())
                    .or(addrs.first())
                    .copied()
            });
        match found {
            Some(_) if spec.unresolved.swap(false, Relaxed) => {
                log::info!("upstream server {} resolves again", spec.label);
            }
            None if !spec.unresolved.swap(true, Relaxed) => {
                log::warn!(
                    "upstream server {} does not resolve; left out until it does",
                    spec.label
                );
            }
            _ => {}
        }
        found
    }
}

#[async_trait]
impl ServiceDiscovery for Discovery {
    async fn discover(&self) -> Result<(BTreeSet<Backend>, HashMap<u64, bool>)> {
        let mut backends = BTreeSet::new();
        for (index, spec) in self.specs.iter().enumerate() {
            let Some(addr) = Self::resolve(spec).await else {
                continue;
            };
            let passive = self
                .states
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry((index, addr))
                .or_default()
                .clone();
            let mut backend = Backend {
                addr: SocketAddr::Inet(addr),
                weight: spec.weight,
                ext: Default::default(),
            };
            backend.ext.insert(ServerInfo {
                index,
                label: spec.label.clone(),
                passive,
            });
            backends.insert(backend);
        }
        Ok((backends, HashMap::new()))
    }
}
