//! Properties of the wire format, over generated values: whatever a peer sends in the forms
//! the protocol defines reads back as what was sent; a UserSig verifies for exactly the
//! identity and app it was signed for; a frame's channel tag survives the trip.

use openroom_protocol::channel::{
    acknowledgements, after_channel, ordinary_frame_channel, ping_payload, tagged, ChannelTag,
};
use openroom_protocol::usersig::{gen_user_sig, verify_user_sig};
use openroom_protocol::{
    ClientFrame, ClientRequest, EnterRequest, ExitReason, LeaveReason, MessageRequest, Publishing,
    ResumeRequest, Role, RoomEvent, RoomId, Scene, ServerFrame, SetUserDataRequest, SwitchRequest,
    SwitchRoleRequest, UserData, UserId,
};
use proptest::prelude::*;

fn user_id() -> impl Strategy<Value = UserId> {
    "[A-Za-z0-9_-]{1,32}".prop_map(|id| UserId::parse(&id).unwrap())
}

fn room_id() -> impl Strategy<Value = RoomId> {
    prop_oneof![
        (1u32..=4_294_967_294).prop_map(RoomId::RoomId),
        "[A-Za-z0-9 !#$%&()+:;<=.>?@^_{}|~,-]{1,64}"
            .prop_filter_map("a valid strRoomId", |id| RoomId::string(&id).ok()),
    ]
}

fn publishing() -> impl Strategy<Value = Publishing> {
    (any::<bool>(), any::<bool>()).prop_map(|(audio, video)| Publishing { audio, video })
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![Just(Role::Anchor), Just(Role::Audience)]
}

fn scene() -> impl Strategy<Value = Scene> {
    prop_oneof![
        Just(Scene::VideoCall),
        Just(Scene::Live),
        Just(Scene::AudioCall),
        Just(Scene::VoiceChatRoom)
    ]
}

fn request() -> impl Strategy<Value = ClientRequest> {
    let enter = (
        any::<u32>(),
        any::<u32>(),
        user_id(),
        "\\PC{0,64}",
        room_id(),
        role(),
        scene(),
        publishing(),
        any::<bool>(),
        user_data(),
    )
        .prop_map(
            |(
                protocol,
                sdk_app_id,
                user_id,
                user_sig,
                room,
                role,
                scene,
                publishing,
                create,
                user_data,
            )| {
                ClientRequest::Enter(EnterRequest {
                    protocol,
                    sdk_app_id,
                    user_id,
                    user_sig,
                    room,
                    role,
                    scene,
                    publishing,
                    create_if_missing: create,
                    user_data,
                    private_map_key: None,
                    resume_key: None,
                })
            },
        );
    let message = (
        any::<u8>(),
        any::<u32>(),
        "[A-Za-z0-9+/=]{0,64}",
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(cmd_id, seq, data, reliable, ordered)| {
            ClientRequest::Message(MessageRequest {
                cmd_id,
                seq,
                data,
                reliable,
                ordered,
            })
        });
    let resume = (
        "\\PC{0,40}",
        any::<u64>(),
        proptest::option::of(room_id()),
        any::<u32>(),
    )
        .prop_map(|(token, last_seq, room, sent_upto)| {
            ClientRequest::Resume(ResumeRequest {
                token,
                last_seq,
                room,
                sent_upto,
                counter: 0,
                proof: None,
            })
        });
    let switch = (room_id(), "\\PC{0,40}", any::<bool>()).prop_map(|(room, user_sig, create)| {
        ClientRequest::Switch(SwitchRequest {
            room,
            user_sig,
            create_if_missing: create,
            private_map_key: None,
        })
    });
    prop_oneof![
        enter,
        message,
        resume,
        switch,
        Just(ClientRequest::Exit),
        publishing().prop_map(ClientRequest::Publish),
        role().prop_map(|role| ClientRequest::SwitchRole(SwitchRoleRequest { role })),
        user_data()
            .prop_map(|user_data| ClientRequest::SetUserData(SetUserDataRequest { user_data })),
    ]
}

fn leave_reason() -> impl Strategy<Value = LeaveReason> {
    prop_oneof![
        Just(LeaveReason::Exited),
        Just(LeaveReason::ConnectionLost),
        Just(LeaveReason::Removed),
        Just(LeaveReason::SwitchedToAudience)
    ]
}

fn exit_reason() -> impl Strategy<Value = ExitReason> {
    prop_oneof![
        Just(ExitReason::Exited),
        Just(ExitReason::Removed),
        Just(ExitReason::Dismissed),
        Just(ExitReason::Replaced)
    ]
}

/// Member data: any JSON string value, or none.
fn user_data() -> impl Strategy<Value = Option<UserData>> {
    proptest::option::of(
        "\\PC{0,32}"
            .prop_map(|text| UserData::parse(&serde_json::to_string(&text).unwrap()).unwrap()),
    )
}

fn room_event() -> impl Strategy<Value = RoomEvent> {
    prop_oneof![
        (user_id(), user_data())
            .prop_map(|(user_id, user_data)| RoomEvent::MemberEntered { user_id, user_data }),
        (user_id(), user_data())
            .prop_map(|(user_id, user_data)| RoomEvent::MemberUpdated { user_id, user_data }),
        (user_id(), leave_reason())
            .prop_map(|(user_id, reason)| RoomEvent::MemberLeft { user_id, reason }),
        exit_reason().prop_map(|reason| RoomEvent::Ejected { reason }),
        (user_id(), 1u8..=10, any::<u32>(), "[A-Za-z0-9+/=]{0,64}").prop_map(
            |(user_id, cmd_id, seq, data)| RoomEvent::CustomMessage {
                user_id,
                cmd_id,
                seq,
                data
            }
        ),
        (user_id(), 1u8..=10, any::<u32>()).prop_map(|(user_id, cmd_id, missed)| {
            RoomEvent::MissedMessages {
                user_id,
                cmd_id,
                missed,
            }
        }),
        (user_id(), any::<bool>())
            .prop_map(|(user_id, available)| { RoomEvent::AudioAvailable { user_id, available } }),
        (user_id(), any::<bool>())
            .prop_map(|(user_id, available)| { RoomEvent::VideoAvailable { user_id, available } }),
    ]
}

proptest! {
    #[test]
    fn every_client_request_reads_back_as_sent(id in any::<u64>(), request in request()) {
        let frame = ClientFrame { id, request };
        let text = serde_json::to_string(&frame).unwrap();
        prop_assert_eq!(serde_json::from_str::<ClientFrame>(&text).unwrap(), frame);
    }

    #[test]
    fn every_room_event_reads_back_as_sent_on_any_channel(
        seq in any::<u64>(),
        event in room_event(),
        sub in 0u32..16,
    ) {
        let frame = ServerFrame::Event { seq, event };
        let text = tagged(sub, serde_json::to_string(&frame).unwrap());
        prop_assert_eq!(ordinary_frame_channel(&text), Some(sub));
        prop_assert_eq!(ChannelTag::of(&text).unwrap().sub, sub);
        prop_assert_eq!(ServerFrame::from_json(&text).unwrap(), frame);
    }

    #[test]
    fn a_frame_s_channel_survives_tagging(sub in any::<u32>(), body in "\\PC{0,40}") {
        let text = serde_json::json!({"type": "x", "body": body}).to_string();
        let tagged = tagged(sub, text.clone());
        let (found, rest) = after_channel(&tagged).unwrap();
        prop_assert_eq!(found, sub);
        prop_assert_eq!(format!("{{{rest}"), text);
    }

    #[test]
    fn a_ping_acknowledges_what_it_says(sub in any::<u32>(), seq in any::<u64>()) {
        prop_assert_eq!(acknowledgements(&ping_payload(sub, seq)), vec![(sub, seq)]);
    }

    #[test]
    fn acknowledgements_of_any_payload_never_panic(payload in proptest::collection::vec(any::<u8>(), 0..200)) {
        let acks = acknowledgements(&payload);
        prop_assert!(acks.len() <= payload.len() / 8);
    }

    #[test]
    fn a_user_sig_verifies_for_exactly_its_identity_and_app(
        sdk_app_id in 1u64..=u32::MAX as u64,
        key in "[ -~]{1,64}",
        user in "[A-Za-z0-9_-]{1,32}",
        other in "[A-Za-z0-9_-]{1,32}",
        now in 1_600_000_000u64..2_000_000_000,
        expire in 1u64..=86_400 * 365,
    ) {
        let sig = gen_user_sig(sdk_app_id, &key, &user, expire, now);
        prop_assert!(verify_user_sig(&sig, sdk_app_id, &key, &user, now).is_ok());
        prop_assert!(verify_user_sig(&sig, sdk_app_id, &key, &user, now + expire + 1).is_err());
        prop_assert!(verify_user_sig(&sig, sdk_app_id + 1, &key, &user, now).is_err());
        let other_key = format!("{key}!");
        prop_assert!(verify_user_sig(&sig, sdk_app_id, &other_key, &user, now).is_err());
        if other != user {
            prop_assert!(verify_user_sig(&sig, sdk_app_id, &key, &other, now).is_err());
        }
    }

    #[test]
    fn any_text_as_a_user_sig_is_refused_not_a_panic(sig in "\\PC{0,300}") {
        prop_assert!(verify_user_sig(&sig, 1_400_000_001, "key", "alice", 1_700_000_000).is_err());
    }
}
