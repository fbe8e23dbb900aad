//! A room is an actor: one tokio task owns the member list and handles one command at a
//! time, so every member sees the room's events in the same order and no lock is needed.
//! Sessions and the admin API talk to it through a [`RoomHandle`].
//!
//! The actor ends when the room has been empty for its empty-room timeout, is dismissed, or
//! the server shuts down. Before it stops reading its mailbox it has itself removed from the
//! registry (the [`Home`] it was started with), so nobody can reach it afterwards; any command
//! that was already queued is answered with [`RoomClosed`] and the sender retries on a fresh
//! room.

use openroom_protocol::limits::room_user_data_bytes;
use openroom_protocol::{
    presence_change, ExitReason, LeaveReason, MemberState, Publishing, Role, RoomEvent, RoomId,
    UserData, UserId, View, ADMIN_IDENTIFIER,
};
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::{sleep_until, Instant};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::RoomLimits;

use crate::shared_event::SharedEvent;

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
    /// The member's data would take the room past its budget ([`room_user_data_bytes`]).
    #[error("the room's member data is full: its other members hold {held} of the {budget} bytes this room may hold (512 for each member it may hold), and this userData takes {wanted} more; give less data")]
    UserDataFull {
        held: usize,
        wanted: usize,
        budget: usize,
    },
    #[error(transparent)]
    Closed(#[from] RoomClosed),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoveRefused {
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
        reply: oneshot::Sender<Result<(), RemoveRefused>>,
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
        reply: oneshot::Sender<Result<u32, RemoveRefused>>,
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
    /// Boxed commands: a tokio channel allocates its slots 32 at a time, and with an 88-byte
    /// `Command` in each that block was ~0.5 KiB per connection in rooms of five.
    mailbox: mpsc::Sender<Box<Command>>,
    /// Distinguishes this actor from a later one for the same room id in the registry.
    pub(crate) generation: u64,
}

impl RoomHandle {
    /// Enter the room; on success, the members already present in the order they entered.
    /// Every other member is told in the same step of the room as the answer, before the room
    /// handles anything else (the answer is handed over first, so the entrant does not wait
    /// behind the announcements to a big room).
    pub async fn enter(&self, entrant: Entrant) -> Result<Present, EnterRefused> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Enter { entrant, reply }).await?;
        answer.await.map_err(|_| RoomClosed)?
    }

    /// Enter again in place of this session's own membership (a resumed session starting
    /// afresh): refused if the user has left the room or another login holds it, so a removal
    /// or a newer login that came meanwhile is never undone. The others are told nothing.
    pub async fn rejoin(&self, entrant: Entrant) -> Result<Present, EnterRefused> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Rejoin { entrant, reply }).await?;
        answer.await.map_err(|_| RoomClosed)?
    }

    /// The member publishes `publishing` now; the others are told what changed (nothing, for
    /// an audience member). A session that is no longer the member's current one changes
    /// nothing.
    pub async fn publish(&self, user_id: UserId, session: SessionId, publishing: Publishing) {
        let _ = self
            .send(Command::Publish {
                user_id,
                session,
                publishing,
            })
            .await;
    }

    /// Give the member `role`. An audience member becoming an anchor is seen entering, then
    /// its streams; an anchor becoming audience is seen stopping its streams, then leaving
    /// with reason 3. Every other member is told before this returns.
    pub async fn switch_role(
        &self,
        user_id: UserId,
        session: SessionId,
        role: Role,
    ) -> Result<(), EnterRefused> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::SwitchRole {
            user_id,
            session,
            role,
            reply,
        })
        .await?;
        answer.await.map_err(|_| RoomClosed)?
    }

    /// Replace the member's data; the others who see it are told (`memberUpdated`) before
    /// this returns. Refused when the room would hold more than its budget
    /// ([`room_user_data_bytes`]).
    pub async fn set_user_data(
        &self,
        user_id: UserId,
        session: SessionId,
        user_data: Option<UserData>,
    ) -> Result<(), EnterRefused> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::SetUserData {
            user_id,
            session,
            user_data,
            reply,
        })
        .await?;
        answer.await.map_err(|_| RoomClosed)?
    }

    /// Leave the room. Every other member is told before this returns. A session that is no
    /// longer the member's current one changes nothing.
    pub async fn exit(&self, user_id: UserId, session: SessionId, reason: LeaveReason) {
        let (reply, answer) = oneshot::channel();
        if self
            .send(Command::Exit {
                user_id,
                session,
                reason,
                reply,
            })
            .await
            .is_ok()
        {
            // A closed room has no members left to tell: nothing to wait for.
            let _ = answer.await;
        }
    }

    /// Remove members (REST RemoveUser): each is ejected with `Removed`, the others get
    /// `MemberLeft(Removed)`. All or nothing: if any user is absent, nobody is removed.
    pub async fn remove(&self, user_ids: Vec<UserId>) -> Result<(), RemoveRefused> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Remove { user_ids, reply }).await?;
        answer.await.map_err(|_| RoomClosed)?
    }

    /// Dismiss the room (REST DismissRoom): every member is ejected with `Dismissed`.
    pub async fn dismiss(&self) -> Result<(), RoomClosed> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Dismiss { reply }).await?;
        answer.await.map_err(|_| RoomClosed)
    }

    /// Give an empty room new settings, and the wait for a first member they ask for (REST
    /// CreateRoom of a room that is open but empty).
    pub async fn reconfigure(
        &self,
        settings: RoomSettings,
    ) -> Result<Result<(), Occupied>, RoomClosed> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Reconfigure { settings, reply }).await?;
        answer.await.map_err(|_| RoomClosed)
    }

    /// Deliver a custom message to every member but `from`. An unreliable one is dropped for a
    /// member whose queue is three quarters full, and that member is told how many it missed
    /// before the next message of `from` it gets; a reliable one is queued like any event.
    pub async fn send_message(&self, from: UserId, message: RoomEvent, reliable: bool) {
        let _ = self
            .send(Command::Message {
                from,
                message,
                reliable,
            })
            .await;
    }

    /// A custom message from `administrator` (REST SendCustomMessage), reliable, to every
    /// member or only to `to`: all or nothing, refused when any of `to` is not in the room.
    /// Returns its seq (the room numbers the server's messages 1, 2, 3 …).
    pub async fn send_admin_message(
        &self,
        cmd_id: u8,
        data: String,
        to: Option<Vec<UserId>>,
    ) -> Result<u32, RemoveRefused> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::AdminMessage {
            cmd_id,
            data,
            to,
            reply,
        })
        .await?;
        answer.await.map_err(|_| RoomClosed)?
    }

    /// The room's members and settings now.
    pub async fn describe(&self) -> Result<RoomSnapshot, RoomClosed> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Describe { reply }).await?;
        answer.await.map_err(|_| RoomClosed)
    }

    async fn send(&self, command: Command) -> Result<(), RoomClosed> {
        self.mailbox
            .send(Box::new(command))
            .await
            .map_err(|_| RoomClosed)
    }
}

struct Member {
    user_id: UserId,
    session: SessionId,
    presence: Presence,
    events: flume::Sender<SharedEvent>,
    ejection: oneshot::Sender<ExitReason>,
    /// Unreliable messages dropped for this member, by sender and cmdId, not yet told.
    missed: HashMap<(UserId, u8), u32>,
}

impl Member {
    /// End this membership from the server's side; dropping the member closes its queue.
    fn eject(self, reason: ExitReason) {
        let _ = self.ejection.send(reason);
    }
}

/// The actor's state. Members are kept in entering order: a new member learns of the others
/// in that order, as TRTC reports them.
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

struct Room {
    id: RoomId,
    members: Vec<Member>,
    settings: RoomSettings,
    /// While the room is empty, when it closes: its timeout after it became empty (a new room
    /// waits for its first member as long as its settings say), unless someone enters.
    /// Other commands (a REST call, say) do not postpone it.
    closes_at: Option<Instant>,
    /// The seq of the last custom message the server sent here (REST SendCustomMessage).
    admin_seq: u32,
    /// Members dropped for a full queue whose departure the others are still to be told, in
    /// the order they were dropped: telling one can drop others, and a worklist keeps that
    /// cascade off the stack (a room of thousands of stalled members would recurse as deep).
    dropped: VecDeque<(UserId, Presence)>,
    /// Whether a call up the stack is telling `dropped`.
    telling_dropped: bool,
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
    let room = Room {
        id,
        members: Vec::new(),
        settings,
        closes_at: Some(Instant::now() + settings.first_member_timeout),
        admin_seq: 0,
        dropped: VecDeque::new(),
        telling_dropped: false,
    };
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

impl Room {
    async fn run(
        mut self,
        mut inbox: mpsc::Receiver<Box<Command>>,
        shutdown: CancellationToken,
        unmap: Box<dyn FnOnce() + Send>,
    ) {
        tracing::debug!(room = %self.id, "room opened");
        loop {
            // On shutdown every room closes at once.
            let next = if let Some(deadline) = self.closes_at {
                tokio::select! {
                    command = inbox.recv() => command,
                    _ = sleep_until(deadline) => {
                        tracing::debug!(room = %self.id, "empty for its timeout");
                        None
                    }
                    _ = shutdown.cancelled() => None,
                }
            } else {
                tokio::select! {
                    command = inbox.recv() => command,
                    _ = shutdown.cancelled() => None,
                }
            };
            let Some(command) = next else { break };
            let dismissed = matches!(*command, Command::Dismiss { .. });
            self.handle(*command);
            if dismissed {
                break;
            }
            self.closes_at = match (self.members.is_empty(), self.closes_at) {
                (false, _) => None,
                (true, Some(deadline)) => Some(deadline),
                (true, None) => Some(Instant::now() + self.settings.empty_timeout),
            };
        }
        // Unreachable from the registry first, then refuse whatever was already queued.
        unmap();
        // Closing the inbox makes every later send fail at once, so after this drain no
        // command (and no reply channel inside one) can be left waiting. Tokio's channel, not
        // flume, on purpose: a flume receiver's drop leaves messages queued while senders live,
        // and a sender parked on a full queue would be let in and wait for an answer forever.
        inbox.close();
        while let Some(command) = inbox.recv().await {
            refuse(*command);
        }
        tracing::debug!(room = %self.id, "room closed");
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Enter { entrant, reply } => self.enter(entrant, reply),
            Command::Rejoin { entrant, reply } => match self.position(&entrant.user_id) {
                Some(index) if self.members[index].session == entrant.session => {
                    self.enter(entrant, reply)
                }
                Some(_) => {
                    let _ = reply.send(Err(EnterRefused::Superseded));
                }
                None => {
                    let _ = reply.send(Err(EnterRefused::Absent));
                }
            },
            Command::Publish {
                user_id,
                session,
                publishing,
            } => {
                if let Some(index) = self.current(&user_id, session) {
                    let before = self.members[index].presence.view();
                    self.members[index].presence.publishing = publishing;
                    let after = self.members[index].presence.view();
                    self.announce(&user_id, before, after, LeaveReason::Exited);
                }
            }
            Command::SetUserData {
                user_id,
                session,
                user_data,
                reply,
            } => {
                let _ = reply.send(self.set_user_data(&user_id, session, user_data));
            }
            Command::SwitchRole {
                user_id,
                session,
                role,
                reply,
            } => {
                let switched = match self.current(&user_id, session) {
                    Some(index) => {
                        let before = self.members[index].presence.view();
                        self.members[index].presence.role = role;
                        let after = self.members[index].presence.view();
                        tracing::debug!(room = %self.id, user = %user_id, ?role, "role switched");
                        self.announce(&user_id, before, after, LeaveReason::SwitchedToAudience);
                        match self.current(&user_id, session) {
                            Some(_) => Ok(()),
                            None => Err(EnterRefused::Absent),
                        }
                    }
                    None => Err(EnterRefused::Absent),
                };
                let _ = reply.send(switched);
            }
            Command::Reconfigure { settings, reply } => {
                let _ = reply.send(if self.members.is_empty() {
                    self.settings = settings;
                    self.closes_at = Some(Instant::now() + settings.first_member_timeout);
                    Ok(())
                } else {
                    Err(Occupied(self.members.len()))
                });
            }
            Command::Message {
                from,
                message,
                reliable,
            } => self.deliver(&from, message, reliable, None),
            Command::AdminMessage {
                cmd_id,
                data,
                to,
                reply,
            } => {
                let _ = reply.send(self.admin_message(cmd_id, data, to));
            }
            Command::Describe { reply } => {
                let _ = reply.send(RoomSnapshot {
                    members: self
                        .members
                        .iter()
                        .map(|m| MemberSnapshot {
                            user_id: m.user_id.clone(),
                            role: m.presence.role,
                            publishing: m
                                .presence
                                .view()
                                .map(|view| view.publishing)
                                .unwrap_or_default(),
                            user_data: m.presence.user_data.clone(),
                        })
                        .collect(),
                    max_members: self.settings.max_members,
                    empty_timeout: self.settings.empty_timeout,
                });
            }
            Command::Exit {
                user_id,
                session,
                reason,
                reply,
            } => {
                if let Some(index) = self.current(&user_id, session) {
                    let member = self.members.remove(index);
                    self.tell_others_left(&user_id, member.presence, reason);
                }
                let _ = reply.send(());
            }
            Command::Remove { user_ids, reply } => {
                let _ = reply.send(self.remove(user_ids));
            }
            Command::Dismiss { reply } => {
                tracing::info!(room = %self.id, members = self.members.len(), "room dismissed");
                for member in self.members.drain(..) {
                    member.eject(ExitReason::Dismissed);
                }
                let _ = reply.send(());
            }
        }
    }

    /// Admit `entrant` and answer it, then tell the others, all in this one step of the room:
    /// nothing the room does afterwards (a message the entrant sends once in, another
    /// change) can reach a member before the announcement. The answer goes first so that the
    /// entrant's session is woken before the hundreds of sessions the announcement wakes in a
    /// big room, and its answer is not written behind theirs: in a room of 500, that took
    /// the enter's p50 from 1.95 to 1.5 ms (S1 in docs/performance.md).
    fn enter(&mut self, entrant: Entrant, reply: oneshot::Sender<Result<Present, EnterRefused>>) {
        match self.admit(entrant) {
            Ok((present, arrival)) => {
                let _ = reply.send(Ok(present));
                self.announce(
                    &arrival.user_id,
                    arrival.before,
                    arrival.after,
                    LeaveReason::Exited,
                );
            }
            Err(refused) => {
                let _ = reply.send(Err(refused));
            }
        }
    }

    /// Make `entrant` a member: the members it sees, and what the others are to be told.
    fn admit(&mut self, entrant: Entrant) -> Result<(Present, Arrival), EnterRefused> {
        self.check_user_data_room(&entrant.user_id, entrant.presence.user_data_bytes())?;
        let newcomer = Member {
            user_id: entrant.user_id,
            session: entrant.session,
            presence: entrant.presence,
            events: entrant.events,
            ejection: entrant.ejection,
            missed: HashMap::new(),
        };
        if let Some(index) = self.position(&newcomer.user_id) {
            // The same user again (another device, or a reconnect that found its old session
            // still here): the newer login wins, in the old one's place. For the others the
            // user never left: they are told only what changed in what they see of it.
            let present = self.seen_by(&newcomer.user_id);
            tracing::info!(room = %self.id, user = %newcomer.user_id, "member replaced by a newer login");
            let user_id = newcomer.user_id.clone();
            let after = newcomer.presence.view();
            let old = std::mem::replace(&mut self.members[index], newcomer);
            let before = old.presence.view();
            old.eject(ExitReason::Replaced);
            return Ok((
                present,
                Arrival {
                    user_id,
                    before,
                    after,
                },
            ));
        }
        if self.members.len() >= self.settings.max_members {
            return Err(EnterRefused::Full(self.settings.max_members));
        }
        let present = self.seen_by(&newcomer.user_id);
        let (user_id, view) = (newcomer.user_id.clone(), newcomer.presence.view());
        tracing::debug!(room = %self.id, user = %user_id, role = ?newcomer.presence.role, "member entered");
        self.members.push(newcomer);
        let arrival = Arrival {
            user_id,
            before: None,
            after: view,
        };
        Ok((present, arrival))
    }

    /// The members `user_id` sees, in entering order, with what they publish.
    fn seen_by(&self, user_id: &UserId) -> Present {
        self.members
            .iter()
            .filter(|m| &m.user_id != user_id)
            .filter_map(|m| Some(MemberState::seen(m.user_id.clone(), m.presence.view()?)))
            .collect()
    }

    /// Refuse member data of `wanted` bytes for `user_id` when, with what the other members
    /// hold, the room would pass its budget ([`room_user_data_bytes`]). Summed when asked (only for data
    /// given): a running total is one more thing every departure path must keep right.
    fn check_user_data_room(&self, user_id: &UserId, wanted: usize) -> Result<(), EnterRefused> {
        if wanted == 0 {
            return Ok(());
        }
        let held: usize = self
            .members
            .iter()
            .filter(|m| &m.user_id != user_id)
            .map(|m| m.presence.user_data_bytes())
            .sum();
        let budget = room_user_data_bytes(self.settings.max_members);
        if held + wanted > budget {
            return Err(EnterRefused::UserDataFull {
                held,
                wanted,
                budget,
            });
        }
        Ok(())
    }

    /// The member's data is `user_data` now; the others who see it are told.
    fn set_user_data(
        &mut self,
        user_id: &UserId,
        session: SessionId,
        user_data: Option<UserData>,
    ) -> Result<(), EnterRefused> {
        let index = self.current(user_id, session).ok_or(EnterRefused::Absent)?;
        let wanted = user_data.as_ref().map_or(0, UserData::wire_bytes);
        self.check_user_data_room(user_id, wanted)?;
        let before = self.members[index].presence.view();
        self.members[index].presence.user_data = user_data;
        let after = self.members[index].presence.view();
        self.announce(user_id, before, after, LeaveReason::Exited);
        Ok(())
    }

    /// Where `user_id` is a member under `session` (not superseded by a newer login).
    fn current(&self, user_id: &UserId, session: SessionId) -> Option<usize> {
        self.position(user_id)
            .filter(|&index| self.members[index].session == session)
    }

    /// Tell every member but `user_id` that their view of it went from `before` to `after`
    /// (see [`presence_change`]).
    fn announce(
        &mut self,
        user_id: &UserId,
        before: Option<View>,
        after: Option<View>,
        reason: LeaveReason,
    ) {
        let present = self.position(user_id).is_some();
        for event in presence_change(user_id, before.as_ref(), after.as_ref(), reason) {
            self.broadcast_except(user_id, event);
            // Telling the others can drop a slow member, and with it this one (its own queue
            // full): the room has told its departure, so nothing more is said of it.
            if present && self.position(user_id).is_none() {
                return;
            }
        }
    }

    fn remove(&mut self, mut user_ids: Vec<UserId>) -> Result<(), RemoveRefused> {
        user_ids.sort();
        user_ids.dedup();
        let absent: Vec<UserId> = user_ids
            .iter()
            .filter(|id| self.position(id).is_none())
            .cloned()
            .collect();
        if !absent.is_empty() {
            return Err(RemoveRefused::NotInRoom(absent));
        }
        for user_id in user_ids {
            if let Some(index) = self.position(&user_id) {
                let member = self.members.remove(index);
                let presence = member.presence.clone();
                member.eject(ExitReason::Removed);
                tracing::info!(room = %self.id, user = %user_id, "member removed");
                self.tell_others_left(&user_id, presence, LeaveReason::Removed);
            }
        }
        Ok(())
    }

    fn position(&self, user_id: &UserId) -> Option<usize> {
        self.members.iter().position(|m| &m.user_id == user_id)
    }

    /// `user_id` (with `presence`) is no longer a member: the others see its streams end, then
    /// it leave (if they saw it at all).
    fn tell_others_left(&mut self, user_id: &UserId, presence: Presence, reason: LeaveReason) {
        tracing::debug!(room = %self.id, user = %user_id, ?reason, "member left");
        // Messages of theirs a member missed are told now, before they leave: no later
        // message of theirs will carry the count.
        for member in &mut self.members {
            let counts: Vec<(UserId, u8)> = member
                .missed
                .keys()
                .filter(|(sender, _)| sender == user_id)
                .cloned()
                .collect();
            for key in counts {
                if let Some(missed) = member.missed.remove(&key) {
                    let missed = RoomEvent::MissedMessages {
                        user_id: key.0,
                        cmd_id: key.1,
                        missed,
                    };
                    let _ = member.events.try_send(missed.into());
                }
            }
        }
        self.announce(user_id, presence.view(), None, reason);
    }

    fn admin_message(
        &mut self,
        cmd_id: u8,
        data: String,
        to: Option<Vec<UserId>>,
    ) -> Result<u32, RemoveRefused> {
        if let Some(to) = &to {
            let absent: Vec<UserId> = to
                .iter()
                .filter(|id| self.position(id).is_none())
                .cloned()
                .collect();
            if !absent.is_empty() {
                return Err(RemoveRefused::NotInRoom(absent));
            }
        }
        self.admin_seq = self.admin_seq.wrapping_add(1);
        let from = UserId::parse(ADMIN_IDENTIFIER).expect("the admin identifier is a valid userId");
        let message = RoomEvent::CustomMessage {
            user_id: from.clone(),
            cmd_id,
            seq: self.admin_seq,
            data,
        };
        self.deliver(&from, message, true, to.as_deref());
        Ok(self.admin_seq)
    }

    /// A custom message to every member but its sender (see [`RoomHandle::send_message`]), or
    /// only to `to`.
    fn deliver(
        &mut self,
        from: &UserId,
        message: RoomEvent,
        reliable: bool,
        to: Option<&[UserId]>,
    ) {
        let RoomEvent::CustomMessage { cmd_id, .. } = &message else {
            return;
        };
        let key = (from.clone(), *cmd_id);
        let shared = SharedEvent::new(&message);
        let mut dropped = Vec::new();
        let addressed = |member: &Member| {
            &member.user_id != from && to.is_none_or(|to| to.contains(&member.user_id))
        };
        for member in self.members.iter_mut().filter(|m| addressed(m)) {
            let bound = member.events.capacity().unwrap_or(usize::MAX);
            let free = bound.saturating_sub(member.events.len());
            if !reliable && free <= bound / 4 {
                *member.missed.entry(key.clone()).or_default() += 1;
                continue;
            }
            let queue = |event: SharedEvent| member.events.try_send(event).is_ok();
            let told = match member.missed.remove(&key) {
                Some(missed) => queue(
                    RoomEvent::MissedMessages {
                        user_id: from.clone(),
                        cmd_id: *cmd_id,
                        missed,
                    }
                    .into(),
                ),
                None => true,
            };
            if !(told && queue(shared.clone())) {
                dropped.push(member.user_id.clone());
            }
        }
        for user_id in dropped {
            if let Some(index) = self.position(&user_id) {
                let member = self.members.remove(index);
                self.dropped.push_back((user_id, member.presence));
            }
        }
        self.tell_dropped();
    }

    /// Push an event to every member but `subject` (whom it is about). A member whose queue
    /// is full is too slow to follow the room: it is dropped (its session sees its queue close
    /// and hangs up) and the others are told it left, so nobody's view of the room goes
    /// silently wrong.
    fn broadcast_except(&mut self, subject: &UserId, event: RoomEvent) {
        let event = SharedEvent::new(&event);
        let dropped = &mut self.dropped;
        self.members.retain(|member| {
            if &member.user_id == subject || member.events.try_send(event.clone()).is_ok() {
                return true;
            }
            dropped.push_back((member.user_id.clone(), member.presence.clone()));
            false
        });
        self.tell_dropped();
    }

    /// Tell the others of each dropped member's departure, in the order they were dropped,
    /// including those dropped while telling. Only the outermost call does the telling: a
    /// nested one (a departure that dropped another member) leaves it queued.
    fn tell_dropped(&mut self) {
        if self.telling_dropped {
            return;
        }
        self.telling_dropped = true;
        while let Some((user_id, presence)) = self.dropped.pop_front() {
            tracing::warn!(room = %self.id, user = %user_id, "member dropped: its connection is gone or cannot keep up");
            self.tell_others_left(&user_id, presence, LeaveReason::ConnectionLost);
        }
        self.telling_dropped = false;
    }
}

fn refuse(command: Command) {
    match command {
        Command::Enter { reply, .. } | Command::Rejoin { reply, .. } => {
            let _ = reply.send(Err(RoomClosed.into()));
        }
        Command::Remove { reply, .. } => {
            let _ = reply.send(Err(RoomClosed.into()));
        }
        Command::SwitchRole { reply, .. } | Command::SetUserData { reply, .. } => {
            let _ = reply.send(Err(RoomClosed.into()));
        }
        Command::AdminMessage { reply, .. } => {
            let _ = reply.send(Err(RoomClosed.into()));
        }
        // Dropping the reply tells the sender the room is gone.
        Command::Message { .. }
        | Command::Publish { .. }
        | Command::Exit { .. }
        | Command::Dismiss { .. }
        | Command::Describe { .. }
        | Command::Reconfigure { .. } => {}
    }
}
