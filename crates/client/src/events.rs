//! The events a session reports, named and shaped as trtc-electron-sdk's callbacks.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use openroom_protocol::{ErrorCode, ExitReason, LeaveReason, UserData, UserId};
use tokio::sync::Notify;

use crate::media::LocalDevices;

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `onEnterRoom(result)`: elapsed milliseconds (> 0) on success, a negative error code on
    /// failure. `message` says why it failed (empty on success).
    EnterRoom { result: i64, message: String },
    /// `onError(code, message)`.
    Error { code: i32, message: String },
    /// `onRemoteUserEnterRoom(userId)`; the binding keeps `user_data` for getRemoteUsers().
    RemoteUserEnterRoom {
        user_id: UserId,
        user_data: Option<UserData>,
    },
    /// `onRemoteUserDataUpdated(userId, userData)` (OpenRoom's): the member changed its data.
    RemoteUserDataUpdated {
        user_id: UserId,
        user_data: Option<UserData>,
    },
    /// `onRemoteUserLeaveRoom(userId, reason)`.
    RemoteUserLeaveRoom {
        user_id: UserId,
        reason: LeaveReason,
    },
    /// `onExitRoom(reason)`: the last event of a room.
    ExitRoom { reason: ExitReason },
    /// `onSwitchRoom(errCode, errMsg)`: 0 and "" when switchRoom succeeded.
    SwitchRoom { code: i32, message: String },
    /// `onConnectionLost()`: the connection to the server broke while in a room.
    ConnectionLost { message: String },
    /// `onTryToReconnect()`: reconnection attempt `attempt` (1-based) starts now.
    TryToReconnect { attempt: u32 },
    /// `onConnectionRecovery()`: back in the room after a lost connection.
    ConnectionRecovery,
    /// `onRecvCustomCmdMsg(userId, cmdId, seq, message)`; `data` is base64 (a Buffer in JS).
    RecvCustomCmdMsg {
        user_id: UserId,
        cmd_id: u8,
        seq: u32,
        data: String,
    },
    /// `onWarning(code, message)`: something asked for did not happen (the server refused a
    /// custom message).
    Warning { code: i32, message: String },
    /// `onMissCustomCmdMsg(userId, cmdId, errCode, missed)`.
    MissCustomCmdMsg {
        user_id: UserId,
        cmd_id: u8,
        missed: u32,
    },
    /// `onConnectionStateChanged(state, reason)`: every change of [`ConnectionState`].
    ConnectionStateChanged {
        state: ConnectionState,
        reason: StateChangeReason,
    },
    /// `onUserAudioAvailable(userId, available)`: 1 when the member publishes audio, 0 when
    /// it stopped (numbers, as trtc-electron-sdk passes them).
    UserAudioAvailable { user_id: UserId, available: bool },
    /// `onUserVideoAvailable(userId, available)`, likewise.
    UserVideoAvailable { user_id: UserId, available: bool },
    /// `onSwitchRole(errCode, errMsg)`: 0 and "" when switchRole succeeded.
    SwitchRole { code: i32, message: String },
    /// `onLocalDevicesChanged(camera, microphone)`: the devices the app should hold open now.
    /// Emitted by a session when the room ended without exitRoom() (removal, dismissal …);
    /// the binding emits the changes the app's own calls make.
    LocalDevicesChanged { devices: LocalDevices },
    /// Not an app event: the session is over and its sink will not be called again.
    SessionClosed,
}

impl Event {
    pub(crate) fn enter_failed(code: ErrorCode, message: impl Into<String>) -> Event {
        Event::EnterRoom {
            result: i64::from(code.value()),
            message: message.into(),
        }
    }

    /// How a failed enter is reported: `onEnterRoom(code)` (with the message, for the
    /// promise), then `onError(code, message)`.
    pub(crate) fn enter_failure(code: i32, message: String) -> [Event; 2] {
        [
            Event::EnterRoom {
                result: i64::from(code),
                message: message.clone(),
            },
            Event::Error { code, message },
        ]
    }

    /// The callback's name in trtc-electron-sdk (`sessionClosed` for the internal marker).
    pub fn name(&self) -> &'static str {
        match self {
            Event::EnterRoom { .. } => "onEnterRoom",
            Event::Error { .. } => "onError",
            Event::RemoteUserEnterRoom { .. } => "onRemoteUserEnterRoom",
            Event::RemoteUserDataUpdated { .. } => "onRemoteUserDataUpdated",
            Event::RemoteUserLeaveRoom { .. } => "onRemoteUserLeaveRoom",
            Event::ExitRoom { .. } => "onExitRoom",
            Event::SwitchRoom { .. } => "onSwitchRoom",
            Event::ConnectionLost { .. } => "onConnectionLost",
            Event::TryToReconnect { .. } => "onTryToReconnect",
            Event::ConnectionRecovery => "onConnectionRecovery",
            Event::RecvCustomCmdMsg { .. } => "onRecvCustomCmdMsg",
            Event::MissCustomCmdMsg { .. } => "onMissCustomCmdMsg",
            Event::Warning { .. } => "onWarning",
            Event::ConnectionStateChanged { .. } => "onConnectionStateChanged",
            Event::UserAudioAvailable { .. } => "onUserAudioAvailable",
            Event::UserVideoAvailable { .. } => "onUserVideoAvailable",
            Event::SwitchRole { .. } => "onSwitchRole",
            Event::LocalDevicesChanged { .. } => "onLocalDevicesChanged",
            Event::SessionClosed => "sessionClosed",
        }
    }

    /// The callback's arguments, in trtc-electron-sdk's order.
    pub fn args(&self) -> Vec<Arg<'_>> {
        use Arg::{Bool, Null, Number, Str};

        match self {
            Event::EnterRoom { result, message } => vec![Number(*result), Str(message)],
            Event::Error { code, message }
            | Event::Warning { code, message }
            | Event::SwitchRoom { code, message }
            | Event::SwitchRole { code, message } => vec![Number(i64::from(*code)), Str(message)],
            // The data as JSON text (or null), after trtc-electron-sdk's one argument.
            Event::RemoteUserEnterRoom { user_id, user_data }
            | Event::RemoteUserDataUpdated { user_id, user_data } => {
                let data = user_data.as_ref().map_or(Null, |d| Str(d.as_str()));
                vec![Str(user_id.as_str()), data]
            }
            Event::RemoteUserLeaveRoom { user_id, reason } => {
                vec![Str(user_id.as_str()), Number(*reason as i64)]
            }
            Event::ExitRoom { reason } => vec![Number(*reason as i64)],
            Event::ConnectionLost { message } => vec![Str(message)],
            Event::TryToReconnect { attempt } => vec![Number(i64::from(*attempt))],
            Event::ConnectionRecovery | Event::SessionClosed => vec![],
            Event::RecvCustomCmdMsg {
                user_id,
                cmd_id,
                seq,
                data,
            } => vec![
                Str(user_id.as_str()),
                Number(i64::from(*cmd_id)),
                Number(i64::from(*seq)),
                Str(data),
            ],
            Event::MissCustomCmdMsg {
                user_id,
                cmd_id,
                missed,
            } => vec![
                Str(user_id.as_str()),
                Number(i64::from(*cmd_id)),
                Number(i64::from(ErrorCode::CustomCmdMissed.value())),
                Number(i64::from(*missed)),
            ],
            Event::ConnectionStateChanged { state, reason } => {
                vec![Str(state.name()), Str(reason.name())]
            }
            Event::UserAudioAvailable { user_id, available }
            | Event::UserVideoAvailable { user_id, available } => {
                vec![Str(user_id.as_str()), Number(i64::from(*available))]
            }
            Event::LocalDevicesChanged { devices } => {
                vec![Bool(devices.camera), Bool(devices.microphone)]
            }
        }
    }
}

/// One argument of a callback as JS receives it. The binding turns each straight into a JS
/// value: going through `serde_json::Value` and an array cost a tenth of the JS thread's time
/// when events come by the hundred thousand.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arg<'a> {
    Number(i64),
    Str(&'a str),
    Bool(bool),
    Null,
}

/// Why the connection state changed: the second argument of `onConnectionStateChanged`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateChangeReason {
    /// enterRoom() started connecting.
    EnterRoom,
    /// The server let us in.
    Entered,
    /// Entering failed (or was cancelled by exitRoom()).
    EnterFailed,
    /// The connection broke; reconnecting.
    ConnectionLost,
    /// The same session continues on a new connection.
    Resumed,
    /// The server had lost the session: entered the room again.
    Reentered,
    /// The room was left: exitRoom(), removal, dismissal, another login.
    Exited,
    /// The connection broke and reconnecting failed or is off.
    GaveUp,
}

impl StateChangeReason {
    pub const ALL: [StateChangeReason; 8] = [
        StateChangeReason::EnterRoom,
        StateChangeReason::Entered,
        StateChangeReason::EnterFailed,
        StateChangeReason::ConnectionLost,
        StateChangeReason::Resumed,
        StateChangeReason::Reentered,
        StateChangeReason::Exited,
        StateChangeReason::GaveUp,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StateChangeReason::EnterRoom => "ENTER_ROOM",
            StateChangeReason::Entered => "ENTERED",
            StateChangeReason::EnterFailed => "ENTER_FAILED",
            StateChangeReason::ConnectionLost => "CONNECTION_LOST",
            StateChangeReason::Resumed => "RESUMED",
            StateChangeReason::Reentered => "REENTERED",
            StateChangeReason::Exited => "EXITED",
            StateChangeReason::GaveUp => "GAVE_UP",
        }
    }
}

impl Event {
    /// About how many bytes the event holds while it waits to be delivered: what a
    /// [`Backlog`] counts.
    pub fn size(&self) -> usize {
        /// The event itself and its queue entry.
        const FIXED: usize = 64;
        FIXED
            + self
                .args()
                .iter()
                .map(|arg| match arg {
                    Arg::Str(text) => text.len(),
                    _ => 0,
                })
                .sum::<usize>()
    }
}

/// Events emitted and not yet taken by the app, in bytes ([`Event::size`]), shared by the
/// sessions of one sink. When the app's thread stalls, the backlog fills; past its limit the
/// sessions stop reading from the server until the app catches up, so an app that cannot
/// keep up leaves the excess on the server (whose slow-member rule then applies), never in
/// this process's memory.
pub struct Backlog {
    bytes: AtomicUsize,
    limit: usize,
    drained: Notify,
}

/// The backlog a sink allows by default: about a quarter of a second of events at full speed.
pub const DEFAULT_BACKLOG_BYTES: usize = 16 * 1024 * 1024;

impl Backlog {
    pub fn new(limit: usize) -> Backlog {
        Backlog {
            bytes: AtomicUsize::new(0),
            limit,
            drained: Notify::new(),
        }
    }

    /// An event of `bytes` was emitted.
    pub fn added(&self, bytes: usize) {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// The app took an event of `bytes`.
    pub fn taken(&self, bytes: usize) {
        let before = self.bytes.fetch_sub(bytes, Ordering::Relaxed);
        if before > self.limit && before.saturating_sub(bytes) <= self.limit {
            self.drained.notify_waiters();
        }
    }

    /// Whether the sessions should stop reading.
    pub fn is_full(&self) -> bool {
        self.bytes.load(Ordering::Relaxed) > self.limit
    }

    /// Bytes waiting now.
    pub fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Until the backlog is below its limit.
    pub async fn until_room(&self) {
        loop {
            let drained = self.drained.notified();
            tokio::pin!(drained);
            // Registered before the check, so a drain between the two is not missed.
            drained.as_mut().enable();
            if !self.is_full() {
                return;
            }
            drained.await;
        }
    }
}

/// Where a session delivers its events. The binding implements it with a napi
/// ThreadsafeFunction; tests with a channel. Dropped when the session ends.
pub trait EventSink: Send + Sync + 'static {
    fn emit(&self, event: Event);

    /// What the sink holds that the app has not taken yet, if it counts it: the session reads
    /// no more from the server while it is full.
    fn backlog(&self) -> Option<Arc<Backlog>> {
        None
    }
}

impl<F: Fn(Event) + Send + Sync + 'static> EventSink for F {
    fn emit(&self, event: Event) {
        self(event)
    }
}

/// The connection to the room server as the app sees it (`getConnectionState()`), Qiniu's
/// and Agora's model beside TRTC's three connection events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    Disconnected,
    Connecting,
    Connected,
    Reconnecting,
}

impl ConnectionState {
    pub const ALL: [ConnectionState; 4] = [
        ConnectionState::Disconnected,
        ConnectionState::Connecting,
        ConnectionState::Connected,
        ConnectionState::Reconnecting,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ConnectionState::Disconnected => "DISCONNECTED",
            ConnectionState::Connecting => "CONNECTING",
            ConnectionState::Connected => "CONNECTED",
            ConnectionState::Reconnecting => "RECONNECTING",
        }
    }
}
