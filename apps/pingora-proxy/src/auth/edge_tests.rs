//! Edge auth decisions: credentials parsing, DPoP binding rules, challenges.

use super::*;

#[test]
fn credential_extraction() {
    let bearer = |t| Some((Scheme::Bearer, t));
    assert_eq!(
        credentials(Some(b"Bearer abc.def.ghi")),
        bearer("abc.def.ghi")
    );
    assert_eq!(credentials(Some(b"bearer   x")), bearer("x"));
    assert_eq!(credentials(Some(b"Basic dXNlcjpwYXNz")), None);
    assert_eq!(credentials(Some(b"DPoP abc")), Some((Scheme::DPoP, "abc")));
    assert_eq!(credentials(Some(b"dpop abc")), Some((Scheme::DPoP, "abc")));
    assert_eq!(credentials(Some(b"DPoP ")), None);
    assert_eq!(credentials(Some(b"Bearer ")), None);
    assert_eq!(credentials(None), None);
}

fn edge_auth() -> EdgeAuth {
    let config = AuthConfig {
        public_url: Some("https://id.example.test".into()),
        ..AuthConfig::default()
    };
    EdgeAuth::new(&config).unwrap()
}

fn request<'a>(proofs: &[&'a str]) -> AuthRequest<'a> {
    AuthRequest {
        authorization: None,
        dpop: proofs.iter().map(|p| p.as_bytes()).collect(),
        method: "GET",
        path: "/test/api/items",
    }
}

#[test]
fn binding_rules() {
    use dpop::tests::{TestKey, NOW, TOKEN};
    let auth = edge_auth();
    let key = TestKey::p256();
    let jkt = key.thumbprint();
    let bound = Some(jkt.as_str());
    let check = |scheme, bound_key, proofs: &[&str]| {
        auth.check_binding(scheme, TOKEN, bound_key, &request(proofs), NOW)
    };
    // A bound token as a bearer token, with or without a proof alongside.
    let p = key.proof("b1");
    assert_eq!(
        check(Scheme::Bearer, bound, &[]),
        Err(Denial::BoundTokenAsBearer)
    );
    assert_eq!(
        check(Scheme::Bearer, bound, &[&p]),
        Err(Denial::BoundTokenAsBearer)
    );
    assert_eq!(check(Scheme::Bearer, None, &[]), Ok(()));
    // With its own key's proof; then the same proof again.
    assert_eq!(check(Scheme::DPoP, bound, &[&p]), Ok(()));
    assert_eq!(
        check(Scheme::DPoP, bound, &[&p]),
        Err(Denial::InvalidProof(ProofError::Replayed))
    );
    // Another key's (valid) proof.
    let other = TestKey::ed25519().proof("o1");
    assert_eq!(
        check(Scheme::DPoP, bound, &[&other]),
        Err(Denial::InvalidProof(ProofError::WrongKey))
    );
    // An unbound token with the DPoP scheme: any valid proof, but a proof is needed.
    assert_eq!(
        check(Scheme::DPoP, None, &[&TestKey::ed25519().proof("u1")]),
        Ok(())
    );
    let no_proof = Err(Denial::InvalidProof(ProofError::Missing));
    assert_eq!(check(Scheme::DPoP, None, &[]), no_proof);
    let (a, b) = (key.proof("m1"), key.proof("m2"));
    assert_eq!(
        check(Scheme::DPoP, bound, &[&a, &b]),
        Err(Denial::InvalidProof(ProofError::Multiple))
    );
    // The proof names the public URL; a request served at another path does not match it.
    let mut req = request(&[&a]);
    req.path = "/test/api/other";
    assert_eq!(
        auth.check_binding(Scheme::DPoP, TOKEN, bound, &req, NOW),
        Err(Denial::InvalidProof(ProofError::WrongUrl))
    );
}

#[test]
fn challenges_name_the_scheme_used() {
    let auth = edge_auth();
    let rule = JwtRule {
        audience: "https://id.example.test/test".into(),
        scopes: vec![],
    };
    let challenge = |denial, scheme| {
        let p = auth.problem(&Refusal { denial, scheme }, &rule);
        let h = p.headers.iter().find(|(n, _)| *n == "www-authenticate");
        (
            p.status,
            p.code,
            h.map(|(_, v)| v.clone()).unwrap_or_default(),
        )
    };
    let (status, code, h) = challenge(Denial::BoundTokenAsBearer, Scheme::Bearer);
    assert_eq!((status, code), (401, "invalid_token"));
    assert!(
        h.starts_with("DPoP realm=\"platform\", algs=\"ES256 "),
        "{h}"
    );
    assert!(h.contains("error=\"invalid_token\""), "{h}");
    let (_, code, h) = challenge(Denial::InvalidProof(ProofError::Replayed), Scheme::DPoP);
    assert_eq!(code, "invalid_dpop_proof");
    assert!(
        h.starts_with("DPoP ") && h.contains("error=\"invalid_dpop_proof\""),
        "{h}"
    );
    let (_, _, h) = challenge(Denial::MissingToken, Scheme::Bearer);
    assert!(
        h.starts_with("Bearer realm=") && h.contains(", DPoP realm="),
        "{h}"
    );
    assert!(!h.contains("error="), "{h}");
    let (_, _, h) = challenge(Denial::InvalidToken(TokenError::Expired), Scheme::Bearer);
    assert!(h.starts_with("Bearer ") && !h.contains("DPoP"), "{h}");
}

#[test]
fn origins() {
    assert_eq!(
        origin("http://localhost:8080").as_deref(),
        Some("http://localhost:8080")
    );
    assert_eq!(
        origin("https://id.example.test/oauth?x").as_deref(),
        Some("https://id.example.test")
    );
    assert_eq!(origin("localhost"), None);
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
