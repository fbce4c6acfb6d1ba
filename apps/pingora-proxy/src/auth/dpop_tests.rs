//! Proofs signed with OpenSSL-generated keys (P-256, Ed25519, RSA-PSS), one refusal per check.

use super::*;
use crate::auth::jwt::tests::{b64, es256_key, sign_eddsa, sign_es256};
use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::EcKey;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::{Padding, Rsa};
use openssl::sign::{RsaPssSaltlen, Signer};
use serde_json::json;

pub enum TestKey {
    P256(EcKey<Private>),
    Ed25519(PKey<Private>),
    Rsa(PKey<Private>),
}

impl TestKey {
    pub fn p256() -> TestKey {
        TestKey::P256(es256_key())
    }

    pub fn ed25519() -> TestKey {
        TestKey::Ed25519(PKey::generate_ed25519().unwrap())
    }

    pub fn rsa() -> TestKey {
        TestKey::Rsa(PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap())
    }

    pub fn alg(&self) -> &'static str {
        match self {
            TestKey::P256(_) => "ES256",
            TestKey::Ed25519(_) => "EdDSA",
            TestKey::Rsa(_) => "PS256",
        }
    }

    pub fn jwk(&self) -> Value {
        match self {
            TestKey::P256(k) => {
                let mut ctx = BigNumContext::new().unwrap();
                let (mut x, mut y) = (BigNum::new().unwrap(), BigNum::new().unwrap());
                k.public_key()
                    .affine_coordinates(k.group(), &mut x, &mut y, &mut ctx)
                    .unwrap();
                json!({"kty": "EC", "crv": "P-256",
                    "x": b64(&x.to_vec_padded(32).unwrap()), "y": b64(&y.to_vec_padded(32).unwrap())})
            }
            TestKey::Ed25519(k) => {
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&k.raw_public_key().unwrap())})
            }
            TestKey::Rsa(k) => {
                let rsa = k.rsa().unwrap();
                json!({"kty": "RSA", "n": b64(&rsa.n().to_vec()), "e": b64(&rsa.e().to_vec())})
            }
        }
    }

    /// RFC 7638 thumbprint, computed here independently of the code under test.
    pub fn thumbprint(&self) -> String {
        let j = self.jwk();
        let canonical = match self {
            TestKey::P256(_) => format!(
                r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
                j["x"].as_str().unwrap(),
                j["y"].as_str().unwrap()
            ),
            TestKey::Ed25519(_) => format!(
                r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
                j["x"].as_str().unwrap()
            ),
            TestKey::Rsa(_) => format!(
                r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                j["e"].as_str().unwrap(),
                j["n"].as_str().unwrap()
            ),
        };
        b64(&openssl::sha::sha256(canonical.as_bytes()))
    }

    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        match self {
            TestKey::P256(k) => sign_es256(k, header, claims),
            TestKey::Ed25519(k) => sign_eddsa(k, header, claims),
            TestKey::Rsa(k) => {
                let input = format!(
                    "{}.{}",
                    b64(header.to_string().as_bytes()),
                    b64(claims.to_string().as_bytes())
                );
                let mut s = Signer::new(MessageDigest::sha256(), k).unwrap();
                s.set_rsa_padding(Padding::PKCS1_PSS).unwrap();
                s.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH).unwrap();
                s.update(input.as_bytes()).unwrap();
                format!("{input}.{}", b64(&s.sign_to_vec().unwrap()))
            }
        }
    }

    /// A proof for `GET URL` with `TOKEN`, issued at `NOW`, with `jti`.
    pub fn proof(&self, jti: &str) -> String {
        self.sign(&self.header(), &claims(jti))
    }

    pub fn header(&self) -> Value {
        json!({"typ": "dpop+jwt", "alg": self.alg(), "jwk": self.jwk()})
    }
}

pub const URL: &str = "https://id.example.test/test/api/items";
pub const TOKEN: &str = "header.payload.signature";
pub const NOW: f64 = 1_900_000_000.0;

pub fn ath(token: &str) -> String {
    b64(&openssl::sha::sha256(token.as_bytes()))
}

pub fn claims(jti: &str) -> Value {
    json!({"htm": "GET", "htu": URL, "iat": NOW as u64, "jti": jti, "ath": ath(TOKEN)})
}

fn expected() -> Expected<'static> {
    Expected {
        method: "GET",
        url: URL,
        access_token: TOKEN,
        now: NOW,
        iat_window: 60.0,
    }
}

fn check(proof: &str) -> Result<Proof, ProofError> {
    verify(proof, &expected())
}

#[test]
fn valid_proofs_from_each_key_type() {
    for key in [TestKey::p256(), TestKey::ed25519(), TestKey::rsa()] {
        let proof = check(&key.proof("j1")).unwrap_or_else(|e| panic!("{}: {e:?}", key.alg()));
        assert_eq!(proof.jti, "j1");
        assert_eq!(proof.thumbprint, key.thumbprint(), "{}", key.alg());
    }
}

#[test]
fn each_claim_mismatch_is_refused() {
    let key = TestKey::p256();
    let with = |change: &dyn Fn(&mut Value)| {
        let mut c = claims("j1");
        change(&mut c);
        check(&key.sign(&key.header(), &c)).err()
    };
    use ProofError::*;
    assert_eq!(with(&|c| c["htm"] = "POST".into()), Some(WrongMethod));
    assert_eq!(with(&|c| c["htm"] = "get".into()), Some(WrongMethod));
    let other_path = "https://id.example.test/test/api/other";
    assert_eq!(with(&|c| c["htu"] = other_path.into()), Some(WrongUrl));
    let other_host = "https://evil.test/test/api/items";
    assert_eq!(with(&|c| c["htu"] = other_host.into()), Some(WrongUrl));
    let other_scheme = "http://id.example.test/test/api/items";
    assert_eq!(with(&|c| c["htu"] = other_scheme.into()), Some(WrongUrl));
    assert_eq!(
        with(&|c| c["iat"] = (NOW - 61.0).into()),
        Some(StaleOrFuture)
    );
    assert_eq!(
        with(&|c| c["iat"] = (NOW + 61.0).into()),
        Some(StaleOrFuture)
    );
    assert_eq!(
        with(&|c| c["ath"] = ath("another.token.x").into()),
        Some(WrongTokenHash)
    );
    assert_eq!(
        with(&|c| {
            c.as_object_mut().unwrap().remove("ath");
        }),
        Some(WrongTokenHash)
    );
    assert_eq!(with(&|c| c["jti"] = "".into()), Some(Malformed));
    assert_eq!(
        with(&|c| {
            c.as_object_mut().unwrap().remove("jti");
        }),
        Some(Malformed)
    );
    // Equivalent URLs match: query and fragment ignored, case and default port normalised.
    let same = "HTTPS://ID.example.test:443/test/api/./items?x=1#f";
    assert_eq!(with(&|c| c["htu"] = same.into()), None);
    assert_eq!(with(&|c| c["iat"] = (NOW - 59.0).into()), None);
}

#[test]
fn header_and_signature_checks() {
    use ProofError::*;
    let key = TestKey::p256();
    let c = claims("j1");
    let mut h = key.header();
    h["typ"] = "JWT".into();
    assert_eq!(check(&key.sign(&h, &c)).err(), Some(InvalidType));
    h["typ"] = "at+jwt".into();
    assert_eq!(check(&key.sign(&h, &c)).err(), Some(InvalidType));
    h.as_object_mut().unwrap().remove("typ");
    assert_eq!(check(&key.sign(&h, &c)).err(), Some(InvalidType));

    // alg none: no signature at all.
    let mut h = key.header();
    h["alg"] = "none".into();
    let unsigned = format!(
        "{}.{}.",
        b64(h.to_string().as_bytes()),
        b64(c.to_string().as_bytes())
    );
    assert_eq!(check(&unsigned).err(), Some(UnsupportedAlgorithm));
    h["alg"] = "HS256".into();
    assert_eq!(check(&key.sign(&h, &c)).err(), Some(UnsupportedAlgorithm));
    // An algorithm that does not suit the key.
    h["alg"] = "ES384".into();
    assert_eq!(check(&key.sign(&h, &c)).err(), Some(InvalidSignature));

    // Another key's signature under this key's jwk.
    let other = TestKey::p256();
    assert_eq!(
        check(&other.sign(&key.header(), &c)).err(),
        Some(InvalidSignature)
    );
    let other = TestKey::ed25519();
    let mut h = other.header();
    h["jwk"] = TestKey::ed25519().jwk();
    assert_eq!(check(&other.sign(&h, &c)).err(), Some(InvalidSignature));

    // A jwk with private members, or none at all.
    let mut h = key.header();
    h["jwk"]["d"] = "AAAA".into();
    assert_eq!(check(&key.sign(&h, &c)).err(), Some(InvalidKey));
    h.as_object_mut().unwrap().remove("jwk");
    assert_eq!(check(&key.sign(&h, &c)).err(), Some(Malformed));

    assert_eq!(check("a.b").err(), Some(Malformed));
    assert_eq!(check(&"x".repeat(9000)).err(), Some(Malformed));
}

#[test]
fn replayed_jti_is_refused_until_it_expires() {
    let cache = ReplayCache::new(10, Duration::from_secs(60));
    let t0 = Instant::now();
    cache.record("j1", t0).unwrap();
    assert_eq!(
        cache.record("j1", t0 + Duration::from_secs(119)),
        Err(ProofError::Replayed)
    );
    cache.record("j2", t0).unwrap();
    // Past twice the window no proof with that jti passes the iat check anyway.
    cache.record("j1", t0 + Duration::from_secs(121)).unwrap();
}

#[test]
fn a_full_replay_cache_refuses_rather_than_forgets() {
    let cache = ReplayCache::new(2, Duration::from_secs(60));
    let t0 = Instant::now();
    cache.record("a", t0).unwrap();
    cache.record("b", t0).unwrap();
    assert_eq!(cache.record("c", t0), Err(ProofError::CacheFull));
    assert_eq!(cache.record("a", t0), Err(ProofError::Replayed));
    // Once entries expire, a sweep makes room.
    cache.record("c", t0 + Duration::from_secs(121)).unwrap();
}

#[test]
fn url_normalisation() {
    assert_eq!(
        normalize_url("https://A.test:443/x/../y?q#f").as_deref(),
        Some("https://a.test/y")
    );
    assert_eq!(
        normalize_url("http://a.test:8080").as_deref(),
        Some("http://a.test:8080/")
    );
    assert_eq!(normalize_url("ftp://a.test/"), None);
    assert_eq!(normalize_url("https://u@a.test/"), None);
    assert_eq!(normalize_url("/relative"), None);
}
