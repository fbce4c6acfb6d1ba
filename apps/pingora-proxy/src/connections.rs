//! Downstream connection accounting: `pingora_connections_active` and `server.max_connections`.
//!
//! pingora's HTTP app handles a whole connection (every keep-alive request on it) inside one
//! `ServerApp::process_new` call, so wrapping the proxy app is the one place that sees a
//! connection open and close. Over the limit, the connection gets a 503 and is closed before any
//! request is read; like nginx's `worker_connections`, this protects the process, not fairness.

use crate::metrics::Metrics;
use async_trait::async_trait;
use pingora_core::apps::ServerApp;
use pingora_core::protocols::Stream;
use pingora_core::server::ShutdownWatch;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::AsyncWriteExt;

pub struct ConnectionGate<A> {
    inner: Arc<A>,
    max: usize,
    active: AtomicUsize,
    metrics: Arc<Metrics>,
}

impl<A> ConnectionGate<A> {
    pub fn new(inner: A, max: usize, metrics: Arc<Metrics>) -> Self {
        ConnectionGate {
            inner: Arc::new(inner),
            max,
            active: AtomicUsize::new(0),
            metrics,
        }
    }
}

struct Held<'a, A>(&'a ConnectionGate<A>);

impl<A> Drop for Held<'_, A> {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::Relaxed);
        self.0.metrics.connections_active.dec();
    }
}

const OVERLOADED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: application/problem+json; charset=utf-8\r\n\
retry-after: 1\r\nconnection: close\r\ncontent-length: 162\r\n\r\n\
{\"type\":\"urn:problem:too_many_connections\",\"title\":\"Service Unavailable\",\"status\":503,\"detail\":\"The gateway is at max_connections.\",\"code\":\"too_many_connections\"}";

#[async_trait]
impl<A: ServerApp + Send + Sync + 'static> ServerApp for ConnectionGate<A> {
    async fn process_new(
        self: &Arc<Self>,
        mut stream: Stream,
        shutdown: &ShutdownWatch,
    ) -> Option<Stream> {
        if self.active.fetch_add(1, Ordering::Relaxed) >= self.max {
            self.active.fetch_sub(1, Ordering::Relaxed);
            log::warn!(
                "max_connections ({}) reached; refusing a connection",
                self.max
            );
            let _ = stream.write_all(OVERLOADED).await;
            let _ = stream.shutdown().await;
            return None;
        }
        self.metrics.connections_active.inc();
        let _held = Held(self);
        self.inner.process_new(stream, shutdown).await
    }

    async fn cleanup(&self) {
        self.inner.cleanup().await;
    }
}

#[cfg(test)]
mod tests {
    use super::OVERLOADED;

    #[test]
    fn canned_response_is_consistent() {
        let text = std::str::from_utf8(OVERLOADED).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{}",
            body.len()
        );
        serde_json::from_str::<serde_json::Value>(body).unwrap();
    }
}
