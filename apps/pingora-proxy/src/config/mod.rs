//! The gateway's configuration: YAML (every key in the crate's README), loaded and
//! validated once at start-up. Unknown keys are errors, so a typo never silently falls back to a
//! default.

mod env;
mod units;
mod validate;

pub use env::{apply_env_overrides, upstream_env_names, EnvError};
pub use units::{parse_duration, parse_size};
pub use validate::ConfigError;

use serde::de::{self, value::MapAccessDeserializer, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use units::{de_duration, de_size};

/// Where the configuration is read from when neither `--config` nor `PINGORA_CONFIG` says.
pub const DEFAULT_CONFIG_PATH: &str = "config/default.yaml";
/// Environment variable naming the configuration file (below `--config` in precedence).
pub const CONFIG_PATH_ENV: &str = "PINGORA_CONFIG";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub access_log: AccessLogConfig,
    #[serde(default)]
    pub metrics: MetricsConfig,
    #[serde(default)]
    pub auth: AuthConfig,
    #[serde(default)]
    pub upstreams: Vec<UpstreamConfig>,
    #[serde(default)]
    pub routes: Vec<RouteConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    #[serde(default = "defaults::bind_address")]
    pub bind_address: String,
    /// Proxy worker threads. Defaults to the number of CPUs.
    #[serde(default = "defaults::worker_threads")]
    pub worker_threads: usize,
    /// Open downstream connections above this are answered 503 and closed.
    #[serde(default = "defaults::max_connections")]
    pub max_connections: usize,
    /// How long an idle downstream HTTP/1.1 keep-alive connection is kept open.
    #[serde(
        default = "defaults::keepalive_timeout",
        deserialize_with = "de_duration"
    )]
    pub keepalive_timeout: Duration,
    /// After SIGTERM: how long the listener keeps serving in-flight work before runtimes stop.
    /// pingora's own default is 300 s, far too long for a container stop or a CI run.
    #[serde(default = "defaults::grace_period", deserialize_with = "de_duration")]
    pub grace_period: Duration,
    /// After the grace period: how long runtimes get to finish their tasks.
    #[serde(
        default = "defaults::graceful_shutdown_timeout",
        deserialize_with = "de_duration"
    )]
    pub graceful_shutdown_timeout: Duration,
    /// pingora's work-stealing runtime moves tasks between threads; off, each worker thread
    /// runs its own single-threaded runtime, which measured faster for proxying here (README).
    #[serde(default)]
    pub work_stealing: bool,
    /// Idle upstream connections kept per worker for reuse.
    #[serde(default = "defaults::upstream_keepalive_pool_size")]
    pub upstream_keepalive_pool_size: usize,
    #[serde(default)]
    pub tls: TlsConfig,
    /// L7 proxies in front of the gateway (CIDRs or addresses) whose `X-Forwarded-For/-Proto/-Host`
    /// are kept; from anyone else those headers are overwritten. Empty: the gateway is the edge.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub cert_file: String,
    #[serde(default)]
    pub key_file: String,
    /// Accepted protocol versions; only `TLSv1.2` and `TLSv1.3` are allowed.
    #[serde(default = "defaults::tls_protocols")]
    pub protocols: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessLogConfig {
    #[serde(default = "defaults::yes")]
    pub enabled: bool,
    /// `stdout`, `stderr` or a file path (appended to).
    #[serde(default = "defaults::access_log_target")]
    pub target: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    #[serde(default = "defaults::yes")]
    pub enabled: bool,
    #[serde(default = "defaults::metrics_path")]
    pub path: String,
    /// Networks (CIDR, or a bare address) whose clients may read the metrics; others get 403.
    #[serde(default = "defaults::metrics_allow")]
    pub allow: Vec<String>,
}

/// Edge verification of RFC 9068 access tokens, used by routes with `auth: {type: jwt}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Required `iss`; the platform's public URL. Env `OAUTH_ISSUER` (else `PUBLIC_URL`) overrides.
    #[serde(default = "defaults::issuer")]
    pub issuer: String,
    /// Where the issuer's keys are fetched: oauth-service's internal URL. Env `OAUTH_JWKS_URL` overrides.
    #[serde(default = "defaults::jwks_url")]
    pub jwks_url: String,
    /// `realm` of the `WWW-Authenticate` challenge.
    #[serde(default = "defaults::realm")]
    pub realm: String,
    /// How long a fetched key set is used before it is refreshed.
    #[serde(default = "defaults::jwks_cache_ttl", deserialize_with = "de_duration")]
    pub jwks_cache_ttl: Duration,
    /// A token with an unknown `kid` triggers a refetch at most this often, so forged `kid`s
    /// cannot turn the gateway into a request amplifier against oauth-service.
    #[serde(
        default = "defaults::jwks_refetch_interval",
        deserialize_with = "de_duration"
    )]
    pub jwks_min_refetch_interval: Duration,
    /// Timeout of one JWKS fetch.
    #[serde(default = "defaults::jwks_timeout", deserialize_with = "de_duration")]
    pub jwks_timeout: Duration,
    /// Clock skew tolerated on `exp` and `nbf`.
    #[serde(default = "defaults::leeway", deserialize_with = "de_duration")]
    pub leeway: Duration,
    /// The platform's public URL; its origin (scheme, host, port) plus the routed path is the URL
    /// a DPoP proof must name (`htu`). Defaults to the issuer. Env `PUBLIC_URL` overrides.
    #[serde(default)]
    pub public_url: Option<String>,
    #[serde(default)]
    pub dpop: DpopConfig,
}

/// DPoP proof checks (RFC 9449) for DPoP-bound tokens at the edge.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DpopConfig {
    /// A proof's `iat` may differ from the gateway's clock by at most this, either way.
    #[serde(
        default = "defaults::dpop_iat_window",
        deserialize_with = "de_duration"
    )]
    pub iat_window: Duration,
    /// Proof `jti`s remembered (each for twice `iat_window`); when full of live entries,
    /// proofs are refused with 503 rather than replays allowed.
    #[serde(default = "defaults::dpop_replay_cache_size")]
    pub replay_cache_size: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamConfig {
    pub name: String,
    pub servers: Vec<ServerEntry>,
    #[serde(default)]
    pub health_check: HealthCheckConfig,
    #[serde(default)]
    pub load_balancing: LoadBalancingConfig,
    #[serde(
        default = "defaults::connect_timeout",
        deserialize_with = "de_duration"
    )]
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of a response (also between SSE events).
    #[serde(default = "defaults::read_timeout", deserialize_with = "de_duration")]
    pub read_timeout: Duration,
    /// How long an idle pooled upstream connection is kept.
    #[serde(
        default = "defaults::upstream_idle_timeout",
        deserialize_with = "de_duration"
    )]
    pub idle_timeout: Duration,
}

/// One upstream server: `"host:port"` or `{address: "host:port", weight: 3}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEntry {
    pub address: String,
    pub weight: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheckConfig {
    #[serde(default = "defaults::yes")]
    pub enabled: bool,
    #[serde(default = "defaults::health_path")]
    pub path: String,
    #[serde(
        default = "defaults::health_interval",
        deserialize_with = "de_duration"
    )]
    pub interval: Duration,
    #[serde(default = "defaults::health_timeout", deserialize_with = "de_duration")]
    pub timeout: Duration,
    /// Consecutive failed checks before a server is marked down.
    #[serde(default = "defaults::health_retries")]
    pub retries: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// Weighted round-robin (every weight defaults to 1).
    RoundRobin,
    /// Same algorithm as `round_robin`; the name states that weights are meant.
    Weighted,
    /// Ketama consistent hashing on the client IP, so a client sticks to one server.
    ConsistentHash,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancingConfig {
    #[serde(default = "defaults::algorithm")]
    pub algorithm: Algorithm,
    /// Passive health, as nginx: this many failures within `fail_timeout` take a server out of
    /// rotation for `fail_timeout`. 0 disables it.
    #[serde(default = "defaults::max_fails")]
    pub max_fails: u32,
    #[serde(default = "defaults::fail_timeout", deserialize_with = "de_duration")]
    pub fail_timeout: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// Label in metrics and logs; defaults to the prefix.
    #[serde(default)]
    pub name: Option<String>,
    /// Path prefix; the longest matching prefix wins.
    pub prefix: String,
    /// Optional `Host` to match (exact, case-insensitive, port ignored).
    #[serde(default)]
    pub host: Option<String>,
    pub upstream: String,
    #[serde(default)]
    pub auth: RouteAuth,
    #[serde(default)]
    pub rate_limit: Option<RateLimitConfig>,
    #[serde(default = "defaults::max_body_size", deserialize_with = "de_size")]
    pub max_body_size: u64,
}

impl RouteConfig {
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.prefix)
    }
}

/// `auth: none`, or `auth: {type: jwt, audience: ..., scopes: [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RouteAuth {
    #[default]
    None,
    Jwt(JwtRule),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtRule {
    /// Required `aud` (RFC 8707 resource identifier).
    pub audience: String,
    /// Every one of these must be in the token's `scope`.
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateLimitKey {
    /// The client's IP address.
    Ip,
    /// The verified token's `client_id` (needs `auth: jwt`).
    Client,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Requests allowed per `window` and key.
    pub requests: u64,
    #[serde(default = "defaults::rate_window", deserialize_with = "de_duration")]
    pub window: Duration,
    #[serde(default = "defaults::rate_key")]
    pub key: RateLimitKey,
}

mod defaults {
    use super::{Algorithm, RateLimitKey};
    use std::time::Duration;

    pub fn yes() -> bool {
        true
    }
    pub fn bind_address() -> String {
        "0.0.0.0:8080".into()
    }
    pub fn worker_threads() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
    pub fn max_connections() -> usize {
        10_000
    }
    pub fn keepalive_timeout() -> Duration {
        Duration::from_secs(60)
    }
    pub fn grace_period() -> Duration {
        Duration::from_secs(1)
    }
    pub fn graceful_shutdown_timeout() -> Duration {
        Duration::from_secs(2)
    }
    pub fn upstream_keepalive_pool_size() -> usize {
        128
    }
    pub fn tls_protocols() -> Vec<String> {
        vec!["TLSv1.2".into(), "TLSv1.3".into()]
    }
    pub fn access_log_target() -> String {
        "stdout".into()
    }
    pub fn metrics_path() -> String {
        "/metrics".into()
    }
    pub fn metrics_allow() -> Vec<String> {
        vec!["127.0.0.0/8".into(), "::1/128".into()]
    }
    pub fn issuer() -> String {
        "http://localhost:8080".into()
    }
    pub fn jwks_url() -> String {
        "http://127.0.0.1:3001/oauth/jwks".into()
    }
    pub fn realm() -> String {
        "platform".into()
    }
    pub fn jwks_cache_ttl() -> Duration {
        Duration::from_secs(300)
    }
    pub fn jwks_refetch_interval() -> Duration {
        Duration::from_secs(10)
    }
    pub fn jwks_timeout() -> Duration {
        Duration::from_secs(3)
    }
    pub fn leeway() -> Duration {
        Duration::from_secs(30)
    }
    pub fn dpop_iat_window() -> Duration {
        Duration::from_secs(60)
    }
    pub fn dpop_replay_cache_size() -> usize {
        100_000
    }
    pub fn connect_timeout() -> Duration {
        Duration::from_secs(2)
    }
    pub fn read_timeout() -> Duration {
        Duration::from_secs(60)
    }
    pub fn upstream_idle_timeout() -> Duration {
        Duration::from_secs(60)
    }
    pub fn health_path() -> String {
        "/health".into()
    }
    pub fn health_interval() -> Duration {
        Duration::from_secs(10)
    }
    pub fn health_timeout() -> Duration {
        Duration::from_secs(5)
    }
    pub fn health_retries() -> usize {
        3
    }
    pub fn algorithm() -> Algorithm {
        Algorithm::RoundRobin
    }
    // nginx's defaults for the same knobs.
    pub fn max_fails() -> u32 {
        1
    }
    pub fn fail_timeout() -> Duration {
        Duration::from_secs(10)
    }
    pub fn max_body_size() -> u64 {
        1 << 20
    }
    pub fn rate_window() -> Duration {
        Duration::from_secs(1)
    }
    pub fn rate_key() -> RateLimitKey {
        RateLimitKey::Ip
    }
}

// `#[serde(default)]` on a struct field needs `Default`; each one equals an empty YAML mapping.
macro_rules! default_from_empty_map {
    ($($ty:ty),*) => {$(
        impl Default for $ty {
            fn default() -> Self {
                serde_yaml::from_str("{}").expect("every field has a default")
            }
        }
    )*};
}
default_from_empty_map!(
    ServerConfig,
    TlsConfig,
    AccessLogConfig,
    MetricsConfig,
    AuthConfig,
    DpopConfig,
    HealthCheckConfig,
    LoadBalancingConfig
);

impl<'de> Deserialize<'de> for ServerEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            address: String,
            #[serde(default = "one")]
            weight: usize,
        }
        fn one() -> usize {
            1
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ServerEntry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("\"host:port\" or {address: \"host:port\", weight: N}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ServerEntry, E> {
                Ok(ServerEntry {
                    address: v.to_string(),
                    weight: 1,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ServerEntry, A::Error> {
                let full = Full::deserialize(MapAccessDeserializer::new(map))?;
                Ok(ServerEntry {
                    address: full.address,
                    weight: full.weight,
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for RouteAuth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize, PartialEq)]
        #[serde(rename_all = "snake_case")]
        enum Kind {
            None,
            Jwt,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            #[serde(rename = "type")]
            kind: Kind,
            #[serde(default)]
            audience: Option<String>,
            #[serde(default)]
            scopes: Vec<String>,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RouteAuth;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`none` or {type: jwt, audience: \"...\", scopes: [...]}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RouteAuth, E> {
                match v {
                    "none" => Ok(RouteAuth::None),
                    "jwt" => Err(E::custom(
                        "`jwt` needs an audience: write {type: jwt, audience: \"...\", scopes: [...]}",
                    )),
                    other => Err(E::custom(format!("unknown auth {other:?}, expected `none` or `jwt`"))),
                }
            }
            fn visit_unit<E: de::Error>(self) -> Result<RouteAuth, E> {
                Ok(RouteAuth::None)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RouteAuth, A::Error> {
                let full = Full::deserialize(MapAccessDeserializer::new(map))?;
                match full.kind {
                    Kind::None => {
                        if full.audience.is_some() || !full.scopes.is_empty() {
                            return Err(de::Error::custom(
                                "`type: none` takes no audience or scopes",
                            ));
                        }
                        Ok(RouteAuth::None)
                    }
                    Kind::Jwt => Ok(RouteAuth::Jwt(JwtRule {
                        // An empty audience is reported by validate(), with the key path.
                        audience: full.audience.unwrap_or_default(),
                        scopes: full.scopes,
                    })),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Why the configuration could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    Read {
        file: PathBuf,
        error: std::io::Error,
    },
    /// YAML syntax or shape, with the key path (e.g. `upstreams[0].health_check`).
    Parse {
        file: PathBuf,
        key: String,
        message: String,
    },
    Env(EnvError),
    Invalid {
        file: PathBuf,
        errors: Vec<ConfigError>,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            LoadError::Read { file, error } => write!(f, "cannot read {}: {error}", file.display()),
            LoadError::Parse { file, key, message } => {
                write!(f, "{}: {key}: {message}", file.display())
            }
            LoadError::Env(e) => write!(f, "{e}"),
            LoadError::Invalid { file, errors } => {
                write!(f, "{}: {} error(s)", file.display(), errors.len())?;
                for e in errors {
                    write!(f, "\n  {e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for LoadError {}

impl Config {
    /// Parses YAML; `Err` carries the key path of the offending value.
    pub fn from_yaml_str(text: &str) -> Result<Config, (String, String)> {
        let de = serde_yaml::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let key = if key == "." {
                "(root)".to_string()
            } else {
                key
            };
            (key, e.into_inner().to_string())
        })
    }

    /// Reads, applies environment overrides (see [`apply_env_overrides`]) and validates.
    pub fn load(file: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, LoadError> {
        let text = std::fs::read_to_string(file).map_err(|error| LoadError::Read {
            file: file.to_path_buf(),
            error,
        })?;
        let mut config =
            Config::from_yaml_str(&text).map_err(|(key, message)| LoadError::Parse {
                file: file.to_path_buf(),
                key,
                message,
            })?;
        apply_env_overrides(&mut config, env).map_err(LoadError::Env)?;
        config.validate().map_err(|errors| LoadError::Invalid {
            file: file.to_path_buf(),
            errors,
        })?;
        Ok(config)
    }

    pub fn upstream_index(&self, name: &str) -> Option<usize> {
        self.upstreams.iter().position(|u| u.name == name)
    }

    /// Files the configuration refers to that do not exist here (reported by `--validate`
    /// as warnings: production paths rarely exist on the machine that checks the file).
    pub fn missing_files(&self) -> Vec<(String, String)> {
        let mut missing = Vec::new();
        if self.server.tls.enabled {
            for (key, file) in [
                ("server.tls.cert_file", &self.server.tls.cert_file),
                ("server.tls.key_file", &self.server.tls.key_file),
            ] {
                if !file.is_empty() && !Path::new(file).exists() {
                    missing.push((key.to_string(), file.clone()));
                }
            }
        }
        missing
    }
}

/// The config path: `--config` if given, else `PINGORA_CONFIG`, else `config/default.yaml`.
pub fn resolve_path(cli: Option<&str>, env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    cli.map(PathBuf::from)
        .or_else(|| {
            env(CONFIG_PATH_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG_PATH))
}
