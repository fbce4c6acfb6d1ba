//! The gateway's configuration: YAML (every key in the crate's README), loaded and
//! validated once at start-up. Unknown keys are errors, so a typo never silently falls back to a
//! default.

//!
//! One module per section (`server`, `auth`, `upstream`, `route`), their `defaults`, `units`
//! (durations and sizes), `load` (file → validated `Config`), `env` (overrides) and `validate`.

mod auth;
mod defaults;
mod env;
mod load;
mod route;
mod server;
mod units;
mod upstream;
mod validate;

pub use auth::{AuthConfig, DpopConfig};
pub use env::{apply_env_overrides, upstream_env_names, EnvError};
pub use load::{resolve_path, LoadError};
pub use route::{JwtRule, RateLimitConfig, RateLimitKey, RouteAuth, RouteConfig};
pub use server::{AccessLogConfig, MetricsConfig, ServerConfig, TlsConfig};
pub use units::{parse_duration, parse_size};
pub use upstream::{
    Algorithm, HealthCheckConfig, LoadBalancingConfig, ServerEntry, UpstreamConfig,
};
pub use validate::ConfigError;

use serde::Deserialize;

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
