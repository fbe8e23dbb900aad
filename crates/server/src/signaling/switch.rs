//! `switch` and `exit`: moving to another room in one step (enter the new, then leave the
//! old, draining its last events), and leaving.

use openroom_protocol::messages::ErrorBody;
use openroom_protocol::{ErrorCode, LeaveReason, SwitchRequest};
use tokio::time::Instant;

use crate::room::{Presence, Present};
use crate::{auth, room_permission};

use super::enter::join;
use super::{Ending, PreviousRoom, Session};

impl Session {
    /// Move to another room: enter the new one first, so a refusal (full, bad UserSig) leaves
    /// the member in its old room untouched; then leave the old one, whose members are told
    /// (reason 0), and deliver its last events before answering.
    pub(super) async fn switch(
        &mut self,
        request: SwitchRequest,
    ) -> Result<Result<Present, ErrorBody>, Ending> {
        let refuse = |code: ErrorCode, message: String| Ok(Err(ErrorBody::new(code, message)));
        let Some(current) = &self.state.membership else {
            return refuse(
                ErrorCode::RoomEnterFail,
                "not in a room: enterRoom first".into(),
            );
        };
        if current.room_id == request.room {
            return refuse(
                ErrorCode::RoomEnterFail,
                format!("already in {}", request.room),
            );
        }
        let user_id = current.user_id.clone();
        let user_sig_expires_at =
            match auth::check(&self.ctx.config, user_id.as_str(), &request.user_sig) {
                Ok(expires_at) => expires_at,
                Err(error) => {
                    self.refused_sig(&user_id, &error);
                    return refuse(ErrorCode::UserSigInvalid, error.to_string());
                }
            };
        let key = request.private_map_key.as_deref();
        let admitted = room_permission::admit(&self.ctx.config, &user_id, &request.room, key)
            .and_then(|admission| {
                let create = admission.may_open(
                    &self.ctx.registry,
                    &request.room,
                    request.create_if_missing,
                )?;
                Ok((admission, create))
            });
        let (admission, create) = match admitted {
            Ok(admitted) => admitted,
            Err(body) => return Ok(Err(body)),
        };
        // The new room's key decides what of the asked publishing the new room sees.
        let mut publish_gate = self.state.publish_gate.under(&admission);
        let (publishing, refusal) = publish_gate.pass_again();
        let presence = Presence {
            publishing,
            ..self.state.presence.clone()
        };
        let to = request.room.clone();
        let (joined, members) = match join(
            &self.ctx,
            self.state.id,
            request.room,
            user_id,
            &presence,
            create,
        )
        .await
        {
            Ok(joined) => joined,
            Err(body) => return Ok(Err(body)),
        };
        self.state.presence = presence;
        let left_behind = PreviousRoom {
            room_id: self
                .state
                .membership
                .as_ref()
                .map_or_else(|| to.clone(), |membership| membership.room_id.clone()),
            admission: std::mem::replace(&mut self.state.admission, admission),
            user_sig_expires_at: std::mem::replace(
                &mut self.state.user_sig_expires_at,
                user_sig_expires_at,
            ),
            publish_gate: std::mem::replace(&mut self.state.publish_gate, publish_gate),
        };
        self.state.previous = Some(left_behind);
        self.state.publish_refusal = refusal;
        let Some(old) = self.state.membership.replace(joined) else {
            return Ok(Ok(members));
        };
        old.room
            .exit(old.user_id.clone(), self.state.id, LeaveReason::Exited)
            .await;
        // The old room's last events, in order; if the connection fails meanwhile they still go
        // into the replay buffer, and the session (now in the new room) parks.
        let mut failure = None;
        while let Ok(event) = old.events.recv_async().await {
            let text = self.record_event(event);
            if failure.is_none() {
                failure = self.send_text(text).await.err();
            }
        }
        if let Some(ending) = failure {
            return Err(ending);
        }
        tracing::info!(session = self.state.id, from = %old.room_id, %to, user = %old.user_id, "switched");
        Ok(Ok(members))
    }

    /// Leave the current room: the room tells the others before it answers. The events the
    /// member was sent up to that point are delivered before the exit is acknowledged.
    pub(super) async fn exit(&mut self) -> Result<(), Ending> {
        let Some(membership) = self.state.membership.take() else {
            return Ok(());
        };
        self.state.previous = None;
        self.outside_room_since = Instant::now();
        // Out of the room, nothing to resume: the session leaves the directory.
        if let Some(resumable) = self.state.resumable.take() {
            self.ctx.sessions.forget(&resumable.token, None);
        }
        membership
            .room
            .exit(
                membership.user_id.clone(),
                self.state.id,
                LeaveReason::Exited,
            )
            .await;
        // The room has dropped this member's queue: drain what is left, then it ends.
        while let Ok(event) = membership.events.recv_async().await {
            self.send_event(event).await?;
        }
        tracing::info!(session = self.state.id, room = %membership.room_id, user = %membership.user_id, "exited");
        Ok(())
    }
}
