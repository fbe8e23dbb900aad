//! `publish`: what the member publishes, held to the privateMapKey's send bits and to the
//! request rate, and the refusals the client is told of.

use openroom_protocol::messages::Outcome;
use openroom_protocol::Publishing;
use tokio::time::Instant;

use super::{Ending, Session};

impl Session {
    /// What the client publishes now: kept for every room the session enters, and passed to
    /// the current one, which tells the others what changed. What the session's
    /// privateMapKey does not grant is withheld, and the client told (answering request `id`).
    pub(super) async fn publish(&mut self, id: u64, asked: Publishing) -> Result<(), Ending> {
        // A later state replaces any held back.
        self.deferred_publish = None;
        let (publishing, refusal) = self.state.publish_gate.pass(asked);
        if refusal.is_some() {
            self.state.publish_refusal = refusal;
            self.tell_publish_refusal(id).await?;
        }
        self.state.presence.publishing = publishing;
        if let Some(membership) = &self.state.membership {
            membership
                .room
                .publish(membership.user_id.clone(), self.state.id, publishing)
                .await;
        }
        Ok(())
    }

    /// Tell the client of publishing its key withholds, if it has not been told yet (as an
    /// answer to request `id`). Kept with the session until sent, so news lost with a broken
    /// connection is told after the resume.
    pub(super) async fn tell_publish_refusal(&mut self, id: u64) -> Result<(), Ending> {
        if let Some(body) = self.state.publish_refusal.clone() {
            self.respond(id, Outcome::Error(body)).await?;
            self.state.publish_refusal = None;
        }
        Ok(())
    }

    /// When the rate allows the next state change.
    pub(super) fn publish_allowed_at(&mut self) -> Instant {
        let rate = self.ctx.config.peers.requests_per_second;
        Instant::now() + self.requests.until_next(rate, std::time::Instant::now())
    }
}
