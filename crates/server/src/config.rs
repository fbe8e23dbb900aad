//! Every server setting and its default, in one place.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::ops::RangeInclusive;
use std::time::Duration;

use openroom_protocol::custom::RateLimits;

/// The port the server listens on when none is given.
pub const DEFAULT_PORT: u16 = 7788;

/// Credentials used when no secret key is configured (dev mode). Public by design, like
/// LiveKit's `devkey`: anyone can sign a UserSig with them, so dev mode is for a developer's
/// own machine only.
pub const DEV_SDK_APP_ID: u32 = 1_400_000_001;
pub const DEV_SECRET_KEY: &str = "openroom-dev-secret-do-not-use-in-production";

pub use openroom_protocol::limits::{MAX_CLIENT_FRAME_BYTES, MAX_MEMBERS_PER_ROOM};

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

/// Most bytes a signaling socket's write buffer may hold, for a peer that does not read.
/// Written frames wait for the socket beyond [`SOCKET_WRITE_BURST_BYTES`]; what grows past it
/// unasked is tungstenite's automatic answers to pings, which are then coalesced into one. A
/// room larger than about 3,000 members raises it to its largest `entered` answer (see
/// [`ServerConfig::socket_write_cap`]).
pub const SOCKET_WRITE_CAP_BYTES: usize = 256 * 1024;

/// setUserData requests a session may make per second (bursts of twice as many). Each goes to
/// every member who sees the sender, with up to 8 KiB of data on the wire: 2 a second keeps
/// that near the 8 KiB a second TRTC allows a member's custom messages. Past it the latest is
/// held back and applied when the rate allows, never refused.
pub const USER_DATA_UPDATES_PER_SECOND: u32 = 2;

/// Bytes of client frames queued for one session and not yet handled. A client that sends
/// more than this without waiting for answers floods its channel, which is ended (close 1008).
pub const CHANNEL_INBOX_BYTES: usize = 64 * 1024;

/// Bytes of frames the sessions of one connection may queue for its socket before they wait
/// (a frame larger than this goes alone).
pub const OUTBOX_BYTES: usize = 64 * 1024;

/// Before any of its sessions is in a room, a connection may send this many bytes in all
/// (pings included): an enter or a resume is under 2 KiB, and a client reconnecting 16
/// channels at once sends a resume and an enter for each. More is closed (1008), so a peer
/// without a UserSig costs little to turn away.
pub const PRE_ENTRY_BYTES: usize = 64 * 1024;

/// Before any of its sessions is in a room, a connection may send this many frames in all:
/// three for each of its 16 channels.
pub const PRE_ENTRY_FRAMES: usize = 3 * MAX_CHANNELS_PER_CONNECTION;

/// A session must be in a room this soon after its connection opened (or after it left its
/// room), pings or not, or it is closed (1008): a socket that never enters holds nothing.
pub const DEFAULT_ENTER_WITHIN: Duration = Duration::from_secs(10);

/// How long an HTTP client may take to send its request headers; it is also how long an idle
/// keep-alive connection stays open (hyper times both with one timer). nginx's is 60 s.
pub const DEFAULT_HTTP_HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a REST client may take to send its request body (408 after it).
pub const DEFAULT_HTTP_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// State changes (enter, switchRoom, switchRole, publish) one session may ask for per second,
/// with bursts of twice as many; more are refused with ERR_RATE_LIMITED. Exits and custom
/// messages are not counted here (custom messages have limits of their own).
pub const DEFAULT_REQUESTS_PER_SECOND: u32 = 10;

/// WebSocket pings one connection may send per second, with bursts of twice as many; more
/// close it (1008). A client pings every ping interval and once per 64 events it receives: a
/// connection receiving 64,000 events a second pings 1,000 times.
pub const DEFAULT_PINGS_PER_SECOND: u32 = 1000;

/// Rooms one userId may open per second by entering them, with bursts of twice as many; more
/// are refused with ERR_RATE_LIMITED, so one UserSig cannot fill `maxRooms`.
pub const DEFAULT_ROOMS_PER_USER_PER_SECOND: u32 = 10;

/// A session whose client is silent this long is dropped, and the other members see it leave
/// with reason 1 (timed out), by default. Qiniu's figure.
pub const DEFAULT_SESSION_TIMEOUT: Duration = Duration::from_secs(30);

/// Members one room may hold, by default: TRTC's figure for a call.
pub const DEFAULT_MAX_MEMBERS_PER_ROOM: usize = 300;

/// Rooms one server may hold open, by default.
pub const DEFAULT_MAX_ROOMS: usize = 10_000;

/// Most rooms a server may be configured to hold.
pub const MAX_ROOMS: usize = 1_000_000;

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

/// Longest a write to a peer may take, by default: a peer that reads nothing for this long is
/// treated as gone (its HTTP connection closed, its sessions parked), so it cannot hold a
/// session, a socket or shutdown hostage. Every write to a connection, HTTP or WebSocket, is
/// held to it, and so is a session waiting for room in its connection's outbox.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(10);

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

use crate::tls::TlsIdentity;

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
    /// How much a peer may ask of the server, and how long it may take.
    pub peers: PeerLimits,
    /// Serve `wss://` and `https://` with this certificate; None: plain `ws://` and `http://`.
    pub tls: Option<TlsIdentity>,
    /// Whether entering or switching needs a privateMapKey for the room (TRTC's "enable
    /// permission key" switch). Off by default, as in TRTC: any valid UserSig enters any room,
    /// though a key, when given, is checked either way.
    pub require_private_map_key: bool,
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
    /// Rooms one userId may open per second by entering them (bursts of twice as many).
    pub rooms_per_user_per_second: u32,
}

impl Default for RoomLimits {
    fn default() -> Self {
        RoomLimits {
            max_members_per_room: DEFAULT_MAX_MEMBERS_PER_ROOM,
            max_rooms: DEFAULT_MAX_ROOMS,
            empty_room_timeout: DEFAULT_EMPTY_ROOM_TIMEOUT,
            created_room_timeout: DEFAULT_CREATED_ROOM_TIMEOUT,
            auto_create: true,
            rooms_per_user_per_second: DEFAULT_ROOMS_PER_USER_PER_SECOND,
        }
    }
}

/// How much a peer may ask of the server and how long it may take: the bounds that make a
/// peer that never finishes, never enters or floods cost little.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerLimits {
    /// A session must be in a room this soon after its connection opened, or after it left.
    pub enter_within: Duration,
    /// How long an HTTP client may take to send its headers (and an idle keep-alive lasts).
    pub http_header_timeout: Duration,
    /// How long a REST client may take to send its body.
    pub http_body_timeout: Duration,
    /// State changes one session may ask for per second (bursts of twice as many).
    pub requests_per_second: u32,
    /// How long a write to a peer may take.
    pub write_timeout: Duration,
    /// WebSocket pings one connection may send per second (bursts of twice as many).
    pub pings_per_second: u32,
}

impl Default for PeerLimits {
    fn default() -> Self {
        PeerLimits {
            enter_within: DEFAULT_ENTER_WITHIN,
            http_header_timeout: DEFAULT_HTTP_HEADER_TIMEOUT,
            http_body_timeout: DEFAULT_HTTP_BODY_TIMEOUT,
            requests_per_second: DEFAULT_REQUESTS_PER_SECOND,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            pings_per_second: DEFAULT_PINGS_PER_SECOND,
        }
    }
}

/// Every setting [`ServerConfig::validate`] checks, with the names each front end knows it by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    SessionTimeout,
    MaxMembersPerRoom,
    MaxRooms,
    EmptyRoomTimeout,
    CreatedRoomTimeout,
    RoomsPerUserPerSecond,
    CustomMessagesPerSecond,
    CustomBytesPerSecond,
    EnterWithin,
    HttpHeaderTimeout,
    HttpBodyTimeout,
    RequestsPerSecond,
    WriteTimeout,
    PingsPerSecond,
    ShutdownGrace,
}

impl Setting {
    /// Its name among `startServer()`'s options.
    pub fn option(self) -> &'static str {
        match self {
            Setting::SessionTimeout => "sessionTimeoutMs",
            Setting::MaxMembersPerRoom => "maxMembersPerRoom",
            Setting::MaxRooms => "maxRooms",
            Setting::EmptyRoomTimeout => "emptyRoomTimeoutMs",
            Setting::CreatedRoomTimeout => "createdRoomTimeoutMs",
            Setting::RoomsPerUserPerSecond => "roomsPerUserPerSecond",
            Setting::CustomMessagesPerSecond => "customMsgsPerSecond",
            Setting::CustomBytesPerSecond => "customBytesPerSecond",
            Setting::EnterWithin => "enterWithinMs",
            Setting::HttpHeaderTimeout => "httpHeaderTimeoutMs",
            Setting::HttpBodyTimeout => "httpBodyTimeoutMs",
            Setting::RequestsPerSecond => "requestsPerSecond",
            Setting::WriteTimeout => "writeTimeoutMs",
            Setting::PingsPerSecond => "pingsPerSecond",
            Setting::ShutdownGrace => "shutdownGraceMs",
        }
    }

    /// Its flag on `openroom-server`'s command line.
    pub fn flag(self) -> &'static str {
        match self {
            Setting::SessionTimeout => "--session-timeout",
            Setting::MaxMembersPerRoom => "--max-members-per-room",
            Setting::MaxRooms => "--max-rooms",
            Setting::EmptyRoomTimeout => "--empty-room-timeout",
            Setting::CreatedRoomTimeout => "--created-room-timeout",
            Setting::RoomsPerUserPerSecond => "--rooms-per-user-per-second",
            Setting::CustomMessagesPerSecond => "--custom-msgs-per-second",
            Setting::CustomBytesPerSecond => "--custom-bytes-per-second",
            Setting::EnterWithin => "--enter-within",
            Setting::HttpHeaderTimeout => "--http-header-timeout",
            Setting::HttpBodyTimeout => "--http-body-timeout",
            Setting::RequestsPerSecond => "--requests-per-second",
            Setting::WriteTimeout => "--write-timeout",
            Setting::PingsPerSecond => "--pings-per-second",
            Setting::ShutdownGrace => "--shutdown-grace",
        }
    }
}

impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.option(), self.flag())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The TLS certificate or key: a file that cannot be read, or one given without the other.
    #[error("{0}")]
    Tls(String),
    #[error("cannot listen on {0:?}: give host:port, e.g. 127.0.0.1:7788, 0.0.0.0:7788 or localhost:7788")]
    BadListenAddress(String),
    #[error("a secret key needs the sdkAppId it belongs to: set the sdkAppId too")]
    SdkAppIdRequired,
    #[error("sdkAppId must be a positive integer")]
    SdkAppIdZero,
    #[error("{setting} is {value}; give {range}")]
    OutOfRange {
        setting: Setting,
        value: String,
        range: String,
    },
}

/// Check that `value` lies in `range`, or say which setting is out of it and what it must be.
fn within<T: PartialOrd + std::fmt::Debug>(
    setting: Setting,
    value: T,
    range: RangeInclusive<T>,
    show: impl Fn(&T) -> String,
) -> Result<(), ConfigError> {
    if range.contains(&value) {
        return Ok(());
    }
    Err(ConfigError::OutOfRange {
        setting,
        value: show(&value),
        range: format!("{} to {}", show(range.start()), show(range.end())),
    })
}

fn count(n: &usize) -> String {
    n.to_string()
}

fn rate(n: &u32) -> String {
    n.to_string()
}

fn ms(d: &Duration) -> String {
    format!("{} ms", millis(*d))
}

/// A duration in whole milliseconds, as the wire and the REST API state durations.
pub fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// A listen address from `host:port` with an IP address. Host names need
/// [`resolve_listen`], which looks them up without blocking.
pub fn parse_listen(listen: &str) -> Result<SocketAddr, ConfigError> {
    listen
        .parse()
        .map_err(|_| ConfigError::BadListenAddress(listen.to_owned()))
}

/// A listen address from a host (an IP address or a host name such as localhost) and a port,
/// looked up on tokio's blocking pool so the runtime's sessions never wait on DNS.
pub async fn resolve_listen(host: &str, port: u16) -> Result<SocketAddr, ConfigError> {
    let given = || ConfigError::BadListenAddress(format!("{host}:{port}"));
    if host.is_empty() {
        return Err(given());
    }
    tokio::net::lookup_host((host, port))
        .await
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(given)
}

/// A listen address from `host:port`, the host an IP address or a name.
pub async fn resolve_listen_flag(listen: &str) -> Result<SocketAddr, ConfigError> {
    if let Ok(addr) = parse_listen(listen) {
        return Ok(addr);
    }
    let bad = || ConfigError::BadListenAddress(listen.to_owned());
    let (host, port) = listen.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    resolve_listen(host, port).await.map_err(|_| bad())
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
        let dev = ServerConfig {
            listen,
            ..ServerConfig::dev_ephemeral()
        };
        match secret_key.filter(|key| !key.is_empty()) {
            Some(secret_key) => Ok(ServerConfig {
                sdk_app_id: sdk_app_id.ok_or(ConfigError::SdkAppIdRequired)?,
                secret_key,
                dev_mode: false,
                ..dev
            }),
            None => Ok(ServerConfig {
                sdk_app_id: sdk_app_id.unwrap_or(DEV_SDK_APP_ID),
                ..dev
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
            peers: PeerLimits::default(),
            tls: None,
            require_private_map_key: false,
        }
    }

    /// Check every setting against its range: the one place the ranges live, used by the
    /// command line, `startServer()` and [`crate::start`]. The error names the setting, the
    /// value and the range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        use openroom_protocol::limits as wire;
        let timer = Duration::from_millis(100)..=Duration::from_secs(600);
        within(
            Setting::SessionTimeout,
            self.session_timeout,
            wire::SESSION_TIMEOUT,
            ms,
        )?;
        within(
            Setting::ShutdownGrace,
            self.shutdown_grace,
            Duration::ZERO..=Duration::from_secs(600),
            ms,
        )?;
        self.limits.validate()?;
        let custom = self.custom_limits;
        within(
            Setting::CustomMessagesPerSecond,
            custom.messages_per_second,
            wire::CUSTOM_MESSAGES_PER_SECOND,
            rate,
        )?;
        within(
            Setting::CustomBytesPerSecond,
            custom.bytes_per_second,
            wire::CUSTOM_BYTES_PER_SECOND,
            rate,
        )?;
        let peers = self.peers;
        within(Setting::EnterWithin, peers.enter_within, timer.clone(), ms)?;
        within(
            Setting::HttpHeaderTimeout,
            peers.http_header_timeout,
            timer.clone(),
            ms,
        )?;
        within(
            Setting::HttpBodyTimeout,
            peers.http_body_timeout,
            timer.clone(),
            ms,
        )?;
        within(Setting::WriteTimeout, peers.write_timeout, timer, ms)?;
        within(
            Setting::PingsPerSecond,
            peers.pings_per_second,
            1..=1_000_000,
            rate,
        )?;
        within(
            Setting::RequestsPerSecond,
            peers.requests_per_second,
            1..=10_000,
            rate,
        )?;
        Ok(())
    }

    /// How often clients are asked to ping.
    pub fn ping_interval(&self) -> Duration {
        self.session_timeout / PINGS_PER_TIMEOUT
    }

    /// The most a signaling socket's write buffer may hold: [`SOCKET_WRITE_CAP_BYTES`], or the
    /// largest `entered` answer this server's rooms allow (and a burst), if that is more.
    pub fn socket_write_cap(&self) -> usize {
        let largest =
            openroom_protocol::limits::entered_frame_bytes(self.limits.max_members_per_room);
        SOCKET_WRITE_CAP_BYTES.max(largest + SOCKET_WRITE_BURST_BYTES)
    }
}

impl RoomLimits {
    /// Check the room settings against their ranges (see [`ServerConfig::validate`]).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let timeout = Duration::ZERO..=MAX_EMPTY_ROOM_TIMEOUT;
        within(
            Setting::MaxMembersPerRoom,
            self.max_members_per_room,
            1..=MAX_MEMBERS_PER_ROOM,
            count,
        )?;
        within(Setting::MaxRooms, self.max_rooms, 1..=MAX_ROOMS, count)?;
        within(
            Setting::EmptyRoomTimeout,
            self.empty_room_timeout,
            timeout.clone(),
            ms,
        )?;
        within(
            Setting::CreatedRoomTimeout,
            self.created_room_timeout,
            timeout,
            ms,
        )?;
        within(
            Setting::RoomsPerUserPerSecond,
            self.rooms_per_user_per_second,
            1..=100_000,
            rate,
        )
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

    #[tokio::test]
    async fn listen_addresses_take_ips_and_host_names() {
        assert_eq!(
            parse_listen("127.0.0.1:7788").unwrap(),
            SocketAddr::from(([127, 0, 0, 1], 7788))
        );
        assert!(resolve_listen_flag("localhost:7788")
            .await
            .unwrap()
            .ip()
            .is_loopback());
        assert!(resolve_listen("localhost", 0)
            .await
            .unwrap()
            .ip()
            .is_loopback());
        assert_eq!(
            resolve_listen("::1", 5).await.unwrap().to_string(),
            "[::1]:5"
        );
        for bad in ["7788", "localhost", "no such host.invalid:1", ":"] {
            assert!(
                matches!(
                    resolve_listen_flag(bad).await,
                    Err(ConfigError::BadListenAddress(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_setting_is_checked_against_its_range_with_a_message_naming_it() {
        assert_eq!(ServerConfig::dev_ephemeral().validate(), Ok(()));
        let refused = |change: &dyn Fn(&mut ServerConfig)| {
            let mut config = ServerConfig::dev_ephemeral();
            change(&mut config);
            config.validate().unwrap_err().to_string()
        };
        let message = refused(&|c| c.session_timeout = Duration::ZERO);
        assert_eq!(
            message,
            "sessionTimeoutMs (--session-timeout) is 0 ms; give 300 ms to 86400000 ms"
        );
        let message = refused(&|c| c.limits.max_members_per_room = MAX_MEMBERS_PER_ROOM + 1);
        assert!(message.starts_with("maxMembersPerRoom (--max-members-per-room) is 10001"));
        let message = refused(&|c| c.limits.max_rooms = 0);
        assert!(message.contains("--max-rooms"), "{message}");
        let message = refused(&|c| c.limits.empty_room_timeout = Duration::from_secs(3 * 3600 + 1));
        assert!(message.contains("--empty-room-timeout"), "{message}");
        let message = refused(&|c| c.limits.rooms_per_user_per_second = 0);
        assert!(message.contains("--rooms-per-user-per-second"), "{message}");
        let message = refused(&|c| c.custom_limits.messages_per_second = 0);
        assert!(message.contains("--custom-msgs-per-second"), "{message}");
        let message = refused(&|c| c.custom_limits.bytes_per_second = u32::MAX);
        assert!(message.contains("--custom-bytes-per-second"), "{message}");
        let message = refused(&|c| c.peers.enter_within = Duration::from_millis(5));
        assert!(message.contains("--enter-within"), "{message}");
        let message = refused(&|c| c.peers.http_header_timeout = Duration::ZERO);
        assert!(message.contains("--http-header-timeout"), "{message}");
        let message = refused(&|c| c.peers.http_body_timeout = Duration::from_secs(601));
        assert!(message.contains("--http-body-timeout"), "{message}");
        let message = refused(&|c| c.peers.requests_per_second = 0);
        assert!(message.contains("--requests-per-second"), "{message}");
    }

    #[test]
    fn the_write_cap_grows_only_for_rooms_whose_member_list_would_not_fit() {
        let mut config = ServerConfig::dev_ephemeral();
        assert_eq!(config.socket_write_cap(), SOCKET_WRITE_CAP_BYTES);
        config.limits.max_members_per_room = MAX_MEMBERS_PER_ROOM;
        assert!(
            config.socket_write_cap()
                >= openroom_protocol::limits::entered_frame_bytes(MAX_MEMBERS_PER_ROOM)
                    + SOCKET_WRITE_BURST_BYTES
        );
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
