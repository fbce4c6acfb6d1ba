//! The public key a DPoP proof carries in its `jwk` header: parsed into an OpenSSL key, its
//! signature checked with OpenSSL, and its RFC 7638 thumbprint (what `cnf.jkt` binds a token to).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::ecdsa::EcdsaSig;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Public};
use openssl::rsa::{Padding, Rsa};
use openssl::sign::{RsaPssSaltlen, Verifier};
use serde_json::{Map, Value};

/// Asymmetric JWS algorithms a proof may use (`none` and the HMAC ones never: a proof shows
/// possession of a private key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofAlg {
    Es256,
    Es384,
    Es512,
    EdDsa,
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Ps384,
    Ps512,
}

/// For the `algs` parameter of the `WWW-Authenticate: DPoP` challenge.
pub const SUPPORTED_ALGS: &str = "ES256 ES384 ES512 EdDSA RS256 RS384 RS512 PS256 PS384 PS512";

/// RSA moduli accepted, in bits: no weak keys, and no huge ones that make each check costly.
const RSA_BITS: std::ops::RangeInclusive<i32> = 2048..=8192;
/// A larger public exponent would make verification as slow as signing (65537 has 17 bits).
const MAX_RSA_EXPONENT_BITS: i32 = 32;

/// JWK members that only a private (or symmetric) key has.
const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

impl ProofAlg {
    pub fn parse(name: &str) -> Option<ProofAlg> {
        Some(match name {
            "ES256" => ProofAlg::Es256,
            "ES384" => ProofAlg::Es384,
            "ES512" => ProofAlg::Es512,
            "EdDSA" => ProofAlg::EdDsa,
            "RS256" => ProofAlg::Rs256,
            "RS384" => ProofAlg::Rs384,
            "RS512" => ProofAlg::Rs512,
            "PS256" => ProofAlg::Ps256,
            "PS384" => ProofAlg::Ps384,
            "PS512" => ProofAlg::Ps512,
            _ => return None,
        })
    }

    fn digest(self) -> Option<MessageDigest> {
        use ProofAlg::*;
        match self {
            Es256 | Rs256 | Ps256 => Some(MessageDigest::sha256()),
            Es384 | Rs384 | Ps384 => Some(MessageDigest::sha384()),
            Es512 | Rs512 | Ps512 => Some(MessageDigest::sha512()),
            EdDsa => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// EC with the byte length of one coordinate (32, 48, 66).
    Ec(usize),
    Ed25519,
    Rsa,
}

pub struct ProofKey {
    pkey: PKey<Public>,
    kind: Kind,
    /// RFC 7638 SHA-256 thumbprint, base64url.
    pub thumbprint: String,
}

fn member<'a>(jwk: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    jwk.get(name).and_then(Value::as_str)
}

fn decode(jwk: &Map<String, Value>, name: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(member(jwk, name)?).ok()
}

/// RFC 7638: the required members in lexicographic order, no whitespace, then SHA-256.
fn thumbprint(members: &[(&str, &str)]) -> String {
    let body: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("\"{k}\":{}", Value::String((*v).to_string())))
        .collect();
    let canonical = format!("{{{}}}", body.join(","));
    URL_SAFE_NO_PAD.encode(openssl::sha::sha256(canonical.as_bytes()))
}

/// A public key from a proof's `jwk` header; `None` when it is not one the gateway can verify
/// or carries private members.
pub fn from_jwk(jwk: &Map<String, Value>) -> Option<ProofKey> {
    if PRIVATE_MEMBERS.iter().any(|m| jwk.contains_key(*m)) {
        return None;
    }
    match member(jwk, "kty")? {
        "EC" => ec_key(jwk),
        "OKP" => okp_key(jwk),
        "RSA" => rsa_key(jwk),
        _ => None,
    }
}

fn ec_key(jwk: &Map<String, Value>) -> Option<ProofKey> {
    let crv = member(jwk, "crv")?;
    let (nid, len) = match crv {
        "P-256" => (Nid::X9_62_PRIME256V1, 32),
        "P-384" => (Nid::SECP384R1, 48),
        "P-521" => (Nid::SECP521R1, 66),
        _ => return None,
    };
    let (x, y) = (decode(jwk, "x")?, decode(jwk, "y")?);
    if x.len() != len || y.len() != len {
        return None;
    }
    let group = EcGroup::from_curve_name(nid).ok()?;
    let (x, y) = (BigNum::from_slice(&x).ok()?, BigNum::from_slice(&y).ok()?);
    let key = EcKey::from_public_key_affine_coordinates(&group, &x, &y).ok()?;
    key.check_key().ok()?;
    Some(ProofKey {
        pkey: PKey::from_ec_key(key).ok()?,
        kind: Kind::Ec(len),
        thumbprint: thumbprint(&[
            ("crv", crv),
            ("kty", "EC"),
            ("x", member(jwk, "x")?),
            ("y", member(jwk, "y")?),
        ]),
    })
}

fn okp_key(jwk: &Map<String, Value>) -> Option<ProofKey> {
    if member(jwk, "crv")? != "Ed25519" {
        return None;
    }
    let pkey = PKey::public_key_from_raw_bytes(&decode(jwk, "x")?, Id::ED25519).ok()?;
    Some(ProofKey {
        pkey,
        kind: Kind::Ed25519,
        thumbprint: thumbprint(&[("crv", "Ed25519"), ("kty", "OKP"), ("x", member(jwk, "x")?)]),
    })
}

fn rsa_key(jwk: &Map<String, Value>) -> Option<ProofKey> {
    let n = BigNum::from_slice(&decode(jwk, "n")?).ok()?;
    let e = BigNum::from_slice(&decode(jwk, "e")?).ok()?;
    if !RSA_BITS.contains(&n.num_bits()) || e.num_bits() > MAX_RSA_EXPONENT_BITS {
        return None;
    }
    let rsa = Rsa::from_public_components(n, e).ok()?;
    Some(ProofKey {
        pkey: PKey::from_rsa(rsa).ok()?,
        kind: Kind::Rsa,
        thumbprint: thumbprint(&[
            ("e", member(jwk, "e")?),
            ("kty", "RSA"),
            ("n", member(jwk, "n")?),
        ]),
    })
}

impl ProofKey {
    /// Whether `signature` over `input` is valid for `alg` with this key; the key's type must
    /// suit the algorithm.
    pub fn verify(&self, alg: ProofAlg, input: &[u8], signature: &[u8]) -> bool {
        use ProofAlg::*;
        let suits = matches!(
            (self.kind, alg),
            (Kind::Ec(32), Es256)
                | (Kind::Ec(48), Es384)
                | (Kind::Ec(66), Es512)
                | (Kind::Ed25519, EdDsa)
                | (Kind::Rsa, Rs256 | Rs384 | Rs512 | Ps256 | Ps384 | Ps512)
        );
        suits && self.check(alg, input, signature).unwrap_or(false)
    }

    fn check(
        &self,
        alg: ProofAlg,
        input: &[u8],
        signature: &[u8],
    ) -> Result<bool, openssl::error::ErrorStack> {
        let Some(md) = alg.digest() else {
            return Verifier::new_without_digest(&self.pkey)?.verify_oneshot(signature, input);
        };
        let mut verifier = Verifier::new(md, &self.pkey)?;
        match (self.kind, alg) {
            (Kind::Ec(len), _) => {
                // JWS carries ECDSA signatures as raw r || s; OpenSSL wants DER.
                if signature.len() != 2 * len {
                    return Ok(false);
                }
                let r = BigNum::from_slice(&signature[..len])?;
                let s = BigNum::from_slice(&signature[len..])?;
                let der = EcdsaSig::from_private_components(r, s)?.to_der()?;
                verifier.update(input)?;
                verifier.verify(&der)
            }
            (_, ProofAlg::Ps256 | ProofAlg::Ps384 | ProofAlg::Ps512) => {
                verifier.set_rsa_padding(Padding::PKCS1_PSS)?;
                verifier.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)?;
                verifier.set_rsa_mgf1_md(md)?;
                verifier.update(input)?;
                verifier.verify(signature)
            }
            _ => {
                verifier.set_rsa_padding(Padding::PKCS1)?;
                verifier.update(input)?;
                verifier.verify(signature)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7638_example_thumbprint() {
        // RFC 7638 §3.1's RSA example key and its published thumbprint.
        let jwk: Map<String, Value> = serde_json::from_str(r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#).unwrap();
        let key = from_jwk(&jwk).unwrap();
        assert_eq!(
            key.thumbprint,
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn private_and_unknown_keys_are_refused() {
        let with = |v: Value| from_jwk(v.as_object().unwrap()).is_none();
        assert!(with(serde_json::json!({"kty": "oct", "k": "c2VjcmV0"})));
        assert!(with(
            serde_json::json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"})
        ));
        assert!(with(
            serde_json::json!({"kty": "OKP", "crv": "X25519", "x": "AAAA"})
        ));
        assert!(
            with(serde_json::json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"})),
            "tiny modulus"
        );
        let n = URL_SAFE_NO_PAD.encode([0xffu8; 256]);
        let huge_e = URL_SAFE_NO_PAD.encode([0x01u8; 8]);
        assert!(
            with(serde_json::json!({"kty": "RSA", "n": n, "e": huge_e})),
            "huge exponent"
        );
        let n = URL_SAFE_NO_PAD.encode([0xffu8; 1025]);
        assert!(
            with(serde_json::json!({"kty": "RSA", "n": n, "e": "AQAB"})),
            "huge modulus"
        );
    }
}
