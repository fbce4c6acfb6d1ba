//! Default values of optional keys, referenced from the `#[serde(default = ...)]` attributes.
//! Each equals what the README's configuration reference lists.

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
