//! A token bucket: `per_second` tokens a second, holding up to twice as many, so a burst of
//! twice the rate passes and a steady flood gets the rate and no more.

use std::time::Instant;

#[derive(Debug, Clone)]
pub(crate) struct TokenBucket {
    tokens: f64,
    refilled: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub(crate) fn full(per_second: u32, now: Instant) -> Self {
        TokenBucket {
            tokens: burst(per_second),
            refilled: now,
        }
    }

    /// Take a token if there is one.
    pub(crate) fn take(&mut self, per_second: u32, now: Instant) -> bool {
        self.refill(per_second, now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// How long until a token is there (zero when one is).
    pub(crate) fn until_next(&mut self, per_second: u32, now: Instant) -> std::time::Duration {
        self.refill(per_second, now);
        let missing = (1.0 - self.tokens).max(0.0);
        std::time::Duration::from_secs_f64(missing / f64::from(per_second.max(1)))
    }

    /// Whether the bucket is full again (it can be forgotten: a new one is the same).
    pub(crate) fn is_full(&mut self, per_second: u32, now: Instant) -> bool {
        self.refill(per_second, now);
        self.tokens >= burst(per_second)
    }

    fn refill(&mut self, per_second: u32, now: Instant) {
        let elapsed = now.saturating_duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * f64::from(per_second)).min(burst(per_second));
        self.refilled = now;
    }
}

fn burst(per_second: u32) -> f64 {
    2.0 * f64::from(per_second)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_of_twice_the_rate_passes_then_the_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::full(10, start);
        let taken = (0..100).filter(|_| bucket.take(10, start)).count();
        assert_eq!(taken, 20);
        // A tenth of a second later: one more.
        let later = start + Duration::from_millis(100);
        assert!(bucket.take(10, later));
        assert!(!bucket.take(10, later));
        let wait = bucket.until_next(10, later);
        assert!(
            wait > Duration::from_millis(90) && wait <= Duration::from_millis(100),
            "{wait:?}"
        );
        assert!(!bucket.is_full(10, later));
        assert!(bucket.is_full(10, later + Duration::from_secs(2)));
    }
}
