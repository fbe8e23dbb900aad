//! The OpenRoom room server: one port serving WebSocket signaling for clients (`signaling`)
//! and a TRTC-shaped REST admin API (`admin`). Each room is an actor (`room`) that owns its
//! members; the `registry` only maps room ids to actors, so no lock is held on the message
//! path.
//!
//! Run it embedded with [`start`] (what the npm package's `startServer()` does) or standalone
//! with the `openroom-server` binary. The public API is what this file exports: the settings
//! ([`ServerConfig`]), [`start`] and the [`RunningServer`] it returns; the modules are the
//! crate's own ([`testing`] lends a few to OpenRoom's tests).

mod admin;
mod auth;
mod channels;
mod config;
mod link;
mod listener;
mod log_limit;
mod rate;
mod registry;
mod resume;
mod room;
mod room_permission;
mod server;
mod shared_event;
mod signaling;
mod tls;
mod write_deadline;

pub use auth::unix_now;
pub use config::{
    parse_listen, resolve_listen, resolve_listen_flag, ConfigError, PeerLimits, RoomLimits,
    ServerConfig, Setting, DEFAULT_MAX_MEMBERS_PER_ROOM, DEFAULT_MAX_ROOMS,
    DEFAULT_PINGS_PER_SECOND, DEFAULT_PORT, DEFAULT_REQUESTS_PER_SECOND,
    DEFAULT_ROOMS_PER_USER_PER_SECOND, DEV_SDK_APP_ID, DEV_SECRET_KEY,
};
pub use server::{start, RunningServer, StartError};
pub use tls::{TlsError, TlsIdentity};

/// Internals that OpenRoom's own tests and fuzz targets drive directly: the room actor and
/// registry without sockets, the replay buffer, the REST body parser. Not part of the API; it
/// changes without notice.
#[doc(hidden)]
pub mod testing {
    pub use crate::admin::{parse, Action};
    pub use crate::config::USER_DATA_UPDATES_PER_SECOND;
    pub use crate::registry::{CreateRefused, OpenRefused, Registry, RoomLimitReached};
    pub use crate::resume::ReplayBuffer;
    pub use crate::room::{
        EnterRefused, Entrant, NamedUsersRefused, Occupied, Presence, Present, RoomClosed,
        RoomHandle, RoomSettings,
    };
    pub use crate::shared_event::SharedEvent;
}
