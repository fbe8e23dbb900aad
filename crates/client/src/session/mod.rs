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
//!
//! This file holds the task (`run`) and the serve loop; `enter.rs` entering, `members.rs`
//! the member view, `relay.rs` room events, `outbox.rs` what is owed to the server (resends,
//! role switches, member data) and the answers that settle it, `reconnect.rs` the attempts
//! and resumes, `switch.rs` and `exit.rs` those exchanges.

mod enter;
mod exit;
mod members;
mod outbox;
mod reconnect;
mod relay;
mod switch;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use openroom_protocol::messages::Outcome;
use openroom_protocol::{
    ClientRequest, EnterRequest, ErrorCode, ExitReason, MessageRequest, Role, ServerFrame,
    UserData, WarningCode,
};
use tokio::sync::mpsc;
use tokio::time::{interval, sleep_until, timeout, timeout_at, Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use crate::config::ClientConfig;
use crate::connection::{Connection, ConnectionError, Transport};
use crate::events::{Backlog, ConnectionState, Event, EventSink, StateChangeReason};
use crate::resume_signer::ResumeSigner;
use crate::slot::{Command, Phase, SlotRef};

use enter::{Entering, Heartbeat};
use members::Members;

/// Room events received between acknowledgements (besides the one in every heartbeat ping).
const ACKNOWLEDGE_EVERY: u32 = 64;

/// Longest a session waits for the WebSocket close handshake. The close is a courtesy (it
/// lets the server tell a deliberate departure from a lost connection), never a reason to wait.
const CLOSE_GRACE: Duration = Duration::from_millis(250);

/// How serving one connection ended.
enum Served {
    /// The room is over for this session.
    Ended(ExitReason),
    /// The connection broke; the session may go on over a new one.
    Lost(String),
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

    /// Close the WebSocket cleanly, but never wait longer than [`CLOSE_GRACE`] for it.
    async fn close(&self, connection: Connection) {
        let _ = timeout(CLOSE_GRACE, connection.close()).await;
    }
}

/// How reading until an answer ended.
enum Exchange {
    Answered(Outcome),
    /// A room event ended the room meanwhile (removal, dismissal).
    Ended(ExitReason),
    /// The cancel token fired first.
    Cancelled,
    TimedOut,
    Broken(ConnectionError),
}

impl Session {
    /// Read frames until the answer to `request_id`, by `deadline` (or until `cancel` fires),
    /// handling what arrives meanwhile as the serve loop would: room events, answers to other
    /// requests, acknowledgements.
    async fn relay_until_answer(
        &mut self,
        connection: &mut Connection,
        request_id: u64,
        deadline: Instant,
        cancel: Option<&CancellationToken>,
    ) -> Exchange {
        loop {
            let cancelled = async {
                match cancel {
                    Some(cancel) => cancel.cancelled().await,
                    None => std::future::pending().await,
                }
            };
            let next = tokio::select! {
                biased;
                _ = cancelled => return Exchange::Cancelled,
                next = timeout_at(deadline, connection.next_frame()) => next,
            };
            match next {
                Err(_) => return Exchange::TimedOut,
                Ok(Err(error)) => return Exchange::Broken(error),
                Ok(Ok(ServerFrame::Response { id, result })) if id == request_id => {
                    return Exchange::Answered(result)
                }
                Ok(Ok(ServerFrame::Response { id, result })) => self.on_answer(id, result),
                Ok(Ok(ServerFrame::MessagesTaken { last_message })) => {
                    self.forget_messages_up_to(last_message)
                }
                Ok(Ok(ServerFrame::Unknown)) => {}
                Ok(Ok(ServerFrame::Event { seq, event })) => {
                    if let Some(reason) = self.on_room_event(seq, event) {
                        return Exchange::Ended(reason);
                    }
                }
            }
        }
    }
}

/// Read frames until the response to `request_id`; frames before it are skipped (entering and
/// resuming: nothing of the room has arrived yet).
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

/// Until the app has taken enough events for the session to read again.
async fn wait_for_room(backlog: Option<&Backlog>) {
    match backlog {
        Some(backlog) => backlog.until_room().await,
        None => std::future::pending().await,
    }
}
