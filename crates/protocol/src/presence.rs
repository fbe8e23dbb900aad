//! What the others see of a member: whether they see it at all (its role, in the scenes that
//! have roles) and what it publishes. One function, [`presence_change`], turns any change of
//! that view into the room events that announce it, so every path (entering, leaving, a role
//! switch, a mute, a client catching up after a re-enter) tells it in the same order.

use serde::{Deserialize, Serialize};
use serde_repr::{Deserialize_repr, Serialize_repr};

use crate::codes::LeaveReason;
use crate::ids::UserId;
use crate::messages::RoomEvent;
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

/// The events that tell the others `user_id`'s view changed from `before` to `after` (None:
/// not seen, because absent or in the audience). The order is the API's contract:
/// - appearing: `memberEntered` with its data, then `audioAvailable` and `videoAvailable` for
///   what it publishes;
/// - disappearing: its streams end first (`audioAvailable` / `videoAvailable` false), then
///   `memberLeft` with `reason`;
/// - staying: `memberUpdated` if its data changed, then one event per stream that changed,
///   audio first.
pub fn presence_change(
    user_id: &UserId,
    before: Option<&View>,
    after: Option<&View>,
    reason: LeaveReason,
) -> Vec<RoomEvent> {
    let mut events = Vec::new();
    let was = before.map_or(Publishing::NOTHING, |view| view.publishing);
    let now = after.map_or(Publishing::NOTHING, |view| view.publishing);
    match (before, after) {
        (None, Some(after)) => events.push(RoomEvent::MemberEntered {
            user_id: user_id.clone(),
            user_data: after.user_data.clone(),
        }),
        (Some(before), Some(after)) if before.user_data != after.user_data => {
            events.push(RoomEvent::MemberUpdated {
                user_id: user_id.clone(),
                user_data: after.user_data.clone(),
            })
        }
        _ => {}
    }
    if was.audio != now.audio {
        events.push(RoomEvent::AudioAvailable {
            user_id: user_id.clone(),
            available: now.audio,
        });
    }
    if was.video != now.video {
        events.push(RoomEvent::VideoAvailable {
            user_id: user_id.clone(),
            available: now.video,
        });
    }
    if before.is_some() && after.is_none() {
        events.push(RoomEvent::MemberLeft {
            user_id: user_id.clone(),
            reason,
        });
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bob() -> UserId {
        UserId::parse("bob").unwrap()
    }

    const BOTH: Publishing = Publishing {
        audio: true,
        video: true,
    };

    /// A view of what `publishing` shows, with no data.
    fn shows(publishing: Publishing) -> View {
        View {
            publishing,
            user_data: None,
        }
    }

    #[test]
    fn appearing_announces_the_member_then_its_streams() {
        let events = presence_change(&bob(), None, Some(&shows(BOTH)), LeaveReason::Exited);
        assert_eq!(
            events,
            [
                RoomEvent::MemberEntered {
                    user_id: bob(),
                    user_data: None
                },
                RoomEvent::AudioAvailable {
                    user_id: bob(),
                    available: true
                },
                RoomEvent::VideoAvailable {
                    user_id: bob(),
                    available: true
                },
            ]
        );
        let quiet = presence_change(&bob(), None, Some(&View::default()), LeaveReason::Exited);
        assert_eq!(
            quiet,
            [RoomEvent::MemberEntered {
                user_id: bob(),
                user_data: None
            }]
        );
    }

    #[test]
    fn disappearing_ends_the_streams_before_the_member_leaves() {
        let video_only = Publishing {
            audio: false,
            video: true,
        };
        let events = presence_change(
            &bob(),
            Some(&shows(video_only)),
            None,
            LeaveReason::SwitchedToAudience,
        );
        assert_eq!(
            events,
            [
                RoomEvent::VideoAvailable {
                    user_id: bob(),
                    available: false
                },
                RoomEvent::MemberLeft {
                    user_id: bob(),
                    reason: LeaveReason::SwitchedToAudience
                },
            ]
        );
    }

    #[test]
    fn staying_reports_only_what_changed_and_unseen_stays_silent() {
        let audio_only = Publishing {
            audio: true,
            video: false,
        };
        let events = presence_change(
            &bob(),
            Some(&shows(BOTH)),
            Some(&shows(audio_only)),
            LeaveReason::Exited,
        );
        assert_eq!(
            events,
            [RoomEvent::VideoAvailable {
                user_id: bob(),
                available: false
            }]
        );
        assert!(presence_change(
            &bob(),
            Some(&shows(BOTH)),
            Some(&shows(BOTH)),
            LeaveReason::Exited
        )
        .is_empty());
        assert!(presence_change(&bob(), None, None, LeaveReason::Exited).is_empty());
    }

    #[test]
    fn member_data_comes_with_the_entrance_and_changes_before_the_streams() {
        let ann = UserData::parse(r#"{"name":"Ann"}"#).unwrap();
        let named = View {
            publishing: Publishing::NOTHING,
            user_data: Some(ann.clone()),
        };
        assert_eq!(
            presence_change(&bob(), None, Some(&named), LeaveReason::Exited),
            [RoomEvent::MemberEntered {
                user_id: bob(),
                user_data: Some(ann.clone())
            }]
        );
        let renamed_publishing = View {
            publishing: BOTH,
            user_data: None,
        };
        assert_eq!(
            presence_change(
                &bob(),
                Some(&named),
                Some(&renamed_publishing),
                LeaveReason::Exited
            )[0],
            RoomEvent::MemberUpdated {
                user_id: bob(),
                user_data: None
            }
        );
        // Leaving says nothing of the data.
        assert_eq!(
            presence_change(&bob(), Some(&named), None, LeaveReason::Exited).len(),
            1
        );
    }

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
        let state = MemberState::new(bob(), BOTH);
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
