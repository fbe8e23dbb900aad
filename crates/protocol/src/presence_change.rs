//! One function, [`presence_change()`], turns any change of what the others see of a member
//! into the room events that announce it, so every path (entering, leaving, a role switch, a
//! mute, a client catching up after a re-enter) tells it in the same order.

use crate::codes::LeaveReason;
use crate::ids::UserId;
use crate::messages::RoomEvent;
use crate::presence::{Publishing, View};

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
    use crate::user_data::UserData;

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
}
