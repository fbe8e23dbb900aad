//! `openroom-loadtest`: rooms full of simulated members against a running OpenRoom server.
//!
//! Each member is a client [`openroom_client::Engine`] with its own WebSocket, exactly what a
//! TRTCCloud instance is, minus Node. The run joins `--rooms` × `--members` at `--join-rate`,
//! holds them for `--hold` seconds with `--msg-rate` custom messages a second in each room and
//! `--churn` members a second leaving and entering again, then everyone leaves. A progress
//! line goes to stderr every second; the result, as JSON, to stdout (and `--out`). The exit
//! status is 1 when anything went wrong (an error count above zero), 2 for bad flags.

mod probe;
mod run;
mod stats;
mod swarm;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use openroom_server::{DEV_SDK_APP_ID, DEV_SECRET_KEY};

use crate::run::Plan;
use crate::swarm::Target;

/// Load-test an OpenRoom server: N rooms of M members, messages and churn, with latency
/// percentiles and the server's memory per connection.
#[derive(Parser, Debug)]
#[command(name = "openroom-loadtest", version)]
struct Flags {
    /// The server's WebSocket URL.
    #[arg(long, env = "OPENROOM_URL", default_value = "ws://127.0.0.1:7788")]
    url: String,
    /// The app's sdkAppId (the dev one by default).
    #[arg(long, env = "OPENROOM_SDK_APP_ID", default_value_t = DEV_SDK_APP_ID)]
    sdk_app_id: u32,
    /// The secret key to sign UserSigs with (the dev one by default).
    #[arg(long, env = "OPENROOM_SECRET_KEY", hide_env_values = true, default_value = DEV_SECRET_KEY)]
    secret_key: String,
    /// Rooms to fill.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    rooms: u32,
    /// Members in each room.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    members: u32,
    /// The first room id; the rooms are numbered on from it.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    first_room: u32,
    /// Enters started per second.
    #[arg(long, default_value_t = 500.0, value_parser = positive)]
    join_rate: f64,
    /// Seconds to wait after the last enter before reading the server's idle memory.
    #[arg(long, default_value_t = 2.0, value_parser = not_negative)]
    settle: f64,
    /// Seconds to hold the rooms with messages and churn.
    #[arg(long, default_value_t = 10.0, value_parser = not_negative)]
    hold: f64,
    /// Custom messages per second in each room, sent by its members in turn (0: none).
    #[arg(long, default_value_t = 1.0, value_parser = not_negative)]
    msg_rate: f64,
    /// Bytes in each message (8 to 1024; the first 8 carry the send time).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(8..=1024))]
    msg_bytes: u16,
    /// Members per second, across all rooms, that leave their room and enter it again (0: none).
    #[arg(long, default_value_t = 0.0, value_parser = not_negative)]
    churn: f64,
    /// The server's process id, to read its memory and CPU from /proc (same machine only).
    #[arg(long)]
    server_pid: Option<u32>,
    /// Prefix of the user ids, so several load testers can share a server.
    #[arg(long, default_value = "load-")]
    user_prefix: String,
    /// Also write the JSON result to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// No progress line.
    #[arg(long)]
    quiet: bool,
}

fn positive(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(n) if n > 0.0 && n.is_finite() => Ok(n),
        _ => Err(format!("{value} is not a number above 0")),
    }
}

fn not_negative(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(n) if n >= 0.0 && n.is_finite() => Ok(n),
        _ => Err(format!("{value} is not a number of 0 or more")),
    }
}

fn main() -> ExitCode {
    let flags = Flags::parse();
    let target = Target {
        url: flags.url,
        sdk_app_id: flags.sdk_app_id,
        secret_key: flags.secret_key,
        user_prefix: flags.user_prefix,
    };
    let plan = Plan {
        rooms: flags.rooms,
        members: flags.members,
        first_room: flags.first_room,
        join_rate: flags.join_rate,
        settle: Duration::from_secs_f64(flags.settle),
        hold: Duration::from_secs_f64(flags.hold),
        message_rate: flags.msg_rate,
        message_bytes: flags.msg_bytes.into(),
        churn_rate: flags.churn,
        server_pid: flags.server_pid,
        progress: !flags.quiet,
    };
    // One socket per member: 10,000 members need more descriptors than a shell's usual 1024.
    let needed = u64::from(flags.rooms) * u64::from(flags.members) + 64;
    let allowed = probe::raise_open_files_limit();
    if allowed < needed {
        eprintln!(
            "openroom-loadtest: {needed} sockets needed but only {allowed} files may be open (ulimit -n); raise the hard limit"
        );
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("openroom-loadtest: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let report = runtime.block_on(run::run(target, plan));
    let json = match serde_json::to_string_pretty(&report) {
        Ok(json) => json,
        Err(error) => {
            eprintln!("openroom-loadtest: cannot write the result: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("{json}");
    if let Some(path) = flags.out {
        if let Err(error) = std::fs::write(&path, format!("{json}\n")) {
            eprintln!(
                "openroom-loadtest: cannot write {}: {error}",
                path.display()
            );
            return ExitCode::FAILURE;
        }
    }
    if report.errors > 0 {
        eprintln!(
            "openroom-loadtest: {} errors; the first: {:?}",
            report.errors, report.first_errors
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
