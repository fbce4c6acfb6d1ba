//! Prometheus metrics with the names the runbook (docs/operations.md) lists, in a registry of their own so
//! `/metrics` shows exactly these:
//! `pingora_requests_total{route,upstream,status}`, `pingora_request_duration_seconds{route}`,
//! `pingora_upstream_health{upstream,server}`, `pingora_connections_active`.

use crate::upstream::UpstreamPool;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use prometheus::{Histogram, IntCounter};
use std::sync::{Arc, OnceLock};

/// Statuses 100..=599 get a cached counter each.
const STATUS_SLOTS: usize = 500;

/// Metric handles of one route.
pub struct RouteMetrics {
    route: String,
    upstream: String,
    duration: Histogram,
    requests: IntCounterVec,
    by_status: Box<[OnceLock<IntCounter>]>,
}

impl RouteMetrics {
    pub fn observe(&self, status: u16, seconds: f64) {
        self.duration.observe(seconds);
        let counter = match (status as usize)
            .checked_sub(100)
            .and_then(|i| self.by_status.get(i))
        {
            Some(slot) => slot.get_or_init(|| self.counter(status)),
            None => &self.counter(status),
        };
        counter.inc();
    }

    fn counter(&self, status: u16) -> IntCounter {
        let buf = itoa_status(status);
        let status = std::str::from_utf8(&buf).unwrap_or("0");
        self.requests
            .with_label_values(&[&self.route, &self.upstream, status])
    }
}

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
    upstream_health: IntGaugeVec,
    pub connections_active: IntGauge,
}

/// Latency buckets in seconds: sub-millisecond proxying up to slow upstream calls.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("pingora_requests_total", "Requests answered by the gateway"),
            &["route", "upstream", "status"],
        )
        .expect("valid metric");
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "pingora_request_duration_seconds",
                "Time from request start to the end of the response",
            )
            .buckets(BUCKETS.to_vec()),
            &["route"],
        )
        .expect("valid metric");
        let upstream_health = IntGaugeVec::new(
            Opts::new(
                "pingora_upstream_health",
                "1 when the upstream server takes traffic, else 0",
            ),
            &["upstream", "server"],
        )
        .expect("valid metric");
        let connections_active =
            IntGauge::new("pingora_connections_active", "Open downstream connections")
                .expect("valid metric");
        for m in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(duration.clone()),
            Box::new(upstream_health.clone()),
            Box::new(connections_active.clone()),
        ] {
            registry.register(m).expect("unique metric");
        }
        Metrics {
            registry,
            requests,
            duration,
            upstream_health,
            connections_active,
        }
    }

    /// Handles for one (route, upstream) pair, resolved once so the request path only does
    /// atomic adds (`with_label_values` hashes and locks on every call).
    pub fn route(&self, route: &str, upstream: &str) -> RouteMetrics {
        RouteMetrics {
            route: route.to_string(),
            upstream: upstream.to_string(),
            duration: self.duration.with_label_values(&[route]),
            requests: self.requests.clone(),
            by_status: (0..STATUS_SLOTS).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Prometheus text format; upstream health is sampled now, at scrape time.
    pub fn render(&self, pools: &[Arc<UpstreamPool>]) -> Vec<u8> {
        for pool in pools {
            for s in pool.server_health() {
                self.upstream_health
                    .with_label_values(&[&*pool.name, &*s.server])
                    .set(i64::from(s.up));
            }
        }
        let mut out = Vec::with_capacity(8 * 1024);
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            log::error!("metrics encoding failed: {e}");
        }
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Three ASCII digits without allocating (statuses are 100..=999).
fn itoa_status(status: u16) -> [u8; 3] {
    let s = status.min(999);
    [
        b'0' + (s / 100) as u8,
        b'0' + (s / 10 % 10) as u8,
        b'0' + (s % 10) as u8,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_documented_names() {
        let m = Metrics::new();
        let route = m.route("/test/", "test-service");
        route.observe(200, 0.002);
        route.observe(99, 0.002);
        m.connections_active.inc();
        let text = String::from_utf8(m.render(&[])).unwrap();
        assert!(
            text.contains(
                r#"pingora_requests_total{route="/test/",status="200",upstream="test-service"} 1"#
            ),
            "{text}"
        );
        assert!(text.contains("pingora_request_duration_seconds_bucket"));
        assert!(text.contains("pingora_connections_active 1"));
    }
}
