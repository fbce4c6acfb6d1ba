//! RFC 9068 access tokens: compact JWS parsing, ES256/EdDSA signature verification with
//! OpenSSL (already linked for TLS), and the claim checks (`iss`, `exp`, `nbf`, `aud`).

use super::jwks::{Jwk, PublicKey};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openssl::bn::BigNum;
use openssl::ecdsa::EcdsaSig;
use openssl::sha::sha256;
use openssl::sign::Verifier;
use serde::Deserialize;

/// Why a token was refused; mirrors the reasons of packages/auth. Never carries the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Malformed,
    InvalidType,
    UnsupportedAlgorithm,
    UnknownKey,
    InvalidSignature,
    InvalidIssuer,
    InvalidAudience,
    Expired,
    NotYetValid,
    MissingClaim(&'static str),
}

impl TokenError {
    /// The client-facing description (`error_description`-like, kept generic).
    pub fn describe(self) -> &'static str {
        match self {
            TokenError::Malformed => "the access token is malformed",
            TokenError::InvalidType => "the token is not an access token (typ must be at+jwt)",
            TokenError::UnsupportedAlgorithm => "the token's signing algorithm is not accepted",
            TokenError::UnknownKey => "the token was signed with an unknown key",
            TokenError::InvalidSignature => "the token signature is invalid",
            TokenError::InvalidIssuer => "the token was issued by another issuer",
            TokenError::InvalidAudience => "the token is not meant for this resource",
            TokenError::Expired => "the access token expired",
            TokenError::NotYetValid => "the access token is not valid yet",
            TokenError::MissingClaim(_) => "the access token lacks a required claim",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    Es256,
    EdDsa,
}

#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    typ: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, Deserialize)]
pub struct Claims {
    #[serde(default)]
    pub iss: Option<String>,
    #[serde(default)]
    pub sub: Option<String>,
    #[serde(default)]
    pub aud: Option<Audience>,
    #[serde(default)]
    pub exp: Option<f64>,
    #[serde(default)]
    pub nbf: Option<f64>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    /// RFC 9449 §6: a DPoP-bound token names its key's thumbprint in `cnf.jkt`.
    #[serde(default)]
    pub cnf: Option<Confirmation>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Confirmation {
    #[serde(default)]
    pub jkt: Option<String>,
}

impl Claims {
    /// The thumbprint this token is bound to, if it is DPoP-bound.
    pub fn bound_key(&self) -> Option<&str> {
        self.cnf.as_ref().and_then(|c| c.jkt.as_deref())
    }

    pub fn has_scope(&self, wanted: &str) -> bool {
        self.scope
            .as_deref()
            .is_some_and(|s| s.split(' ').any(|have| have == wanted))
    }
}

/// A token whose structure is sound, not yet verified.
pub struct Unverified<'a> {
    pub alg: Alg,
    pub kid: Option<String>,
    signing_input: &'a str,
    signature: Vec<u8>,
    payload: Vec<u8>,
}

/// Upper bound on what is worth decoding; real access tokens are well under 2 KiB.
const MAX_TOKEN_LEN: usize = 16 * 1024;

pub fn parse(token: &str) -> Result<Unverified<'_>, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| TokenError::Malformed)
    };
    let header: RawHeader =
        serde_json::from_slice(&decode(h)?).map_err(|_| TokenError::Malformed)?;
    // RFC 9068 §2.1: typ is "at+jwt" (the "application/" prefix may be present).
    let typ = header.typ.as_deref().map(str::to_ascii_lowercase);
    if !matches!(typ.as_deref(), Some("at+jwt") | Some("application/at+jwt")) {
        return Err(TokenError::InvalidType);
    }
    let alg = match header.alg.as_str() {
        "ES256" => Alg::Es256,
        "EdDSA" => Alg::EdDsa,
        _ => return Err(TokenError::UnsupportedAlgorithm),
    };
    Ok(Unverified {
        alg,
        kid: header.kid,
        signing_input: &token[..h.len() + 1 + p.len()],
        signature: decode(s)?,
        payload: decode(p)?,
    })
}

impl Unverified<'_> {
    /// Checks the signature with `key`; the key's type must suit the token's algorithm.
    pub fn verify(&self, key: &Jwk) -> bool {
        match (&key.key, self.alg) {
            (PublicKey::P256(ec), Alg::Es256) => {
                // JWS ES256 signatures are the raw 32-byte r and s, not DER.
                if self.signature.len() != 64 {
                    return false;
                }
                let (Ok(r), Ok(s)) = (
                    BigNum::from_slice(&self.signature[..32]),
                    BigNum::from_slice(&self.signature[32..]),
                ) else {
                    return false;
                };
                let Ok(sig) = EcdsaSig::from_private_components(r, s) else {
                    return false;
                };
                sig.verify(&sha256(self.signing_input.as_bytes()), ec)
                    .unwrap_or(false)
            }
            (PublicKey::Ed25519(pkey), Alg::EdDsa) => Verifier::new_without_digest(pkey)
                .and_then(|mut v| v.verify_oneshot(&self.signature, self.signing_input.as_bytes()))
                .unwrap_or(false),
            _ => false,
        }
    }

    pub fn claims(&self) -> Result<Claims, TokenError> {
        serde_json::from_slice(&self.payload).map_err(|_| TokenError::Malformed)
    }
}

/// `iss`, `exp`, `nbf` and `aud` against the expectations; `now` in seconds since the epoch.
pub fn check_claims(
    claims: &Claims,
    issuer: &str,
    audience: &str,
    now: f64,
    leeway: f64,
) -> Result<(), TokenError> {
    let iss = claims
        .iss
        .as_deref()
        .ok_or(TokenError::MissingClaim("iss"))?;
    if iss != issuer {
        return Err(TokenError::InvalidIssuer);
    }
    let exp = claims.exp.ok_or(TokenError::MissingClaim("exp"))?;
    if now > exp + leeway {
        return Err(TokenError::Expired);
    }
    if let Some(nbf) = claims.nbf {
        if now + leeway < nbf {
            return Err(TokenError::NotYetValid);
        }
    }
    let ok = match claims.aud.as_ref().ok_or(TokenError::MissingClaim("aud"))? {
        Audience::One(a) => a == audience,
        Audience::Many(list) => list.iter().any(|a| a == audience),
    };
    if !ok {
        return Err(TokenError::InvalidAudience);
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::nid::Nid;
    use openssl::pkey::{PKey, Private};
    use openssl::sign::Signer;

    pub fn b64(data: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(data)
    }

    pub fn es256_key() -> EcKey<Private> {
        EcKey::generate(&EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap()).unwrap()
    }

    /// The JWS signing input: base64url(header) "." base64url(claims).
    fn signing_input(header: &serde_json::Value, claims: &serde_json::Value) -> String {
        format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        )
    }

    pub fn sign_es256(
        key: &EcKey<Private>,
        header: &serde_json::Value,
        claims: &serde_json::Value,
    ) -> String {
        let input = signing_input(header, claims);
        let sig = EcdsaSig::sign(&sha256(input.as_bytes()), key).unwrap();
        let mut raw = sig.r().to_vec_padded(32).unwrap();
        raw.extend(sig.s().to_vec_padded(32).unwrap());
        format!("{input}.{}", b64(&raw))
    }

    pub fn sign_eddsa(
        key: &PKey<Private>,
        header: &serde_json::Value,
        claims: &serde_json::Value,
    ) -> String {
        let input = signing_input(header, claims);
        let sig = Signer::new_without_digest(key)
            .unwrap()
            .sign_oneshot_to_vec(input.as_bytes())
            .unwrap();
        format!("{input}.{}", b64(&sig))
    }

    fn p256_jwk(key: &EcKey<Private>) -> Jwk {
        Jwk {
            kid: Some("k1".into()),
            key: PublicKey::P256(EcKey::from_public_key(key.group(), key.public_key()).unwrap()),
        }
    }

    fn claims() -> serde_json::Value {
        serde_json::json!({"iss": "http://localhost:8080", "aud": "http://localhost:8080/test", "exp": 2_000_000_000u64,
            "client_id": "cli", "scope": "test:read test:write", "sub": "u1"})
    }

    #[test]
    fn es256_round_trip_and_tamper() {
        let key = es256_key();
        let header = serde_json::json!({"alg": "ES256", "typ": "at+jwt", "kid": "k1"});
        let token = sign_es256(&key, &header, &claims());
        let parsed = parse(&token).unwrap();
        assert_eq!(parsed.kid.as_deref(), Some("k1"));
        assert!(parsed.verify(&p256_jwk(&key)));
        assert!(!parsed.verify(&p256_jwk(&es256_key())));
        let c = parsed.claims().unwrap();
        assert!(c.has_scope("test:read") && !c.has_scope("test"));
        check_claims(
            &c,
            "http://localhost:8080",
            "http://localhost:8080/test",
            1_900_000_000.0,
            30.0,
        )
        .unwrap();

        // Another payload under the same signature.
        let other = sign_es256(&key, &header, &serde_json::json!({"scope": "admin:write"}));
        let forged = format!(
            "{}.{}",
            &other[..other.rfind('.').unwrap()],
            token.rsplit('.').next().unwrap()
        );
        assert!(!parse(&forged).unwrap().verify(&p256_jwk(&key)));
    }

    #[test]
    fn eddsa_round_trip() {
        let key = PKey::generate_ed25519().unwrap();
        let raw = key.raw_public_key().unwrap();
        let jwk = Jwk {
            kid: None,
            key: PublicKey::Ed25519(
                PKey::public_key_from_raw_bytes(&raw, openssl::pkey::Id::ED25519).unwrap(),
            ),
        };
        let token = sign_eddsa(
            &key,
            &serde_json::json!({"alg": "EdDSA", "typ": "at+jwt"}),
            &claims(),
        );
        let parsed = parse(&token).unwrap();
        assert_eq!(parsed.alg, Alg::EdDsa);
        assert!(parsed.verify(&jwk));
        assert!(
            !parsed.verify(&p256_jwk(&es256_key())),
            "key type must match the algorithm"
        );
    }

    #[test]
    fn header_checks() {
        let key = es256_key();
        let c = claims();
        let t = sign_es256(&key, &serde_json::json!({"alg": "ES256", "typ": "JWT"}), &c);
        assert_eq!(parse(&t).err(), Some(TokenError::InvalidType));
        let t = sign_es256(
            &key,
            &serde_json::json!({"alg": "HS256", "typ": "at+jwt"}),
            &c,
        );
        assert_eq!(parse(&t).err(), Some(TokenError::UnsupportedAlgorithm));
        let t = sign_es256(
            &key,
            &serde_json::json!({"alg": "none", "typ": "at+jwt"}),
            &c,
        );
        assert_eq!(parse(&t).err(), Some(TokenError::UnsupportedAlgorithm));
        assert_eq!(parse("a.b").err(), Some(TokenError::Malformed));
        assert_eq!(parse("!!.??.**").err(), Some(TokenError::Malformed));
        let t = sign_es256(
            &key,
            &serde_json::json!({"alg": "ES256", "typ": "application/at+JWT"}),
            &c,
        );
        assert!(parse(&t).is_ok());
    }

    #[test]
    fn claim_checks() {
        let base: Claims = serde_json::from_value(claims()).unwrap();
        let iss = "http://localhost:8080";
        let aud = "http://localhost:8080/test";
        let check = |c: &Claims, now: f64| check_claims(c, iss, aud, now, 30.0);
        assert_eq!(check(&base, 2_000_000_031.0), Err(TokenError::Expired));
        assert_eq!(check(&base, 2_000_000_029.0), Ok(()));
        let mut c = base.clone();
        c.iss = Some("http://evil".into());
        assert_eq!(check(&c, 0.0), Err(TokenError::InvalidIssuer));
        let mut c = base.clone();
        c.aud = Some(Audience::Many(vec!["x".into(), aud.into()]));
        assert_eq!(check(&c, 0.0), Ok(()));
        c.aud = Some(Audience::One("http://localhost:8080/kline".into()));
        assert_eq!(check(&c, 0.0), Err(TokenError::InvalidAudience));
        let mut c = base.clone();
        c.nbf = Some(1_000.0);
        assert_eq!(check(&c, 900.0), Err(TokenError::NotYetValid));
        let mut c = base;
        c.exp = None;
        assert_eq!(check(&c, 0.0), Err(TokenError::MissingClaim("exp")));
    }
}
