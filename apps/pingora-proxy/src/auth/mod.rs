//! Edge authentication for routes marked `auth: {type: jwt}`: the bearer token from the
//! Authorization header is verified (signature against the issuer's JWKS, `typ`, `iss`, `exp`,
//! `aud`, scopes) before the request reaches the upstream. Answers follow RFC 6750 §3.

pub mod jwks;
pub mod jwt;

use crate::config::{AuthConfig, JwtRule};
use crate::problem::Problem;
use crate::url::HttpUrl;
use jwks::{JwksCache, KeyError};
use jwt::TokenError;
use std::time::{SystemTime, UNIX_EPOCH};

pub struct EdgeAuth {
    issuer: String,
    realm: String,
    leeway: f64,
    jwks: JwksCache,
}

/// Who the verified token speaks for.
#[derive(Debug, Clone)]
pub struct Principal {
    pub client_id: Option<String>,
    pub subject: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    /// No bearer credentials at all (or another scheme): challenge without an error code.
    MissingToken,
    InvalidToken(TokenError),
    InsufficientScope(String),
    /// The issuer's keys could not be fetched.
    Unavailable,
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
        })
    }

    pub async fn authorize(
        &self,
        authorization: Option<&[u8]>,
        rule: &JwtRule,
    ) -> Result<Principal, Denial> {
        let token = bearer_token(authorization).ok_or(Denial::MissingToken)?;
        let parsed = jwt::parse(token).map_err(Denial::InvalidToken)?;
        let keys = self
            .jwks
            .keys_for(parsed.kid.as_deref())
            .await
            .map_err(|e| match e {
                KeyError::Unknown => Denial::InvalidToken(TokenError::UnknownKey),
                KeyError::Unavailable => Denial::Unavailable,
            })?;
        if !keys.iter().any(|k| parsed.verify(k)) {
            return Err(Denial::InvalidToken(TokenError::InvalidSignature));
        }
        let claims = parsed.claims().map_err(Denial::InvalidToken)?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        jwt::check_claims(&claims, &self.issuer, &rule.audience, now, self.leeway)
            .map_err(Denial::InvalidToken)?;
        if !rule.scopes.iter().all(|s| claims.has_scope(s)) {
            return Err(Denial::InsufficientScope(rule.scopes.join(" ")));
        }
        Ok(Principal {
            client_id: claims.client_id,
            subject: claims.sub,
        })
    }

    /// The problem+json answer with its `WWW-Authenticate` challenge.
    pub fn problem(&self, denial: &Denial, rule: &JwtRule) -> Problem {
        let mut challenge = format!("Bearer realm=\"{}\"", self.realm);
        let problem = match denial {
            Denial::MissingToken => Problem::new(
                401,
                "missing_token",
                "This resource needs a bearer access token.",
            ),
            Denial::InvalidToken(reason) => {
                challenge.push_str(&format!(
                    ", error=\"invalid_token\", error_description=\"{}\"",
                    reason.describe()
                ));
                Problem::new(401, "invalid_token", reason.describe())
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
        problem.with_header("www-authenticate", challenge)
    }
}

/// `Authorization: Bearer <token>` (scheme case-insensitive). Any other scheme counts as no
/// bearer credentials, which RFC 6750 answers without an error code.
fn bearer_token(header: Option<&[u8]>) -> Option<&str> {
    let value = std::str::from_utf8(header?).ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
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
mod tests {
    use super::*;

    #[test]
    fn bearer_extraction() {
        assert_eq!(
            bearer_token(Some(b"Bearer abc.def.ghi")),
            Some("abc.def.ghi")
        );
        assert_eq!(bearer_token(Some(b"bearer   x")), Some("x"));
        assert_eq!(bearer_token(Some(b"Basic dXNlcjpwYXNz")), None);
        assert_eq!(bearer_token(Some(b"DPoP abc")), None);
        assert_eq!(bearer_token(Some(b"Bearer ")), None);
        assert_eq!(bearer_token(None), None);
    }

    #[test]
    fn metadata_url() {
        assert_eq!(
            resource_metadata_url("http://localhost:8080/test").as_deref(),
            Some("http://localhost:8080/.well-known/oauth-protected-resource/test")
        );
        assert_eq!(
            resource_metadata_url("https://api.example.test").as_deref(),
            Some("https://api.example.test/.well-known/oauth-protected-resource")
        );
        assert_eq!(resource_metadata_url("urn:x"), None);
    }
}
