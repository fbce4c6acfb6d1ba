//! Passive health, as nginx's `max_fails`/`fail_timeout`: `max_fails` failed attempts within
//! `fail_timeout` take a server out of rotation for `fail_timeout`; afterwards it gets traffic
//! again (and is ejected again if it keeps failing). Lock-free, since it is read per request.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Milliseconds on a process-local monotonic clock; never 0, so 0 can mean "never".
pub fn now_ms() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_millis() as u64 + 1
}

#[derive(Debug, Clone, Copy)]
pub struct PassivePolicy {
    pub max_fails: u32,
    pub fail_timeout: Duration,
}

#[derive(Debug, Default)]
pub struct PassiveState {
    ejected_until: AtomicU64,
    fails: AtomicU32,
    window_start: AtomicU64,
}

impl PassiveState {
    pub fn available(&self, now: u64) -> bool {
        self.ejected_until.load(Relaxed) <= now
    }

    /// Records a failed attempt; returns true when this failure ejects the server.
    pub fn record_failure(&self, policy: PassivePolicy, now: u64) -> bool {
        if policy.max_fails == 0 {
            return false;
        }
        let window = policy.fail_timeout.as_millis() as u64;
        // Failures older than fail_timeout no longer count (nginx's window).
        if self.fails.load(Relaxed) == 0
            || now.saturating_sub(self.window_start.load(Relaxed)) > window
        {
            self.window_start.store(now, Relaxed);
            self.fails.store(0, Relaxed);
        }
        let fails = self.fails.fetch_add(1, Relaxed) + 1;
        if fails >= policy.max_fails {
            self.ejected_until.store(now + window, Relaxed);
            self.fails.store(0, Relaxed);
            return true;
        }
        false
    }

    /// Takes the server out of rotation until `until` (a draining server); returns true if it was
    /// in rotation before.
    pub fn eject_until(&self, until: u64, now: u64) -> bool {
        let was_available = self.available(now);
        self.ejected_until.fetch_max(until, Relaxed);
        self.fails.store(0, Relaxed);
        was_available
    }

    /// A success forgives earlier failures. One relaxed load on the hot path.
    pub fn record_success(&self) {
        if self.fails.load(Relaxed) != 0 {
            self.fails.store(0, Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: PassivePolicy = PassivePolicy {
        max_fails: 3,
        fail_timeout: Duration::from_secs(10),
    };

    #[test]
    fn ejects_after_max_fails_within_the_window() {
        let s = PassiveState::default();
        assert!(!s.record_failure(POLICY, 1_000));
        assert!(!s.record_failure(POLICY, 2_000));
        assert!(s.available(2_500));
        assert!(s.record_failure(POLICY, 3_000));
        assert!(!s.available(3_001));
        assert!(!s.available(12_999));
        assert!(s.available(13_000));
    }

    #[test]
    fn old_failures_expire_and_success_resets() {
        let s = PassiveState::default();
        s.record_failure(POLICY, 1_000);
        s.record_failure(POLICY, 2_000);
        // 12.5 s after the window opened: the count starts over.
        assert!(!s.record_failure(POLICY, 12_500));
        assert!(s.available(12_600));
        s.record_failure(POLICY, 12_700);
        s.record_success();
        assert!(!s.record_failure(POLICY, 12_800));
        assert!(s.available(12_900));
    }

    #[test]
    fn a_draining_server_is_out_until_the_given_time() {
        let s = PassiveState::default();
        assert!(s.eject_until(5_000, 1_000), "was in rotation");
        assert!(!s.available(4_999));
        assert!(s.available(5_000));
        // A second drain signal never shortens the ejection.
        assert!(!s.eject_until(3_000, 2_000));
        assert!(!s.available(4_000));
    }

    #[test]
    fn zero_max_fails_disables() {
        let s = PassiveState::default();
        let off = PassivePolicy {
            max_fails: 0,
            fail_timeout: Duration::from_secs(10),
        };
        for t in 0..10 {
            assert!(!s.record_failure(off, t));
        }
        assert!(s.available(11));
    }
}
