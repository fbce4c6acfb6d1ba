//! RFC 9457 problem details, shaped like the platform's serializer (packages/http): `type` is
//! `urn:problem:<code>`, plus `title`, `status`, `detail`, `instance`, `code` and `request_id`.

use bytes::Bytes;
use pingora_http::ResponseHeader;
use serde::Serialize;

pub const CONTENT_TYPE: &str = "application/problem+json; charset=utf-8";

#[derive(Debug, Clone)]
pub struct Problem {
    pub status: u16,
    pub code: &'static str,
    pub detail: String,
    /// Extra response headers that belong to the error (`WWW-Authenticate`, `Retry-After`).
    pub headers: Vec<(&'static str, String)>,
}

impl Problem {
    pub fn new(status: u16, code: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            code,
            detail: detail.into(),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Problem {
        self.headers.push((name, value.into()));
        self
    }

    pub fn body(&self, instance: &str, request_id: &str) -> Bytes {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "type")]
            kind: String,
            title: &'a str,
            status: u16,
            detail: &'a str,
            instance: &'a str,
            code: &'a str,
            request_id: &'a str,
        }
        let body = Body {
            kind: format!("urn:problem:{}", self.code),
            title: title(self.status),
            status: self.status,
            detail: &self.detail,
            instance,
            code: self.code,
            request_id,
        };
        Bytes::from(serde_json::to_vec(&body).unwrap_or_default())
    }

    /// The response head and body; the caller writes them.
    pub fn response(&self, instance: &str, request_id: &str) -> (ResponseHeader, Bytes) {
        let body = self.body(instance, request_id);
        let mut head =
            ResponseHeader::build(self.status, Some(6 + self.headers.len())).expect("valid status");
        // Header names and values here are static or validated ASCII; a failure would be a bug
        // that must not take the request down, so errors are ignored.
        let _ = head.insert_header("content-type", CONTENT_TYPE);
        let _ = head.insert_header("content-length", body.len().to_string());
        let _ = head.insert_header("cache-control", "no-store");
        let _ = head.insert_header(crate::request_id::HEADER, request_id);
        for (name, value) in &self.headers {
            let _ = head.insert_header(*name, value.as_str());
        }
        (head, body)
    }
}

pub fn title(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_rfc9457_members() {
        let p = Problem::new(503, "upstream_unavailable", "no healthy server")
            .with_header("retry-after", "1");
        let (head, body) = p.response("/oauth/token", "req-1");
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["type"], "urn:problem:upstream_unavailable");
        assert_eq!(v["title"], "Service Unavailable");
        assert_eq!(v["status"], 503);
        assert_eq!(v["instance"], "/oauth/token");
        assert_eq!(v["request_id"], "req-1");
        assert_eq!(head.headers.get("content-type").unwrap(), CONTENT_TYPE);
        assert_eq!(head.headers.get("retry-after").unwrap(), "1");
        assert_eq!(head.headers.get("x-request-id").unwrap(), "req-1");
    }
}
