//! One signaling session per WebSocket connection: reads the client's requests, answers
//! each, and forwards the room's events numbered by a per-session sequence.
//!
//! A connection is in at most one room at a time. When it ends without an `exit`, the room is
//! told the member left: with reason `Exited` after a clean WebSocket close, `ConnectionLost`
//! otherwise.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use openroom_protocol::messages::{ErrorBody, Outcome, Reply};
use openroom_protocol::{
    ClientFrame, ClientRequest, EnterRequest, ErrorCode, LeaveReason, RoomEvent, RoomId,
    ServerFrame, UserId, PROTOCOL_VERSION,
};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::auth;
use crate::config::{ServerConfig, MEMBER_EVENT_QUEUE};
use crate::registry::Registry;
use crate::room::{EnterRefused, Entrant, RoomHandle, SessionId};

/// WebSocket close codes this server sends (RFC 6455 §7.4.1).
mod close_code {
    pub const NORMAL: u16 = 1000;
    pub const GOING_AWAY: u16 = 1001;
    pub const POLICY: u16 = 1008;
}

/// Entering retries this often when it races with the room closing; each retry opens a fresh
/// room, so more than one is rare and three is plenty.
const ENTER_ATTEMPTS: usize = 3;

static NEXT_SESSION: AtomicU64 = AtomicU64::new(1);

/// What a session needs from the server around it.
#[derive(Clone)]
pub struct SessionContext {
    pub config: std::sync::Arc<ServerConfig>,
    pub registry: Registry,
    pub shutdown: CancellationToken,
}

/// The session's current room.
struct Membership {
    room: RoomHandle,
    room_id: RoomId,
    user_id: UserId,
    events: mpsc::Receiver<RoomEvent>,
}

struct Session {
    id: SessionId,
    socket: WebSocket,
    ctx: SessionContext,
    membership: Option<Membership>,
    /// Sequence number of the last event sent on this session.
    seq: u64,
}

/// How a session ended, which decides what the room is told.
enum Ending {
    /// The client closed the WebSocket cleanly.
    ClientClosed,
    /// The connection broke, or the client broke the protocol.
    Lost,
    /// The server closed the session (shutdown, removal, dismissal, slow member).
    ServerClosed,
}

pub async fn run(socket: WebSocket, ctx: SessionContext) {
    let id = NEXT_SESSION.fetch_add(1, Ordering::Relaxed);
    let session = Session {
        id,
        socket,
        ctx,
        membership: None,
        seq: 0,
    };
    session.serve().await;
}

impl Session {
    async fn serve(mut self) {
        let ending = self.serve_until_end().await;
        if let Some(membership) = self.membership.take() {
            let reason = match ending {
                Ending::ClientClosed => LeaveReason::Exited,
                Ending::Lost | Ending::ServerClosed => LeaveReason::ConnectionLost,
            };
            membership
                .room
                .exit(membership.user_id, self.id, reason)
                .await;
        }
        tracing::debug!(session = self.id, "session ended");
    }

    async fn serve_until_end(&mut self) -> Ending {
        loop {
            tokio::select! {
                _ = self.ctx.shutdown.cancelled() => {
                    self.close(close_code::GOING_AWAY, "server shutting down").await;
                    return Ending::ServerClosed;
                }
                event = next_event(&mut self.membership) => match event {
                    Some(event) => {
                        let ejected = matches!(event, RoomEvent::Ejected { .. });
                        if self.send_event(event).await.is_err() {
                            return Ending::Lost;
                        }
                        if ejected {
                            // The room already dropped this member: nothing to tell it.
                            self.membership = None;
                            self.close(close_code::NORMAL, "removed from the room").await;
                            return Ending::ServerClosed;
                        }
                    }
                    None => {
                        tracing::warn!(session = self.id, "member dropped by its room for falling behind");
                        self.membership = None;
                        self.close(close_code::POLICY, "event queue overflow: the client is not reading").await;
                        return Ending::ServerClosed;
                    }
                },
                message = self.socket.recv() => match message {
                    Some(Ok(Message::Text(text))) => {
                        if let Err(ending) = self.handle_text(text.as_str()).await {
                            return ending;
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        self.close(close_code::POLICY, "binary frames are not part of the protocol").await;
                        return Ending::Lost;
                    }
                    Some(Ok(Message::Close(_))) | None => return Ending::ClientClosed,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Err(error)) => {
                        tracing::debug!(session = self.id, %error, "connection broke");
                        return Ending::Lost;
                    }
                },
            }
        }
    }

    async fn handle_text(&mut self, text: &str) -> Result<(), Ending> {
        let frame: ClientFrame = match serde_json::from_str(text) {
            Ok(frame) => frame,
            Err(error) => {
                // Answer under the request's id when it has one, so the client can match it.
                #[derive(Deserialize)]
                struct JustId {
                    id: u64,
                }
                let id = serde_json::from_str::<JustId>(text)
                    .map(|j| j.id)
                    .unwrap_or(0);
                let body = ErrorBody {
                    code: ErrorCode::RoomEnterFail.value(),
                    message: format!("bad request: {error}"),
                };
                return self.respond(id, Outcome::Error(body)).await;
            }
        };
        let outcome = match frame.request {
            ClientRequest::Enter(request) => match self.enter(request).await {
                Ok(members) => Outcome::Ok(Reply::Entered { members }),
                Err(body) => Outcome::Error(body),
            },
            ClientRequest::Exit => {
                self.exit().await?;
                Outcome::Ok(Reply::Exited)
            }
        };
        self.respond(frame.id, outcome).await
    }

    async fn enter(&mut self, request: EnterRequest) -> Result<Vec<UserId>, ErrorBody> {
        let refuse = |code: ErrorCode, message: String| ErrorBody {
            code: code.value(),
            message,
        };
        if request.protocol != PROTOCOL_VERSION {
            return Err(refuse(
                ErrorCode::RoomEnterFail,
                format!(
                    "protocol version {} is not supported; this server speaks {PROTOCOL_VERSION}",
                    request.protocol
                ),
            ));
        }
        if let Some(current) = &self.membership {
            return Err(refuse(
                ErrorCode::RoomEnterFail,
                format!(
                    "this connection is already in {}; exit it first",
                    current.room_id
                ),
            ));
        }
        let config = &self.ctx.config;
        if request.sdk_app_id != config.sdk_app_id {
            return Err(refuse(
                ErrorCode::SdkAppIdInvalid,
                format!(
                    "sdkAppId {} is not served here; this server's sdkAppId is {}",
                    request.sdk_app_id, config.sdk_app_id
                ),
            ));
        }
        auth::check(config, request.user_id.as_str(), &request.user_sig)
            .map_err(|error| refuse(ErrorCode::UserSigInvalid, error.to_string()))?;

        for _ in 0..ENTER_ATTEMPTS {
            let (events_tx, events) = mpsc::channel(MEMBER_EVENT_QUEUE);
            let room = self.ctx.registry.get_or_open(&request.room);
            let entrant = Entrant {
                user_id: request.user_id.clone(),
                session: self.id,
                events: events_tx,
            };
            match room.enter(entrant).await {
                Ok(members) => {
                    tracing::info!(session = self.id, room = %request.room, user = %request.user_id, "entered");
                    self.membership = Some(Membership {
                        room,
                        room_id: request.room,
                        user_id: request.user_id,
                        events,
                    });
                    return Ok(members);
                }
                Err(EnterRefused::Closed(_)) => continue,
                Err(refused @ EnterRefused::AlreadyPresent(_)) => {
                    return Err(refuse(ErrorCode::RoomEnterFail, refused.to_string()));
                }
            }
        }
        Err(refuse(
            ErrorCode::RoomEnterFail,
            format!("{} kept closing while entering; try again", request.room),
        ))
    }

    /// Leave the current room: the room tells the others before it answers. The events the
    /// member was sent up to that point are delivered before the exit is acknowledged.
    async fn exit(&mut self) -> Result<(), Ending> {
        let Some(mut membership) = self.membership.take() else {
            return Ok(());
        };
        membership
            .room
            .exit(membership.user_id.clone(), self.id, LeaveReason::Exited)
            .await;
        // The room has dropped this member's queue: drain what is left, then it ends.
        while let Some(event) = membership.events.recv().await {
            if matches!(event, RoomEvent::Ejected { .. }) {
                continue;
            }
            self.send_event(event).await.map_err(|_| Ending::Lost)?;
        }
        tracing::info!(session = self.id, room = %membership.room_id, user = %membership.user_id, "exited");
        Ok(())
    }

    async fn send_event(&mut self, event: RoomEvent) -> Result<(), axum::Error> {
        self.seq += 1;
        let frame = ServerFrame::Event {
            seq: self.seq,
            event,
        };
        self.send(&frame).await
    }

    async fn respond(&mut self, id: u64, result: Outcome) -> Result<(), Ending> {
        self.send(&ServerFrame::Response { id, result })
            .await
            .map_err(|_| Ending::Lost)
    }

    async fn send(&mut self, frame: &ServerFrame) -> Result<(), axum::Error> {
        let text = serde_json::to_string(frame).expect("server frames always serialize");
        self.socket.send(Message::Text(text.into())).await
    }

    async fn close(&mut self, code: u16, reason: &'static str) {
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        let _ = self.socket.send(Message::Close(Some(frame))).await;
    }
}

/// The next event of the current room; never ready when there is no room.
async fn next_event(membership: &mut Option<Membership>) -> Option<RoomEvent> {
    match membership {
        Some(membership) => membership.events.recv().await,
        None => std::future::pending().await,
    }
}
