use super::*;

const BASE: &str = r#"
server:
  bind_address: '127.0.0.1:8080'
  worker_threads: 2
  max_connections: 100
  keepalive_timeout: 60
  trusted_proxies: ['10.0.0.0/8']
  tls:
    enabled: false
    protocols: ['TLSv1.2', 'TLSv1.3']
metrics:
  path: /metrics
  allow: ['127.0.0.0/8']
auth:
  issuer: 'http://localhost:8080'
  jwks_url: 'http://127.0.0.1:3001/oauth/jwks'
  public_url: 'http://localhost:8080'
  dpop: {iat_window: 30s, replay_cache_size: 50000}
upstreams:
  - name: svc
    servers: ['127.0.0.1:3005', {address: '127.0.0.1:3006', weight: 2}]
    health_check: {path: /health, interval: 10, timeout: 5, retries: 3}
    load_balancing: {algorithm: round_robin, max_fails: 3, fail_timeout: 30}
    connect_timeout: 2
    read_timeout: 60
routes:
  - prefix: /test/
    upstream: svc
    auth: {type: jwt, audience: 'http://localhost:8080/test', scopes: ['test:read']}
    rate_limit: {requests: 100, window: 1s, key: client}
    max_body_size: 1MiB
"#;

/// Every error message must carry the key path of the field at fault.
fn error_for(yaml: &str) -> String {
    match Config::from_yaml_str(yaml) {
        Err((key, message)) => format!("{key}: {message}"),
        Ok(c) => match c.validate() {
            Ok(()) => String::from("<valid>"),
            Err(errors) => errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        },
    }
}

#[test]
fn base_is_valid() {
    assert_eq!(error_for(BASE), "<valid>");
}

/// (text in BASE, its replacement, the key path the error must name)
const INVALID_FIELDS: &[(&str, &str, &str)] = &[
    (
        "bind_address: '127.0.0.1:8080'",
        "bind_address: 'nope'",
        "server.bind_address",
    ),
    (
        "worker_threads: 2",
        "worker_threads: 0",
        "server.worker_threads",
    ),
    (
        "worker_threads: 2",
        "worker_threads: -1",
        "server.worker_threads",
    ),
    (
        "max_connections: 100",
        "max_connections: 0",
        "server.max_connections",
    ),
    (
        "keepalive_timeout: 60",
        "keepalive_timeout: 'soon'",
        "server.keepalive_timeout",
    ),
    (
        "keepalive_timeout: 60",
        "keepalive_timeout: 60\n  grace_period: 900",
        "server.grace_period",
    ),
    (
        "trusted_proxies: ['10.0.0.0/8']",
        "trusted_proxies: ['10.0.0.0/8', 'lb.internal']",
        "server.trusted_proxies[1]",
    ),
    ("enabled: false", "enabled: true", "server.tls.cert_file"),
    ("enabled: false", "enabled: 'maybe'", "server.tls.enabled"),
    (
        "['TLSv1.2', 'TLSv1.3']",
        "['TLSv1.1', 'TLSv1.3']",
        "server.tls.protocols[0]",
    ),
    ("['TLSv1.2', 'TLSv1.3']", "[]", "server.tls.protocols"),
    ("path: /metrics", "path: metrics", "metrics.path"),
    ("path: /metrics", "path: /healthz", "metrics.path"),
    ("['127.0.0.0/8']", "['127.0.0.0/99']", "metrics.allow[0]"),
    (
        "issuer: 'http://localhost:8080'",
        "issuer: 'localhost'",
        "auth.issuer",
    ),
    (
        "jwks_url: 'http://127.0.0.1:3001/oauth/jwks'",
        "jwks_url: 'file:///jwks'",
        "auth.jwks_url",
    ),
    (
        "public_url: 'http://localhost:8080'",
        "public_url: 'localhost'",
        "auth.public_url",
    ),
    ("iat_window: 30s", "iat_window: 0", "auth.dpop.iat_window"),
    ("iat_window: 30s", "iat_window: 1h", "auth.dpop.iat_window"),
    (
        "replay_cache_size: 50000",
        "replay_cache_size: 0",
        "auth.dpop.replay_cache_size",
    ),
    (
        "replay_cache_size: 50000",
        "replay_cache_size: 50000, nonce: x",
        "auth.dpop",
    ),
    ("name: svc", "name: 'bad name'", "upstreams[0].name"),
    (
        "servers: ['127.0.0.1:3005',",
        "servers: ['127.0.0.1',",
        "upstreams[0].servers[0]",
    ),
    ("weight: 2", "weight: 0", "upstreams[0].servers[1].weight"),
    (
        "{address: '127.0.0.1:3006', weight: 2}",
        "{address: '127.0.0.1:3006', wieght: 2}",
        "upstreams[0].servers[1]",
    ),
    (
        "path: /health",
        "path: health",
        "upstreams[0].health_check.path",
    ),
    (
        "interval: 10",
        "interval: 0",
        "upstreams[0].health_check.interval",
    ),
    (
        "timeout: 5",
        "timeout: '5 parsecs'",
        "upstreams[0].health_check.timeout",
    ),
    (
        "retries: 3",
        "retries: 0",
        "upstreams[0].health_check.retries",
    ),
    (
        "retries: 3",
        "retries: 3, intervall: 1",
        "upstreams[0].health_check",
    ),
    (
        "algorithm: round_robin",
        "algorithm: random",
        "upstreams[0].load_balancing.algorithm",
    ),
    (
        "fail_timeout: 30",
        "fail_timeout: 0",
        "upstreams[0].load_balancing.fail_timeout",
    ),
    (
        "connect_timeout: 2",
        "connect_timeout: 0",
        "upstreams[0].connect_timeout",
    ),
    (
        "read_timeout: 60",
        "read_timeout: -3",
        "upstreams[0].read_timeout",
    ),
    ("prefix: /test/", "prefix: test/", "routes[0].prefix"),
    ("upstream: svc", "upstream: nowhere", "routes[0].upstream"),
    (
        "audience: 'http://localhost:8080/test', ",
        "",
        "routes[0].auth.audience",
    ),
    (
        "scopes: ['test:read']",
        "scopes: ['test read']",
        "routes[0].auth.scopes[0]",
    ),
    (
        "auth: {type: jwt,",
        "auth: {type: magic,",
        "routes[0].auth.type",
    ),
    (
        "requests: 100",
        "requests: 0",
        "routes[0].rate_limit.requests",
    ),
    ("window: 1s", "window: 1ms", "routes[0].rate_limit.window"),
    ("key: client", "key: cookie", "routes[0].rate_limit.key"),
    (
        "max_body_size: 1MiB",
        "max_body_size: 0",
        "routes[0].max_body_size",
    ),
    (
        "max_body_size: 1MiB",
        "max_body_size: 'lots'",
        "routes[0].max_body_size",
    ),
    (
        "max_body_size: 1MiB",
        "max_body_size: 1MiB\n    colour: blue",
        "routes[0]",
    ),
    ("metrics:", "metrix:\n  x: 1\nmetrics:", "metrix"),
];

#[test]
fn each_invalid_field_is_named() {
    let cases = INVALID_FIELDS;
    for (from, to, key) in cases {
        assert!(
            BASE.contains(from),
            "test case pattern {from:?} not in BASE"
        );
        let yaml = BASE.replacen(from, to, 1);
        let message = error_for(&yaml);
        assert!(
            message
                .lines()
                .any(|l| l.starts_with(&format!("{key}:")) || l.starts_with(&format!("{key}."))),
            "changing {from:?} to {to:?} should report {key}, got:\n{message}"
        );
    }
}

#[test]
fn client_rate_limit_needs_jwt() {
    let yaml = BASE.replace(
        "auth: {type: jwt, audience: 'http://localhost:8080/test', scopes: ['test:read']}",
        "auth: none",
    );
    assert!(error_for(&yaml).contains("routes[0].rate_limit.key:"));
}

#[test]
fn duplicate_routes_and_upstreams() {
    let yaml = format!("{BASE}  - prefix: /test/\n    upstream: svc\n");
    assert!(error_for(&yaml).contains("routes[1].prefix: another route"));
    let yaml = BASE.replace(
        "routes:",
        "  - name: svc\n    servers: ['127.0.0.1:1']\nroutes:",
    );
    assert!(
        error_for(&yaml).contains("upstreams[1].name: duplicate"),
        "{}",
        error_for(&yaml)
    );
}

#[test]
fn ops_document_snippets_parse() {
    // The performance snippet of docs/deployment.md, verbatim apart from indentation.
    let yaml = r#"
server:
  worker_threads: 8
  max_connections: 10000
  keepalive_timeout: 60
upstreams:
  - name: 'oauth-service'
    servers:
      - '127.0.0.1:3000'
      - '127.0.0.1:3001'
    health_check:
      interval: 10
      timeout: 5
      retries: 3
    load_balancing:
      algorithm: 'round_robin'
      max_fails: 3
      fail_timeout: 30
"#;
    let c = Config::from_yaml_str(yaml).unwrap();
    c.validate().unwrap();
    assert_eq!(c.upstreams[0].health_check.path, "/health");
    // The TLS snippet.
    let yaml = r#"
server:
  bind_address: '0.0.0.0:8080'
  tls:
    enabled: true
    cert_file: '/etc/ssl/certs/server.crt'
    key_file: '/etc/ssl/private/server.key'
    protocols: ['TLSv1.2', 'TLSv1.3']
"#;
    Config::from_yaml_str(yaml).unwrap().validate().unwrap();
}
