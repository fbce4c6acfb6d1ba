//! Edge JWT verification for routes marked `auth: {type: jwt}`.

use crate::support::jwt::{jwks, now, SigningKey};
use crate::support::*;
use std::time::Duration;

const ISSUER: &str = "http://localhost:8080";
const AUDIENCE: &str = "http://localhost:8080/test";

struct Setup {
    idp: Upstream,
    app: Upstream,
    key: SigningKey,
    gw: Gateway,
}

fn setup(route_extra: &str) -> Setup {
    let idp = Upstream::start("idp");
    let app = Upstream::start("app");
    let key = SigningKey::generate("k1");
    idp.set_jwks(&jwks(&[&key]));
    let yaml = format!(
        "{SERVER}auth:
  issuer: '{ISSUER}'
  jwks_url: 'http://{}/jwks'
  jwks_min_refetch_interval: 500ms
upstreams:\n{}routes:
  - prefix: /test/
    upstream: app
    auth: {{type: jwt, audience: '{AUDIENCE}', scopes: ['test:read']}}
{route_extra}
  - {{prefix: /public/, upstream: app, auth: none}}
",
        idp.addr(),
        upstream_yaml("app", &[app.addr()], "")
    );
    let gw = Gateway::start(&yaml);
    Setup { idp, app, key, gw }
}

fn claims(scope: &str, exp_offset: i64) -> serde_json::Value {
    serde_json::json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "client_id": "cli-1", "scope": scope,
        "iat": now(), "exp": (now() as i64 + exp_offset), "jti": "j1"
    })
}

fn call(gw: &Gateway, token: Option<&str>) -> Response {
    let mut req = Req::get("/test/api/items");
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    send(gw.port, &req).unwrap()
}

#[test]
fn missing_wrong_scope_expired_and_valid_tokens() {
    let s = setup("");

    let r = call(&s.gw, None);
    assert_eq!(r.status, 401);
    let challenge = r.header("www-authenticate").unwrap();
    assert!(
        challenge.starts_with("Bearer realm=\"platform\""),
        "{challenge}"
    );
    assert!(
        !challenge.contains("error="),
        "no error code without credentials: {challenge}"
    );
    assert!(challenge.contains(
        "resource_metadata=\"http://localhost:8080/.well-known/oauth-protected-resource/test\""
    ));
    assert_eq!(r.json()["code"], "missing_token");
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/problem+json"));

    // Another scheme is no bearer credential either.
    let r = send(
        s.gw.port,
        &Req::get("/test/x").header("Authorization", "Basic dXNlcjpwYXNz"),
    )
    .unwrap();
    assert_eq!(r.status, 401);
    assert!(!r.header("www-authenticate").unwrap().contains("error="));

    let r = call(&s.gw, Some(&s.key.sign(&claims("test:write", 300))));
    assert_eq!(r.status, 403);
    let challenge = r.header("www-authenticate").unwrap();
    assert!(
        challenge.contains("error=\"insufficient_scope\"")
            && challenge.contains("scope=\"test:read\""),
        "{challenge}"
    );
    assert_eq!(r.json()["code"], "insufficient_scope");

    let r = call(&s.gw, Some(&s.key.sign(&claims("test:read", -3600))));
    assert_eq!(r.status, 401);
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("error=\"invalid_token\""));
    assert_eq!(r.json()["code"], "invalid_token");

    assert_eq!(s.app.hits(), 0, "refused requests never reach the upstream");

    let token = s.key.sign(&claims("openid test:read test:write", 300));
    let r = call(&s.gw, Some(&token));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(s.app.hits(), 1);
    // The service still gets the token, to verify it itself.
    assert_eq!(
        r.json()["headers"]["authorization"],
        format!("Bearer {token}")
    );
    // Routes without auth are untouched.
    assert_eq!(get(s.gw.port, "/public/x").unwrap().status, 200);
}

#[test]
fn forged_misdirected_and_misplaced_tokens_are_refused() {
    let s = setup("");
    let bad_cases = [
        ("another issuer", {
            let mut c = claims("test:read", 300);
            c["iss"] = "http://evil.example".into();
            s.key.sign(&c)
        }),
        ("another audience", {
            let mut c = claims("test:read", 300);
            c["aud"] = "http://localhost:8080/kline".into();
            s.key.sign(&c)
        }),
        (
            "another key, same kid",
            SigningKey::generate("k1").sign(&claims("test:read", 300)),
        ),
        ("not a JWT", "not-a-token".to_string()),
    ];
    for (what, token) in bad_cases {
        let r = call(&s.gw, Some(&token));
        assert_eq!(r.status, 401, "{what}");
        assert!(
            r.header("www-authenticate")
                .unwrap()
                .contains("error=\"invalid_token\""),
            "{what}"
        );
    }
    // A path that resolves into the protected prefix is routed (and authorized) as that prefix.
    for trick in ["/public/../test/x", "/public/%2e%2e/test/x", "//test/x"] {
        assert_eq!(get(s.gw.port, trick).unwrap().status, 401, "{trick}");
    }
    // Only the Authorization header counts.
    let token = s.key.sign(&claims("test:read", 300));
    assert_eq!(
        get(s.gw.port, &format!("/test/x?access_token={token}"))
            .unwrap()
            .status,
        401
    );
    assert_eq!(s.app.hits(), 0);
}

#[test]
fn key_rotation_refetches_the_jwks_at_a_bounded_rate() {
    let s = setup("");
    assert_eq!(
        call(&s.gw, Some(&s.key.sign(&claims("test:read", 300)))).status,
        200
    );
    let fetches = s.idp.jwks_hits();
    assert_eq!(fetches, 1, "one fetch for the first token");

    // Unknown kids: refetches are bounded (jwks_min_refetch_interval 500 ms), not one per request.
    std::thread::sleep(Duration::from_millis(600));
    for i in 0..20 {
        let rogue = SigningKey::generate(&format!("rogue-{i}"));
        assert_eq!(
            call(&s.gw, Some(&rogue.sign(&claims("test:read", 300)))).status,
            401
        );
    }
    let after_flood = s.idp.jwks_hits();
    assert!(
        after_flood - fetches <= 2,
        "{} fetches for 20 unknown kids",
        after_flood - fetches
    );

    // A rotated-in key is picked up once the refetch interval allows.
    let k2 = SigningKey::generate("k2");
    s.idp.set_jwks(&jwks(&[&s.key, &k2]));
    std::thread::sleep(Duration::from_millis(600));
    let r = call(&s.gw, Some(&k2.sign(&claims("test:read", 300))));
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn rate_limit_per_client_id() {
    let s = setup("    rate_limit: {requests: 3, window: 30s, key: client}");
    let token_for = |client: &str| {
        let mut c = claims("test:read", 300);
        c["client_id"] = client.into();
        s.key.sign(&c)
    };
    let (a, b) = (token_for("client-a"), token_for("client-b"));
    for _ in 0..3 {
        assert_eq!(call(&s.gw, Some(&a)).status, 200);
    }
    let r = call(&s.gw, Some(&a));
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("30"));
    assert_eq!(
        call(&s.gw, Some(&b)).status,
        200,
        "another client has its own budget"
    );
}
