//! Log lines that a peer can cause (a forged UserSig, a refused REST call, a protocol
//! violation) are rate-limited: a flood of bad requests must not become a flood of log writes.
//! Each kind logs at most a few lines a second; the next line it logs says how many it
//! suppressed meanwhile.

use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(1);

/// One kind of log line, and how often it may be written.
pub struct LogLimit {
    per_second: u32,
    state: Mutex<Window>,
}

struct Window {
    started: Option<Instant>,
    logged: u32,
    suppressed: u64,
}

impl LogLimit {
    pub const fn per_second(per_second: u32) -> Self {
        LogLimit {
            per_second,
            state: Mutex::new(Window {
                started: None,
                logged: 0,
                suppressed: 0,
            }),
        }
    }

    /// Write the line with `log` unless this kind already wrote its share this second; `log`
    /// is given how many lines were suppressed since the last one written.
    pub fn log(&self, log: impl FnOnce(u64)) {
        let now = Instant::now();
        let suppressed = {
            let mut window = self.state.lock().unwrap_or_else(|p| p.into_inner());
            if window
                .started
                .is_none_or(|started| now.duration_since(started) >= WINDOW)
            {
                window.started = Some(now);
                window.logged = 0;
            }
            if window.logged >= self.per_second {
                window.suppressed += 1;
                return;
            }
            window.logged += 1;
            std::mem::take(&mut window.suppressed)
        };
        log(suppressed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_writes_a_few_lines_and_counts_the_rest() {
        let limit = LogLimit::per_second(3);
        let mut written = Vec::new();
        for _ in 0..100 {
            limit.log(|suppressed| written.push(suppressed));
        }
        assert_eq!(written, [0, 0, 0]);
        // A second later the next line says how many were left out.
        limit.state.lock().unwrap().started = Some(Instant::now() - WINDOW);
        limit.log(|suppressed| written.push(suppressed));
        assert_eq!(written, [0, 0, 0, 97]);
    }
}
