//! Environment overrides, read once while loading (the runbook's scale-out section sets
//! `UPSTREAM_OAUTH_1=oauth-service-1:3001`, `UPSTREAM_OAUTH_2=...` on the gateway container).
//!
//! For an upstream named `oauth-service` the variables are `UPSTREAM_OAUTH_SERVICE_<N>` and, as a
//! shorter alias, `UPSTREAM_OAUTH_<N>` (the name without its `-service` suffix). When any is set,
//! `_1`, `_2`, ... replace the YAML's server list for that upstream.

use super::{Config, ServerEntry};
use std::fmt;

/// Upper bound on `_<N>`, so a stray variable cannot make the loader scan forever.
const MAX_SERVERS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvError {
    pub variable: String,
    pub message: String,
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "environment variable {}: {}",
            self.variable, self.message
        )
    }
}

fn normalize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Variable prefixes (without the `_<N>`) that override the servers of `name`, full name first.
/// The `-service`-less alias is dropped when another upstream is called that.
pub fn upstream_env_names(name: &str, all_names: &[&str]) -> Vec<String> {
    let full = normalize(name);
    let mut names = vec![format!("UPSTREAM_{full}")];
    if let Some(short) = full.strip_suffix("_SERVICE").filter(|s| !s.is_empty()) {
        let clash = all_names
            .iter()
            .any(|other| *other != name && normalize(other) == short);
        if !clash {
            names.push(format!("UPSTREAM_{short}"));
        }
    }
    names
}

/// Applies `UPSTREAM_*` server lists and the token issuer/JWKS variables shared with the services
/// (`OAUTH_ISSUER`, else `PUBLIC_URL`; `OAUTH_JWKS_URL`).
pub fn apply_env_overrides(
    config: &mut Config,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), EnvError> {
    let names: Vec<String> = config.upstreams.iter().map(|u| u.name.clone()).collect();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    for upstream in &mut config.upstreams {
        let mut chosen: Option<(String, Vec<ServerEntry>)> = None;
        for prefix in upstream_env_names(&upstream.name, &name_refs) {
            let servers = read_list(&prefix, env)?;
            if servers.is_empty() {
                continue;
            }
            if let Some((other, _)) = &chosen {
                return Err(EnvError {
                    variable: format!("{prefix}_1"),
                    message: format!(
                        "both {other}_<N> and {prefix}_<N> set servers of upstream {:?}; use one",
                        upstream.name
                    ),
                });
            }
            chosen = Some((prefix, servers));
        }
        if let Some((_, servers)) = chosen {
            upstream.servers = servers;
        }
    }

    let nonempty = |key: &str| env(key).filter(|v| !v.trim().is_empty());
    if let Some(issuer) = nonempty("OAUTH_ISSUER").or_else(|| nonempty("PUBLIC_URL")) {
        config.auth.issuer = issuer.trim().trim_end_matches('/').to_string();
    }
    if let Some(url) = nonempty("PUBLIC_URL") {
        config.auth.public_url = Some(url.trim().trim_end_matches('/').to_string());
    }
    if let Some(url) = nonempty("OAUTH_JWKS_URL") {
        config.auth.jwks_url = url.trim().to_string();
    }
    Ok(())
}

fn read_list(
    prefix: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<ServerEntry>, EnvError> {
    let mut servers = Vec::new();
    let mut gap: Option<usize> = None;
    for n in 1..=MAX_SERVERS {
        let variable = format!("{prefix}_{n}");
        match env(&variable)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
        {
            Some(value) => {
                if let Some(missing) = gap {
                    return Err(EnvError {
                        variable,
                        message: format!("is set but {prefix}_{missing} is not; number servers from 1 without gaps"),
                    });
                }
                servers.push(ServerEntry {
                    address: value,
                    weight: 1,
                });
            }
            None => {
                gap.get_or_insert(n);
            }
        }
    }
    Ok(servers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config() -> Config {
        Config::from_yaml_str(
            r#"
upstreams:
  - name: oauth-service
    servers: ['127.0.0.1:3001']
  - name: test-service
    servers: ['127.0.0.1:3005']
routes: []
"#,
        )
        .unwrap()
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn ops_document_scale_out_variables_replace_the_server_list() {
        let mut c = config();
        apply_env_overrides(
            &mut c,
            &env(&[
                ("UPSTREAM_OAUTH_1", "oauth-service-1:3001"),
                ("UPSTREAM_OAUTH_2", "oauth-service-2:3001"),
            ]),
        )
        .unwrap();
        let servers: Vec<_> = c.upstreams[0]
            .servers
            .iter()
            .map(|s| s.address.as_str())
            .collect();
        assert_eq!(servers, ["oauth-service-1:3001", "oauth-service-2:3001"]);
        assert_eq!(c.upstreams[1].servers[0].address, "127.0.0.1:3005");
    }

    #[test]
    fn full_name_works_too() {
        let mut c = config();
        apply_env_overrides(
            &mut c,
            &env(&[("UPSTREAM_TEST_SERVICE_1", "10.1.1.1:3005")]),
        )
        .unwrap();
        assert_eq!(c.upstreams[1].servers[0].address, "10.1.1.1:3005");
    }

    #[test]
    fn gaps_and_double_definitions_are_errors() {
        let mut c = config();
        let e = apply_env_overrides(&mut c, &env(&[("UPSTREAM_OAUTH_2", "a:1")])).unwrap_err();
        assert_eq!(e.variable, "UPSTREAM_OAUTH_2");
        let mut c = config();
        let e = apply_env_overrides(
            &mut c,
            &env(&[
                ("UPSTREAM_OAUTH_1", "a:1"),
                ("UPSTREAM_OAUTH_SERVICE_1", "b:1"),
            ]),
        )
        .unwrap_err();
        assert!(e.message.contains("use one"), "{e}");
    }

    #[test]
    fn alias_is_dropped_when_it_names_another_upstream() {
        assert_eq!(
            upstream_env_names("oauth-service", &["oauth-service", "oauth"]),
            ["UPSTREAM_OAUTH_SERVICE"]
        );
        assert_eq!(
            upstream_env_names("kline-service", &["kline-service"]),
            ["UPSTREAM_KLINE_SERVICE", "UPSTREAM_KLINE"]
        );
        assert_eq!(
            upstream_env_names("admin-portal", &[]),
            ["UPSTREAM_ADMIN_PORTAL"]
        );
    }

    #[test]
    fn issuer_and_jwks_follow_the_platform_variables() {
        let mut c = config();
        apply_env_overrides(&mut c, &env(&[("PUBLIC_URL", "https://id.example.test/")])).unwrap();
        assert_eq!(c.auth.issuer, "https://id.example.test");
        assert_eq!(
            c.auth.public_url.as_deref(),
            Some("https://id.example.test")
        );
        let mut c = config();
        apply_env_overrides(
            &mut c,
            &env(&[
                ("PUBLIC_URL", "https://a.test"),
                ("OAUTH_ISSUER", "https://b.test"),
                ("OAUTH_JWKS_URL", "http://o:3001/oauth/jwks"),
            ]),
        )
        .unwrap();
        assert_eq!(c.auth.issuer, "https://b.test");
        assert_eq!(c.auth.jwks_url, "http://o:3001/oauth/jwks");
    }
}
