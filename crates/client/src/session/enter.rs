//! Entering: the first connection, the `enter` exchange, and what the server announces in
//! its answer (heartbeat, custom-message limits, resume token).

use std::time::Duration;

use openroom_protocol::custom::RateLimits;
use openroom_protocol::messages::{Outcome, Reply};
use openroom_protocol::{limits, ClientRequest, EnterRequest, ErrorCode, MemberState};
use tokio::time::{timeout_at, Instant};

use crate::connection::{Connection, ConnectionError};

use super::{answer_to, Session};

/// The heartbeat the server announced at enter; zero durations mean none.
#[derive(Clone, Copy)]
pub(super) struct Heartbeat {
    pub(super) ping_interval: Duration,
    pub(super) session_timeout: Duration,
}

impl Heartbeat {
    /// The heartbeat a server announced, moved into the ranges both sides agree on
    /// ([`limits::PING_INTERVAL`], [`limits::SESSION_TIMEOUT`]): a broken or hostile server
    /// cannot make the client ping every millisecond, or give up on a connection after a
    /// moment of quiet. A server that announces none gets the defaults.
    fn announced(ping_interval_ms: u64, session_timeout_ms: u64) -> Heartbeat {
        let or_default = |ms: u64, default: Duration| match ms {
            0 => default,
            ms => Duration::from_millis(ms),
        };
        Heartbeat {
            ping_interval: limits::clamp(
                or_default(ping_interval_ms, DEFAULT_PING_INTERVAL),
                &limits::PING_INTERVAL,
            ),
            session_timeout: limits::clamp(
                or_default(session_timeout_ms, DEFAULT_SESSION_TIMEOUT),
                &limits::SESSION_TIMEOUT,
            ),
        }
    }

    /// How long the server may be silent before the connection counts as lost: two missed
    /// pongs. Earlier than the server's own timeout, so a client whose connection died
    /// without a sound still finds its session parked on the server and resumes it. Also how
    /// long a write may take: a server that reads nothing that long is as good as gone.
    pub(super) fn silence_limit(self) -> Duration {
        self.session_timeout.min(self.ping_interval * 2)
    }
}

/// The heartbeat used with a server that announces none.
const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(10);

const DEFAULT_SESSION_TIMEOUT: Duration = Duration::from_secs(30);

/// The custom-message limits a server announced, moved into the ranges both sides agree on.
fn announced_limits(limits: RateLimits) -> RateLimits {
    RateLimits {
        messages_per_second: limits::clamp(
            limits.messages_per_second,
            &limits::CUSTOM_MESSAGES_PER_SECOND,
        ),
        bytes_per_second: limits::clamp(limits.bytes_per_second, &limits::CUSTOM_BYTES_PER_SECOND),
    }
}

/// What the server said yes to an enter with.
pub(super) struct Welcome {
    pub(super) members: Vec<MemberState>,
    pub(super) heartbeat: Heartbeat,
    pub(super) resume_token: Option<String>,
    /// After a resume that put the session back afresh: the last custom message it took.
    pub(super) last_message: Option<u32>,
    /// The server's limits on this member's custom messages.
    pub(super) custom_limits: RateLimits,
}

impl Welcome {
    pub(super) fn from_reply(reply: Reply) -> Result<Welcome, Reply> {
        match reply {
            Reply::Entered {
                members,
                ping_interval_ms,
                session_timeout_ms,
                resume_token,
                last_message,
                custom_limits,
            } => Ok(Welcome {
                custom_limits: announced_limits(custom_limits),
                members,
                heartbeat: Heartbeat::announced(ping_interval_ms, session_timeout_ms),
                resume_token,
                last_message,
            }),
            other => Err(other),
        }
    }
}

/// How entering ended.
pub(super) enum Entering {
    Entered(Box<Connection>, Welcome),
    Failed(i32, String),
    /// exitRoom() was called before the server let us in.
    Cancelled,
}

impl Session {
    pub(super) async fn enter(&mut self, request: EnterRequest, started: Instant) -> Entering {
        let deadline = started + self.config.enter_timeout;
        let url = self.config.server_url.clone();
        let enter_timeout = self.config.enter_timeout;
        let timed_out = || {
            Entering::Failed(
                ErrorCode::RoomRequestEnterRoomTimeout.value(),
                format!(
                    "the room server at {url} did not let us in within {} ms",
                    enter_timeout.as_millis()
                ),
            )
        };
        let failed = |error: ConnectionError| {
            Entering::Failed(ErrorCode::RoomEnterFail.value(), error.to_string())
        };
        // An exitRoom() already queued wins over progress on the network, so an app that exits
        // right after entering gets the cancellation whenever it is still possible.
        let transport = self.transport.clone();
        let opened = self
            .wait_while_away(timeout_at(deadline, transport.open(&url)))
            .await;
        let mut connection = match opened {
            None => return Entering::Cancelled,
            Some(Err(_)) => return timed_out(),
            Some(Ok(Err(error))) => return failed(error),
            Some(Ok(Ok(connection))) => connection,
        };
        connection.set_write_timeout(self.config.enter_timeout);
        let request_id = connection.send(ClientRequest::Enter(request));
        let answer = self
            .wait_while_away(timeout_at(deadline, answer_to(&mut connection, request_id)))
            .await;
        let Some(answer) = answer else {
            // A clean close: if the server let us in meanwhile, the others see us leave.
            self.close(connection).await;
            return Entering::Cancelled;
        };
        match answer {
            Err(_) => {
                self.close(connection).await;
                timed_out()
            }
            Ok(Err(error)) => Entering::Failed(
                ErrorCode::RoomEnterFail.value(),
                format!("the room server dropped the enter request: {error}"),
            ),
            Ok(Ok(Outcome::Ok(reply))) => match Welcome::from_reply(reply) {
                Ok(welcome) => Entering::Entered(Box::new(connection), welcome),
                Err(other) => {
                    self.close(connection).await;
                    Entering::Failed(
                        ErrorCode::RoomEnterFail.value(),
                        format!("the server answered enter with {other:?}"),
                    )
                }
            },
            Ok(Ok(Outcome::Error(body))) => {
                self.close(connection).await;
                Entering::Failed(body.code, body.message)
            }
        }
    }
}
