//! The state an engine shares with its running session: which session holds the slot, where
//! it is in its life, the commands queued for it, and the limits both sides keep. Below the
//! engine (which fills it) and the session (which reports through [`SlotRef`]).

use std::sync::{Arc, Mutex, MutexGuard};

use openroom_protocol::custom::{RateLimits, RateWindow};
use openroom_protocol::{ErrorCode, Publishing, Role, RoomId, UserData};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::error::EngineError;
use crate::events::ConnectionState;
use crate::media::{LocalDevices, LocalMedia};

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

pub(crate) struct Active {
    pub(crate) id: u64,
    pub(crate) room: RoomId,
    pub(crate) phase: Phase,
    pub(crate) connection: ConnectionState,
    /// The session's commands. Unbounded, but bounded by what the engine lets in: custom
    /// messages by [`MAX_UNACKNOWLEDGED_MESSAGES`], switches by [`MAX_WAITING_REQUESTS`],
    /// publishing changes by [`MAX_QUEUED_PUBLISHES`], and one exit.
    pub(crate) commands: mpsc::UnboundedSender<Command>,
    /// Cancelled by exitRoom(): a session waiting on the server (a switch) stops waiting.
    pub(crate) exiting: CancellationToken,
    /// exitRoom() was called: the devices were released then, not when the session ends.
    pub(crate) exit_requested: bool,
    /// Custom messages accepted and not yet taken by the server (or given up with the
    /// session): at most [`MAX_UNACKNOWLEDGED_MESSAGES`].
    pub(crate) unacknowledged: u32,
    /// switchRoom and switchRole calls not yet done (queued, or waiting for the server).
    pub(crate) waiting_requests: usize,
    /// `Publish` commands queued and not yet read.
    pub(crate) queued_publishes: usize,
    /// A change came while [`MAX_QUEUED_PUBLISHES`] waited: the last one read sends the
    /// state now instead of its own.
    pub(crate) publish_folded: bool,
    /// An audience member (LIVE, VoiceChatRoom): it may not send custom messages.
    pub(crate) audience: bool,
    /// The member data setUserData gave last, for the session to send.
    pub(crate) user_data: Option<UserData>,
    /// A `UserData` command is queued and not yet read.
    pub(crate) user_data_queued: bool,
}

#[derive(Default)]
pub(crate) struct Slot {
    pub(crate) active: Option<Active>,
    pub(crate) destroyed: bool,
    pub(crate) sessions_started: u64,
    /// This instance's custom messages of the last second (TRTC's per-client limits).
    pub(crate) messages: RateWindow,
    /// The limits the server named as the session entered (TRTC's until then).
    pub(crate) custom_limits: RateLimits,
    /// The seq of the last custom message this instance sent.
    pub(crate) message_seq: u32,
    /// The local camera and microphone; outlives sessions (a preview may start before entering).
    pub(crate) media: LocalMedia,
}

impl Slot {
    /// Stop local audio and video (exit, removal, dismissal): the devices it released.
    pub(crate) fn release_devices(&mut self) -> Option<LocalDevices> {
        let held = self.media.devices();
        self.media = LocalMedia::default();
        (held != LocalDevices::NONE).then_some(LocalDevices::NONE)
    }
}

/// A session's handle on its engine's slot, to report its phase and to free the slot.
#[derive(Clone)]
pub(crate) struct SlotRef {
    pub(crate) slot: Arc<Mutex<Slot>>,
    pub(crate) id: u64,
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

impl Active {
    /// Queue a switch for the session, unless [`MAX_WAITING_REQUESTS`] already wait.
    pub(crate) fn wait_for_session(&mut self, command: Command) -> Result<(), EngineError> {
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

pub(crate) fn lock(slot: &Mutex<Slot>) -> MutexGuard<'_, Slot> {
    // Every critical section is a few field writes; a panic cannot leave the slot torn.
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
