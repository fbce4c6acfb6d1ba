//! Start-up: turns a validated `Config` into pingora services and runs them until SIGTERM
//! (graceful, with the configured short grace period) or SIGINT (immediate).

use crate::access_log::AccessLog;
use crate::auth::EdgeAuth;
use crate::cidr::Cidr;
use crate::config::{Config, RouteAuth};
use crate::connections::ConnectionGate;
use crate::health::HealthService;
use crate::metrics::Metrics;
use crate::proxy::{Gateway, LocalRoute, RouteRuntime};
use crate::rate_limit::RouteLimiter;
use crate::routing::Router;
use crate::upstream::UpstreamPool;
use pingora_core::listeners::tls::TlsSettings;
use pingora_core::server::configuration::ServerConf;
use pingora_core::server::Server;
use pingora_core::services::background::GenBackgroundService;
use pingora_core::services::listening::Service;
use std::sync::Arc;
use std::time::Duration;

/// Builds the proxy logic from the configuration (no sockets yet).
pub fn build_gateway(config: &Config, metrics: Arc<Metrics>) -> Result<Gateway, String> {
    let pools: Vec<Arc<UpstreamPool>> = config
        .upstreams
        .iter()
        .map(|u| Arc::new(UpstreamPool::new(u)))
        .collect();
    let routes = config
        .routes
        .iter()
        .map(|r| {
            let upstream = config
                .upstream_index(&r.upstream)
                .expect("validated upstream");
            RouteRuntime {
                label: r.label().into(),
                upstream,
                metrics: metrics.route(r.label(), &config.upstreams[upstream].name),
                auth: match &r.auth {
                    RouteAuth::None => None,
                    RouteAuth::Jwt(rule) => Some(rule.clone()),
                },
                limiter: r.rate_limit.as_ref().map(RouteLimiter::new),
                max_body_size: r.max_body_size,
            }
        })
        .collect::<Vec<_>>();
    let needs_auth = routes.iter().any(|r| r.auth.is_some());
    let access_log = if config.access_log.enabled {
        Some(
            AccessLog::open(&config.access_log.target)
                .map_err(|e| format!("access_log.target {:?}: {e}", config.access_log.target))?,
        )
    } else {
        None
    };
    Ok(Gateway {
        router: Router::new(
            config
                .routes
                .iter()
                .map(|r| (r.prefix.clone(), r.host.clone())),
        ),
        routes,
        pools,
        auth: if needs_auth {
            Some(EdgeAuth::new(&config.auth)?)
        } else {
            None
        },
        local_metrics: LocalRoute::ALL
            .iter()
            .map(|l| metrics.route(l.label(), ""))
            .collect(),
        metrics,
        access_log,
        metrics_path: config.metrics.enabled.then(|| config.metrics.path.clone()),
        metrics_allow: config
            .metrics
            .allow
            .iter()
            .filter_map(|c| c.parse::<Cidr>().ok())
            .collect(),
        trusted_proxies: config
            .server
            .trusted_proxies
            .iter()
            .filter_map(|c| c.parse::<Cidr>().ok())
            .collect(),
        tls: config.server.tls.enabled,
        keepalive_secs: match config.server.keepalive_timeout.as_secs() {
            0 => None,
            secs => Some(secs),
        },
    })
}

fn tls_settings(config: &Config) -> Result<TlsSettings, String> {
    use openssl::ssl::SslVersion;
    let tls = &config.server.tls;
    let mut settings = TlsSettings::intermediate(&tls.cert_file, &tls.key_file).map_err(|e| {
        format!(
            "server.tls: cannot load {} / {}: {e}",
            tls.cert_file, tls.key_file
        )
    })?;
    let version = |p: &str| {
        if p == "TLSv1.3" {
            SslVersion::TLS1_3
        } else {
            SslVersion::TLS1_2
        }
    };
    let has13 = tls.protocols.iter().any(|p| p == "TLSv1.3");
    let has12 = tls.protocols.iter().any(|p| p == "TLSv1.2");
    let min = if has12 {
        SslVersion::TLS1_2
    } else {
        version("TLSv1.3")
    };
    let max = if has13 {
        SslVersion::TLS1_3
    } else {
        SslVersion::TLS1_2
    };
    // Explicit bounds: nothing below TLS 1.2 is ever negotiated, whatever the system's OpenSSL
    // configuration allows.
    settings
        .set_min_proto_version(Some(min))
        .map_err(|e| format!("server.tls.protocols: {e}"))?;
    settings
        .set_max_proto_version(Some(max))
        .map_err(|e| format!("server.tls.protocols: {e}"))?;
    Ok(settings)
}

/// Bounds shutdown whatever happens inside pingora: after SIGTERM, pingora waits `grace_period`
/// and then up to `graceful_shutdown_timeout` for its runtimes; after SIGINT it stops at once. A
/// runtime that does not stop in time (seen with pingora 0.9's no-steal runtime on SIGINT, a
/// worker thread spinning after shutdown) would otherwise keep the process alive forever.
fn exit_watchdog(graceful: Duration) {
    use tokio::signal::unix::{signal, SignalKind};
    let spawned = std::thread::Builder::new()
        .name("exit watchdog".into())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                let (Ok(mut term), Ok(mut int)) = (
                    signal(SignalKind::terminate()),
                    signal(SignalKind::interrupt()),
                ) else {
                    return;
                };
                let limit = tokio::select! {
                    _ = term.recv() => graceful + Duration::from_secs(2),
                    _ = int.recv() => Duration::from_secs(2),
                };
                tokio::time::sleep(limit).await;
                log::warn!("shutdown did not finish within {limit:?}; exiting now");
                std::process::exit(0);
            });
        });
    if let Err(e) = spawned {
        log::warn!("no exit watchdog: {e}");
    }
}

/// Runs the gateway; returns only on a start-up error.
pub fn run(config: Config) -> Result<(), String> {
    // Fail with a clear message instead of a panic inside pingora's listener setup.
    std::net::TcpListener::bind(&config.server.bind_address).map_err(|e| {
        format!(
            "server.bind_address: cannot listen on {}: {e}",
            config.server.bind_address
        )
    })?;
    let tls = if config.server.tls.enabled {
        Some(tls_settings(&config)?)
    } else {
        None
    };

    let metrics = Arc::new(Metrics::new());
    let gateway = build_gateway(&config, metrics.clone())?;
    let pools = gateway.pools.clone();

    // Resolve every server list once before accepting traffic, so the first requests have
    // backends to choose from.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("start-up runtime: {e}"))?;
    runtime.block_on(async {
        for pool in &pools {
            pool.update().await;
        }
    });
    drop(runtime);

    let s = &config.server;
    let conf = ServerConf {
        threads: s.worker_threads,
        work_stealing: s.work_stealing,
        // Whole seconds for pingora; rounded up so a configured 500ms still waits.
        grace_period_seconds: Some(s.grace_period.as_secs_f64().ceil() as u64),
        graceful_shutdown_timeout_seconds: Some(
            s.graceful_shutdown_timeout.as_secs_f64().ceil() as u64
        ),
        upstream_keepalive_pool_size: s.upstream_keepalive_pool_size,
        ..ServerConf::default()
    };
    let mut server = Server::new_with_opt_and_conf(None, conf);
    server.bootstrap();

    let proxy = pingora_proxy::http_proxy(&server.configuration, gateway);
    let mut service = Service::new(
        "gateway".to_string(),
        ConnectionGate::new(proxy, s.max_connections, metrics),
    );
    match tls {
        Some(settings) => service.add_tls_with_settings(&s.bind_address, None, settings),
        None => service.add_tcp(&s.bind_address),
    }
    let mut health = GenBackgroundService::new(
        "upstream health".to_string(),
        Arc::new(HealthService { pools }),
    );
    health.threads = Some(1);

    server.add_service(service);
    server.add_service(health);
    exit_watchdog(s.grace_period + s.graceful_shutdown_timeout);
    log::info!(
        "pingora-proxy listening on {} ({}), {} worker thread(s)",
        s.bind_address,
        if config.server.tls.enabled {
            "TLS"
        } else {
            "plain HTTP"
        },
        s.worker_threads
    );
    server.run_forever();
}
