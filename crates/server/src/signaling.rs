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

use std::sync::atomic::{AtomicU64, Ordering};

use openroom_protocol::messages::{ErrorBody, Outcome, Reply};
use openroom_protocol::{
    ClientFrame, ClientRequest, EnterRequest, ErrorCode, ExitReason, LeaveReason, Publishing,
    ResumeRequest, Role, RoomEvent, RoomId, Scene, ServerFrame, SwitchRequest, UserData, UserId,
    OLDEST_PROTOCOL_VERSION, PROTOCOL_VERSION,
};
use serde::Deserialize;
use tokio::sync::oneshot;
use tokio::time::{sleep_until, timeout, Instant};
use tokio_util::sync::CancellationToken;

use base64::Engine as _;
use openroom_protocol::custom::{self, RateLimits, RateWindow, Refusal};
use openroom_protocol::{MessageRequest, WarningCode};

use crate::auth;
use crate::channels::{Inbound, Link, TrySend, Violation};
use crate::config::{millis, ServerConfig, MEMBER_EVENT_QUEUE, USER_DATA_UPDATES_PER_SECOND};
use crate::log_limit::LogLimit;
use crate::rate::TokenBucket;
use crate::registry::{OpenRefused, Registry};
use crate::resume::{Claim, Directory, Lookup, ReplayBuffer, ResumeKey, Takeover};
use crate::room::{EnterRefused, Entrant, Presence, Present, RoomHandle, SessionId};
use crate::room_permission::{self, Admission, PublishGate};
use crate::shared_event::SharedEvent;

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

/// A session: what moves to a new connection when the client resumes.
pub struct SessionState {
    id: SessionId,
    membership: Option<Membership>,
    /// Sequence number of the last event sent on this session.
    seq: u64,
    /// The events sent lately, for a client that resumes after missing some.
    sent: ReplayBuffer,
    /// Present while the session is in a room and listed in the directory.
    resumable: Option<Resumable>,
    /// The custom messages of the last second, to hold the client to the limits.
    messages: RateWindow,
    /// The seq of the last custom message taken from the client: a resumed client resends
    /// what came after it, and nothing twice.
    last_message: u32,
    /// Messages up to this seq are resends after a resume: already held to the limits once.
    resent_upto: u32,
    /// When the last custom message was taken.
    last_message_at: std::time::Instant,
    /// The last custom message the client was told was taken.
    last_message_told: u32,
    /// The scene the client entered with: whether switchRole is allowed.
    scene: Scene,
    /// The member's role and what its client publishes; carried into every room it enters.
    presence: Presence,
    /// What the session's privateMapKey lets it publish of what its client asks.
    publish_gate: PublishGate,
    /// The key a resume must be signed with, when the client gave one at enter.
    resume_key: Option<ResumeKey>,
    /// What the session's privateMapKey allows in its room, and until when.
    admission: Admission,
    /// When the UserSig the session entered (or last switched) with expires.
    user_sig_expires_at: u64,
    /// The room before the last switch, for a resume that undoes a switch whose answer the
    /// client never got.
    previous: Option<PreviousRoom>,
    /// Publishing the key withholds that the client has not been told of yet: told after the
    /// answer to the request that found it (or, if the connection broke first, the resume).
    publish_refusal: Option<ErrorBody>,
}

/// The room a session switched from, and what its credentials allowed there.
struct PreviousRoom {
    room_id: RoomId,
    admission: Admission,
    user_sig_expires_at: u64,
    publish_gate: PublishGate,
}

struct Resumable {
    token: String,
    takeovers: flume::Receiver<Takeover<SessionState>>,
}

/// The session's current room.
struct Membership {
    room: RoomHandle,
    room_id: RoomId,
    user_id: UserId,
    events: flume::Receiver<SharedEvent>,
    ejection: oneshot::Receiver<ExitReason>,
}

/// Room events a session sends in one go when they are already queued.
const EVENT_BURST: usize = 32;

/// What the room has for this session next.
enum RoomSignal {
    Event(SharedEvent),
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

/// How a parked session ended.
enum Parked {
    Resumed(Takeover<SessionState>),
    /// The client did not come back in time, or the server is shutting down.
    Gone,
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

    /// Log a refused UserSig (a few a second at most): who tried, from where, and why. The
    /// sig itself is never logged.
    fn refused_sig(&self, user_id: &UserId, error: &openroom_protocol::usersig::SigError) {
        let peer = self.link.peer();
        REFUSED_SIGS.log(|suppressed| {
            tracing::info!(%peer, user = %user_id, code = ErrorCode::UserSigInvalid.value(), %error, suppressed, "UserSig refused")
        });
    }

    /// Apply what was held back for its rate (publishing, member data), each once its rate
    /// allows it.
    async fn apply_deferred(&mut self) -> Result<(), Ending> {
        let now = std::time::Instant::now();
        let rate = self.ctx.config.peers.requests_per_second;
        if self.deferred_publish.is_some() && self.requests.take(rate, now) {
            if let Some((id, publishing)) = self.deferred_publish.take() {
                self.publish(id, publishing).await?;
            }
        }
        if self.deferred_user_data.is_some()
            && self
                .user_data_updates
                .take(USER_DATA_UPDATES_PER_SECOND, now)
        {
            if let Some((id, user_data)) = self.deferred_user_data.take() {
                let outcome = self.user_data_outcome(user_data).await;
                return self.respond(id, outcome).await;
            }
        }
        Ok(())
    }

    /// When the member-data rate allows the next setUserData.
    fn user_data_allowed_at(&mut self) -> Instant {
        let wait = self
            .user_data_updates
            .until_next(USER_DATA_UPDATES_PER_SECOND, std::time::Instant::now());
        Instant::now() + wait
    }

    /// setUserData: applied now when its rate allows, else held back (in place of any held
    /// before, which is answered as done: nothing of it is left to do) until it does.
    async fn on_set_user_data(
        &mut self,
        id: u64,
        user_data: Option<UserData>,
    ) -> Result<(), Ending> {
        if let Some((replaced, _)) = self.deferred_user_data.take() {
            self.respond(replaced, Outcome::Ok(Reply::UserDataSet))
                .await?;
        }
        let now = std::time::Instant::now();
        if !self
            .user_data_updates
            .take(USER_DATA_UPDATES_PER_SECOND, now)
        {
            self.deferred_user_data = Some((id, user_data));
            return Ok(());
        }
        let outcome = self.user_data_outcome(user_data).await;
        self.respond(id, outcome).await
    }

    /// Apply member data, as the answer to its request.
    async fn user_data_outcome(&mut self, user_data: Option<UserData>) -> Outcome {
        match self.set_user_data(user_data).await {
            Ok(()) => Outcome::Ok(Reply::UserDataSet),
            Err(body) => Outcome::Error(body),
        }
    }

    /// When the rate allows the next state change.
    fn publish_allowed_at(&mut self) -> Instant {
        let rate = self.ctx.config.peers.requests_per_second;
        Instant::now() + self.requests.until_next(rate, std::time::Instant::now())
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

    /// Pass a custom message to the room, after the checks the client makes too (a client
    /// cannot skip them). A message the session already took (resent after a resume) is
    /// dropped.
    async fn message(&mut self, request: MessageRequest) -> Result<(), Refusal> {
        let Some(membership) = &self.state.membership else {
            return Err(Refusal {
                code: WarningCode::CustomCmdNotInRoom,
                message: "not in a room: the custom message was not sent".into(),
            });
        };
        if request.seq <= self.state.last_message && self.state.last_message != 0 {
            return Ok(());
        }
        if self.state.presence.role == Role::Audience {
            return Err(Refusal {
                code: WarningCode::CustomCmdAudience,
                message: "an audience member cannot send custom messages: switchRole(TRTCRoleAnchor) first".into(),
            });
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&request.data)
            .map_err(|error| Refusal {
                code: WarningCode::CustomCmdInvalid,
                message: format!("custom message data is not base64: {error}"),
            })?;
        let cmd_id = custom::check_message(request.cmd_id.into(), bytes.len())?;
        let now = std::time::Instant::now();
        if request.seq > self.state.resent_upto {
            self.state.messages.admit_within(
                bytes.len(),
                now,
                self.ctx.config.custom_limits,
                custom::SERVER_SLACK,
            )?;
        }
        self.state.last_message = request.seq;
        self.state.last_message_at = now;
        let message = RoomEvent::CustomMessage {
            user_id: membership.user_id.clone(),
            cmd_id,
            seq: request.seq,
            data: request.data,
        };
        membership
            .room
            .send_message(membership.user_id.clone(), message, request.reliable)
            .await;
        Ok(())
    }

    /// Tell the client which custom messages were taken, every
    /// [`custom::ACKNOWLEDGE_EVERY`] messages: it keeps each until told, and takes no more
    /// once [`custom::MAX_UNACKNOWLEDGED_MESSAGES`] wait.
    async fn acknowledge_messages_every(&mut self) -> Result<(), Ending> {
        let untold = self
            .state
            .last_message
            .wrapping_sub(self.state.last_message_told);
        if untold >= custom::ACKNOWLEDGE_EVERY {
            return self.acknowledge_messages().await;
        }
        Ok(())
    }

    /// Tell the client which custom messages were taken, if any since it was last told.
    async fn acknowledge_messages(&mut self) -> Result<(), Ending> {
        if self.state.last_message == self.state.last_message_told {
            return Ok(());
        }
        self.state.last_message_told = self.state.last_message;
        let frame = ServerFrame::MessagesTaken {
            last_message: self.state.last_message,
        };
        let text = serde_json::to_string(&frame).expect("server frames always serialize");
        self.send_text(text).await
    }

    /// What the client publishes now: kept for every room the session enters, and passed to
    /// the current one, which tells the others what changed. What the session's
    /// privateMapKey does not grant is withheld, and the client told (answering request `id`).
    async fn publish(&mut self, id: u64, asked: Publishing) -> Result<(), Ending> {
        // A later state replaces any held back.
        self.deferred_publish = None;
        let (publishing, refusal) = self.state.publish_gate.pass(asked);
        if refusal.is_some() {
            self.state.publish_refusal = refusal;
            self.tell_publish_refusal(id).await?;
        }
        self.state.presence.publishing = publishing;
        if let Some(membership) = &self.state.membership {
            membership
                .room
                .publish(membership.user_id.clone(), self.state.id, publishing)
                .await;
        }
        Ok(())
    }

    /// The member's data is `user_data` now: kept for every room the session enters, and
    /// passed to the current one, which tells the others. Refused (and the old data kept)
    /// when the room holds too much member data already.
    async fn set_user_data(&mut self, user_data: Option<UserData>) -> Result<(), ErrorBody> {
        if let Some(membership) = &self.state.membership {
            membership
                .room
                .set_user_data(membership.user_id.clone(), self.state.id, user_data.clone())
                .await
                .map_err(|refused| match refused {
                    EnterRefused::UserDataFull { .. } => {
                        ErrorBody::new(ErrorCode::UserDataInvalid, refused.to_string())
                    }
                    // Gone from the room meanwhile: its session ends on its own path.
                    _ => ErrorBody::new(ErrorCode::NotInRoom, refused.to_string()),
                })?;
        }
        self.state.presence.user_data = user_data;
        Ok(())
    }

    /// Become an anchor or an audience member, in the scenes that have roles.
    async fn switch_role(&mut self, role: Role) -> Result<(), ErrorBody> {
        let Some(membership) = &self.state.membership else {
            return Err(ErrorBody::new(
                ErrorCode::NotInRoom,
                "not in a room: enterRoom first and wait for onEnterRoom",
            ));
        };
        if !self.state.scene.has_roles() {
            return Err(ErrorBody::new(
                ErrorCode::RoleNotSupported,
                format!(
                    "switchRole works in the LIVE (1) and VoiceChatRoom (3) scenes; this room was entered with {} ({}), where everyone is an anchor",
                    self.state.scene.trtc_name(),
                    self.state.scene as u32
                ),
            ));
        }
        membership
            .room
            .switch_role(membership.user_id.clone(), self.state.id, role)
            .await
            .map_err(|refused| ErrorBody::new(ErrorCode::NotInRoom, refused.to_string()))?;
        self.state.presence.role = role;
        Ok(())
    }

    /// The answer to a successful enter: the members, the heartbeat, and a resume token for
    /// the session (listed now if it is not yet).
    fn entered(&mut self, members: Present) -> Outcome {
        self.entered_with(members, None)
    }

    /// [`Session::entered`], telling a resumed client the last custom message taken.
    fn entered_with(&mut self, members: Present, last_message: Option<u32>) -> Outcome {
        self.link.mark_entered();
        if let Some(last) = last_message {
            self.state.last_message_told = last;
        }
        let resumable = self.state.resumable.get_or_insert_with(|| {
            let (token, takeovers) = self.ctx.sessions.register(self.state.resume_key);
            Resumable { token, takeovers }
        });
        Outcome::Ok(Reply::Entered {
            members,
            ping_interval_ms: millis(self.ctx.config.ping_interval()),
            session_timeout_ms: millis(self.ctx.config.session_timeout),
            resume_token: Some(resumable.token.clone()),
            last_message,
            custom_limits: self.ctx.config.custom_limits,
        })
    }

    /// Take over the session behind the request's token: answer `Resumed` and send the events
    /// the client missed, or, when the replay buffer no longer holds them, enter the member
    /// again in place (the others see nothing) and answer `Entered` with the members now.
    async fn resume(&mut self, id: u64, request: ResumeRequest) -> Result<(), Ending> {
        if self.state.membership.is_some() || self.state.resumable.is_some() {
            let body = ErrorBody::new(
                ErrorCode::RoomEnterFail,
                "resume must be the first request of a connection",
            );
            return self.respond(id, Outcome::Error(body)).await;
        }
        let claim = Claim {
            counter: request.counter,
            proof: request.proof.as_deref(),
        };
        let mut state = match self.ctx.sessions.take_over(&request.token, &claim).await {
            Lookup::Live(state) => state,
            Lookup::Refused(refused) => {
                let peer = self.link.peer();
                REFUSED_RESUMES.log(|suppressed| {
                    tracing::info!(%peer, code = ErrorCode::ResumeRefused.value(), error = %refused, suppressed, "resume refused")
                });
                let body = ErrorBody::new(ErrorCode::ResumeRefused, refused.to_string());
                self.respond(id, Outcome::Error(body)).await?;
                // One guess per connection: a peer trying tokens or proofs must reconnect.
                return Err(Ending::ProtocolViolation(Violation::policy(
                    "resume refused: it does not prove it comes from the client that entered",
                )));
            }
            Lookup::Ended(reason) => {
                let reply = Outcome::Ok(Reply::SessionEnded { reason });
                self.respond(id, reply).await?;
                return Err(Ending::Ejected(reason));
            }
            Lookup::Unknown => {
                let body = ErrorBody::new(
                    ErrorCode::SessionExpired,
                    "the server no longer holds this session (it timed out, or the server restarted): enter the room again",
                );
                return self.respond(id, Outcome::Error(body)).await;
            }
        };
        std::mem::swap(&mut self.state, &mut state);
        // What the room queued while the session was parked. A queue the room closed means it
        // ended the membership: ejected it (and said why first) or dropped it for falling behind.
        let mut queued = Vec::new();
        let mut dropped = true;
        if let Some(membership) = self.state.membership.as_mut() {
            dropped = loop {
                match membership.events.try_recv() {
                    Ok(event) => queued.push(event),
                    Err(flume::TryRecvError::Empty) => break false,
                    Err(flume::TryRecvError::Disconnected) => break true,
                }
            };
        }
        if let Some(reason) = self.state.ejection_while_parked() {
            // Removed, dismissed or replaced while away: say so, and the session ends here.
            self.state.membership = None;
            self.respond(id, Outcome::Ok(Reply::SessionEnded { reason }))
                .await?;
            return Err(Ending::Ejected(reason));
        }
        let current = self.state.membership.as_ref().map(|m| m.room_id.clone());
        // The client's view of its room wins: a switch whose answer it never got is undone.
        let room = match self.resume_target(request.room.as_ref()) {
            Ok(room) => room,
            Err(body) => return self.end_refused_resume(id, body).await,
        };
        if let Err(body) = self.credentials_still_valid() {
            return self.end_refused_resume(id, body).await;
        }
        let missed = self.state.sent.after(request.last_seq, self.state.seq);
        let (Some(missed), false, true) = (missed, dropped, room == current) else {
            tracing::info!(
                session = self.state.id,
                "session taken over; entering again"
            );
            return self.reenter(id, room).await;
        };
        tracing::info!(
            session = self.state.id,
            replayed = missed.len() + queued.len(),
            "session resumed"
        );
        // The client hears every event it missed before it reports the connection recovered.
        let replayed = (missed.len() + queued.len()) as u64;
        let last_message = self.state.last_message;
        self.state.resent_upto = self
            .state
            .resend_allowance(request.sent_upto, self.ctx.config.custom_limits);
        let resumed = Reply::Resumed {
            replayed,
            last_message,
        };
        self.link.mark_entered();
        self.state.last_message_told = last_message;
        self.respond(id, Outcome::Ok(resumed)).await?;
        for frame in missed {
            self.send_text(frame).await?;
        }
        for event in queued {
            self.send_event(event).await?;
        }
        self.tell_publish_refusal(id).await
    }

    /// The room a resume puts the session back in: its own, or (undoing a switch whose answer
    /// the client never got) the room it switched from, with what its credentials allowed
    /// there. Any other room is refused: a session is never moved where it was not admitted.
    fn resume_target(&mut self, asked: Option<&RoomId>) -> Result<Option<RoomId>, ErrorBody> {
        let current = self.state.membership.as_ref().map(|m| m.room_id.clone());
        let Some(asked) = asked.filter(|asked| Some(*asked) != current.as_ref()) else {
            return Ok(current);
        };
        match self.state.previous.take() {
            Some(previous) if previous.room_id == *asked => {
                self.state.admission = previous.admission;
                self.state.user_sig_expires_at = previous.user_sig_expires_at;
                self.state.publish_gate = previous.publish_gate;
                let (publishing, refusal) = self.state.publish_gate.pass_again();
                self.state.presence.publishing = publishing;
                if refusal.is_some() {
                    self.state.publish_refusal = refusal;
                }
                Ok(Some(previous.room_id))
            }
            _ => Err(ErrorBody::new(
                ErrorCode::RoomEnterFail,
                format!("the resume names {asked}, which this session is neither in nor switched from: enter that room instead"),
            )),
        }
    }

    /// The UserSig and privateMapKey the session was admitted with must still be valid when it
    /// resumes: one that expired while the client was away ends the session, as it would
    /// refuse an enter.
    fn credentials_still_valid(&self) -> Result<(), ErrorBody> {
        let now = auth::unix_now();
        let expired_at = self.state.user_sig_expires_at;
        if expired_at < now {
            return Err(ErrorBody::new(
                ErrorCode::UserSigInvalid,
                format!("the UserSig this session entered with expired at {expired_at} (now {now}) while the client was away: enter again with a new one"),
            ));
        }
        self.state.admission.still_valid(now)
    }

    /// The resume cannot put the session back (its credentials expired, or it names a room the
    /// session may not go to): the member leaves its room (the others see its connection end,
    /// reason 1) and the client hears why.
    async fn end_refused_resume(&mut self, id: u64, body: ErrorBody) -> Result<(), Ending> {
        if let Some(resumable) = self.state.resumable.take() {
            self.ctx.sessions.forget(&resumable.token, None);
        }
        if let Some(membership) = self.state.membership.take() {
            tracing::info!(session = self.state.id, room = %membership.room_id, user = %membership.user_id, code = body.code, "resume refused: the session ends");
            membership
                .room
                .exit(
                    membership.user_id.clone(),
                    self.state.id,
                    LeaveReason::ConnectionLost,
                )
                .await;
        }
        self.outside_room_since = Instant::now();
        self.respond(id, Outcome::Error(body)).await
    }

    /// Tell the client of publishing its key withholds, if it has not been told yet (as an
    /// answer to request `id`). Kept with the session until sent, so news lost with a broken
    /// connection is told after the resume.
    async fn tell_publish_refusal(&mut self, id: u64) -> Result<(), Ending> {
        if let Some(body) = self.state.publish_refusal.clone() {
            self.respond(id, Outcome::Error(body)).await?;
            self.state.publish_refusal = None;
        }
        Ok(())
    }

    /// Put a taken-over session back into `room` (its own room again when the replay buffer
    /// could not serve the client or the room had dropped it; the room the client believes it
    /// is in when a switch's answer was lost) and answer `Entered` with the members now: the
    /// client reports the difference. Entering the same room replaces the old membership in
    /// place, so the others see nothing. The session gets a new resume token, so a resume that
    /// still counts events the old way is never served from the new numbering.
    async fn reenter(&mut self, id: u64, room: Option<RoomId>) -> Result<(), Ending> {
        let token = self.state.resumable.take().map(|resumable| resumable.token);
        let forget = |ended: Option<ExitReason>| {
            if let Some(token) = &token {
                self.ctx.sessions.forget(token, ended);
            }
        };
        let old = self.state.membership.take();
        let (Some(mut old), Some(room)) = (old, room) else {
            forget(None);
            let body = ErrorBody::new(
                ErrorCode::SessionExpired,
                "the session is no longer in a room: enter the room again",
            );
            return self.respond(id, Outcome::Error(body)).await;
        };
        let session = self.state.id;
        let presence = self.state.presence.clone();
        let user_id = old.user_id.clone();
        let in_place = old.room_id == room;
        // A room that closed meanwhile is opened again only if the key allows creating it.
        let create = self
            .state
            .admission
            .may_open(&self.ctx.registry, &room, true);
        let mut joined = match &create {
            Ok(create) => {
                join_as(
                    &self.ctx,
                    session,
                    room.clone(),
                    user_id.clone(),
                    &presence,
                    *create,
                    in_place,
                )
                .await
            }
            Err(body) => Err(JoinRefused::Refused(body.clone())),
        };
        if let (Err(JoinRefused::Absent), Ok(create)) = (&joined, create) {
            // Gone from the room since the resume looked: removed (say so), or dropped for
            // falling behind (enter again).
            if let Ok(reason) = old.ejection.try_recv() {
                forget(Some(reason));
                self.respond(id, Outcome::Ok(Reply::SessionEnded { reason }))
                    .await?;
                return Err(Ending::Ejected(reason));
            }
            joined = join_as(
                &self.ctx,
                session,
                room.clone(),
                user_id.clone(),
                &presence,
                create,
                false,
            )
            .await;
        }
        let outcome = match joined {
            Ok((membership, members)) => {
                forget(None);
                if !in_place {
                    old.room.exit(user_id, session, LeaveReason::Exited).await;
                }
                self.state.membership = Some(membership);
                self.state.previous = None;
                self.state.sent = ReplayBuffer::default();
                self.state.seq = 0;
                // A new token: a resume that still counts events the old way is never served
                // from the new numbering. The messages the session took still count: the
                // client resends only what came after them.
                let last_message = Some(self.state.last_message);
                self.entered_with(members, last_message)
            }
            Err(JoinRefused::Superseded) => {
                // A newer login holds the user: this session was replaced.
                let reason = ExitReason::Replaced;
                forget(Some(reason));
                self.respond(id, Outcome::Ok(Reply::SessionEnded { reason }))
                    .await?;
                return Err(Ending::Ejected(reason));
            }
            Err(refused) => {
                let body = match refused {
                    JoinRefused::Refused(body) => body,
                    _ => ErrorBody::new(ErrorCode::SessionExpired, "enter the room again"),
                };
                forget(None);
                old.room
                    .exit(user_id, session, LeaveReason::ConnectionLost)
                    .await;
                Outcome::Error(body)
            }
        };
        let entered = matches!(outcome, Outcome::Ok(_));
        self.respond(id, outcome).await?;
        if entered {
            self.tell_publish_refusal(id).await?;
        }
        Ok(())
    }

    async fn enter(&mut self, request: EnterRequest) -> Result<Present, ErrorBody> {
        if !(OLDEST_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&request.protocol) {
            return Err(ErrorBody::new(
                ErrorCode::RoomEnterFail,
                format!(
                    "protocol version {} is not supported; this server speaks {OLDEST_PROTOCOL_VERSION} to {PROTOCOL_VERSION}",
                    request.protocol
                ),
            ));
        }
        if let Some(current) = &self.state.membership {
            return Err(ErrorBody::new(
                ErrorCode::RoomEnterFail,
                format!(
                    "this connection is already in {}; exit it first",
                    current.room_id
                ),
            ));
        }
        if request.user_id.as_str() == openroom_protocol::ADMIN_IDENTIFIER {
            return Err(ErrorBody::new(
                ErrorCode::UserIdInvalid,
                "userId administrator is reserved for the server's own messages; use another",
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
        let user_sig_expires_at = auth::check(config, request.user_id.as_str(), &request.user_sig)
            .map_err(|error| {
                self.refused_sig(&request.user_id, &error);
                ErrorBody::new(ErrorCode::UserSigInvalid, error.to_string())
            })?;
        let resume_key = request
            .resume_key
            .as_deref()
            .map(ResumeKey::parse)
            .transpose()
            .map_err(|error| ErrorBody::new(ErrorCode::RoomEnterFail, error.to_string()))?;
        let admission = room_permission::admit(
            config,
            &request.user_id,
            &request.room,
            request.private_map_key.as_deref(),
        )?;
        let create =
            admission.may_open(&self.ctx.registry, &request.room, request.create_if_missing)?;

        let mut publish_gate = PublishGate::default().under(&admission);
        let (publishing, refusal) = publish_gate.pass(request.publishing);
        let presence = Presence {
            role: request.scene.effective_role(request.role),
            publishing,
            user_data: request.user_data,
        };
        let (membership, members) = join(
            &self.ctx,
            self.state.id,
            request.room,
            request.user_id,
            &presence,
            create,
        )
        .await?;
        self.state.scene = request.scene;
        self.state.presence = presence;
        self.state.publish_gate = publish_gate;
        self.state.resume_key = resume_key;
        self.state.admission = admission;
        self.state.user_sig_expires_at = user_sig_expires_at;
        self.state.previous = None;
        self.state.publish_refusal = refusal;
        tracing::info!(session = self.state.id, room = %membership.room_id, user = %membership.user_id, "entered");
        self.state.membership = Some(membership);
        Ok(members)
    }

    /// Move to another room: enter the new one first, so a refusal (full, bad UserSig) leaves
    /// the member in its old room untouched; then leave the old one, whose members are told
    /// (reason 0), and deliver its last events before answering.
    async fn switch(
        &mut self,
        request: SwitchRequest,
    ) -> Result<Result<Present, ErrorBody>, Ending> {
        let refuse = |code: ErrorCode, message: String| Ok(Err(ErrorBody::new(code, message)));
        let Some(current) = &self.state.membership else {
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
        let user_sig_expires_at =
            match auth::check(&self.ctx.config, user_id.as_str(), &request.user_sig) {
                Ok(expires_at) => expires_at,
                Err(error) => {
                    self.refused_sig(&user_id, &error);
                    return refuse(ErrorCode::UserSigInvalid, error.to_string());
                }
            };
        let key = request.private_map_key.as_deref();
        let admitted = room_permission::admit(&self.ctx.config, &user_id, &request.room, key)
            .and_then(|admission| {
                let create = admission.may_open(
                    &self.ctx.registry,
                    &request.room,
                    request.create_if_missing,
                )?;
                Ok((admission, create))
            });
        let (admission, create) = match admitted {
            Ok(admitted) => admitted,
            Err(body) => return Ok(Err(body)),
        };
        // The new room's key decides what of the asked publishing the new room sees.
        let mut publish_gate = self.state.publish_gate.under(&admission);
        let (publishing, refusal) = publish_gate.pass_again();
        let presence = Presence {
            publishing,
            ..self.state.presence.clone()
        };
        let to = request.room.clone();
        let (joined, members) = match join(
            &self.ctx,
            self.state.id,
            request.room,
            user_id,
            &presence,
            create,
        )
        .await
        {
            Ok(joined) => joined,
            Err(body) => return Ok(Err(body)),
        };
        self.state.presence = presence;
        let left_behind = PreviousRoom {
            room_id: self
                .state
                .membership
                .as_ref()
                .map_or_else(|| to.clone(), |membership| membership.room_id.clone()),
            admission: std::mem::replace(&mut self.state.admission, admission),
            user_sig_expires_at: std::mem::replace(
                &mut self.state.user_sig_expires_at,
                user_sig_expires_at,
            ),
            publish_gate: std::mem::replace(&mut self.state.publish_gate, publish_gate),
        };
        self.state.previous = Some(left_behind);
        self.state.publish_refusal = refusal;
        let Some(old) = self.state.membership.replace(joined) else {
            return Ok(Ok(members));
        };
        old.room
            .exit(old.user_id.clone(), self.state.id, LeaveReason::Exited)
            .await;
        // The old room's last events, in order; if the connection fails meanwhile they still go
        // into the replay buffer, and the session (now in the new room) parks.
        let mut failure = None;
        while let Ok(event) = old.events.recv_async().await {
            let text = self.record_event(event);
            if failure.is_none() {
                failure = self.send_text(text).await.err();
            }
        }
        if let Some(ending) = failure {
            return Err(ending);
        }
        tracing::info!(session = self.state.id, from = %old.room_id, %to, user = %old.user_id, "switched");
        Ok(Ok(members))
    }

    /// Leave the current room: the room tells the others before it answers. The events the
    /// member was sent up to that point are delivered before the exit is acknowledged.
    async fn exit(&mut self) -> Result<(), Ending> {
        let Some(membership) = self.state.membership.take() else {
            return Ok(());
        };
        self.state.previous = None;
        self.outside_room_since = Instant::now();
        // Out of the room, nothing to resume: the session leaves the directory.
        if let Some(resumable) = self.state.resumable.take() {
            self.ctx.sessions.forget(&resumable.token, None);
        }
        membership
            .room
            .exit(
                membership.user_id.clone(),
                self.state.id,
                LeaveReason::Exited,
            )
            .await;
        // The room has dropped this member's queue: drain what is left, then it ends.
        while let Ok(event) = membership.events.recv_async().await {
            self.send_event(event).await?;
        }
        tracing::info!(session = self.state.id, room = %membership.room_id, user = %membership.user_id, "exited");
        Ok(())
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

/// Enter `room_id` as `user_id` on this session, retrying when the room was closing.
/// Opens the room when it does not exist if the request allows it (`create`) and the server
/// does. Returns the membership and the others present.
async fn join(
    ctx: &SessionContext,
    session: SessionId,
    room_id: RoomId,
    user_id: UserId,
    presence: &Presence,
    create: bool,
) -> Result<(Membership, Present), ErrorBody> {
    join_as(ctx, session, room_id, user_id, presence, create, false)
        .await
        .map_err(|refused| match refused {
            JoinRefused::Refused(body) => body,
            // Only a rejoin is refused these ways.
            JoinRefused::Superseded | JoinRefused::Absent => {
                ErrorBody::new(ErrorCode::RoomEnterFail, "rejoin refused")
            }
        })
}

/// Why [`join_as`] did not put the session in the room.
enum JoinRefused {
    Refused(ErrorBody),
    /// Rejoin: another login holds the user.
    Superseded,
    /// Rejoin: the user is no longer in the room.
    Absent,
}

/// [`join`], or with `rejoin` a re-entry in place of the session's own membership (see
/// [`RoomHandle::rejoin`]).
async fn join_as(
    ctx: &SessionContext,
    session: SessionId,
    room_id: RoomId,
    user_id: UserId,
    presence: &Presence,
    create: bool,
    rejoin: bool,
) -> Result<(Membership, Present), JoinRefused> {
    let refuse =
        |code: ErrorCode, message: String| JoinRefused::Refused(ErrorBody::new(code, message));
    let server_creates = ctx.registry.limits().auto_create;
    for _ in 0..ENTER_ATTEMPTS {
        let (events_tx, events) = flume::bounded(MEMBER_EVENT_QUEUE);
        let (ejection_tx, ejection) = oneshot::channel();
        let room = if create && server_creates {
            ctx.registry
                .get_or_open(&room_id, &user_id)
                .map_err(|refused| match refused {
                    OpenRefused::Limit(limit) => {
                        refuse(ErrorCode::ServerRoomLimit, limit.to_string())
                    }
                    OpenRefused::RateLimited(_) => {
                        refuse(ErrorCode::RateLimited, refused.to_string())
                    }
                })?
        } else {
            ctx.registry.get(&room_id).ok_or_else(|| {
                let why = if server_creates {
                    "and the request said createIfMissing: false"
                } else {
                    "and this server opens rooms only through REST CreateRoom"
                };
                refuse(
                    ErrorCode::RoomNotFound,
                    format!("{room_id} does not exist {why}; create it first"),
                )
            })?
        };
        let entrant = Entrant {
            user_id: user_id.clone(),
            session,
            presence: presence.clone(),
            events: events_tx,
            ejection: ejection_tx,
        };
        let entered = if rejoin {
            room.rejoin(entrant).await
        } else {
            room.enter(entrant).await
        };
        match entered {
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
            Err(EnterRefused::Superseded) => return Err(JoinRefused::Superseded),
            Err(EnterRefused::Absent) => return Err(JoinRefused::Absent),
            Err(refused @ EnterRefused::UserDataFull { .. }) => {
                return Err(refuse(ErrorCode::UserDataInvalid, refused.to_string()));
            }
            Err(EnterRefused::Full(limit)) => {
                return Err(refuse(
                    ErrorCode::RoomFull,
                    format!(
                        "{room_id} is full: it holds its limit of {limit} members; try again when someone leaves"
                    ),
                ));
            }
        }
    }
    Err(refuse(
        ErrorCode::RoomEnterFail,
        format!("{room_id} kept closing while entering; try again"),
    ))
}

impl SessionState {
    /// Wait, without a connection, for a new connection to take the session over; gives up at
    /// `until` or on shutdown. Room events queue up meanwhile (the room drops the member if
    /// its queue fills).
    async fn park(&mut self, until: Instant, shutdown: &CancellationToken) -> Parked {
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => Parked::Gone,
            request = next_takeover(&mut self.resumable) => Parked::Resumed(request),
            _ = sleep_until(until) => Parked::Gone,
        }
    }

    /// The seq up to which a resuming client's messages are resends, not held to the limits
    /// again: what it says it sent, but no more than it could have sent at the limit since the
    /// last message taken (a client cannot buy free messages by reconnecting).
    fn resend_allowance(&self, sent_upto: u32, limits: RateLimits) -> u32 {
        let seconds = self.last_message_at.elapsed().as_secs() + 1;
        let per_second = u64::from(limits.messages_per_second);
        let could_have_sent =
            (seconds * per_second).min(custom::MAX_UNACKNOWLEDGED_MESSAGES.into());
        let most = self.last_message.saturating_add(could_have_sent as u32);
        sent_upto.min(most)
    }

    /// Why the server ended the membership while the session was parked, if it did.
    fn ejection_while_parked(&mut self) -> Option<ExitReason> {
        self.membership
            .as_mut()
            .and_then(|membership| membership.ejection.try_recv().ok())
    }
}

/// The next request to hand the session over; never ready when it is not resumable.
async fn next_takeover(resumable: &mut Option<Resumable>) -> Takeover<SessionState> {
    match resumable {
        Some(resumable) => match resumable.takeovers.recv_async().await {
            Ok(request) => request,
            // Unreachable while the directory lists the token; wait like an unlisted session.
            Err(_) => std::future::pending().await,
        },
        None => std::future::pending().await,
    }
}

/// What the current room has for this session next; never ready when there is no room.
async fn next_signal(membership: &mut Option<Membership>) -> RoomSignal {
    let Some(membership) = membership else {
        return std::future::pending().await;
    };
    match membership.events.recv_async().await {
        Ok(event) => RoomSignal::Event(event),
        // The room dropped the queue: it either ejected the member (and said why first) or
        // dropped it for falling behind.
        Err(_) => match membership.ejection.try_recv() {
            Ok(reason) => RoomSignal::Ejected(reason),
            Err(_) => RoomSignal::Dropped,
        },
    }
}
