//! `message`: custom messages, held to the per-second limits, taken once each (a resend after
//! a resume is dropped), and acknowledged to the client.

use base64::Engine as _;
use openroom_protocol::custom::{RateLimits, Refusal};
use openroom_protocol::{custom, MessageRequest, Role, RoomEvent, ServerFrame, WarningCode};

use super::{Ending, Session, SessionState};

impl Session {
    /// Pass a custom message to the room, after the checks the client makes too (a client
    /// cannot skip them). A message the session already took (resent after a resume) is
    /// dropped.
    pub(super) async fn message(&mut self, request: MessageRequest) -> Result<(), Refusal> {
        let Some(membership) = &self.state.membership else {
            return Err(Refusal {
                code: WarningCode::CustomCmdNotInRoom,
                message: "not in a room: the custom message was not sent".into(),
            });
        };
        if request.seq <= self.state.last_message && self.state.last_message != 0 {
            return Ok(());
        }
        if self.state.presence.role == Role::Audience {
            return Err(Refusal {
                code: WarningCode::CustomCmdAudience,
                message: "an audience member cannot send custom messages: switchRole(TRTCRoleAnchor) first".into(),
            });
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&request.data)
            .map_err(|error| Refusal {
                code: WarningCode::CustomCmdInvalid,
                message: format!("custom message data is not base64: {error}"),
            })?;
        let cmd_id = custom::check_message(request.cmd_id.into(), bytes.len())?;
        let now = std::time::Instant::now();
        if request.seq > self.state.resent_upto {
            self.state.messages.admit_within(
                bytes.len(),
                now,
                self.ctx.config.custom_limits,
                custom::SERVER_SLACK,
            )?;
        }
        self.state.last_message = request.seq;
        self.state.last_message_at = now;
        let message = RoomEvent::CustomMessage {
            user_id: membership.user_id.clone(),
            cmd_id,
            seq: request.seq,
            data: request.data,
        };
        membership
            .room
            .send_message(membership.user_id.clone(), message, request.reliable)
            .await;
        Ok(())
    }

    /// Tell the client which custom messages were taken, every
    /// [`custom::ACKNOWLEDGE_EVERY`] messages: it keeps each until told, and takes no more
    /// once [`custom::MAX_UNACKNOWLEDGED_MESSAGES`] wait.
    pub(super) async fn acknowledge_messages_every(&mut self) -> Result<(), Ending> {
        let untold = self
            .state
            .last_message
            .wrapping_sub(self.state.last_message_told);
        if untold >= custom::ACKNOWLEDGE_EVERY {
            return self.acknowledge_messages().await;
        }
        Ok(())
    }

    /// Tell the client which custom messages were taken, if any since it was last told.
    pub(super) async fn acknowledge_messages(&mut self) -> Result<(), Ending> {
        if self.state.last_message == self.state.last_message_told {
            return Ok(());
        }
        self.state.last_message_told = self.state.last_message;
        let frame = ServerFrame::MessagesTaken {
            last_message: self.state.last_message,
        };
        let text = serde_json::to_string(&frame).expect("server frames always serialize");
        self.send_text(text).await
    }
}

impl SessionState {
    /// The seq up to which a resuming client's messages are resends, not held to the limits
    /// again: what it says it sent, but no more than it could have sent at the limit since the
    /// last message taken (a client cannot buy free messages by reconnecting).
    pub(super) fn resend_allowance(&self, sent_upto: u32, limits: RateLimits) -> u32 {
        let seconds = self.last_message_at.elapsed().as_secs() + 1;
        let per_second = u64::from(limits.messages_per_second);
        let could_have_sent =
            (seconds * per_second).min(custom::MAX_UNACKNOWLEDGED_MESSAGES.into());
        let most = self.last_message.saturating_add(could_have_sent as u32);
        sent_upto.min(most)
    }
}
