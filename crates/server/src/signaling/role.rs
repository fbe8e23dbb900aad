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
        if !self.state.scene.has_roles() {
            return Err(ErrorBody::new(
                ErrorCode::RoleNotSupported,
                format!(
                    "switchRole works in the LIVE (1) and VoiceChatRoom (3) scenes; this room was entered with {} ({}), where everyone is an anchor",
                    self.state.scene.trtc_name(),
                    self.state.scene as u32
                ),
            ));
        }
        membership
            .room
            .switch_role(membership.user_id.clone(), self.state.id, role)
            .await
            .map_err(|refused| ErrorBody::new(ErrorCode::NotInRoom, refused.to_string()))?;
        self.state.presence.role = role;
        Ok(())
    }
}
