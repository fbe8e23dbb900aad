//! One session's life as a tokio task: connect, enter, relay room events, reconnect when the
//! connection breaks, exit.
//!
//! Event order per session: `onEnterRoom` first; on success one `onRemoteUserEnterRoom` per
//! member already present, then the room's events as the server numbered them; `onExitRoom`
//! last; then the internal `sessionClosed`, which is emitted whatever ends the task. Each
//! `onConnectionStateChanged` comes right before the event it explains.
//!
//! A lost connection: `onConnectionLost`, then `onTryToReconnect` before each attempt. An
//! attempt first asks the server to resume the session (nobody else notices anything; the
//! events missed meanwhile are delivered, in order, once); if the server no longer holds it,
//! the session enters the room again and reports the difference in members. Then
//! `onConnectionRecovery`. Giving up ends the room with `onError` and `onExitRoom`.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use indexmap::IndexMap;

use openroom_protocol::custom::RateLimits;
use openroom_protocol::limits;
use openroom_protocol::messages::{Outcome, Reply};
use openroom_protocol::{
    presence_change, ClientRequest, EnterRequest, ErrorCode, ExitReason, LeaveReason, MemberState,
    MessageRequest, Publishing, ResumeRequest, Role, RoomEvent, ServerFrame, SetUserDataRequest,
    SwitchRoleRequest, UserData, UserId, View, WarningCode,
};
use tokio::sync::mpsc;
use tokio::time::{interval, sleep, sleep_until, timeout, timeout_at, Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use crate::connection::{Connection, ConnectionError, Transport};
use crate::engine::{ClientConfig, Command, ConnectionState, OutgoingMessage, Phase, SlotRef};
use crate::events::{Backlog, Event, EventSink, StateChangeReason};
use crate::params;
use crate::resume_signer::ResumeSigner;

/// Room events received between acknowledgements (besides the one in every heartbeat ping).
const ACKNOWLEDGE_EVERY: u32 = 64;

/// Longest a session waits for the WebSocket close handshake. The close is a courtesy (it
/// lets the server tell a deliberate departure from a lost connection), never a reason to wait.
const CLOSE_GRACE: Duration = Duration::from_millis(250);

/// The heartbeat the server announced at enter; zero durations mean none.
#[derive(Clone, Copy)]
struct Heartbeat {
    ping_interval: Duration,
    session_timeout: Duration,
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
    fn silence_limit(self) -> Duration {
        self.session_timeout.min(self.ping_interval * 2)
    }
}

/// The heartbeat used with a server that announces none.
const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(10);
const DEFAULT_SESSION_TIMEOUT: Duration = Duration::from_secs(30);

/// A connection lost again within this long of its recovery continues the backoff where the
/// last reconnection left it, instead of trying again at once: a server that breaks every
/// connection soon after it is made gets attempts at a falling rate, not a storm.
const STABLE_AFTER: Duration = Duration::from_secs(30);

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
struct Welcome {
    members: Vec<MemberState>,
    heartbeat: Heartbeat,
    resume_token: Option<String>,
    /// After a resume that put the session back afresh: the last custom message it took.
    last_message: Option<u32>,
    /// The server's limits on this member's custom messages.
    custom_limits: RateLimits,
}

impl Welcome {
    fn from_reply(reply: Reply) -> Result<Welcome, Reply> {
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
enum Entering {
    Entered(Box<Connection>, Welcome),
    Failed(i32, String),
    /// exitRoom() was called before the server let us in.
    Cancelled,
}

/// How serving one connection ended.
enum Served {
    /// The room is over for this session.
    Ended(ExitReason),
    /// The connection broke; the session may go on over a new one.
    Lost(String),
}

/// How one reconnection attempt ended.
enum Attempt {
    /// The server handed the session over; these events were missed meanwhile.
    Resumed(Box<Connection>, Vec<(u64, RoomEvent)>, u32),
    /// The server had lost the session (or could not replay): entered the room again.
    Reentered(Box<Connection>, Welcome),
    /// The server ended the session while we were away.
    Ended(ExitReason),
    /// Entering again was refused for good (UserSig expired, room full …).
    Refused(i32, String),
    /// Worth another attempt.
    Failed(String),
}

struct Session {
    config: ClientConfig,
    /// Where connections come from: the socket this instance shares with its sub-clouds.
    transport: Transport,
    commands: mpsc::UnboundedReceiver<Command>,
    sink: Box<dyn EventSink>,
    slot: SlotRef,
    /// Sequence number of the last room event received.
    last_seq: u64,
    /// Set once `sessionClosed` has been emitted.
    closed: bool,
    /// The enter request, kept up to date with the current room and UserSig: what entering
    /// again after a lost session sends. switchRoom reuses its UserSig when the app gives none.
    request: EnterRequest,
    /// The other members of the current room this member sees, with what they publish: what
    /// switchRoom announces as leaving, and what a new enter after a lost session is compared
    /// with. Keyed by user id: every room event looks a member up, and a scan per event made
    /// a room of N cost N² per member.
    members: Members,
    /// switchRole calls not yet answered, oldest first, with the id of the request that
    /// carries each (None: not sent yet, or sent on a connection that broke). Sent again
    /// after a reconnection: asking for the role the member already has changes nothing.
    role_switches: VecDeque<(Option<u64>, Role)>,
    heartbeat: Heartbeat,
    /// Presents this session to the server again after a lost connection.
    resume_token: Option<String>,
    /// Signs each resume, so that only this client can take the session over.
    resume_signer: Option<Arc<ResumeSigner>>,
    /// Why the connection state goes to DISCONNECTED at the end.
    end_reason: StateChangeReason,
    /// The custom messages the server has not said it took, oldest first, for resending after
    /// a resume. Each with whether it was written to a connection (false: queued while away).
    /// The engine accepts no more than [`custom::MAX_UNACKNOWLEDGED_MESSAGES`].
    unacked: VecDeque<(MessageRequest, bool)>,
    /// Events emitted and not yet taken by the app, when the sink counts them: the session
    /// reads no more from the server while the app is that far behind.
    backlog: Option<Arc<Backlog>>,
    /// Cancelled by exitRoom(): waits on the server (a switch) stop at once.
    exiting: CancellationToken,
    /// Connections lost soon after the last recovery, in a row (see [`STABLE_AFTER`]).
    loss_streak: u32,
    /// setUserData was called in this session: after a resume the data is stated again.
    user_data_changed: bool,
    /// The id of the last setUserData sent on this connection, until it is answered.
    user_data_sent: Option<u64>,
    /// The member data the server last accepted (at enter, or a setUserData answered): what
    /// the session goes back to when the server refuses newer data, so that a reconnect
    /// restates what the room holds, not what it refused.
    user_data_confirmed: Option<UserData>,
    /// When the session last recovered from a lost connection.
    recovered_at: Option<Instant>,
}

/// The members a session sees, each with what it publishes, in a map that also remembers the
/// order they arrived in. A departure is O(1) (a swap with the last entry): removing from an
/// ordered list made a whole room's exit cost N² per member.
#[derive(Default)]
struct Members {
    by_user: IndexMap<UserId, Seen>,
    arrivals: u64,
}

#[derive(Clone)]
struct Seen {
    arrived: u64,
    view: View,
}

impl Members {
    /// `user_id` arrived with `user_data`, publishing nothing yet (one already known keeps
    /// its place).
    fn arrived(&mut self, user_id: UserId, user_data: Option<UserData>) {
        self.arrivals += 1;
        let arrived = self.arrivals;
        let view = View {
            publishing: Publishing::NOTHING,
            user_data,
        };
        match self.by_user.entry(user_id) {
            indexmap::map::Entry::Occupied(mut known) => known.get_mut().view = view,
            indexmap::map::Entry::Vacant(new) => {
                new.insert(Seen { arrived, view });
            }
        }
    }

    /// `user_id` changed its data.
    fn updated(&mut self, user_id: &UserId, user_data: Option<UserData>) {
        if let Some(seen) = self.by_user.get_mut(user_id) {
            seen.view.user_data = user_data;
        }
    }

    fn left(&mut self, user_id: &UserId) {
        self.by_user.swap_remove(user_id);
    }

    fn get(&self, user_id: &UserId) -> Option<&View> {
        self.by_user.get(user_id).map(|seen| &seen.view)
    }

    fn publishing(&mut self, user_id: &UserId) -> Option<&mut Publishing> {
        self.by_user
            .get_mut(user_id)
            .map(|seen| &mut seen.view.publishing)
    }

    /// Everyone, in the order they arrived.
    fn in_arrival_order(&self) -> Vec<(&UserId, &View)> {
        let mut members: Vec<(&UserId, &Seen)> = self.by_user.iter().collect();
        members.sort_unstable_by_key(|(_, seen)| seen.arrived);
        members
            .into_iter()
            .map(|(user_id, seen)| (user_id, &seen.view))
            .collect()
    }
}

impl Drop for Session {
    /// Whatever ends the task (a panic, the runtime shutting down), the engine's slot is freed
    /// and `sessionClosed` is emitted, so the app can enter again and `exitRoom()` resolves.
    fn drop(&mut self) {
        if !self.closed {
            tracing::error!("session ended abnormally; releasing it");
            self.slot.release();
            self.sink.emit(Event::SessionClosed);
        }
    }
}

/// What a session starts from: the engine's settings, connection and resume key, and the
/// enter request (made when `enterRoom` was called, at `started`).
pub(crate) struct Start {
    pub config: ClientConfig,
    pub transport: Transport,
    pub resume_signer: Option<Arc<ResumeSigner>>,
    pub request: EnterRequest,
    pub started: Instant,
}

pub(crate) async fn run(
    start: Start,
    commands: mpsc::UnboundedReceiver<Command>,
    sink: Box<dyn EventSink>,
    slot: SlotRef,
) {
    let Start {
        config,
        transport,
        resume_signer,
        mut request,
        started,
    } = start;
    let backlog = sink.backlog();
    let exiting = slot.exiting();
    request.resume_key = resume_signer.as_deref().map(ResumeSigner::public_key);
    let mut session = Session {
        config,
        transport,
        commands,
        sink,
        slot,
        backlog,
        exiting,
        loss_streak: 0,
        user_data_changed: false,
        user_data_sent: None,
        user_data_confirmed: request.user_data.clone(),
        recovered_at: None,
        last_seq: 0,
        closed: false,
        request: request.clone(),
        members: Members::default(),
        heartbeat: Heartbeat {
            ping_interval: Duration::ZERO,
            session_timeout: Duration::ZERO,
        },
        resume_token: None,
        resume_signer,
        end_reason: StateChangeReason::Exited,
        unacked: VecDeque::new(),
        role_switches: VecDeque::new(),
    };
    session.set_state(ConnectionState::Connecting, StateChangeReason::EnterRoom);
    let publishing = request.publishing;
    let (mut connection, welcome) = match session.enter(request, started).await {
        Entering::Entered(connection, welcome) => (connection, welcome),
        Entering::Failed(code, message) => {
            tracing::warn!(code, %message, "entering failed");
            session.set_state(
                ConnectionState::Disconnected,
                StateChangeReason::EnterFailed,
            );
            session.slot.release();
            for event in Event::enter_failure(code, message) {
                session.emit(event);
            }
            session.finish();
            return;
        }
        Entering::Cancelled => {
            session.set_state(
                ConnectionState::Disconnected,
                StateChangeReason::EnterFailed,
            );
            session.slot.release();
            session.emit(Event::enter_failed(
                ErrorCode::RoomEnterFail,
                "entering was cancelled by exitRoom()",
            ));
            session.emit(Event::ExitRoom {
                reason: ExitReason::Exited,
            });
            session.finish();
            return;
        }
    };
    let elapsed_ms = started.elapsed().as_millis().max(1);
    // In the room before the app hears so: an app that reacts to onEnterRoom at once must find
    // the engine in its new phase.
    session.slot.set_custom_limits(welcome.custom_limits);
    session.slot.set_phase(Phase::InRoom);
    session.set_state(ConnectionState::Connected, StateChangeReason::Entered);
    session.emit(Event::EnterRoom {
        result: i64::try_from(elapsed_ms).unwrap_or(i64::MAX),
        message: String::new(),
    });
    session.report_member_changes(welcome.members);
    session.heartbeat = welcome.heartbeat;
    session.resume_token = welcome.resume_token;
    connection.set_write_timeout(session.heartbeat.silence_limit());
    // What changed while entering (a preview started meanwhile) goes out now.
    session.catch_up(&mut connection, Some(publishing));
    let reason = session.in_room(*connection).await;
    session.set_state(ConnectionState::Disconnected, session.end_reason);
    // The room ended without exitRoom(): the devices are released here, before onExitRoom.
    let released = session.slot.release_devices();
    session.slot.release();
    // Every switchRole gets its answer: those in flight, and those the engine accepted but the
    // session never read (the slot is free now, so no more can come).
    let mut unanswered = session.role_switches.len();
    while let Ok(command) = session.commands.try_recv() {
        unanswered += usize::from(matches!(command, Command::SwitchRole(_)));
    }
    for _ in 0..unanswered {
        session.sink.emit(Event::SwitchRole {
            code: ErrorCode::NotInRoom.value(),
            message: "the room ended before the role switch completed".into(),
        });
    }
    if let Some(devices) = released {
        session.emit(Event::LocalDevicesChanged { devices });
    }
    session.emit(Event::ExitRoom { reason });
    session.finish();
}

impl Session {
    fn emit(&self, event: Event) {
        self.sink.emit(event);
    }

    /// Record the connection state (for getConnectionState()) and report the change.
    fn set_state(&self, state: ConnectionState, reason: StateChangeReason) {
        // The one line per step of a session (trtc-electron-sdk's log has the same): enough to
        // follow a room's life in the app's log without the frames.
        tracing::info!(
            room = %self.request.room,
            user = %self.request.user_id,
            state = %state.name(),
            reason = %reason.name(),
            "connection state"
        );
        self.slot.set_connection(state);
        self.emit(Event::ConnectionStateChanged { state, reason });
    }

    /// The last thing a session does: nothing is emitted after `sessionClosed`.
    fn finish(&mut self) {
        self.closed = true;
        self.emit(Event::SessionClosed);
    }

    async fn enter(&mut self, request: EnterRequest, started: Instant) -> Entering {
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

    /// Serve the room over `connection`, and over new connections each time one breaks,
    /// until the room is over for this session.
    async fn in_room(&mut self, mut connection: Connection) -> ExitReason {
        loop {
            match self.serve(&mut connection).await {
                Served::Ended(reason) => {
                    self.close(connection).await;
                    return reason;
                }
                Served::Lost(message) => {
                    // What reached the socket before the loss may have reached the room; the
                    // rest never left this process.
                    self.note_written(connection.messages_written());
                    drop(connection);
                    match self.reconnect(message).await {
                        Ok(next) => connection = next,
                        Err(reason) => return reason,
                    }
                }
            }
        }
    }

    /// Relay room events until the app exits, the server ends the session, or the connection
    /// breaks. Pings the server as it asked (each ping carries the last event's seq, which
    /// lets the server trim its replay buffer), and treats the server as gone when it is
    /// silent too long (even if the socket never reports an error: a peer can vanish
    /// without closing).
    async fn serve(&mut self, connection: &mut Connection) -> Served {
        let heartbeat = self.heartbeat;
        let mut pings = interval(heartbeat.ping_interval);
        pings.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let silence_limit = heartbeat.silence_limit();
        let mut unacknowledged = 0;
        // One timer for the whole session, moved on only when it fires: setting a new one for
        // every frame cost a timer-wheel insert and removal per event.
        let silence = sleep_until(connection.last_heard() + silence_limit);
        tokio::pin!(silence);
        let backlog = self.backlog.clone();
        loop {
            // While the app is far behind on events, read nothing more from the server: the
            // frames wait in the socket (and then on the server), not in this process.
            let app_behind = backlog.as_ref().is_some_and(|b| b.is_full());
            tokio::select! {
                command = self.commands.recv() => match command {
                    Some(Command::Switch(params)) => {
                        let switched = self.switch(connection, &params).await;
                        self.slot.request_done();
                        match switched {
                            Ok(None) => {}
                            Ok(Some(reason)) => return Served::Ended(reason),
                            Err(message) => return Served::Lost(message),
                        }
                    }
                    Some(Command::Message(message)) => {
                        let request = self.keep_for_resend(message);
                        connection.send_message(request);
                    }
                    Some(Command::Publish(publishing)) => {
                        let publishing = self.slot.publish_taken(publishing);
                        self.request.publishing = publishing;
                        connection.send(ClientRequest::Publish(publishing));
                    }
                    Some(Command::UserData) => {
                        self.user_data_taken();
                        self.send_user_data(connection);
                    }
                    // Done when answered (see on_answer).
                    Some(Command::SwitchRole(role)) => self.switch_role(connection, role),
                    // Exit from exitRoom() or destroy() (or the engine is gone).
                    Some(Command::Exit) | None => return Served::Ended(self.exit(connection).await),
                },
                _ = wait_for_room(backlog.as_deref()), if app_behind => {}
                frame = connection.next_frame(), if !app_behind => {
                    for unreadable in connection.take_unreadable() {
                        self.emit(Event::Warning {
                            code: WarningCode::ServerFrameUnreadable.value(),
                            message: format!("skipped a frame from the server that this client cannot read: {unreadable}"),
                        });
                    }
                    match frame {
                        Ok(ServerFrame::Event { seq, event }) => {
                            if let Some(reason) = self.on_room_event(seq, event) {
                                return Served::Ended(reason);
                            }
                            // Acknowledge often enough that the server's replay buffer stays
                            // small (a ping carries the acknowledgement).
                            unacknowledged += 1;
                            if unacknowledged == ACKNOWLEDGE_EVERY {
                                unacknowledged = 0;
                                connection.ping(self.last_seq);
                            }
                        }
                        Ok(ServerFrame::Response { id, result }) => self.on_answer(id, result),
                        Ok(ServerFrame::MessagesTaken { last_message }) => {
                            self.forget_messages_up_to(last_message)
                        }
                        Ok(ServerFrame::Unknown) => tracing::debug!("unknown frame skipped"),
                        Err(error) => return Served::Lost(error.to_string()),
                    }
                }
                _ = pings.tick() => connection.ping(self.last_seq),
                _ = &mut silence => {
                    // The server may have been heard since the timer was set: then it is
                    // moved on to the new deadline.
                    let silent_until = connection.last_heard() + silence_limit;
                    silence.as_mut().reset(silent_until);
                    if silent_until <= Instant::now() {
                        return Served::Lost(format!(
                            "no answer from the room server for {} ms",
                            silence_limit.as_millis()
                        ));
                    }
                }
            }
        }
    }

    /// The connection is gone: tell the app, then try to get back into the room as the
    /// reconnect policy allows. Ok: a connection to go on with; Err: the room is over.
    async fn reconnect(&mut self, message: String) -> Result<Connection, ExitReason> {
        tracing::warn!(%message, "connection to the room server lost");
        let policy = self.config.reconnect;
        if policy.attempts > 0 {
            self.set_state(
                ConnectionState::Reconnecting,
                StateChangeReason::ConnectionLost,
            );
        }
        self.emit(Event::ConnectionLost {
            message: message.clone(),
        });
        if policy.attempts == 0 {
            return Err(self.give_up(format!(
                "the connection to the room server was lost ({message}) and reconnecting is off"
            )));
        }
        // Lost again soon after the last recovery: go on from where that backoff was.
        let recently = self
            .recovered_at
            .is_some_and(|at| at.elapsed() < STABLE_AFTER);
        self.loss_streak = if recently { self.loss_streak + 1 } else { 0 };
        let mut last_error = message;
        for attempt in 1..=policy.attempts {
            let wait = jittered(policy.delay_before(attempt + self.loss_streak));
            if self.wait_while_away(sleep(wait)).await.is_none() {
                return Err(self.leave_while_away().await);
            }
            self.emit(Event::TryToReconnect { attempt });
            // Entering afresh takes the role last asked for, so a switch the server may have
            // made (or one asked for meanwhile) is not shown undone to the room in between.
            let mut request = self.request.clone();
            if let Some(&(_, role)) = self.role_switches.back() {
                request.role = role;
            }
            let sent_upto = self.unacked.back().map_or(0, |(message, _)| message.seq);
            let outcome = attempt_to_return(
                self.transport.clone(),
                self.config.server_url.clone(),
                self.resume_request(sent_upto),
                request,
                self.config.enter_timeout,
            );
            let Some(outcome) = self.wait_while_away(outcome).await else {
                return Err(self.leave_while_away().await);
            };
            match outcome {
                Attempt::Resumed(mut connection, missed, last_message) => {
                    tracing::info!(attempt, missed = missed.len(), "session resumed");
                    for (seq, event) in missed {
                        if let Some(reason) = self.on_room_event(seq, event) {
                            return Err(reason);
                        }
                    }
                    connection.set_write_timeout(self.heartbeat.silence_limit());
                    self.resend(&mut connection, Some(last_message));
                    // Whether the server got the last changes is unknown: state them again.
                    self.catch_up(&mut connection, None);
                    self.recovered_at = Some(Instant::now());
                    self.set_state(ConnectionState::Connected, StateChangeReason::Resumed);
                    self.emit(Event::ConnectionRecovery);
                    return Ok(*connection);
                }
                Attempt::Reentered(mut connection, welcome) => {
                    self.slot.set_custom_limits(welcome.custom_limits);
                    tracing::info!(attempt, "entered the room again");
                    self.resend(&mut connection, welcome.last_message);
                    self.heartbeat = welcome.heartbeat;
                    connection.set_write_timeout(self.heartbeat.silence_limit());
                    self.recovered_at = Some(Instant::now());
                    self.resume_token = welcome.resume_token;
                    self.last_seq = 0;
                    self.set_state(ConnectionState::Connected, StateChangeReason::Reentered);
                    // Entering again was accepted with the session's data.
                    self.user_data_confirmed = self.request.user_data.clone();
                    self.report_member_changes(welcome.members);
                    self.catch_up(&mut connection, None);
                    self.emit(Event::ConnectionRecovery);
                    return Ok(*connection);
                }
                Attempt::Ended(reason) => return Err(reason),
                Attempt::Refused(code, message) => {
                    self.end_reason = StateChangeReason::GaveUp;
                    self.emit(Event::Error { code, message });
                    return Err(ExitReason::Exited);
                }
                Attempt::Failed(error) => {
                    tracing::debug!(attempt, %error, "reconnection attempt failed");
                    last_error = error;
                }
            }
        }
        Err(self.give_up(format!(
            "could not reconnect to the room server in {} attempts; last error: {last_error}",
            policy.attempts
        )))
    }

    /// The app exited while the connection was down. If the server still holds the session
    /// (parked), take it over just to leave properly, so the others see this member leave with
    /// reason 0 now rather than time out later. Bounded by the exit timeout; the exit
    /// completes locally whatever happens.
    async fn leave_while_away(&mut self) -> ExitReason {
        let Some(resume) = self.resume_request(0) else {
            return ExitReason::Exited;
        };
        let resume = ClientRequest::Resume(resume);
        let url = self.config.server_url.clone();
        let transport = self.transport.clone();
        let deadline = Instant::now() + self.config.exit_timeout;
        let farewell = async {
            let mut connection = transport.open(&url).await.ok()?;
            if let Outcome::Ok(Reply::Resumed { .. } | Reply::Entered { .. }) =
                ask(&mut connection, resume, deadline).await.ok()?
            {
                let _ = ask(&mut connection, ClientRequest::Exit, deadline).await;
            }
            let _ = timeout(CLOSE_GRACE, connection.close()).await;
            Some(())
        };
        if timeout_at(deadline, farewell).await.is_err() {
            tracing::debug!("could not reach the server to leave; its session times out there");
        }
        ExitReason::Exited
    }

    /// The request that resumes this session (None: the server gave no token): signed with a
    /// fresh counter, naming the room the app was told it is in.
    fn resume_request(&mut self, sent_upto: u32) -> Option<ResumeRequest> {
        let token = self.resume_token.clone()?;
        let (counter, proof) = match &self.resume_signer {
            Some(signer) => {
                let (counter, proof) = signer.sign(&token);
                (counter, Some(proof))
            }
            None => (0, None),
        };
        Some(ResumeRequest {
            token,
            last_seq: self.last_seq,
            room: Some(self.request.room.clone()),
            sent_upto,
            counter,
            proof,
        })
    }

    /// End the room after a lost connection: `onError(ERR_RECONNECT_FAILED)`, then (from
    /// the caller) `onExitRoom(0)`.
    fn give_up(&mut self, message: String) -> ExitReason {
        self.end_reason = StateChangeReason::GaveUp;
        self.emit(Event::Error {
            code: ErrorCode::ReconnectFailed.value(),
            message,
        });
        ExitReason::Exited
    }

    /// Run `work` while away from the room, answering the app's commands meanwhile. None:
    /// the app exited (exitRoom() or destroy()), which ends the room at once.
    async fn wait_while_away<T>(
        &mut self,
        work: impl std::future::Future<Output = T>,
    ) -> Option<T> {
        tokio::pin!(work);
        loop {
            tokio::select! {
                biased;
                command = self.commands.recv() => match command {
                    Some(Command::Switch(_)) => {
                        self.slot.request_done();
                        self.emit(Event::SwitchRoom {
                            code: ErrorCode::RoomEnterFail.value(),
                            message: "reconnecting to the room server: call switchRoom again after onConnectionRecovery".into(),
                        })
                    }
                    // Sent once the session is resumed.
                    Some(Command::Message(message)) => {
                        self.keep_for_resend(message);
                    }
                    // Both stated once back (see catch_up).
                    Some(Command::Publish(publishing)) => {
                        self.request.publishing = self.slot.publish_taken(publishing)
                    }
                    Some(Command::UserData) => self.user_data_taken(),
                    Some(Command::SwitchRole(role)) => self.role_switches.push_back((None, role)),
                    Some(Command::Exit) | None => return None,
                },
                done = &mut work => return Some(done),
            }
        }
    }

    /// setUserData's latest data becomes what the session states from now on (and enters
    /// with again after a lost session).
    fn user_data_taken(&mut self) {
        self.request.user_data = self.slot.user_data_taken();
        self.user_data_changed = true;
    }

    /// Tell the server the session's member data; its answer is handled by on_answer.
    fn send_user_data(&mut self, connection: &mut Connection) {
        let user_data = self.request.user_data.clone();
        let request = ClientRequest::SetUserData(SetUserDataRequest { user_data });
        self.user_data_sent = Some(connection.send(request));
    }

    /// An answer read while serving the room: to a switchRole (onSwitchRole), to a setUserData
    /// (a refusal is onError), or the server refusing a custom message (they are answered only
    /// then), which the app hears as onWarning.
    fn on_answer(&mut self, id: u64, result: Outcome) {
        if self.user_data_sent == Some(id) {
            self.user_data_sent = None;
            match result {
                Outcome::Ok(_) => self.user_data_confirmed = self.request.user_data.clone(),
                Outcome::Error(body) => {
                    // The room keeps what it had; so does the session.
                    self.request.user_data = self.user_data_confirmed.clone();
                    self.emit(Event::Error {
                        code: body.code,
                        message: body.message,
                    });
                }
            }
            return;
        }
        if let Some(&(Some(sent), role)) = self.role_switches.front() {
            if sent == id {
                self.role_switches.pop_front();
                self.slot.request_done();
                let (code, message) = match result {
                    Outcome::Ok(Reply::RoleSwitched { .. }) => {
                        self.request.role = role;
                        self.slot.set_role(role);
                        (0, String::new())
                    }
                    Outcome::Ok(other) => (
                        ErrorCode::RoomEnterFail.value(),
                        format!("the server answered switchRole with {other:?}"),
                    ),
                    Outcome::Error(body) => (body.code, body.message),
                };
                self.emit(Event::SwitchRole { code, message });
                return;
            }
        }
        match result {
            Outcome::Error(body) if body.code < 0 => self.emit(Event::Error {
                code: body.code,
                message: body.message,
            }),
            Outcome::Error(body) => self.emit(Event::Warning {
                code: body.code,
                message: body.message,
            }),
            // A setUserData a later one replaced: the later one's answer is what counts.
            Outcome::Ok(Reply::UserDataSet) => {}
            Outcome::Ok(_) => tracing::warn!(id, "answer to no pending request; skipped"),
        }
    }

    /// switchRole: refused here in a scene without roles; else asked of the server, whose
    /// answer the serve loop hands to [`Session::on_answer`] (asked again after a reconnection
    /// if the connection breaks first).
    fn switch_role(&mut self, connection: &mut Connection, role: Role) {
        let scene = self.request.scene;
        if !scene.has_roles() {
            self.emit(Event::SwitchRole {
                code: ErrorCode::RoleNotSupported.value(),
                message: format!(
                    "switchRole works in the LIVE (1) and VoiceChatRoom (3) scenes; this room was entered with {} ({}), where everyone is an anchor",
                    scene.trtc_name(),
                    scene as u32
                ),
            });
            return;
        }
        self.role_switches.push_back((None, role));
        self.send_role_switches(connection)
    }

    /// Send the switchRole requests not sent on this connection yet, in order.
    fn send_role_switches(&mut self, connection: &mut Connection) {
        for (sent, role) in self.role_switches.iter_mut() {
            if sent.is_none() {
                let request = ClientRequest::SwitchRole(SwitchRoleRequest { role: *role });
                *sent = Some(connection.send(request));
            }
        }
    }

    /// On a new connection (or once entered): tell the server what is published, unless it is
    /// `known` to have it already, and ask again for the role switches not yet answered. If
    /// the connection breaks meanwhile, the serve loop hears of it from the next frame.
    fn catch_up(&mut self, connection: &mut Connection, known: Option<Publishing>) {
        if known != Some(self.request.publishing) {
            connection.send(ClientRequest::Publish(self.request.publishing));
        }
        // Data set since entering may not have reached the server (a room that already has
        // it tells nobody again). An answer owed on the old connection never comes.
        if known.is_none() {
            self.user_data_sent = None;
            if self.user_data_changed {
                self.send_user_data(connection);
            }
        }
        for switch in self.role_switches.iter_mut() {
            switch.0 = None;
        }
        self.send_role_switches(connection);
    }

    /// Send again, in order, the custom messages the server did not take: those after
    /// `taken` when the server says (a resumed session), else only those never written to a
    /// connection (a new session: what the old one passed on is not sent twice).
    fn resend(&mut self, connection: &mut Connection, taken: Option<u32>) {
        let before = self.unacked.len();
        match taken {
            Some(last) => self.unacked.retain(|(message, _)| message.seq > last),
            None => {
                self.unacked.retain(|(_, written)| !written);
                // Written before the loss, not known to have been taken, and not sent again
                // (they may have reached the room): the app hears how many.
                let unconfirmed = before - self.unacked.len();
                if unconfirmed > 0 {
                    self.emit(Event::Warning {
                        code: WarningCode::CustomCmdUnconfirmed.value(),
                        message: format!("the connection was lost and the server no longer held the session: {unconfirmed} custom messages written just before the loss may not have reached the room"),
                    });
                }
            }
        }
        self.slot.messages_done(before - self.unacked.len());
        for (message, _) in self.unacked.iter() {
            connection.send_message(message.clone());
        }
    }

    /// The lost connection had written the custom messages up to `last` to its socket.
    fn note_written(&mut self, last: u32) {
        for (message, written) in self.unacked.iter_mut() {
            if message.seq <= last {
                *written = true;
            }
        }
    }

    /// The server took the custom messages up to `last`: they need not be kept any more.
    fn forget_messages_up_to(&mut self, last: u32) {
        let before = self.unacked.len();
        while self
            .unacked
            .front()
            .is_some_and(|(message, _)| message.seq <= last)
        {
            self.unacked.pop_front();
        }
        self.slot.messages_done(before - self.unacked.len());
    }

    /// A custom message as it goes on the wire, kept until it can no longer be needed: after a
    /// resume the server says which it got, and the rest are sent again. It counts as written
    /// once a lost connection says it reached the socket ([`Session::note_written`]).
    fn keep_for_resend(&mut self, message: OutgoingMessage) -> MessageRequest {
        let request = MessageRequest {
            cmd_id: message.cmd_id,
            seq: message.seq,
            data: base64::engine::general_purpose::STANDARD.encode(&message.data),
            reliable: message.reliable,
            ordered: message.ordered,
        };
        // The engine accepts no more than the server may leave unacknowledged, so nothing
        // accepted is ever dropped here to make room.
        self.unacked.push_back((request.clone(), false));
        request
    }

    /// Bring the app's view of the room to `now` (on entering, after a switch, after entering
    /// again), as if it had seen it happen: who left (their streams ending first; the reason
    /// of a departure it did not see is 0), whose streams changed, who arrived (then their
    /// streams), in the order the server listed them.
    fn report_member_changes(&mut self, now: Vec<MemberState>) {
        let now: IndexMap<UserId, View> = now
            .into_iter()
            .map(|member| {
                let view = member.view();
                (member.user_id, view)
            })
            .collect();
        let mut events = Vec::new();
        for (user_id, view) in self.members.in_arrival_order() {
            if !now.contains_key(user_id) {
                events.extend(presence_change(
                    user_id,
                    Some(view),
                    None,
                    LeaveReason::Exited,
                ));
            }
        }
        for (user_id, view) in &now {
            let before = self.members.get(user_id);
            events.extend(presence_change(
                user_id,
                before,
                Some(view),
                LeaveReason::Exited,
            ));
        }
        for event in events {
            self.relay(event);
        }
    }

    /// Move to another room. Ok(None): done, one way or the other (onSwitchRoom says which);
    /// Ok(Some(reason)): the server ended the session meanwhile; Err: the connection is lost.
    async fn switch(
        &mut self,
        connection: &mut Connection,
        params: &serde_json::Value,
    ) -> Result<Option<ExitReason>, String> {
        let request = match params::switch_request(params, &self.request.user_sig) {
            Ok(request) => request,
            Err(error) => {
                self.emit(Event::SwitchRoom {
                    code: error.code.value(),
                    message: error.message,
                });
                return Ok(None);
            }
        };
        self.slot.set_phase(Phase::Switching);
        let room = request.room.clone();
        let user_sig = request.user_sig.clone();
        let private_map_key = request.private_map_key.clone();
        let deadline = Instant::now() + self.config.enter_timeout;
        let outcome = self.switch_exchange(connection, request, deadline).await;
        self.slot.set_phase(Phase::InRoom);
        let outcome = match outcome {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(reason)) => return Ok(Some(reason)),
            Err(message) => {
                // Whether the server moved us is unknown: the resume names the room the app
                // was told it is in, and the server puts the session back there if need be.
                self.emit(Event::SwitchRoom {
                    code: ErrorCode::RoomEnterFail.value(),
                    message: format!("the connection was lost during switchRoom: {message}"),
                });
                return Err(message);
            }
        };
        match outcome {
            Outcome::Ok(Reply::Switched { members }) => {
                self.slot.set_room(room.clone());
                self.request.room = room;
                self.request.user_sig = user_sig;
                // Entering again after a lost session needs the key for the room it is in now.
                self.request.private_map_key = private_map_key;
                // onSwitchRoom first (as onEnterRoom is), then the old room's members leave and
                // the new room's arrive, with nothing in between.
                self.emit(Event::SwitchRoom {
                    code: 0,
                    message: String::new(),
                });
                self.report_member_changes(Vec::new());
                self.report_member_changes(members);
            }
            Outcome::Error(body) => self.emit(Event::SwitchRoom {
                code: body.code,
                message: body.message,
            }),
            Outcome::Ok(other) => self.emit(Event::SwitchRoom {
                code: ErrorCode::RoomEnterFail.value(),
                message: format!("the server answered switch with {other:?}"),
            }),
        }
        Ok(None)
    }

    /// Send the switch request and read until its answer, relaying the old room's events that
    /// arrive first. Ok(Err(reason)): the server ended the session meanwhile.
    async fn switch_exchange(
        &mut self,
        connection: &mut Connection,
        request: openroom_protocol::SwitchRequest,
        deadline: Instant,
    ) -> Result<Result<Outcome, ExitReason>, String> {
        let request_id = connection.send(ClientRequest::Switch(request));
        let exiting = self.exiting.clone();
        loop {
            let next = tokio::select! {
                biased;
                // exitRoom() does not wait for the switch: the exit that follows leaves
                // whichever room the server put this member in.
                _ = exiting.cancelled() => {
                    return Ok(Ok(Outcome::Error(openroom_protocol::messages::ErrorBody::new(
                        ErrorCode::RoomEnterFail,
                        "exitRoom() was called before the room server answered switchRoom",
                    ))));
                }
                next = timeout_at(deadline, connection.next_frame()) => next,
            };
            match next {
                Err(_) => {
                    return Err(format!(
                        "the room server did not answer switchRoom within {} ms",
                        self.config.enter_timeout.as_millis()
                    ))
                }
                Ok(Err(error)) => return Err(error.to_string()),
                Ok(Ok(ServerFrame::Event { seq, event })) => {
                    if let Some(reason) = self.on_room_event(seq, event) {
                        return Ok(Err(reason));
                    }
                }
                Ok(Ok(ServerFrame::Response { id, result })) if id == request_id => {
                    return Ok(Ok(result))
                }
                Ok(Ok(ServerFrame::Response { id, result })) => self.on_answer(id, result),
                Ok(Ok(ServerFrame::MessagesTaken { last_message })) => {
                    self.forget_messages_up_to(last_message)
                }
                Ok(Ok(ServerFrame::Unknown)) => {}
            }
        }
    }

    /// Tell the server we leave and wait (bounded) for its acknowledgement, relaying the
    /// events that arrive before it. The exit completes locally whatever the server does.
    async fn exit(&mut self, connection: &mut Connection) -> ExitReason {
        self.slot.set_phase(Phase::Exiting);
        let deadline = Instant::now() + self.config.exit_timeout;
        let request_id = connection.send(ClientRequest::Exit);
        loop {
            match timeout_at(deadline, connection.next_frame()).await {
                Err(_) => {
                    tracing::warn!(
                        timeout_ms = self.config.exit_timeout.as_millis() as u64,
                        "no exit acknowledgement from the server; exiting locally"
                    );
                    break;
                }
                Ok(Err(_)) => break,
                Ok(Ok(ServerFrame::Response { id, .. })) if id == request_id => break,
                Ok(Ok(ServerFrame::Response { id, result })) => self.on_answer(id, result),
                Ok(Ok(ServerFrame::MessagesTaken { last_message })) => {
                    self.forget_messages_up_to(last_message)
                }
                Ok(Ok(ServerFrame::Unknown)) => {}
                Ok(Ok(ServerFrame::Event { seq, event })) => {
                    if let Some(reason) = self.on_room_event(seq, event) {
                        return reason;
                    }
                }
            }
        }
        ExitReason::Exited
    }

    /// Relay one room event; returns the exit reason when the server ended the session.
    fn on_room_event(&mut self, seq: u64, event: RoomEvent) -> Option<ExitReason> {
        let expected = self.last_seq.wrapping_add(1);
        if seq != expected {
            tracing::warn!(expected, got = seq, "room event sequence gap");
        }
        self.last_seq = seq;
        self.relay(event)
    }

    /// Tell the app about one room event, keeping the view of the members up to date; returns
    /// the exit reason when the server ended the session.
    fn relay(&mut self, event: RoomEvent) -> Option<ExitReason> {
        match event {
            RoomEvent::MemberEntered { user_id, user_data } => {
                self.members.arrived(user_id.clone(), user_data.clone());
                self.emit(Event::RemoteUserEnterRoom { user_id, user_data })
            }
            RoomEvent::MemberUpdated { user_id, user_data } => {
                self.members.updated(&user_id, user_data.clone());
                self.emit(Event::RemoteUserDataUpdated { user_id, user_data })
            }
            RoomEvent::MemberLeft { user_id, reason } => {
                self.members.left(&user_id);
                self.emit(Event::RemoteUserLeaveRoom { user_id, reason })
            }
            RoomEvent::AudioAvailable { user_id, available } => {
                if let Some(publishing) = self.members.publishing(&user_id) {
                    publishing.audio = available;
                }
                self.emit(Event::UserAudioAvailable { user_id, available })
            }
            RoomEvent::VideoAvailable { user_id, available } => {
                if let Some(publishing) = self.members.publishing(&user_id) {
                    publishing.video = available;
                }
                self.emit(Event::UserVideoAvailable { user_id, available })
            }
            RoomEvent::Ejected { reason } => return Some(reason),
            RoomEvent::CustomMessage {
                user_id,
                cmd_id,
                seq,
                data,
            } => self.emit(Event::RecvCustomCmdMsg {
                user_id,
                cmd_id,
                seq,
                data,
            }),
            RoomEvent::MissedMessages {
                user_id,
                cmd_id,
                missed,
            } => self.emit(Event::MissCustomCmdMsg {
                user_id,
                cmd_id,
                missed,
            }),
            RoomEvent::Unknown => tracing::debug!("unknown room event skipped"),
        }
        None
    }

    /// Close the WebSocket cleanly, but never wait longer than [`CLOSE_GRACE`] for it.
    async fn close(&self, connection: Connection) {
        let _ = timeout(CLOSE_GRACE, connection.close()).await;
    }
}

/// Read frames until the response to `request_id`; frames before it are skipped.
async fn answer_to(
    connection: &mut Connection,
    request_id: u64,
) -> Result<Outcome, ConnectionError> {
    loop {
        match connection.next_frame().await? {
            ServerFrame::Response { id, result } if id == request_id => return Ok(result),
            other => tracing::debug!(?other, "frame before the awaited response; skipped"),
        }
    }
}

/// Send `request` and wait for its answer until `deadline`.
async fn ask(
    connection: &mut Connection,
    request: ClientRequest,
    deadline: Instant,
) -> Result<Outcome, String> {
    let exchange = async {
        let id = connection.send(request);
        answer_to(connection, id).await
    };
    match timeout_at(deadline, exchange).await {
        Ok(Ok(outcome)) => Ok(outcome),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("the room server did not answer in time".into()),
    }
}

/// One reconnection attempt: a new connection, then resume the session (with `resume`), or
/// enter the room again when the server no longer holds it.
async fn attempt_to_return(
    transport: Transport,
    url: String,
    resume: Option<ResumeRequest>,
    request: EnterRequest,
    within: Duration,
) -> Attempt {
    let deadline = Instant::now() + within;
    let mut connection = match timeout_at(deadline, transport.open(&url)).await {
        Ok(Ok(connection)) => connection,
        // The server's certificate is refused: no later attempt can fix that.
        Ok(Err(error @ ConnectionError::Certificate { .. })) => {
            return Attempt::Refused(ErrorCode::RoomEnterFail.value(), error.to_string())
        }
        Ok(Err(error)) => return Attempt::Failed(error.to_string()),
        Err(_) => return Attempt::Failed(format!("connecting to {url} timed out")),
    };
    if let Some(resume) = resume {
        match ask(&mut connection, ClientRequest::Resume(resume), deadline).await {
            Err(error) => return Attempt::Failed(error),
            Ok(Outcome::Ok(Reply::Resumed {
                replayed,
                last_message,
            })) => {
                return match read_missed(&mut connection, replayed, deadline).await {
                    Ok(missed) => Attempt::Resumed(Box::new(connection), missed, last_message),
                    Err(error) => Attempt::Failed(error),
                };
            }
            Ok(Outcome::Ok(Reply::SessionEnded { reason })) => return Attempt::Ended(reason),
            Ok(Outcome::Ok(reply)) => {
                return match Welcome::from_reply(reply) {
                    Ok(welcome) => Attempt::Reentered(Box::new(connection), welcome),
                    Err(other) => {
                        Attempt::Failed(format!("the server answered resume with {other:?}"))
                    }
                }
            }
            Ok(Outcome::Error(body))
                if body.code == ErrorCode::SessionExpired.value()
                    || body.code == ErrorCode::ResumeRefused.value() =>
            {
                tracing::debug!(message = %body.message, "session gone; entering again");
            }
            // The credentials presented again expired or no longer admit the member: entering
            // would be refused the same way, so this is final.
            Ok(Outcome::Error(body)) if is_credential_refusal(body.code) => {
                let _ = timeout(CLOSE_GRACE, connection.close()).await;
                return Attempt::Refused(body.code, body.message);
            }
            Ok(Outcome::Error(body)) => return Attempt::Failed(body.message),
        }
    }
    match ask(&mut connection, ClientRequest::Enter(request), deadline).await {
        Err(error) => Attempt::Failed(error),
        Ok(Outcome::Ok(reply)) => match Welcome::from_reply(reply) {
            Ok(welcome) => Attempt::Reentered(Box::new(connection), welcome),
            Err(other) => Attempt::Failed(format!("the server answered enter with {other:?}")),
        },
        // Worth another try: the room was closing, the server was not ready, or it holds this
        // user to a rate (a restarted server that every room of a bot comes back to at once).
        Ok(Outcome::Error(body))
            if body.code == ErrorCode::RoomEnterFail.value()
                || body.code == ErrorCode::RateLimited.value() =>
        {
            Attempt::Failed(body.message)
        }
        Ok(Outcome::Error(body)) => {
            let _ = timeout(CLOSE_GRACE, connection.close()).await;
            Attempt::Refused(body.code, body.message)
        }
    }
}

/// Whether `code` refuses the member's credentials (UserSig or privateMapKey).
fn is_credential_refusal(code: i32) -> bool {
    [
        ErrorCode::UserSigInvalid,
        ErrorCode::ServerInfoPrivilegeFlagError,
        ErrorCode::ServerCenterNoPrivilegeCreateRoom,
        ErrorCode::ServerCenterNoPrivilegeEnterRoom,
    ]
    .iter()
    .any(|refusal| refusal.value() == code)
}

/// The `count` events the server replays right after `Resumed`.
async fn read_missed(
    connection: &mut Connection,
    count: u64,
    deadline: Instant,
) -> Result<Vec<(u64, RoomEvent)>, String> {
    let mut missed = Vec::new();
    while (missed.len() as u64) < count {
        match timeout_at(deadline, connection.next_frame()).await {
            Ok(Ok(ServerFrame::Event { seq, event })) => missed.push((seq, event)),
            Ok(Ok(_)) => {}
            Ok(Err(error)) => return Err(error.to_string()),
            Err(_) => return Err("the room server did not replay the missed events in time".into()),
        }
    }
    Ok(missed)
}

/// `delay` ± 20 %, so the clients of a restarted server spread their attempts.
fn jittered(delay: Duration) -> Duration {
    if delay.is_zero() {
        return delay;
    }
    delay.mul_f64(rand::random_range(0.8..1.2))
}

/// Until the app has taken enough events for the session to read again.
async fn wait_for_room(backlog: Option<&Backlog>) {
    match backlog {
        Some(backlog) => backlog.until_room().await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> UserId {
        UserId::parse(name).unwrap()
    }

    fn order(members: &Members) -> Vec<(String, Publishing)> {
        members
            .in_arrival_order()
            .into_iter()
            .map(|(user_id, view)| (user_id.as_str().to_owned(), view.publishing))
            .collect()
    }

    #[test]
    fn members_keep_their_arrival_order_through_departures() {
        let mut members = Members::default();
        for name in ["a", "b", "c", "d"] {
            members.arrived(user(name), None);
        }
        members.left(&user("b"));
        members.arrived(user("e"), None);
        let audio = Publishing {
            audio: true,
            video: false,
        };
        *members.publishing(&user("a")).unwrap() = audio;
        let nothing = Publishing::NOTHING;
        assert_eq!(
            order(&members),
            [
                ("a".into(), audio),
                ("c".into(), nothing),
                ("d".into(), nothing),
                ("e".into(), nothing)
            ]
        );
        // Announced again: the same place, publishing nothing until told otherwise, with the
        // data it came with.
        let data = UserData::parse(r#""A""#).unwrap();
        members.arrived(user("a"), Some(data.clone()));
        assert_eq!(order(&members)[0], ("a".into(), nothing));
        assert_eq!(members.get(&user("a")).unwrap().user_data, Some(data));
        members.updated(&user("a"), None);
        assert_eq!(members.get(&user("a")).unwrap().user_data, None);
        assert_eq!(members.get(&user("b")), None);
    }
}
