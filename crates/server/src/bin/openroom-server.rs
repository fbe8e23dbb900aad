//! `openroom-server`: the room server as a standalone process.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use openroom_protocol::custom::RateLimits;
use openroom_server::config::{
    DEFAULT_EMPTY_ROOM_TIMEOUT, DEFAULT_MAX_MEMBERS_PER_ROOM, DEFAULT_MAX_ROOMS,
    MAX_EMPTY_ROOM_TIMEOUT,
};
use openroom_server::{RoomLimits, ServerConfig, DEFAULT_PORT};
use tracing_subscriber::EnvFilter;

/// OpenRoom's room server: WebSocket signaling and the REST admin API on one port.
#[derive(Parser, Debug)]
#[command(name = "openroom-server", version)]
struct Flags {
    /// Address and port to listen on (host:port; the host may be a name such as localhost).
    #[arg(long, env = "OPENROOM_LISTEN", value_parser = listen_flag, default_value_t = SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)))]
    listen: SocketAddr,
    /// The app's sdkAppId; UserSigs must be issued for it.
    #[arg(long, env = "OPENROOM_SDK_APP_ID")]
    sdk_app_id: Option<u32>,
    /// The secret key UserSigs are signed with (needs --sdk-app-id). Without it the server
    /// runs in dev mode with public credentials.
    #[arg(long, env = "OPENROOM_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// Seconds a client may be silent before its session is dropped (the others see it leave
    /// with reason 1); clients ping three times per timeout.
    #[arg(long, env = "OPENROOM_SESSION_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    session_timeout: u64,
    /// Members one room may hold; enters beyond it fail with ERR_ROOM_FULL (-7001).
    #[arg(long, env = "OPENROOM_MAX_MEMBERS_PER_ROOM", default_value_t = DEFAULT_MAX_MEMBERS_PER_ROOM as u32, value_parser = clap::value_parser!(u32).range(1..))]
    max_members_per_room: u32,
    /// Rooms the server may hold open; enters that would open another fail with
    /// ERR_SERVER_ROOM_LIMIT (-7002).
    #[arg(long, env = "OPENROOM_MAX_ROOMS", default_value_t = DEFAULT_MAX_ROOMS as u32, value_parser = clap::value_parser!(u32).range(1..))]
    max_rooms: u32,
    /// Seconds a room stays open with nobody in it (0 to 10800); entering meanwhile keeps it.
    #[arg(long, env = "OPENROOM_EMPTY_ROOM_TIMEOUT", default_value_t = DEFAULT_EMPTY_ROOM_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(0..=MAX_EMPTY_ROOM_TIMEOUT.as_secs()))]
    empty_room_timeout: u64,
    /// Whether entering a room that does not exist opens it. With false, rooms exist only
    /// through REST CreateRoom and other enters fail with ERR_ROOM_NOT_FOUND (-7005).
    #[arg(long, env = "OPENROOM_AUTO_CREATE_ROOMS", default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    auto_create_rooms: bool,
    /// Custom messages one member may send per second (TRTC's limit by default); each client
    /// learns the figure as it enters.
    #[arg(long, env = "OPENROOM_CUSTOM_MSGS_PER_SECOND", default_value_t = RateLimits::default().messages_per_second, value_parser = clap::value_parser!(u32).range(1..))]
    custom_msgs_per_second: u32,
    /// Bytes of custom messages one member may send per second (TRTC's limit by default).
    #[arg(long, env = "OPENROOM_CUSTOM_BYTES_PER_SECOND", default_value_t = RateLimits::default().bytes_per_second, value_parser = clap::value_parser!(u32).range(1..))]
    custom_bytes_per_second: u32,
}

#[tokio::main]
async fn main() -> ExitCode {
    // Logs go to stderr; stdout carries only the "listening" line, for scripts to read.
    // Colours only on a terminal, never into a log file.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_env("OPENROOM_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let flags = Flags::parse();
    let config = match ServerConfig::new(flags.listen, flags.sdk_app_id, flags.secret_key) {
        Ok(config) => ServerConfig {
            session_timeout: Duration::from_secs(flags.session_timeout),
            limits: RoomLimits {
                max_members_per_room: flags.max_members_per_room as usize,
                max_rooms: flags.max_rooms as usize,
                empty_room_timeout: Duration::from_secs(flags.empty_room_timeout),
                auto_create: flags.auto_create_rooms,
                ..RoomLimits::default()
            },
            custom_limits: RateLimits {
                messages_per_second: flags.custom_msgs_per_second,
                bytes_per_second: flags.custom_bytes_per_second,
            },
            ..config
        },
        Err(error) => {
            eprintln!("openroom-server: {error} (--sdk-app-id or OPENROOM_SDK_APP_ID)");
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
    println!(
        "openroom-server listening on {} (REST: http://{}/v1/...)",
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

fn listen_flag(value: &str) -> Result<SocketAddr, String> {
    openroom_server::parse_listen(value).map_err(|error| error.to_string())
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
