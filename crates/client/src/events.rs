//! The events a session reports, named and shaped as trtc-electron-sdk's callbacks.

use openroom_protocol::{ErrorCode, ExitReason, LeaveReason, UserId};
use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `onEnterRoom(result)`: elapsed milliseconds (> 0) on success, a negative error code on
    /// failure. `message` says why it failed (empty on success).
    EnterRoom { result: i64, message: String },
    /// `onError(code, message)`.
    Error { code: i32, message: String },
    /// `onRemoteUserEnterRoom(userId)`.
    RemoteUserEnterRoom { user_id: UserId },
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
            Event::RemoteUserLeaveRoom { .. } => "onRemoteUserLeaveRoom",
            Event::ExitRoom { .. } => "onExitRoom",
            Event::SwitchRoom { .. } => "onSwitchRoom",
            Event::ConnectionLost { .. } => "onConnectionLost",
            Event::SessionClosed => "sessionClosed",
        }
    }

    /// The callback's arguments, in trtc-electron-sdk's order.
    pub fn args(&self) -> Vec<Value> {
        match self {
            Event::EnterRoom { result, message } => vec![json!(result), json!(message)],
            Event::Error { code, message } => vec![json!(code), json!(message)],
            Event::RemoteUserEnterRoom { user_id } => vec![json!(user_id)],
            Event::RemoteUserLeaveRoom { user_id, reason } => vec![json!(user_id), json!(reason)],
            Event::ExitRoom { reason } => vec![json!(reason)],
            Event::SwitchRoom { code, message } => vec![json!(code), json!(message)],
            Event::ConnectionLost { message } => vec![json!(message)],
            Event::SessionClosed => vec![],
        }
    }
}

/// Where a session delivers its events. The binding implements it with a napi
/// ThreadsafeFunction; tests with a channel. Dropped when the session ends.
pub trait EventSink: Send + Sync + 'static {
    fn emit(&self, event: Event);
}

impl<F: Fn(Event) + Send + Sync + 'static> EventSink for F {
    fn emit(&self, event: Event) {
        self(event)
    }
}
