//! How an engine reaches the room server: its URL, its deadlines and its reconnect policy.

use std::sync::Arc;
use std::time::Duration;

/// How long entering may take before `onEnterRoom(-3308)`.
pub const DEFAULT_ENTER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long exiting waits for the server's acknowledgement before completing locally.
pub const DEFAULT_EXIT_TIMEOUT: Duration = Duration::from_secs(3);
/// The server an engine talks to when the app names none.
pub const DEFAULT_SERVER_URL: &str = "ws://127.0.0.1:7788";

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub server_url: String,
    pub enter_timeout: Duration,
    pub exit_timeout: Duration,
    pub reconnect: ReconnectPolicy,
    /// PEM certificates trusted for `wss://` besides the system's and `NODE_EXTRA_CA_CERTS`
    /// (a private CA), checked with [`crate::tls::parse_ca_pem`].
    pub tls_ca: Option<Arc<[u8]>>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            server_url: DEFAULT_SERVER_URL.to_owned(),
            enter_timeout: DEFAULT_ENTER_TIMEOUT,
            exit_timeout: DEFAULT_EXIT_TIMEOUT,
            reconnect: ReconnectPolicy::default(),
            tls_ca: None,
        }
    }
}

/// What a session does when its connection breaks (EnableX's `allow_reconnect`,
/// `number_of_attempts`, `timeout_interval`). The first attempt is made at once; before each
/// later one the session waits `interval`, doubled each time up to `max_interval`, with ±20 %
/// jitter so that the clients of a restarted server do not all come back in the same instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconnectPolicy {
    /// Attempts before giving up; 0 turns reconnection off.
    pub attempts: u32,
    pub interval: Duration,
    pub max_interval: Duration,
}

/// Default number of reconnection attempts: with the default intervals, about 30 s of trying (0, 0.5, 1, 2, 4, 8, 8, 8 s).
pub const DEFAULT_RECONNECT_ATTEMPTS: u32 = 8;
pub const DEFAULT_RECONNECT_INTERVAL: Duration = Duration::from_millis(500);
pub const DEFAULT_RECONNECT_MAX_INTERVAL: Duration = Duration::from_secs(8);

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy {
            attempts: DEFAULT_RECONNECT_ATTEMPTS,
            interval: DEFAULT_RECONNECT_INTERVAL,
            max_interval: DEFAULT_RECONNECT_MAX_INTERVAL,
        }
    }
}

impl ReconnectPolicy {
    /// How long to wait before attempt `attempt` (1-based), before jitter.
    pub fn delay_before(&self, attempt: u32) -> Duration {
        if attempt <= 1 {
            return Duration::ZERO;
        }
        let doublings = (attempt - 2).min(20);
        self.interval
            .saturating_mul(1 << doublings)
            .min(self.max_interval.max(self.interval))
    }
}
