//! A room is an actor: one tokio task owns the member list and handles one command at a
//! time, so every member sees the room's events in the same order and no lock is needed.
//! Sessions and the admin API talk to it through a [`RoomHandle`].
//!
//! The actor ends when the room has been empty for its empty-room timeout, is dismissed, or
//! the server shuts down. Before it stops reading its mailbox it has itself removed from the
//! registry (the [`Home`] it was started with), so nobody can reach it afterwards; any command
//! that was already queued is answered with [`RoomClosed`] and the sender retries on a fresh
//! room.
//!
//! This file holds what the room's users see (commands, errors, snapshots, settings) and
//! starting an actor; `handle.rs` the handle, `actor.rs` the actor and its command handling,
//! `delivery.rs` telling the members (and the slow-member rule).

mod actor;
mod delivery;
mod handle;

use std::time::Duration;

use openroom_protocol::{
    ExitReason, LeaveReason, MemberState, Publishing, Role, RoomEvent, RoomId, UserData, UserId,
    View,
};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::RoomLimits;
use crate::shared_event::SharedEvent;

use actor::Room;

/// Commands queued for one room before senders wait. Commands are small and handled fast;
/// the bound only keeps a flood from growing memory without limit.
const MAILBOX: usize = 256;

/// Identifies one signaling connection, so a stale command from an old connection of the
/// same user cannot remove a newer one.
pub type SessionId = u64;

/// The room actor was closing when the command arrived; get a fresh handle and try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the room closed while the request was in flight")]
pub struct RoomClosed;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnterRefused {
    #[error("the room is full: it holds its limit of {0} members")]
    Full(usize),
    /// Rejoin only: another session (a newer login) holds the user now.
    #[error("another login of this user is in the room")]
    Superseded,
    /// Rejoin only: the user is not in the room any more.
    #[error("the user is not in the room")]
    Absent,
    /// The member's data would take the room past its budget ([`room_user_data_bytes`](openroom_protocol::limits::room_user_data_bytes)).
    #[error("the room's member data is full: its other members hold {held} of the {budget} bytes this room may hold (512 for each member it may hold), and this userData takes {wanted} more; give less data")]
    UserDataFull {
        held: usize,
        wanted: usize,
        budget: usize,
    },
    #[error(transparent)]
    Closed(#[from] RoomClosed),
}

/// A command for named users (RemoveUser, a custom message to some members) refused whole:
/// these of them are not in the room, or the room closed. All or nothing, so nobody was
/// removed or told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NamedUsersRefused {
    #[error("not in the room: {}", list(.0))]
    NotInRoom(Vec<UserId>),
    #[error(transparent)]
    Closed(#[from] RoomClosed),
}

/// "a, b, c": users as error messages name them.
pub(crate) fn list(users: &[UserId]) -> String {
    users
        .iter()
        .map(UserId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a session hands the room when it enters: where to push this member's events, and
/// where to say why the server ended its membership. The ejection has a channel of its own so
/// that it is never lost to a full event queue; the room drops the event queue right after it,
/// so the session sees every event queued before the ejection first.
pub struct Entrant {
    pub user_id: UserId,
    pub session: SessionId,
    pub presence: Presence,
    pub events: flume::Sender<SharedEvent>,
    pub ejection: oneshot::Sender<ExitReason>,
}

/// A member's role, what it would publish and its data. The session keeps it and hands it to
/// each room it enters; the room decides from it what the others see.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Presence {
    /// The effective role: always anchor in the scenes without roles.
    pub role: Role,
    /// What the member's client publishes; an audience member's is kept but not shown.
    pub publishing: Publishing,
    /// What the member says about itself; an audience member's is kept but not shown.
    pub user_data: Option<UserData>,
}

impl Presence {
    /// What the others see: what it publishes and its data for an anchor; nothing at all
    /// (not even the member) for an audience member.
    pub fn view(&self) -> Option<View> {
        (self.role == Role::Anchor).then(|| View {
            publishing: self.publishing,
            user_data: self.user_data.clone(),
        })
    }

    /// Bytes of member data it makes the room hold.
    fn user_data_bytes(&self) -> usize {
        self.user_data.as_ref().map_or(0, UserData::wire_bytes)
    }
}

/// What an entrant is told: the members it sees, in entering order, with what they publish.
pub type Present = Vec<MemberState>;

/// What the others are told of a member who entered: what they saw of it before (a login it
/// replaced) and what they see now.
struct Arrival {
    user_id: UserId,
    before: Option<View>,
    after: Option<View>,
}

enum Command {
    Enter {
        entrant: Entrant,
        reply: oneshot::Sender<Result<Present, EnterRefused>>,
    },
    Rejoin {
        entrant: Entrant,
        reply: oneshot::Sender<Result<Present, EnterRefused>>,
    },
    /// The member's client publishes `publishing` now.
    Publish {
        user_id: UserId,
        session: SessionId,
        publishing: Publishing,
    },
    SwitchRole {
        user_id: UserId,
        session: SessionId,
        role: Role,
        reply: oneshot::Sender<Result<(), EnterRefused>>,
    },
    SetUserData {
        user_id: UserId,
        session: SessionId,
        user_data: Option<UserData>,
        reply: oneshot::Sender<Result<(), EnterRefused>>,
    },
    Exit {
        user_id: UserId,
        session: SessionId,
        reason: LeaveReason,
        reply: oneshot::Sender<()>,
    },
    Remove {
        user_ids: Vec<UserId>,
        reply: oneshot::Sender<Result<(), NamedUsersRefused>>,
    },
    Dismiss {
        reply: oneshot::Sender<()>,
    },
    Describe {
        reply: oneshot::Sender<RoomSnapshot>,
    },
    /// A custom message from `from` to every other member.
    Message {
        from: UserId,
        message: RoomEvent,
        reliable: bool,
    },
    /// A custom message from the server (REST), to every member or to `to`.
    AdminMessage {
        cmd_id: u8,
        data: String,
        to: Option<Vec<UserId>>,
        reply: oneshot::Sender<Result<u32, NamedUsersRefused>>,
    },
    Reconfigure {
        settings: RoomSettings,
        reply: oneshot::Sender<Result<(), Occupied>>,
    },
}

/// The room has members, so its settings cannot be replaced (CreateRoom of an open room).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the room is open with {0} members")]
pub struct Occupied(pub usize);

/// What a room holds now, for DescribeRoom and ListRooms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomSnapshot {
    /// Members in the order they entered, audience members included.
    pub members: Vec<MemberSnapshot>,
    pub max_members: usize,
    pub empty_timeout: Duration,
}

/// One member as REST DescribeRoom shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSnapshot {
    pub user_id: UserId,
    pub role: Role,
    /// What it publishes as the others see it (nothing for an audience member).
    pub publishing: Publishing,
    /// Its data (an audience member's too: the admin sees everyone).
    pub user_data: Option<UserData>,
}

impl RoomSnapshot {
    /// The members' ids, in entering order.
    pub fn user_ids(&self) -> Vec<UserId> {
        self.members.iter().map(|m| m.user_id.clone()).collect()
    }
}

/// A cheap, cloneable address of a room actor.
#[derive(Clone)]
pub struct RoomHandle {
    /// Boxed commands: a tokio channel allocates its slots 32 at a time, and a block of
    /// `Command`s inline was a large part of an idle connection's memory (docs/performance.md).
    mailbox: mpsc::Sender<Box<Command>>,
    /// Distinguishes this actor from a later one for the same room id in the registry.
    pub(crate) generation: u64,
}

/// One room's own settings: the server's defaults, or what REST CreateRoom asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomSettings {
    pub max_members: usize,
    /// How long the room stays open with nobody in it.
    pub empty_timeout: Duration,
    /// How long a new room waits for its first member.
    pub first_member_timeout: Duration,
}

impl RoomSettings {
    /// A room opened by its first enter, with the server's limits.
    pub fn opened_by_enter(limits: &RoomLimits) -> Self {
        RoomSettings {
            max_members: limits.max_members_per_room,
            empty_timeout: limits.empty_room_timeout,
            first_member_timeout: limits.empty_room_timeout,
        }
    }
}

/// Where a room actor lives: the server's tasks and shutdown, and what unmaps it when it
/// closes (the registry that started it; passed in, so the room knows nothing of registries).
pub(crate) struct Home {
    pub tasks: TaskTracker,
    pub shutdown: CancellationToken,
    pub unmap: Box<dyn FnOnce() + Send>,
}

/// Start the actor for `id`; it serves until the room is empty or dismissed.
pub(crate) fn spawn(id: RoomId, generation: u64, settings: RoomSettings, home: Home) -> RoomHandle {
    let (mailbox, inbox) = mpsc::channel(MAILBOX);
    let room = Room::new(id, settings);
    let Home {
        tasks,
        shutdown,
        unmap,
    } = home;
    tasks.spawn(room.run(inbox, shutdown, unmap));
    RoomHandle {
        mailbox,
        generation,
    }
}
