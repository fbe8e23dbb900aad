//! The room actor: the member list, and one command at a time.

use std::collections::{HashMap, VecDeque};

use openroom_protocol::limits::room_user_data_bytes;
use openroom_protocol::{
    ExitReason, LeaveReason, MemberState, RoomEvent, RoomId, UserData, UserId, ADMIN_IDENTIFIER,
};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{sleep_until, Instant};
use tokio_util::sync::CancellationToken;

use crate::shared_event::SharedEvent;

use super::{
    Arrival, Command, EnterRefused, Entrant, MemberSnapshot, NamedUsersRefused, Occupied, Presence,
    Present, RoomClosed, RoomSettings, RoomSnapshot, SessionId,
};

pub(super) struct Member {
    pub(super) user_id: UserId,
    pub(super) session: SessionId,
    pub(super) presence: Presence,
    pub(super) events: flume::Sender<SharedEvent>,
    pub(super) ejection: oneshot::Sender<ExitReason>,
    /// Unreliable messages dropped for this member, by sender and cmdId, not yet told.
    pub(super) missed: HashMap<(UserId, u8), u32>,
}

impl Member {
    /// End this membership from the server's side; dropping the member closes its queue.
    fn eject(self, reason: ExitReason) {
        let _ = self.ejection.send(reason);
    }
}

/// The actor's state. Members are kept in entering order: a new member learns of the others
/// in that order, as TRTC reports them.
pub(super) struct Room {
    pub(super) id: RoomId,
    pub(super) members: Vec<Member>,
    pub(super) settings: RoomSettings,
    /// While the room is empty, when it closes: its timeout after it became empty (a new room
    /// waits for its first member as long as its settings say), unless someone enters.
    /// Other commands (a REST call, say) do not postpone it.
    pub(super) closes_at: Option<Instant>,
    /// The seq of the last custom message the server sent here (REST SendCustomMessage).
    pub(super) admin_seq: u32,
    /// Members dropped (a full queue, or one whose session is gone) whose departure the others
    /// are still to be told, in the order they were dropped: telling one can drop others, and
    /// a worklist keeps that cascade off the stack (a room of thousands of stalled members
    /// would recurse as deep).
    pub(super) dropped: VecDeque<(UserId, Presence)>,
    /// Whether a call up the stack is telling `dropped`.
    pub(super) telling_dropped: bool,
}

impl Room {
    /// A room with no members yet, waiting for its first for as long as `settings` say.
    pub(super) fn new(id: RoomId, settings: RoomSettings) -> Room {
        Room {
            id,
            members: Vec::new(),
            settings,
            closes_at: Some(Instant::now() + settings.first_member_timeout),
            admin_seq: 0,
            dropped: VecDeque::new(),
            telling_dropped: false,
        }
    }

    pub(super) async fn run(
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
    /// big room, and its answer is not written behind theirs (what that bought is in
    /// docs/performance.md).
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
    /// hold, the room would pass its budget ([`room_user_data_bytes`](openroom_protocol::limits::room_user_data_bytes)). Summed when asked (only for data
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

    fn remove(&mut self, mut user_ids: Vec<UserId>) -> Result<(), NamedUsersRefused> {
        user_ids.sort();
        user_ids.dedup();
        self.all_present(&user_ids)?;
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

    /// Ok when every one of `user_ids` is a member; else which are not (all or nothing).
    fn all_present(&self, user_ids: &[UserId]) -> Result<(), NamedUsersRefused> {
        let absent: Vec<UserId> = user_ids
            .iter()
            .filter(|id| self.position(id).is_none())
            .cloned()
            .collect();
        if absent.is_empty() {
            return Ok(());
        }
        Err(NamedUsersRefused::NotInRoom(absent))
    }

    pub(super) fn position(&self, user_id: &UserId) -> Option<usize> {
        self.members.iter().position(|m| &m.user_id == user_id)
    }

    fn admin_message(
        &mut self,
        cmd_id: u8,
        data: String,
        to: Option<Vec<UserId>>,
    ) -> Result<u32, NamedUsersRefused> {
        if let Some(to) = &to {
            self.all_present(to)?;
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
