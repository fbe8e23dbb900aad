//! One session's life as a tokio task: connect, enter, relay room events, exit.
//!
//! Event order per session: `onEnterRoom` first; on success one `onRemoteUserEnterRoom` per
//! member already present, then the room's events as the server numbered them; `onExitRoom`
//! last; then the internal `sessionClosed`.

use std::time::Duration;

use openroom_protocol::messages::{Outcome, Reply};
use openroom_protocol::{
    ClientRequest, EnterRequest, ErrorCode, ExitReason, RoomEvent, ServerFrame, UserId,
    PROTOCOL_VERSION,
};
use tokio::sync::mpsc;
use tokio::time::{timeout, timeout_at, Instant};

use crate::connection::Connection;
use crate::engine::{ClientConfig, Command, Phase, SlotRef};
use crate::events::{Event, EventSink};
use crate::params::EnterParams;

/// How entering ended.
enum Entering {
    Entered(Box<Connection>, Vec<UserId>),
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
}

pub(crate) async fn run(
    config: ClientConfig,
    params: EnterParams,
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
    };
    let (connection, members) = match session.enter(params, started).await {
        Entering::Entered(connection, members) => (connection, members),
        Entering::Failed(code, message) => {
            session.slot.release();
            session.emit(Event::EnterRoom {
                result: i64::from(code),
                message: message.clone(),
            });
            session.emit(Event::Error { code, message });
            session.emit(Event::SessionClosed);
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
            session.emit(Event::SessionClosed);
            return;
        }
    };
    let elapsed_ms = started.elapsed().as_millis().max(1);
    session.emit(Event::EnterRoom {
        result: i64::try_from(elapsed_ms).unwrap_or(i64::MAX),
        message: String::new(),
    });
    for user_id in members {
        session.emit(Event::RemoteUserEnterRoom { user_id });
    }
    session.slot.set_phase(Phase::InRoom);
    let reason = session.in_room(*connection).await;
    session.slot.release();
    session.emit(Event::ExitRoom { reason });
    session.emit(Event::SessionClosed);
}

impl Session {
    fn emit(&self, event: Event) {
        self.sink.emit(event);
    }

    async fn enter(&mut self, params: EnterParams, started: Instant) -> Entering {
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
        // `biased`: an exitRoom() already queued wins over progress on the network, so an app
        // that exits right after entering gets the cancellation whenever it is still possible.
        let mut connection = tokio::select! {
            biased;
            _ = self.commands.recv() => return Entering::Cancelled,
            opened = timeout_at(deadline, Connection::open(&url)) => match opened {
                Err(_) => return timed_out(),
                Ok(Err(error)) => return Entering::Failed(ErrorCode::RoomEnterFail.value(), error.to_string()),
                Ok(Ok(connection)) => connection,
            },
        };
        let request = ClientRequest::Enter(EnterRequest {
            protocol: PROTOCOL_VERSION,
            sdk_app_id: params.sdk_app_id,
            user_id: params.user_id,
            user_sig: params.user_sig,
            room: params.room,
            role: params.role,
            scene: params.scene,
        });
        let request_id = match connection.send(request).await {
            Ok(id) => id,
            Err(error) => {
                return Entering::Failed(ErrorCode::RoomEnterFail.value(), error.to_string())
            }
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
                        Outcome::Ok(Reply::Entered { members }) => {
                            Entering::Entered(Box::new(connection), members)
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
                Ok(Ok(other)) => tracing::warn!(?other, "frame before the enter response; ignored"),
            }
        }
    }

    /// Relay room events until the app exits or the server ends the session.
    async fn in_room(&mut self, mut connection: Connection) -> ExitReason {
        loop {
            tokio::select! {
                // Some(Exit) from exitRoom(), or None when the engine itself is gone.
                _ = self.commands.recv() => return self.exit(connection).await,
                frame = connection.next_frame() => match frame {
                    Ok(ServerFrame::Event { seq, event }) => {
                        if let Some(reason) = self.on_room_event(seq, event) {
                            self.close(connection).await;
                            return reason;
                        }
                    }
                    Ok(ServerFrame::Response { id, .. }) => {
                        tracing::warn!(id, "response to no pending request; ignored")
                    }
                    Err(error) => {
                        tracing::warn!(%error, "connection to the room server lost");
                        self.emit(Event::ConnectionLost { message: error.to_string() });
                        // Nothing more can arrive; the room ends when the app exits.
                        let _ = self.commands.recv().await;
                        return ExitReason::Exited;
                    }
                },
            }
        }
    }

    /// Tell the server we leave and wait (bounded) for its acknowledgement, relaying the
    /// events that arrive before it. The exit completes locally whatever the server does.
    async fn exit(&mut self, mut connection: Connection) -> ExitReason {
        self.slot.set_phase(Phase::Exiting);
        let deadline = Instant::now() + self.config.exit_timeout;
        if let Ok(request_id) = connection.send(ClientRequest::Exit).await {
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
                    Ok(Ok(ServerFrame::Response { .. })) => {}
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
        if seq != self.last_seq + 1 {
            tracing::warn!(
                expected = self.last_seq + 1,
                got = seq,
                "room event sequence gap"
            );
        }
        self.last_seq = seq;
        match event {
            RoomEvent::MemberEntered { user_id } => {
                self.emit(Event::RemoteUserEnterRoom { user_id })
            }
            RoomEvent::MemberLeft { user_id, reason } => {
                self.emit(Event::RemoteUserLeaveRoom { user_id, reason })
            }
            RoomEvent::Ejected { reason } => return Some(reason),
            RoomEvent::Unknown => tracing::debug!(seq, "unknown room event skipped"),
        }
        None
    }

    /// Close the WebSocket cleanly, but never wait longer than the exit timeout for it.
    async fn close(&self, connection: Connection) {
        let limit = self.config.exit_timeout.max(Duration::from_millis(100));
        let _ = timeout(limit, connection.close()).await;
    }
}
