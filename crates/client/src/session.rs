//! One session's life as a tokio task: connect, enter, relay room events, exit.
//!
//! Event order per session: `onEnterRoom` first; on success one `onRemoteUserEnterRoom` per
//! member already present, then the room's events as the server numbered them; `onExitRoom`
//! last; then the internal `sessionClosed`, which is emitted whatever ends the task.

use std::time::Duration;

use openroom_protocol::messages::{Outcome, Reply};
use openroom_protocol::{
    ClientRequest, EnterRequest, ErrorCode, ExitReason, LeaveReason, RoomEvent, ServerFrame, UserId,
};
use tokio::sync::mpsc;
use tokio::time::{
    interval, sleep_until, timeout, timeout_at, Instant, Interval, MissedTickBehavior,
};

use crate::connection::{Connection, ConnectionError};
use crate::engine::{ClientConfig, Command, Phase, SlotRef};
use crate::events::{Event, EventSink};
use crate::params;

/// Longest a session waits for the WebSocket close handshake. The close is a courtesy (it
/// lets the server tell a deliberate departure from a lost connection), never a reason to wait.
const CLOSE_GRACE: Duration = Duration::from_millis(250);

/// The heartbeat the server announced at enter; zero durations mean none.
#[derive(Clone, Copy)]
struct Heartbeat {
    ping_interval: Duration,
    session_timeout: Duration,
}

/// How entering ended.
enum Entering {
    Entered(Box<Connection>, Vec<UserId>, Heartbeat),
    Failed(i32, String),
    /// exitRoom() was called before the server let us in.
    Cancelled,
}

struct Session {
    config: ClientConfig,
    commands: mpsc::UnboundedReceiver<Command>,
    sink: Box<dyn EventSink>,
    slot: SlotRef,
    /// Sequence number of the last room event received.
    last_seq: u64,
    /// Set once `sessionClosed` has been emitted.
    closed: bool,
    /// The UserSig given at enter; switchRoom reuses it when the app gives none.
    user_sig: String,
    /// The other members of the current room, in the order they entered: what switchRoom
    /// announces as leaving.
    members: Vec<UserId>,
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

pub(crate) async fn run(
    config: ClientConfig,
    request: EnterRequest,
    started: Instant,
    commands: mpsc::UnboundedReceiver<Command>,
    sink: Box<dyn EventSink>,
    slot: SlotRef,
) {
    let mut session = Session {
        config,
        commands,
        sink,
        slot,
        last_seq: 0,
        closed: false,
        user_sig: request.user_sig.clone(),
        members: Vec::new(),
    };
    let (connection, members, heartbeat) = match session.enter(request, started).await {
        Entering::Entered(connection, members, heartbeat) => (connection, members, heartbeat),
        Entering::Failed(code, message) => {
            session.slot.release();
            for event in Event::enter_failure(code, message) {
                session.emit(event);
            }
            session.finish();
            return;
        }
        Entering::Cancelled => {
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
    session.slot.set_phase(Phase::InRoom);
    session.emit(Event::EnterRoom {
        result: i64::try_from(elapsed_ms).unwrap_or(i64::MAX),
        message: String::new(),
    });
    for user_id in &members {
        session.emit(Event::RemoteUserEnterRoom {
            user_id: user_id.clone(),
        });
    }
    session.members = members;
    let reason = session.in_room(*connection, heartbeat).await;
    session.slot.release();
    session.emit(Event::ExitRoom { reason });
    session.finish();
}

impl Session {
    fn emit(&self, event: Event) {
        self.sink.emit(event);
    }

    /// The last thing a session does: nothing is emitted after `sessionClosed`.
    fn finish(&mut self) {
        self.closed = true;
        self.emit(Event::SessionClosed);
    }

    async fn enter(&mut self, request: EnterRequest, started: Instant) -> Entering {
        let deadline = started + self.config.enter_timeout;
        let url = self.config.server_url.clone();
        let timed_out = || {
            Entering::Failed(
                ErrorCode::RoomRequestEnterRoomTimeout.value(),
                format!(
                    "the room server at {url} did not let us in within {} ms",
                    self.config.enter_timeout.as_millis()
                ),
            )
        };
        let failed = |error: ConnectionError| {
            Entering::Failed(ErrorCode::RoomEnterFail.value(), error.to_string())
        };
        // `biased`: an exitRoom() already queued wins over progress on the network, so an app
        // that exits right after entering gets the cancellation whenever it is still possible.
        let mut connection = tokio::select! {
            biased;
            _ = self.commands.recv() => return Entering::Cancelled,
            opened = timeout_at(deadline, Connection::open(&url)) => match opened {
                Err(_) => return timed_out(),
                Ok(Err(error)) => return failed(error),
                Ok(Ok(connection)) => connection,
            },
        };
        let request_id =
            match timeout_at(deadline, connection.send(ClientRequest::Enter(request))).await {
                Err(_) => return timed_out(),
                Ok(Err(error)) => return failed(error),
                Ok(Ok(id)) => id,
            };
        loop {
            let frame = tokio::select! {
                biased;
                _ = self.commands.recv() => {
                    // A clean close: if the server let us in meanwhile, the others see us leave.
                    self.close(connection).await;
                    return Entering::Cancelled;
                }
                frame = timeout_at(deadline, connection.next_frame()) => frame,
            };
            match frame {
                Err(_) => {
                    self.close(connection).await;
                    return timed_out();
                }
                Ok(Err(error)) => {
                    return Entering::Failed(
                        ErrorCode::RoomEnterFail.value(),
                        format!("the room server dropped the enter request: {error}"),
                    )
                }
                Ok(Ok(ServerFrame::Response { id, result })) if id == request_id => {
                    return match result {
                        Outcome::Ok(Reply::Entered {
                            members,
                            ping_interval_ms,
                            session_timeout_ms,
                        }) => {
                            let heartbeat = Heartbeat {
                                ping_interval: Duration::from_millis(ping_interval_ms),
                                session_timeout: Duration::from_millis(session_timeout_ms),
                            };
                            Entering::Entered(Box::new(connection), members, heartbeat)
                        }
                        Outcome::Ok(other) => {
                            self.close(connection).await;
                            Entering::Failed(
                                ErrorCode::RoomEnterFail.value(),
                                format!("the server answered enter with {other:?}"),
                            )
                        }
                        Outcome::Error(body) => {
                            self.close(connection).await;
                            Entering::Failed(body.code, body.message)
                        }
                    };
                }
                Ok(Ok(other)) => {
                    tracing::debug!(?other, "frame before the enter response; skipped")
                }
            }
        }
    }

    /// Relay room events until the app exits or the server ends the session. Pings the server
    /// as it asked, and treats it as gone when it is silent for its session timeout (even if
    /// the socket never reports an error: a peer can vanish without closing).
    async fn in_room(&mut self, mut connection: Connection, heartbeat: Heartbeat) -> ExitReason {
        let mut pings = (!heartbeat.ping_interval.is_zero()).then(|| {
            let mut pings = interval(heartbeat.ping_interval);
            pings.set_missed_tick_behavior(MissedTickBehavior::Delay);
            pings
        });
        let watch_silence = !heartbeat.session_timeout.is_zero();
        loop {
            let silent_until = connection.last_heard() + heartbeat.session_timeout;
            tokio::select! {
                command = self.commands.recv() => match command {
                    Some(Command::Switch(params)) => {
                        match self.switch(&mut connection, &params).await {
                            Ok(None) => {}
                            Ok(Some(reason)) => {
                                self.close(connection).await;
                                return reason;
                            }
                            Err(message) => return self.connection_lost(connection, message).await,
                        }
                    }
                    // Exit from exitRoom() or destroy() (or the engine is gone).
                    Some(Command::Exit) | None => return self.exit(connection).await,
                },
                frame = connection.next_frame() => match frame {
                    Ok(ServerFrame::Event { seq, event }) => {
                        if let Some(reason) = self.on_room_event(seq, event) {
                            self.close(connection).await;
                            return reason;
                        }
                    }
                    Ok(ServerFrame::Response { id, .. }) => {
                        tracing::warn!(id, "response to no pending request; skipped")
                    }
                    Ok(ServerFrame::Unknown) => tracing::debug!("unknown frame skipped"),
                    Err(error) => return self.connection_lost(connection, error.to_string()).await,
                },
                _ = next_tick(&mut pings) => {
                    if let Err(error) = connection.ping().await {
                        return self.connection_lost(connection, error.to_string()).await;
                    }
                }
                _ = sleep_until(silent_until), if watch_silence => {
                    // The deadline may be stale (a pong arrived meanwhile): check again.
                    if connection.last_heard() + heartbeat.session_timeout <= Instant::now() {
                        let message = format!(
                            "no answer from the room server for {} ms",
                            heartbeat.session_timeout.as_millis()
                        );
                        return self.connection_lost(connection, message).await;
                    }
                }
            }
        }
    }

    /// The connection is gone: hang up for good (so the server does not keep counting this
    /// member), tell the app, and wait for it to exit.
    async fn connection_lost(&mut self, connection: Connection, message: String) -> ExitReason {
        tracing::warn!(%message, "connection to the room server lost");
        drop(connection);
        self.emit(Event::ConnectionLost { message });
        // Nothing more can arrive; the room ends when the app exits.
        while let Some(Command::Switch(_)) = self.commands.recv().await {
            self.emit(Event::SwitchRoom {
                code: ErrorCode::RoomEnterFail.value(),
                message: "the connection to the room server is lost: exitRoom() and enter again"
                    .into(),
            });
        }
        ExitReason::Exited
    }

    /// Move to another room. Ok(None): done, one way or the other (onSwitchRoom says which);
    /// Ok(Some(reason)): the server ended the session meanwhile; Err: the connection is lost.
    async fn switch(
        &mut self,
        connection: &mut Connection,
        params: &serde_json::Value,
    ) -> Result<Option<ExitReason>, String> {
        let request = match params::switch_request(params, &self.user_sig) {
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
        let deadline = Instant::now() + self.config.enter_timeout;
        let sent = timeout_at(deadline, connection.send(ClientRequest::Switch(request))).await;
        let request_id = match sent {
            Ok(Ok(id)) => id,
            Ok(Err(error)) => return Err(error.to_string()),
            Err(_) => return Err("the room server did not take the switch request".into()),
        };
        // Events of the old room arrive until the answer; relay them first.
        let outcome = loop {
            match timeout_at(deadline, connection.next_frame()).await {
                Err(_) => {
                    return Err(format!(
                        "the room server did not answer switchRoom within {} ms",
                        self.config.enter_timeout.as_millis()
                    ))
                }
                Ok(Err(error)) => return Err(error.to_string()),
                Ok(Ok(ServerFrame::Event { seq, event })) => {
                    if let Some(reason) = self.on_room_event(seq, event) {
                        return Ok(Some(reason));
                    }
                }
                Ok(Ok(ServerFrame::Response { id, result })) if id == request_id => break result,
                Ok(Ok(_)) => {}
            }
        };
        self.slot.set_phase(Phase::InRoom);
        match outcome {
            Outcome::Ok(Reply::Switched { members }) => {
                self.slot.set_room(room);
                self.user_sig = user_sig;
                // onSwitchRoom first (as onEnterRoom is), then the old room's members leave and
                // the new room's arrive, with nothing in between.
                self.emit(Event::SwitchRoom {
                    code: 0,
                    message: String::new(),
                });
                for user_id in std::mem::take(&mut self.members) {
                    self.emit(Event::RemoteUserLeaveRoom {
                        user_id,
                        reason: LeaveReason::Exited,
                    });
                }
                for user_id in &members {
                    self.emit(Event::RemoteUserEnterRoom {
                        user_id: user_id.clone(),
                    });
                }
                self.members = members;
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

    /// Tell the server we leave and wait (bounded) for its acknowledgement, relaying the
    /// events that arrive before it. The exit completes locally whatever the server does.
    async fn exit(&mut self, mut connection: Connection) -> ExitReason {
        self.slot.set_phase(Phase::Exiting);
        let deadline = Instant::now() + self.config.exit_timeout;
        if let Ok(Ok(request_id)) = timeout_at(deadline, connection.send(ClientRequest::Exit)).await
        {
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
                    Ok(Ok(ServerFrame::Response { .. } | ServerFrame::Unknown)) => {}
                    Ok(Ok(ServerFrame::Event { seq, event })) => {
                        if let Some(reason) = self.on_room_event(seq, event) {
                            self.close(connection).await;
                            return reason;
                        }
                    }
                }
            }
        }
        self.close(connection).await;
        ExitReason::Exited
    }

    /// Relay one room event; returns the exit reason when the server ended the session.
    fn on_room_event(&mut self, seq: u64, event: RoomEvent) -> Option<ExitReason> {
        let expected = self.last_seq.wrapping_add(1);
        if seq != expected {
            tracing::warn!(expected, got = seq, "room event sequence gap");
        }
        self.last_seq = seq;
        match event {
            RoomEvent::MemberEntered { user_id } => {
                self.members.push(user_id.clone());
                self.emit(Event::RemoteUserEnterRoom { user_id })
            }
            RoomEvent::MemberLeft { user_id, reason } => {
                self.members.retain(|member| member != &user_id);
                self.emit(Event::RemoteUserLeaveRoom { user_id, reason })
            }
            RoomEvent::Ejected { reason } => return Some(reason),
            RoomEvent::Unknown => tracing::debug!(seq, "unknown room event skipped"),
        }
        None
    }

    /// Close the WebSocket cleanly, but never wait longer than [`CLOSE_GRACE`] for it.
    async fn close(&self, connection: Connection) {
        let _ = timeout(CLOSE_GRACE, connection.close()).await;
    }
}

/// The next ping time; never, when the server asked for no pings.
async fn next_tick(pings: &mut Option<Interval>) {
    match pings {
        Some(pings) => {
            pings.tick().await;
        }
        None => std::future::pending().await,
    }
}
