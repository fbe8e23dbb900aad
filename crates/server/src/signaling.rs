//! One signaling session per WebSocket connection: reads the client's requests, answers
//! each, and forwards the room's events numbered by a per-session sequence.
//!
//! A connection is in at most one room at a time. How a session ends is one [`Ending`], and
//! [`Ending::close_frame`] and [`Ending::leave_reason`] are the only places that decide what
//! the client and the room are told.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use openroom_protocol::messages::{ErrorBody, Outcome, Reply};
use openroom_protocol::{
    ClientFrame, ClientRequest, EnterRequest, ErrorCode, ExitReason, LeaveReason, RoomEvent,
    RoomId, ServerFrame, SwitchRequest, UserId, PROTOCOL_VERSION,
};
use serde::Deserialize;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{sleep_until, timeout, Instant};
use tokio_util::sync::CancellationToken;

use crate::auth;
use crate::config::{millis, ServerConfig, CLOSE_TIMEOUT, MEMBER_EVENT_QUEUE, SEND_TIMEOUT};
use crate::registry::Registry;
use crate::room::{EnterRefused, Entrant, RoomHandle, SessionId};

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
    ejection: oneshot::Receiver<ExitReason>,
}

/// What the room has for this session next.
enum RoomSignal {
    Event(RoomEvent),
    /// The server ended the membership (removal, dismissal); every earlier event was delivered.
    Ejected(ExitReason),
    /// The room dropped this member for falling behind.
    Dropped,
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// The client closed the WebSocket cleanly.
    ClientClosed,
    /// The connection broke, or the client stopped reading for [`SEND_TIMEOUT`].
    Lost,
    /// The client broke the protocol.
    ProtocolViolation(&'static str),
    /// The client was silent for longer than the session timeout.
    TimedOut,
    /// The server is shutting down.
    Shutdown,
    /// The server ended the membership; the client was sent `Ejected`.
    Ejected,
    /// The room dropped this member for falling behind.
    TooSlow,
}

impl Ending {
    /// The WebSocket close frame the client gets (RFC 6455 §7.4.1 codes), if any is owed.
    fn close_frame(self) -> Option<(u16, &'static str)> {
        match self {
            Ending::ClientClosed | Ending::Lost => None,
            Ending::ProtocolViolation(why) => Some((1008, why)),
            Ending::TimedOut => Some((1001, "session timed out: no ping from the client")),
            Ending::Shutdown => Some((1001, "server shutting down")),
            Ending::Ejected => Some((1000, "session ended by the server (see the ejected event)")),
            Ending::TooSlow => Some((1008, "event queue overflow: the client is not reading")),
        }
    }

    /// What the other members are told when the session was still in a room.
    fn leave_reason(self) -> LeaveReason {
        match self {
            Ending::ClientClosed => LeaveReason::Exited,
            _ => LeaveReason::ConnectionLost,
        }
    }
}

struct Session {
    id: SessionId,
    socket: WebSocket,
    ctx: SessionContext,
    membership: Option<Membership>,
    /// Sequence number of the last event sent on this session.
    seq: u64,
    /// When the client was last heard from (any frame, pings included).
    last_heard: Instant,
}

pub async fn run(socket: WebSocket, ctx: SessionContext) {
    let id = NEXT_SESSION.fetch_add(1, Ordering::Relaxed);
    let session = Session {
        id,
        socket,
        ctx,
        membership: None,
        seq: 0,
        last_heard: Instant::now(),
    };
    session.serve().await;
}

impl Session {
    async fn serve(mut self) {
        let ending = self.serve_until_end().await;
        if let Some((code, reason)) = ending.close_frame() {
            let frame = CloseFrame {
                code,
                reason: reason.into(),
            };
            let _ = timeout(CLOSE_TIMEOUT, self.socket.send(Message::Close(Some(frame)))).await;
        }
        if let Some(membership) = self.membership.take() {
            membership
                .room
                .exit(membership.user_id, self.id, ending.leave_reason())
                .await;
        }
        tracing::debug!(session = self.id, ?ending, "session ended");
    }

    async fn serve_until_end(&mut self) -> Ending {
        let timeout_after = self.ctx.config.session_timeout;
        loop {
            let silent_until = self.last_heard + timeout_after;
            let result = tokio::select! {
                // Shutdown first: it also closes rooms, and a session must not mistake its
                // room's going away for anything else.
                biased;
                _ = self.ctx.shutdown.cancelled() => Err(Ending::Shutdown),
                _ = sleep_until(silent_until) => {
                    tracing::info!(session = self.id, timeout_ms = timeout_after.as_millis() as u64, "client silent; dropping the session");
                    Err(Ending::TimedOut)
                }
                signal = next_signal(&mut self.membership) => self.on_room_signal(signal).await,
                message = self.socket.recv() => match self.heard(message) {
                    Some(Ok(Message::Text(text))) => self.handle_text(text.as_str()).await,
                    Some(Ok(Message::Binary(_))) => {
                        Err(Ending::ProtocolViolation("binary frames are not part of the protocol"))
                    }
                    Some(Ok(Message::Close(_))) | None => Err(Ending::ClientClosed),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(()),
                    Some(Err(error)) => {
                        tracing::debug!(session = self.id, %error, "connection broke");
                        Err(Ending::Lost)
                    }
                },
            };
            if let Err(ending) = result {
                return ending;
            }
        }
    }

    /// Note that the client was heard from, and pass the message on.
    fn heard<T>(&mut self, message: T) -> T {
        self.last_heard = Instant::now();
        message
    }

    async fn on_room_signal(&mut self, signal: RoomSignal) -> Result<(), Ending> {
        match signal {
            RoomSignal::Event(event) => self.send_event(event).await,
            RoomSignal::Ejected(reason) => {
                // The room already dropped this member: nothing to tell it on the way out.
                self.membership = None;
                self.send_event(RoomEvent::Ejected { reason }).await?;
                Err(Ending::Ejected)
            }
            RoomSignal::Dropped => {
                self.membership = None;
                if self.ctx.shutdown.is_cancelled() {
                    // The room closed for the shutdown, not because this client fell behind.
                    return Err(Ending::Shutdown);
                }
                tracing::warn!(
                    session = self.id,
                    "member dropped by its room for falling behind"
                );
                Err(Ending::TooSlow)
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
                let body =
                    ErrorBody::new(ErrorCode::RoomEnterFail, format!("bad request: {error}"));
                return self.respond(id, Outcome::Error(body)).await;
            }
        };
        let outcome = match frame.request {
            ClientRequest::Enter(request) => match self.enter(request).await {
                Ok(members) => Outcome::Ok(Reply::Entered {
                    members,
                    ping_interval_ms: millis(self.ctx.config.ping_interval()),
                    session_timeout_ms: millis(self.ctx.config.session_timeout),
                }),
                Err(body) => Outcome::Error(body),
            },
            ClientRequest::Exit => {
                self.exit().await?;
                Outcome::Ok(Reply::Exited)
            }
            ClientRequest::Switch(request) => match self.switch(request).await? {
                Ok(members) => Outcome::Ok(Reply::Switched { members }),
                Err(body) => Outcome::Error(body),
            },
        };
        self.respond(frame.id, outcome).await
    }

    async fn enter(&mut self, request: EnterRequest) -> Result<Vec<UserId>, ErrorBody> {
        if request.protocol != PROTOCOL_VERSION {
            return Err(ErrorBody::new(
                ErrorCode::RoomEnterFail,
                format!(
                    "protocol version {} is not supported; this server speaks {PROTOCOL_VERSION}",
                    request.protocol
                ),
            ));
        }
        if let Some(current) = &self.membership {
            return Err(ErrorBody::new(
                ErrorCode::RoomEnterFail,
                format!(
                    "this connection is already in {}; exit it first",
                    current.room_id
                ),
            ));
        }
        let config = &self.ctx.config;
        if request.sdk_app_id != config.sdk_app_id {
            return Err(ErrorBody::new(
                ErrorCode::SdkAppIdInvalid,
                format!(
                    "sdkAppId {} is not served here; this server's sdkAppId is {}",
                    request.sdk_app_id, config.sdk_app_id
                ),
            ));
        }
        auth::check(config, request.user_id.as_str(), &request.user_sig)
            .map_err(|error| ErrorBody::new(ErrorCode::UserSigInvalid, error.to_string()))?;

        let (membership, members) = join(&self.ctx, self.id, request.room, request.user_id).await?;
        tracing::info!(session = self.id, room = %membership.room_id, user = %membership.user_id, "entered");
        self.membership = Some(membership);
        Ok(members)
    }

    /// Move to another room: enter the new one first, so a refusal (full, bad UserSig) leaves
    /// the member in its old room untouched; then leave the old one, whose members are told
    /// (reason 0), and deliver its last events before answering.
    async fn switch(
        &mut self,
        request: SwitchRequest,
    ) -> Result<Result<Vec<UserId>, ErrorBody>, Ending> {
        let refuse = |code: ErrorCode, message: String| Ok(Err(ErrorBody::new(code, message)));
        let Some(current) = &self.membership else {
            return refuse(
                ErrorCode::RoomEnterFail,
                "not in a room: enterRoom first".into(),
            );
        };
        if current.room_id == request.room {
            return refuse(
                ErrorCode::RoomEnterFail,
                format!("already in {}", request.room),
            );
        }
        let user_id = current.user_id.clone();
        if let Err(error) = auth::check(&self.ctx.config, user_id.as_str(), &request.user_sig) {
            return refuse(ErrorCode::UserSigInvalid, error.to_string());
        }
        let (joined, members) = match join(&self.ctx, self.id, request.room, user_id).await {
            Ok(joined) => joined,
            Err(body) => return Ok(Err(body)),
        };
        if let Some(mut old) = self.membership.take() {
            old.room
                .exit(old.user_id.clone(), self.id, LeaveReason::Exited)
                .await;
            while let Some(event) = old.events.recv().await {
                self.send_event(event).await?;
            }
            tracing::info!(session = self.id, from = %old.room_id, to = %joined.room_id, user = %joined.user_id, "switched");
        }
        self.membership = Some(joined);
        Ok(Ok(members))
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
            self.send_event(event).await?;
        }
        tracing::info!(session = self.id, room = %membership.room_id, user = %membership.user_id, "exited");
        Ok(())
    }

    async fn send_event(&mut self, event: RoomEvent) -> Result<(), Ending> {
        self.seq = self.seq.wrapping_add(1);
        let frame = ServerFrame::Event {
            seq: self.seq,
            event,
        };
        self.send(&frame).await
    }

    async fn respond(&mut self, id: u64, result: Outcome) -> Result<(), Ending> {
        self.send(&ServerFrame::Response { id, result }).await
    }

    /// Hand one frame to the socket; gives up on shutdown or after [`SEND_TIMEOUT`], so a
    /// client that stops reading cannot hold the session forever.
    async fn send(&mut self, frame: &ServerFrame) -> Result<(), Ending> {
        let text = serde_json::to_string(frame).expect("server frames always serialize");
        tokio::select! {
            biased;
            _ = self.ctx.shutdown.cancelled() => Err(Ending::Shutdown),
            sent = timeout(SEND_TIMEOUT, self.socket.send(Message::Text(text.into()))) => match sent {
                Ok(Ok(())) => Ok(()),
                Ok(Err(_)) => Err(Ending::Lost),
                Err(_) => {
                    tracing::warn!(session = self.id, "client stopped reading; dropping the session");
                    Err(Ending::Lost)
                }
            },
        }
    }
}

/// Enter `room_id` as `user_id` on this session, retrying when the room was closing.
/// Returns the membership and the others present.
async fn join(
    ctx: &SessionContext,
    session: SessionId,
    room_id: RoomId,
    user_id: UserId,
) -> Result<(Membership, Vec<UserId>), ErrorBody> {
    for _ in 0..ENTER_ATTEMPTS {
        let (events_tx, events) = mpsc::channel(MEMBER_EVENT_QUEUE);
        let (ejection_tx, ejection) = oneshot::channel();
        let room = ctx
            .registry
            .get_or_open(&room_id)
            .map_err(|limit| ErrorBody::new(ErrorCode::ServerRoomLimit, limit.to_string()))?;
        let entrant = Entrant {
            user_id: user_id.clone(),
            session,
            events: events_tx,
            ejection: ejection_tx,
        };
        match room.enter(entrant).await {
            Ok(members) => {
                let membership = Membership {
                    room,
                    room_id,
                    user_id,
                    events,
                    ejection,
                };
                return Ok((membership, members));
            }
            Err(EnterRefused::Closed(_)) => continue,
            Err(EnterRefused::Full(limit)) => {
                return Err(ErrorBody::new(
                    ErrorCode::RoomFull,
                    format!(
                        "{room_id} is full: it holds its limit of {limit} members; try again when someone leaves"
                    ),
                ));
            }
        }
    }
    Err(ErrorBody::new(
        ErrorCode::RoomEnterFail,
        format!("{room_id} kept closing while entering; try again"),
    ))
}

/// What the current room has for this session next; never ready when there is no room.
async fn next_signal(membership: &mut Option<Membership>) -> RoomSignal {
    let Some(membership) = membership else {
        return std::future::pending().await;
    };
    match membership.events.recv().await {
        Some(event) => RoomSignal::Event(event),
        // The room dropped the queue: it either ejected the member (and said why first) or
        // dropped it for falling behind.
        None => match membership.ejection.try_recv() {
            Ok(reason) => RoomSignal::Ejected(reason),
            Err(_) => RoomSignal::Dropped,
        },
    }
}
