//! How sessions and the admin API talk to a room: one method per command, each a message to
//! the actor and (for most) a wait for its answer.

use openroom_protocol::{LeaveReason, Publishing, Role, RoomEvent, UserData, UserId};
use tokio::sync::oneshot;

use super::{
    Command, EnterRefused, Entrant, NamedUsersRefused, Occupied, Present, RoomClosed, RoomHandle,
    RoomSettings, RoomSnapshot, SessionId,
};

impl RoomHandle {
    /// Enter the room; on success, the members already present in the order they entered.
    /// Every other member is told in the same step of the room as the answer, before the room
    /// handles anything else (the answer is handed over first, so the entrant does not wait
    /// behind the announcements to a big room).
    pub async fn enter(&self, entrant: Entrant) -> Result<Present, EnterRefused> {
        self.ask(|reply| Command::Enter { entrant, reply }).await?
    }

    /// Enter again in place of this session's own membership (a resumed session starting
    /// afresh): refused if the user has left the room or another login holds it, so a removal
    /// or a newer login that came meanwhile is never undone. The others are told nothing.
    pub async fn rejoin(&self, entrant: Entrant) -> Result<Present, EnterRefused> {
        self.ask(|reply| Command::Rejoin { entrant, reply }).await?
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
        self.ask(|reply| Command::SwitchRole {
            user_id,
            session,
            role,
            reply,
        })
        .await?
    }

    /// Replace the member's data; the others who see it are told (`memberUpdated`) before
    /// this returns. Refused when the room would hold more than its budget
    /// ([`room_user_data_bytes`](openroom_protocol::limits::room_user_data_bytes)).
    pub async fn set_user_data(
        &self,
        user_id: UserId,
        session: SessionId,
        user_data: Option<UserData>,
    ) -> Result<(), EnterRefused> {
        self.ask(|reply| Command::SetUserData {
            user_id,
            session,
            user_data,
            reply,
        })
        .await?
    }

    /// Leave the room. Every other member is told before this returns. A session that is no
    /// longer the member's current one changes nothing.
    pub async fn exit(&self, user_id: UserId, session: SessionId, reason: LeaveReason) {
        // A closed room has no members left to tell: nothing to wait for.
        let _ = self
            .ask(|reply| Command::Exit {
                user_id,
                session,
                reason,
                reply,
            })
            .await;
    }

    /// Remove members (REST RemoveUser): each is ejected with `Removed`, the others get
    /// `MemberLeft(Removed)`. All or nothing: if any user is absent, nobody is removed.
    pub async fn remove(&self, user_ids: Vec<UserId>) -> Result<(), NamedUsersRefused> {
        self.ask(|reply| Command::Remove { user_ids, reply })
            .await?
    }

    /// Dismiss the room (REST DismissRoom): every member is ejected with `Dismissed`.
    pub async fn dismiss(&self) -> Result<(), RoomClosed> {
        self.ask(|reply| Command::Dismiss { reply }).await
    }

    /// Give an empty room new settings, and the wait for a first member they ask for (REST
    /// CreateRoom of a room that is open but empty).
    pub async fn reconfigure(
        &self,
        settings: RoomSettings,
    ) -> Result<Result<(), Occupied>, RoomClosed> {
        self.ask(|reply| Command::Reconfigure { settings, reply })
            .await
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
    ) -> Result<u32, NamedUsersRefused> {
        self.ask(|reply| Command::AdminMessage {
            cmd_id,
            data,
            to,
            reply,
        })
        .await?
    }

    /// The room's members and settings now.
    pub async fn describe(&self) -> Result<RoomSnapshot, RoomClosed> {
        self.ask(|reply| Command::Describe { reply }).await
    }

    /// Send the command `command` builds around a reply channel and wait for the room's
    /// answer: `RoomClosed` when the room closed before answering.
    async fn ask<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, RoomClosed> {
        let (reply, answer) = oneshot::channel();
        self.send(command(reply)).await?;
        answer.await.map_err(|_| RoomClosed)
    }

    async fn send(&self, command: Command) -> Result<(), RoomClosed> {
        self.mailbox
            .send(Box::new(command))
            .await
            .map_err(|_| RoomClosed)
    }
}
