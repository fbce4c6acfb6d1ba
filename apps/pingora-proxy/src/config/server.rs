//! The `server`, `access_log` and `metrics` sections: the listener and what it reports.

use super::defaults;
use super::units::de_duration;
use serde::Deserialize;
use std::time::Duration;

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
