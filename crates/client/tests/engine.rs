//! The client engine against a real room server on loopback: every event sequence of
//! issue #2, as each member sees it.

use std::time::Duration;

mod common;

use common::{barrier, entered, exit, left, now, params, uid, Recorder as Member};
use openroom_client::{
    ClientConfig, ConnectionState, EngineError, Event, ReconnectPolicy, StateChangeReason,
};
use openroom_protocol::usersig::gen_user_sig;
use openroom_protocol::{ExitReason, LeaveReason, RoomId};
use openroom_server::{RunningServer, ServerConfig};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::time::timeout;

/// Longest any single event may take to arrive on loopback before the test fails.
const EVENT_WAIT: Duration = Duration::from_secs(5);

/// A TCP server that accepts connections and never answers: the WebSocket handshake hangs.
/// Abort the handle to stop it.
async fn silent_server() -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (addr, hold)
}

fn member(url: &str) -> Member {
    with_config(ClientConfig {
        server_url: url.to_owned(),
        ..ClientConfig::default()
    })
}

fn with_config(config: ClientConfig) -> Member {
    Member::new(config, EVENT_WAIT)
}

async fn server() -> RunningServer {
    openroom_server::start(ServerConfig::dev_ephemeral())
        .await
        .unwrap()
}

#[tokio::test]
async fn exit_announces_the_departure_before_on_exit_room() {
    let server = server().await;
    let url = server.url();
    let (mut alice, mut bob, mut carol) = (member(&url), member(&url), member(&url));
    alice.enter(&params(server.config(), "alice", 7), 0).await;
    bob.enter(&params(server.config(), "bob", 7), 0).await;
    assert_eq!(bob.next().await, entered("alice"));
    assert_eq!(alice.next().await, entered("bob"));
    carol.enter(&params(server.config(), "carol", 7), 0).await;
    // The newcomer learns of those present in the order they entered.
    assert_eq!(carol.next().await, entered("alice"));
    assert_eq!(carol.next().await, entered("bob"));
    assert_eq!(alice.next().await, entered("carol"));
    assert_eq!(bob.next().await, entered("carol"));

    assert!(bob.engine.exit_room().running);
    assert_eq!(bob.next().await, exit(ExitReason::Exited));
    assert_eq!(bob.next().await, Event::SessionClosed);
    assert_eq!(alice.next().await, left("bob", LeaveReason::Exited));
    assert_eq!(carol.next().await, left("bob", LeaveReason::Exited));
    // A second exit is harmless: nothing is running, nothing is emitted.
    assert!(!bob.engine.exit_room().running);
    barrier(
        &url,
        &params(server.config(), "probe", 7),
        &mut [&mut alice, &mut carol],
    )
    .await;
    bob.assert_nothing_pending();
    server.close().await;
}

#[tokio::test]
async fn removal_and_dismissal_end_sessions_with_their_reasons() {
    let server = server().await;
    let url = server.url();
    let (mut alice, mut bob, mut carol) = (member(&url), member(&url), member(&url));
    for (member, name) in [
        (&mut alice, "alice"),
        (&mut bob, "bob"),
        (&mut carol, "carol"),
    ] {
        member.enter(&params(server.config(), name, 9), 0).await;
    }
    // Drain the arrival events: alice sees bob and carol, bob sees alice and carol, carol sees both.
    for member in [&mut alice, &mut bob, &mut carol] {
        member.next().await;
        member.next().await;
    }
    let room = server
        .rooms()
        .get(&RoomId::RoomId(9))
        .expect("room 9 is open");
    room.remove(vec![uid("bob")]).await.unwrap();
    assert_eq!(bob.next().await, exit(ExitReason::Removed));
    assert_eq!(bob.next().await, Event::SessionClosed);
    assert_eq!(alice.next().await, left("bob", LeaveReason::Removed));
    assert_eq!(carol.next().await, left("bob", LeaveReason::Removed));

    room.dismiss().await.unwrap();
    assert_eq!(alice.next().await, exit(ExitReason::Dismissed));
    assert_eq!(carol.next().await, exit(ExitReason::Dismissed));
    assert_eq!(alice.next().await, Event::SessionClosed);
    assert!(
        server.rooms().get(&RoomId::RoomId(9)).is_none(),
        "a dismissed room is gone"
    );
    // After a forced exit the instance can enter again.
    alice.enter(&params(server.config(), "alice", 9), 0).await;
    alice.engine.exit_room();
    assert_eq!(alice.next().await, exit(ExitReason::Exited));
    server.close().await;
}

#[tokio::test]
async fn bad_params_fail_with_their_codes_asynchronously() {
    let server = server().await;
    let mut alice = member(&server.url());
    let mut bad = params(server.config(), "alice", 1);
    bad["roomId"] = json!(0);
    alice.start_enter(&bad, 0).unwrap();
    assert!(matches!(
        alice.next().await,
        Event::EnterRoom { result: -3318, .. }
    ));
    assert!(matches!(
        alice.next().await,
        Event::Error { code: -3318, .. }
    ));
    assert_eq!(alice.next().await, Event::SessionClosed);

    let forged = json!({"sdkAppId": server.config().sdk_app_id, "userId": "alice",
                        "userSig": gen_user_sig(server.config().sdk_app_id.into(), "wrong", "alice", 60, now()),
                        "roomId": 1});
    alice.start_enter(&forged, 0).unwrap();
    match alice.next().await {
        Event::EnterRoom {
            result: -3320,
            message,
        } => assert!(message.contains("signature"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        alice.next().await,
        Event::Error { code: -3320, .. }
    ));

    let mut wrong_app = params(server.config(), "alice", 1);
    wrong_app["sdkAppId"] = json!(42);
    assert_eq!(alice.next().await, Event::SessionClosed); // of the previous attempt
    alice.start_enter(&wrong_app, 0).unwrap();
    assert!(matches!(
        alice.next().await,
        Event::EnterRoom { result: -3317, .. }
    ));
    assert_eq!(server.rooms().len(), 0, "failed enters open no room");
    server.close().await;
}

#[tokio::test]
async fn a_second_enter_is_refused_and_a_second_login_replaces_the_first() {
    let server = server().await;
    let url = server.url();
    let (mut alice, mut bob) = (member(&url), member(&url));
    alice.enter(&params(server.config(), "alice", 3), 0).await;
    let refused = alice
        .start_enter(&params(server.config(), "alice", 4), 0)
        .unwrap_err();
    assert!(
        matches!(refused, EngineError::Busy(ref s) if s.contains("roomId 3")),
        "{refused}"
    );
    bob.enter(&params(server.config(), "bob", 3), 0).await;
    assert_eq!(bob.next().await, entered("alice"));
    assert_eq!(alice.next().await, entered("bob"));
    // Same user from another instance while present: the newer login wins; the older one
    // gets onExitRoom(3) and bob sees nothing.
    let mut alice_again = member(&url);
    alice_again
        .enter(&params(server.config(), "alice", 3), 0)
        .await;
    assert_eq!(alice_again.next().await, entered("bob"));
    assert_eq!(alice.next().await, exit(ExitReason::Replaced));
    assert_eq!(alice.next().await, Event::SessionClosed);
    // Bob saw neither the old login leave nor the new one arrive.
    barrier(&url, &params(server.config(), "probe", 3), &mut [&mut bob]).await;
    server.close().await;
}

#[tokio::test]
async fn unreachable_server_fails_with_3301_and_a_cause() {
    // A port nothing listens on: bind one, then free it.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut alice = member(&format!("ws://127.0.0.1:{port}"));
    alice
        .start_enter(
            &json!({"sdkAppId": 1, "userId": "a", "userSig": "s", "roomId": 1}),
            0,
        )
        .unwrap();
    match alice.next().await {
        Event::EnterRoom {
            result: -3301,
            message,
        } => assert!(message.contains("cannot connect"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_silent_server_times_out_enter_with_3308() {
    let (addr, hold) = silent_server().await;
    let mut alice = with_config(ClientConfig {
        server_url: format!("ws://{addr}"),
        enter_timeout: Duration::from_millis(300),
        ..ClientConfig::default()
    });
    alice
        .start_enter(
            &json!({"sdkAppId": 1, "userId": "a", "userSig": "s", "roomId": 1}),
            0,
        )
        .unwrap();
    assert!(matches!(
        alice.next().await,
        Event::EnterRoom { result: -3308, .. }
    ));
    assert!(matches!(
        alice.next().await,
        Event::Error { code: -3308, .. }
    ));
    hold.abort();
}

#[tokio::test]
async fn exit_completes_locally_when_the_server_is_gone() {
    let server = server().await;
    let mut alice = with_config(ClientConfig {
        server_url: server.url(),
        exit_timeout: Duration::from_millis(300),
        ..ClientConfig::default()
    });
    alice.enter(&params(server.config(), "alice", 5), 0).await;
    server.close().await;
    assert!(matches!(alice.next().await, Event::ConnectionLost { .. }));
    // Reconnecting (to a server that is gone): exitRoom() ends it at once.
    assert_eq!(alice.next().await, Event::TryToReconnect { attempt: 1 });
    assert!(alice.engine.exit_room().running);
    loop {
        match alice.next().await {
            Event::TryToReconnect { .. } => continue,
            event => {
                assert_eq!(event, exit(ExitReason::Exited));
                break;
            }
        }
    }
    assert_eq!(alice.next().await, Event::SessionClosed);
    assert_eq!(
        alice.engine.connection_state(),
        ConnectionState::Disconnected
    );
    assert_eq!(
        alice.states,
        [
            (ConnectionState::Connecting, StateChangeReason::EnterRoom),
            (ConnectionState::Connected, StateChangeReason::Entered),
            (
                ConnectionState::Reconnecting,
                StateChangeReason::ConnectionLost
            ),
            (ConnectionState::Disconnected, StateChangeReason::Exited),
        ]
    );
}

#[tokio::test]
async fn exit_while_entering_cancels_and_still_ends_with_on_exit_room() {
    let (addr, hold) = silent_server().await;
    let mut alice = member(&format!("ws://{addr}"));
    alice
        .start_enter(
            &json!({"sdkAppId": 1, "userId": "a", "userSig": "s", "roomId": 1}),
            0,
        )
        .unwrap();
    assert!(alice.engine.exit_room().running);
    match alice.next().await {
        Event::EnterRoom {
            result: -3301,
            message,
        } => assert!(message.contains("cancelled"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(alice.next().await, exit(ExitReason::Exited));
    assert_eq!(alice.next().await, Event::SessionClosed);
    hold.abort();
}

#[tokio::test]
async fn numeric_and_string_rooms_are_separate() {
    let server = server().await;
    let url = server.url();
    let (mut alice, mut bob) = (member(&url), member(&url));
    alice.enter(&params(server.config(), "alice", 123), 0).await;
    let mut by_string = params(server.config(), "bob", 1);
    by_string["roomId"] = json!(0);
    by_string["strRoomId"] = json!("123");
    bob.enter(&by_string, 0).await;
    // Neither meets the other: each room's probe is the first the member hears of.
    barrier(
        &url,
        &params(server.config(), "probe", 123),
        &mut [&mut alice],
    )
    .await;
    let mut probe_by_string = params(server.config(), "probe", 1);
    probe_by_string["roomId"] = json!(0);
    probe_by_string["strRoomId"] = json!("123");
    barrier(&url, &probe_by_string, &mut [&mut bob]).await;
    assert_eq!(server.rooms().len(), 2);
    server.close().await;
}

#[tokio::test]
async fn destroy_exits_and_refuses_later_enters() {
    let server = server().await;
    let url = server.url();
    let (mut alice, mut bob) = (member(&url), member(&url));
    alice.enter(&params(server.config(), "alice", 11), 0).await;
    bob.enter(&params(server.config(), "bob", 11), 0).await;
    bob.next().await;
    assert!(alice.engine.destroy().running);
    assert_eq!(alice.next().await, entered("bob"));
    assert_eq!(alice.next().await, exit(ExitReason::Exited));
    assert_eq!(bob.next().await, left("alice", LeaveReason::Exited));
    assert_eq!(
        alice.start_enter(&params(server.config(), "alice", 11), 0),
        Err(EngineError::Destroyed)
    );
    server.close().await;
}

/// A scripted server: accepts one WebSocket, answers the enter with `Entered`, then sends
/// `frames` as text and reports whether the client hung up afterwards.
async fn scripted_server(frames: Vec<&'static str>) -> (String, tokio::task::JoinHandle<bool>) {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    let script = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        let Some(Ok(Message::Text(enter))) = ws.next().await else {
            panic!("no enter request")
        };
        let id = serde_json::from_str::<Value>(enter.as_str()).unwrap()["id"].clone();
        let entered = json!({"type": "response", "id": id,
                             "result": {"ok": {"type": "entered", "members": []}}});
        ws.send(Message::text(entered.to_string())).await.unwrap();
        for frame in frames {
            ws.send(Message::text(frame)).await.unwrap();
        }
        // Did the client hang up (close frame or EOF) rather than keep the socket open?
        loop {
            match timeout(EVENT_WAIT, ws.next()).await {
                Err(_) => return false,
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => continue,
            }
        }
    });
    (url, script)
}

/// A member of a scripted server, which never acknowledges an exit (a short exit timeout)
/// and serves one connection only (no reconnecting).
fn scripted_member(url: &str) -> Member {
    with_config(ClientConfig {
        server_url: url.to_owned(),
        exit_timeout: Duration::from_millis(100),
        reconnect: ReconnectPolicy {
            attempts: 0,
            ..ReconnectPolicy::default()
        },
        ..ClientConfig::default()
    })
}

fn any_params() -> Value {
    json!({"sdkAppId": 1, "userId": "a", "userSig": "s", "roomId": 1})
}

#[tokio::test]
async fn frames_of_a_newer_server_are_skipped_not_fatal() {
    let (url, script) = scripted_server(vec![
        r#"{"type":"heartbeat","interval":5}"#,
        r#"{"type":"event","seq":1,"event":{"type":"somethingNew"}}"#,
        r#"{"type":"event","seq":2,"event":{"type":"memberEntered","userId":"bob"}}"#,
    ])
    .await;
    let mut alice = scripted_member(&url);
    alice.start_enter(&any_params(), 0).unwrap();
    assert!(matches!(alice.next().await, Event::EnterRoom { result, .. } if result > 0));
    assert_eq!(alice.next().await, entered("bob"));
    alice.engine.exit_room();
    assert_eq!(alice.next().await, exit(ExitReason::Exited));
    assert!(script.await.unwrap());
}

/// A frame the client cannot read (a broken or newer server) is reported as
/// onWarning(7108) and skipped: the session carries on, with no reconnect.
#[tokio::test]
async fn an_unreadable_frame_is_a_warning_and_the_session_carries_on() {
    let (url, script) = scripted_server(vec![
        "this is not json",
        r#"{"type":"event","seq":1,"event":{"type":"memberLeft","userId":"bob","reason":"gone"}}"#,
        r#"{"type":"response","id":77,"result":{"ok":{"type":"somethingNew"}}}"#,
        r#"{"type":"event","seq":2,"event":{"type":"memberEntered","userId":"bob"}}"#,
    ])
    .await;
    let mut alice = scripted_member(&url);
    alice.start_enter(&any_params(), 0).unwrap();
    assert!(matches!(alice.next().await, Event::EnterRoom { result, .. } if result > 0));
    for shown in ["this is not json", "memberLeft"] {
        match alice.next().await {
            Event::Warning {
                code: 7108,
                message,
            } => {
                assert!(message.contains(shown), "{message}")
            }
            other => panic!("expected onWarning(7108), got {other:?}"),
        }
    }
    // An answer of a kind this build does not know is skipped quietly; the next event arrives.
    assert_eq!(alice.next().await, entered("bob"));
    alice.engine.exit_room();
    assert_eq!(alice.next().await, exit(ExitReason::Exited));
    assert_eq!(alice.next().await, Event::SessionClosed);
    assert!(script.await.unwrap(), "the client closed the connection");
    assert!(
        !alice
            .states
            .iter()
            .any(|(state, _)| *state == ConnectionState::Reconnecting),
        "{:?}",
        alice.states
    );
}

/// Custom messages are answered only when refused: such an answer reaches the app as
/// onWarning with the server's code and message.
#[tokio::test]
async fn a_refusal_nobody_waits_for_is_a_warning() {
    let (url, _script) = scripted_server(vec![
        r#"{"type":"response","id":99,"result":{"error":{"code":7104,"message":"at most 30 custom messages per second"}}}"#,
    ])
    .await;
    let mut alice = scripted_member(&url);
    alice.start_enter(&any_params(), 0).unwrap();
    assert!(matches!(alice.next().await, Event::EnterRoom { .. }));
    assert_eq!(
        alice.next().await,
        Event::Warning {
            code: 7104,
            message: "at most 30 custom messages per second".into()
        }
    );
    alice.engine.exit_room();
    assert_eq!(alice.next().await, exit(ExitReason::Exited));
}

#[tokio::test]
async fn sequence_numbers_wrap_without_a_panic() {
    let (url, _script) = scripted_server(vec![
        r#"{"type":"event","seq":18446744073709551615,"event":{"type":"memberEntered","userId":"bob"}}"#,
        r#"{"type":"event","seq":0,"event":{"type":"memberLeft","userId":"bob","reason":0}}"#,
    ])
    .await;
    let mut alice = scripted_member(&url);
    alice.start_enter(&any_params(), 0).unwrap();
    assert!(matches!(alice.next().await, Event::EnterRoom { .. }));
    assert_eq!(alice.next().await, entered("bob"));
    assert_eq!(alice.next().await, left("bob", LeaveReason::Exited));
    alice.engine.exit_room();
    assert_eq!(alice.next().await, exit(ExitReason::Exited));
}

fn switch_event(code: i32) -> Event {
    Event::SwitchRoom {
        code,
        message: String::new(),
    }
}

#[tokio::test]
async fn switch_room_moves_a_member_and_everyone_sees_exactly_that() {
    let server = server().await;
    let url = server.url();
    let (mut alice, mut bob, mut carol) = (member(&url), member(&url), member(&url));
    alice.enter(&params(server.config(), "alice", 21), 0).await;
    bob.enter(&params(server.config(), "bob", 21), 0).await;
    assert_eq!(bob.next().await, entered("alice"));
    assert_eq!(alice.next().await, entered("bob"));
    carol.enter(&params(server.config(), "carol", 22), 0).await;

    // No userSig given: the one from enterRoom is used.
    alice.engine.switch_room(&json!({"roomId": 22})).unwrap();
    assert_eq!(alice.next().await, switch_event(0));
    assert_eq!(alice.next().await, left("bob", LeaveReason::Exited));
    assert_eq!(alice.next().await, entered("carol"));
    assert_eq!(bob.next().await, left("alice", LeaveReason::Exited));
    assert_eq!(carol.next().await, entered("alice"));
    // Now in room 22: carol's exit reaches alice; bob's room is no longer hers.
    carol.engine.exit_room();
    assert_eq!(alice.next().await, left("carol", LeaveReason::Exited));
    bob.engine.exit_room();
    barrier(
        &url,
        &params(server.config(), "probe", 22),
        &mut [&mut alice],
    )
    .await;
    server.close().await;
}

#[tokio::test]
async fn a_failed_switch_leaves_the_member_in_its_old_room() {
    let server = openroom_server::start(ServerConfig {
        limits: openroom_server::RoomLimits {
            max_members_per_room: 1,
            ..Default::default()
        },
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap();
    let url = server.url();
    let (mut alice, mut carol) = (member(&url), member(&url));
    alice.enter(&params(server.config(), "alice", 31), 0).await;
    carol.enter(&params(server.config(), "carol", 32), 0).await;

    // Full (room 32 holds 1), bad UserSig, same room, bad room id: each refused.
    alice.engine.switch_room(&json!({"roomId": 32})).unwrap();
    assert!(matches!(
        alice.next().await,
        Event::SwitchRoom { code: -7001, .. }
    ));
    let forged = gen_user_sig(
        server.config().sdk_app_id.into(),
        "wrong",
        "alice",
        60,
        now(),
    );
    alice
        .engine
        .switch_room(&json!({"roomId": 33, "userSig": forged}))
        .unwrap();
    assert!(matches!(
        alice.next().await,
        Event::SwitchRoom { code: -3320, .. }
    ));
    alice.engine.switch_room(&json!({"roomId": 31})).unwrap();
    match alice.next().await {
        Event::SwitchRoom {
            code: -3301,
            message,
        } => assert!(message.contains("already in"), "{message}"),
        other => panic!("{other:?}"),
    }
    alice.engine.switch_room(&json!({"roomId": "x"})).unwrap();
    assert!(matches!(
        alice.next().await,
        Event::SwitchRoom { code: -3318, .. }
    ));
    // Carol, alone in room 32, never saw alice arrive: the next she hears is her own exit.
    carol.engine.exit_room();
    assert_eq!(carol.next().await, exit(ExitReason::Exited));
    // Still in room 31: a newcomer there meets her.
    let mut bob = member(&url);
    let server_with_room = server.rooms().get(&RoomId::RoomId(31)).unwrap();
    assert_eq!(
        server_with_room.describe().await.unwrap().user_ids(),
        vec![uid("alice")]
    );
    // Not in a room: refused at once.
    assert!(matches!(
        bob.engine.switch_room(&json!({"roomId": 31})),
        Err(EngineError::NotInRoom(_))
    ));
    bob.assert_nothing_pending();
    server.close().await;
}

/// A second switchRoom asked for while the first is on the wire waits its turn; both settle
/// in call order. The scripted server proves the first request was sent (so the session was
/// switching) before the second call is made.
#[tokio::test]
async fn a_switch_asked_for_during_another_waits_its_turn() {
    use futures_util::{SinkExt, StreamExt};
    use tokio::sync::oneshot;
    use tokio_tungstenite::tungstenite::Message;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    let (first_sent, first_arrived) = oneshot::channel::<()>();
    let (go, proceed) = oneshot::channel::<()>();
    let script = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        let reply = |id: &Value, ok: Value| {
            Message::text(json!({"type": "response", "id": id, "result": {"ok": ok}}).to_string())
        };
        let mut first_sent = Some(first_sent);
        let mut proceed = Some(proceed);
        let mut answered = 0;
        while answered < 3 {
            let Some(Ok(Message::Text(text))) = ws.next().await else {
                continue;
            };
            let request = serde_json::from_str::<Value>(text.as_str()).unwrap();
            let id = &request["id"];
            if answered == 0 {
                let entered = json!({"type": "entered", "members": []});
                ws.send(reply(id, entered)).await.unwrap();
            } else {
                if let (Some(sent), Some(proceed)) = (first_sent.take(), proceed.take()) {
                    sent.send(()).unwrap();
                    proceed.await.unwrap();
                }
                let switched = json!({"type": "switched", "members": []});
                ws.send(reply(id, switched)).await.unwrap();
            }
            answered += 1;
        }
        // Stay connected until the client hangs up (it exits without an acknowledgement).
        while let Some(Ok(message)) = ws.next().await {
            if message.is_close() {
                break;
            }
        }
    });

    let mut alice = scripted_member(&url);
    alice.enter(&any_params(), 0).await;
    alice.engine.switch_room(&json!({"roomId": 2})).unwrap();
    timeout(EVENT_WAIT, first_arrived).await.unwrap().unwrap();
    // The first switch is under way: the second is queued, not refused.
    alice.engine.switch_room(&json!({"roomId": 3})).unwrap();
    go.send(()).unwrap();
    assert_eq!(alice.next().await, switch_event(0));
    assert_eq!(alice.next().await, switch_event(0));
    alice.engine.exit_room();
    assert_eq!(alice.next().await, exit(ExitReason::Exited));
    timeout(EVENT_WAIT, script).await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_shutdown_every_member_hears_server_shutting_down() {
    for round in 0..10u32 {
        let server = server().await;
        let url = server.url();
        let mut members = Vec::new();
        for i in 0..5 {
            let mut member = member(&url);
            member
                .enter(&params(server.config(), &format!("m{i}"), 40 + round), 0)
                .await;
            members.push(member);
        }
        server.close().await;
        for member in &mut members {
            // Drain arrivals, then the loss must say why: the server is shutting down (1001).
            loop {
                match member.next().await {
                    Event::RemoteUserEnterRoom { .. } => continue,
                    Event::ConnectionLost { message } => {
                        assert!(message.contains("1001"), "round {round}: {message}");
                        break;
                    }
                    other => panic!("round {round}: {other:?}"),
                }
            }
        }
    }
}

/// `createIfMissing: false` (ZIM's isCreateWhenRoomNotExisted): switching to a room that does
/// not exist fails with -7005 and leaves the member in its old room; an existing room is fine.
#[tokio::test]
async fn a_switch_that_may_not_create_fails_on_a_missing_room() {
    let server = server().await;
    let url = server.url();
    let (mut alice, mut bob) = (member(&url), member(&url));
    alice.enter(&params(server.config(), "alice", 50), 0).await;
    bob.enter(&params(server.config(), "bob", 50), 0).await;
    assert_eq!(alice.next().await, entered("bob"));
    assert_eq!(bob.next().await, entered("alice"));

    alice
        .engine
        .switch_room(&json!({"roomId": 51, "createIfMissing": false}))
        .unwrap();
    match alice.next().await {
        Event::SwitchRoom {
            code: -7005,
            message,
        } => {
            assert!(message.contains("roomId 51 does not exist"), "{message}")
        }
        other => panic!("expected onSwitchRoom(-7005), got {other:?}"),
    }
    assert!(server.rooms().get(&RoomId::RoomId(51)).is_none());
    // Still in room 50: bob's exit reaches her, and bob saw nothing before it.
    bob.engine.exit_room();
    assert_eq!(alice.next().await, left("bob", LeaveReason::Exited));
    assert_eq!(bob.next().await, exit(ExitReason::Exited));
    // Room 52 exists (carol is in it): the same switch succeeds.
    let mut carol = member(&url);
    carol.enter(&params(server.config(), "carol", 52), 0).await;
    alice
        .engine
        .switch_room(&json!({"roomId": 52, "createIfMissing": false}))
        .unwrap();
    assert_eq!(alice.next().await, switch_event(0));
    assert_eq!(alice.next().await, entered("carol"));
    server.close().await;
}

/// A server that opens rooms only through CreateRoom: entering a missing room fails with
/// -7005 and opens nothing; once created, the room takes members.
#[tokio::test]
async fn a_server_without_auto_create_opens_only_created_rooms() {
    let server = openroom_server::start(ServerConfig {
        limits: openroom_server::RoomLimits {
            auto_create: false,
            ..Default::default()
        },
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap();
    let mut alice = member(&server.url());
    alice
        .start_enter(&params(server.config(), "alice", 60), 0)
        .unwrap();
    assert!(matches!(
        alice.next().await,
        Event::EnterRoom { result: -7005, .. }
    ));
    match alice.next().await {
        Event::Error {
            code: -7005,
            message,
        } => {
            assert!(
                message.contains("only through REST CreateRoom"),
                "{message}"
            )
        }
        other => panic!("expected onError(-7005), got {other:?}"),
    }
    assert_eq!(server.rooms().len(), 0);
    let id = RoomId::RoomId(60);
    let settings = openroom_server::testing::RoomSettings::opened_by_enter(server.rooms().limits());
    server.rooms().create(&id, settings).unwrap();
    assert_eq!(alice.next().await, Event::SessionClosed);
    alice.enter(&params(server.config(), "alice", 60), 0).await;
    server.close().await;
}
