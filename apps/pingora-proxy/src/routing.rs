//! The routing table: path prefix (and optional host) → route. The longest matching prefix wins;
//! on equal prefixes a route naming the request's host beats a host-less one.

/// What the router needs to know about one route; the route's index points back into the config.
#[derive(Debug, Clone)]
pub struct RouteEntry {
    pub index: usize,
    pub prefix: String,
    /// Lower-cased; `None` matches any host.
    pub host: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Router {
    /// Sorted so that the first match is the best one (see [`Router::new`]).
    entries: Vec<RouteEntry>,
    /// Without host routes the `Host` header is not even looked at.
    has_hosts: bool,
}

impl Router {
    pub fn new(routes: impl IntoIterator<Item = (String, Option<String>)>) -> Router {
        let mut entries: Vec<RouteEntry> = routes
            .into_iter()
            .enumerate()
            .map(|(index, (prefix, host))| RouteEntry {
                index,
                prefix,
                host: host.map(|h| h.to_ascii_lowercase()),
            })
            .collect();
        // Longest prefix first; for the same prefix, host-specific first. A linear scan over this
        // order is the whole lookup: route tables here have tens of entries, and a scan of short
        // `starts_with` checks beats a trie at that size.
        entries.sort_by(|a, b| {
            b.prefix
                .len()
                .cmp(&a.prefix.len())
                .then(b.host.is_some().cmp(&a.host.is_some()))
                .then(a.index.cmp(&b.index))
        });
        let has_hosts = entries.iter().any(|e| e.host.is_some());
        Router { entries, has_hosts }
    }

    /// The index of the route for this request. `host` is the `Host` header or URI authority.
    pub fn lookup(&self, host: Option<&str>, path: &str) -> Option<usize> {
        let host = if self.has_hosts {
            host.map(normalize_host)
        } else {
            None
        };
        self.entries
            .iter()
            .find(|e| {
                prefix_matches(&e.prefix, path)
                    && e.host
                        .as_deref()
                        .is_none_or(|h| host.as_deref().is_some_and(|r| r == h))
            })
            .map(|e| e.index)
    }
}

/// `/kline/` also matches `/kline`, so a service's root is not sent to the catch-all route.
fn prefix_matches(prefix: &str, path: &str) -> bool {
    path.starts_with(prefix)
        || (prefix.len() > 1 && prefix.ends_with('/') && path == &prefix[..prefix.len() - 1])
}

/// Lower-case, without port and trailing dot (`API.Example.test.:8080` → `api.example.test`).
pub fn normalize_host(host: &str) -> String {
    let host = host.trim();
    let without_port = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        host.rsplit_once(':').map_or(host, |(h, p)| {
            if p.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                host
            }
        })
    };
    without_port.trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(routes: &[(&str, Option<&str>)]) -> Router {
        Router::new(
            routes
                .iter()
                .map(|(p, h)| (p.to_string(), h.map(str::to_string))),
        )
    }

    #[test]
    fn platform_url_map() {
        // The shape of default.yaml: docs/architecture.md's URL map.
        let r = router(&[
            ("/.well-known/openid-configuration", None), // 0 oauth
            ("/.well-known/oauth-authorization-server", None), // 1 oauth
            ("/oauth/", None),                           // 2 oauth
            ("/login/", None),                           // 3 oauth
            ("/interaction/", None),                     // 4 oauth
            ("/api/admin/", None),                       // 5 oauth
            ("/admin/", None),                           // 6 portal
            ("/", None),                                 // 7 portal
            ("/kline/", None),                           // 8
            ("/flow/", None),                            // 9
            ("/test/", None),                            // 10
            ("/.well-known/oauth-protected-resource/test", None), // 11
        ]);
        let cases = [
            ("/.well-known/openid-configuration", Some(0)),
            ("/.well-known/oauth-authorization-server", Some(1)),
            ("/oauth/token", Some(2)),
            ("/oauth/authorize?client_id=x", Some(2)),
            ("/login/abc", Some(3)),
            ("/interaction/xyz/login", Some(4)),
            ("/api/admin/users", Some(5)),
            ("/api/admin/openapi.json", Some(5)),
            ("/admin/", Some(6)),
            ("/admin", Some(6)),
            ("/admin/users/1", Some(6)),
            ("/", Some(7)),
            ("/favicon.ico", Some(7)),
            ("/kline/api/v1/candles", Some(8)),
            ("/kline", Some(8)),
            ("/klinezzz", Some(7)),
            ("/flow/api", Some(9)),
            ("/test/api/v1/items", Some(10)),
            ("/.well-known/oauth-protected-resource/test", Some(11)),
            ("/.well-known/other", Some(7)),
        ];
        for (path, want) in cases {
            assert_eq!(r.lookup(Some("localhost:8080"), path), want, "{path}");
        }
    }

    #[test]
    fn longest_prefix_wins_regardless_of_order() {
        let r = router(&[("/a/", None), ("/a/b/c/", None), ("/a/b/", None)]);
        assert_eq!(r.lookup(None, "/a/b/c/d"), Some(1));
        assert_eq!(r.lookup(None, "/a/b/x"), Some(2));
        assert_eq!(r.lookup(None, "/a/x"), Some(0));
        assert_eq!(r.lookup(None, "/b"), None);
    }

    #[test]
    fn host_matching() {
        let r = router(&[
            ("/", None),
            ("/", Some("API.example.test")),
            ("/x/", None),
            ("/x/deep/", Some("other.test")),
        ]);
        assert_eq!(r.lookup(Some("api.example.test"), "/anything"), Some(1));
        assert_eq!(
            r.lookup(Some("Api.Example.Test:8443"), "/anything"),
            Some(1)
        );
        assert_eq!(r.lookup(Some("api.example.test."), "/"), Some(1));
        assert_eq!(r.lookup(Some("elsewhere.test"), "/anything"), Some(0));
        assert_eq!(r.lookup(None, "/anything"), Some(0));
        // A longer host-less prefix beats a shorter host-specific one.
        assert_eq!(r.lookup(Some("api.example.test"), "/x/1"), Some(2));
        assert_eq!(r.lookup(Some("other.test"), "/x/deep/1"), Some(3));
        assert_eq!(r.lookup(Some("api.example.test"), "/x/deep/1"), Some(2));
    }

    #[test]
    fn host_normalization() {
        assert_eq!(normalize_host("Example.TEST:80"), "example.test");
        assert_eq!(normalize_host("[::1]:8080"), "::1");
        assert_eq!(normalize_host("localhost"), "localhost");
    }
}
