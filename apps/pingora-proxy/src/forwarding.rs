//! Forwarding headers for the upstream. The gateway is the platform's edge, so what it saw (TCP
//! peer, listener scheme, `Host`) is the truth its upstreams get: a client's `X-Forwarded-*` are
//! overwritten, never appended to, and the other client-address or rewrite headers upstream
//! frameworks might believe are dropped. Only a TCP peer listed in `server.trusted_proxies` (an L7
//! load balancer in front of the gateway) may pass its own `X-Forwarded-For/-Proto/-Host` on.

use crate::cidr::{any_contains, Cidr};
use http::HeaderValue;
use pingora_error::Result;
use pingora_http::RequestHeader;
use std::net::IpAddr;

/// Headers some framework or proxy takes as the client's address, scheme, host or path; none of
/// them comes from the gateway, so none may come from a client either.
const DROPPED: &[&str] = &[
    "forwarded",
    "x-real-ip",
    "x-forwarded-port",
    "x-forwarded-prefix",
    "x-forwarded-server",
    "x-forwarded-ssl",
    "x-forwarded-scheme",
    "x-forwarded-uri",
    "x-forwarded-path",
    "x-original-forwarded-for",
    "x-client-ip",
    "x-cluster-client-ip",
    "true-client-ip",
    "cf-connecting-ip",
    "fastly-client-ip",
    "client-ip",
    "x-original-url",
    "x-rewrite-url",
    "x-original-host",
    "x-host",
    "x-url-scheme",
    "front-end-https",
    // The console's server names the browser's User-Agent in this header when it calls the admin API;
    // the browser's own `User-Agent` already says it, so a client sending this one is forging it.
    "x-forwarded-user-agent",
];

/// What the gateway itself knows about the request.
pub struct Seen<'a> {
    /// The TCP peer.
    pub peer: Option<IpAddr>,
    pub tls: bool,
    /// The `Host` header or URI authority the client sent.
    pub host: Option<HeaderValue>,
    pub trusted_proxies: &'a [Cidr],
}

impl Seen<'_> {
    fn peer_is_trusted(&self) -> bool {
        self.peer
            .is_some_and(|ip| any_contains(self.trusted_proxies, ip))
    }
}

/// Every value of `name`, comma-joined (a header may be sent several times).
fn joined(req: &RequestHeader, name: &str) -> Option<String> {
    let values: Vec<&str> = req
        .headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// Rewrites the forwarding headers of the upstream request.
pub fn apply(upstream: &mut RequestHeader, seen: &Seen) -> Result<()> {
    // One pass over the request's few headers instead of a lookup per dropped name.
    let dropped: Vec<http::HeaderName> = upstream
        .headers
        .keys()
        .filter(|name| DROPPED.contains(&name.as_str()))
        .cloned()
        .collect();
    for name in &dropped {
        upstream.remove_header(name);
    }
    let trusted = seen.peer_is_trusted();
    let chain = trusted
        .then(|| joined(upstream, "x-forwarded-for"))
        .flatten();
    match (seen.peer, chain) {
        (Some(ip), Some(chain)) => {
            upstream.insert_header("x-forwarded-for", format!("{chain}, {ip}"))?
        }
        (Some(ip), None) => upstream.insert_header("x-forwarded-for", ip.to_string())?,
        (None, _) => {
            upstream.remove_header("x-forwarded-for");
        }
    }
    let proxy_proto = trusted
        .then(|| joined(upstream, "x-forwarded-proto"))
        .flatten()
        .filter(|p| p == "http" || p == "https");
    match proxy_proto {
        Some(p) => upstream.insert_header("x-forwarded-proto", p)?,
        None => upstream.insert_header(
            "x-forwarded-proto",
            HeaderValue::from_static(if seen.tls { "https" } else { "http" }),
        )?,
    }
    let proxy_host = trusted
        .then(|| upstream.headers.get("x-forwarded-host").cloned())
        .flatten();
    match proxy_host.or_else(|| seen.host.clone()) {
        Some(host) => upstream.insert_header("x-forwarded-host", host)?,
        None => {
            upstream.remove_header("x-forwarded-host");
        }
    }
    Ok(())
}

/// The client's address for rate limits, hashing and logs: the TCP peer, or behind trusted
/// proxies the right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
pub fn client_address(
    req: &RequestHeader,
    peer: Option<IpAddr>,
    trusted: &[Cidr],
) -> Option<IpAddr> {
    let peer_ip = peer?;
    if !any_contains(trusted, peer_ip) {
        return Some(peer_ip);
    }
    let Some(chain) = joined(req, "x-forwarded-for") else {
        return Some(peer_ip);
    };
    for entry in chain.rsplit(',') {
        match entry.trim().parse::<IpAddr>() {
            Ok(ip) if any_contains(trusted, ip) => continue,
            Ok(ip) => return Some(ip),
            // An entry the proxy did not write sensibly: stop trusting the chain there.
            Err(_) => return Some(peer_ip),
        }
    }
    Some(peer_ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(headers: &[(&str, &str)]) -> RequestHeader {
        let mut r = RequestHeader::build("GET", b"/x", None).unwrap();
        for (k, v) in headers {
            r.append_header(k.to_string(), *v).unwrap();
        }
        r
    }

    fn cidrs(list: &[&str]) -> Vec<Cidr> {
        list.iter().map(|c| c.parse().unwrap()).collect()
    }

    #[test]
    fn untrusted_clients_are_overwritten() {
        let mut r = req(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "7.7.7.7"),
            ("x-forwarded-host", "evil.test"),
            ("x-forwarded-proto", "https"),
            ("forwarded", "for=6.6.6.6"),
            ("x-real-ip", "6.6.6.6"),
            ("x-forwarded-user-agent", "forged/1.0"),
        ]);
        let seen = Seen {
            peer: Some("10.0.0.5".parse().unwrap()),
            tls: false,
            host: Some(HeaderValue::from_static("localhost:8080")),
            trusted_proxies: &[],
        };
        apply(&mut r, &seen).unwrap();
        let all = |n: &str| r.headers.get_all(n).iter().count();
        assert_eq!(r.headers["x-forwarded-for"], "10.0.0.5");
        assert_eq!(all("x-forwarded-for"), 1);
        assert_eq!(r.headers["x-forwarded-host"], "localhost:8080");
        assert_eq!(r.headers["x-forwarded-proto"], "http");
        assert_eq!(all("forwarded") + all("x-real-ip"), 0);
        assert_eq!(all("x-forwarded-user-agent"), 0);
    }

    #[test]
    fn trusted_proxies_pass_their_chain() {
        let trusted = cidrs(&["10.0.0.0/8"]);
        let mut r = req(&[
            ("x-forwarded-for", "203.0.113.9, 10.1.1.1"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "id.example.test"),
        ]);
        let peer = Some("10.0.0.5".parse().unwrap());
        let seen = Seen {
            peer,
            tls: false,
            host: None,
            trusted_proxies: &trusted,
        };
        assert_eq!(
            client_address(&r, peer, &trusted),
            "203.0.113.9".parse().ok()
        );
        apply(&mut r, &seen).unwrap();
        assert_eq!(
            r.headers["x-forwarded-for"],
            "203.0.113.9, 10.1.1.1, 10.0.0.5"
        );
        assert_eq!(r.headers["x-forwarded-proto"], "https");
        assert_eq!(r.headers["x-forwarded-host"], "id.example.test");
    }

    #[test]
    fn client_address_stops_at_untrusted_or_garbage() {
        let trusted = cidrs(&["10.0.0.0/8"]);
        let peer = Some("10.0.0.5".parse().unwrap());
        let untrusted_peer = Some("192.0.2.1".parse().unwrap());
        let r = req(&[("x-forwarded-for", "6.6.6.6, 203.0.113.9")]);
        assert_eq!(
            client_address(&r, peer, &trusted),
            "203.0.113.9".parse().ok()
        );
        assert_eq!(client_address(&r, untrusted_peer, &trusted), untrusted_peer);
        let r = req(&[("x-forwarded-for", "6.6.6.6, junk")]);
        assert_eq!(client_address(&r, peer, &trusted), peer);
        assert_eq!(client_address(&req(&[]), peer, &trusted), peer);
    }
}
