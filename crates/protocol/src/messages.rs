//! The signaling wire format: JSON text frames over one WebSocket per session.
//!
//! - The client sends [`ClientFrame`]s, each with a request id it chooses.
//! - The server answers each with a [`ServerFrame::Response`] carrying the same id, and pushes
//!   room events as [`ServerFrame::Event`]s numbered by a per-session sequence (1, 2, 3 …) so a
//!   client can tell a gap from a quiet room; later resumption replays from a sequence number.

use serde::{Deserialize, Serialize};

use crate::codes::{ErrorCode, ExitReason, LeaveReason};
use crate::custom::RateLimits;
use crate::ids::{RoomId, UserId};
use crate::presence::{MemberState, Publishing, Role, Scene};
use crate::user_data::UserData;

/// A request from the client, tagged with the id its response will carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientFrame {
    pub id: u64,
    #[serde(flatten)]
    pub request: ClientRequest,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ClientRequest {
    /// Join a room. The first enter of a room creates it.
    Enter(EnterRequest),
    /// Leave the room; the server tells every other member before it answers.
    Exit,
    /// Move to another room in one step: enter the new room, then leave the old one. On
    /// failure the member is still in the old room, untouched.
    Switch(SwitchRequest),
    /// Take a session over on a new connection after the old one broke. Must be the first
    /// request of the connection.
    Resume(ResumeRequest),
    /// A custom message to the room's other members (sendCustomCmdMsg). Answered only when
    /// refused, with a warning code.
    Message(MessageRequest),
    /// What this member publishes now (the whole state, not a change): the others are told
    /// what changed. Kept by the session, so it holds in the next room too. An audience
    /// member's state is kept but not shown until it becomes an anchor. Never answered.
    Publish(Publishing),
    /// Become an anchor or an audience member (LIVE and VoiceChatRoom scenes); answered
    /// `roleSwitched`, or refused. Asking for the current role changes nothing and succeeds.
    SwitchRole(SwitchRoleRequest),
    /// Replace this member's data (None: clear it); the others who see it are told
    /// (`memberUpdated`). Kept by the session, so it holds in the next room too. Answered
    /// `userDataSet` once done (or replaced by a later one held back with it), or refused (the
    /// room's member data is full). A server holds each session to a few a second of its own,
    /// holding back the latest past that.
    SetUserData(SetUserDataRequest),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetUserDataRequest {
    #[serde(default)]
    pub user_data: Option<UserData>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwitchRoleRequest {
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageRequest {
    /// 1 to [`crate::custom::MAX_CMD_ID`].
    pub cmd_id: u8,
    /// The sender's message number: one more for each message it sends in a session.
    pub seq: u32,
    /// The bytes, base64-encoded; at most [`crate::custom::MAX_MESSAGE_BYTES`] of them.
    pub data: String,
    /// Unreliable messages may be dropped for a member that falls behind, which is then told
    /// how many it missed.
    pub reliable: bool,
    pub ordered: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResumeRequest {
    /// The `resumeToken` the server gave at enter.
    pub token: String,
    /// Sequence number of the last event the client received: the server replays what came
    /// after it.
    pub last_seq: u64,
    /// The room the client believes it is in. If the session is elsewhere (a switch whose
    /// answer was lost), the server puts it back here and answers `Entered`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<RoomId>,
    /// The seq of the last custom message the client has sent or queued: the ones up to it
    /// that it resends are not held to the per-second limits a second time.
    #[serde(default)]
    pub sent_upto: u32,
    /// Higher than any counter a resume of this session used before (see
    /// [`crate::resume_proof`]); a server takes each counter once, so a recorded resume frame
    /// cannot be played again.
    #[serde(default)]
    pub counter: u64,
    /// The session's resume key's signature over [`crate::resume_proof::signed_message`],
    /// base64: required for a session entered with a `resumeKey`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SwitchRequest {
    pub room: RoomId,
    /// A UserSig for the same user (the one given at enter, when the app gives none).
    pub user_sig: String,
    /// Whether switching may open the room when it does not exist (ZIM's
    /// `isCreateWhenRoomNotExisted`); the server's own policy can still forbid it.
    #[serde(default = "yes")]
    pub create_if_missing: bool,
    /// TRTC's privateMapKey for the new room (see [`crate::private_map_key`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_map_key: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnterRequest {
    /// The [`crate::PROTOCOL_VERSION`] the client speaks.
    pub protocol: u32,
    pub sdk_app_id: u32,
    pub user_id: UserId,
    pub user_sig: String,
    pub room: RoomId,
    /// TRTCRoleType; in the call scenes everyone is an anchor, whatever this says.
    pub role: Role,
    /// TRTCAppScene.
    pub scene: Scene,
    /// What the member publishes from the start (a preview started before entering).
    #[serde(default)]
    pub publishing: Publishing,
    /// Whether entering may open the room when it does not exist.
    #[serde(default = "yes")]
    pub create_if_missing: bool,
    /// What the member says about itself for the others to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data: Option<UserData>,
    /// TRTC's privateMapKey: which room this user may use and how (see
    /// [`crate::private_map_key`]). Checked whenever given; a server may require it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_map_key: Option<String>,
    /// The public half of the client's key pair (Ed25519, base64; one per client, used for
    /// all its sessions): a resume must then be signed with its private half (see
    /// [`crate::resume_proof`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_key: Option<String>,
}

/// What the server sends: answers to requests and pushed room events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ServerFrame {
    Response {
        id: u64,
        result: Outcome,
    },
    Event {
        seq: u64,
        event: RoomEvent,
    },
    /// The server took this client's custom messages up to `last_message` (sent every
    /// [`crate::custom::ACKNOWLEDGE_EVERY`] messages and in answer to a heartbeat): the client
    /// need not keep them for resending any more.
    #[serde(rename_all = "camelCase")]
    MessagesTaken {
        last_message: u32,
    },
    /// A frame this build does not know (sent by a newer server, e.g. a heartbeat): skipped.
    #[serde(other)]
    Unknown,
}

impl ClientRequest {
    /// Whether the request changes what the room or the session is (enter, switch, role,
    /// publishing): what a server holds a client's request rate to. Exits, resumes, custom
    /// messages and member data (which have limits of their own) are not counted.
    pub fn changes_state(&self) -> bool {
        matches!(
            self,
            ClientRequest::Enter(_)
                | ClientRequest::Switch(_)
                | ClientRequest::SwitchRole(_)
                | ClientRequest::Publish(_)
        )
    }
}

impl ServerFrame {
    /// Parse a frame. An event frame in the form the server writes it (`"type"` first) is read
    /// straight into its fields: an internally tagged enum is otherwise buffered whole before
    /// its variant is known, and event frames are nearly all a client reads.
    pub fn from_json(text: &str) -> serde_json::Result<ServerFrame> {
        /// `ServerFrame::Event`'s fields; the `"type"` (and a channel's `"sub"`) are skipped.
        #[derive(Deserialize)]
        struct EventFields {
            seq: u64,
            event: RoomEvent,
        }
        let type_first = crate::channel::after_channel(text).map(|(_, rest)| rest);
        if type_first.is_some_and(|rest| rest.starts_with("\"type\":\"event\",")) {
            let EventFields { seq, event } = serde_json::from_str(text)?;
            return Ok(ServerFrame::Event { seq, event });
        }
        serde_json::from_str(text)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Ok(Reply),
    Error(ErrorBody),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Reply {
    /// Entered: `members` are the others already present that this member sees (anchors, in
    /// the scenes with roles), in the order they entered, with what they publish. The
    /// client pings every `ping_interval_ms` (a WebSocket ping); either side that hears
    /// nothing from the other for `session_timeout_ms` treats the connection as dead. 0 (a
    /// server that announces nothing) means no heartbeat.
    #[serde(rename_all = "camelCase")]
    Entered {
        members: Vec<MemberState>,
        #[serde(default)]
        ping_interval_ms: u64,
        #[serde(default)]
        session_timeout_ms: u64,
        /// Presents this session again on a new connection ([`ClientRequest::Resume`]);
        /// absent when the server keeps no session for reconnects.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resume_token: Option<String>,
        /// In answer to a resume that put the session back in its room afresh: the seq of the
        /// last custom message the session took, so the client resends what came after it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_message: Option<u32>,
        /// The server's limits on this member's custom messages; TRTC's when absent.
        #[serde(default)]
        custom_limits: RateLimits,
    },
    /// Exited: every other member has been told.
    Exited,
    /// Switched: now in the new room; `members` are the others there, as in `entered`.
    Switched { members: Vec<MemberState> },
    /// The role is now `role`; the others were told (an anchor appearing, or leaving with
    /// reason 3) before this answer.
    RoleSwitched { role: Role },
    /// setUserData is done: the others who see this member were told.
    UserDataSet,
    /// Resumed: the session is this connection's now. The `replayed` events the client
    /// missed (those after its `lastSeq`) follow, in order, then the room's events as they
    /// happen.
    #[serde(rename_all = "camelCase")]
    Resumed {
        replayed: u64,
        /// The seq of the last custom message the server took from this client: it resends
        /// what it sent after that.
        #[serde(default)]
        last_message: u32,
    },
    /// The session to resume was ended by the server while the client was away (removal,
    /// dismissal, another login); nothing more follows.
    #[serde(rename_all = "camelCase")]
    SessionEnded { reason: ExitReason },
    /// An answer this build does not know (from a newer server): the request it answers is
    /// treated as not done.
    #[serde(other)]
    Unknown,
}

/// A refusal: a TRTC error code and a message that says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: i32,
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            code: code.value(),
            message: message.into(),
        }
    }
}

/// Something that happened in the room, pushed to one member. Read with
/// [`RoomEvent::deserialize`]'s one pass over the fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum RoomEvent {
    /// `user_id` entered (or became visible); with its data, if it gave any.
    #[serde(rename_all = "camelCase")]
    MemberEntered {
        user_id: UserId,
        #[serde(skip_serializing_if = "Option::is_none")]
        user_data: Option<UserData>,
    },
    /// `user_id` changed its data (None: cleared it).
    #[serde(rename_all = "camelCase")]
    MemberUpdated {
        user_id: UserId,
        user_data: Option<UserData>,
    },
    #[serde(rename_all = "camelCase")]
    MemberLeft {
        user_id: UserId,
        reason: LeaveReason,
    },
    /// This member's session was ended by the server; the connection closes after it.
    Ejected { reason: ExitReason },
    /// A custom message from another member (or `administrator`, sent over REST).
    #[serde(rename_all = "camelCase")]
    CustomMessage {
        user_id: UserId,
        cmd_id: u8,
        seq: u32,
        /// The bytes, base64-encoded.
        data: String,
    },
    /// Unreliable messages of `user_id` with `cmd_id` that this member missed (it fell behind),
    /// told before the next message of theirs that it gets.
    #[serde(rename_all = "camelCase")]
    MissedMessages {
        user_id: UserId,
        cmd_id: u8,
        missed: u32,
    },
    /// `user_id` started (true) or stopped publishing audio (onUserAudioAvailable).
    #[serde(rename_all = "camelCase")]
    AudioAvailable { user_id: UserId, available: bool },
    /// `user_id` started (true) or stopped publishing video (onUserVideoAvailable).
    #[serde(rename_all = "camelCase")]
    VideoAvailable { user_id: UserId, available: bool },
    /// An event this build does not know (sent by a newer server): skipped, not fatal.
    #[serde(other)]
    Unknown,
}

/// The kinds of [`RoomEvent`], as `"type"` names them.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum RoomEventKind {
    MemberEntered,
    MemberUpdated,
    MemberLeft,
    Ejected,
    CustomMessage,
    MissedMessages,
    AudioAvailable,
    VideoAvailable,
    #[serde(other)]
    Unknown,
}

/// Every field a [`RoomEvent`] can have, read in one pass whatever their order. serde's
/// derive for an internally tagged enum first buffers the whole event to find its `"type"`,
/// which was a tenth of a client's parsing time when events come by the hundred thousand.
/// Each field is kept as it came and checked only by the kind of event that has it: an event
/// this build does not know, or a field another kind uses differently, is never an error.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoomEventFields {
    #[serde(rename = "type")]
    kind: RoomEventKind,
    user_id: Option<serde_json::Value>,
    reason: Option<serde_json::Value>,
    cmd_id: Option<serde_json::Value>,
    seq: Option<serde_json::Value>,
    data: Option<serde_json::Value>,
    missed: Option<serde_json::Value>,
    available: Option<serde_json::Value>,
    user_data: Option<serde_json::Value>,
}

impl<'de> Deserialize<'de> for RoomEvent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{DeserializeOwned, Error};
        let fields = RoomEventFields::deserialize(deserializer)?;
        /// A field this kind of event needs, as its type.
        fn required<T: DeserializeOwned, E: Error>(
            field: Option<serde_json::Value>,
            name: &'static str,
        ) -> Result<T, E> {
            let value = field.ok_or_else(|| E::missing_field(name))?;
            T::deserialize(value).map_err(|error| E::custom(format_args!("{name}: {error}")))
        }
        /// A field this kind of event may have: absent or null is None.
        fn optional<T: DeserializeOwned, E: Error>(
            field: Option<serde_json::Value>,
            name: &'static str,
        ) -> Result<Option<T>, E> {
            match field {
                None | Some(serde_json::Value::Null) => Ok(None),
                value => required(value, name).map(Some),
            }
        }
        Ok(match fields.kind {
            RoomEventKind::MemberEntered => RoomEvent::MemberEntered {
                user_id: required(fields.user_id, "userId")?,
                user_data: optional(fields.user_data, "userData")?,
            },
            RoomEventKind::MemberUpdated => RoomEvent::MemberUpdated {
                user_id: required(fields.user_id, "userId")?,
                user_data: optional(fields.user_data, "userData")?,
            },
            RoomEventKind::MemberLeft => RoomEvent::MemberLeft {
                user_id: required(fields.user_id, "userId")?,
                reason: required(fields.reason, "reason")?,
            },
            RoomEventKind::Ejected => RoomEvent::Ejected {
                reason: required(fields.reason, "reason")?,
            },
            RoomEventKind::CustomMessage => RoomEvent::CustomMessage {
                user_id: required(fields.user_id, "userId")?,
                cmd_id: required(fields.cmd_id, "cmdId")?,
                seq: required(fields.seq, "seq")?,
                data: required(fields.data, "data")?,
            },
            RoomEventKind::MissedMessages => RoomEvent::MissedMessages {
                user_id: required(fields.user_id, "userId")?,
                cmd_id: required(fields.cmd_id, "cmdId")?,
                missed: required(fields.missed, "missed")?,
            },
            RoomEventKind::AudioAvailable => RoomEvent::AudioAvailable {
                user_id: required(fields.user_id, "userId")?,
                available: required(fields.available, "available")?,
            },
            RoomEventKind::VideoAvailable => RoomEvent::VideoAvailable {
                user_id: required(fields.user_id, "userId")?,
                available: required(fields.available, "available")?,
            },
            RoomEventKind::Unknown => RoomEvent::Unknown,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn client_frames_have_a_flat_documented_shape() {
        let frame = ClientFrame {
            id: 7,
            request: ClientRequest::Enter(EnterRequest {
                protocol: 1,
                sdk_app_id: 1400000000,
                user_id: UserId::parse("alice").unwrap(),
                user_sig: "sig".into(),
                room: RoomId::RoomId(42),
                role: Role::Anchor,
                scene: Scene::VideoCall,
                publishing: Publishing {
                    audio: false,
                    video: true,
                },
                create_if_missing: false,
                user_data: None,
                private_map_key: None,
                resume_key: None,
            }),
        };
        let value = serde_json::to_value(&frame).unwrap();
        assert_eq!(
            value,
            json!({"id":7,"type":"enter","protocol":1,"sdkAppId":1400000000,"userId":"alice",
                   "userSig":"sig","room":{"roomId":42},"role":20,"scene":0,
                   "publishing":{"audio":false,"video":true},"createIfMissing":false})
        );
        assert_eq!(serde_json::from_value::<ClientFrame>(value).unwrap(), frame);
        let resume: ClientFrame =
            serde_json::from_str(r#"{"id":9,"type":"resume","token":"t","lastSeq":41}"#).unwrap();
        assert_eq!(
            resume.request,
            ClientRequest::Resume(ResumeRequest {
                token: "t".into(),
                last_seq: 41,
                room: None,
                sent_upto: 0,
                counter: 0,
                proof: None,
            })
        );
        let exit: ClientFrame = serde_json::from_str(r#"{"id":8,"type":"exit"}"#).unwrap();
        assert_eq!(exit.request, ClientRequest::Exit);
    }

    #[test]
    fn switch_frames_have_a_flat_documented_shape() {
        let frame: ClientFrame = serde_json::from_value(
            json!({"id": 3, "type": "switch", "room": {"strRoomId": "b"}, "userSig": "s"}),
        )
        .unwrap();
        assert_eq!(
            frame.request,
            ClientRequest::Switch(SwitchRequest {
                room: RoomId::StrRoomId("b".into()),
                user_sig: "s".into(),
                // Absent means true: rooms are created by entering them, as in TRTC.
                create_if_missing: true,
                private_map_key: None,
            })
        );
    }

    #[test]
    fn invalid_ids_are_refused_when_a_frame_is_read() {
        let bad = r#"{"id":1,"type":"enter","protocol":1,"sdkAppId":1,"userId":"a b",
                      "userSig":"s","room":{"roomId":1},"role":20,"scene":0}"#;
        let err = serde_json::from_str::<ClientFrame>(bad).unwrap_err();
        assert!(err.to_string().contains("userId contains ' '"), "{err}");
    }

    #[test]
    fn every_room_event_reads_back_whatever_its_field_order() {
        let user = || UserId::parse("alice").unwrap();
        let events = [
            RoomEvent::MemberEntered {
                user_id: user(),
                user_data: None,
            },
            RoomEvent::MemberEntered {
                user_id: user(),
                user_data: Some(UserData::parse(r#"{"name":"Al"}"#).unwrap()),
            },
            RoomEvent::MemberUpdated {
                user_id: user(),
                user_data: None,
            },
            RoomEvent::MemberUpdated {
                user_id: user(),
                user_data: Some(UserData::parse("[1]").unwrap()),
            },
            RoomEvent::MemberLeft {
                user_id: user(),
                reason: LeaveReason::SwitchedToAudience,
            },
            RoomEvent::Ejected {
                reason: ExitReason::Dismissed,
            },
            RoomEvent::CustomMessage {
                user_id: user(),
                cmd_id: 7,
                seq: 41,
                data: "aGk=".into(),
            },
            RoomEvent::MissedMessages {
                user_id: user(),
                cmd_id: 7,
                missed: 3,
            },
            RoomEvent::AudioAvailable {
                user_id: user(),
                available: true,
            },
            RoomEvent::VideoAvailable {
                user_id: user(),
                available: false,
            },
        ];
        for event in events {
            let written = serde_json::to_string(&event).unwrap();
            assert_eq!(serde_json::from_str::<RoomEvent>(&written).unwrap(), event);
            // The same fields in the opposite order, "type" last.
            let value = serde_json::to_value(&event).unwrap();
            let fields: Vec<String> = value
                .as_object()
                .unwrap()
                .iter()
                .rev()
                .map(|(k, v)| format!("{k:?}:{v}"))
                .collect();
            let reversed = format!("{{{}}}", fields.join(","));
            assert_eq!(
                serde_json::from_str::<RoomEvent>(&reversed).unwrap(),
                event,
                "{reversed}"
            );
        }
        // A newer server's events, fields this build does not know, and fields another kind of
        // event uses, are skipped whatever they hold.
        assert_eq!(
            serde_json::from_str::<RoomEvent>(
                r#"{"type":"handRaised","userId":7,"reason":"x","seq":5000000000,"available":1}"#
            )
            .unwrap(),
            RoomEvent::Unknown
        );
        assert_eq!(
            serde_json::from_str::<RoomEvent>(
                r#"{"userId":"a","mood":{"x":1},"available":"yes","reason":[],"type":"memberEntered"}"#
            )
            .unwrap(),
            RoomEvent::MemberEntered {
                user_id: UserId::parse("a").unwrap(),
                user_data: None
            }
        );
        // A reason a newer server added reads as the nearest one this build knows.
        assert_eq!(
            serde_json::from_str::<RoomEvent>(r#"{"type":"memberLeft","userId":"a","reason":9}"#)
                .unwrap(),
            RoomEvent::MemberLeft {
                user_id: UserId::parse("a").unwrap(),
                reason: LeaveReason::ConnectionLost
            }
        );
        for broken in [
            r#"{"userId":"a"}"#,
            r#"{"type":"memberLeft","userId":"a"}"#,
            r#"{"type":"memberLeft","userId":"a","reason":-1}"#,
            r#"{"type":"ejected","reason":"removed"}"#,
            r#"{"type":"customMessage","userId":"a","cmdId":1,"seq":1}"#,
            r#"{"type":"memberEntered","userId":"not valid!"}"#,
            r#"{"type":"memberEntered","userId":"a","userData":"not json"}"#,
            r#"{"type":"memberUpdated","userId":"a","userData":{"name":"a"}}"#,
        ] {
            assert!(
                serde_json::from_str::<RoomEvent>(broken).is_err(),
                "{broken}"
            );
        }
    }

    #[test]
    fn from_json_reads_event_frames_in_any_form_and_refuses_broken_ones() {
        let event = ServerFrame::Event {
            seq: 9,
            event: RoomEvent::MemberEntered {
                user_id: UserId::parse("a").unwrap(),
                user_data: None,
            },
        };
        for text in [
            r#"{"type":"event","seq":9,"event":{"type":"memberEntered","userId":"a"}}"#,
            r#"{"sub":2,"type":"event","seq":9,"event":{"userId":"a","type":"memberEntered"}}"#,
            r#"{"seq":9,"event":{"type":"memberEntered","userId":"a"},"type":"event"}"#,
        ] {
            assert_eq!(ServerFrame::from_json(text).unwrap(), event, "{text}");
        }
        for broken in [
            r#"{"type":"event","event":{"type":"memberEntered","userId":"a"}}"#,
            r#"{"type":"event","seq":9}"#,
            r#"{"type":"event","seq":9,"event":{"type":"memberEntered"}}"#,
            r#"{"type":"event","seq":9,"event":{"type":"memberEntered","userId":"a"}"#,
        ] {
            assert!(ServerFrame::from_json(broken).is_err(), "{broken}");
        }
        // A newer server's frames and events are skipped, not fatal.
        assert_eq!(
            ServerFrame::from_json(r#"{"type":"heartbeat","at":1}"#).unwrap(),
            ServerFrame::Unknown
        );
        assert_eq!(
            ServerFrame::from_json(r#"{"type":"event","seq":3,"event":{"type":"later","x":1}}"#)
                .unwrap(),
            ServerFrame::Event {
                seq: 3,
                event: RoomEvent::Unknown
            }
        );
    }

    #[test]
    fn server_frames_round_trip() {
        let frames = [
            ServerFrame::Response {
                id: 1,
                result: Outcome::Ok(Reply::Entered {
                    members: vec![MemberState::new(
                        UserId::parse("bob").unwrap(),
                        Publishing {
                            audio: true,
                            video: false,
                        },
                    )],
                    ping_interval_ms: 10_000,
                    session_timeout_ms: 30_000,
                    resume_token: Some("t0k3n".into()),
                    last_message: None,
                    custom_limits: RateLimits {
                        messages_per_second: 1000,
                        bytes_per_second: 65_536,
                    },
                }),
            },
            ServerFrame::Response {
                id: 3,
                result: Outcome::Ok(Reply::Resumed {
                    replayed: 2,
                    last_message: 7,
                }),
            },
            ServerFrame::Response {
                id: 4,
                result: Outcome::Ok(Reply::SessionEnded {
                    reason: ExitReason::Removed,
                }),
            },
            ServerFrame::Response {
                id: 2,
                result: Outcome::Error(ErrorBody {
                    code: -3320,
                    message: "expired".into(),
                }),
            },
            ServerFrame::Event {
                seq: 3,
                event: RoomEvent::MemberLeft {
                    user_id: UserId::parse("bob").unwrap(),
                    reason: LeaveReason::Removed,
                },
            },
            ServerFrame::Event {
                seq: 4,
                event: RoomEvent::Ejected {
                    reason: ExitReason::Dismissed,
                },
            },
        ];
        for frame in frames {
            let text = serde_json::to_string(&frame).unwrap();
            assert_eq!(serde_json::from_str::<ServerFrame>(&text).unwrap(), frame);
            assert_eq!(ServerFrame::from_json(&text).unwrap(), frame);
            let tagged = crate::channel::tagged(7, text);
            assert_eq!(ServerFrame::from_json(&tagged).unwrap(), frame);
        }
        let left = serde_json::to_value(ServerFrame::Event {
            seq: 5,
            event: RoomEvent::MemberLeft {
                user_id: UserId::parse("x").unwrap(),
                reason: LeaveReason::Exited,
            },
        })
        .unwrap();
        assert_eq!(
            left,
            json!({"type":"event","seq":5,"event":{"type":"memberLeft","userId":"x","reason":0}})
        );
    }

    #[test]
    fn an_entered_reply_without_heartbeat_or_limits_means_none_and_trtcs() {
        let text = r#"{"type":"response","id":1,"result":{"ok":{"type":"entered","members":[]}}}"#;
        let frame: ServerFrame = serde_json::from_str(text).unwrap();
        let ServerFrame::Response {
            result:
                Outcome::Ok(Reply::Entered {
                    ping_interval_ms,
                    session_timeout_ms,
                    custom_limits,
                    ..
                }),
            ..
        } = frame
        else {
            panic!("{frame:?}")
        };
        assert_eq!((ping_interval_ms, session_timeout_ms), (0, 0));
        // A server that names no limits holds clients to TRTC's.
        assert_eq!(custom_limits, RateLimits::default());
    }

    #[test]
    fn unknown_frames_from_a_newer_server_are_skippable() {
        let frame: ServerFrame = serde_json::from_str(r#"{"type":"ping","at":1}"#).unwrap();
        assert_eq!(frame, ServerFrame::Unknown);
    }

    #[test]
    fn unknown_events_from_a_newer_server_are_skippable() {
        let text = r#"{"type":"event","seq":9,"event":{"type":"somethingNew","x":1}}"#;
        let frame: ServerFrame = serde_json::from_str(text).unwrap();
        assert_eq!(
            frame,
            ServerFrame::Event {
                seq: 9,
                event: RoomEvent::Unknown
            }
        );
    }
}
