//! Path tricks at the edge: dot segments, percent-encoded dots/slashes/backslashes, doubled
//! slashes and NUL must neither reach an upstream's `/metrics` through the catch-all route nor
//! make the upstream see a path other than the one the gateway routed.

use crate::support::*;

/// The console's place in the real configuration: a catch-all `/` route to an upstream that
/// serves its own `/metrics`. Metrics are allowlisted to a network the tests are not in, so the
/// gateway's own endpoint answers 403 here.
fn setup() -> (Upstream, Upstream, Gateway) {
    let console = Upstream::start("console");
    let api = Upstream::start("api");
    let yaml = format!(
        "{SERVER}metrics:
  path: /metrics
  allow: ['10.99.0.0/16']
upstreams:\n{}{}routes:
  - {{prefix: /api/, upstream: api}}
  - {{prefix: /admin/, upstream: console}}
  - {{prefix: /, name: root, upstream: console}}
",
        upstream_yaml("console", &[console.addr()], ""),
        upstream_yaml("api", &[api.addr()], "")
    );
    let gw = Gateway::start(&yaml);
    (console, api, gw)
}

#[test]
fn dot_and_encoded_paths_never_reach_an_upstream_metrics() {
    let (console, _api, gw) = setup();
    let tricks = [
        "/./metrics",
        "/%2e/metrics",
        "/%2E/metrics",
        "/admin/%2e%2e/metrics",
        "/admin/%2E%2e/metrics",
        "/admin/../metrics",
        "/admin/.%2e/metrics",
        "//metrics",
        "/admin/..//metrics",
        "/%6detrics",
        "/admin%2f..%2fmetrics",
        "/admin%2F..%2Fmetrics",
        "/admin%5c..%5cmetrics",
        "/%5cmetrics",
        "/\\metrics",
        "/admin\\..\\metrics",
        "/metrics%00",
        "/../metrics",
        "/admin/../../metrics",
    ];
    for path in tricks {
        let r = send(gw.port, &Req::get(path)).unwrap();
        assert!(
            r.status == 403 || r.status == 400,
            "{path}: got {} from {:?}: {}",
            r.status,
            r.header("x-upstream"),
            r.text()
        );
        assert!(
            r.header("content-type")
                .unwrap_or_default()
                .starts_with("application/problem+json"),
            "{path}: {:?}",
            r.header("content-type")
        );
        if r.status == 400 {
            assert_eq!(r.json()["code"], "invalid_path", "{path}");
        }
    }
    assert_eq!(
        console.hits(),
        0,
        "an upstream received {:?}",
        console.last_request().map(|r| r["path"].clone())
    );
}

#[test]
fn the_upstream_receives_the_path_that_was_routed() {
    let (console, api, gw) = setup();
    // Normalised: routed to /api/, and /api/ receives exactly that path (query untouched).
    let cases = [
        ("/api/./items//7?x=1&y=%2F", "/api/items/7?x=1&y=%2F"),
        ("/admin/../api/items", "/api/items"),
        ("/%61pi/items/%7e%41", "/api/items/~A"),
        ("/api/items/.", "/api/items/"),
        ("/api/a/b/../c", "/api/a/c"),
        ("/api/%41%2e%2E", "/api/A.."),
        ("/api/caf%C3%A9", "/api/caf%C3%A9"),
    ];
    for (sent, routed) in cases {
        let r = send(gw.port, &Req::get(sent)).unwrap();
        assert_eq!(r.status, 200, "{sent}: {}", r.text());
        assert_eq!(r.json()["server"], "api", "{sent}");
        assert_eq!(r.json()["path"], routed, "{sent}");
    }
    // A path that needs no normalisation goes upstream byte for byte.
    let r = send(gw.port, &Req::get("/admin/app/page?next=/x")).unwrap();
    assert_eq!(r.json()["path"], "/admin/app/page?next=/x");
    assert_eq!(console.hits(), 1);
    assert_eq!(api.hits(), cases.len());
    // The access log records the routed path, never the raw trick.
    let logged: Vec<String> = gw
        .access_log()
        .iter()
        .filter_map(|l| l["path"].as_str().map(String::from))
        .collect();
    assert!(logged.iter().any(|p| p == "/api/a/c"), "{logged:?}");
    assert!(
        !logged.iter().any(|p| p.starts_with("/admin/..")),
        "{logged:?}"
    );
}
