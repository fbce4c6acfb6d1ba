//! DPoP proofs (RFC 9449 §4.3): the checks a resource server makes on the `DPoP` header sent
//! with `Authorization: DPoP <token>`, and the replay cache of proof `jti`s. A proof shows that
//! the caller holds the private key the token is bound to (`cnf.jkt`), for this method and URL,
//! now, once.

use super::dpop_key::{self, ProofAlg};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Why a proof was refused. Never carries the proof or the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofError {
    Missing,
    Multiple,
    Malformed,
    InvalidType,
    UnsupportedAlgorithm,
    InvalidKey,
    InvalidSignature,
    WrongMethod,
    WrongUrl,
    StaleOrFuture,
    Replayed,
    WrongTokenHash,
    WrongKey,
    /// The replay cache is full of live entries: the proof cannot be checked for reuse.
    CacheFull,
}

impl ProofError {
    pub fn describe(self) -> &'static str {
        match self {
            ProofError::Missing => "a DPoP proof header is required with the DPoP scheme",
            ProofError::Multiple => "exactly one DPoP proof header is allowed",
            ProofError::Malformed => "the DPoP proof is malformed",
            ProofError::InvalidType => "the DPoP proof's typ must be dpop+jwt",
            ProofError::UnsupportedAlgorithm => "the DPoP proof's algorithm is not accepted",
            ProofError::InvalidKey => "the DPoP proof's jwk is not an accepted public key",
            ProofError::InvalidSignature => "the DPoP proof's signature is invalid",
            ProofError::WrongMethod => "the DPoP proof's htm does not match the request method",
            ProofError::WrongUrl => "the DPoP proof's htu does not match the request URL",
            ProofError::StaleOrFuture => "the DPoP proof's iat is outside the accepted window",
            ProofError::Replayed => "the DPoP proof was already used",
            ProofError::WrongTokenHash => "the DPoP proof's ath does not match the access token",
            ProofError::WrongKey => {
                "the DPoP proof was not signed by the key the token is bound to"
            }
            ProofError::CacheFull => "DPoP proofs cannot be checked right now; retry shortly",
        }
    }
}

/// Proofs are a few hundred bytes (an RSA key makes them bigger); anything huge is refused unread.
const MAX_PROOF_LEN: usize = 8 * 1024;
const MAX_JTI_LEN: usize = 256;

#[derive(Deserialize)]
struct Header {
    typ: Option<String>,
    alg: String,
    jwk: Map<String, Value>,
}

#[derive(Deserialize)]
struct Claims {
    htm: String,
    htu: String,
    iat: f64,
    jti: String,
    #[serde(default)]
    ath: Option<String>,
}

/// What the proof must match: the request and the token it comes with.
pub struct Expected<'a> {
    pub method: &'a str,
    /// The request URL as the gateway serves it: public origin + routed path.
    pub url: &'a str,
    pub access_token: &'a str,
    /// Seconds since the epoch.
    pub now: f64,
    pub iat_window: f64,
}

/// A proof that passed every stateless check; its `jti` is still to be recorded.
#[derive(Debug)]
pub struct Proof {
    pub jti: String,
    /// RFC 7638 thumbprint of the proof key, to compare with the token's `cnf.jkt`.
    pub thumbprint: String,
}

fn decode_json<T: serde::de::DeserializeOwned>(part: &str) -> Result<T, ProofError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| ProofError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| ProofError::Malformed)
}

/// Every stateless check of RFC 9449 §4.3 (the `jti` replay check is [`ReplayCache`]'s).
pub fn verify(proof: &str, expected: &Expected) -> Result<Proof, ProofError> {
    if proof.len() > MAX_PROOF_LEN {
        return Err(ProofError::Malformed);
    }
    let mut parts = proof.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ProofError::Malformed);
    };
    let header: Header = decode_json(h)?;
    if !header
        .typ
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("dpop+jwt"))
    {
        return Err(ProofError::InvalidType);
    }
    let alg = ProofAlg::parse(&header.alg).ok_or(ProofError::UnsupportedAlgorithm)?;
    let key = dpop_key::from_jwk(&header.jwk).ok_or(ProofError::InvalidKey)?;
    let signature = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| ProofError::Malformed)?;
    if !key.verify(alg, &proof.as_bytes()[..h.len() + 1 + p.len()], &signature) {
        return Err(ProofError::InvalidSignature);
    }
    let claims: Claims = decode_json(p)?;
    if claims.htm != expected.method {
        return Err(ProofError::WrongMethod);
    }
    match (normalize_url(&claims.htu), normalize_url(expected.url)) {
        (Some(got), Some(want)) if got == want => {}
        _ => return Err(ProofError::WrongUrl),
    }
    if !claims.iat.is_finite() || (expected.now - claims.iat).abs() > expected.iat_window {
        return Err(ProofError::StaleOrFuture);
    }
    if claims.jti.is_empty() || claims.jti.len() > MAX_JTI_LEN {
        return Err(ProofError::Malformed);
    }
    let ath = URL_SAFE_NO_PAD.encode(openssl::sha::sha256(expected.access_token.as_bytes()));
    if claims.ath.as_deref() != Some(ath.as_str()) {
        return Err(ProofError::WrongTokenHash);
    }
    Ok(Proof {
        jti: claims.jti,
        thumbprint: key.thumbprint,
    })
}

/// `htu` as RFC 9449 §4.3 compares it: without query and fragment, scheme and host lower-cased,
/// the default port dropped, the path normalised as the gateway routes paths. `None` when it is
/// not an http(s) URL.
pub fn normalize_url(url: &str) -> Option<String> {
    let url = url.split(['?', '#']).next()?;
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => return None,
    };
    let (authority, path) = rest.find('/').map_or((rest, "/"), |i| rest.split_at(i));
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let authority = authority.to_ascii_lowercase();
    let authority = authority.strip_suffix(default_port).unwrap_or(&authority);
    let path = crate::path::normalize(path).ok()?;
    Some(format!("{scheme}://{authority}{path}"))
}

/// The `jti`s of accepted proofs, each kept as long as a proof with it could still pass the
/// `iat` check, in a bounded map: a full cache refuses proofs rather than forget live entries
/// (forgetting would let a captured proof be replayed).
pub struct ReplayCache {
    inner: Mutex<Seen>,
    capacity: usize,
    ttl: Duration,
}

struct Seen {
    expiry: HashMap<String, Instant>,
    last_purge: Option<Instant>,
}

/// A full cache is swept of expired entries at most this often, so a flood cannot make every
/// request pay for a sweep.
const PURGE_INTERVAL: Duration = Duration::from_secs(1);

impl ReplayCache {
    /// `iat_window` either side of now: an entry lives twice the window.
    pub fn new(capacity: usize, iat_window: Duration) -> ReplayCache {
        ReplayCache {
            inner: Mutex::new(Seen {
                expiry: HashMap::new(),
                last_purge: None,
            }),
            capacity,
            ttl: iat_window * 2,
        }
    }

    /// Records `jti`; refuses one already recorded and still live.
    pub fn record(&self, jti: &str, now: Instant) -> Result<(), ProofError> {
        let mut seen = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if seen.expiry.get(jti).is_some_and(|expires| *expires > now) {
            return Err(ProofError::Replayed);
        }
        if seen.expiry.len() >= self.capacity {
            let may_purge = seen
                .last_purge
                .is_none_or(|t| now.saturating_duration_since(t) >= PURGE_INTERVAL);
            if may_purge {
                seen.expiry.retain(|_, expires| *expires > now);
                seen.last_purge = Some(now);
            }
            if seen.expiry.len() >= self.capacity {
                return Err(ProofError::CacheFull);
            }
        }
        seen.expiry.insert(jti.to_string(), now + self.ttl);
        Ok(())
    }
}

#[cfg(test)]
#[path = "dpop_tests.rs"]
pub(crate) mod tests;
