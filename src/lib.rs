//! The napi binding: translates between JS values and the client and server crates, and
//! carries events onto the JS event loop. It decides nothing; the public JS API is
//! hand-written in `index.js`.
//!
//! Events cross on the [`pump::EventPump`]: one ThreadsafeFunction for all the sessions, one
//! call per event. It keeps Node alive while any session runs and only then, so a script that
//! enters and exits a room ends on its own.
//!
//! The addon's log (`setLogLevel`, `setConsoleEnabled` …) is [`logging`]'s.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// Public so that a test build (where napi registers nothing, and JS is the only caller of the
// log functions) does not count them as dead code.
pub mod logging;
mod pump;

use std::sync::Mutex;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use openroom_client::{
    ClientConfig, Engine, EngineError, Exiting, LocalDevices, MediaCall, ReconnectPolicy,
};
use openroom_protocol::private_map_key::{self, Privileges};
use openroom_protocol::{ErrorCode, RoomId, UserId};
use openroom_server::{RunningServer, ServerConfig, Setting, StartError, TlsIdentity};
use serde_json::Value;

/// A JS error whose `code` is a name the JS layer maps (TXLiteAVError names, or Node-style
/// codes such as EADDRINUSE).
fn js_error(code: &str, message: impl Into<String>) -> Error<String> {
    Error::new(code.to_owned(), message.into())
}

/// A refused engine call as a JS error: room-state refusals carry ERR_ROOM_ENTER_FAIL (-3301),
/// use after destroy() ERR_DESTROYED.
fn engine_error(error: EngineError) -> Error<String> {
    match error {
        EngineError::Busy(_) | EngineError::NotInRoom(_) => {
            js_error(ErrorCode::RoomEnterFail.trtc_name(), error.to_string())
        }
        EngineError::Destroyed => js_error("ERR_DESTROYED", error.to_string()),
        EngineError::Refused(code, message) => js_error(code.trtc_name(), message),
    }
}

/// The devices the app should hold open (onLocalDevicesChanged's arguments).
#[napi(object)]
pub struct Devices {
    pub camera: bool,
    pub microphone: bool,
}

impl From<LocalDevices> for Devices {
    fn from(devices: LocalDevices) -> Self {
        Devices {
            camera: devices.camera,
            microphone: devices.microphone,
        }
    }
}

/// What exitRoom() / destroy() started: whether a session will end with onExitRoom, and the
/// devices released (null when none were open).
#[napi(object)]
pub struct ExitStarted {
    pub running: bool,
    pub released: Option<Devices>,
}

impl From<Exiting> for ExitStarted {
    fn from(exiting: Exiting) -> Self {
        ExitStarted {
            running: exiting.running,
            released: exiting.released.map(Devices::from),
        }
    }
}

/// `{ name: value }` of every TRTC error code, the single source of `TXLiteAVError`.
#[napi]
pub fn error_codes() -> std::collections::HashMap<String, i32> {
    ErrorCode::ALL
        .iter()
        .map(|code| (code.trtc_name().to_owned(), code.value()))
        .collect()
}

/// `{ name: value }` of every warning code, the single source of `TXLiteAVWarning`.
#[napi]
pub fn warning_codes() -> std::collections::HashMap<String, i32> {
    openroom_protocol::WarningCode::ALL
        .iter()
        .map(|code| (code.name().to_owned(), code.value()))
        .collect()
}

/// A name and its value, in a table whose order JS keeps.
#[napi(object)]
pub struct NamedValue {
    pub name: String,
    pub value: u32,
}

/// `(name, value)` of each of `all`, in order.
fn named_values<T: Copy>(
    all: &[T],
    name_value: impl Fn(T) -> (&'static str, u32),
) -> Vec<NamedValue> {
    all.iter()
        .map(|&item| {
            let (name, value) = name_value(item);
            NamedValue {
                name: name.to_owned(),
                value,
            }
        })
        .collect()
}

/// onExitRoom's reasons in order, the single source of `ExitRoomReason`.
#[napi]
pub fn exit_reasons() -> Vec<NamedValue> {
    named_values(&openroom_protocol::ExitReason::ALL, |reason| {
        (reason.name(), reason as u32)
    })
}

/// onRemoteUserLeaveRoom's reasons in order, the single source of `RemoteLeaveReason`.
#[napi]
pub fn leave_reasons() -> Vec<NamedValue> {
    named_values(&openroom_protocol::LeaveReason::ALL, |reason| {
        (reason.name(), reason as u32)
    })
}

/// The names of the connection states (`TRTCConnectionState`), in order.
#[napi]
pub fn connection_states() -> Vec<&'static str> {
    openroom_client::ConnectionState::ALL
        .iter()
        .map(|state| state.name())
        .collect()
}

/// The names of the reasons a connection state changes (`ConnectionChangeReason`), in order.
#[napi]
pub fn connection_change_reasons() -> Vec<&'static str> {
    openroom_client::StateChangeReason::ALL
        .iter()
        .map(|reason| reason.name())
        .collect()
}

/// The identity whose UserSig authorises the REST admin API.
#[napi]
pub fn admin_identifier() -> &'static str {
    openroom_protocol::ADMIN_IDENTIFIER
}

/// A call that did not happen, though nothing is broken: emitted as onWarning(code, message).
#[napi(object)]
pub struct Warning {
    pub code: i32,
    pub message: String,
}

/// Sign a UserSig (TLSSigAPIv2-compatible) valid for `expire_seconds` from now.
#[napi]
pub fn gen_user_sig(
    sdk_app_id: u32,
    secret_key: String,
    user_id: String,
    expire_seconds: u32,
) -> std::result::Result<String, Error<String>> {
    check_sig_args(sdk_app_id, &secret_key, &user_id, expire_seconds)?;
    Ok(openroom_protocol::usersig::gen_user_sig(
        u64::from(sdk_app_id),
        &secret_key,
        &user_id,
        u64::from(expire_seconds),
        openroom_server::unix_now(),
    ))
}

/// The arguments every signer (UserSig, privateMapKey) takes, refused with what to fix.
fn check_sig_args(
    sdk_app_id: u32,
    secret_key: &str,
    user_id: &str,
    expire_seconds: u32,
) -> std::result::Result<(), Error<String>> {
    if sdk_app_id == 0 {
        return Err(js_error(
            "ERR_INVALID_ARG_VALUE",
            "sdkAppId must be a positive integer",
        ));
    }
    if secret_key.is_empty() {
        return Err(js_error(
            "ERR_INVALID_ARG_VALUE",
            "secretKey must not be empty",
        ));
    }
    if expire_seconds == 0 {
        return Err(js_error(
            "ERR_INVALID_ARG_VALUE",
            "expireSeconds must be at least 1",
        ));
    }
    UserId::parse(user_id).map_err(|e| js_error("ERR_INVALID_ARG_VALUE", e.to_string()))?;
    Ok(())
}

/// Sign a privateMapKey (TLSSigAPIv2's `genPrivateMapKey`) for numeric room `room_id`.
#[napi]
pub fn gen_private_map_key(
    sdk_app_id: u32,
    secret_key: String,
    user_id: String,
    room_id: u32,
    privilege_map: u32,
    expire_seconds: u32,
) -> std::result::Result<String, Error<String>> {
    let room = RoomId::numeric(u64::from(room_id))
        .map_err(|e| js_error("ERR_INVALID_ARG_VALUE", e.to_string()))?;
    sign_private_map_key(
        sdk_app_id,
        &secret_key,
        &user_id,
        &room,
        privilege_map,
        expire_seconds,
    )
}

/// Sign a privateMapKey (TLSSigAPIv2's `genPrivateMapKeyWithStringRoomID`) for string room
/// `str_room_id`.
#[napi]
pub fn gen_private_map_key_with_string_room_id(
    sdk_app_id: u32,
    secret_key: String,
    user_id: String,
    str_room_id: String,
    privilege_map: u32,
    expire_seconds: u32,
) -> std::result::Result<String, Error<String>> {
    let room = RoomId::string(&str_room_id)
        .map_err(|e| js_error("ERR_INVALID_ARG_VALUE", e.to_string()))?;
    sign_private_map_key(
        sdk_app_id,
        &secret_key,
        &user_id,
        &room,
        privilege_map,
        expire_seconds,
    )
}

fn sign_private_map_key(
    sdk_app_id: u32,
    secret_key: &str,
    user_id: &str,
    room: &RoomId,
    privilege_map: u32,
    expire_seconds: u32,
) -> std::result::Result<String, Error<String>> {
    check_sig_args(sdk_app_id, secret_key, user_id, expire_seconds)?;
    Ok(private_map_key::gen_private_map_key(
        sdk_app_id,
        secret_key,
        user_id,
        room,
        Privileges(privilege_map),
        u64::from(expire_seconds),
        openroom_server::unix_now(),
    ))
}

#[napi(object)]
pub struct EngineOptions {
    pub server_url: Option<String>,
    pub enter_timeout_ms: Option<u32>,
    pub exit_timeout_ms: Option<u32>,
    /// Reconnection attempts after a lost connection (0: off). Checked by the JS layer.
    pub reconnect_attempts: Option<u32>,
    /// First wait between attempts; doubled each time up to `reconnect_max_interval_ms`.
    pub reconnect_interval_ms: Option<u32>,
    pub reconnect_max_interval_ms: Option<u32>,
    /// PEM certificates to trust for wss:// besides the system's (`tls.ca`).
    pub tls_ca: Option<Buffer>,
}

/// One TRTCCloud's engine.
#[napi]
pub struct RoomEngine {
    engine: Engine,
}

#[napi]
impl RoomEngine {
    #[napi(constructor)]
    pub fn new(options: EngineOptions) -> std::result::Result<Self, Error<String>> {
        let defaults = ClientConfig::default();
        let tls_ca = match &options.tls_ca {
            Some(pem) => {
                openroom_client::tls::parse_ca_pem(pem)
                    .map_err(|error| js_error("ERR_INVALID_ARG_VALUE", error.to_string()))?;
                Some(std::sync::Arc::from(pem.as_ref()))
            }
            None => None,
        };
        let config = ClientConfig {
            server_url: options.server_url.unwrap_or(defaults.server_url),
            enter_timeout: options
                .enter_timeout_ms
                .map_or(defaults.enter_timeout, |ms| {
                    Duration::from_millis(ms.into())
                }),
            exit_timeout: options
                .exit_timeout_ms
                .map_or(defaults.exit_timeout, |ms| Duration::from_millis(ms.into())),
            reconnect: ReconnectPolicy {
                attempts: options
                    .reconnect_attempts
                    .unwrap_or(defaults.reconnect.attempts),
                interval: options
                    .reconnect_interval_ms
                    .map_or(defaults.reconnect.interval, |ms| {
                        Duration::from_millis(ms.into())
                    }),
                max_interval: options
                    .reconnect_max_interval_ms
                    .map_or(defaults.reconnect.max_interval, |ms| {
                        Duration::from_millis(ms.into())
                    }),
            },
            tls_ca,
        };
        let runtime = within_runtime_if_available(tokio::runtime::Handle::current);
        Ok(RoomEngine {
            engine: Engine::new(config, runtime),
        })
    }

    /// Start entering; every outcome arrives through `pump`, as events of `session`.
    #[napi(ts_args_type = "params: unknown, scene: unknown, pump: EventPump, session: number")]
    pub fn enter_room(
        &self,
        env: Env,
        params: Value,
        scene: Value,
        pump: &pump::EventPump,
        session: u32,
    ) -> std::result::Result<(), Error<String>> {
        // A refused call drops the sink at once, which lets Node go again.
        let sink = pump
            .sink(&env, session)
            .map_err(|error| js_error("ERR_INTERNAL", error.to_string()))?;
        self.engine
            .enter_room(&params, &scene, sink)
            .map_err(engine_error)
    }

    /// Start moving to another room; the outcome arrives as onSwitchRoom.
    #[napi(ts_args_type = "params: unknown")]
    pub fn switch_room(&self, params: Value) -> std::result::Result<(), Error<String>> {
        self.engine.switch_room(&params).map_err(engine_error)
    }

    /// Start exiting and release the devices.
    #[napi]
    pub fn exit_room(&self) -> ExitStarted {
        self.engine.exit_room().into()
    }

    #[napi]
    pub fn destroy(&self) -> ExitStarted {
        self.engine.destroy().into()
    }

    /// The local media calls; each returns the devices to hold open when they changed.
    #[napi]
    pub fn start_local_audio(&self) -> std::result::Result<Option<Devices>, Error<String>> {
        self.media(MediaCall::StartLocalAudio)
    }

    #[napi]
    pub fn stop_local_audio(&self) -> std::result::Result<Option<Devices>, Error<String>> {
        self.media(MediaCall::StopLocalAudio)
    }

    #[napi]
    pub fn mute_local_audio(
        &self,
        mute: bool,
    ) -> std::result::Result<Option<Devices>, Error<String>> {
        self.media(MediaCall::MuteLocalAudio(mute))
    }

    #[napi]
    pub fn start_local_preview(&self) -> std::result::Result<Option<Devices>, Error<String>> {
        self.media(MediaCall::StartLocalPreview)
    }

    #[napi]
    pub fn stop_local_preview(&self) -> std::result::Result<Option<Devices>, Error<String>> {
        self.media(MediaCall::StopLocalPreview)
    }

    #[napi]
    pub fn mute_local_video(
        &self,
        mute: bool,
    ) -> std::result::Result<Option<Devices>, Error<String>> {
        self.media(MediaCall::MuteLocalVideo(mute))
    }

    /// The devices the app should hold open now.
    #[napi]
    pub fn local_devices(&self) -> Devices {
        self.engine.local_media_state().devices().into()
    }

    /// Start a role switch; the outcome arrives as onSwitchRole.
    #[napi]
    pub fn switch_role(&self, role: i64) -> std::result::Result<(), Error<String>> {
        self.engine.switch_role(role).map_err(engine_error)
    }

    /// Replace this member's data (JSON text, or null to clear it); the others are told.
    #[napi(ts_args_type = "userData: string | null")]
    pub fn set_user_data(&self, user_data: Value) -> std::result::Result<(), Error<String>> {
        self.engine.set_user_data(&user_data).map_err(engine_error)
    }

    /// An engine for a sub-cloud: its own room, over this engine's connection.
    #[napi]
    pub fn create_sub_engine(&self) -> RoomEngine {
        RoomEngine {
            engine: self.engine.sub_engine(),
        }
    }

    /// Send a custom message; the warning when it was refused (not in a room, a bad cmdId,
    /// too large, over the rate limits).
    #[napi]
    pub fn send_custom_cmd_msg(
        &self,
        cmd_id: i64,
        data: Buffer,
        reliable: bool,
        ordered: bool,
    ) -> Option<Warning> {
        self.engine
            .send_custom_cmd_msg(cmd_id, data.to_vec(), reliable, ordered)
            .err()
            .map(|refusal| Warning {
                code: refusal.code.value(),
                message: refusal.message,
            })
    }

    /// DISCONNECTED, CONNECTING, CONNECTED or RECONNECTING.
    #[napi]
    pub fn connection_state(&self) -> &'static str {
        self.engine.connection_state().name()
    }
}

impl RoomEngine {
    fn media(&self, call: MediaCall) -> std::result::Result<Option<Devices>, Error<String>> {
        self.engine
            .local_media(call)
            .map(|changed| changed.map(Devices::from))
            .map_err(engine_error)
    }
}

/// `startServer()`'s options. Numbers arrive as JS numbers and are checked here, against
/// the server's own ranges (`ServerConfig::validate`), so JS and the command line refuse the
/// same values with the same message.
#[napi(object)]
pub struct ServerOptions {
    pub host: Option<String>,
    pub port: Option<f64>,
    pub sdk_app_id: Option<f64>,
    pub secret_key: Option<String>,
    pub session_timeout_ms: Option<f64>,
    pub max_members_per_room: Option<f64>,
    pub max_rooms: Option<f64>,
    pub empty_room_timeout_ms: Option<f64>,
    pub created_room_timeout_ms: Option<f64>,
    pub auto_create_rooms: Option<bool>,
    pub require_private_map_key: Option<bool>,
    pub rooms_per_user_per_second: Option<f64>,
    pub custom_msgs_per_second: Option<f64>,
    pub custom_bytes_per_second: Option<f64>,
    pub enter_within_ms: Option<f64>,
    pub http_header_timeout_ms: Option<f64>,
    pub http_body_timeout_ms: Option<f64>,
    pub requests_per_second: Option<f64>,
    pub write_timeout_ms: Option<f64>,
    pub pings_per_second: Option<f64>,
    pub shutdown_grace_ms: Option<f64>,
    /// Serve wss:// and https:// with this PEM certificate chain and key.
    pub tls: Option<ServerTls>,
}

/// startServer's `tls`: PEM contents, as Node's `tls.createServer` takes them.
#[napi(object)]
pub struct ServerTls {
    pub cert: Buffer,
    pub key: Buffer,
}

/// An embedded room server.
#[napi]
pub struct EmbeddedServer {
    running: Mutex<Option<RunningServer>>,
    url: String,
    port: u32,
    sdk_app_id: u32,
    secret_key: String,
    dev_mode: bool,
    session_timeout_ms: u32,
}

#[napi]
impl EmbeddedServer {
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
    }
    #[napi(getter)]
    pub fn port(&self) -> u32 {
        self.port
    }
    #[napi(getter)]
    pub fn sdk_app_id(&self) -> u32 {
        self.sdk_app_id
    }
    #[napi(getter)]
    pub fn secret_key(&self) -> String {
        self.secret_key.clone()
    }
    #[napi(getter)]
    pub fn dev_mode(&self) -> bool {
        self.dev_mode
    }
    #[napi(getter)]
    pub fn session_timeout_ms(&self) -> u32 {
        self.session_timeout_ms
    }

    /// Stop the server: every client gets a WebSocket close; resolves when all sessions and
    /// rooms are gone. A second call resolves at once.
    #[napi]
    pub async fn close(&self) -> Result<()> {
        let running = self
            .running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(running) = running {
            running.close().await;
        }
        Ok(())
    }
}

/// A whole number option as the server's config takes it; `name` says which, in the error.
fn whole<T: TryFrom<u64>>(value: f64, name: &str) -> std::result::Result<T, Error> {
    let invalid = || {
        Error::new(
            Status::InvalidArg,
            format!("{name} {value} is not a whole number"),
        )
    };
    if value.fract() != 0.0 || !(0.0..=u64::MAX as f64).contains(&value) {
        return Err(invalid());
    }
    T::try_from(value as u64).map_err(|_| {
        Error::new(
            Status::InvalidArg,
            format!("{name} {value} is larger than any setting allows"),
        )
    })
}

fn millis_option(value: Option<f64>, name: &str) -> std::result::Result<Option<Duration>, Error> {
    value
        .map(|ms| whole::<u64>(ms, name).map(Duration::from_millis))
        .transpose()
}

/// The server's config from `startServer()`'s options; ranges are checked by `start`.
async fn server_config(options: ServerOptions) -> Result<ServerConfig> {
    let invalid =
        |error: openroom_server::ConfigError| Error::new(Status::InvalidArg, error.to_string());
    let host = options.host.unwrap_or_else(|| "127.0.0.1".to_owned());
    let port = match options.port {
        Some(port) => whole::<u16>(port, "port").map_err(|_| {
            Error::new(
                Status::InvalidArg,
                format!("port {port} is out of range 0-65535"),
            )
        })?,
        None => openroom_server::DEFAULT_PORT,
    };
    let listen = openroom_server::resolve_listen(&host, port)
        .await
        .map_err(invalid)?;
    let sdk_app_id = options
        .sdk_app_id
        .map(|id| whole::<u32>(id, "sdkAppId"))
        .transpose()?;
    let mut config = ServerConfig::new(listen, sdk_app_id, options.secret_key).map_err(invalid)?;
    config.tls = options.tls.map(|tls| TlsIdentity {
        cert_pem: std::sync::Arc::from(tls.cert.as_ref()),
        key_pem: std::sync::Arc::from(tls.key.as_ref()),
    });
    let durations = [
        (
            options.session_timeout_ms,
            Setting::SessionTimeout,
            &mut config.session_timeout,
        ),
        (
            options.empty_room_timeout_ms,
            Setting::EmptyRoomTimeout,
            &mut config.limits.empty_room_timeout,
        ),
        (
            options.created_room_timeout_ms,
            Setting::CreatedRoomTimeout,
            &mut config.limits.created_room_timeout,
        ),
        (
            options.enter_within_ms,
            Setting::EnterWithin,
            &mut config.peers.enter_within,
        ),
        (
            options.http_header_timeout_ms,
            Setting::HttpHeaderTimeout,
            &mut config.peers.http_header_timeout,
        ),
        (
            options.http_body_timeout_ms,
            Setting::HttpBodyTimeout,
            &mut config.peers.http_body_timeout,
        ),
        (
            options.write_timeout_ms,
            Setting::WriteTimeout,
            &mut config.peers.write_timeout,
        ),
        (
            options.shutdown_grace_ms,
            Setting::ShutdownGrace,
            &mut config.shutdown_grace,
        ),
    ];
    for (value, name, setting) in durations {
        if let Some(duration) = millis_option(value, name.option())? {
            *setting = duration;
        }
    }
    if let Some(max) = options.max_members_per_room {
        config.limits.max_members_per_room = whole(max, Setting::MaxMembersPerRoom.option())?;
    }
    if let Some(max) = options.max_rooms {
        config.limits.max_rooms = whole(max, Setting::MaxRooms.option())?;
    }
    let rates = [
        (
            options.rooms_per_user_per_second,
            Setting::RoomsPerUserPerSecond,
            &mut config.limits.rooms_per_user_per_second,
        ),
        (
            options.custom_msgs_per_second,
            Setting::CustomMessagesPerSecond,
            &mut config.custom_limits.messages_per_second,
        ),
        (
            options.custom_bytes_per_second,
            Setting::CustomBytesPerSecond,
            &mut config.custom_limits.bytes_per_second,
        ),
        (
            options.requests_per_second,
            Setting::RequestsPerSecond,
            &mut config.peers.requests_per_second,
        ),
        (
            options.pings_per_second,
            Setting::PingsPerSecond,
            &mut config.peers.pings_per_second,
        ),
    ];
    for (value, name, setting) in rates {
        if let Some(value) = value {
            *setting = whole(value, name.option())?;
        }
    }
    if let Some(auto_create) = options.auto_create_rooms {
        config.limits.auto_create = auto_create;
    }
    if let Some(required) = options.require_private_map_key {
        config.require_private_map_key = required;
    }
    config.validate().map_err(invalid)?;
    Ok(config)
}

/// Start a room server inside this process.
#[napi]
pub async fn start_server(options: Option<ServerOptions>) -> Result<EmbeddedServer> {
    let options = options.unwrap_or(ServerOptions {
        host: None,
        port: None,
        sdk_app_id: None,
        secret_key: None,
        session_timeout_ms: None,
        max_members_per_room: None,
        max_rooms: None,
        empty_room_timeout_ms: None,
        created_room_timeout_ms: None,
        auto_create_rooms: None,
        require_private_map_key: None,
        rooms_per_user_per_second: None,
        custom_msgs_per_second: None,
        custom_bytes_per_second: None,
        enter_within_ms: None,
        http_header_timeout_ms: None,
        http_body_timeout_ms: None,
        requests_per_second: None,
        write_timeout_ms: None,
        pings_per_second: None,
        shutdown_grace_ms: None,
        tls: None,
    });
    let config = server_config(options).await?;
    let running = openroom_server::start(config)
        .await
        .map_err(|error| match &error {
            StartError::Bind { source, .. } => {
                let reason = match source.kind() {
                    std::io::ErrorKind::AddrInUse => "EADDRINUSE: ",
                    std::io::ErrorKind::PermissionDenied => "EACCES: ",
                    _ => "",
                };
                Error::new(Status::GenericFailure, format!("{reason}{error}"))
            }
            StartError::Config(_) | StartError::Tls(_) => {
                Error::new(Status::InvalidArg, error.to_string())
            }
        })?;
    let config = running.config().clone();
    Ok(EmbeddedServer {
        url: running.url(),
        port: u32::from(running.local_addr().port()),
        sdk_app_id: config.sdk_app_id,
        secret_key: config.secret_key,
        dev_mode: config.dev_mode,
        session_timeout_ms: u32::try_from(config.session_timeout.as_millis()).unwrap_or(u32::MAX),
        running: Mutex::new(Some(running)),
    })
}
