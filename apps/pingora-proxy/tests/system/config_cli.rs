//! The configuration files shipped in config/ and the `--validate` command line.

use crate::support::*;
use gateway::config::Config;
use gateway::routing::Router;
use std::path::Path;

fn shipped_configs() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 2,
        "expected default.yaml and production.yaml in {}",
        dir.display()
    );
    files
}

#[test]
fn every_shipped_config_file_validates() {
    for file in shipped_configs() {
        Config::load(&file, &|_| None).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let (status, stdout, stderr) =
            run_binary(&["--config", file.to_str().unwrap(), "--validate"], &[]);
        assert!(status.success(), "{}: {stdout}{stderr}", file.display());
        assert!(stdout.contains("is valid"), "{stdout}");
    }
}

#[test]
fn validate_on_a_broken_file_names_the_key_and_fails() {
    let dir = scratch_dir();
    let cases = [
        ("upstreams:\n  - name: a\n    servers: ['127.0.0.1:1']\n    health_check: {interval: 'often'}\n", "upstreams[0].health_check.interval"),
        ("upstreams:\n  - name: a\n    servers: ['127.0.0.1:1']\n    health_check: {intervall: 5}\n", "upstreams[0].health_check.intervall"),
        ("upstreams:\n  - name: a\n    servers: ['127.0.0.1:1']\nroutes:\n  - {prefix: /x/, upstream: b}\n", "routes[0].upstream"),
        ("server:\n  tls: {enabled: true, cert_file: a, key_file: b, protocols: [TLSv1.1]}\n", "server.tls.protocols[0]"),
    ];
    for (i, (yaml, key)) in cases.iter().enumerate() {
        let file = dir.join(format!("broken-{i}.yaml"));
        std::fs::write(&file, yaml).unwrap();
        // Both spellings of the flag: --validate and -t.
        for flag in ["--validate", "-t"] {
            let (status, stdout, stderr) =
                run_binary(&["--config", file.to_str().unwrap(), flag], &[]);
            assert!(!status.success(), "{yaml} should be refused");
            assert!(stderr.contains(key), "expected {key} in: {stdout}{stderr}");
        }
    }
    let (status, _, stderr) = run_binary(
        &["--config", dir.join("missing.yaml").to_str().unwrap(), "-t"],
        &[],
    );
    assert!(
        !status.success() && stderr.contains("missing.yaml"),
        "{stderr}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn config_path_and_servers_come_from_the_environment() {
    // PINGORA_CONFIG picks the file when --config is absent.
    let (status, stdout, stderr) = run_binary(
        &["--validate"],
        &[("PINGORA_CONFIG", "config/production.yaml")],
    );
    assert!(
        status.success() && stdout.contains("production.yaml"),
        "{stdout}{stderr}"
    );
    // The runbook's scale-out variables, and a broken one.
    let (status, _, stderr) = run_binary(
        &["-t"],
        &[
            ("UPSTREAM_OAUTH_1", "oauth-service-1:3001"),
            ("UPSTREAM_OAUTH_2", "oauth-service-2:3001"),
        ],
    );
    assert!(status.success(), "{stderr}");
    let (status, _, stderr) = run_binary(&["-t"], &[("UPSTREAM_OAUTH_1", "oauth-service-1")]);
    assert!(
        !status.success() && stderr.contains("upstreams[0].servers[0]"),
        "{stderr}"
    );
    let env = |k: &str| match k {
        "UPSTREAM_OAUTH_1" => Some("oauth-service-1:3001".to_string()),
        "UPSTREAM_OAUTH_2" => Some("oauth-service-2:3001".to_string()),
        _ => None,
    };
    let c = Config::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("config/default.yaml"),
        &env,
    )
    .unwrap();
    let oauth = &c.upstreams[c.upstream_index("oauth-service").unwrap()];
    let servers: Vec<_> = oauth.servers.iter().map(|s| s.address.as_str()).collect();
    assert_eq!(servers, ["oauth-service-1:3001", "oauth-service-2:3001"]);
}

/// default.yaml implements docs/architecture.md's URL map on the local ports.
#[test]
fn default_config_routes_the_url_map() {
    let c = Config::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("config/default.yaml"),
        &|_| None,
    )
    .unwrap();
    let router = Router::new(c.routes.iter().map(|r| (r.prefix.clone(), r.host.clone())));
    let server_of = |path: &str| {
        let route = &c.routes[router
            .lookup(Some("localhost:8080"), path)
            .unwrap_or_else(|| panic!("no route for {path}"))];
        let up = &c.upstreams[c.upstream_index(&route.upstream).unwrap()];
        (
            up.name.clone(),
            up.servers[0].address.clone(),
            up.health_check.path.clone(),
        )
    };
    let expect = [
        (
            "/.well-known/openid-configuration",
            "oauth-service",
            "127.0.0.1:3001",
        ),
        (
            "/.well-known/oauth-authorization-server",
            "oauth-service",
            "127.0.0.1:3001",
        ),
        ("/oauth/token", "oauth-service", "127.0.0.1:3001"),
        ("/oauth/jwks", "oauth-service", "127.0.0.1:3001"),
        ("/login/abc", "oauth-service", "127.0.0.1:3001"),
        ("/interaction/xyz", "oauth-service", "127.0.0.1:3001"),
        ("/api/admin/openapi.json", "oauth-service", "127.0.0.1:3001"),
        ("/api/account/me", "oauth-service", "127.0.0.1:3001"),
        (
            "/.well-known/oauth-protected-resource/api/account",
            "oauth-service",
            "127.0.0.1:3001",
        ),
        ("/account", "account-portal", "127.0.0.1:3006"),
        ("/account/sessions", "account-portal", "127.0.0.1:3006"),
        ("/admin/", "admin-portal", "127.0.0.1:3002"),
        ("/admin/users", "admin-portal", "127.0.0.1:3002"),
        ("/", "admin-portal", "127.0.0.1:3002"),
        ("/kline/api/candles", "kline-service", "127.0.0.1:3003"),
        ("/flow/api/runs", "flow-service", "127.0.0.1:3004"),
        ("/test/api/v1/items", "test-service", "127.0.0.1:3005"),
        (
            "/.well-known/oauth-protected-resource/test",
            "test-service",
            "127.0.0.1:3005",
        ),
        (
            "/.well-known/oauth-protected-resource/kline",
            "kline-service",
            "127.0.0.1:3003",
        ),
        (
            "/.well-known/oauth-protected-resource/flow",
            "flow-service",
            "127.0.0.1:3004",
        ),
    ];
    for (path, upstream, server) in expect {
        let (name, addr, health) = server_of(path);
        assert_eq!(
            (name.as_str(), addr.as_str(), health.as_str()),
            (upstream, server, "/health"),
            "{path}"
        );
    }
    assert_eq!(c.auth.issuer, "http://localhost:8080");
    assert_eq!(c.auth.jwks_url, "http://127.0.0.1:3001/oauth/jwks");
    assert_eq!(c.server.bind_address, "0.0.0.0:8080");
}
