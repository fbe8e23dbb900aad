//! What the others see of a member: whether they see it at all (its role, in the scenes that
//! have roles) and what it publishes. [`presence_change()`](crate::presence_change()) turns any change of that
//! view into the room events that announce it.

use serde::{Deserialize, Serialize};
use serde_repr::{Deserialize_repr, Serialize_repr};

use crate::ids::UserId;
use crate::user_data::UserData;

/// TRTCRoleType. Anchors publish and are seen entering and leaving; audience members watch,
/// unseen (TRTC's rule for the LIVE and VoiceChatRoom scenes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize_repr, Deserialize_repr)]
#[repr(u32)]
pub enum Role {
    #[default]
    Anchor = 20,
    Audience = 21,
}

impl Role {
    pub fn value(self) -> u32 {
        self as u32
    }

    pub fn from_value(value: u64) -> Option<Role> {
        match value {
            20 => Some(Role::Anchor),
            21 => Some(Role::Audience),
            _ => None,
        }
    }

    /// The constant's name in trtc-electron-sdk's `TRTCRoleType`.
    pub fn trtc_name(self) -> &'static str {
        match self {
            Role::Anchor => "TRTCRoleAnchor",
            Role::Audience => "TRTCRoleAudience",
        }
    }
}

/// TRTCAppScene.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize_repr, Deserialize_repr)]
#[repr(u32)]
pub enum Scene {
    #[default]
    VideoCall = 0,
    Live = 1,
    AudioCall = 2,
    VoiceChatRoom = 3,
}

impl Scene {
    pub fn from_value(value: u64) -> Option<Scene> {
        match value {
            0 => Some(Scene::VideoCall),
            1 => Some(Scene::Live),
            2 => Some(Scene::AudioCall),
            3 => Some(Scene::VoiceChatRoom),
            _ => None,
        }
    }

    /// Whether members have roles here. In the call scenes everyone is an anchor.
    pub fn has_roles(self) -> bool {
        matches!(self, Scene::Live | Scene::VoiceChatRoom)
    }

    /// Err with why switchRole is refused here (ERR_ROLE_NOT_SUPPORTED), in the scenes without
    /// roles: the one wording the client and the server both give.
    pub fn check_role_switch(self) -> Result<(), String> {
        if self.has_roles() {
            return Ok(());
        }
        Err(format!(
            "switchRole works in the LIVE (1) and VoiceChatRoom (3) scenes; this room was entered with {} ({}), where everyone is an anchor",
            self.trtc_name(),
            self as u32
        ))
    }

    /// The role a member entering with `role` has here.
    pub fn effective_role(self, role: Role) -> Role {
        if self.has_roles() {
            role
        } else {
            Role::Anchor
        }
    }

    /// The constant's name in trtc-electron-sdk's `TRTCAppScene`.
    pub fn trtc_name(self) -> &'static str {
        match self {
            Scene::VideoCall => "TRTCAppSceneVideoCall",
            Scene::Live => "TRTCAppSceneLIVE",
            Scene::AudioCall => "TRTCAppSceneAudioCall",
            Scene::VoiceChatRoom => "TRTCAppSceneVoiceChatRoom",
        }
    }
}

/// What a member publishes: its microphone is started and not muted (`audio`), its camera is
/// started and not muted (`video`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Publishing {
    #[serde(default)]
    pub audio: bool,
    #[serde(default)]
    pub video: bool,
}

impl Publishing {
    pub const NOTHING: Publishing = Publishing {
        audio: false,
        video: false,
    };
}

/// What the others see of a member they see: what it publishes and the data it gave.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct View {
    pub publishing: Publishing,
    pub user_data: Option<UserData>,
}

/// A member as another member sees it: in `entered` and `switched` answers, in entering order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberState {
    pub user_id: UserId,
    #[serde(flatten)]
    pub publishing: Publishing,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data: Option<UserData>,
}

impl MemberState {
    /// A member with no data.
    pub fn new(user_id: UserId, publishing: Publishing) -> Self {
        MemberState {
            user_id,
            publishing,
            user_data: None,
        }
    }

    /// `user_id` as `view` shows it.
    pub fn seen(user_id: UserId, view: View) -> Self {
        MemberState {
            user_id,
            publishing: view.publishing,
            user_data: view.user_data,
        }
    }

    /// What is seen of this member.
    pub fn view(&self) -> View {
        View {
            publishing: self.publishing,
            user_data: self.user_data.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_exist_only_in_the_live_scenes() {
        assert_eq!(
            Scene::VideoCall.effective_role(Role::Audience),
            Role::Anchor
        );
        assert_eq!(Scene::Live.effective_role(Role::Audience), Role::Audience);
        assert!(Scene::VoiceChatRoom.has_roles() && !Scene::AudioCall.has_roles());
        assert_eq!(serde_json::to_string(&Role::Audience).unwrap(), "21");
        assert!(serde_json::from_str::<Role>("22").is_err());
        assert!(serde_json::from_str::<Scene>("4").is_err());
    }

    #[test]
    fn member_state_is_flat_on_the_wire() {
        let both = Publishing {
            audio: true,
            video: true,
        };
        let state = MemberState::new(UserId::parse("bob").unwrap(), both);
        assert_eq!(
            serde_json::to_value(&state).unwrap(),
            serde_json::json!({"userId": "bob", "audio": true, "video": true})
        );
        let bare: MemberState = serde_json::from_str(r#"{"userId":"bob"}"#).unwrap();
        assert_eq!(bare.publishing, Publishing::NOTHING);
        assert_eq!(bare.user_data, None);
        let named: MemberState =
            serde_json::from_str(r#"{"userId":"bob","userData":"{\"name\":\"Bob\"}"}"#).unwrap();
        assert_eq!(
            named.view().user_data.unwrap().as_str(),
            r#"{"name":"Bob"}"#
        );
    }
}
