//! Per-route rate limits on pingora-limits' `Rate` (a count-min sketch over fixed windows):
//! `requests` per `window`, keyed by client IP or by the verified token's `client_id`.

use crate::config::{RateLimitConfig, RateLimitKey};
use crate::problem::Problem;
use pingora_limits::rate::Rate;
use std::hash::Hash;

pub struct RouteLimiter {
    rate: Rate,
    limit: isize,
    pub key: RateLimitKey,
    retry_after: String,
}

impl RouteLimiter {
    pub fn new(config: &RateLimitConfig) -> RouteLimiter {
        RouteLimiter {
            rate: Rate::new(config.window),
            limit: config.requests.min(isize::MAX as u64) as isize,
            key: config.key,
            // The window restarts within `window`; whole seconds, at least 1, as Retry-After needs.
            retry_after: config.window.as_secs_f64().ceil().max(1.0).to_string(),
        }
    }

    /// Counts this request; `Err` with the 429 answer when the key is over its limit.
    pub fn check<K: Hash>(&self, key: &K) -> Result<(), Problem> {
        let seen = self.rate.observe(key, 1);
        if seen > self.limit {
            return Err(Problem::new(
                429,
                "rate_limited",
                "Too many requests; slow down and retry after the indicated delay.",
            )
            .with_header("retry-after", self.retry_after.clone()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn limits_per_key() {
        let l = RouteLimiter::new(&RateLimitConfig {
            requests: 3,
            window: Duration::from_secs(60),
            key: RateLimitKey::Ip,
        });
        for _ in 0..3 {
            assert!(l.check(&"a").is_ok());
        }
        let p = l.check(&"a").unwrap_err();
        assert_eq!(p.status, 429);
        assert!(p.headers.contains(&("retry-after", "60".to_string())));
        assert!(l.check(&"b").is_ok(), "other keys have their own budget");
    }
}
