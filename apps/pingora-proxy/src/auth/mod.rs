//! Edge authentication for routes marked `auth: {type: jwt}`: the access token from the
//! Authorization header is verified (signature against the token issuer's JWKS, `typ`, `iss`, `exp`,
//! `aud`, scopes) before the request reaches the upstream, and a DPoP-bound token (`cnf.jkt`) only
//! with the `DPoP` scheme and a valid proof of its key (RFC 9449). Answers follow RFC 6750 §3
//! and RFC 9449 §7.1.

pub mod dpop;
pub mod dpop_key;
pub mod jwks;
pub mod jwt;

use crate::config::{AuthConfig, JwtRule};
use crate::problem::Problem;
use crate::url::HttpUrl;
use dpop::{ProofError, ReplayCache};
use jwks::{JwksCache, KeyError};
use jwt::TokenError;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

pub struct EdgeAuth {
    issuer: String,
    realm: String,
    leeway: f64,
    jwks: JwksCache,
    /// `scheme://host[:port]` of the platform's public URL: DPoP `htu` is this plus the routed
    /// path, never anything the request's `Host` says.
    public_origin: String,
    iat_window: f64,
    replay: ReplayCache,
}

/// Who the verified token speaks for.
#[derive(Debug, Clone)]
pub struct Principal {
    pub client_id: Option<String>,
    pub subject: Option<String>,
}

/// What edge auth reads from the request.
pub struct AuthRequest<'a> {
    pub authorization: Option<&'a [u8]>,
    /// Every `DPoP` header value (RFC 9449 allows exactly one).
    pub dpop: Vec<&'a [u8]>,
    pub method: &'a str,
    /// The routed (normalised) path, without the query.
    pub path: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Bearer,
    DPoP,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    /// No credentials at all (or another scheme): challenge without an error code.
    MissingToken,
    InvalidToken(TokenError),
    /// A DPoP-bound token sent as a bearer token (RFC 9449 §7.1 forbids accepting it).
    BoundTokenAsBearer,
    InvalidProof(ProofError),
    InsufficientScope(String),
    /// The token issuer's keys could not be fetched, or the proof replay cache is full.
    Unavailable,
}

/// A denial and the scheme the client used, which the challenge answers in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub denial: Denial,
    pub scheme: Scheme,
}

impl EdgeAuth {
    pub fn new(config: &AuthConfig) -> Result<EdgeAuth, String> {
        Ok(EdgeAuth {
            issuer: config.issuer.clone(),
            realm: config.realm.clone(),
            leeway: config.leeway.as_secs_f64(),
            jwks: JwksCache::new(
                HttpUrl::parse(&config.jwks_url)?,
                config.jwks_cache_ttl,
                config.jwks_min_refetch_interval,
                config.jwks_timeout,
            ),
            public_origin: origin(config.public_url.as_deref().unwrap_or(&config.issuer))
                .ok_or("auth.public_url: not an http(s) URL")?,
            iat_window: config.dpop.iat_window.as_secs_f64(),
            replay: ReplayCache::new(config.dpop.replay_cache_size, config.dpop.iat_window),
        })
    }

    pub async fn authorize(
        &self,
        req: &AuthRequest<'_>,
        rule: &JwtRule,
    ) -> Result<Principal, Refusal> {
        let Some((scheme, token)) = credentials(req.authorization) else {
            return Err(Refusal {
                denial: Denial::MissingToken,
                scheme: Scheme::Bearer,
            });
        };
        let refuse = |denial| Refusal { denial, scheme };
        let parsed = jwt::parse(token).map_err(|e| refuse(Denial::InvalidToken(e)))?;
        let keys = self
            .jwks
            .keys_for(parsed.kid.as_deref())
            .await
            .map_err(|e| {
                refuse(match e {
                    KeyError::Unknown => Denial::InvalidToken(TokenError::UnknownKey),
                    KeyError::Unavailable => Denial::Unavailable,
                })
            })?;
        if !keys.iter().any(|k| parsed.verify(k)) {
            return Err(refuse(Denial::InvalidToken(TokenError::InvalidSignature)));
        }
        let claims = parsed
            .claims()
            .map_err(|e| refuse(Denial::InvalidToken(e)))?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        jwt::check_claims(&claims, &self.issuer, &rule.audience, now, self.leeway)
            .map_err(|e| refuse(Denial::InvalidToken(e)))?;
        self.check_binding(scheme, token, claims.bound_key(), req, now)
            .map_err(refuse)?;
        if !rule.scopes.iter().all(|s| claims.has_scope(s)) {
            return Err(refuse(Denial::InsufficientScope(rule.scopes.join(" "))));
        }
        Ok(Principal {
            client_id: claims.client_id,
            subject: claims.sub,
        })
    }

    /// RFC 9449 §7.1: a bound token needs the DPoP scheme and a proof by its key; an unbound
    /// token may come either way, but with the DPoP scheme its proof must be valid too.
    fn check_binding(
        &self,
        scheme: Scheme,
        token: &str,
        bound_key: Option<&str>,
        req: &AuthRequest,
        now: f64,
    ) -> Result<(), Denial> {
        if scheme == Scheme::Bearer {
            return match bound_key {
                Some(_) => Err(Denial::BoundTokenAsBearer),
                None => Ok(()),
            };
        }
        let proof = match req.dpop.as_slice() {
            [one] => std::str::from_utf8(one).map_err(|_| ProofError::Malformed),
            [] => Err(ProofError::Missing),
            _ => Err(ProofError::Multiple),
        }
        .map_err(Denial::InvalidProof)?;
        let url = format!("{}{}", self.public_origin, req.path);
        let expected = dpop::Expected {
            method: req.method,
            url: &url,
            access_token: token,
            now,
            iat_window: self.iat_window,
        };
        let proof = dpop::verify(proof.trim(), &expected).map_err(Denial::InvalidProof)?;
        if bound_key.is_some_and(|jkt| jkt != proof.thumbprint) {
            return Err(Denial::InvalidProof(ProofError::WrongKey));
        }
        // Recorded last, so refused requests cannot fill the cache.
        self.replay
            .record(&proof.jti, Instant::now())
            .map_err(|e| match e {
                ProofError::CacheFull => Denial::Unavailable,
                e => Denial::InvalidProof(e),
            })
    }

    /// The problem+json answer with its `WWW-Authenticate` challenge, in the scheme the client
    /// used (both schemes when it sent no credentials).
    pub fn problem(&self, refusal: &Refusal, rule: &JwtRule) -> Problem {
        let dpop_challenge = format!(
            "DPoP realm=\"{}\", algs=\"{}\"",
            self.realm,
            dpop_key::SUPPORTED_ALGS
        );
        let mut challenge = match refusal.scheme {
            Scheme::Bearer if refusal.denial != Denial::BoundTokenAsBearer => {
                format!("Bearer realm=\"{}\"", self.realm)
            }
            _ => dpop_challenge.clone(),
        };
        let problem = match &refusal.denial {
            Denial::MissingToken => Problem::new(
                401,
                "missing_token",
                "This resource needs an access token (Bearer or DPoP).",
            ),
            Denial::InvalidToken(reason) => {
                challenge.push_str(&error_params("invalid_token", reason.describe()));
                Problem::new(401, "invalid_token", reason.describe())
            }
            Denial::BoundTokenAsBearer => {
                let detail =
                    "this access token is DPoP-bound: send it with the DPoP scheme and a proof";
                challenge.push_str(&error_params("invalid_token", detail));
                Problem::new(401, "invalid_token", detail)
            }
            Denial::InvalidProof(reason) => {
                challenge.push_str(&error_params("invalid_dpop_proof", reason.describe()));
                Problem::new(401, "invalid_dpop_proof", reason.describe())
            }
            Denial::InsufficientScope(scope) => {
                challenge.push_str(&format!(
                    ", error=\"insufficient_scope\", scope=\"{scope}\""
                ));
                Problem::new(
                    403,
                    "insufficient_scope",
                    format!("This resource needs the scope(s): {scope}."),
                )
            }
            Denial::Unavailable => {
                return Problem::new(
                    503,
                    "auth_unavailable",
                    "Access tokens cannot be verified right now; retry shortly.",
                )
                .with_header("retry-after", "5");
            }
        };
        if let Some(url) = resource_metadata_url(&rule.audience) {
            challenge.push_str(&format!(", resource_metadata=\"{url}\""));
        }
        if refusal.denial == Denial::MissingToken {
            challenge.push_str(&format!(", {dpop_challenge}"));
        }
        problem.with_header("www-authenticate", challenge)
    }
}

fn error_params(code: &str, description: &str) -> String {
    format!(", error=\"{code}\", error_description=\"{description}\"")
}

/// `scheme://host[:port]` of an http(s) URL.
fn origin(url: &str) -> Option<String> {
    HttpUrl::parse(url).ok()?;
    let after_scheme = url.find("://")? + 3;
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    Some(url[..end].to_string())
}

/// `Authorization: Bearer <token>` or `Authorization: DPoP <token>` (scheme case-insensitive).
/// Any other scheme counts as no credentials, which RFC 6750 answers without an error code.
fn credentials(header: Option<&[u8]>) -> Option<(Scheme, &str)> {
    let value = std::str::from_utf8(header?).ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    let scheme = if scheme.eq_ignore_ascii_case("bearer") {
        Scheme::Bearer
    } else if scheme.eq_ignore_ascii_case("dpop") {
        Scheme::DPoP
    } else {
        return None;
    };
    (!token.is_empty()).then_some((scheme, token))
}

/// RFC 9728 §3.1: `https://host/test` → `https://host/.well-known/oauth-protected-resource/test`.
fn resource_metadata_url(resource: &str) -> Option<String> {
    let url = HttpUrl::parse(resource).ok()?;
    let scheme = if url.tls { "https" } else { "http" };
    let origin_len = scheme.len()
        + 3
        + resource[scheme.len() + 3..]
            .find('/')
            .unwrap_or(resource.len() - scheme.len() - 3);
    let path = &resource[origin_len..];
    let path = path.trim_end_matches('/');
    // Quotes or backslashes cannot go into the challenge's quoted-string.
    (!resource.contains(['"', '\\'])).then(|| {
        format!(
            "{}/.well-known/oauth-protected-resource{path}",
            &resource[..origin_len]
        )
    })
}

#[cfg(test)]
#[path = "edge_tests.rs"]
mod tests;
