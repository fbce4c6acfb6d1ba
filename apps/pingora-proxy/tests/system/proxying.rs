//! Routing, forwarded headers, request ids, keep-alive, gateway endpoints, access log, shutdown.

use crate::support::*;
use std::time::Duration;

fn two_upstreams() -> (Upstream, Upstream, Gateway) {
    let a = Upstream::start("a");
    let b = Upstream::start("b");
    let yaml = format!(
        "{SERVER}upstreams:\n{}{}routes:
  - {{prefix: /api/, upstream: a}}
  - {{prefix: /api/special/, upstream: b}}
  - {{prefix: /, host: api.example.test, upstream: b}}
  - {{prefix: /, upstream: a, name: root}}
",
        upstream_yaml("a", &[a.addr()], ""),
        upstream_yaml("b", &[b.addr()], "")
    );
    let gw = Gateway::start(&yaml);
    (a, b, gw)
}

#[test]
fn routes_by_longest_prefix_and_host() {
    let (_a, _b, gw) = two_upstreams();
    let served_by = |path: &str, host: &str| {
        let r = send(gw.port, &Req::get(path).header("Host", host)).unwrap();
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        r.json()["server"].as_str().unwrap().to_string()
    };
    assert_eq!(served_by("/api/x", "localhost"), "a");
    assert_eq!(served_by("/api/special/x", "localhost"), "b");
    assert_eq!(served_by("/api", "localhost"), "a");
    assert_eq!(served_by("/other", "localhost"), "a");
    assert_eq!(served_by("/other", "API.example.test:8080"), "b");
    // The longer host-less prefix beats the host route.
    assert_eq!(served_by("/api/x", "api.example.test"), "a");
}

#[test]
fn forwards_paths_hosts_and_tracing_headers() {
    let (a, _b, gw) = two_upstreams();
    let r = send(
        gw.port,
        &Req::get("/api/items/7?x=1&y=%2F")
            .header("Host", "public.example.test:8080")
            .header("X-Forwarded-For", "203.0.113.9")
            .header(
                "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ),
    )
    .unwrap();
    assert_eq!(r.status, 200);
    let echo = r.json();
    assert_eq!(
        echo["path"], "/api/items/7?x=1&y=%2F",
        "path and query unchanged"
    );
    let h = &echo["headers"];
    assert_eq!(h["host"], "public.example.test:8080", "Host preserved");
    assert_eq!(
        h["x-forwarded-for"], "127.0.0.1",
        "a client's XFF is replaced"
    );
    assert_eq!(h["x-forwarded-proto"], "http");
    assert_eq!(h["x-forwarded-host"], "public.example.test:8080");
    assert_eq!(
        h["traceparent"],
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    );
    // A generated request id, the same upstream and back to the client.
    let id = r
        .header("x-request-id")
        .expect("x-request-id on the response");
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(h["x-request-id"], id);
    assert_eq!(a.last_request().unwrap()["headers"]["x-request-id"], id);

    // A sane incoming id is kept; a hostile one is replaced.
    let r = send(
        gw.port,
        &Req::get("/api/x").header("X-Request-Id", "client-id-123"),
    )
    .unwrap();
    assert_eq!(r.header("x-request-id"), Some("client-id-123"));
    assert_eq!(r.json()["headers"]["x-request-id"], "client-id-123");
    let r = send(
        gw.port,
        &Req::get("/api/x").header("X-Request-Id", "bad id with spaces"),
    )
    .unwrap();
    assert_ne!(r.header("x-request-id"), Some("bad id with spaces"));
}

#[test]
fn keep_alive_and_gateway_endpoints() {
    let (_a, _b, gw) = two_upstreams();
    let mut conn = Conn::open(gw.port).unwrap();
    for i in 0..5 {
        let r = conn
            .send(&Req::get(&format!("/api/{i}")).keep_alive())
            .unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["path"], format!("/api/{i}"));
    }
    let r = conn.send(&Req::get("/healthz").keep_alive()).unwrap();
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let h = r.json();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["upstreams"]["a"]["servers"], 1);
}

#[test]
fn no_route_is_a_problem_json_404() {
    let a = Upstream::start("a");
    let yaml = format!(
        "{SERVER}upstreams:\n{}routes:\n  - {{prefix: /only/, upstream: a}}\n",
        upstream_yaml("a", &[a.addr()], "")
    );
    let gw = Gateway::start(&yaml);
    let r = get(gw.port, "/elsewhere").unwrap();
    assert_eq!(r.status, 404);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/problem+json"));
    let p = r.json();
    assert_eq!(p["status"], 404);
    assert_eq!(p["instance"], "/elsewhere");
    assert_eq!(p["request_id"], r.header("x-request-id").unwrap());
    assert_eq!(a.hits(), 0);
}

#[test]
fn access_log_lines_are_json_and_carry_no_credentials() {
    let (_a, _b, gw) = two_upstreams();
    let secret = "eyJhbGciOiJFUzI1NiJ9.c2VjcmV0LXRva2Vu.c2lnbmF0dXJl";
    let r = send(
        gw.port,
        &Req::get(&format!("/api/x?access_token={secret}"))
            .header("Authorization", &format!("Bearer {secret}"))
            .header("Cookie", "sid=hunter2"),
    )
    .unwrap();
    assert_eq!(r.status, 200);
    let id = r.header("x-request-id").unwrap().to_string();
    assert!(Gateway::wait_for(Duration::from_secs(5), || gw
        .access_log()
        .iter()
        .any(|l| l["request_id"] == id.as_str()))
    .is_some());
    let line = gw
        .access_log()
        .into_iter()
        .find(|l| l["request_id"] == id.as_str())
        .unwrap();
    assert_eq!(line["method"], "GET");
    assert_eq!(line["path"], "/api/x");
    assert_eq!(line["status"], 200);
    assert_eq!(line["upstream"], "a");
    assert!(line["latency_ms"].as_f64().is_some() && line["time"].as_str().unwrap().ends_with('Z'));
    let everything = format!("{}{}", gw.stdout(), gw.stderr());
    assert!(
        !everything.contains(secret) && !everything.contains("hunter2"),
        "credentials leaked into logs"
    );
}

#[test]
fn sigterm_shuts_down_gracefully_and_quickly() {
    let (_a, _b, mut gw) = two_upstreams();
    assert_eq!(get(gw.port, "/api/x").unwrap().status, 200);
    let (status, took) = gw
        .terminate(Duration::from_secs(15))
        .expect("the gateway should exit after SIGTERM");
    assert!(status.success() || status.code().is_some(), "{status:?}");
    // grace_period 0 + graceful_shutdown_timeout 1 in SERVER; far below pingora's 300 s default.
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(connect(gw.port).is_err(), "the listener should be closed");
}
