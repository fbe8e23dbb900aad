//! `resume`: taking a parked session over on a new connection. The proof is checked by the
//! directory ([`crate::resume`]); here the session is put back: events replayed, or entered
//! again in place (or in the room a lost switch came from), or ended when its credentials
//! expired meanwhile.

use openroom_protocol::messages::{ErrorBody, Outcome, Reply};
use openroom_protocol::{ErrorCode, ExitReason, LeaveReason, ResumeRequest, RoomId};
use tokio::time::Instant;

use crate::auth;
use crate::link::Violation;
use crate::resume::{Claim, Lookup, ReplayBuffer};

use super::enter::{join_as, JoinMode, JoinRefused};
use super::{Ending, Session, REFUSED_RESUMES};

impl Session {
    /// Take over the session behind the request's token: answer `Resumed` and send the events
    /// the client missed, or, when the replay buffer no longer holds them, enter the member
    /// again in place (the others see nothing) and answer `Entered` with the members now.
    pub(super) async fn resume(&mut self, id: u64, request: ResumeRequest) -> Result<(), Ending> {
        if self.state.membership.is_some() || self.state.resumable.is_some() {
            let body = ErrorBody::new(
                ErrorCode::RoomEnterFail,
                "resume must be the first request of a connection",
            );
            return self.respond(id, Outcome::Error(body)).await;
        }
        let claim = Claim {
            counter: request.counter,
            proof: request.proof.as_deref(),
        };
        let mut state = match self.ctx.sessions.take_over(&request.token, &claim).await {
            Lookup::Live(state) => state,
            Lookup::Refused(refused) => {
                let peer = self.link.peer();
                REFUSED_RESUMES.log(|suppressed| {
                    tracing::info!(%peer, code = ErrorCode::ResumeRefused.value(), error = %refused, suppressed, "resume refused")
                });
                let body = ErrorBody::new(ErrorCode::ResumeRefused, refused.to_string());
                self.respond(id, Outcome::Error(body)).await?;
                // One guess per connection: a peer trying tokens or proofs must reconnect.
                return Err(Ending::ProtocolViolation(Violation::policy(
                    "resume refused: it does not prove it comes from the client that entered",
                )));
            }
            Lookup::Ended(reason) => {
                let reply = Outcome::Ok(Reply::SessionEnded { reason });
                self.respond(id, reply).await?;
                return Err(Ending::Ejected(reason));
            }
            Lookup::Unknown => {
                let body = ErrorBody::new(
                    ErrorCode::SessionExpired,
                    "the server no longer holds this session (it timed out, or the server restarted): enter the room again",
                );
                return self.respond(id, Outcome::Error(body)).await;
            }
        };
        std::mem::swap(&mut self.state, &mut state);
        // What the room queued while the session was parked. A queue the room closed means it
        // ended the membership: ejected it (and said why first) or dropped it for falling behind.
        let mut queued = Vec::new();
        let mut dropped = true;
        if let Some(membership) = self.state.membership.as_mut() {
            dropped = loop {
                match membership.events.try_recv() {
                    Ok(event) => queued.push(event),
                    Err(flume::TryRecvError::Empty) => break false,
                    Err(flume::TryRecvError::Disconnected) => break true,
                }
            };
        }
        if let Some(reason) = self.state.ejection_while_parked() {
            // Removed, dismissed or replaced while away: say so, and the session ends here.
            self.state.membership = None;
            self.respond(id, Outcome::Ok(Reply::SessionEnded { reason }))
                .await?;
            return Err(Ending::Ejected(reason));
        }
        let current = self.state.membership.as_ref().map(|m| m.room_id.clone());
        // The client's view of its room wins: a switch whose answer it never got is undone.
        let room = match self.resume_target(request.room.as_ref()) {
            Ok(room) => room,
            Err(body) => return self.end_refused_resume(id, body).await,
        };
        if let Err(body) = self.credentials_still_valid() {
            return self.end_refused_resume(id, body).await;
        }
        let missed = self.state.sent.after(request.last_seq, self.state.seq);
        let (Some(missed), false, true) = (missed, dropped, room == current) else {
            tracing::info!(
                session = self.state.id,
                "session taken over; entering again"
            );
            return self.reenter(id, room).await;
        };
        tracing::info!(
            session = self.state.id,
            replayed = missed.len() + queued.len(),
            "session resumed"
        );
        // The client hears every event it missed before it reports the connection recovered.
        let replayed = (missed.len() + queued.len()) as u64;
        let last_message = self.state.last_message;
        self.state.resent_upto = self
            .state
            .resend_allowance(request.sent_upto, self.ctx.config.custom_limits);
        let resumed = Reply::Resumed {
            replayed,
            last_message,
        };
        self.link.mark_entered();
        self.state.last_message_told = last_message;
        self.respond(id, Outcome::Ok(resumed)).await?;
        for frame in missed {
            self.send_text(frame).await?;
        }
        for event in queued {
            self.send_event(event).await?;
        }
        self.tell_publish_refusal(id).await
    }

    /// The room a resume puts the session back in: its own, or (undoing a switch whose answer
    /// the client never got) the room it switched from, with what its credentials allowed
    /// there. Any other room is refused: a session is never moved where it was not admitted.
    fn resume_target(&mut self, asked: Option<&RoomId>) -> Result<Option<RoomId>, ErrorBody> {
        let current = self.state.membership.as_ref().map(|m| m.room_id.clone());
        let Some(asked) = asked.filter(|asked| Some(*asked) != current.as_ref()) else {
            return Ok(current);
        };
        match self.state.previous.take() {
            Some(previous) if previous.room_id == *asked => {
                self.state.admission = previous.admission;
                self.state.user_sig_expires_at = previous.user_sig_expires_at;
                self.state.publish_gate = previous.publish_gate;
                let (publishing, refusal) = self.state.publish_gate.pass_again();
                self.state.presence.publishing = publishing;
                if refusal.is_some() {
                    self.state.publish_refusal = refusal;
                }
                Ok(Some(previous.room_id))
            }
            _ => Err(ErrorBody::new(
                ErrorCode::RoomEnterFail,
                format!("the resume names {asked}, which this session is neither in nor switched from: enter that room instead"),
            )),
        }
    }

    /// The UserSig and privateMapKey the session was admitted with must still be valid when it
    /// resumes: one that expired while the client was away ends the session, as it would
    /// refuse an enter.
    fn credentials_still_valid(&self) -> Result<(), ErrorBody> {
        let now = auth::unix_now();
        let expired_at = self.state.user_sig_expires_at;
        if expired_at < now {
            return Err(ErrorBody::new(
                ErrorCode::UserSigInvalid,
                format!("the UserSig this session entered with expired at {expired_at} (now {now}) while the client was away: enter again with a new one"),
            ));
        }
        self.state.admission.still_valid(now)
    }

    /// The resume cannot put the session back (its credentials expired, or it names a room the
    /// session may not go to): the member leaves its room (the others see its connection end,
    /// reason 1) and the client hears why.
    async fn end_refused_resume(&mut self, id: u64, body: ErrorBody) -> Result<(), Ending> {
        if let Some(resumable) = self.state.resumable.take() {
            self.ctx.sessions.forget(&resumable.token, None);
        }
        if let Some(membership) = self.state.membership.take() {
            tracing::info!(session = self.state.id, room = %membership.room_id, user = %membership.user_id, code = body.code, "resume refused: the session ends");
            membership
                .room
                .exit(
                    membership.user_id.clone(),
                    self.state.id,
                    LeaveReason::ConnectionLost,
                )
                .await;
        }
        self.outside_room_since = Instant::now();
        self.respond(id, Outcome::Error(body)).await
    }

    /// Put a taken-over session back into `room` (its own room again when the replay buffer
    /// could not serve the client or the room had dropped it; the room the client believes it
    /// is in when a switch's answer was lost) and answer `Entered` with the members now: the
    /// client reports the difference. Entering the same room replaces the old membership in
    /// place, so the others see nothing. The session gets a new resume token, so a resume that
    /// still counts events the old way is never served from the new numbering.
    async fn reenter(&mut self, id: u64, room: Option<RoomId>) -> Result<(), Ending> {
        let token = self.state.resumable.take().map(|resumable| resumable.token);
        let forget = |ended: Option<ExitReason>| {
            if let Some(token) = &token {
                self.ctx.sessions.forget(token, ended);
            }
        };
        let old = self.state.membership.take();
        let (Some(mut old), Some(room)) = (old, room) else {
            forget(None);
            let body = ErrorBody::new(
                ErrorCode::SessionExpired,
                "the session is no longer in a room: enter the room again",
            );
            return self.respond(id, Outcome::Error(body)).await;
        };
        let session = self.state.id;
        let presence = self.state.presence.clone();
        let user_id = old.user_id.clone();
        let in_place = old.room_id == room;
        // A room that closed meanwhile is opened again only if the key allows creating it.
        let create = self
            .state
            .admission
            .may_open(&self.ctx.registry, &room, true);
        let mut joined = match &create {
            Ok(create) => {
                join_as(
                    &self.ctx,
                    session,
                    room.clone(),
                    user_id.clone(),
                    &presence,
                    *create,
                    if in_place {
                        JoinMode::Rejoin
                    } else {
                        JoinMode::Enter
                    },
                )
                .await
            }
            Err(body) => Err(JoinRefused::Refused(body.clone())),
        };
        if let (Err(JoinRefused::Absent), Ok(create)) = (&joined, create) {
            // Gone from the room since the resume looked: removed (say so), or dropped for
            // falling behind (enter again).
            if let Ok(reason) = old.ejection.try_recv() {
                forget(Some(reason));
                self.respond(id, Outcome::Ok(Reply::SessionEnded { reason }))
                    .await?;
                return Err(Ending::Ejected(reason));
            }
            joined = join_as(
                &self.ctx,
                session,
                room.clone(),
                user_id.clone(),
                &presence,
                create,
                JoinMode::Enter,
            )
            .await;
        }
        let outcome = match joined {
            Ok((membership, members)) => {
                forget(None);
                if !in_place {
                    old.room.exit(user_id, session, LeaveReason::Exited).await;
                }
                self.state.membership = Some(membership);
                self.state.previous = None;
                self.state.sent = ReplayBuffer::default();
                self.state.seq = 0;
                // A new token: a resume that still counts events the old way is never served
                // from the new numbering. The messages the session took still count: the
                // client resends only what came after them.
                let last_message = Some(self.state.last_message);
                self.entered_with(members, last_message)
            }
            Err(JoinRefused::Superseded) => {
                // A newer login holds the user: this session was replaced.
                let reason = ExitReason::Replaced;
                forget(Some(reason));
                self.respond(id, Outcome::Ok(Reply::SessionEnded { reason }))
                    .await?;
                return Err(Ending::Ejected(reason));
            }
            Err(refused) => {
                let body = match refused {
                    JoinRefused::Refused(body) => body,
                    _ => ErrorBody::new(ErrorCode::SessionExpired, "enter the room again"),
                };
                forget(None);
                old.room
                    .exit(user_id, session, LeaveReason::ConnectionLost)
                    .await;
                Outcome::Error(body)
            }
        };
        let entered = matches!(outcome, Outcome::Ok(_));
        self.respond(id, outcome).await?;
        if entered {
            self.tell_publish_refusal(id).await?;
        }
        Ok(())
    }
}
