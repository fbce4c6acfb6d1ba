//! Rate limits, body limits, the metrics allowlist and max_connections.

use crate::support::*;
use std::io::Write;
use std::time::Duration;

fn gateway(route_extra: &str, metrics_allow: &str, server_extra: &str) -> (Upstream, Gateway) {
    let app = Upstream::start("app");
    let yaml = format!(
        "{SERVER}{server_extra}metrics:\n  allow: {metrics_allow}\nupstreams:\n{}routes:
  - prefix: /api/
    upstream: app
{route_extra}
  - {{prefix: /, upstream: app}}
",
        upstream_yaml("app", &[app.addr()], "")
    );
    let gw = Gateway::start(&yaml);
    (app, gw)
}

#[test]
fn rate_limit_per_ip_answers_429_with_retry_after() {
    let (app, gw) = gateway(
        "    rate_limit: {requests: 5, window: 10s, key: ip}",
        "['127.0.0.0/8']",
        "",
    );
    let statuses: Vec<u16> = (0..8)
        .map(|i| get(gw.port, &format!("/api/{i}")).unwrap().status)
        .collect();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    let r = get(gw.port, "/api/again").unwrap();
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("10"));
    assert_eq!(r.json()["code"], "rate_limited");
    assert_eq!(app.hits(), 5);
    // Other routes are not limited.
    assert_eq!(get(gw.port, "/other").unwrap().status, 200);
}

#[test]
fn oversized_bodies_get_413_up_front_and_while_streaming() {
    let (app, gw) = gateway("    max_body_size: 1k", "['127.0.0.0/8']", "");
    let small = vec![b'x'; 1000];
    let big = vec![b'x'; 4000];

    let r = send(
        gw.port,
        &Req::new("POST", "/api/upload").body(small.clone()),
    )
    .unwrap();
    assert_eq!((r.status, r.json()["body_len"].as_u64()), (200, Some(1000)));
    let r = send(
        gw.port,
        &Req::new("POST", "/api/upload").body(small).chunked(300),
    )
    .unwrap();
    assert_eq!((r.status, r.json()["body_len"].as_u64()), (200, Some(1000)));
    let hits = app.hits();

    // Content-Length over the limit: refused before the body is read.
    let r = send(gw.port, &Req::new("POST", "/api/upload").body(big.clone())).unwrap();
    assert_eq!(r.status, 413);
    assert_eq!(r.json()["code"], "body_too_large");
    assert_eq!(app.hits(), hits);

    // Chunked: counted while streaming.
    let r = send(
        gw.port,
        &Req::new("POST", "/api/upload").body(big).chunked(500),
    )
    .unwrap();
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/problem+json"));
    assert_eq!(
        app.hits(),
        hits,
        "the upstream never answered an oversized body"
    );
}

#[test]
fn metrics_are_served_only_to_the_allowlist() {
    let (_app, gw) = gateway("", "['10.0.0.0/8']", "");
    let r = get(gw.port, "/metrics").unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["code"], "forbidden");

    let (_app, gw) = gateway("", "['127.0.0.1/32', '::1']", "");
    assert_eq!(get(gw.port, "/api/x").unwrap().status, 200);
    let r = get(gw.port, "/metrics").unwrap();
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    // A request is counted in the logging phase, after its response went out: on a loaded machine the
    // scrape can come first, so it is repeated until the count shows (or the wait gives up).
    let mut text = r.text();
    Gateway::wait_for(Duration::from_secs(5), || {
        text = get(gw.port, "/metrics").unwrap().text();
        text.contains("pingora_requests_total{route=\"/api/\",status=\"200\",upstream=\"app\"} 1")
    });
    for name in [
        "pingora_requests_total{route=\"/api/\",status=\"200\",upstream=\"app\"} 1",
        "pingora_request_duration_seconds_bucket{route=\"/api/\"",
        "pingora_upstream_health{server=\"",
        "pingora_connections_active ",
    ] {
        assert!(text.contains(name), "{name} missing from\n{text}");
    }
}

#[test]
fn max_connections_is_enforced() {
    let (_app, gw) = gateway("", "['127.0.0.0/8']", "  max_connections: 3\n");
    // Three idle keep-alive connections hold every slot.
    let mut held: Vec<_> = (0..3).map(|_| Conn::open(gw.port).unwrap()).collect();
    for c in held.iter_mut() {
        assert_eq!(
            c.send(&Req::get("/api/x").keep_alive()).unwrap().status,
            200
        );
    }
    let r = get(gw.port, "/api/x");
    match r {
        Ok(r) => assert_eq!(r.status, 503, "{}", r.text()),
        Err(e) => panic!("expected a 503 answer, got {e}"),
    }
    // Freeing a slot lets the next connection in.
    let mut freed = held.pop().unwrap().into_inner();
    freed.get_mut().shutdown(std::net::Shutdown::Both).ok();
    let _ = freed.get_mut().flush();
    drop(freed);
    let ok = Gateway::wait_for(Duration::from_secs(5), || {
        get(gw.port, "/api/x")
            .map(|r| r.status == 200)
            .unwrap_or(false)
    });
    assert!(ok.is_some(), "a freed slot should be reusable");
    assert_eq!(held.len(), 2);
}
