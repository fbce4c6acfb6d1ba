//! Answers the gateway writes itself: `/healthz`, `/metrics`, and problem+json refusals.

use super::{request_id_str, Ctx, Gateway};
use crate::cidr::any_contains;
use crate::problem::Problem;
use crate::request_id;
use bytes::Bytes;
use pingora_error::Result;
use pingora_http::{RequestHeader, ResponseHeader};
use pingora_proxy::Session;

pub const HEALTHZ_PATH: &str = "/healthz";

const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Requests the gateway answers itself, by kind (their `route` label in metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalRoute {
    Healthz,
    Metrics,
    Unmatched,
}

impl LocalRoute {
    pub const ALL: [LocalRoute; 3] = [
        LocalRoute::Healthz,
        LocalRoute::Metrics,
        LocalRoute::Unmatched,
    ];

    pub fn label(self) -> &'static str {
        match self {
            LocalRoute::Healthz => "healthz",
            LocalRoute::Metrics => "metrics",
            LocalRoute::Unmatched => "unmatched",
        }
    }
}

pub(super) fn header_str<'a>(req: &'a RequestHeader, name: &str) -> Option<&'a str> {
    req.headers.get(name).and_then(|v| v.to_str().ok())
}

fn has_body(req: &RequestHeader) -> bool {
    req.headers.contains_key("transfer-encoding")
        || header_str(req, "content-length").is_some_and(|v| v.trim() != "0")
}

impl Gateway {
    /// Answers `/healthz` and the metrics path; `None` when the path is neither.
    pub(super) async fn serve_gateway_endpoint(
        &self,
        session: &mut Session,
        ctx: &mut Ctx,
    ) -> Option<Result<bool>> {
        let path = session.req_header().uri.path();
        if path == HEALTHZ_PATH {
            ctx.local_route = Some(LocalRoute::Healthz);
            let body = self.healthz_body();
            return Some(
                self.respond_plain(session, ctx, 200, "application/json", body)
                    .await,
            );
        }
        if self.metrics_path.as_deref() != Some(path) {
            return None;
        }
        ctx.local_route = Some(LocalRoute::Metrics);
        // The TCP peer, never a forwarded address: metrics are for the local network.
        if !ctx
            .peer_ip
            .is_some_and(|ip| any_contains(&self.metrics_allow, ip))
        {
            let p = Problem::new(
                403,
                "forbidden",
                "Metrics are only served to allowlisted networks.",
            );
            return Some(self.respond_problem(session, ctx, p).await);
        }
        let body = self.metrics.render(&self.pools);
        Some(
            self.respond_plain(session, ctx, 200, METRICS_CONTENT_TYPE, body)
                .await,
        )
    }

    /// Writes a locally generated problem+json response; the request never reaches an upstream.
    pub(super) async fn respond_problem(
        &self,
        session: &mut Session,
        ctx: &mut Ctx,
        problem: Problem,
    ) -> Result<bool> {
        ctx.local_status = problem.status;
        // An unread request body would be taken for the next request: close instead.
        if has_body(session.req_header()) {
            session.set_keepalive(None);
        }
        let (head, body) = problem.response(session.req_header().uri.path(), request_id_str(ctx));
        session.write_response_header(Box::new(head), false).await?;
        session.write_response_body(Some(body), true).await?;
        Ok(true)
    }

    async fn respond_plain(
        &self,
        session: &mut Session,
        ctx: &mut Ctx,
        status: u16,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<bool> {
        ctx.local_status = status;
        let mut head = ResponseHeader::build(status, Some(4))?;
        head.insert_header("content-type", content_type)?;
        head.insert_header("content-length", body.len().to_string())?;
        head.insert_header("cache-control", "no-store")?;
        head.insert_header(request_id::HEADER, ctx.request_id.clone())?;
        let head_only = session.req_header().method == http::Method::HEAD;
        session
            .write_response_header(Box::new(head), head_only)
            .await?;
        if !head_only {
            session
                .write_response_body(Some(Bytes::from(body)), true)
                .await?;
        }
        Ok(true)
    }

    fn healthz_body(&self) -> Vec<u8> {
        let upstreams: serde_json::Map<String, serde_json::Value> = self
            .pools
            .iter()
            .map(|p| {
                let servers = p.server_health();
                let up = servers.iter().filter(|s| s.up).count();
                (
                    p.name.to_string(),
                    serde_json::json!({"servers": servers.len(), "healthy": up}),
                )
            })
            .collect();
        serde_json::to_vec(&serde_json::json!({"status": "ok", "upstreams": upstreams}))
            .unwrap_or_default()
    }
}
