//! Baseline for the benchmark (bench/gateway/run.sh): pingora's proxy with nothing of ours — no
//! routing, headers, health, limits or metrics — to tell pingora's own cost from the gateway's.
//!
//! `BIND=127.0.0.1:18184 UPSTREAM=127.0.0.1:18181 THREADS=2 cargo run --release --example bare_pingora`

use async_trait::async_trait;
use pingora_core::server::configuration::ServerConf;
use pingora_core::server::Server;
use pingora_core::upstreams::peer::HttpPeer;
use pingora_proxy::{ProxyHttp, Session};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Bare {
    upstream: std::net::SocketAddr,
}

#[async_trait]
impl ProxyHttp for Bare {
    type CTX = ();
    fn new_ctx(&self) {}

    async fn upstream_peer(
        &self,
        _session: &mut Session,
        _ctx: &mut (),
    ) -> pingora_error::Result<Box<HttpPeer>> {
        Ok(Box::new(HttpPeer::new(self.upstream, false, String::new())))
    }
}

fn main() {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    let conf = ServerConf {
        threads: env("THREADS", "2").parse().expect("THREADS"),
        // Same runtime choice as the gateway's default (server.work_stealing: false).
        work_stealing: false,
        grace_period_seconds: Some(0),
        graceful_shutdown_timeout_seconds: Some(1),
        ..ServerConf::default()
    };
    let mut server = Server::new_with_opt_and_conf(None, conf);
    server.bootstrap();
    let upstream = env("UPSTREAM", "127.0.0.1:18181")
        .parse()
        .expect("UPSTREAM");
    let mut service = pingora_proxy::http_proxy_service(&server.configuration, Bare { upstream });
    service.add_tcp(&env("BIND", "127.0.0.1:18184"));
    server.add_service(service);
    server.run_forever();
}
