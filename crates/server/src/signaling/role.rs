//! `switchRole`: anchor or audience, in the scenes that have roles.

use openroom_protocol::messages::ErrorBody;
use openroom_protocol::{ErrorCode, Role};

use super::Session;

impl Session {
    /// Become an anchor or an audience member, in the scenes that have roles.
    pub(super) async fn switch_role(&mut self, role: Role) -> Result<(), ErrorBody> {
        let Some(membership) = &self.state.membership else {
            return Err(ErrorBody::new(
                ErrorCode::NotInRoom,
                "not in a room: enterRoom first and wait for onEnterRoom",
            ));
        };
        self.state
            .scene
            .check_role_switch()
            .map_err(|message| ErrorBody::new(ErrorCode::RoleNotSupported, message))?;
        membership
            .room
            .switch_role(membership.user_id.clone(), self.state.id, role)
            .await
            .map_err(|refused| ErrorBody::new(ErrorCode::NotInRoom, refused.to_string()))?;
        self.state.presence.role = role;
        Ok(())
    }
}
