//! Semantic checks that serde cannot express. Every error names its key path
//! (`routes[2].upstream`), so an operator can go straight to the line.

use super::{Config, RateLimitKey, RouteAuth};
use crate::cidr::Cidr;
use crate::url::{check_server_address, HttpUrl};
use std::collections::HashSet;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

struct Errors(Vec<ConfigError>);

impl Errors {
    fn add(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.0.push(ConfigError {
            key: key.into(),
            message: message.into(),
        });
    }
    fn check(&mut self, ok: bool, key: impl Into<String>, message: impl Into<String>) {
        if !ok {
            self.add(key, message);
        }
    }
    fn positive(&mut self, value: Duration, key: String) {
        self.check(!value.is_zero(), key, "must be greater than zero");
    }
}

const HEALTHZ_PATH: &str = "/healthz";

fn is_token(s: &str) -> bool {
    // RFC 6749 scope-token: printable ASCII except space, `"` and `\`.
    !s.is_empty()
        && s.bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\')
}

impl Config {
    /// All semantic errors at once, rather than one per run.
    pub fn validate(&self) -> Result<(), Vec<ConfigError>> {
        let mut e = Errors(Vec::new());
        let s = &self.server;

        e.check(
            s.bind_address.parse::<SocketAddr>().is_ok(),
            "server.bind_address",
            format!("{:?} is not ip:port (e.g. 0.0.0.0:8080)", s.bind_address),
        );
        e.check(
            (1..=1024).contains(&s.worker_threads),
            "server.worker_threads",
            "must be 1..=1024",
        );
        e.check(
            s.max_connections >= 1,
            "server.max_connections",
            "must be at least 1",
        );
        e.check(
            s.keepalive_timeout.as_secs() >= 1 || s.keepalive_timeout.is_zero(),
            "server.keepalive_timeout",
            "must be whole seconds (0 disables keep-alive)",
        );
        e.check(
            s.grace_period <= Duration::from_secs(300),
            "server.grace_period",
            "must be at most 300s",
        );
        e.check(
            s.graceful_shutdown_timeout <= Duration::from_secs(300),
            "server.graceful_shutdown_timeout",
            "must be at most 300s",
        );
        e.check(
            s.upstream_keepalive_pool_size >= 1,
            "server.upstream_keepalive_pool_size",
            "must be at least 1",
        );
        if s.tls.enabled {
            e.check(
                !s.tls.cert_file.is_empty(),
                "server.tls.cert_file",
                "is required when TLS is enabled",
            );
            e.check(
                !s.tls.key_file.is_empty(),
                "server.tls.key_file",
                "is required when TLS is enabled",
            );
        }
        e.check(
            !s.tls.protocols.is_empty(),
            "server.tls.protocols",
            "must list TLSv1.2 and/or TLSv1.3",
        );
        for (i, p) in s.tls.protocols.iter().enumerate() {
            e.check(
                p == "TLSv1.2" || p == "TLSv1.3",
                format!("server.tls.protocols[{i}]"),
                format!("{p:?} is not allowed: only TLSv1.2 and TLSv1.3 are accepted"),
            );
        }

        for (i, net) in s.trusted_proxies.iter().enumerate() {
            if let Err(msg) = net.parse::<Cidr>() {
                e.add(format!("server.trusted_proxies[{i}]"), msg);
            }
        }

        e.check(
            !self.access_log.target.trim().is_empty(),
            "access_log.target",
            "must be stdout, stderr or a file path",
        );

        let m = &self.metrics;
        e.check(
            m.path.starts_with('/') && m.path != HEALTHZ_PATH,
            "metrics.path",
            format!(
                "{:?} must start with / and differ from {HEALTHZ_PATH}",
                m.path
            ),
        );
        for (i, net) in m.allow.iter().enumerate() {
            if let Err(msg) = net.parse::<Cidr>() {
                e.add(format!("metrics.allow[{i}]"), msg);
            }
        }

        let a = &self.auth;
        if let Err(msg) = HttpUrl::parse(&a.issuer) {
            e.add("auth.issuer", msg);
        }
        if let Err(msg) = HttpUrl::parse(&a.jwks_url) {
            e.add("auth.jwks_url", msg);
        }
        e.check(
            !a.realm.is_empty()
                && a.realm
                    .bytes()
                    .all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\'),
            "auth.realm",
            "must be non-empty printable ASCII without quotes or backslashes",
        );
        if let Some(Err(msg)) = a.public_url.as_deref().map(HttpUrl::parse) {
            e.add("auth.public_url", msg);
        }
        e.check(
            !a.dpop.iat_window.is_zero() && a.dpop.iat_window <= Duration::from_secs(300),
            "auth.dpop.iat_window",
            "must be greater than zero and at most 300s",
        );
        e.check(
            (1..=10_000_000).contains(&a.dpop.replay_cache_size),
            "auth.dpop.replay_cache_size",
            "must be 1..=10000000",
        );
        e.positive(a.jwks_cache_ttl, "auth.jwks_cache_ttl".into());
        e.positive(a.jwks_timeout, "auth.jwks_timeout".into());

        let mut names = HashSet::new();
        for (i, u) in self.upstreams.iter().enumerate() {
            let key = format!("upstreams[{i}]");
            e.check(
                !u.name.is_empty()
                    && u.name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                format!("{key}.name"),
                format!("{:?} must be non-empty letters, digits, - or _", u.name),
            );
            e.check(
                names.insert(u.name.as_str()),
                format!("{key}.name"),
                format!("duplicate upstream {:?}", u.name),
            );
            e.check(
                !u.servers.is_empty(),
                format!("{key}.servers"),
                "needs at least one host:port",
            );
            e.check(
                u.servers.len() <= 64,
                format!("{key}.servers"),
                "at most 64 servers per upstream",
            );
            for (j, server) in u.servers.iter().enumerate() {
                if let Err(msg) = check_server_address(&server.address) {
                    e.add(format!("{key}.servers[{j}]"), msg);
                }
                e.check(
                    (1..=1000).contains(&server.weight),
                    format!("{key}.servers[{j}].weight"),
                    "must be 1..=1000",
                );
            }
            let h = &u.health_check;
            e.check(
                h.path.starts_with('/'),
                format!("{key}.health_check.path"),
                "must start with /",
            );
            e.positive(h.interval, format!("{key}.health_check.interval"));
            e.positive(h.timeout, format!("{key}.health_check.timeout"));
            e.check(
                h.retries >= 1,
                format!("{key}.health_check.retries"),
                "must be at least 1",
            );
            let lb = &u.load_balancing;
            if lb.max_fails > 0 {
                e.positive(
                    lb.fail_timeout,
                    format!("{key}.load_balancing.fail_timeout"),
                );
            }
            e.positive(u.connect_timeout, format!("{key}.connect_timeout"));
            e.positive(u.read_timeout, format!("{key}.read_timeout"));
            e.positive(u.idle_timeout, format!("{key}.idle_timeout"));
        }

        let mut seen = HashSet::new();
        for (i, r) in self.routes.iter().enumerate() {
            let key = format!("routes[{i}]");
            e.check(
                r.prefix.starts_with('/'),
                format!("{key}.prefix"),
                format!("{:?} must start with /", r.prefix),
            );
            let host = r.host.as_deref().map(str::to_ascii_lowercase);
            if let Some(h) = &host {
                e.check(
                    !h.is_empty() && !h.contains(['/', ' ', ':']),
                    format!("{key}.host"),
                    format!("{h:?} must be a bare host name (no scheme, port or path)"),
                );
            }
            e.check(
                seen.insert((host, r.prefix.clone())),
                format!("{key}.prefix"),
                format!(
                    "another route already has prefix {:?} for this host",
                    r.prefix
                ),
            );
            e.check(
                self.upstream_index(&r.upstream).is_some(),
                format!("{key}.upstream"),
                format!("unknown upstream {:?}", r.upstream),
            );
            e.check(
                r.max_body_size > 0,
                format!("{key}.max_body_size"),
                "must be greater than zero",
            );
            if let RouteAuth::Jwt(rule) = &r.auth {
                e.check(
                    !rule.audience.is_empty(),
                    format!("{key}.auth.audience"),
                    "is required for jwt (the resource identifier, e.g. http://localhost:8080/test)",
                );
                for (j, scope) in rule.scopes.iter().enumerate() {
                    e.check(
                        is_token(scope),
                        format!("{key}.auth.scopes[{j}]"),
                        format!("{scope:?} is not a scope token"),
                    );
                }
            }
            if let Some(rl) = &r.rate_limit {
                e.check(
                    rl.requests >= 1,
                    format!("{key}.rate_limit.requests"),
                    "must be at least 1",
                );
                e.check(
                    rl.window >= Duration::from_millis(10),
                    format!("{key}.rate_limit.window"),
                    "must be at least 10ms",
                );
                e.check(
                    rl.key != RateLimitKey::Client || matches!(r.auth, RouteAuth::Jwt(_)),
                    format!("{key}.rate_limit.key"),
                    "`client` needs `auth: {type: jwt}` on the route (the client_id comes from the verified token)",
                );
            }
        }

        if e.0.is_empty() {
            Ok(())
        } else {
            Err(e.0)
        }
    }
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn each_invalid_field_is_named() {
        let cases: &[(&str, &str, &str)] = &[
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
        for (from, to, key) in cases {
            assert!(
                BASE.contains(from),
                "test case pattern {from:?} not in BASE"
            );
            let yaml = BASE.replacen(from, to, 1);
            let message = error_for(&yaml);
            assert!(
                message.lines().any(|l| l.starts_with(&format!("{key}:")) || l.starts_with(&format!("{key}."))),
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
        // The performance tuning snippet operators copy into production.yaml, verbatim apart from indentation.
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
}
