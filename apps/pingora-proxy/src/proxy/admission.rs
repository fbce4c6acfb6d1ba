//! `request_filter`'s work: who the client is, which path and route, and whether the request
//! may go on (body size, rate limits, edge auth). Anything refused is answered here.

use super::failure::{body_too_large, Failure};
use super::local::{header_str, LocalRoute};
use super::{request_host, Ctx, Gateway, RouteRuntime};
use crate::auth::{AuthRequest, EdgeAuth};
use crate::config::{JwtRule, RateLimitKey};
use crate::forwarding;
use crate::problem::Problem;
use crate::request_id;
use pingora_error::Result;
use pingora_proxy::Session;

impl Gateway {
    /// The whole of `request_filter`: `Ok(true)` when the gateway has answered.
    pub(super) async fn admit(&self, session: &mut Session, ctx: &mut Ctx) -> Result<bool> {
        self.identify_client(session, ctx);

        // Everything below (gateway endpoints, routing, auth) and the upstream see this one path.
        match crate::path::routed_uri(&session.req_header().uri) {
            Ok(None) => {}
            Ok(Some(uri)) => session.req_header_mut().set_uri(uri),
            Err(reason) => {
                ctx.local_route = Some(LocalRoute::Unmatched);
                let p = Problem::new(400, "invalid_path", reason.describe());
                return self.respond_problem(session, ctx, p).await;
            }
        }
        if let Some(answered) = self.serve_gateway_endpoint(session, ctx).await {
            return answered;
        }

        let req = session.req_header();
        let Some(index) = self.router.lookup(request_host(req), req.uri.path()) else {
            ctx.local_route = Some(LocalRoute::Unmatched);
            let p = Problem::new(404, "not_found", "No route serves this path.");
            return self.respond_problem(session, ctx, p).await;
        };
        ctx.route = Some(index);
        match self.refusal(session, ctx, &self.routes[index]).await {
            Some(p) => self.respond_problem(session, ctx, p).await,
            None => Ok(false),
        }
    }

    /// Request id, TCP peer, real client address and keep-alive.
    fn identify_client(&self, session: &mut Session, ctx: &mut Ctx) {
        let req = session.req_header();
        ctx.request_id = request_id::from_incoming(req.headers.get(request_id::HEADER));
        ctx.peer_ip = session
            .client_addr()
            .and_then(|a| a.as_inet())
            .map(|a| a.ip());
        ctx.client_ip = if self.trusted_proxies.is_empty() {
            ctx.peer_ip
        } else {
            forwarding::client_address(session.req_header(), ctx.peer_ip, &self.trusted_proxies)
        };
        if !session.is_process_shutting_down() {
            session.set_keepalive(self.keepalive_secs);
        }
    }

    /// The route's checks in order of cost; the first refusal wins.
    async fn refusal(
        &self,
        session: &Session,
        ctx: &mut Ctx,
        route: &RouteRuntime,
    ) -> Option<Problem> {
        // Refuse an oversized body before reading any of it; chunked bodies are counted in
        // request_body_filter.
        if let Some(len) = header_str(session.req_header(), "content-length")
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            if len > route.max_body_size {
                ctx.failure = Some(Failure::BodyTooLarge);
                return Some(body_too_large(route.max_body_size));
            }
        }
        // Per-IP limits go before auth, so floods do not cost signature checks.
        if let Some(limiter) = route.limiter.as_ref().filter(|l| l.key == RateLimitKey::Ip) {
            if let Err(p) = limiter.check(&ctx.client_ip) {
                return Some(p);
            }
        }
        match (route.auth.as_ref(), self.auth.as_ref()) {
            (Some(rule), Some(auth)) => authorize(session, ctx, route, auth, rule).await,
            _ => None,
        }
    }
}

/// Edge token verification, then the per-client rate limit keyed on the verified token.
async fn authorize(
    session: &Session,
    ctx: &Ctx,
    route: &RouteRuntime,
    auth: &EdgeAuth,
    rule: &JwtRule,
) -> Option<Problem> {
    let req = session.req_header();
    let request = AuthRequest {
        authorization: req.headers.get("authorization").map(|v| v.as_bytes()),
        dpop: req
            .headers
            .get_all("dpop")
            .iter()
            .map(|v| v.as_bytes())
            .collect(),
        method: req.method.as_str(),
        path: req.uri.path(),
    };
    let principal = match auth.authorize(&request, rule).await {
        Ok(principal) => principal,
        Err(denial) => return Some(auth.problem(&denial, rule)),
    };
    let limiter = route
        .limiter
        .as_ref()
        .filter(|l| l.key == RateLimitKey::Client)?;
    // RFC 9068 requires client_id; fall back to the subject, then the IP.
    let key = principal
        .client_id
        .or(principal.subject)
        .unwrap_or_else(|| format!("{:?}", ctx.client_ip));
    limiter.check(&key).err()
}
