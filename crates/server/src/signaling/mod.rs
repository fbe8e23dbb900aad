//! One signaling session per WebSocket connection: reads the client's requests, answers
//! each, and forwards the room's events numbered by a per-session sequence.
//!
//! A connection is in at most one room at a time. How a connection ends is one [`Ending`],
//! and [`Ending::close_frame`] and [`Ending::leave_reason`] are the only places that decide
//! what the client and the room are told.
//!
//! A session in a room outlives a broken connection: the task parks it (still a member; the
//! room's events queue up) until the client's session timeout, counted from when it was last
//! heard. A new connection that presents the session's resume token takes it over (see
//! [`crate::resume`]): the events the client missed are sent again from the replay buffer,
//! and nobody else notices anything.
//!
//! This file holds the session loop, how a session ends, and sending; `state.rs` what a
//! session is (what moves on a resume); one file per kind of request handles it: `enter.rs`,
//! `switch.rs` (and exit), `message.rs`, `publish.rs`, `member_data.rs`, `role.rs`, and
//! `takeover.rs` (resume).

mod enter;
mod member_data;
mod message;
mod publish;
mod role;
mod state;
mod switch;
mod takeover;

use std::sync::atomic::{AtomicU64, Ordering};

use openroom_protocol::custom::RateWindow;
use openroom_protocol::messages::{ErrorBody, Outcome, Reply};
use openroom_protocol::{
    ClientFrame, ClientRequest, ErrorCode, ExitReason, LeaveReason, Publishing, RoomEvent, Scene,
    ServerFrame, UserData,
};
use serde::Deserialize;
use tokio::time::{sleep_until, timeout, Instant};
use tokio_util::sync::CancellationToken;

use crate::config::{ServerConfig, USER_DATA_UPDATES_PER_SECOND};
use crate::link::{Inbound, Link, TrySend, Violation};
use crate::log_limit::LogLimit;
use crate::rate::TokenBucket;
use crate::registry::Registry;
use crate::resume::{Directory, ReplayBuffer, Takeover};
use crate::room::Presence;
use crate::room_permission::{Admission, PublishGate};
use crate::shared_event::SharedEvent;

pub use state::SessionState;
use state::{next_signal, next_takeover, Membership, Parked, PreviousRoom, Resumable, RoomSignal};

/// Entering retries this often when it races with the room closing; each retry opens a fresh
/// room, so more than one is rare and three is plenty.
const ENTER_ATTEMPTS: usize = 3;

static NEXT_SESSION: AtomicU64 = AtomicU64::new(1);

/// Refused UserSigs are logged, a few a second at most.
static REFUSED_SIGS: LogLimit = LogLimit::per_second(10);
/// Resumes refused for want of proof: logged at most this often.
static REFUSED_RESUMES: LogLimit = LogLimit::per_second(10);

/// What a session needs from the server around it.
#[derive(Clone)]
pub struct SessionContext {
    pub config: std::sync::Arc<ServerConfig>,
    pub registry: Registry,
    pub shutdown: CancellationToken,
    /// Sessions that a new connection may take over.
    pub sessions: Directory<SessionState>,
}

/// Room events a session sends in one go when they are already queued.
const EVENT_BURST: usize = 32;

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// The client closed the WebSocket cleanly.
    ClientClosed,
    /// The connection broke, or the client stopped reading for the write timeout.
    Lost,
    /// The client broke the protocol.
    ProtocolViolation(Violation),
    /// The session was not in a room for longer than the server allows.
    NotEntered,
    /// The client was silent for longer than the session timeout.
    TimedOut,
    /// The server is shutting down.
    Shutdown,
    /// The server ended the membership; the client was sent `Ejected`.
    Ejected(ExitReason),
    /// The room dropped this member for falling behind.
    TooSlow,
    /// A new connection resumed the session.
    TakenOver,
}

impl Ending {
    /// The WebSocket close frame the client gets (RFC 6455 §7.4.1 codes), if any is owed.
    fn close_frame(self) -> Option<(u16, &'static str)> {
        match self {
            Ending::ClientClosed | Ending::Lost => None,
            Ending::ProtocolViolation(violation) => Some((violation.code, violation.why)),
            Ending::NotEntered => Some((
                1008,
                "no room entered in time: send enter (or resume) as soon as the connection opens",
            )),
            Ending::TimedOut => Some((1001, "session timed out: no ping from the client")),
            Ending::Shutdown => Some((1001, "server shutting down")),
            Ending::Ejected(_) => {
                Some((1000, "session ended by the server (see the ejected event)"))
            }
            Ending::TooSlow => Some((1008, "event queue overflow: the client is not reading")),
            Ending::TakenOver => Some((1000, "session resumed on another connection")),
        }
    }

    /// Whether the session waits for the client to come back instead of leaving its room.
    fn parks(self) -> bool {
        match self {
            Ending::Lost | Ending::TimedOut => true,
            Ending::ProtocolViolation(violation) => violation.parks,
            _ => false,
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

/// One channel of a connection and the session it serves (its own, or one it resumed).
struct Session {
    link: Link,
    ctx: SessionContext,
    state: SessionState,
    /// When the client was last heard from (any frame, pings included).
    last_heard: Instant,
    /// Since when the session has been outside a room (its start, or its last exit): it must
    /// enter within the server's `enter_within` of it.
    outside_room_since: Instant,
    /// The state changes the client asked for lately, to hold it to the server's rate.
    requests: TokenBucket,
    /// Publishing that came faster than the rate allows (its request id, and the state):
    /// applied when it does.
    deferred_publish: Option<(u64, Publishing)>,
    /// setUserData requests, held to [`USER_DATA_UPDATES_PER_SECOND`].
    user_data_updates: TokenBucket,
    /// A setUserData that came faster than that (its request id, and the data; None clears
    /// it): applied, and answered, when the rate allows; a later one replaces it.
    deferred_user_data: Option<(u64, Option<UserData>)>,
    /// Set when a new connection asked for this session: where to hand it over.
    handover: Option<Takeover<SessionState>>,
}

/// Serve the session of one channel (see [`crate::channels`]).
pub(crate) async fn run(link: Link, ctx: SessionContext) {
    let state = SessionState {
        id: NEXT_SESSION.fetch_add(1, Ordering::Relaxed),
        membership: None,
        seq: 0,
        sent: ReplayBuffer::default(),
        resumable: None,
        messages: RateWindow::default(),
        last_message: 0,
        resent_upto: 0,
        last_message_at: std::time::Instant::now(),
        last_message_told: 0,
        scene: Scene::default(),
        presence: Presence::default(),
        publish_gate: PublishGate::default(),
        resume_key: None,
        admission: Admission::Unrestricted,
        user_sig_expires_at: 0,
        previous: None,
        publish_refusal: None,
    };
    let now = Instant::now();
    let requests = TokenBucket::full(ctx.config.peers.requests_per_second, now.into_std());
    let session = Session {
        link,
        ctx,
        state,
        last_heard: now,
        outside_room_since: now,
        requests,
        deferred_publish: None,
        user_data_updates: TokenBucket::full(USER_DATA_UPDATES_PER_SECOND, now.into_std()),
        deferred_user_data: None,
        handover: None,
    };
    session.serve().await;
}

impl Session {
    async fn serve(mut self) {
        let ending = self.serve_until_end().await;
        // The end (parking, handing over, leaving the room) runs once per session: boxed, so
        // that its state is no part of every live session's.
        Box::pin(self.end(ending)).await;
    }

    /// Finish the session after `ending`: park it, hand it over, or leave its room, and free
    /// its channel with the close frame it owes.
    async fn end(self, ending: Ending) {
        let Session {
            link,
            ctx,
            mut state,
            last_heard,
            handover,
            ..
        } = self;
        let close = ending.close_frame();
        let by_client = ending == Ending::ClientClosed;
        let id = state.id;
        let mut handover = handover;
        let parks = handover.is_none() && ending.parks() && state.resumable.is_some();
        // A session that lives on (parked, or handed over) frees its channel now; one that
        // ends frees it once it has left its room, so the client hears of the end after it.
        let mut link = Some(link);
        if handover.is_some() || parks {
            if let Some(link) = link.take() {
                link.end(close, by_client).await;
            }
        }
        if parks {
            let until = last_heard + ctx.config.session_timeout;
            tracing::debug!(session = id, ?ending, "connection lost; session parked");
            if let Parked::Resumed(to) = state.park(until, &ctx.shutdown).await {
                handover = Some(to);
            }
        }
        if let Some(to) = handover {
            // The session lives on in the new connection's task; if that task is already gone
            // the session is dropped with it, and the room drops the member on its next event.
            let _ = to.send(state);
            tracing::debug!(session = id, "session handed to a new connection");
            return;
        }
        let ejected = match ending {
            Ending::Ejected(reason) => Some(reason),
            _ => state.ejection_while_parked(),
        };
        if let Some(resumable) = state.resumable.take() {
            ctx.sessions.forget(&resumable.token, ejected);
        }
        if let Some(membership) = state.membership.take() {
            membership
                .room
                .exit(membership.user_id, id, ending.leave_reason())
                .await;
        }
        if let Some(link) = link {
            link.end(close, by_client).await;
        }
        tracing::debug!(session = id, ?ending, "session ended");
    }

    async fn serve_until_end(&mut self) -> Ending {
        let timeout_after = self.ctx.config.session_timeout;
        let enter_within = self.ctx.config.peers.enter_within;
        loop {
            let silent_until = self.last_heard + timeout_after;
            // Outside a room, the session has its enter deadline too, pings or not: one timer
            // for whichever comes first.
            let enter_by = self
                .state
                .membership
                .is_none()
                .then(|| self.outside_room_since + enter_within)
                .filter(|enter_by| *enter_by < silent_until);
            let publish_at = self
                .deferred_publish
                .is_some()
                .then(|| self.publish_allowed_at());
            let user_data_at = self
                .deferred_user_data
                .is_some()
                .then(|| self.user_data_allowed_at());
            let deferred_at = publish_at.into_iter().chain(user_data_at).min();
            // One timer for whichever comes first (each timer is part of every idle session's
            // state): held-back publishing or member data, the enter deadline, silence.
            let wake_at = [deferred_at, enter_by]
                .into_iter()
                .flatten()
                .fold(silent_until, Instant::min);
            let result = tokio::select! {
                // Shutdown first: it also closes rooms, and a session must not mistake its
                // room's going away for anything else.
                biased;
                _ = self.ctx.shutdown.cancelled() => Err(Ending::Shutdown),
                _ = sleep_until(wake_at) => {
                    if deferred_at.is_some_and(|at| at <= wake_at) {
                        self.apply_deferred().await
                    } else if enter_by.is_some() {
                        tracing::debug!(session = self.state.id, peer = %self.link.peer(), "no room entered in time; closing");
                        Err(Ending::NotEntered)
                    } else {
                        tracing::info!(session = self.state.id, timeout_ms = timeout_after.as_millis() as u64, "client silent; dropping the connection");
                        Err(Ending::TimedOut)
                    }
                }
                request = next_takeover(&mut self.state.resumable) => {
                    self.handover = Some(request);
                    Err(Ending::TakenOver)
                }
                signal = next_signal(&mut self.state.membership) => self.on_room_signal(signal).await,
                inbound = self.link.recv() => match self.heard(inbound) {
                    Inbound::Text(text) => self.handle_text(&text).await,
                    Inbound::Heartbeat(acknowledged) => {
                        // A client's ping carries the seq of the last event it received.
                        if let Some(seq) = acknowledged {
                            self.state.sent.acknowledge(seq);
                        }
                        // And is answered with the custom messages taken since the last word.
                        self.acknowledge_messages().await
                    }
                    Inbound::Closed => Err(Ending::ClientClosed),
                    Inbound::Violation(violation) => Err(Ending::ProtocolViolation(violation)),
                    Inbound::Broken => {
                        tracing::debug!(session = self.state.id, "connection broke");
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
            RoomSignal::Event(event) => {
                self.send_event(event).await?;
                // The rest of a burst (a busy room) goes out without a turn of the session's
                // loop per event, each of which sets up its timers and waits again; a bounded
                // number, so the client's requests and the silence check wait only briefly.
                for _ in 1..EVENT_BURST {
                    let next = self.state.membership.as_ref().map(|m| m.events.try_recv());
                    let Some(Ok(event)) = next else { break };
                    self.send_event(event).await?;
                }
                Ok(())
            }
            RoomSignal::Ejected(reason) => {
                // The room already dropped this member: nothing to tell it on the way out. If
                // the client cannot be told now, the directory remembers why for its return.
                self.state.membership = None;
                let _ = self.send_event(RoomEvent::Ejected { reason }.into()).await;
                Err(Ending::Ejected(reason))
            }
            RoomSignal::Dropped => {
                self.state.membership = None;
                if self.ctx.shutdown.is_cancelled() {
                    // The room closed for the shutdown, not because this client fell behind.
                    return Err(Ending::Shutdown);
                }
                tracing::warn!(
                    session = self.state.id,
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
        let per_second = self.ctx.config.peers.requests_per_second;
        if frame.request.changes_state()
            && !self.requests.take(per_second, std::time::Instant::now())
        {
            if let ClientRequest::Publish(publishing) = frame.request {
                // Never refused: what the client publishes last must be what the room shows.
                // Held back, and applied (the latest of them) when the rate allows.
                self.deferred_publish = Some((frame.id, publishing));
                return Ok(());
            }
            let body = ErrorBody::new(
                ErrorCode::RateLimited,
                format!("too many requests: this server takes {per_second} state changes (enter, switchRoom, switchRole, publishing) per second from a session, in bursts of twice as many; this one was not done"),
            );
            return self.respond(frame.id, Outcome::Error(body)).await;
        }
        // The rare, heavy requests (enter, resume, switch, switchRole) run boxed: their state
        // would otherwise be part of every idle session's future, a few KB per connection.
        let outcome = match frame.request {
            ClientRequest::Enter(request) => match Box::pin(self.enter(request)).await {
                Ok(members) => self.entered(members),
                Err(body) => Outcome::Error(body),
            },
            ClientRequest::Resume(request) => {
                return Box::pin(self.resume(frame.id, request)).await;
            }
            ClientRequest::Message(request) => match self.message(request).await {
                Ok(()) => return self.acknowledge_messages_every().await,
                Err(refusal) => Outcome::Error(ErrorBody {
                    code: refusal.code.value(),
                    message: refusal.message,
                }),
            },
            ClientRequest::Exit => {
                self.exit().await?;
                Outcome::Ok(Reply::Exited)
            }
            ClientRequest::Switch(request) => match Box::pin(self.switch(request)).await? {
                Ok(members) => Outcome::Ok(Reply::Switched { members }),
                Err(body) => Outcome::Error(body),
            },
            ClientRequest::Publish(publishing) => return self.publish(frame.id, publishing).await,
            ClientRequest::SwitchRole(request) => {
                match Box::pin(self.switch_role(request.role)).await {
                    Ok(()) => Outcome::Ok(Reply::RoleSwitched { role: request.role }),
                    Err(body) => Outcome::Error(body),
                }
            }
            ClientRequest::SetUserData(request) => {
                return self.on_set_user_data(frame.id, request.user_data).await;
            }
        };
        self.respond(frame.id, outcome).await?;
        self.tell_publish_refusal(frame.id).await
    }

    async fn send_event(&mut self, event: SharedEvent) -> Result<(), Ending> {
        let text = self.record_event(event);
        self.send_text(text).await
    }

    /// Number the event and keep it for replay; returns its frame, to send.
    fn record_event(&mut self, event: SharedEvent) -> String {
        self.state.seq = self.state.seq.wrapping_add(1);
        let frame = event.frame(self.state.seq);
        if self.state.resumable.is_some() {
            self.state.sent.push(self.state.seq, event);
        }
        frame
    }

    async fn respond(&mut self, id: u64, result: Outcome) -> Result<(), Ending> {
        let frame = ServerFrame::Response { id, result };
        let text = serde_json::to_string(&frame).expect("server frames always serialize");
        self.send_text(text).await
    }

    /// Hand one frame to the socket; gives up on shutdown or after the write timeout, so a
    /// client that stops reading cannot hold the session forever.
    async fn send_text(&mut self, text: String) -> Result<(), Ending> {
        // Most frames find room in the socket's queue at once: they need no timer and no
        // shutdown wait set up (on shutdown the router writes nothing but close frames).
        let text = match self.link.try_send(text) {
            Ok(()) => return Ok(()),
            Err(TrySend::Gone) => return Err(Ending::Lost),
            Err(TrySend::Full(text)) => text,
        };
        // The client is behind: a rare wait, boxed, so that it is no part of every idle
        // session's state.
        Box::pin(self.send_when_room(text)).await
    }

    /// Queue a frame once the socket's queue has room: gives up on shutdown, or after the
    /// write timeout (the client has stopped reading).
    async fn send_when_room(&mut self, text: String) -> Result<(), Ending> {
        tokio::select! {
            biased;
            _ = self.ctx.shutdown.cancelled() => Err(Ending::Shutdown),
            sent = timeout(self.ctx.config.peers.write_timeout, self.link.send(text)) => match sent {
                Ok(Ok(())) => Ok(()),
                Ok(Err(())) => Err(Ending::Lost),
                Err(_) => {
                    tracing::warn!(session = self.state.id, "client stopped reading; dropping the connection");
                    Err(Ending::Lost)
                }
            },
        }
    }
}
