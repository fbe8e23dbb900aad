//! OpenRoom's client engine: what a `TRTCCloud` does, in plain Rust.
//!
//! An [`Engine`] is one TRTCCloud instance. [`Engine::enter_room`] starts a session: a tokio
//! task that connects to the room server, enters, relays the room's events to an
//! [`EventSink`] and ends with the exit. Every outcome, success or failure, reaches the app
//! as an [`Event`] through the sink, in the order the server produced it, and never from
//! inside the call that caused it.

mod config;
pub mod connection;
pub mod engine;
mod error;
pub mod events;
pub mod media;
pub mod params;
mod resume_signer;
mod session;
mod slot;
pub mod tls;

pub use engine::{ClientConfig, ConnectionState, Engine, EngineError, Exiting, ReconnectPolicy};
pub use events::{Arg, Backlog, Event, EventSink, StateChangeReason, DEFAULT_BACKLOG_BYTES};
pub use media::{LocalDevices, LocalMedia, MediaCall};
pub use params::{enter_request, ParamError};
