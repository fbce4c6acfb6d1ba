//! Load balancing across live servers.

use crate::support::*;
use std::collections::HashMap;

fn counts(gw: &Gateway, n: usize) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for i in 0..n {
        let r = get(gw.port, &format!("/api/{i}")).unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
        *counts
            .entry(r.json()["server"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    counts
}

#[test]
fn round_robin_spreads_evenly_over_three_servers() {
    let servers: Vec<_> = (1..=3).map(|i| Upstream::start(&format!("s{i}"))).collect();
    let addrs: Vec<_> = servers.iter().map(|s| s.addr()).collect();
    let yaml = format!(
        "{SERVER}upstreams:\n{}routes:\n  - {{prefix: /, upstream: pool}}\n",
        upstream_yaml("pool", &addrs, "")
    );
    let gw = Gateway::start(&yaml);
    let counts = counts(&gw, 300);
    let max = *counts.values().max().unwrap() as f64;
    let min = *counts.values().min().unwrap() as f64;
    assert_eq!(counts.len(), 3, "{counts:?}");
    assert!(
        (max - min) / max <= 0.10,
        "counts not within 10%: {counts:?}"
    );
}

#[test]
fn weights_shift_the_share() {
    let heavy = Upstream::start("heavy");
    let light = Upstream::start("light");
    let yaml = format!(
        "{SERVER}upstreams:
  - name: pool
    servers: [{{address: '{}', weight: 3}}, {{address: '{}', weight: 1}}]
    load_balancing: {{algorithm: weighted}}
    health_check: {{interval: 200ms, timeout: 200ms}}
routes:\n  - {{prefix: /, upstream: pool}}\n",
        heavy.addr(),
        light.addr()
    );
    let gw = Gateway::start(&yaml);
    let counts = counts(&gw, 400);
    let ratio = counts["heavy"] as f64 / counts["light"] as f64;
    assert!(
        (2.7..=3.3).contains(&ratio),
        "expected about 3:1, got {counts:?}"
    );
}

#[test]
fn consistent_hash_keeps_a_client_on_one_server() {
    let servers: Vec<_> = (1..=3).map(|i| Upstream::start(&format!("s{i}"))).collect();
    let addrs: Vec<_> = servers.iter().map(|s| s.addr()).collect();
    let yaml = format!(
        "{SERVER}upstreams:\n{}routes:\n  - {{prefix: /, upstream: pool}}\n",
        upstream_yaml("pool", &addrs, "").replace("round_robin", "consistent_hash")
    );
    let gw = Gateway::start(&yaml);
    assert_eq!(counts(&gw, 30).len(), 1, "one client address, one server");
}
