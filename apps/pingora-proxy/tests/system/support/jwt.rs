//! Test tokens: ES256 access tokens (RFC 9068) signed with a key generated per test, and the
//! matching JWKS.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcKey};
use openssl::ecdsa::EcdsaSig;
use openssl::nid::Nid;
use openssl::pkey::Private;
use std::time::{SystemTime, UNIX_EPOCH};

pub struct SigningKey {
    pub kid: String,
    key: EcKey<Private>,
}

fn b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

impl SigningKey {
    pub fn generate(kid: &str) -> SigningKey {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        SigningKey {
            kid: kid.into(),
            key: EcKey::generate(&group).unwrap(),
        }
    }

    pub fn jwk(&self) -> serde_json::Value {
        let mut ctx = BigNumContext::new().unwrap();
        let (mut x, mut y) = (BigNum::new().unwrap(), BigNum::new().unwrap());
        self.key
            .public_key()
            .affine_coordinates(self.key.group(), &mut x, &mut y, &mut ctx)
            .unwrap();
        serde_json::json!({"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": self.kid,
            "x": b64(&x.to_vec_padded(32).unwrap()), "y": b64(&y.to_vec_padded(32).unwrap())})
    }

    pub fn sign(&self, claims: &serde_json::Value) -> String {
        let header = serde_json::json!({"alg": "ES256", "typ": "at+jwt", "kid": self.kid});
        self.sign_jws(&header, claims)
    }

    /// The public key alone, as a DPoP proof carries it.
    pub fn public_jwk(&self) -> serde_json::Value {
        let jwk = self.jwk();
        serde_json::json!({"kty": "EC", "crv": "P-256", "x": jwk["x"], "y": jwk["y"]})
    }

    /// RFC 7638 thumbprint, the `cnf.jkt` of tokens bound to this key.
    pub fn thumbprint(&self) -> String {
        let jwk = self.jwk();
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            jwk["x"].as_str().unwrap(),
            jwk["y"].as_str().unwrap()
        );
        b64(&openssl::sha::sha256(canonical.as_bytes()))
    }

    /// An RFC 9449 proof for `method htu`, bound to `access_token`.
    pub fn dpop_proof(&self, method: &str, htu: &str, access_token: &str, jti: &str) -> String {
        let header =
            serde_json::json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.public_jwk()});
        let claims = serde_json::json!({"htm": method, "htu": htu, "iat": now(), "jti": jti,
            "ath": b64(&openssl::sha::sha256(access_token.as_bytes()))});
        self.sign_jws(&header, &claims)
    }

    pub fn sign_jws(&self, header: &serde_json::Value, claims: &serde_json::Value) -> String {
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let sig = EcdsaSig::sign(&openssl::sha::sha256(input.as_bytes()), &self.key).unwrap();
        let mut raw = sig.r().to_vec_padded(32).unwrap();
        raw.extend(sig.s().to_vec_padded(32).unwrap());
        format!("{input}.{}", b64(&raw))
    }
}

pub fn jwks(keys: &[&SigningKey]) -> String {
    serde_json::json!({"keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>()}).to_string()
}
