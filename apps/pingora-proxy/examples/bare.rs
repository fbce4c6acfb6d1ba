use async_trait::async_trait;
use pingora_core::server::configuration::ServerConf;
use pingora_core::server::Server;
use pingora_core::upstreams::peer::HttpPeer;
use pingora_proxy::{ProxyHttp, Session};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
struct Bare;
#[async_trait]
impl ProxyHttp for Bare {
    type CTX = ();
    fn new_ctx(&self) {}
    async fn upstream_peer(
        &self,
        _s: &mut Session,
        _c: &mut (),
    ) -> pingora_error::Result<Box<HttpPeer>> {
        Ok(Box::new(HttpPeer::new(
            "127.0.0.1:18181",
            false,
            String::new(),
        )))
    }
}
fn main() {
    let mut conf = ServerConf::default();
    conf.threads = std::env::var("T").map(|v| v.parse().unwrap()).unwrap_or(2);
    conf.work_stealing = std::env::var("WS").map(|v| v == "1").unwrap_or(true);
    let mut server = Server::new_with_opt_and_conf(None, conf);
    server.bootstrap();
    let mut svc = pingora_proxy::http_proxy_service(&server.configuration, Bare);
    svc.add_tcp("127.0.0.1:18184");
    server.add_service(svc);
    server.run_forever();
}
