//! `setUserData`: the member's data, held to a few updates a second (the latest held back),
//! and other held-back state applied when its rate allows.

use openroom_protocol::messages::{ErrorBody, Outcome, Reply};
use openroom_protocol::{ErrorCode, UserData};
use tokio::time::Instant;

use crate::config::USER_DATA_UPDATES_PER_SECOND;
use crate::room::EnterRefused;

use super::{Ending, Session};

impl Session {
    /// The member's data is `user_data` now: kept for every room the session enters, and
    /// passed to the current one, which tells the others. Refused (and the old data kept)
    /// when the room holds too much member data already.
    async fn set_user_data(&mut self, user_data: Option<UserData>) -> Result<(), ErrorBody> {
        if let Some(membership) = &self.state.membership {
            membership
                .room
                .set_user_data(membership.user_id.clone(), self.state.id, user_data.clone())
                .await
                .map_err(|refused| match refused {
                    EnterRefused::UserDataFull { .. } => {
                        ErrorBody::new(ErrorCode::UserDataInvalid, refused.to_string())
                    }
                    // Gone from the room meanwhile: its session ends on its own path.
                    _ => ErrorBody::new(ErrorCode::NotInRoom, refused.to_string()),
                })?;
        }
        self.state.presence.user_data = user_data;
        Ok(())
    }

    /// setUserData: applied now when its rate allows, else held back (in place of any held
    /// before, which is answered as done: nothing of it is left to do) until it does.
    pub(super) async fn on_set_user_data(
        &mut self,
        id: u64,
        user_data: Option<UserData>,
    ) -> Result<(), Ending> {
        if let Some((replaced, _)) = self.deferred_user_data.take() {
            self.respond(replaced, Outcome::Ok(Reply::UserDataSet))
                .await?;
        }
        let now = std::time::Instant::now();
        if !self
            .user_data_updates
            .take(USER_DATA_UPDATES_PER_SECOND, now)
        {
            self.deferred_user_data = Some((id, user_data));
            return Ok(());
        }
        let outcome = self.user_data_outcome(user_data).await;
        self.respond(id, outcome).await
    }

    /// Apply member data, as the answer to its request.
    async fn user_data_outcome(&mut self, user_data: Option<UserData>) -> Outcome {
        match self.set_user_data(user_data).await {
            Ok(()) => Outcome::Ok(Reply::UserDataSet),
            Err(body) => Outcome::Error(body),
        }
    }

    /// When the member-data rate allows the next setUserData.
    pub(super) fn user_data_allowed_at(&mut self) -> Instant {
        let wait = self
            .user_data_updates
            .until_next(USER_DATA_UPDATES_PER_SECOND, std::time::Instant::now());
        Instant::now() + wait
    }

    /// Apply what was held back for its rate (publishing, member data), each once its rate
    /// allows it.
    pub(super) async fn apply_deferred(&mut self) -> Result<(), Ending> {
        let now = std::time::Instant::now();
        let rate = self.ctx.config.peers.requests_per_second;
        if self.deferred_publish.is_some() && self.requests.take(rate, now) {
            if let Some((id, publishing)) = self.deferred_publish.take() {
                self.publish(id, publishing).await?;
            }
        }
        if self.deferred_user_data.is_some()
            && self
                .user_data_updates
                .take(USER_DATA_UPDATES_PER_SECOND, now)
        {
            if let Some((id, user_data)) = self.deferred_user_data.take() {
                let outcome = self.user_data_outcome(user_data).await;
                return self.respond(id, outcome).await;
            }
        }
        Ok(())
    }
}
