//! Semantic checks that serde cannot express. Every error names its key path
//! (`routes[2].upstream`), so an operator can go straight to the line.

use super::{
    AuthConfig, Config, JwtRule, MetricsConfig, RateLimitConfig, RateLimitKey, RouteAuth,
    RouteConfig, ServerConfig, TlsConfig, UpstreamConfig,
};
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
        check_server(&mut e, &self.server);
        check_access_log(&mut e, self);
        check_metrics(&mut e, &self.metrics);
        check_auth(&mut e, &self.auth);
        let mut names = HashSet::new();
        for (i, u) in self.upstreams.iter().enumerate() {
            check_upstream(&mut e, &format!("upstreams[{i}]"), u, &mut names);
        }
        let mut seen = HashSet::new();
        for (i, r) in self.routes.iter().enumerate() {
            check_route(&mut e, &format!("routes[{i}]"), r, self, &mut seen);
        }
        if e.0.is_empty() {
            Ok(())
        } else {
            Err(e.0)
        }
    }
}

fn check_server(e: &mut Errors, s: &ServerConfig) {
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
    check_tls(e, &s.tls);
    for (i, net) in s.trusted_proxies.iter().enumerate() {
        if let Err(msg) = net.parse::<Cidr>() {
            e.add(format!("server.trusted_proxies[{i}]"), msg);
        }
    }
}

fn check_tls(e: &mut Errors, tls: &TlsConfig) {
    if tls.enabled {
        e.check(
            !tls.cert_file.is_empty(),
            "server.tls.cert_file",
            "is required when TLS is enabled",
        );
        e.check(
            !tls.key_file.is_empty(),
            "server.tls.key_file",
            "is required when TLS is enabled",
        );
    }
    e.check(
        !tls.protocols.is_empty(),
        "server.tls.protocols",
        "must list TLSv1.2 and/or TLSv1.3",
    );
    for (i, p) in tls.protocols.iter().enumerate() {
        e.check(
            p == "TLSv1.2" || p == "TLSv1.3",
            format!("server.tls.protocols[{i}]"),
            format!("{p:?} is not allowed: only TLSv1.2 and TLSv1.3 are accepted"),
        );
    }
}

fn check_access_log(e: &mut Errors, config: &Config) {
    e.check(
        !config.access_log.target.trim().is_empty(),
        "access_log.target",
        "must be stdout, stderr or a file path",
    );
}

fn check_metrics(e: &mut Errors, m: &MetricsConfig) {
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
}

fn check_auth(e: &mut Errors, a: &AuthConfig) {
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
}

/// `names` collects the upstream names seen so far, to report duplicates.
fn check_upstream<'a>(
    e: &mut Errors,
    key: &str,
    u: &'a UpstreamConfig,
    names: &mut HashSet<&'a str>,
) {
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

/// `seen` collects the (host, prefix) pairs of earlier routes, to report duplicates.
fn check_route(
    e: &mut Errors,
    key: &str,
    r: &RouteConfig,
    config: &Config,
    seen: &mut HashSet<(Option<String>, String)>,
) {
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
        config.upstream_index(&r.upstream).is_some(),
        format!("{key}.upstream"),
        format!("unknown upstream {:?}", r.upstream),
    );
    e.check(
        r.max_body_size > 0,
        format!("{key}.max_body_size"),
        "must be greater than zero",
    );
    if let RouteAuth::Jwt(rule) = &r.auth {
        check_route_auth(e, key, rule);
    }
    if let Some(rl) = &r.rate_limit {
        check_rate_limit(e, key, rl, &r.auth);
    }
}

fn check_route_auth(e: &mut Errors, key: &str, rule: &JwtRule) {
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

fn check_rate_limit(e: &mut Errors, key: &str, rl: &RateLimitConfig, auth: &RouteAuth) {
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
        rl.key != RateLimitKey::Client || matches!(auth, RouteAuth::Jwt(_)),
        format!("{key}.rate_limit.key"),
        "`client` needs `auth: {type: jwt}` on the route (the client_id comes from the verified token)",
    );
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
