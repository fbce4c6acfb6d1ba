//! The gateway itself: pingora's `ProxyHttp` phases, in the order a request meets them.
//!
//! - `request_filter`: request id, path normalisation (`path.rs`), gateway endpoints (`/healthz`, `/metrics`), routing, body limit
//!   by `Content-Length`, rate limits, edge JWT auth. Anything refused is answered here.
//! - `upstream_peer`: the next healthy server not yet tried by this request.
//! - `upstream_request_filter`: forwarding headers (`forwarding.rs`) and `x-request-id`.
//! - `request_body_filter`: body limit while streaming (chunked bodies).
//! - `response_filter`: `x-request-id` back to the client; passive-health success.
//! - `fail_to_connect` / `error_while_proxy`: passive-health failure and retry on another server.
//! - `fail_to_proxy`: the final error as problem+json.
//! - `logging`: metrics and the access log line.
//!
//! `admission` holds `request_filter`'s checks, `local` the answers the gateway writes itself
//! (`/healthz`, `/metrics`, refusals), `failure` the mapping of a failed request to problem+json.

mod admission;
mod failure;
mod local;

pub use local::{LocalRoute, HEALTHZ_PATH};

use crate::access_log::{self, AccessLog};
use crate::auth::EdgeAuth;
use crate::cidr::Cidr;
use crate::config::JwtRule;
use crate::forwarding;
use crate::metrics::{Metrics, RouteMetrics};
use crate::rate_limit::RouteLimiter;
use crate::request_id;
use crate::routing::Router;
use crate::upstream::{UpstreamPool, DRAINING_HEADER};
use async_trait::async_trait;
use bytes::Bytes;
use failure::{failure_problem, Failure};
use http::HeaderValue;
use local::header_str;
use pingora_core::upstreams::peer::HttpPeer;
use pingora_error::{Error, ErrorSource, ErrorType, Result};
use pingora_http::{RequestHeader, ResponseHeader};
use pingora_load_balancing::Backend;
use pingora_proxy::{FailToProxy, ProxyHttp, Session};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

/// A route as the proxy uses it (compiled from `RouteConfig`).
pub struct RouteRuntime {
    pub label: Arc<str>,
    pub upstream: usize,
    pub auth: Option<JwtRule>,
    pub limiter: Option<RouteLimiter>,
    pub max_body_size: u64,
    pub metrics: RouteMetrics,
}

pub struct Gateway {
    pub router: Router,
    pub routes: Vec<RouteRuntime>,
    pub pools: Vec<Arc<UpstreamPool>>,
    pub auth: Option<EdgeAuth>,
    pub metrics: Arc<Metrics>,
    /// Metric handles of the gateway's own answers, in `LocalRoute::ALL` order.
    pub local_metrics: Vec<RouteMetrics>,
    pub access_log: Option<AccessLog>,
    /// `None` when metrics are disabled.
    pub metrics_path: Option<String>,
    pub metrics_allow: Vec<Cidr>,
    /// Peers whose `X-Forwarded-For/-Proto/-Host` are passed on (`server.trusted_proxies`).
    pub trusted_proxies: Vec<Cidr>,
    /// Whether the listener terminates TLS (for `X-Forwarded-Proto`).
    pub tls: bool,
    pub keepalive_secs: Option<u64>,
}

/// Per-request state shared by the phases.
pub struct Ctx {
    start: Instant,
    /// Shared with the request header it came from, or freshly generated.
    request_id: HeaderValue,
    /// The real client: the TCP peer, or the address a trusted proxy forwarded.
    client_ip: Option<IpAddr>,
    /// The TCP peer.
    peer_ip: Option<IpAddr>,
    route: Option<usize>,
    /// Set for requests the gateway answers itself (`/healthz`, `/metrics`, no route).
    local_route: Option<LocalRoute>,
    /// Servers this request already went to (bit i = configured server i), so a retry picks another.
    tried: u64,
    current: Option<Backend>,
    server_label: Option<Arc<str>>,
    body_bytes: u64,
    response_started: bool,
    failure: Option<Failure>,
    /// Status of a response the gateway generated, for logs when none was written upstream-side.
    local_status: u16,
}

/// The host the client asked for: `Host`, or the URI authority (HTTP/2, absolute-form).
fn request_host(req: &RequestHeader) -> Option<&str> {
    header_str(req, "host").or_else(|| req.uri.authority().map(|a| a.as_str()))
}

impl Gateway {
    fn pool_of(&self, ctx: &Ctx) -> Option<&Arc<UpstreamPool>> {
        ctx.route.map(|r| &self.pools[self.routes[r].upstream])
    }
}

#[async_trait]
impl ProxyHttp for Gateway {
    type CTX = Ctx;

    fn new_ctx(&self) -> Ctx {
        Ctx {
            start: Instant::now(),
            request_id: HeaderValue::from_static(""),
            client_ip: None,
            peer_ip: None,
            route: None,
            local_route: None,
            tried: 0,
            current: None,
            server_label: None,
            body_bytes: 0,
            response_started: false,
            failure: None,
            local_status: 0,
        }
    }

    async fn request_filter(&self, session: &mut Session, ctx: &mut Ctx) -> Result<bool> {
        self.admit(session, ctx).await
    }

    async fn upstream_peer(&self, _session: &mut Session, ctx: &mut Ctx) -> Result<Box<HttpPeer>> {
        let Some(pool) = self.pool_of(ctx) else {
            return Error::e_explain(ErrorType::InternalError, "no route selected");
        };
        // Consistent hashing keys on the client address; round-robin ignores the key.
        let key = match ctx.client_ip {
            Some(IpAddr::V4(ip)) => ip.to_ipv6_mapped().octets(),
            Some(IpAddr::V6(ip)) => ip.octets(),
            None => [0; 16],
        };
        match pool.select(&key, ctx.tried) {
            Some(backend) => {
                ctx.tried |= UpstreamPool::tried_bit(&backend);
                ctx.server_label = UpstreamPool::label(&backend);
                let peer = pool.peer(&backend);
                ctx.current = Some(backend);
                Ok(Box::new(peer))
            }
            None if ctx.tried == 0 => {
                ctx.failure = Some(Failure::NoHealthyServer);
                Error::e_explain(
                    ErrorType::HTTPStatus(503),
                    format!("upstream {}: no healthy server", pool.name),
                )
            }
            None => {
                ctx.failure.get_or_insert(Failure::ConnectFailed);
                Error::e_explain(
                    ErrorType::HTTPStatus(502),
                    format!("upstream {}: every server failed", pool.name),
                )
            }
        }
    }

    async fn upstream_request_filter(
        &self,
        session: &mut Session,
        upstream: &mut RequestHeader,
        ctx: &mut Ctx,
    ) -> Result<()> {
        // Shared header values (no copies): the client's Host, and the request id.
        let req = session.req_header();
        let host = req.headers.get("host").cloned().or_else(|| {
            req.uri
                .authority()
                .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
        });
        let seen = forwarding::Seen {
            peer: ctx.peer_ip,
            tls: self.tls,
            host,
            trusted_proxies: &self.trusted_proxies,
        };
        forwarding::apply(upstream, &seen)?;
        upstream.insert_header(request_id::HEADER, ctx.request_id.clone())?;
        Ok(())
    }

    async fn request_body_filter(
        &self,
        session: &mut Session,
        body: &mut Option<Bytes>,
        _end_of_stream: bool,
        ctx: &mut Ctx,
    ) -> Result<()> {
        // WebSocket frames after an upgrade are not a request body.
        if session.was_upgraded() {
            return Ok(());
        }
        if let (Some(chunk), Some(route)) = (body.as_ref(), ctx.route) {
            ctx.body_bytes += chunk.len() as u64;
            if ctx.body_bytes > self.routes[route].max_body_size {
                ctx.failure = Some(Failure::BodyTooLarge);
                return Error::e_explain(
                    ErrorType::HTTPStatus(413),
                    "request body over the route's limit",
                );
            }
        }
        Ok(())
    }

    async fn response_filter(
        &self,
        _session: &mut Session,
        response: &mut ResponseHeader,
        ctx: &mut Ctx,
    ) -> Result<()> {
        ctx.response_started = true;
        response.insert_header(request_id::HEADER, ctx.request_id.clone())?;
        let draining = response.remove_header(DRAINING_HEADER).is_some();
        if let (Some(pool), Some(backend)) = (self.pool_of(ctx), ctx.current.as_ref()) {
            if draining {
                pool.record_draining(backend);
            } else {
                pool.record_success(backend);
            }
        }
        Ok(())
    }

    fn fail_to_connect(
        &self,
        _session: &mut Session,
        _peer: &HttpPeer,
        ctx: &mut Ctx,
        mut e: Box<Error>,
    ) -> Box<Error> {
        if let (Some(pool), Some(backend)) = (self.pool_of(ctx), ctx.current.as_ref()) {
            pool.record_failure(backend);
        }
        ctx.failure = Some(Failure::ConnectFailed);
        // Nothing reached the server, so any method may go elsewhere; upstream_peer skips the
        // servers already tried and answers 502 when none is left.
        e.set_retry(true);
        e
    }

    fn error_while_proxy(
        &self,
        peer: &HttpPeer,
        session: &mut Session,
        e: Box<Error>,
        ctx: &mut Ctx,
        _client_reused: bool,
    ) -> Box<Error> {
        let mut e = e.more_context(format!("Peer: {peer}"));
        if ctx.failure == Some(Failure::BodyTooLarge) {
            e.set_retry(false);
            return e;
        }
        let upstream_fault = *e.esource() == ErrorSource::Upstream;
        if upstream_fault {
            if let (Some(pool), Some(backend)) = (self.pool_of(ctx), ctx.current.as_ref()) {
                pool.record_failure(backend);
            }
        }
        // As nginx's proxy_next_upstream "error timeout": an idempotent request whose response
        // has not started may be sent to another server, if its body can be replayed.
        let retry = upstream_fault
            && !ctx.response_started
            && !session.was_upgraded()
            && session.req_header().method.is_idempotent()
            && !session.as_ref().retry_buffer_truncated();
        e.set_retry(retry);
        e
    }

    async fn fail_to_proxy(&self, session: &mut Session, e: &Error, ctx: &mut Ctx) -> FailToProxy {
        let upstream = self
            .pool_of(ctx)
            .map_or_else(String::new, |p| p.name.to_string());
        let body_limit = ctx.route.map_or(0, |r| self.routes[r].max_body_size);
        let problem = failure_problem(ctx.failure, e, &upstream, body_limit);
        // A request refused before request_filter ran (e.g. unparsable) still gets an id.
        if ctx.request_id.is_empty() {
            ctx.request_id = request_id::from_incoming(None);
        }
        let Some(problem) = problem else {
            return FailToProxy {
                error_code: 0,
                can_reuse_downstream: false,
            };
        };
        let code = problem.status;
        ctx.local_status = code;
        // Once a response has started (mid-stream failure, upgraded socket) nothing can be added.
        if session.response_written().is_none() {
            session.set_keepalive(None);
            let (head, body) =
                problem.response(session.req_header().uri.path(), request_id_str(ctx));
            let written = async {
                session.write_response_header(Box::new(head), false).await?;
                session.write_response_body(Some(body), true).await
            };
            if let Err(err) = written.await {
                log::debug!("could not send the error response: {err}");
            }
        }
        FailToProxy {
            error_code: code,
            can_reuse_downstream: false,
        }
    }

    fn suppress_error_log(&self, _session: &Session, ctx: &Ctx, _e: &Error) -> bool {
        // Refusals the gateway decided itself are expected, and visible in the access log.
        matches!(
            ctx.failure,
            Some(Failure::BodyTooLarge | Failure::NoHealthyServer)
        )
    }

    /// pingora's default summary includes the query string, which may carry codes or tokens.
    fn request_summary(&self, session: &Session, ctx: &Ctx) -> String {
        let req = session.req_header();
        format!(
            "{} {}, host: {}, request_id: {}",
            req.method,
            req.uri.path(),
            request_host(req).unwrap_or("-"),
            request_id_str(ctx)
        )
    }

    async fn logging(&self, session: &mut Session, e: Option<&Error>, ctx: &mut Ctx) {
        let status = session
            .response_written()
            .map_or(ctx.local_status, |r| r.status.as_u16());
        let elapsed = ctx.start.elapsed();
        let (route, upstream, metrics) = match ctx.route {
            Some(r) => (
                &*self.routes[r].label,
                &*self.pools[self.routes[r].upstream].name,
                &self.routes[r].metrics,
            ),
            None => {
                let local = ctx.local_route.unwrap_or(LocalRoute::Unmatched);
                let index = LocalRoute::ALL
                    .iter()
                    .position(|l| *l == local)
                    .unwrap_or(2);
                (local.label(), "", &self.local_metrics[index])
            }
        };
        metrics.observe(status, elapsed.as_secs_f64());
        if let Some(log) = &self.access_log {
            let req = session.req_header();
            log.write(&access_log::Entry {
                time: access_log::now_rfc3339(),
                request_id: request_id_str(ctx),
                client_ip: ctx.client_ip.map(|ip| ip.to_string()),
                method: req.method.as_str(),
                path: req.uri.path(),
                status,
                route: Some(route),
                upstream: (!upstream.is_empty()).then_some(upstream),
                server: ctx.server_label.as_deref(),
                latency_ms: (elapsed.as_secs_f64() * 1e6).round() / 1e3,
                attempts: ctx.tried.count_ones() as usize,
                bytes_sent: session.body_bytes_sent(),
                error: e.map(|e| e.etype().as_str().to_string()),
            });
        }
    }
}

fn request_id_str(ctx: &Ctx) -> &str {
    // Accepted ids and generated UUIDs are ASCII by construction.
    ctx.request_id.to_str().unwrap_or("")
}
