//! The engine behind one TRTCCloud instance: at most one session at a time, started by
//! [`Engine::enter_room`], ended by [`Engine::exit_room`], by the server, or by a failure.

use std::sync::{Arc, Mutex};

use openroom_protocol::custom::{self, Refusal, MAX_UNACKNOWLEDGED_MESSAGES};
use openroom_protocol::{ErrorCode, Role, WarningCode};
use serde_json::Value;
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

pub use crate::config::{
    ClientConfig, ReconnectPolicy, DEFAULT_ENTER_TIMEOUT, DEFAULT_EXIT_TIMEOUT,
    DEFAULT_RECONNECT_ATTEMPTS, DEFAULT_RECONNECT_INTERVAL, DEFAULT_RECONNECT_MAX_INTERVAL,
    DEFAULT_SERVER_URL,
};
use crate::connection::Transport;
pub use crate::error::EngineError;
pub use crate::events::ConnectionState;
use crate::events::{Event, EventSink};
use crate::media::{LocalDevices, LocalMedia, MediaCall};
use crate::params;
use crate::resume_signer::ResumeSigner;
use crate::session;
use crate::slot::{lock, Active, Command, OutgoingMessage, Phase, Slot, SlotRef};
pub use crate::slot::{MAX_QUEUED_PUBLISHES, MAX_WAITING_REQUESTS};
use crate::tls::Trust;

/// What `exit_room` (and `destroy`) started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exiting {
    /// A session is running and will end with `onExitRoom` (and `sessionClosed`).
    pub running: bool,
    /// The devices were released (camera and microphone closed): the app should close what it
    /// opened. None when nothing was open.
    pub released: Option<LocalDevices>,
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
    /// it makes the key pair its sessions resume with, so entering does not.
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
