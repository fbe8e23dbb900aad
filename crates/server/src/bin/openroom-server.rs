//! `openroom-server`: the room server as a standalone process.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use openroom_protocol::custom::RateLimits;
use openroom_server::{
    ConfigError, PeerLimits, RoomLimits, ServerConfig, TlsIdentity, DEFAULT_MAX_MEMBERS_PER_ROOM,
    DEFAULT_MAX_ROOMS, DEFAULT_PINGS_PER_SECOND, DEFAULT_REQUESTS_PER_SECOND,
    DEFAULT_ROOMS_PER_USER_PER_SECOND,
};
use tracing_subscriber::EnvFilter;

/// OpenRoom's room server: WebSocket signaling and the REST admin API on one port.
///
/// Durations take a unit (500ms, 30s, 5m, 2h); a bare number is seconds. Every figure is
/// checked against its range at start, and a value out of range is refused with the range.
#[derive(Parser, Debug)]
#[command(name = "openroom-server", version)]
struct Flags {
    /// Address and port to listen on (host:port; the host may be a name such as localhost).
    #[arg(long, env = "OPENROOM_LISTEN", default_value = "127.0.0.1:7788")]
    listen: String,
    /// The app's sdkAppId; UserSigs must be issued for it.
    #[arg(long, env = "OPENROOM_SDK_APP_ID")]
    sdk_app_id: Option<u32>,
    /// The secret key UserSigs are signed with (needs --sdk-app-id). Without it the server
    /// runs in dev mode with public credentials.
    #[arg(long, env = "OPENROOM_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// How long a client may be silent before its session is dropped (the others see it leave
    /// with reason 1); clients ping three times per timeout.
    #[arg(long, env = "OPENROOM_SESSION_TIMEOUT", default_value = "30s", value_parser = duration_flag)]
    session_timeout: Duration,
    /// Members one room may hold; enters beyond it fail with ERR_ROOM_FULL (-7001).
    #[arg(long, env = "OPENROOM_MAX_MEMBERS_PER_ROOM", default_value_t = DEFAULT_MAX_MEMBERS_PER_ROOM)]
    max_members_per_room: usize,
    /// Rooms the server may hold open; enters that would open another fail with
    /// ERR_SERVER_ROOM_LIMIT (-7002).
    #[arg(long, env = "OPENROOM_MAX_ROOMS", default_value_t = DEFAULT_MAX_ROOMS)]
    max_rooms: usize,
    /// How long a room stays open with nobody in it; entering meanwhile keeps it.
    #[arg(long, env = "OPENROOM_EMPTY_ROOM_TIMEOUT", default_value = "10s", value_parser = duration_flag)]
    empty_room_timeout: Duration,
    /// How long a room created by REST CreateRoom waits for its first member.
    #[arg(long, env = "OPENROOM_CREATED_ROOM_TIMEOUT", default_value = "30s", value_parser = duration_flag)]
    created_room_timeout: Duration,
    /// Whether entering a room that does not exist opens it. With false, rooms exist only
    /// through REST CreateRoom and other enters fail with ERR_ROOM_NOT_FOUND (-7005).
    #[arg(long, env = "OPENROOM_AUTO_CREATE_ROOMS", default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    auto_create_rooms: bool,
    /// Refuse entering or switching without a valid privateMapKey for the room
    /// (ERR_SERVER_INFO_PRIVILEGE_FLAG_ERROR, -100006), as TRTC's "enable permission key"
    /// switch does. A key, when given, is checked either way.
    #[arg(long)]
    require_private_map_key: bool,
    /// Rooms one userId may open per second by entering them (bursts of twice as many); more
    /// fail with ERR_RATE_LIMITED (-7010).
    #[arg(long, env = "OPENROOM_ROOMS_PER_USER_PER_SECOND", default_value_t = DEFAULT_ROOMS_PER_USER_PER_SECOND)]
    rooms_per_user_per_second: u32,
    /// Custom messages one member may send per second (TRTC's limit by default); each client
    /// learns the figure as it enters.
    #[arg(long, env = "OPENROOM_CUSTOM_MSGS_PER_SECOND", default_value_t = RateLimits::default().messages_per_second)]
    custom_msgs_per_second: u32,
    /// Bytes of custom messages one member may send per second (TRTC's limit by default).
    #[arg(long, env = "OPENROOM_CUSTOM_BYTES_PER_SECOND", default_value_t = RateLimits::default().bytes_per_second)]
    custom_bytes_per_second: u32,
    /// How soon a connection must enter a room (or resume) after it opens, or after it left
    /// its room; it is closed after that, pings or not.
    #[arg(long, env = "OPENROOM_ENTER_WITHIN", default_value = "10s", value_parser = duration_flag)]
    enter_within: Duration,
    /// How long an HTTP client may take to send its request headers (also how long an idle
    /// keep-alive connection stays open).
    #[arg(long, env = "OPENROOM_HTTP_HEADER_TIMEOUT", default_value = "10s", value_parser = duration_flag)]
    http_header_timeout: Duration,
    /// How long a REST client may take to send its request body (408 after that).
    #[arg(long, env = "OPENROOM_HTTP_BODY_TIMEOUT", default_value = "10s", value_parser = duration_flag)]
    http_body_timeout: Duration,
    /// State changes (enter, switchRoom, switchRole, publishing) one session may ask for per
    /// second (bursts of twice as many); more fail with ERR_RATE_LIMITED (-7010).
    #[arg(long, env = "OPENROOM_REQUESTS_PER_SECOND", default_value_t = DEFAULT_REQUESTS_PER_SECOND)]
    requests_per_second: u32,
    /// How long a write to a peer may take before the peer counts as gone (its HTTP connection
    /// closed, its sessions parked to be resumed).
    #[arg(long, env = "OPENROOM_WRITE_TIMEOUT", default_value = "10s", value_parser = duration_flag)]
    write_timeout: Duration,
    /// WebSocket pings one connection may send per second (bursts of twice as many); a flood
    /// beyond it is closed (1008).
    #[arg(long, env = "OPENROOM_PINGS_PER_SECOND", default_value_t = DEFAULT_PINGS_PER_SECOND)]
    pings_per_second: u32,
    /// How long a shutdown (SIGTERM, Ctrl-C) waits for sessions to finish.
    #[arg(long, env = "OPENROOM_SHUTDOWN_GRACE", default_value = "5s", value_parser = duration_flag)]
    shutdown_grace: Duration,
    /// A PEM file with the server's TLS certificate chain: the port then serves wss:// and
    /// https:// (needs --tls-key). Without it, plain ws:// (put TLS in a proxy in front).
    #[arg(long, env = "OPENROOM_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// A PEM file with the private key of --tls-cert.
    #[arg(long, env = "OPENROOM_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
}

/// The contents of a TLS file a flag names, or an error naming the flag and the file.
fn read_tls_file(flag: &str, path: &std::path::Path) -> Result<std::sync::Arc<[u8]>, ConfigError> {
    std::fs::read(path)
        .map(std::sync::Arc::from)
        .map_err(|error| ConfigError::Tls(format!("{flag} {}: {error}", path.display())))
}

impl Flags {
    /// The server's config from the flags, checked against every range.
    async fn config(self) -> Result<ServerConfig, ConfigError> {
        let listen = openroom_server::resolve_listen_flag(&self.listen).await?;
        let config = ServerConfig::new(listen, self.sdk_app_id, self.secret_key)?;
        let tls = match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(TlsIdentity {
                cert_pem: read_tls_file("--tls-cert", cert)?,
                key_pem: read_tls_file("--tls-key", key)?,
            }),
            _ => None,
        };
        let config = ServerConfig {
            tls,
            session_timeout: self.session_timeout,
            shutdown_grace: self.shutdown_grace,
            limits: RoomLimits {
                max_members_per_room: self.max_members_per_room,
                max_rooms: self.max_rooms,
                empty_room_timeout: self.empty_room_timeout,
                created_room_timeout: self.created_room_timeout,
                auto_create: self.auto_create_rooms,
                rooms_per_user_per_second: self.rooms_per_user_per_second,
            },
            custom_limits: RateLimits {
                messages_per_second: self.custom_msgs_per_second,
                bytes_per_second: self.custom_bytes_per_second,
            },
            peers: PeerLimits {
                enter_within: self.enter_within,
                http_header_timeout: self.http_header_timeout,
                http_body_timeout: self.http_body_timeout,
                requests_per_second: self.requests_per_second,
                write_timeout: self.write_timeout,
                pings_per_second: self.pings_per_second,
            },
            require_private_map_key: self.require_private_map_key,
            ..config
        };
        config.validate()?;
        Ok(config)
    }
}

/// Log lines waiting for the writer thread, at most. The buffer is allocated whole at start
/// (tracing-appender's default of 128,000 lines cost 4 MB); peer-caused lines are
/// rate-limited, so this many waiting means stderr itself is stuck.
const LOG_BUFFER_LINES: usize = 8192;

fn main() -> ExitCode {
    let flags = Flags::parse();
    // Logs go to stderr through a writer thread of their own, so a slow terminal or a full
    // pipe never stalls the runtime's sessions (lines beyond its buffer are dropped). stdout carries only the "listening" line, for scripts to read. Colours only on
    // a terminal, never into a log file.
    let (writer, _flush_on_exit) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_BUFFER_LINES)
        .finish(std::io::stderr());
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_env("OPENROOM_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("openroom-server: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(flags))
}

async fn serve(flags: Flags) -> ExitCode {
    let config = match flags.config().await {
        Ok(config) => config,
        Err(error @ (ConfigError::SdkAppIdRequired | ConfigError::SdkAppIdZero)) => {
            eprintln!("openroom-server: {error} (--sdk-app-id or OPENROOM_SDK_APP_ID)");
            return ExitCode::from(2);
        }
        Err(error @ ConfigError::BadListenAddress(_)) => {
            eprintln!("openroom-server: --listen: {error}");
            return ExitCode::from(2);
        }
        Err(error) => {
            eprintln!("openroom-server: {error}");
            return ExitCode::from(2);
        }
    };
    if config.dev_mode {
        tracing::warn!("DEV MODE: no --secret-key given; anyone can sign UserSigs with the public dev credentials below. Never expose this server.");
        tracing::warn!("dev sdkAppId: {}", config.sdk_app_id);
        tracing::warn!("dev secretKey: {}", config.secret_key);
        if !config.listen.ip().is_loopback() {
            tracing::warn!("DEV MODE on a non-loopback address ({}): other machines can reach this unauthenticated server", config.listen);
        }
    }
    let mut stop = match StopSignals::install() {
        Ok(stop) => stop,
        Err(error) => {
            tracing::error!("cannot install signal handlers: {error}");
            return ExitCode::FAILURE;
        }
    };
    let server = match openroom_server::start(config).await {
        Ok(server) => server,
        Err(error) => {
            tracing::error!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let rest = if server.config().tls.is_some() {
        "https"
    } else {
        "http"
    };
    println!(
        "openroom-server listening on {} (REST: {rest}://{}/v1/...)",
        server.url(),
        server.local_addr()
    );
    stop.next().await;
    tracing::info!("stopping: closing every session (signal again to stop at once)");
    tokio::select! {
        _ = server.close() => ExitCode::SUCCESS,
        _ = stop.next() => {
            tracing::warn!("second signal: stopping without waiting for sessions");
            ExitCode::from(130)
        }
    }
}

/// A duration as the flags take it: a number with a unit (ms, s, m, h), or bare seconds.
fn duration_flag(value: &str) -> Result<Duration, String> {
    let value = value.trim();
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{value:?} is not a duration: give e.g. 500ms, 30s, 5m or 2h"))?;
    let per_unit = match unit.trim() {
        "ms" => Duration::from_millis(1),
        "" | "s" => Duration::from_secs(1),
        "m" => Duration::from_secs(60),
        "h" => Duration::from_secs(3600),
        other => return Err(format!("{other:?} is not a unit: use ms, s, m or h")),
    };
    per_unit
        .checked_mul(u32::try_from(number).map_err(|_| format!("{value:?} is too long"))?)
        .ok_or_else(|| format!("{value:?} is too long"))
}

/// Ctrl-C and SIGTERM. Installed before the server says it is listening, so a supervisor that
/// stops it right after readiness gets the clean shutdown, not the default kill.
struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(windows)]
    ctrl_c: tokio::signal::windows::CtrlC,
}

impl StopSignals {
    fn install() -> std::io::Result<StopSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(StopSignals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(windows)]
        {
            Ok(StopSignals {
                ctrl_c: tokio::signal::windows::ctrl_c()?,
            })
        }
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => {}
                _ = self.terminate.recv() => {}
            }
        }
        #[cfg(windows)]
        {
            self.ctrl_c.recv().await;
        }
    }
}
