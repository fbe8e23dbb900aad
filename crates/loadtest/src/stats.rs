//! Latency figures: a histogram per measured path, summarised as percentiles.

use std::sync::Mutex;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Latencies recorded from many tasks at once, in microseconds, to three significant figures
/// (hdrhistogram: constant memory whatever the count, exact enough for p99 and max).
pub struct Latencies(Mutex<Histogram<u64>>);

/// Percentiles of one path, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Summary {
    pub count: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Latencies {
    pub fn new() -> Latencies {
        // 1 µs to 10 minutes; longer values are clamped to the top (saturating_record).
        let histogram = Histogram::new_with_bounds(1, 600_000_000, 3)
            .expect("constant bounds are valid for hdrhistogram");
        Latencies(Mutex::new(histogram))
    }

    pub fn record(&self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.lock().saturating_record(micros.max(1));
    }

    pub fn summary(&self) -> Summary {
        let histogram = self.lock();
        let ms = |micros: u64| micros as f64 / 1000.0;
        Summary {
            count: histogram.len(),
            p50_ms: ms(histogram.value_at_quantile(0.50)),
            p99_ms: ms(histogram.value_at_quantile(0.99)),
            max_ms: ms(histogram.max()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Histogram<u64>> {
        // A panic while recording leaves a histogram that is still valid to read.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Default for Latencies {
    fn default() -> Self {
        Latencies::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_what_was_recorded() {
        let latencies = Latencies::new();
        for ms in 1..=100 {
            latencies.record(Duration::from_millis(ms));
        }
        let summary = latencies.summary();
        assert_eq!(summary.count, 100);
        assert!((summary.p50_ms - 50.0).abs() < 0.1, "{summary:?}");
        assert!((summary.p99_ms - 99.0).abs() < 0.1, "{summary:?}");
        assert!((summary.max_ms - 100.0).abs() < 0.1, "{summary:?}");
        assert_eq!(Latencies::new().summary(), Summary::default());
    }
}
