//! The `auth` section: edge verification of access tokens and DPoP proofs.

use super::defaults;
use super::units::de_duration;
use serde::Deserialize;
use std::time::Duration;

/// Edge verification of RFC 9068 access tokens, used by routes with `auth: {type: jwt}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Required `iss`; the platform's public URL. Env `OAUTH_ISSUER` (else `PUBLIC_URL`) overrides.
    #[serde(default = "defaults::issuer")]
    pub issuer: String,
    /// Where the token issuer's keys are fetched: oauth-service's internal URL. Env `OAUTH_JWKS_URL` overrides.
    #[serde(default = "defaults::jwks_url")]
    pub jwks_url: String,
    /// `realm` of the `WWW-Authenticate` challenge.
    #[serde(default = "defaults::realm")]
    pub realm: String,
    /// How long a fetched key set is used before it is refreshed.
    #[serde(default = "defaults::jwks_cache_ttl", deserialize_with = "de_duration")]
    pub jwks_cache_ttl: Duration,
    /// A token with an unknown `kid` triggers a refetch at most this often, so forged `kid`s
    /// cannot turn the gateway into a request amplifier against oauth-service.
    #[serde(
        default = "defaults::jwks_refetch_interval",
        deserialize_with = "de_duration"
    )]
    pub jwks_min_refetch_interval: Duration,
    /// Timeout of one JWKS fetch.
    #[serde(default = "defaults::jwks_timeout", deserialize_with = "de_duration")]
    pub jwks_timeout: Duration,
    /// Clock skew tolerated on `exp` and `nbf`.
    #[serde(default = "defaults::leeway", deserialize_with = "de_duration")]
    pub leeway: Duration,
    /// The platform's public URL; its origin (scheme, host, port) plus the routed path is the URL
    /// a DPoP proof must name (`htu`). Defaults to the token issuer. Env `PUBLIC_URL` overrides.
    #[serde(default)]
    pub public_url: Option<String>,
    #[serde(default)]
    pub dpop: DpopConfig,
}

/// DPoP proof checks (RFC 9449) for DPoP-bound tokens at the edge.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DpopConfig {
    /// A proof's `iat` may differ from the gateway's clock by at most this, either way.
    #[serde(
        default = "defaults::dpop_iat_window",
        deserialize_with = "de_duration"
    )]
    pub iat_window: Duration,
    /// Proof `jti`s remembered (each for twice `iat_window`); when full of live entries,
    /// proofs are refused with 503 rather than replays allowed.
    #[serde(default = "defaults::dpop_replay_cache_size")]
    pub replay_cache_size: usize,
}
