//! pingora-proxy: the platform's single public origin, on Cloudflare's pingora.
//!
//! Modules are named for what they hold; `proxy` wires them into pingora's `ProxyHttp` phases.

pub mod access_log;
pub mod auth;
pub mod cidr;
pub mod config;
pub mod connections;
pub mod forwarding;
pub mod health;
pub mod http_fetch;
pub mod metrics;
pub mod path;
pub mod problem;
pub mod proxy;
pub mod rate_limit;
pub mod request_id;
pub mod routing;
pub mod server;
pub mod upstream;
pub mod url;
