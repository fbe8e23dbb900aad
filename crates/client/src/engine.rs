//! The engine behind one TRTCCloud instance: at most one session at a time, started by
//! [`Engine::enter_room`], ended by [`Engine::exit_room`], by the server, or by a failure.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use openroom_protocol::custom::{
    self, RateLimits, RateWindow, Refusal, MAX_UNACKNOWLEDGED_MESSAGES,
};
use openroom_protocol::{ErrorCode, Publishing, Role, RoomId, UserData, WarningCode};
use serde_json::Value;
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::connection::Transport;
use crate::events::{Event, EventSink};
use crate::media::{LocalDevices, LocalMedia, MediaCall};
use crate::params;
use crate::resume_signer::ResumeSigner;
use crate::session;
use crate::tls::Trust;

/// How long entering may take before `onEnterRoom(-3308)`.
pub const DEFAULT_ENTER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long exiting waits for the server's acknowledgement before completing locally.
pub const DEFAULT_EXIT_TIMEOUT: Duration = Duration::from_secs(3);
/// The server an engine talks to when the app names none.
pub const DEFAULT_SERVER_URL: &str = "ws://127.0.0.1:7788";

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub server_url: String,
    pub enter_timeout: Duration,
    pub exit_timeout: Duration,
    pub reconnect: ReconnectPolicy,
    /// PEM certificates trusted for `wss://` besides the system's and `NODE_EXTRA_CA_CERTS`
    /// (a private CA), checked with [`crate::tls::parse_ca_pem`].
    pub tls_ca: Option<Arc<[u8]>>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            server_url: DEFAULT_SERVER_URL.to_owned(),
            enter_timeout: DEFAULT_ENTER_TIMEOUT,
            exit_timeout: DEFAULT_EXIT_TIMEOUT,
            reconnect: ReconnectPolicy::default(),
            tls_ca: None,
        }
    }
}

/// What a session does when its connection breaks (EnableX's `allow_reconnect`,
/// `number_of_attempts`, `timeout_interval`). The first attempt is made at once; before each
/// later one the session waits `interval`, doubled each time up to `max_interval`, with ±20 %
/// jitter so that the clients of a restarted server do not all come back in the same instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconnectPolicy {
    /// Attempts before giving up; 0 turns reconnection off.
    pub attempts: u32,
    pub interval: Duration,
    pub max_interval: Duration,
}

/// Default number of reconnection attempts: with the default intervals, about 30 s of trying (0, 0.5, 1, 2, 4, 8, 8, 8 s).
pub const DEFAULT_RECONNECT_ATTEMPTS: u32 = 8;
pub const DEFAULT_RECONNECT_INTERVAL: Duration = Duration::from_millis(500);
pub const DEFAULT_RECONNECT_MAX_INTERVAL: Duration = Duration::from_secs(8);

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy {
            attempts: DEFAULT_RECONNECT_ATTEMPTS,
            interval: DEFAULT_RECONNECT_INTERVAL,
            max_interval: DEFAULT_RECONNECT_MAX_INTERVAL,
        }
    }
}

impl ReconnectPolicy {
    /// How long to wait before attempt `attempt` (1-based), before jitter.
    pub fn delay_before(&self, attempt: u32) -> Duration {
        if attempt <= 1 {
            return Duration::ZERO;
        }
        let doublings = (attempt - 2).min(20);
        self.interval
            .saturating_mul(1 << doublings)
            .min(self.max_interval.max(self.interval))
    }
}

/// The connection to the room server as the app sees it (`getConnectionState()`), Qiniu's
/// and Agora's model beside TRTC's three connection events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    Disconnected,
    Connecting,
    Connected,
    Reconnecting,
}

impl ConnectionState {
    pub fn name(self) -> &'static str {
        match self {
            ConnectionState::Disconnected => "DISCONNECTED",
            ConnectionState::Connecting => "CONNECTING",
            ConnectionState::Connected => "CONNECTED",
            ConnectionState::Reconnecting => "RECONNECTING",
        }
    }
}

/// Why `enter_room` refused to start; the current room, if any, is untouched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("already {0}; call exitRoom() and wait for onExitRoom before entering another room")]
    Busy(String),
    #[error("this instance was destroyed; create a new TRTCCloud")]
    Destroyed,
    #[error("{0}")]
    NotInRoom(String),
    /// A call refused with a TRTC error code (switchRole with a bad role, or outside a room).
    #[error("{1}")]
    Refused(ErrorCode, String),
}

/// What `exit_room` (and `destroy`) started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exiting {
    /// A session is running and will end with `onExitRoom` (and `sessionClosed`).
    pub running: bool,
    /// The devices were released (camera and microphone closed): the app should close what it
    /// opened. None when nothing was open.
    pub released: Option<LocalDevices>,
}

/// Where a session is in its life, for the message of a refused second `enter_room`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Entering,
    InRoom,
    Switching,
    Exiting,
}

/// Publishing changes that wait for the session as commands of their own; more (an app that
/// toggles its microphone in a loop) are folded into the latest state.
pub const MAX_QUEUED_PUBLISHES: usize = 64;

/// switchRoom and switchRole calls one instance may have waiting for the session at once;
/// more are refused at once (an app calling them in a loop cannot queue without end).
pub const MAX_WAITING_REQUESTS: usize = 16;

pub(crate) enum Command {
    Exit,
    /// switchRoom's params, as the app gave them (read by the session, which knows the sig).
    Switch(Value),
    /// A custom message, checked and numbered.
    Message(OutgoingMessage),
    /// What this instance publishes now. Each change is its own command (the others see every
    /// change), up to [`MAX_QUEUED_PUBLISHES`] waiting; past that the latest state is sent
    /// when the session catches up.
    Publish(Publishing),
    /// switchRole, its value checked.
    SwitchRole(Role),
    /// setUserData was called: the session sends the latest data ([`SlotRef::user_data_taken`]).
    /// At most one waits at a time, so calls in a loop cost one command and one frame.
    UserData,
}

pub(crate) struct OutgoingMessage {
    pub cmd_id: u8,
    pub seq: u32,
    pub data: Vec<u8>,
    pub reliable: bool,
    pub ordered: bool,
}

struct Active {
    id: u64,
    room: RoomId,
    phase: Phase,
    connection: ConnectionState,
    /// The session's commands. Unbounded, but bounded by what the engine lets in: custom
    /// messages by [`MAX_UNACKNOWLEDGED_MESSAGES`], switches by [`MAX_WAITING_REQUESTS`],
    /// publishing changes by [`MAX_QUEUED_PUBLISHES`], and one exit.
    commands: mpsc::UnboundedSender<Command>,
    /// Cancelled by exitRoom(): a session waiting on the server (a switch) stops waiting.
    exiting: CancellationToken,
    /// exitRoom() was called: the devices were released then, not when the session ends.
    exit_requested: bool,
    /// Custom messages accepted and not yet taken by the server (or given up with the
    /// session): at most [`MAX_UNACKNOWLEDGED_MESSAGES`].
    unacknowledged: u32,
    /// switchRoom and switchRole calls not yet done (queued, or waiting for the server).
    waiting_requests: usize,
    /// `Publish` commands queued and not yet read.
    queued_publishes: usize,
    /// A change came while [`MAX_QUEUED_PUBLISHES`] waited: the last one read sends the
    /// state now instead of its own.
    publish_folded: bool,
    /// An audience member (LIVE, VoiceChatRoom): it may not send custom messages.
    audience: bool,
    /// The member data setUserData gave last, for the session to send.
    user_data: Option<UserData>,
    /// A `UserData` command is queued and not yet read.
    user_data_queued: bool,
}

#[derive(Default)]
struct Slot {
    active: Option<Active>,
    destroyed: bool,
    sessions_started: u64,
    /// This instance's custom messages of the last second (TRTC's per-client limits).
    messages: RateWindow,
    /// The limits the server named as the session entered (TRTC's until then).
    custom_limits: RateLimits,
    /// The seq of the last custom message this instance sent.
    message_seq: u32,
    /// The local camera and microphone; outlives sessions (a preview may start before entering).
    media: LocalMedia,
}

impl Slot {
    /// Stop local audio and video (exit, removal, dismissal): the devices it released.
    fn release_devices(&mut self) -> Option<LocalDevices> {
        let held = self.media.devices();
        self.media = LocalMedia::default();
        (held != LocalDevices::NONE).then_some(LocalDevices::NONE)
    }
}

/// A session's handle on its engine's slot, to report its phase and to free the slot.
#[derive(Clone)]
pub(crate) struct SlotRef {
    slot: Arc<Mutex<Slot>>,
    id: u64,
}

impl SlotRef {
    pub(crate) fn set_room(&self, room: RoomId) {
        if let Some(active) = lock(&self.slot).active.as_mut().filter(|a| a.id == self.id) {
            active.room = room;
        }
    }

    /// The role the server confirmed.
    pub(crate) fn set_role(&self, role: Role) {
        if let Some(active) = lock(&self.slot).active.as_mut().filter(|a| a.id == self.id) {
            active.audience = role == Role::Audience;
        }
    }

    /// The server's limits on custom messages, from its `entered` answer.
    pub(crate) fn set_custom_limits(&self, limits: RateLimits) {
        lock(&self.slot).custom_limits = limits;
    }

    pub(crate) fn set_phase(&self, phase: Phase) {
        if let Some(active) = lock(&self.slot).active.as_mut().filter(|a| a.id == self.id) {
            active.phase = phase;
        }
    }

    pub(crate) fn set_connection(&self, state: ConnectionState) {
        if let Some(active) = lock(&self.slot).active.as_mut().filter(|a| a.id == self.id) {
            active.connection = state;
        }
    }

    /// The server took (or the session gave up) `count` custom messages: room for as many.
    pub(crate) fn messages_done(&self, count: usize) {
        if let Some(active) = lock(&self.slot).active.as_mut().filter(|a| a.id == self.id) {
            active.unacknowledged = active
                .unacknowledged
                .saturating_sub(u32::try_from(count).unwrap_or(u32::MAX));
        }
    }

    /// A switchRoom or switchRole call is done (answered, or failed).
    pub(crate) fn request_done(&self) {
        if let Some(active) = lock(&self.slot).active.as_mut().filter(|a| a.id == self.id) {
            active.waiting_requests = active.waiting_requests.saturating_sub(1);
        }
    }

    /// The session read a `UserData` command: the data to send (the latest given).
    pub(crate) fn user_data_taken(&self) -> Option<UserData> {
        let mut slot = lock(&self.slot);
        match slot.active.as_mut().filter(|a| a.id == self.id) {
            Some(active) => {
                active.user_data_queued = false;
                active.user_data.clone()
            }
            None => None,
        }
    }

    /// The session read a `Publish(publishing)` command: what to tell the server (the state
    /// now, when later changes were folded into it).
    pub(crate) fn publish_taken(&self, publishing: Publishing) -> Publishing {
        let mut slot = lock(&self.slot);
        let now = slot.media.publishing();
        match slot.active.as_mut().filter(|a| a.id == self.id) {
            Some(active) => {
                active.queued_publishes = active.queued_publishes.saturating_sub(1);
                if active.queued_publishes == 0 && std::mem::take(&mut active.publish_folded) {
                    now
                } else {
                    publishing
                }
            }
            None => publishing,
        }
    }

    /// Cancelled when exitRoom() is called.
    pub(crate) fn exiting(&self) -> CancellationToken {
        lock(&self.slot)
            .active
            .as_ref()
            .filter(|a| a.id == self.id)
            .map(|a| a.exiting.clone())
            .unwrap_or_default()
    }

    /// The room ended without exitRoom() (removal, dismissal, another login, giving up):
    /// release the devices, unless exitRoom() already did. Some: the app must be told.
    pub(crate) fn release_devices(&self) -> Option<LocalDevices> {
        let mut slot = lock(&self.slot);
        let ours = slot
            .active
            .as_ref()
            .is_some_and(|a| a.id == self.id && !a.exit_requested);
        if ours {
            slot.release_devices()
        } else {
            None
        }
    }

    /// Free the slot. Called before the session's last events are emitted, so an app that
    /// enters again from its onExitRoom (or failed onEnterRoom) handler is not refused.
    pub(crate) fn release(&self) {
        let mut slot = lock(&self.slot);
        if slot.active.as_ref().is_some_and(|a| a.id == self.id) {
            slot.active = None;
        }
    }
}

pub struct Engine {
    config: ClientConfig,
    runtime: Handle,
    slot: Arc<Mutex<Slot>>,
    /// The connection this engine shares with its sub-engines.
    transport: Transport,
    /// What its sessions sign their resumes with; shared with its sub-engines.
    resume_signer: Option<Arc<ResumeSigner>>,
}

impl Engine {
    /// An engine whose sessions run on `runtime`. Creating one costs no thread and no socket;
    /// it makes the key pair its sessions resume with (about 40 µs), so entering does not.
    pub fn new(config: ClientConfig, runtime: Handle) -> Engine {
        Engine {
            runtime,
            transport: Transport::new(Trust::new(config.tls_ca.clone())),
            config,
            slot: Arc::default(),
            resume_signer: ResumeSigner::generate().map(Arc::new).or_else(|| {
                tracing::warn!(
                    "no randomness for a resume key: this client's sessions resume by token alone"
                );
                None
            }),
        }
    }

    /// Another engine (a TRTCCloud sub-cloud) that enters a room of its own over this
    /// engine's connection.
    pub fn sub_engine(&self) -> Engine {
        Engine {
            config: self.config.clone(),
            runtime: self.runtime.clone(),
            slot: Arc::default(),
            transport: self.transport.clone(),
            resume_signer: self.resume_signer.clone(),
        }
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Start entering a room. Every outcome arrives through `sink`: `onEnterRoom` first, then
    /// room events, `onExitRoom` last, and `sessionClosed` after everything. Bad params are
    /// reported the same way (onEnterRoom with the error code, then onError), never thrown.
    pub fn enter_room(
        &self,
        params: &Value,
        scene: &Value,
        sink: impl EventSink,
    ) -> Result<(), EngineError> {
        let started = Instant::now();
        let mut slot = lock(&self.slot);
        if slot.destroyed {
            return Err(EngineError::Destroyed);
        }
        if let Some(active) = &slot.active {
            let state = match active.phase {
                Phase::Entering => format!("entering {}", active.room),
                Phase::InRoom => format!("in {}", active.room),
                Phase::Switching => format!("switching from {}", active.room),
                Phase::Exiting => format!("exiting {}", active.room),
            };
            return Err(EngineError::Busy(state));
        }
        let request = match params::enter_request(params, scene) {
            Ok(request) => request,
            Err(error) => {
                // Reported asynchronously like every other outcome; no session, no slot.
                self.runtime.spawn(async move {
                    for event in Event::enter_failure(error.code.value(), error.message) {
                        sink.emit(event);
                    }
                    sink.emit(Event::SessionClosed);
                });
                return Ok(());
            }
        };
        slot.sessions_started += 1;
        // Custom message numbers start again at 1 in every session.
        slot.message_seq = 0;
        let mut request = request;
        // A preview or microphone started before entering is published from the start.
        request.publishing = slot.media.publishing();
        let id = slot.sessions_started;
        let audience = request.scene.effective_role(request.role) == Role::Audience;
        let (commands, inbox) = mpsc::unbounded_channel();
        slot.active = Some(Active {
            id,
            room: request.room.clone(),
            phase: Phase::Entering,
            connection: ConnectionState::Connecting,
            commands,
            exiting: CancellationToken::new(),
            exit_requested: false,
            unacknowledged: 0,
            waiting_requests: 0,
            queued_publishes: 0,
            publish_folded: false,
            audience,
            user_data: request.user_data.clone(),
            user_data_queued: false,
        });
        let slot_ref = SlotRef {
            slot: self.slot.clone(),
            id,
        };
        let start = session::Start {
            config: self.config.clone(),
            transport: self.transport.clone(),
            resume_signer: self.resume_signer.clone(),
            request,
            started,
        };
        self.runtime
            .spawn(session::run(start, inbox, Box::new(sink), slot_ref));
        Ok(())
    }

    /// Start leaving the current room, and stop local audio and video at once (TRTC's exit
    /// releases the camera and microphone; the others see the streams end before the member
    /// leaves). A running session ends with `onExitRoom` (and `sessionClosed`). Calling it
    /// again while exiting changes nothing; outside a room it changes nothing either (a
    /// preview started before entering stays on).
    pub fn exit_room(&self) -> Exiting {
        self.exit(false)
    }

    fn exit(&self, release_anyway: bool) -> Exiting {
        let mut slot = lock(&self.slot);
        let released = if release_anyway || slot.active.is_some() {
            slot.release_devices()
        } else {
            None
        };
        let running = match slot.active.as_mut() {
            Some(active) => {
                active.exit_requested = true;
                active.exiting.cancel();
                // A session that already ended has dropped its inbox; it still emits its
                // closing events, so running stays correct.
                let _ = active.commands.send(Command::Exit);
                true
            }
            None => false,
        };
        Exiting { running, released }
    }

    /// A local media call (startLocalAudio, muteLocalVideo …): applied at once; the room is
    /// told what this instance publishes now, if that changed. Returns the devices the app
    /// should hold open when they changed.
    pub fn local_media(&self, call: MediaCall) -> Result<Option<LocalDevices>, EngineError> {
        let mut slot = lock(&self.slot);
        if slot.destroyed {
            return Err(EngineError::Destroyed);
        }
        let before = slot.media;
        call.apply(&mut slot.media);
        let after = slot.media;
        if before.publishing() != after.publishing() {
            if let Some(active) = slot.active.as_mut() {
                if active.queued_publishes < MAX_QUEUED_PUBLISHES {
                    let publish = Command::Publish(after.publishing());
                    if active.commands.send(publish).is_ok() {
                        active.queued_publishes += 1;
                        active.publish_folded = false;
                    }
                } else {
                    active.publish_folded = true;
                }
            }
        }
        Ok((before.devices() != after.devices()).then_some(after.devices()))
    }

    /// The local media state now.
    pub fn local_media_state(&self) -> LocalMedia {
        lock(&self.slot).media
    }

    /// Become an anchor (20) or an audience member (21), in the LIVE and VoiceChatRoom scenes.
    /// The outcome arrives as `onSwitchRole(errCode, errMsg)`; refused at once for a value
    /// that is not a role, or outside a room.
    pub fn switch_role(&self, role: i64) -> Result<(), EngineError> {
        let role = u64::try_from(role)
            .ok()
            .and_then(Role::from_value)
            .ok_or_else(|| {
                EngineError::Refused(
                    ErrorCode::RoleInvalid,
                    format!(
                        "role must be TRTCRoleAnchor (20) or TRTCRoleAudience (21), got {role}"
                    ),
                )
            })?;
        let mut slot = lock(&self.slot);
        if slot.destroyed {
            return Err(EngineError::Destroyed);
        }
        match slot.active.as_mut() {
            Some(active)
                if matches!(active.phase, Phase::InRoom | Phase::Switching)
                    && !active.exit_requested =>
            {
                active.wait_for_session(Command::SwitchRole(role))
            }
            _ => Err(EngineError::Refused(
                ErrorCode::NotInRoom,
                "not in a room: enterRoom first and wait for onEnterRoom (the role for entering is TRTCParams.role)".into(),
            )),
        }
    }

    /// Replace this member's data (`userData`: JSON text, or null to clear it) while in a room;
    /// the others are told with `onRemoteUserDataUpdated`. Checked here, at once; a room whose
    /// member data is full refuses it later with `onError(ERR_USER_DATA_INVALID)`.
    pub fn set_user_data(&self, user_data: &Value) -> Result<(), EngineError> {
        let user_data = params::user_data(Some(user_data))
            .map_err(|error| EngineError::Refused(error.code, error.message))?;
        let mut slot = lock(&self.slot);
        if slot.destroyed {
            return Err(EngineError::Destroyed);
        }
        match slot.active.as_mut() {
            Some(active)
                if matches!(active.phase, Phase::InRoom | Phase::Switching)
                    && !active.exit_requested =>
            {
                active.user_data = user_data;
                if !active.user_data_queued && active.commands.send(Command::UserData).is_ok() {
                    active.user_data_queued = true;
                }
                Ok(())
            }
            _ => Err(EngineError::Refused(
                ErrorCode::NotInRoom,
                "not in a room: enterRoom first and wait for onEnterRoom (the data for entering is TRTCParams.userData)".into(),
            )),
        }
    }

    /// Start moving to another room (TRTCSwitchRoomParam). The outcome arrives as
    /// `onSwitchRoom(errCode, errMsg)` through the session's sink; refused at once when there
    /// is no room to switch from.
    pub fn switch_room(&self, params: &Value) -> Result<(), EngineError> {
        let mut slot = lock(&self.slot);
        match slot.active.as_mut() {
            // A switch asked for while another is under way waits its turn: the session
            // handles commands one after another, so the outcomes come in call order.
            Some(active)
                if matches!(active.phase, Phase::InRoom | Phase::Switching)
                    && !active.exit_requested =>
            {
                active.wait_for_session(Command::Switch(params.clone()))
            }
            _ => Err(EngineError::NotInRoom(
                "not in a room: enterRoom first and wait for onEnterRoom".into(),
            )),
        }
    }

    /// Send a custom message to the room's other members (sendCustomCmdMsg): checked and
    /// counted here, at once, so the app hears of a refusal from the call itself. The message
    /// goes out in order with everything else this instance sends.
    pub fn send_custom_cmd_msg(
        &self,
        cmd_id: i64,
        data: Vec<u8>,
        reliable: bool,
        ordered: bool,
    ) -> Result<(), Refusal> {
        let mut slot = lock(&self.slot);
        // After exitRoom() nothing more goes out: a message queued behind the exit would
        // never be sent.
        let in_room = slot.active.as_ref().is_some_and(|active| {
            matches!(active.phase, Phase::InRoom | Phase::Switching) && !active.exit_requested
        });
        if !in_room {
            return Err(Refusal {
                code: WarningCode::CustomCmdNotInRoom,
                message: "not in a room: enterRoom first and wait for onEnterRoom".into(),
            });
        }
        if slot.active.as_ref().is_some_and(|active| active.audience) {
            return Err(Refusal {
                code: WarningCode::CustomCmdAudience,
                message: "an audience member cannot send custom messages: switchRole(TRTCRoleAnchor) first".into(),
            });
        }
        let cmd_id = custom::check_message(cmd_id, data.len())?;
        if slot
            .active
            .as_ref()
            .is_some_and(|active| active.unacknowledged >= MAX_UNACKNOWLEDGED_MESSAGES)
        {
            return Err(Refusal {
                code: WarningCode::CustomCmdSendBufferFull,
                message: format!("{MAX_UNACKNOWLEDGED_MESSAGES} custom messages wait for the server to take them (it is slow, or the connection is down); this one was not sent: try again in a moment"),
            });
        }
        let limits = slot.custom_limits;
        slot.messages
            .admit(data.len(), std::time::Instant::now(), limits)?;
        slot.message_seq = slot.message_seq.wrapping_add(1);
        let message = OutgoingMessage {
            cmd_id,
            seq: slot.message_seq,
            data,
            reliable,
            ordered,
        };
        if let Some(active) = slot.active.as_mut() {
            if active.commands.send(Command::Message(message)).is_ok() {
                active.unacknowledged += 1;
            }
        }
        Ok(())
    }

    /// The connection's state now, as the last `onConnectionStateChanged` reported it.
    pub fn connection_state(&self) -> ConnectionState {
        lock(&self.slot)
            .active
            .as_ref()
            .map_or(ConnectionState::Disconnected, |active| active.connection)
    }

    /// Exit the current room, if any, release the devices, and refuse every later
    /// `enter_room`.
    pub fn destroy(&self) -> Exiting {
        lock(&self.slot).destroyed = true;
        self.exit(true)
    }
}

impl Active {
    /// Queue a switch for the session, unless [`MAX_WAITING_REQUESTS`] already wait.
    fn wait_for_session(&mut self, command: Command) -> Result<(), EngineError> {
        if self.waiting_requests >= MAX_WAITING_REQUESTS {
            return Err(EngineError::Refused(
                ErrorCode::RateLimited,
                format!("{MAX_WAITING_REQUESTS} switchRoom/switchRole calls already wait for the room server; wait for their onSwitchRoom/onSwitchRole"),
            ));
        }
        if self.commands.send(command).is_ok() {
            self.waiting_requests += 1;
        }
        Ok(())
    }
}

fn lock(slot: &Mutex<Slot>) -> MutexGuard<'_, Slot> {
    // Every critical section is a few field writes; a panic cannot leave the slot torn.
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
