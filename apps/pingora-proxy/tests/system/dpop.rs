//! DPoP at the edge: a token bound to a key (`cnf.jkt`) passes only with `Authorization: DPoP`
//! and a fresh proof signed by that key for this method and public URL.

use crate::support::jwt::{jwks, now, SigningKey};
use crate::support::*;

const ISSUER: &str = "http://localhost:8080";
const AUDIENCE: &str = "http://localhost:8080/test";
/// The public origin proofs name; deliberately not what the test client sends as `Host`.
const PUBLIC: &str = "https://id.example.test";

struct Setup {
    _idp: Upstream,
    app: Upstream,
    issuer_key: SigningKey,
    gw: Gateway,
}

fn setup() -> Setup {
    let idp = Upstream::start("idp");
    let app = Upstream::start("app");
    let issuer_key = SigningKey::generate("k1");
    idp.set_jwks(&jwks(&[&issuer_key]));
    let yaml = format!(
        "{SERVER}auth:
  issuer: '{ISSUER}'
  jwks_url: 'http://{}/jwks'
  public_url: '{PUBLIC}'
  dpop: {{iat_window: 30s}}
upstreams:\n{}routes:
  - prefix: /test/
    upstream: app
    auth: {{type: jwt, audience: '{AUDIENCE}', scopes: ['test:read']}}
",
        idp.addr(),
        upstream_yaml("app", &[app.addr()], "")
    );
    let gw = Gateway::start(&yaml);
    Setup {
        _idp: idp,
        app,
        issuer_key,
        gw,
    }
}

fn token(s: &Setup, bound_to: Option<&SigningKey>) -> String {
    let mut claims = serde_json::json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "client_id": "spa", "scope": "test:read",
        "iat": now(), "exp": now() + 300, "jti": "at-1"
    });
    if let Some(key) = bound_to {
        claims["cnf"] = serde_json::json!({"jkt": key.thumbprint()});
    }
    s.issuer_key.sign(&claims)
}

fn call(s: &Setup, method: &str, path: &str, authorization: &str, proof: Option<&str>) -> Response {
    let mut req = Req::new(method, path).header("Authorization", authorization);
    if let Some(p) = proof {
        req = req.header("DPoP", p);
    }
    send(s.gw.port, &req).unwrap()
}

fn assert_refused(r: &Response, error: &str, what: &str) {
    assert_eq!(r.status, 401, "{what}: {}", r.text());
    let challenge = r.header("www-authenticate").unwrap_or_default();
    assert!(challenge.starts_with("DPoP "), "{what}: {challenge}");
    assert!(
        challenge.contains(&format!("error=\"{error}\"")),
        "{what}: {challenge}"
    );
    assert!(challenge.contains("algs=\""), "{what}: {challenge}");
}

#[test]
fn a_bound_token_needs_its_keys_proof() {
    let s = setup();
    let client_key = SigningKey::generate("client");
    let at = token(&s, Some(&client_key));
    let url = format!("{PUBLIC}/test/api/items");

    // Stolen and replayed as a bearer token: refused before the upstream.
    let r = call(&s, "GET", "/test/api/items", &format!("Bearer {at}"), None);
    assert_refused(&r, "invalid_token", "bound token as Bearer");
    assert_eq!(r.json()["code"], "invalid_token");

    // The DPoP scheme without a proof, with another key's proof, with a proof for another
    // method, for the URL the Host header would give, or for another token.
    let dpop = format!("DPoP {at}");
    let attacker = SigningKey::generate("attacker");
    let bad = [
        ("no proof", None),
        (
            "another key",
            Some(attacker.dpop_proof("GET", &url, &at, "x1")),
        ),
        (
            "POST proof",
            Some(client_key.dpop_proof("POST", &url, &at, "x2")),
        ),
        (
            "Host-derived htu",
            Some(client_key.dpop_proof("GET", "http://localhost/test/api/items", &at, "x3")),
        ),
        (
            "another token",
            Some(client_key.dpop_proof("GET", &url, "other", "x4")),
        ),
    ];
    for (what, proof) in &bad {
        let r = call(&s, "GET", "/test/api/items", &dpop, proof.as_deref());
        assert_refused(&r, "invalid_dpop_proof", what);
        assert_eq!(r.json()["code"], "invalid_dpop_proof", "{what}");
    }
    assert_eq!(s.app.hits(), 0, "refused requests never reach the upstream");

    // The holder of the key: accepted (the query is not part of htu), token and proof forwarded.
    let proof = client_key.dpop_proof("GET", &url, &at, "ok-1");
    let r = call(&s, "GET", "/test/api/items?page=2", &dpop, Some(&proof));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["headers"]["authorization"], dpop);
    assert_eq!(r.json()["headers"]["dpop"], proof);

    // The same proof a second time is a replay.
    let r = call(&s, "GET", "/test/api/items", &dpop, Some(&proof));
    assert_refused(&r, "invalid_dpop_proof", "replayed proof");
    assert_eq!(s.app.hits(), 1);
}

#[test]
fn an_unbound_token_may_use_either_scheme() {
    let s = setup();
    let at = token(&s, None);
    let r = call(&s, "GET", "/test/x", &format!("Bearer {at}"), None);
    assert_eq!(r.status, 200, "{}", r.text());
    let key = SigningKey::generate("any");
    let proof = key.dpop_proof("GET", &format!("{PUBLIC}/test/x"), &at, "u-1");
    let r = call(&s, "GET", "/test/x", &format!("DPoP {at}"), Some(&proof));
    assert_eq!(r.status, 200, "{}", r.text());
    // With the DPoP scheme the proof is still checked.
    let r = call(&s, "GET", "/test/x", &format!("DPoP {at}"), None);
    assert_refused(&r, "invalid_dpop_proof", "DPoP scheme without proof");
    // No credentials: both schemes are offered.
    let r = send(s.gw.port, &Req::get("/test/x")).unwrap();
    assert_eq!(r.status, 401);
    let challenge = r.header("www-authenticate").unwrap();
    assert!(
        challenge.starts_with("Bearer realm=") && challenge.contains("DPoP realm="),
        "{challenge}"
    );
}
