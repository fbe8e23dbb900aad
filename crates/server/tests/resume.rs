//! Resuming sessions, spoken to the server frame by frame: the cases where a plain resume
//! would be wrong (the replay buffer cannot serve, the room dropped the member, the client's
//! room is not the session's, the server ended the session while the client was away).

use std::time::Duration;

use openroom_protocol::{ExitReason, LeaveReason, RoomEvent, RoomId, UserId};
use openroom_server::testing::SharedEvent;
use openroom_server::testing::{Entrant, Presence};
use openroom_server::{RunningServer, ServerConfig};
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::time::timeout;
use tokio_tungstenite::MaybeTlsStream;

mod common;

use common::{connect, enter_frame, members, next, send, user_sig, Ws, WAIT};

async fn server() -> RunningServer {
    openroom_server::start(ServerConfig {
        session_timeout: Duration::from_secs(10),
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap()
}

/// The answer to request 1, events before it skipped.
async fn answer(ws: &mut Ws) -> Value {
    loop {
        let frame = next(ws).await;
        if frame["type"] == "response" && frame["id"] == 1 {
            return frame["result"].clone();
        }
    }
}

/// Enter as `user` on a new connection; returns it and the session's resume token.
async fn enter(server: &RunningServer, user: &str, room: u32) -> (Ws, String) {
    let mut ws = connect(server).await;
    send(&mut ws, enter_frame(server, 0, user, room)).await;
    let entered = answer(&mut ws).await;
    let token = entered["ok"]["resumeToken"].as_str().unwrap().to_owned();
    (ws, token)
}

/// Resume `token` on a new connection; returns it and the answer.
async fn resume(server: &RunningServer, token: &str, last_seq: u64, room: u32) -> (Ws, Value) {
    let mut ws = connect(server).await;
    send(
        &mut ws,
        json!({"id": 1, "type": "resume", "token": token, "lastSeq": last_seq,
               "room": {"roomId": room}}),
    )
    .await;
    let answer = answer(&mut ws).await;
    (ws, answer)
}

/// A member placed straight into a room actor (no socket): cheap room events.
struct Probe {
    events: flume::Receiver<SharedEvent>,
    _ejection: oneshot::Receiver<ExitReason>,
}

async fn probe(server: &RunningServer, room: u32, user: &str, session: u64) -> Probe {
    let handle = server.rooms().get(&RoomId::RoomId(room)).unwrap();
    let (events_tx, events) = flume::bounded(100_000);
    let (ejection_tx, ejection) = oneshot::channel();
    let entrant = Entrant {
        user_id: UserId::parse(user).unwrap(),
        session,
        presence: Presence::default(),
        events: events_tx,
        ejection: ejection_tx,
    };
    handle.enter(entrant).await.unwrap();
    Probe {
        events,
        _ejection: ejection,
    }
}

/// One probe enters and leaves: two events for every member.
async fn blink(server: &RunningServer, room: u32, n: u64) {
    let user = format!("p{n}");
    let _probe = probe(server, room, &user, 1_000_000 + n).await;
    let handle = server.rooms().get(&RoomId::RoomId(room)).unwrap();
    handle
        .exit(
            UserId::parse(&user).unwrap(),
            1_000_000 + n,
            LeaveReason::Exited,
        )
        .await;
}

/// The replay buffer no longer holds what the client missed: the server enters it again in
/// place (answer `entered`, with the members) under a new token, so a later resume that still
/// counts the old way is refused instead of being served from the new numbering.
#[tokio::test]
async fn a_resume_the_buffer_cannot_serve_enters_again_under_a_new_token() {
    let server = server().await;
    let (mut first, token) = enter(&server, "alice", 1).await;
    let _carol = probe(&server, 1, "carol", 900).await;
    // More events than the replay buffer holds, sent on the first connection and never
    // acknowledged (no pings).
    let blinks = openroom_server::testing::ReplayBuffer::CAPACITY as u64 / 2 + 10;
    for n in 0..blinks {
        blink(&server, 1, n).await;
    }
    for _ in 0..blinks * 2 + 1 {
        assert_eq!(next(&mut first).await["type"], "event");
    }
    drop(first);

    let (_second, answer) = resume(&server, &token, 0, 1).await;
    assert_eq!(answer["ok"]["type"], "entered", "{answer}");
    assert_eq!(
        answer["ok"]["members"],
        json!([{"userId": "carol", "audio": false, "video": false}])
    );
    let new_token = answer["ok"]["resumeToken"].as_str().unwrap();
    assert_ne!(new_token, token);
    // The old token is spent: a resume with it (as from a client that never got the answer)
    // is told to enter again.
    let (_third, stale) = resume(&server, &token, 0, 1).await;
    assert_eq!(stale["error"]["code"], -7003, "{stale}");
    server.close().await;
}

/// The room dropped the parked member for falling behind (the others saw it leave): a resume
/// enters it again, rather than pretending nothing happened.
#[tokio::test]
async fn a_member_dropped_while_parked_is_entered_again() {
    let server = server().await;
    let (first, token) = enter(&server, "alice", 2).await;
    let watcher = probe(&server, 2, "watcher", 901).await;
    drop(first);
    // Flood until the room gives up on alice's full queue.
    let mut n = 0;
    'flood: loop {
        blink(&server, 2, n).await;
        n += 1;
        while let Ok(event) = watcher.events.try_recv().map(|e| e.decode()) {
            if matches!(&event, RoomEvent::MemberLeft { user_id, reason: LeaveReason::ConnectionLost } if user_id.as_str() == "alice")
            {
                break 'flood;
            }
        }
    }
    let (_second, answer) = resume(&server, &token, 0, 2).await;
    assert_eq!(answer["ok"]["type"], "entered", "{answer}");
    assert_eq!(
        answer["ok"]["members"],
        json!([{"userId": "watcher", "audio": false, "video": false}])
    );
    // Back in the room, for the others too.
    loop {
        let event = timeout(WAIT, watcher.events.recv_async())
            .await
            .unwrap()
            .unwrap()
            .decode();
        if matches!(&event, RoomEvent::MemberEntered { user_id, .. } if user_id.as_str() == "alice")
        {
            break;
        }
    }
    server.close().await;
}

/// The client never got the answer to its switch (the connection broke): its resume names the
/// room it believes it is in, and the server puts the session back there.
#[tokio::test]
async fn a_resume_from_the_old_room_undoes_a_switch_whose_answer_was_lost() {
    let server = server().await;
    let (mut first, token) = enter(&server, "alice", 10).await;
    let sig = user_sig(&server, "alice");
    send(
        &mut first,
        json!({"id": 2, "type": "switch", "room": {"roomId": 11}, "userSig": sig}),
    )
    .await;
    // The server switched (this is its answer), but the client is taken not to have seen it.
    let switched = next(&mut first).await;
    assert_eq!(switched["result"]["ok"]["type"], "switched", "{switched}");
    drop(first);

    let (_second, answer) = resume(&server, &token, 0, 10).await;
    assert_eq!(answer["ok"]["type"], "entered", "{answer}");
    assert_eq!(
        members(&server, 10).await,
        [UserId::parse("alice").unwrap()]
    );
    assert_eq!(members(&server, 11).await, Vec::<UserId>::new());
    server.close().await;
}

/// Removed while the connection was being reset, so the `ejected` event could not be sent:
/// the server still remembers why the session ended, and a resume hears it.
#[tokio::test]
async fn a_removal_that_could_not_be_told_is_remembered() {
    let server = server().await;
    let (mut first, token) = enter(&server, "alice", 3).await;
    let _bob = probe(&server, 3, "bob", 902).await;
    assert_eq!(next(&mut first).await["type"], "event");
    // Reset the TCP connection (SO_LINGER 0), then remove alice at once.
    if let MaybeTlsStream::Plain(tcp) = first.get_ref() {
        socket2::SockRef::from(tcp)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
    }
    drop(first);
    let room = server.rooms().get(&RoomId::RoomId(3)).unwrap();
    room.remove(vec![UserId::parse("alice").unwrap()])
        .await
        .unwrap();
    let (_second, answer) = resume(&server, &token, 1, 3).await;
    assert_eq!(
        answer["ok"],
        json!({"type": "sessionEnded", "reason": 1}),
        "{answer}"
    );
    server.close().await;
}

/// An Ed25519 key pair as a protocol 5 client makes one, and its `resumeKey`.
fn resume_key_pair() -> (ring::signature::Ed25519KeyPair, String) {
    use base64::Engine as _;
    use ring::signature::KeyPair as _;
    let pkcs8 =
        ring::signature::Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
    let pair = ring::signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let public = base64::engine::general_purpose::STANDARD.encode(pair.public_key());
    (pair, public)
}

/// A resume of `token` (events after `last_seq`) signed with `pair` at `counter`.
fn signed_resume(
    pair: &ring::signature::Ed25519KeyPair,
    token: &str,
    last_seq: u64,
    counter: u64,
) -> Value {
    json!({"id": 1, "type": "resume", "token": token, "lastSeq": last_seq,
           "counter": counter, "proof": signed(pair, token, counter)})
}

fn signed(pair: &ring::signature::Ed25519KeyPair, token: &str, counter: u64) -> String {
    use base64::Engine as _;
    let message = openroom_protocol::resume_proof::signed_message(token, counter);
    base64::engine::general_purpose::STANDARD.encode(pair.sign(&message).as_ref())
}

#[tokio::test]
async fn a_resume_key_must_be_an_ed25519_public_key() {
    let server = server().await;
    let mut ws = connect(&server).await;
    let mut frame = enter_frame(&server, 0, "alice", 30);
    frame["resumeKey"] = json!("c2hvcnQ=");
    send(&mut ws, frame).await;
    let refused = answer(&mut ws).await;
    assert_eq!(refused["error"]["code"], -3301, "{refused}");
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("32 bytes, not 5"));
    assert!(members(&server, 30).await.is_empty());
    server.close().await;
}

/// Enter room `room` as `user` with a UserSig issued `age` seconds ago for `expire` seconds,
/// and with `resume_key` when given; the connection and the resume token.
async fn enter_with(
    server: &RunningServer,
    user: &str,
    room: u32,
    age: u64,
    expire: u64,
    resume_key: Option<&str>,
) -> (Ws, String) {
    let config = server.config();
    let issued = openroom_server::unix_now() - age;
    let sig = openroom_protocol::usersig::gen_user_sig(
        config.sdk_app_id.into(),
        &config.secret_key,
        user,
        expire,
        issued,
    );
    let mut ws = connect(server).await;
    let mut frame = enter_frame(server, 0, user, room);
    frame["userSig"] = json!(sig);
    if let Some(key) = resume_key {
        frame["resumeKey"] = json!(key);
    }
    send(&mut ws, frame).await;
    let entered = answer(&mut ws).await;
    let token = entered["ok"]["resumeToken"].as_str().unwrap().to_owned();
    (ws, token)
}

/// The next `memberLeft` event `ws` gets: who left, and why.
async fn next_departure(ws: &mut Ws) -> (String, u64) {
    loop {
        let frame = next(ws).await;
        if frame["event"]["type"] == "memberLeft" {
            let who = frame["event"]["userId"].as_str().unwrap().to_owned();
            return (who, frame["event"]["reason"].as_u64().unwrap());
        }
    }
}

#[tokio::test]
async fn a_usersig_that_expired_while_away_ends_the_session_at_resume() {
    let server = server().await;
    let (pair, resume_key) = resume_key_pair();
    // Alice's client signs its resumes; carol's (an older one) does not. Both UserSigs lapse
    // two seconds from now.
    let (alice, alice_token) = enter_with(&server, "alice", 31, 58, 60, Some(&resume_key)).await;
    let (carol, carol_token) = enter_with(&server, "carol", 31, 58, 60, None).await;
    let (mut bob, _) = enter(&server, "bob", 31).await;
    drop((alice, carol));
    let lapsed = openroom_server::unix_now() + 2;
    while openroom_server::unix_now() <= lapsed {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let resumes = [
        signed_resume(&pair, &alice_token, 0, 1),
        json!({"id": 1, "type": "resume", "token": carol_token, "lastSeq": 0}),
    ];
    for frame in resumes {
        let mut ws = connect(&server).await;
        send(&mut ws, frame).await;
        let refused = answer(&mut ws).await;
        assert_eq!(refused["error"]["code"], -3320, "{refused}");
        assert!(refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired at"));
    }
    // Bob sees both leave as lost connections, and the sessions are gone for good.
    let mut gone = vec![
        next_departure(&mut bob).await,
        next_departure(&mut bob).await,
    ];
    gone.sort();
    let lost = LeaveReason::ConnectionLost as u64;
    assert_eq!(gone, [("alice".into(), lost), ("carol".into(), lost)]);
    let mut again = connect(&server).await;
    send(&mut again, signed_resume(&pair, &alice_token, 0, 2)).await;
    assert_eq!(answer(&mut again).await["error"]["code"], -7003);
    server.close().await;
}

#[tokio::test]
async fn a_resume_cannot_move_a_session_to_a_room_it_was_not_admitted_to() {
    let server = server().await;
    let (first, token) = enter(&server, "alice", 40).await;
    let (mut bob, _) = enter(&server, "bob", 40).await;
    drop(first);
    let (_second, refused) = resume(&server, &token, 0, 41).await;
    assert_eq!(refused["error"]["code"], -3301, "{refused}");
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("neither in nor switched from"));
    assert_eq!(
        next_departure(&mut bob).await,
        ("alice".into(), LeaveReason::ConnectionLost as u64)
    );
    assert!(members(&server, 41).await.is_empty());
    server.close().await;
}

#[tokio::test]
async fn a_session_entered_again_by_its_resume_still_needs_the_proof() {
    let server = server().await;
    let (pair, resume_key) = resume_key_pair();
    let (first, token) = enter_with(&server, "alice", 42, 0, 600, Some(&resume_key)).await;
    drop(first);
    // A lastSeq the replay buffer cannot serve: the server enters her again, new token.
    let mut second = connect(&server).await;
    send(&mut second, signed_resume(&pair, &token, 12345, 1)).await;
    let entered = answer(&mut second).await;
    assert_eq!(entered["ok"]["type"], "entered", "{entered}");
    let new_token = entered["ok"]["resumeToken"].as_str().unwrap().to_owned();
    assert_ne!(new_token, token);
    drop(second);
    let (_third, refused) = resume(&server, &new_token, 0, 42).await;
    assert_eq!(refused["error"]["code"], -7012, "{refused}");
    // Signed, it resumes (counters start afresh for the new token).
    let mut fourth = connect(&server).await;
    send(&mut fourth, signed_resume(&pair, &new_token, 0, 1)).await;
    assert_eq!(answer(&mut fourth).await["ok"]["type"], "resumed");
    server.close().await;
}
