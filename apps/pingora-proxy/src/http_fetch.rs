//! A minimal HTTP GET for the gateway's own needs (the JWKS), on pingora's upstream connector so
//! http and https both work without another HTTP client in the build.

use crate::url::HttpUrl;
use pingora_core::connectors::http::Connector;
use pingora_core::upstreams::peer::HttpPeer;
use pingora_http::RequestHeader;
use std::time::Duration;

pub struct Fetcher {
    connector: Connector,
}

impl Default for Fetcher {
    fn default() -> Self {
        Fetcher {
            connector: Connector::new(None),
        }
    }
}

impl Fetcher {
    /// Status and body. The whole exchange is bounded by `timeout`, the body by `max_body` bytes.
    pub async fn get(
        &self,
        url: &HttpUrl,
        timeout: Duration,
        max_body: usize,
    ) -> Result<(u16, Vec<u8>), String> {
        tokio::time::timeout(timeout, self.get_inner(url, timeout, max_body))
            .await
            .map_err(|_| format!("timed out after {timeout:?}"))?
    }

    async fn get_inner(
        &self,
        url: &HttpUrl,
        timeout: Duration,
        max_body: usize,
    ) -> Result<(u16, Vec<u8>), String> {
        let addr = tokio::net::lookup_host((url.host.as_str(), url.port))
            .await
            .map_err(|e| format!("cannot resolve {}: {e}", url.host))?
            .next()
            .ok_or_else(|| format!("{} has no address", url.host))?;
        let mut peer = HttpPeer::new(addr, url.tls, url.host.clone());
        peer.options.connection_timeout = Some(timeout);
        peer.options.read_timeout = Some(timeout);
        peer.options.write_timeout = Some(timeout);
        let (mut session, _reused) = self
            .connector
            .get_http_session(&peer)
            .await
            .map_err(|e| e.to_string())?;
        let mut req =
            RequestHeader::build("GET", url.path.as_bytes(), None).map_err(|e| e.to_string())?;
        let _ = req.insert_header("Host", url.authority());
        let _ = req.insert_header("Accept", "application/json");
        let _ = req.insert_header("User-Agent", "pingora-proxy");
        let _ = req.insert_header("Connection", "close");
        session
            .write_request_header(Box::new(req))
            .await
            .map_err(|e| e.to_string())?;
        session
            .finish_request_body()
            .await
            .map_err(|e| e.to_string())?;
        session
            .read_response_header()
            .await
            .map_err(|e| e.to_string())?;
        let status = session.response_header().map_or(0, |h| h.status.as_u16());
        let mut body = Vec::new();
        while let Some(chunk) = session
            .read_response_body()
            .await
            .map_err(|e| e.to_string())?
        {
            if body.len() + chunk.len() > max_body {
                return Err(format!("response larger than {max_body} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
    }
}
