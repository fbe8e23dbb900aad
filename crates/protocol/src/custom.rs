//! Custom messages (TRTC's sendCustomCmdMsg): the limits both sides enforce, and the
//! one-second window that counts a sender's messages and bytes.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::codes::WarningCode;

/// Custom message ids run from 1 to this (TRTC's limit).
pub const MAX_CMD_ID: u8 = 10;
/// Bytes of data one message may carry (TRTC: 1 KB).
pub const MAX_MESSAGE_BYTES: usize = 1024;
/// Messages one sender may send per second, by default (TRTC: 30).
pub const MAX_MESSAGES_PER_SECOND: usize = 30;
/// Bytes of data one sender may send per second, by default (TRTC: 8 KB).
pub const MAX_BYTES_PER_SECOND: usize = 8 * 1024;

/// Messages a client may have sent that the server has not yet said it took (it says so every
/// [`ACKNOWLEDGE_EVERY`] messages and on every heartbeat). The client keeps them for resending
/// after a resume, and refuses another message while this many wait, so a message it accepted
/// is never dropped to make room. A resume may resend this many without their counting against
/// the per-second limits again (they did when first sent).
pub const MAX_UNACKNOWLEDGED_MESSAGES: u32 = 1024;

/// The server tells a client which custom messages it took after this many (and on every
/// heartbeat, for the rest).
pub const ACKNOWLEDGE_EVERY: u32 = 64;
/// The server allows this many times the per-second limits, for messages the network bunched
/// together; the client holds the app to the limits themselves.
pub const SERVER_SLACK: usize = 2;

const WINDOW: Duration = Duration::from_secs(1);

/// How much one sender may send per second. TRTC's figures by default; a self-hosted server
/// may set its own (a chat-heavy app, a benchmark) and tells each client in its `entered`
/// answer, so both sides hold the sender to the same limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimits {
    pub messages_per_second: u32,
    pub bytes_per_second: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            messages_per_second: MAX_MESSAGES_PER_SECOND as u32,
            bytes_per_second: MAX_BYTES_PER_SECOND as u32,
        }
    }
}

/// Why a message may not be sent: a warning code and a message that says what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: WarningCode,
    pub message: String,
}

/// Check one message's own shape (cmdId and size).
pub fn check_message(cmd_id: i64, bytes: usize) -> Result<u8, Refusal> {
    let cmd_id = u8::try_from(cmd_id)
        .ok()
        .filter(|id| (1..=MAX_CMD_ID).contains(id))
        .ok_or_else(|| Refusal {
            code: WarningCode::CustomCmdInvalid,
            message: format!("cmdId must be an integer from 1 to {MAX_CMD_ID}, got {cmd_id}"),
        })?;
    if bytes > MAX_MESSAGE_BYTES {
        return Err(Refusal {
            code: WarningCode::CustomCmdTooLarge,
            message: format!(
                "a custom message carries at most {MAX_MESSAGE_BYTES} bytes, got {bytes}; split it"
            ),
        });
    }
    Ok(cmd_id)
}

/// The messages a sender sent in the last second, to hold it to the per-second limits.
#[derive(Debug, Default)]
pub struct RateWindow {
    sent: VecDeque<(Instant, usize)>,
    bytes: usize,
}

impl RateWindow {
    /// Count a message of `bytes` sent at `now`, or refuse it when it would break a limit
    /// (then it is not counted).
    pub fn admit(&mut self, bytes: usize, now: Instant, limits: RateLimits) -> Result<(), Refusal> {
        self.admit_within(bytes, now, limits, 1)
    }

    /// [`RateWindow::admit`] with `slack` times the limits: what the server allows, since
    /// messages sent at the limit can arrive bunched together by the network.
    pub fn admit_within(
        &mut self,
        bytes: usize,
        now: Instant,
        limits: RateLimits,
        slack: usize,
    ) -> Result<(), Refusal> {
        let most_messages = limits.messages_per_second as usize;
        let most_bytes = limits.bytes_per_second as usize;
        while let Some((at, size)) = self.sent.front() {
            if now.duration_since(*at) < WINDOW {
                break;
            }
            self.bytes -= size;
            self.sent.pop_front();
        }
        if self.sent.len() >= most_messages.saturating_mul(slack) {
            return Err(Refusal {
                code: WarningCode::CustomCmdRateLimited,
                message: format!(
                    "at most {most_messages} custom messages per second; this one was not sent"
                ),
            });
        }
        if self.bytes + bytes > most_bytes.saturating_mul(slack) {
            return Err(Refusal {
                code: WarningCode::CustomCmdBandwidthLimited,
                message: format!(
                    "at most {most_bytes} bytes of custom messages per second; this one was not sent"
                ),
            });
        }
        self.sent.push_back((now, bytes));
        self.bytes += bytes;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_shape_is_checked() {
        assert_eq!(check_message(1, 0), Ok(1));
        assert_eq!(check_message(10, MAX_MESSAGE_BYTES), Ok(10));
        for bad in [0, 11, -1, 256] {
            assert_eq!(
                check_message(bad, 1).unwrap_err().code,
                WarningCode::CustomCmdInvalid
            );
        }
        let too_big = check_message(1, MAX_MESSAGE_BYTES + 1).unwrap_err();
        assert_eq!(too_big.code, WarningCode::CustomCmdTooLarge);
        assert!(too_big.message.contains("1025"), "{}", too_big.message);
    }

    #[test]
    fn the_window_holds_a_sender_to_30_messages_and_8_kb_per_second() {
        let start = Instant::now();
        let limits = RateLimits::default();
        let mut window = RateWindow::default();
        for _ in 0..MAX_MESSAGES_PER_SECOND {
            window.admit(10, start, limits).unwrap();
        }
        let refused = window.admit(10, start, limits).unwrap_err();
        assert_eq!(refused.code, WarningCode::CustomCmdRateLimited);
        // A second later the window has room again.
        window.admit(10, start + WINDOW, limits).unwrap();

        let mut window = RateWindow::default();
        for _ in 0..8 {
            window.admit(1024, start, limits).unwrap();
        }
        let refused = window.admit(1, start, limits).unwrap_err();
        assert_eq!(refused.code, WarningCode::CustomCmdBandwidthLimited);
        // Refused messages are not counted: after the window, all 8 KB are free again.
        window.admit(1024, start + WINDOW, limits).unwrap();
    }

    #[test]
    fn a_server_may_set_its_own_limits() {
        let start = Instant::now();
        let limits = RateLimits {
            messages_per_second: 500,
            bytes_per_second: 1_000_000,
        };
        let mut window = RateWindow::default();
        for _ in 0..500 {
            window.admit(100, start, limits).unwrap();
        }
        let refused = window.admit(100, start, limits).unwrap_err();
        assert!(
            refused.message.contains("at most 500 "),
            "{}",
            refused.message
        );
        // The server's slack doubles whatever the limits are.
        let mut window = RateWindow::default();
        for _ in 0..1000 {
            window.admit_within(1, start, limits, SERVER_SLACK).unwrap();
        }
        assert!(window.admit_within(1, start, limits, SERVER_SLACK).is_err());
    }
}
