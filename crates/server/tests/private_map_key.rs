//! privateMapKey on the wire: the server checks a key whenever one is given, requires one when
//! configured to, and grants entering (bit 2) and opening a missing room (bit 1) per room,
//! numeric and string alike, at enter and at switch.

mod common;

use common::{connect, next, send, user_sig, Ws};
use openroom_protocol::private_map_key::{gen_private_map_key, Privileges};
use openroom_protocol::{ErrorCode, RoomId};
use openroom_server::{RunningServer, ServerConfig};
use serde_json::{json, Value};

const CREATE_AND_ENTER: Privileges = Privileges(1 | 2);

fn now() -> u64 {
    openroom_server::unix_now()
}

async fn server(require_private_map_key: bool) -> RunningServer {
    openroom_server::start(ServerConfig {
        require_private_map_key,
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap()
}

/// A key for `user` in `room`, issued at `issued` and valid for a minute.
fn key_at(
    server: &RunningServer,
    user: &str,
    room: &RoomId,
    bits: Privileges,
    issued: u64,
) -> String {
    let config = server.config();
    gen_private_map_key(
        config.sdk_app_id,
        &config.secret_key,
        user,
        room,
        bits,
        60,
        issued,
    )
}

fn key(server: &RunningServer, user: &str, room: &RoomId, bits: Privileges) -> String {
    key_at(server, user, room, bits, now())
}

fn numeric(n: u32) -> RoomId {
    RoomId::RoomId(n)
}

fn named(name: &str) -> RoomId {
    RoomId::string(name).unwrap()
}

/// Enter `room` as `user` on a new connection, with `key` when given; the connection and the
/// answer's result.
async fn enter(
    server: &RunningServer,
    user: &str,
    room: &RoomId,
    key: Option<String>,
) -> (Ws, Value) {
    let mut ws = connect(server).await;
    let mut frame = json!({"id": 1, "type": "enter", "protocol": openroom_protocol::PROTOCOL_VERSION,
        "sdkAppId": server.config().sdk_app_id, "userId": user,
        "userSig": user_sig(server, user), "room": room, "role": 20, "scene": 0});
    if let Some(key) = key {
        frame["privateMapKey"] = json!(key);
    }
    send(&mut ws, frame).await;
    let answer = next(&mut ws).await;
    (ws, answer["result"].clone())
}

/// [`enter`] with a key for `user` in `room` granting `bits`.
async fn enter_keyed(
    server: &RunningServer,
    user: &str,
    room: &RoomId,
    bits: Privileges,
) -> (Ws, Value) {
    enter(server, user, room, Some(key(server, user, room, bits))).await
}

fn assert_entered(result: &Value) {
    assert_eq!(result["ok"]["type"], "entered", "{result}");
}

fn assert_refused(result: &Value, code: ErrorCode, says: &str) {
    assert_eq!(result["error"]["code"], code.value(), "{result}");
    let message = result["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(says), "{message:?} should say {says:?}");
}

#[tokio::test]
async fn without_the_requirement_no_key_is_needed_but_a_given_key_is_checked() {
    let server = server(false).await;
    let (_alice, entered) = enter(&server, "alice", &numeric(1), None).await;
    assert_entered(&entered);
    let for_another_room = key(&server, "bob", &numeric(2), Privileges::ALL);
    let (_bob, refused) = enter(&server, "bob", &numeric(1), Some(for_another_room)).await;
    assert_refused(
        &refused,
        ErrorCode::ServerInfoPrivilegeFlagError,
        "is for roomId 2, not roomId 1",
    );
    // A key without bit 1 cannot open a room, though this server opens rooms by entering.
    let enter_only = key(&server, "carol", &numeric(3), Privileges::ENTER_ROOM);
    let (_carol, refused) = enter(&server, "carol", &numeric(3), Some(enter_only)).await;
    assert_refused(
        &refused,
        ErrorCode::ServerCenterNoPrivilegeCreateRoom,
        "does not grant creating rooms",
    );
    // An empty key is no key (TRTCSwitchRoomParam's default).
    let (_dave, entered) = enter(&server, "dave", &numeric(3), Some(String::new())).await;
    assert_entered(&entered);
    server.close().await;
}

#[tokio::test]
async fn a_required_key_grants_entering_and_creating_per_bit() {
    let server = server(true).await;
    let (_nobody, refused) = enter(&server, "nobody", &numeric(1), None).await;
    assert_refused(
        &refused,
        ErrorCode::ServerInfoPrivilegeFlagError,
        "requires a privateMapKey",
    );

    // Bit 2 alone: the room does not exist, so it is refused and not opened.
    let enter_only = key(&server, "bob", &numeric(1), Privileges::ENTER_ROOM);
    let (_bob, refused) = enter(&server, "bob", &numeric(1), Some(enter_only.clone())).await;
    assert_refused(
        &refused,
        ErrorCode::ServerCenterNoPrivilegeCreateRoom,
        "roomId 1 does not exist",
    );
    assert!(server.rooms().get(&numeric(1)).is_none());

    // Bits 1 and 2 open it; then bit 2 alone enters it.
    let opener = key(&server, "alice", &numeric(1), CREATE_AND_ENTER);
    let (_alice, entered) = enter(&server, "alice", &numeric(1), Some(opener)).await;
    assert_entered(&entered);
    let (_bob, entered) = enter(&server, "bob", &numeric(1), Some(enter_only)).await;
    assert_entered(&entered);

    // Bit 1 without bit 2 does not enter, even an open room.
    let create_only = key(&server, "carol", &numeric(1), Privileges::CREATE_ROOM);
    let (_carol, refused) = enter(&server, "carol", &numeric(1), Some(create_only)).await;
    assert_refused(
        &refused,
        ErrorCode::ServerCenterNoPrivilegeEnterRoom,
        "does not grant enter room (2)",
    );
    server.close().await;
}

#[tokio::test]
async fn a_required_key_must_be_valid_for_this_user_room_and_time() {
    let server = server(true).await;
    let (_alice, entered) = enter_keyed(&server, "alice", &numeric(1), Privileges::ALL).await;
    assert_entered(&entered);
    let cases = [
        (
            "another user's",
            key(&server, "alice", &numeric(1), Privileges::ALL),
            "userId",
        ),
        (
            "another room's",
            key(&server, "bob", &numeric(2), Privileges::ALL),
            "not roomId 1",
        ),
        (
            "the string room \"1\"'s",
            key(&server, "bob", &named("1"), Privileges::ALL),
            "is for strRoomId \"1\", not roomId 1",
        ),
        (
            "an expired",
            key_at(&server, "bob", &numeric(1), Privileges::ALL, now() - 120),
            "expired",
        ),
        (
            "a forged",
            gen_private_map_key(
                server.config().sdk_app_id,
                "not-the-key",
                "bob",
                &numeric(1),
                Privileges::ALL,
                60,
                now(),
            ),
            "signature does not match",
        ),
        (
            "a plain UserSig as",
            user_sig(&server, "bob"),
            "no room grant",
        ),
    ];
    for (what, bad_key, says) in cases {
        let (_bob, refused) = enter(&server, "bob", &numeric(1), Some(bad_key)).await;
        assert_eq!(
            refused["error"]["code"],
            ErrorCode::ServerInfoPrivilegeFlagError.value(),
            "{what} key: {refused}"
        );
        let message = refused["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(says),
            "{what} key: {message:?} should say {says:?}"
        );
    }
    server.close().await;
}

#[tokio::test]
async fn string_rooms_take_string_room_keys() {
    let server = server(true).await;
    let team = named("team room");
    let (_alice, entered) = enter_keyed(&server, "alice", &team, CREATE_AND_ENTER).await;
    assert_entered(&entered);
    let (_bob, refused) = enter(
        &server,
        "bob",
        &team,
        Some(key(&server, "bob", &named("other"), Privileges::ALL)),
    )
    .await;
    assert_refused(
        &refused,
        ErrorCode::ServerInfoPrivilegeFlagError,
        "is for strRoomId \"other\"",
    );
    let (_bob, entered) = enter_keyed(&server, "bob", &team, Privileges::ENTER_ROOM).await;
    assert_entered(&entered);
    server.close().await;
}

#[tokio::test]
async fn switching_needs_a_key_for_the_new_room() {
    let server = server(true).await;
    let (mut alice, entered) = enter_keyed(&server, "alice", &numeric(1), CREATE_AND_ENTER).await;
    assert_entered(&entered);
    let sig = user_sig(&server, "alice");
    let switch = |id: u64, room: &RoomId, key: Option<String>| {
        let mut frame = json!({"id": id, "type": "switch", "room": room, "userSig": sig});
        if let Some(key) = key {
            frame["privateMapKey"] = json!(key);
        }
        frame
    };
    let attempts = [
        (
            switch(2, &numeric(2), None),
            Err((
                ErrorCode::ServerInfoPrivilegeFlagError,
                "requires a privateMapKey",
            )),
        ),
        (
            // The key for the room alice is in does not take her elsewhere.
            switch(
                3,
                &numeric(2),
                Some(key(&server, "alice", &numeric(1), Privileges::ALL)),
            ),
            Err((ErrorCode::ServerInfoPrivilegeFlagError, "not roomId 2")),
        ),
        (
            switch(
                4,
                &numeric(2),
                Some(key(&server, "alice", &numeric(2), Privileges::ENTER_ROOM)),
            ),
            Err((
                ErrorCode::ServerCenterNoPrivilegeCreateRoom,
                "roomId 2 does not exist",
            )),
        ),
        (
            switch(
                5,
                &named("b"),
                Some(key(&server, "alice", &named("b"), CREATE_AND_ENTER)),
            ),
            Ok(()),
        ),
    ];
    for (frame, expected) in attempts {
        send(&mut alice, frame.clone()).await;
        let answer = next(&mut alice).await;
        match expected {
            Ok(()) => assert_eq!(
                answer["result"]["ok"]["type"], "switched",
                "{frame}: {answer}"
            ),
            Err((code, says)) => assert_refused(&answer["result"], code, says),
        }
    }
    assert!(server.rooms().get(&numeric(2)).is_none());
    server.close().await;
}

/// The next frame that is not a heartbeat acknowledgement.
async fn next_frame(ws: &mut Ws) -> Value {
    loop {
        let frame = next(ws).await;
        if frame["type"] != "messagesTaken" {
            return frame;
        }
    }
}

/// The next answer, past the room's events.
async fn next_response(ws: &mut Ws) -> Value {
    loop {
        let frame = next_frame(ws).await;
        if frame["type"] == "response" {
            return frame;
        }
    }
}

fn assert_refusal(frame: &Value, id: u64, code: ErrorCode, says: &str) {
    assert_eq!(frame["type"], "response", "{frame}");
    assert_eq!(frame["id"], id, "{frame}");
    assert_refused(&frame["result"], code, says);
}

fn available(frame: &Value, kind: &str, user: &str, on: bool) {
    let event = &frame["event"];
    assert_eq!(event["type"], kind, "{frame}");
    assert_eq!(event["userId"], user, "{frame}");
    assert_eq!(event["available"], on, "{frame}");
}

#[tokio::test]
async fn publishing_needs_the_send_bits_and_the_others_see_only_what_is_granted() {
    let server = server(true).await;
    let room = numeric(5);
    let sig = |user: &str| user_sig(&server, user);
    let entering = |user: &str, bits: u32, audio: bool| {
        json!({"id": 1, "type": "enter", "protocol": openroom_protocol::PROTOCOL_VERSION,
            "sdkAppId": server.config().sdk_app_id, "userId": user, "userSig": sig(user),
            "room": room, "role": 20, "scene": 0, "publishing": {"audio": audio, "video": false},
            "privateMapKey": key(&server, user, &room, Privileges(bits))})
    };
    let publish = |id: u64, audio: bool, video: bool| json!({"id": id, "type": "publish", "audio": audio, "video": video});
    // Alice may send video but not audio; she enters with her microphone on.
    let mut alice = connect(&server).await;
    send(&mut alice, entering("alice", 1 | 2 | 16, true)).await;
    assert_entered(&next_frame(&mut alice).await["result"]);
    assert_refusal(
        &next_frame(&mut alice).await,
        1,
        ErrorCode::ServerInfoPrivilegeFlagError,
        "does not grant sending audio (4)",
    );
    // Bob may do everything: he finds alice publishing nothing.
    let mut bob = connect(&server).await;
    send(&mut bob, entering("bob", 255, false)).await;
    let entered = next_frame(&mut bob).await;
    assert_eq!(
        entered["result"]["ok"]["members"],
        json!([{"userId": "alice", "audio": false, "video": false}])
    );
    // Stating the same audio again is not refused twice; the camera is hers to publish.
    send(&mut alice, publish(2, true, true)).await;
    available(&next_frame(&mut bob).await, "videoAvailable", "alice", true);
    // Carol may enter, and send nothing.
    let mut carol = connect(&server).await;
    send(&mut carol, entering("carol", 2, false)).await;
    assert_entered(&next_frame(&mut carol).await["result"]);
    assert_eq!(next_frame(&mut bob).await["event"]["type"], "memberEntered");
    send(&mut carol, publish(2, true, true)).await;
    assert_refusal(
        &next_frame(&mut carol).await,
        2,
        ErrorCode::ServerCenterNoPrivilegePushVideo,
        "does not grant sending video (16) (nor sending audio, bit 4)",
    );
    // Bob hears nothing of carol's refused publishing: his next event is alice's. Carol's key
    // lacks the receiving bits (8, 32), which govern media OpenRoom does not carry: she is
    // told of alice's publishing like everyone.
    send(&mut alice, publish(3, true, false)).await;
    for member in [&mut bob, &mut carol] {
        available(&next_frame(member).await, "videoAvailable", "alice", false);
    }
    // Alice's microphone, asked again after she had turned it off, is refused again.
    send(&mut alice, publish(4, false, false)).await;
    send(&mut alice, publish(5, true, false)).await;
    assert_refusal(
        &next_response(&mut alice).await,
        5,
        ErrorCode::ServerInfoPrivilegeFlagError,
        "sending audio",
    );
    server.close().await;
}

#[tokio::test]
async fn switching_takes_the_new_rooms_send_bits() {
    let server = server(true).await;
    let (mut alice, entered) = enter_keyed(&server, "alice", &numeric(1), Privileges::ALL).await;
    assert_entered(&entered);
    send(
        &mut alice,
        json!({"id": 2, "type": "publish", "audio": true, "video": true}),
    )
    .await;
    let listen_only = key(&server, "alice", &named("b"), CREATE_AND_ENTER);
    send(
        &mut alice,
        json!({"id": 3, "type": "switch", "room": named("b"),
        "userSig": user_sig(&server, "alice"), "privateMapKey": listen_only}),
    )
    .await;
    assert_eq!(
        next_frame(&mut alice).await["result"]["ok"]["type"],
        "switched"
    );
    assert_refusal(
        &next_frame(&mut alice).await,
        3,
        ErrorCode::ServerCenterNoPrivilegePushVideo,
        "does not grant sending video",
    );
    // Bob, entering room b, finds her publishing nothing there.
    let (_bob, entered) = enter_keyed(&server, "bob", &named("b"), Privileges::ALL).await;
    assert_eq!(
        entered["ok"]["members"],
        json!([{"userId": "alice", "audio": false, "video": false}])
    );
    server.close().await;
}

#[tokio::test]
async fn a_resume_that_undoes_a_switch_takes_back_the_old_rooms_send_bits() {
    let server = server(true).await;
    let room = numeric(1);
    // Alice may not send video in room 1; bob watches there.
    let no_video = key(&server, "alice", &room, Privileges(1 | 2 | 4));
    let (mut alice, entered) = enter(&server, "alice", &room, Some(no_video)).await;
    let token = entered["ok"]["resumeToken"].as_str().unwrap().to_owned();
    let (mut bob, entered) = enter_keyed(&server, "bob", &room, Privileges::ALL).await;
    assert_entered(&entered);
    send(
        &mut alice,
        json!({"id": 2, "type": "publish", "audio": false, "video": true}),
    )
    .await;
    assert_refusal(
        &next_response(&mut alice).await,
        2,
        ErrorCode::ServerCenterNoPrivilegePushVideo,
        "sending video",
    );
    // In room b her key grants video: it is shown there.
    let all_of_b = key(&server, "alice", &named("b"), Privileges::ALL);
    send(
        &mut alice,
        json!({"id": 3, "type": "switch", "room": named("b"),
        "userSig": user_sig(&server, "alice"), "privateMapKey": all_of_b}),
    )
    .await;
    assert_eq!(
        next_response(&mut alice).await["result"]["ok"]["type"],
        "switched"
    );
    assert_eq!(next_frame(&mut bob).await["event"]["type"], "memberLeft");
    // The switch's answer is taken to be lost: her client resumes naming room 1.
    drop(alice);
    let mut again = connect(&server).await;
    send(
        &mut again,
        json!({"id": 1, "type": "resume", "token": token, "lastSeq": 0,
        "room": room}),
    )
    .await;
    assert_entered(&next_response(&mut again).await["result"]);
    // Back in room 1 under room 1's key: bob sees her arrive without video.
    let arrival = next_frame(&mut bob).await;
    assert_eq!(arrival["event"]["type"], "memberEntered", "{arrival}");
    let described = server.rooms().get(&room).unwrap().describe().await.unwrap();
    let alice_there = described
        .members
        .iter()
        .find(|member| member.user_id.as_str() == "alice")
        .expect("alice is back in room 1");
    assert!(!alice_there.publishing.video, "{alice_there:?}");
    server.close().await;
}
