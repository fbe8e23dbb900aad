//! Every server setting and its default, in one place.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::time::Duration;

use openroom_protocol::custom::RateLimits;

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

/// Read buffer of a signaling socket, allocated for each connection as it opens, so it is a
/// large part of what an idle connection costs (4 KB was a quarter of it). Frames are a few
/// hundred bytes; a larger one grows the buffer as it arrives.
pub const SOCKET_READ_BUFFER_BYTES: usize = 1024;

/// Frames written to a signaling socket wait in its write buffer until the router flushes the
/// burst they came in, or until this many bytes wait: a burst of events goes out in a few
/// system calls instead of one per frame. The buffer keeps its size once grown (tungstenite
/// drains it without shrinking), so this also bounds what a busy connection holds: about 4 KiB
/// more than an idle one, for a dozen or more frames per system call.
pub const SOCKET_WRITE_BURST_BYTES: usize = 4 * 1024;

/// A session whose client is silent this long is dropped, and the other members see it leave
/// with reason 1 (timed out), by default. Qiniu's figure.
pub const DEFAULT_SESSION_TIMEOUT: Duration = Duration::from_secs(30);

/// Members one room may hold, by default: TRTC's figure for a call.
pub const DEFAULT_MAX_MEMBERS_PER_ROOM: usize = 300;

/// Rooms one server may hold open, by default.
pub const DEFAULT_MAX_ROOMS: usize = 10_000;

/// How long a room stays open with nobody in it, by default (Qiniu's figure); entering meanwhile
/// keeps it.
pub const DEFAULT_EMPTY_ROOM_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a room created ahead of time (REST CreateRoom) waits for its first member, by
/// default (Qiniu's figure).
pub const DEFAULT_CREATED_ROOM_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest empty-room timeout allowed (ZIM's figure).
pub const MAX_EMPTY_ROOM_TIMEOUT: Duration = Duration::from_secs(3 * 3600);

/// Clients ping this many times per session timeout, so one or two lost pings are tolerated.
pub const PINGS_PER_TIMEOUT: u32 = 3;

/// Longest a session waits to hand one frame to a client's socket. A client that reads
/// nothing for this long is treated as gone, so it cannot hold a session (or shutdown) hostage.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest a session waits to send its close frame.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// How long `close()` lets sessions and connections finish before abandoning them, by default.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// TCP keepalive on client connections: finds peers that vanished without closing (a laptop
/// put to sleep, a NAT that forgot the flow) within about a minute, until the signaling
/// protocol has heartbeats of its own.
pub const TCP_KEEPALIVE_IDLE: Duration = Duration::from_secs(30);
pub const TCP_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
pub const TCP_KEEPALIVE_RETRIES: u32 = 3;

/// Largest REST admin request body. Real ones are under a kilobyte.
pub const MAX_ADMIN_BODY_BYTES: usize = 64 * 1024;

/// Room events queued for one member before it counts as too slow and is dropped. A member
/// that cannot keep up must not stall the room actor that serves everyone else.
pub const MEMBER_EVENT_QUEUE: usize = 1024;

pub use openroom_protocol::MAX_CHANNELS_PER_CONNECTION;

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    pub sdk_app_id: u32,
    pub secret_key: String,
    /// True when the credentials are the public dev ones.
    pub dev_mode: bool,
    /// How long `close()` waits for sessions and connections to finish.
    pub shutdown_grace: Duration,
    /// How long a client may be silent before its session is dropped.
    pub session_timeout: Duration,
    /// The room limits, enforced by the room actors and the registry.
    pub limits: RoomLimits,
    /// What one member may send in custom messages per second (TRTC's figures by default);
    /// told to each client as it enters.
    pub custom_limits: RateLimits,
}

/// How much the server holds. Never exceeded, even by concurrent enters: a room actor counts
/// its own members, and the registry opens rooms under its lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomLimits {
    pub max_members_per_room: usize,
    pub max_rooms: usize,
    /// How long a room stays open with nobody in it.
    pub empty_room_timeout: Duration,
    /// How long a room created ahead of time waits for its first member.
    pub created_room_timeout: Duration,
    /// Whether entering a room that does not exist opens it (LiveKit's `auto_create`). When
    /// false, rooms exist only through REST CreateRoom and entering another fails with -7005.
    pub auto_create: bool,
}

impl Default for RoomLimits {
    fn default() -> Self {
        RoomLimits {
            max_members_per_room: DEFAULT_MAX_MEMBERS_PER_ROOM,
            max_rooms: DEFAULT_MAX_ROOMS,
            empty_room_timeout: DEFAULT_EMPTY_ROOM_TIMEOUT,
            created_room_timeout: DEFAULT_CREATED_ROOM_TIMEOUT,
            auto_create: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot listen on {0:?}: give host:port, e.g. 127.0.0.1:7788, 0.0.0.0:7788 or localhost:7788")]
    BadListenAddress(String),
    #[error("a secret key needs the sdkAppId it belongs to: set the sdkAppId too")]
    SdkAppIdRequired,
    #[error("sdkAppId must be a positive integer")]
    SdkAppIdZero,
}

/// A duration in whole milliseconds, as the wire and the REST API state durations.
pub fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// A listen address from `host:port` (an IP address or a host name such as localhost).
pub fn parse_listen(listen: &str) -> Result<SocketAddr, ConfigError> {
    first_address(listen.to_socket_addrs(), listen)
}

/// A listen address from a host (an IP address or a host name) and a port.
pub fn listen_address(host: &str, port: u16) -> Result<SocketAddr, ConfigError> {
    first_address((host, port).to_socket_addrs(), &format!("{host}:{port}"))
}

fn first_address(
    resolved: std::io::Result<impl Iterator<Item = SocketAddr>>,
    given: &str,
) -> Result<SocketAddr, ConfigError> {
    resolved
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| ConfigError::BadListenAddress(given.to_owned()))
}

impl ServerConfig {
    /// A config from optional settings. Without a secret key the server runs in dev mode with
    /// [`DEV_SECRET_KEY`] (and [`DEV_SDK_APP_ID`] unless one is given). A real secret key
    /// needs its real sdkAppId: falling back to the dev one would refuse every genuine UserSig.
    pub fn new(
        listen: SocketAddr,
        sdk_app_id: Option<u32>,
        secret_key: Option<String>,
    ) -> Result<Self, ConfigError> {
        if sdk_app_id == Some(0) {
            return Err(ConfigError::SdkAppIdZero);
        }
        match secret_key.filter(|key| !key.is_empty()) {
            Some(secret_key) => Ok(ServerConfig {
                listen,
                sdk_app_id: sdk_app_id.ok_or(ConfigError::SdkAppIdRequired)?,
                secret_key,
                dev_mode: false,
                shutdown_grace: SHUTDOWN_GRACE,
                session_timeout: DEFAULT_SESSION_TIMEOUT,
                limits: RoomLimits::default(),
                custom_limits: RateLimits::default(),
            }),
            None => Ok(ServerConfig {
                listen,
                sdk_app_id: sdk_app_id.unwrap_or(DEV_SDK_APP_ID),
                secret_key: DEV_SECRET_KEY.to_owned(),
                dev_mode: true,
                shutdown_grace: SHUTDOWN_GRACE,
                session_timeout: DEFAULT_SESSION_TIMEOUT,
                limits: RoomLimits::default(),
                custom_limits: RateLimits::default(),
            }),
        }
    }

    /// Dev mode on loopback with a free port: what tests use.
    pub fn dev_ephemeral() -> Self {
        ServerConfig {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            sdk_app_id: DEV_SDK_APP_ID,
            secret_key: DEV_SECRET_KEY.to_owned(),
            dev_mode: true,
            shutdown_grace: SHUTDOWN_GRACE,
            session_timeout: DEFAULT_SESSION_TIMEOUT,
            limits: RoomLimits::default(),
            custom_limits: RateLimits::default(),
        }
    }

    /// How often clients are asked to ping.
    pub fn ping_interval(&self) -> Duration {
        self.session_timeout / PINGS_PER_TIMEOUT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANY: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

    #[test]
    fn no_secret_means_dev_mode() {
        let config = ServerConfig::new(ANY, None, None).unwrap();
        assert!(config.dev_mode);
        assert_eq!(
            (config.sdk_app_id, config.secret_key.as_str()),
            (DEV_SDK_APP_ID, DEV_SECRET_KEY)
        );
        assert!(
            ServerConfig::new(ANY, None, Some(String::new()))
                .unwrap()
                .dev_mode
        );
    }

    #[test]
    fn listen_addresses_take_ips_and_host_names() {
        assert_eq!(
            parse_listen("127.0.0.1:7788").unwrap(),
            SocketAddr::from(([127, 0, 0, 1], 7788))
        );
        assert!(parse_listen("localhost:7788").unwrap().ip().is_loopback());
        assert!(listen_address("localhost", 0).unwrap().ip().is_loopback());
        assert_eq!(listen_address("::1", 5).unwrap().to_string(), "[::1]:5");
        assert!(matches!(
            parse_listen("7788"),
            Err(ConfigError::BadListenAddress(_))
        ));
    }

    #[test]
    fn a_secret_needs_its_sdk_app_id() {
        assert_eq!(
            ServerConfig::new(ANY, None, Some("s".into())).unwrap_err(),
            ConfigError::SdkAppIdRequired
        );
        let config = ServerConfig::new(ANY, Some(1400123456), Some("s".into())).unwrap();
        assert!(!config.dev_mode);
        assert_eq!(config.sdk_app_id, 1400123456);
        assert_eq!(
            ServerConfig::new(ANY, Some(0), None).unwrap_err(),
            ConfigError::SdkAppIdZero
        );
    }
}
