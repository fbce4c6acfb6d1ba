//! The little URL parsing the gateway needs (JWKS location, issuer): `http[s]://host[:port][/path]`.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    /// Path and query, always starting with `/`.
    pub path: String,
}

impl HttpUrl {
    pub fn parse(text: &str) -> Result<HttpUrl, String> {
        let (tls, rest) = if let Some(rest) = text.strip_prefix("http://") {
            (false, rest)
        } else if let Some(rest) = text.strip_prefix("https://") {
            (true, rest)
        } else {
            return Err(format!("{text:?} is not an http:// or https:// URL"));
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.contains('@') {
            return Err(format!("{text:?}: credentials in URLs are not supported"));
        }
        let default_port = if tls { 443 } else { 80 };
        let (host, port) = split_host_port(authority, default_port)
            .ok_or_else(|| format!("{text:?}: invalid host or port"))?;
        Ok(HttpUrl {
            tls,
            host,
            port,
            path: path.to_string(),
        })
    }

    /// `host:port`, bracketing IPv6 literals.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Splits `host:port` / `[v6]:port` / `host` (with `default_port`). `None` when malformed.
pub fn split_host_port(authority: &str, default_port: u16) -> Option<(String, u16)> {
    if authority.is_empty() {
        return None;
    }
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok().filter(|p| *p != 0)?,
            None if after.is_empty() => default_port,
            None => return None,
        };
        return Some((host.to_string(), port));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => {
            let port = port.parse().ok().filter(|p| *p != 0)?;
            (!host.is_empty()).then(|| (host.to_string(), port))
        }
        Some(_) => None,
        None => Some((authority.to_string(), default_port)),
    }
}

/// Checks an upstream server address: `host:port` with an explicit, non-zero port.
pub fn check_server_address(address: &str) -> Result<(), String> {
    if address.contains(char::is_whitespace) || address.contains('/') {
        return Err(format!("{address:?} is not host:port"));
    }
    let has_port = address
        .rsplit_once(':')
        .is_some_and(|(h, _)| !h.is_empty() && (!h.contains(':') || h.ends_with(']')));
    if !has_port {
        return Err(format!("{address:?} needs an explicit port (host:port)"));
    }
    split_host_port(address, 0)
        .map(|_| ())
        .ok_or_else(|| format!("{address:?} is not host:port with a port in 1..=65535"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        let u = HttpUrl::parse("http://127.0.0.1:3001/oauth/jwks").unwrap();
        assert_eq!(
            (u.tls, u.host.as_str(), u.port, u.path.as_str()),
            (false, "127.0.0.1", 3001, "/oauth/jwks")
        );
        let u = HttpUrl::parse("https://id.example.test").unwrap();
        assert_eq!((u.tls, u.port, u.path.as_str()), (true, 443, "/"));
        let u = HttpUrl::parse("http://[::1]:8080/x?y=1").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("::1", 8080, "/x?y=1")
        );
        assert_eq!(u.authority(), "[::1]:8080");
        assert!(HttpUrl::parse("ftp://x").is_err());
        assert!(HttpUrl::parse("http://:80/").is_err());
        assert!(HttpUrl::parse("http://a:0/").is_err());
    }

    #[test]
    fn server_addresses() {
        assert!(check_server_address("127.0.0.1:3001").is_ok());
        assert!(check_server_address("oauth-service-1:3000").is_ok());
        assert!(check_server_address("[::1]:80").is_ok());
        assert!(check_server_address("localhost").is_err());
        assert!(check_server_address("host:99999").is_err());
        assert!(check_server_address("host:0").is_err());
        assert!(check_server_address("http://x:1").is_err());
    }
}
