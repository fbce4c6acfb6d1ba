//! System tests: the built `pingora-proxy` binary in front of real upstream servers, all on
//! 127.0.0.1 ephemeral ports.

mod support;

mod balance;
mod config_cli;
mod dpop;
mod edge_auth;
mod failover;
mod forwarding;
mod limits;
mod paths;
mod proxying;
mod streaming;
mod tls;
