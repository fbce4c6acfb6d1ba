//! The issuer's JWKS: parsed into OpenSSL public keys, cached for `jwks_cache_ttl`, refetched
//! when a token names an unknown `kid` (key rotation) at most once per
//! `jwks_min_refetch_interval`, so forged `kid`s cannot flood oauth-service.

use crate::http_fetch::Fetcher;
use crate::url::HttpUrl;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Public};
use serde::Deserialize;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

pub enum PublicKey {
    P256(EcKey<Public>),
    Ed25519(PKey<Public>),
}

pub struct Jwk {
    pub kid: Option<String>,
    pub key: PublicKey,
}

#[derive(Deserialize)]
struct RawSet {
    keys: Vec<RawKey>,
}

#[derive(Deserialize)]
struct RawKey {
    kty: String,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    y: Option<String>,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default, rename = "use")]
    usage: Option<String>,
}

/// Signature keys of the types the gateway verifies (EC P-256, OKP Ed25519); others are skipped,
/// so a JWKS that also publishes RSA or encryption keys still works.
pub fn parse_jwks(json: &[u8]) -> Result<Vec<Jwk>, String> {
    let set: RawSet = serde_json::from_slice(json).map_err(|e| format!("not a JWKS: {e}"))?;
    let mut keys = Vec::new();
    for raw in set.keys {
        if raw.usage.as_deref().is_some_and(|u| u != "sig") {
            continue;
        }
        let decode = |v: &Option<String>| v.as_deref().and_then(|v| URL_SAFE_NO_PAD.decode(v).ok());
        let key = match (raw.kty.as_str(), raw.crv.as_deref()) {
            ("EC", Some("P-256")) => {
                let (Some(x), Some(y)) = (decode(&raw.x), decode(&raw.y)) else {
                    continue;
                };
                match p256(&x, &y) {
                    Some(k) => PublicKey::P256(k),
                    None => continue,
                }
            }
            ("OKP", Some("Ed25519")) => {
                let Some(x) = decode(&raw.x) else { continue };
                match PKey::public_key_from_raw_bytes(&x, Id::ED25519) {
                    Ok(k) => PublicKey::Ed25519(k),
                    Err(_) => continue,
                }
            }
            _ => continue,
        };
        keys.push(Jwk { kid: raw.kid, key });
    }
    Ok(keys)
}

fn p256(x: &[u8], y: &[u8]) -> Option<EcKey<Public>> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).ok()?;
    let (x, y) = (BigNum::from_slice(x).ok()?, BigNum::from_slice(y).ok()?);
    let key = EcKey::from_public_key_affine_coordinates(&group, &x, &y).ok()?;
    // from_public_key_affine_coordinates already rejects points off the curve; double-check.
    key.check_key().ok()?;
    Some(key)
}

pub enum KeyError {
    /// The key set loaded, but no key fits the token.
    Unknown,
    /// No key set could be fetched: the token may be fine, the gateway cannot tell.
    Unavailable,
}

struct Snapshot {
    keys: Arc<Vec<Arc<Jwk>>>,
    fetched_at: Option<Instant>,
}

pub struct JwksCache {
    url: HttpUrl,
    ttl: Duration,
    min_refetch: Duration,
    timeout: Duration,
    fetcher: Fetcher,
    current: RwLock<Snapshot>,
    last_attempt: Mutex<Option<Instant>>,
    /// Serializes fetches: concurrent requests with a new `kid` share one fetch.
    fetch_lock: tokio::sync::Mutex<()>,
}

const MAX_JWKS_BYTES: usize = 1 << 20;

impl JwksCache {
    pub fn new(url: HttpUrl, ttl: Duration, min_refetch: Duration, timeout: Duration) -> JwksCache {
        JwksCache {
            url,
            ttl,
            min_refetch,
            timeout,
            fetcher: Fetcher::default(),
            current: RwLock::new(Snapshot {
                keys: Arc::new(Vec::new()),
                fetched_at: None,
            }),
            last_attempt: Mutex::new(None),
            fetch_lock: tokio::sync::Mutex::new(()),
        }
    }

    fn snapshot(&self) -> (Arc<Vec<Arc<Jwk>>>, Option<Instant>) {
        let s = self.current.read().unwrap_or_else(|p| p.into_inner());
        (s.keys.clone(), s.fetched_at)
    }

    /// Candidate keys for a token: the one with its `kid`, or every key when it has none.
    pub async fn keys_for(&self, kid: Option<&str>) -> Result<Vec<Arc<Jwk>>, KeyError> {
        let (keys, fetched_at) = self.snapshot();
        let fresh = fetched_at.is_some_and(|t| t.elapsed() < self.ttl);
        let found = select(&keys, kid);
        if fresh && !found.is_empty() {
            return Ok(found);
        }
        // Stale, never loaded, or an unknown kid: refetch if the rate bound allows.
        if self.may_fetch() {
            let _guard = self.fetch_lock.lock().await;
            // Someone may have fetched while this request waited for the lock.
            let (_, now_fetched) = self.snapshot();
            if now_fetched == fetched_at && self.may_fetch() {
                self.fetch().await;
            }
        }
        let (keys, fetched_at) = self.snapshot();
        let found = select(&keys, kid);
        match (found.is_empty(), fetched_at) {
            (false, _) => Ok(found),
            (true, Some(_)) => Err(KeyError::Unknown),
            (true, None) => Err(KeyError::Unavailable),
        }
    }

    fn may_fetch(&self) -> bool {
        self.last_attempt
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none_or(|t| t.elapsed() >= self.min_refetch)
    }

    async fn fetch(&self) {
        *self.last_attempt.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        let result = match self
            .fetcher
            .get(&self.url, self.timeout, MAX_JWKS_BYTES)
            .await
        {
            Ok((200, body)) => parse_jwks(&body),
            Ok((status, _)) => Err(format!("answered {status}")),
            Err(e) => Err(e),
        };
        match result {
            Ok(keys) => {
                log::info!(
                    "JWKS loaded from {}: {} usable key(s)",
                    self.url.authority(),
                    keys.len()
                );
                let keys = Arc::new(keys.into_iter().map(Arc::new).collect());
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = Snapshot {
                    keys,
                    fetched_at: Some(Instant::now()),
                };
            }
            // Keep the previous keys: a stale key set beats none while oauth-service restarts.
            Err(e) => log::warn!(
                "JWKS fetch from {}{} failed: {e}",
                self.url.authority(),
                self.url.path
            ),
        }
    }
}

fn select(keys: &[Arc<Jwk>], kid: Option<&str>) -> Vec<Arc<Jwk>> {
    match kid {
        Some(kid) => keys
            .iter()
            .filter(|k| k.kid.as_deref() == Some(kid))
            .cloned()
            .collect(),
        None => keys.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::bn::BigNumContext;

    #[test]
    fn parses_ec_and_okp_and_skips_the_rest() {
        let ec = crate::auth::jwt::tests::es256_key();
        let mut ctx = BigNumContext::new().unwrap();
        let (mut x, mut y) = (BigNum::new().unwrap(), BigNum::new().unwrap());
        ec.public_key()
            .affine_coordinates(ec.group(), &mut x, &mut y, &mut ctx)
            .unwrap();
        let ed = PKey::generate_ed25519().unwrap();
        let b64 = crate::auth::jwt::tests::b64;
        let jwks = serde_json::json!({"keys": [
            {"kty": "EC", "crv": "P-256", "kid": "ec1", "alg": "ES256", "use": "sig",
             "x": b64(&x.to_vec_padded(32).unwrap()), "y": b64(&y.to_vec_padded(32).unwrap())},
            {"kty": "OKP", "crv": "Ed25519", "kid": "ed1", "x": b64(&ed.raw_public_key().unwrap())},
            {"kty": "RSA", "kid": "rsa1", "n": "AQAB", "e": "AQAB"},
            {"kty": "EC", "crv": "P-256", "kid": "enc", "use": "enc", "x": "AA", "y": "AA"},
            {"kty": "EC", "crv": "P-256", "kid": "bad", "x": "AA", "y": "AA"}
        ]});
        let keys = parse_jwks(jwks.to_string().as_bytes()).unwrap();
        let kids: Vec<_> = keys.iter().map(|k| k.kid.as_deref().unwrap()).collect();
        assert_eq!(kids, ["ec1", "ed1"]);
        assert!(parse_jwks(b"{}").is_err());
    }
}
