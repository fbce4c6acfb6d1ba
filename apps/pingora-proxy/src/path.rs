//! The request path as the gateway routes it. Routing, the metrics allowlist and edge auth all
//! look at this one normalised path, and the upstream receives exactly it, so no upstream can
//! resolve a path differently from the gateway (`/./metrics` reaching a service's own metrics
//! through the catch-all route).
//!
//! Per class of trick (the README lists the same decisions):
//! - dot segments `.` and `..`: removed as RFC 3986 §5.2.4 says; a `..` that would climb above
//!   the root is refused (no client has a reason to send it);
//! - percent-encoded unreserved characters (`%2e`, `%41`, any case): decoded, RFC 3986 §6.2.2.2,
//!   before dot segments are removed, so `/%2e%2e/` is a dot segment too;
//! - other percent-encodings: kept, hex digits upper-cased (§6.2.2.1);
//! - encoded `/` and `\` (`%2f`, `%5c`), a raw `\`, NUL and other control characters (raw or
//!   encoded), malformed `%`: refused, because upstreams disagree on what they mean;
//! - doubled slashes: merged into one, as nginx's `merge_slashes`.
//!
//! The query string is never touched. A target that is not a path (`*`) is left as it is.

use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    /// `%` not followed by two hex digits.
    BadEncoding,
    /// `%2F` or `%5C`: a separator hidden from the router.
    EncodedSeparator,
    /// A raw `\`.
    Backslash,
    /// NUL or another control character, raw or encoded.
    ControlCharacter,
    /// `..` past the root.
    AboveRoot,
}

impl PathError {
    pub fn describe(self) -> &'static str {
        match self {
            PathError::BadEncoding => "The path has a malformed percent-encoding.",
            PathError::EncodedSeparator => {
                "The path has an encoded slash or backslash (%2F, %5C), which is not accepted."
            }
            PathError::Backslash => "The path has a backslash, which is not accepted.",
            PathError::ControlCharacter => {
                "The path has a control character, which is not accepted."
            }
            PathError::AboveRoot => "The path climbs above the root with '..'.",
        }
    }
}

/// The routed form of `path`: borrowed when the path is already normal, which is the common case
/// and costs one scan.
pub fn normalize(path: &str) -> Result<Cow<'_, str>, PathError> {
    if !path.starts_with('/') {
        return Ok(Cow::Borrowed(path));
    }
    if !needs_work(path.as_bytes()) {
        return Ok(Cow::Borrowed(path));
    }
    let decoded = decode_unreserved(path)?;
    let normal = remove_dot_segments(&decoded)?;
    Ok(if normal == path {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(normal)
    })
}

/// The request URI with its path normalised, or `None` when it is already normal. Scheme,
/// authority and query are kept as they came.
pub fn routed_uri(uri: &http::Uri) -> Result<Option<http::Uri>, PathError> {
    let path = match normalize(uri.path())? {
        Cow::Borrowed(_) => return Ok(None),
        Cow::Owned(p) => p,
    };
    let path_and_query = match uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path,
    };
    let mut parts = uri.clone().into_parts();
    // The normalised path only holds characters the original one had, so it parses.
    parts.path_and_query = Some(path_and_query.parse().map_err(|_| PathError::BadEncoding)?);
    // Failing closed: an unbuildable URI is refused rather than forwarded un-normalised.
    http::Uri::from_parts(parts)
        .map(Some)
        .map_err(|_| PathError::BadEncoding)
}

/// Whether anything in the path could change or be refused.
fn needs_work(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b'%'
            || b == b'\\'
            || b < 0x20
            || b == 0x7f
            || (b == b'/' && matches!(bytes.get(i + 1), Some(b'/' | b'.')))
    })
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Decodes `%XX` of unreserved characters, upper-cases the others, refuses the dangerous ones.
fn decode_unreserved(path: &str) -> Result<String, PathError> {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'%' => {
                let (Some(hi), Some(lo)) = (
                    bytes.get(i + 1).copied().and_then(hex),
                    bytes.get(i + 2).copied().and_then(hex),
                ) else {
                    return Err(PathError::BadEncoding);
                };
                let value = hi << 4 | lo;
                match value {
                    b'/' | b'\\' => return Err(PathError::EncodedSeparator),
                    v if v < 0x20 || v == 0x7f => return Err(PathError::ControlCharacter),
                    v if is_unreserved(v) => out.push(v as char),
                    v => out.push_str(&format!("%{v:02X}")),
                }
                i += 3;
            }
            b'\\' => return Err(PathError::Backslash),
            b if b < 0x20 || b == 0x7f => return Err(PathError::ControlCharacter),
            _ => {
                // Copy the run up to the next byte of interest (keeps UTF-8 intact).
                let end = bytes[i..]
                    .iter()
                    .position(|&c| c == b'%' || c == b'\\' || c < 0x20 || c == 0x7f)
                    .map_or(bytes.len(), |n| i + n);
                out.push_str(&path[i..end]);
                i = end;
            }
        }
    }
    Ok(out)
}

/// RFC 3986 §5.2.4 on an absolute path, with empty segments merged and `..` above the root
/// refused.
fn remove_dot_segments(path: &str) -> Result<String, PathError> {
    let mut kept: Vec<&str> = Vec::new();
    let mut segments = path[1..].split('/').peekable();
    let mut trailing_slash = false;
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        match segment {
            "" | "." => {}
            ".." => {
                if kept.pop().is_none() {
                    return Err(PathError::AboveRoot);
                }
            }
            s => kept.push(s),
        }
        trailing_slash = last && matches!(segment, "" | "." | "..");
    }
    let mut out = String::with_capacity(path.len());
    for segment in &kept {
        out.push('/');
        out.push_str(segment);
    }
    if out.is_empty() || trailing_slash {
        out.push('/');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_or_refuses_each_class() {
        use PathError::*;
        let cases: &[(&str, Result<&str, PathError>)] = &[
            // Already normal: untouched.
            ("/", Ok("/")),
            ("/metrics", Ok("/metrics")),
            (
                "/.well-known/openid-configuration",
                Ok("/.well-known/openid-configuration"),
            ),
            ("/api/a.b/c..d/.e", Ok("/api/a.b/c..d/.e")),
            ("/kline/", Ok("/kline/")),
            ("*", Ok("*")),
            // Dot segments.
            ("/./metrics", Ok("/metrics")),
            ("/admin/../metrics", Ok("/metrics")),
            ("/a/b/../../c", Ok("/c")),
            ("/a/./b/.", Ok("/a/b/")),
            ("/a/b/..", Ok("/a/")),
            ("/..", Err(AboveRoot)),
            ("/../metrics", Err(AboveRoot)),
            ("/admin/../../metrics", Err(AboveRoot)),
            // Encoded dots, any case, alone or mixed with literal ones.
            ("/%2e/metrics", Ok("/metrics")),
            ("/%2E/metrics", Ok("/metrics")),
            ("/admin/%2e%2e/metrics", Ok("/metrics")),
            ("/admin/%2E%2e/metrics", Ok("/metrics")),
            ("/admin/.%2e/metrics", Ok("/metrics")),
            ("/%2e%2e/metrics", Err(AboveRoot)),
            // Other unreserved characters decode; reserved and non-ASCII stay encoded, upper-cased.
            ("/%6detrics", Ok("/metrics")),
            ("/a/%7e%5F%2D", Ok("/a/~_-")),
            ("/caf%c3%a9", Ok("/caf%C3%A9")),
            ("/a%20b%3Fc", Ok("/a%20b%3Fc")),
            ("/a%25b", Ok("/a%25b")),
            // Separators hidden in encodings, backslashes.
            ("/admin%2f..%2fmetrics", Err(EncodedSeparator)),
            ("/admin%2F..%2Fmetrics", Err(EncodedSeparator)),
            ("/%5cmetrics", Err(EncodedSeparator)),
            ("/%5Cmetrics", Err(EncodedSeparator)),
            ("/admin\\..\\metrics", Err(Backslash)),
            // Doubled slashes merge.
            ("//metrics", Ok("/metrics")),
            ("/api//items///7", Ok("/api/items/7")),
            ("/admin/..//metrics", Ok("/metrics")),
            ("/a//", Ok("/a/")),
            // NUL and control characters.
            ("/metrics%00", Err(ControlCharacter)),
            ("/a%0ab", Err(ControlCharacter)),
            ("/a%7Fb", Err(ControlCharacter)),
            ("/a\u{0}b", Err(ControlCharacter)),
            // Malformed encodings.
            ("/a%2", Err(BadEncoding)),
            ("/a%zz", Err(BadEncoding)),
            ("/a%", Err(BadEncoding)),
        ];
        for (input, expected) in cases {
            let got = normalize(input).map(|p| p.into_owned());
            let want = expected.map(String::from);
            assert_eq!(got, want, "{input:?}");
        }
    }

    #[test]
    fn uris_keep_their_query_and_authority() {
        let uri: http::Uri = "http://id.example.test/a/../b//c?x=/../y".parse().unwrap();
        let routed = routed_uri(&uri).unwrap().unwrap();
        assert_eq!(routed.to_string(), "http://id.example.test/b/c?x=/../y");
        let uri: http::Uri = "/a/./b?q".parse().unwrap();
        assert_eq!(routed_uri(&uri).unwrap().unwrap().to_string(), "/a/b?q");
        assert_eq!(routed_uri(&"/a/b?q".parse().unwrap()), Ok(None));
        assert_eq!(
            routed_uri(&"/%2f".parse().unwrap()),
            Err(PathError::EncodedSeparator)
        );
    }

    #[test]
    fn normal_paths_are_borrowed() {
        for p in ["/", "/oauth/token", "/.well-known/x", "/a/b.c"] {
            assert!(matches!(normalize(p), Ok(Cow::Borrowed(_))), "{p}");
        }
    }

    #[test]
    fn the_result_is_a_fixed_point() {
        for p in ["/a/%2e%2e/b//c/./%41", "/x/y/../z/", "/%c3%a9/./"] {
            let once = normalize(p).unwrap().into_owned();
            assert_eq!(normalize(&once).unwrap(), once, "{p}");
        }
    }
}
