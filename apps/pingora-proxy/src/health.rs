//! The background service that keeps upstream state fresh: active HTTP health checks every
//! `health_check.interval`, and re-resolution of host names. One service for all upstreams, on
//! one thread: pingora would otherwise start a runtime per load balancer.

use crate::upstream::UpstreamPool;
use async_trait::async_trait;
use pingora_core::server::ShutdownWatch;
use pingora_core::services::background::BackgroundService;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{sleep_until, Instant};

/// How often host names in server lists are resolved again.
const DNS_REFRESH: Duration = Duration::from_secs(10);

pub struct HealthService {
    pub pools: Vec<Arc<UpstreamPool>>,
}

#[async_trait]
impl BackgroundService for HealthService {
    async fn start(&self, mut shutdown: ShutdownWatch) {
        let mut tasks = tokio::task::JoinSet::new();
        for pool in &self.pools {
            tasks.spawn(watch_pool(pool.clone()));
        }
        // Runs until shutdown; dropping the JoinSet cancels the loops.
        while shutdown.changed().await.is_ok() {
            if *shutdown.borrow() {
                break;
            }
        }
        tasks.abort_all();
    }
}

async fn watch_pool(pool: Arc<UpstreamPool>) {
    let checks = pool
        .health_check
        .enabled
        .then_some(pool.health_check.interval);
    let dns = pool.needs_dns_refresh.then_some(DNS_REFRESH);
    if checks.is_none() && dns.is_none() {
        return;
    }
    let start = Instant::now();
    let mut next_check = start;
    let mut next_dns = start + DNS_REFRESH;
    loop {
        let now = Instant::now();
        if let Some(interval) = dns {
            if now >= next_dns {
                pool.update().await;
                next_dns = Instant::now() + interval;
            }
        }
        if let Some(interval) = checks {
            if now >= next_check {
                // A pass lasts at most `timeout`; the next one starts `interval` after this one began,
                // so detection takes about interval × retries as documented.
                next_check = now + interval;
                pool.run_health_check().await;
            }
        }
        let wake = match (checks, dns) {
            (Some(_), Some(_)) => next_check.min(next_dns),
            (Some(_), None) => next_check,
            _ => next_dns,
        };
        sleep_until(wake).await;
    }
}
