//! Why the engine refused a call at once (the outcome of one it accepted comes as events).

use openroom_protocol::ErrorCode;

/// Why `enter_room` refused to start; the current room, if any, is untouched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("already {0}; call exitRoom() and wait for onExitRoom before entering another room")]
    Busy(String),
    #[error("this instance was destroyed; create a new TRTCCloud")]
    Destroyed,
    #[error("{0}")]
    NotInRoom(String),
    /// A call refused with a TRTC error code (switchRole with a bad role, or outside a room).
    #[error("{1}")]
    Refused(ErrorCode, String),
}
