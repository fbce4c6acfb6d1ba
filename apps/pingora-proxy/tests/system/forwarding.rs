//! Forwarding headers: the upstream learns who the client is and what it asked for from the
//! gateway alone. Whatever a client sends in `X-Forwarded-*`, `Forwarded` or `X-Real-IP` is
//! replaced or dropped, unless the TCP peer is a configured trusted proxy.

use crate::support::*;

fn gateway(extra_server: &str) -> (Upstream, Gateway) {
    let app = Upstream::start("app");
    let yaml = format!(
        "{SERVER}{extra_server}upstreams:\n{}routes:\n  - {{prefix: /, upstream: app}}\n",
        upstream_yaml("app", &[app.addr()], "")
    );
    let gw = Gateway::start(&yaml);
    (app, gw)
}

fn forged(path: &str) -> Req {
    Req::get(path)
        .header("X-Forwarded-For", "6.6.6.6")
        .header("X-Forwarded-For", "7.7.7.7, 8.8.8.8")
        .header("X-Forwarded-Host", "evil.test")
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Port", "443")
        .header("X-Forwarded-Prefix", "/evil")
        .header("X-Forwarded-Server", "evil.test")
        .header("Forwarded", "for=6.6.6.6;host=evil.test;proto=https")
        .header("X-Real-IP", "6.6.6.6")
        .header("X-Client-IP", "6.6.6.6")
        .header("True-Client-IP", "6.6.6.6")
        .header("X-Original-URL", "/metrics")
        .header("X-Rewrite-URL", "/metrics")
}

#[test]
fn forged_forwarding_headers_are_replaced_or_dropped() {
    let (_app, gw) = gateway("");
    let r = send(gw.port, &forged("/x")).unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let h = &r.json()["headers"];
    assert_eq!(h["x-forwarded-for"], "127.0.0.1", "{h}");
    assert_eq!(h["x-forwarded-proto"], "http", "{h}");
    // The Host header the gateway saw: the test client sends `Host: localhost` first.
    assert_eq!(h["x-forwarded-host"], "localhost", "{h}");
    for dropped in [
        "forwarded",
        "x-forwarded-port",
        "x-forwarded-prefix",
        "x-forwarded-server",
        "x-real-ip",
        "x-client-ip",
        "true-client-ip",
        "x-original-url",
        "x-rewrite-url",
    ] {
        assert!(
            h.get(dropped).is_none(),
            "{dropped} reached the upstream: {h}"
        );
    }
}

#[test]
fn a_request_without_host_gets_no_client_chosen_forwarded_host() {
    let (_app, gw) = gateway("");
    let mut req = forged("/x");
    req.headers.retain(|(k, _)| k != "Host");
    // HTTP/1.0 allows a request without Host.
    let mut raw = req.to_bytes();
    let line_end = raw.iter().position(|&b| b == b'\r').unwrap();
    raw.splice(line_end - 3..line_end, b"1.0".iter().copied());
    let mut stream = connect(gw.port).unwrap();
    std::io::Write::write_all(&mut stream, &raw).unwrap();
    let r = read_response(&mut std::io::BufReader::new(stream), false).unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let h = &r.json()["headers"];
    assert_eq!(h["x-forwarded-for"], "127.0.0.1", "{h}");
    assert_ne!(h["x-forwarded-host"], "evil.test", "{h}");
}

#[test]
fn a_trusted_proxy_keeps_its_forwarding_chain() {
    let (_app, gw) = gateway("  trusted_proxies: ['127.0.0.1/32']\n");
    let r = send(
        gw.port,
        &Req::get("/x")
            .header("X-Forwarded-For", "203.0.113.9")
            .header("X-Forwarded-Proto", "https")
            .header("X-Forwarded-Host", "id.example.test")
            .header("Forwarded", "for=6.6.6.6")
            .header("X-Real-IP", "6.6.6.6"),
    )
    .unwrap();
    let h = &r.json()["headers"];
    assert_eq!(h["x-forwarded-for"], "203.0.113.9, 127.0.0.1", "{h}");
    assert_eq!(h["x-forwarded-proto"], "https", "{h}");
    assert_eq!(h["x-forwarded-host"], "id.example.test", "{h}");
    assert!(
        h.get("forwarded").is_none() && h.get("x-real-ip").is_none(),
        "{h}"
    );
    // Without forwarding headers from the proxy, the gateway's own view is used.
    let h = &get(gw.port, "/x").unwrap().json()["headers"];
    assert_eq!(h["x-forwarded-for"], "127.0.0.1", "{h}");
    assert_eq!(h["x-forwarded-proto"], "http", "{h}");
    assert_eq!(h["x-forwarded-host"], "localhost", "{h}");
}
