//! Every server setting and its default, in one place.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The port the server listens on when none is given.
pub const DEFAULT_PORT: u16 = 7788;

/// Credentials used when no secret key is configured (dev mode). Public by design, like
/// LiveKit's `devkey`: anyone can sign a UserSig with them, so dev mode is for a developer's
/// own machine only.
pub const DEV_SDK_APP_ID: u32 = 1_400_000_001;
pub const DEV_SECRET_KEY: &str = "openroom-dev-secret-do-not-use-in-production";

/// Largest signaling frame a client may send. Real frames are a few hundred bytes; the bound
/// keeps one bad peer from making the server buffer megabytes.
pub const MAX_CLIENT_FRAME_BYTES: usize = 64 * 1024;

/// Room events queued for one member before it counts as too slow and is dropped. A member
/// that cannot keep up must not stall the room actor that serves everyone else.
pub const MEMBER_EVENT_QUEUE: usize = 1024;

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    pub sdk_app_id: u32,
    pub secret_key: String,
    /// True when the credentials are the public dev ones.
    pub dev_mode: bool,
}

impl ServerConfig {
    /// A config from optional settings: without a secret key the server runs in dev mode with
    /// [`DEV_SDK_APP_ID`] and [`DEV_SECRET_KEY`].
    pub fn new(listen: SocketAddr, sdk_app_id: Option<u32>, secret_key: Option<String>) -> Self {
        match secret_key.filter(|key| !key.is_empty()) {
            Some(secret_key) => ServerConfig {
                listen,
                sdk_app_id: sdk_app_id.unwrap_or(DEV_SDK_APP_ID),
                secret_key,
                dev_mode: false,
            },
            None => ServerConfig {
                listen,
                sdk_app_id: sdk_app_id.unwrap_or(DEV_SDK_APP_ID),
                secret_key: DEV_SECRET_KEY.to_owned(),
                dev_mode: true,
            },
        }
    }

    /// Dev mode on loopback with a free port: what tests and the embedded server use by default.
    pub fn dev_ephemeral() -> Self {
        ServerConfig::new(
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            None,
            None,
        )
    }
}
