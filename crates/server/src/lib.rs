//! The OpenRoom room server: one port serving WebSocket signaling for clients
//! ([`signaling`]) and a TRTC-shaped REST admin API ([`admin`]). Each room is an actor
//! ([`room`]) that owns its members; the [`registry`] only maps room ids to actors, so no lock
//! is held on the message path.
//!
//! Run it embedded with [`start`] (what the npm package's `startServer()` does) or standalone
//! with the `openroom-server` binary.

pub mod admin;
pub mod auth;
pub mod channels;
pub mod config;
mod link;
mod listener;
mod log_limit;
mod rate;
pub mod registry;
pub mod resume;
pub mod room;
pub mod room_permission;
pub mod server;
pub mod shared_event;
pub mod signaling;
pub mod tls;
mod write_deadline;

pub use config::{
    parse_listen, resolve_listen, resolve_listen_flag, ConfigError, PeerLimits, RoomLimits,
    ServerConfig, Setting, DEFAULT_PORT, DEV_SDK_APP_ID, DEV_SECRET_KEY,
};
pub use server::{start, RunningServer, StartError};
pub use tls::{TlsError, TlsIdentity};
