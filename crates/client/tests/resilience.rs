//! Liveness and reconnection through a fault-injecting proxy (`openroom-testkit`) on loopback:
//! a peer that vanishes without closing its socket is noticed by both sides within the session
//! timeout; a blip is invisible to the other members and loses no event; a longer loss ends in
//! entering again with the member difference reported; a restarted server is re-entered; a
//! removal during the outage ends the room with its reason; and giving up is clean.

use std::time::Duration;

mod common;

use common::{entered, left, params, uid, Recorder as Member};
use openroom_client::{
    ClientConfig, ConnectionState, Engine, Event, ReconnectPolicy, StateChangeReason,
};
use openroom_protocol::{ExitReason, LeaveReason, RoomId};
use openroom_server::{RunningServer, ServerConfig};
use openroom_testkit::{Fault, FaultProxy};
use serde_json::json;
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio::time::{timeout, Instant};

/// Short, so the liveness tests are quick; the client pings every third of it.
const SESSION_TIMEOUT: Duration = Duration::from_millis(400);
/// Long enough that a blip's reconnection surely lands within it, even on a loaded machine.
const PATIENT_TIMEOUT: Duration = Duration::from_secs(3);
const EVENT_WAIT: Duration = Duration::from_secs(5);

/// Quick reconnection for tests: attempts every 20–100 ms, each bounded by 300 ms.
fn quick(url: &str, attempts: u32) -> ClientConfig {
    ClientConfig {
        server_url: url.to_owned(),
        enter_timeout: Duration::from_millis(300),
        exit_timeout: Duration::from_millis(200),
        reconnect: ReconnectPolicy {
            attempts,
            interval: Duration::from_millis(20),
            max_interval: Duration::from_millis(100),
        },
        tls_ca: None,
    }
}

async fn enter(server: &RunningServer, config: ClientConfig, user: &str, room: u32) -> Member {
    enter_signed(server.config(), config, user, room).await
}

async fn enter_signed(
    server: &ServerConfig,
    config: ClientConfig,
    user: &str,
    room: u32,
) -> Member {
    enter_on(Engine::new(config, Handle::current()), server, user, room).await
}

/// Enter with an engine made elsewhere (a sub-engine, say).
async fn enter_on(engine: Engine, server: &ServerConfig, user: &str, room: u32) -> Member {
    let mut member = Member::with_engine(engine, EVENT_WAIT);
    member.enter(&params(server, user, room), 0).await;
    member
}

async fn server_with(session_timeout: Duration) -> RunningServer {
    openroom_server::start(ServerConfig {
        session_timeout,
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap()
}

/// Proves every earlier event reached `members`: a probe enters and each sees it, then it
/// leaves and each sees that.
async fn barrier(server: &RunningServer, room: u32, members: &mut [&mut Member]) {
    common::barrier(
        &server.url(),
        &params(server.config(), "probe", room),
        members,
    )
    .await;
}

#[tokio::test]
async fn a_vanished_peer_is_noticed_by_both_sides_within_the_timeout() {
    let server = server_with(SESSION_TIMEOUT).await;
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    // Reconnecting off: this test is about noticing.
    let mut alice = enter(&server, quick(&proxy.url(), 0), "alice", 1).await;
    let mut bob = enter(&server, quick(&server.url(), 0), "bob", 1).await;
    assert_eq!(bob.next().await, entered("alice"));
    assert_eq!(alice.next().await, entered("bob"));

    // Alice's link goes silent both ways, with no close and no reset.
    proxy.set(Fault::Blackhole);
    let cut = Instant::now();
    match alice.next().await {
        Event::ConnectionLost { message } => assert!(message.contains("no answer"), "{message}"),
        other => panic!("expected onConnectionLost, got {other:?}"),
    }
    let client_noticed = cut.elapsed();
    // The server dropped her session; bob sees her leave with TRTC's reason 1 (timed out).
    assert_eq!(bob.next().await, left("alice", LeaveReason::ConnectionLost));
    let server_noticed = cut.elapsed();
    // Within the timeout plus one ping interval of slack, on either side.
    let limit = SESSION_TIMEOUT + SESSION_TIMEOUT / 2;
    assert!(client_noticed <= limit, "client took {client_noticed:?}");
    assert!(
        server_noticed <= limit + SESSION_TIMEOUT,
        "server took {server_noticed:?}"
    );
    // Reconnecting is off: the room ends, saying why.
    assert!(matches!(
        alice.next().await,
        Event::Error { code: -7004, .. }
    ));
    assert_eq!(
        alice.next().await,
        Event::ExitRoom {
            reason: ExitReason::Exited
        }
    );

    // The app can enter again over a working link.
    proxy.set(Fault::Pass);
    drop(alice);
    let mut again = enter(&server, quick(&proxy.url(), 0), "alice", 1).await;
    assert_eq!(again.next().await, entered("bob"));
    server.close().await;
}

#[tokio::test]
async fn heartbeats_keep_a_quiet_session_alive() {
    let server = server_with(SESSION_TIMEOUT).await;
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    let mut alice = enter(&server, quick(&proxy.url(), 0), "alice", 2).await;
    let mut bob = enter(&server, quick(&server.url(), 0), "bob", 2).await;
    bob.next().await; // alice, already present
    alice.next().await; // bob entered

    // Nobody says anything for five session timeouts; only pings cross the proxy. (Waiting is
    // the point: the test is that nothing happens.)
    tokio::time::sleep(SESSION_TIMEOUT * 5).await;
    alice.assert_nothing_pending();
    bob.assert_nothing_pending();
    // Both are still members: bob's exit reaches alice as a normal departure.
    bob.engine.exit_room();
    assert_eq!(alice.next().await, left("bob", LeaveReason::Exited));
    server.close().await;
}

/// A connection that dies silently and comes back before the server's timeout: the session
/// resumes. The event the server sent into the void is replayed, the one produced while the
/// client was away is delivered, each once and in order, and the others see nothing.
#[tokio::test]
async fn a_blip_is_invisible_to_the_others_and_loses_no_event() {
    let server = server_with(PATIENT_TIMEOUT).await;
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    let url = server.url();
    let mut alice = enter(&server, quick(&proxy.url(), 200), "alice", 3).await;
    let mut bob = enter(&server, quick(&url, 0), "bob", 3).await;
    let mut carol = enter(&server, quick(&url, 0), "carol", 3).await;
    for (member, others) in [
        (&mut alice, ["bob", "carol"]),
        (&mut bob, ["alice", "carol"]),
    ] {
        for other in others {
            assert_eq!(member.next().await, entered(other));
        }
    }
    assert_eq!(carol.next().await, entered("alice"));
    assert_eq!(carol.next().await, entered("bob"));

    proxy.set(Fault::Blackhole);
    // Sent to alice's socket, swallowed by the link: only the replay buffer can deliver it.
    carol.engine.exit_room();
    assert_eq!(bob.next().await, left("carol", LeaveReason::Exited));
    assert!(matches!(alice.next().await, Event::ConnectionLost { .. }));
    // The state change came first, so the app finds RECONNECTING when it hears of the loss.
    assert_eq!(
        alice.states.last(),
        Some(&(
            ConnectionState::Reconnecting,
            StateChangeReason::ConnectionLost
        ))
    );
    // Produced while alice has no connection at all.
    let mut dave = enter(&server, quick(&url, 0), "dave", 3).await;
    assert_eq!(bob.next().await, entered("dave"));
    proxy.set(Fault::Pass);

    assert_eq!(
        alice.next_after_attempts().await,
        left("carol", LeaveReason::Exited)
    );
    assert_eq!(alice.next().await, entered("dave"));
    assert_eq!(alice.next().await, Event::ConnectionRecovery);
    assert_eq!(alice.engine.connection_state(), ConnectionState::Connected);
    assert_eq!(
        alice.states[2..],
        [
            (
                ConnectionState::Reconnecting,
                StateChangeReason::ConnectionLost
            ),
            (ConnectionState::Connected, StateChangeReason::Resumed),
        ]
    );
    // Dave met alice and bob; nobody saw alice leave or enter again.
    assert_eq!(dave.next().await, entered("alice"));
    assert_eq!(dave.next().await, entered("bob"));
    barrier(&server, 3, &mut [&mut alice, &mut bob, &mut dave]).await;
    alice.assert_nothing_pending();
    bob.assert_nothing_pending();
    dave.assert_nothing_pending();
    server.close().await;
}

/// Away longer than the server's timeout: the others saw the member time out; on return the
/// client enters again by itself and reports who left and who came meanwhile.
#[tokio::test]
async fn after_a_long_loss_the_client_enters_again_and_reports_the_difference() {
    let server = server_with(SESSION_TIMEOUT).await;
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    let url = server.url();
    let mut alice = enter(&server, quick(&proxy.url(), 200), "alice", 4).await;
    let mut bob = enter(&server, quick(&url, 0), "bob", 4).await;
    assert_eq!(alice.next().await, entered("bob"));
    assert_eq!(bob.next().await, entered("alice"));

    proxy.set(Fault::Blackhole);
    assert!(matches!(alice.next().await, Event::ConnectionLost { .. }));
    assert_eq!(bob.next().await, left("alice", LeaveReason::ConnectionLost));
    bob.engine.exit_room();
    let mut carol = enter(&server, quick(&url, 0), "carol", 4).await;
    proxy.set(Fault::Pass);

    // Bob left and carol came while alice was away.
    assert_eq!(
        alice.next_after_attempts().await,
        left("bob", LeaveReason::Exited)
    );
    assert_eq!(alice.next().await, entered("carol"));
    assert_eq!(alice.next().await, Event::ConnectionRecovery);
    assert_eq!(
        alice.states.last(),
        Some(&(ConnectionState::Connected, StateChangeReason::Reentered))
    );
    assert_eq!(carol.next().await, entered("alice"));
    // Alice's room works as before: carol's exit reaches her.
    carol.engine.exit_room();
    assert_eq!(alice.next().await, left("carol", LeaveReason::Exited));
    server.close().await;
}

/// The server restarts on the same address: every client enters again by itself, and the
/// members end up seeing each other.
#[tokio::test]
async fn a_restarted_server_is_entered_again() {
    let first = server_with(PATIENT_TIMEOUT).await;
    let addr = first.local_addr();
    let url = first.url();
    let mut alice = enter(&first, quick(&url, 200), "alice", 5).await;
    let mut bob = enter(&first, quick(&url, 200), "bob", 5).await;
    assert_eq!(alice.next().await, entered("bob"));
    assert_eq!(bob.next().await, entered("alice"));
    first.close().await;
    for member in [&mut alice, &mut bob] {
        match member.next().await {
            Event::ConnectionLost { message } => assert!(message.contains("1001"), "{message}"),
            other => panic!("expected onConnectionLost, got {other:?}"),
        }
    }
    let second = openroom_server::start(ServerConfig {
        listen: addr,
        session_timeout: PATIENT_TIMEOUT,
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap();
    // Whoever is back first finds the other gone and sees them arrive later; either way each
    // one's view ends with the other present.
    for (member, other) in [(&mut alice, "bob"), (&mut bob, "alice")] {
        let mut present = true;
        loop {
            match member.next_after_attempts().await {
                Event::RemoteUserLeaveRoom { user_id, .. } if user_id == uid(other) => {
                    present = false
                }
                Event::RemoteUserEnterRoom { user_id, .. } if user_id == uid(other) => {
                    present = true
                }
                Event::ConnectionRecovery => break,
                event => panic!("unexpected {event:?}"),
            }
        }
        if !present {
            assert_eq!(member.next().await, entered(other));
        }
        assert_eq!(
            member.states.last(),
            Some(&(ConnectionState::Connected, StateChangeReason::Reentered))
        );
    }
    barrier(&second, 5, &mut [&mut alice, &mut bob]).await;
    second.close().await;
}

/// Removed (or the room dismissed) while the connection was down: on return the client learns
/// it and the room ends with onExitRoom(1) (or 2), without a recovery.
#[tokio::test]
async fn a_removal_or_dismissal_during_the_outage_ends_the_room_with_its_reason() {
    for (room_number, reason) in [(6, ExitReason::Removed), (16, ExitReason::Dismissed)] {
        let server = server_with(PATIENT_TIMEOUT).await;
        let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
        let quick_alice = quick(&proxy.url(), 200);
        let mut alice = enter(&server, quick_alice, "alice", room_number).await;
        let mut bob = enter(&server, quick(&server.url(), 0), "bob", room_number).await;
        assert_eq!(alice.next().await, entered("bob"));
        assert_eq!(bob.next().await, entered("alice"));

        proxy.set(Fault::Close);
        assert!(matches!(alice.next().await, Event::ConnectionLost { .. }));
        let room = server.rooms().get(&RoomId::RoomId(room_number)).unwrap();
        if reason == ExitReason::Removed {
            room.remove(vec![uid("alice")]).await.unwrap();
            assert_eq!(bob.next().await, left("alice", LeaveReason::Removed));
        } else {
            room.dismiss().await.unwrap();
            assert_eq!(bob.next().await, Event::ExitRoom { reason });
        }
        proxy.set(Fault::Pass);

        assert_eq!(
            alice.next_after_attempts().await,
            Event::ExitRoom { reason }
        );
        assert_eq!(alice.next().await, Event::SessionClosed);
        assert_eq!(
            alice.engine.connection_state(),
            ConnectionState::Disconnected
        );
        server.close().await;
    }
}

/// Removed while away and back only after the session timeout: the server remembers why the
/// session ended, so the client ends with onExitRoom(1) instead of entering again.
#[tokio::test]
async fn a_removal_is_remembered_past_the_session_timeout() {
    let server = server_with(SESSION_TIMEOUT).await;
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    let mut alice = enter(&server, quick(&proxy.url(), 200), "alice", 9).await;
    let mut bob = enter(&server, quick(&server.url(), 0), "bob", 9).await;
    assert_eq!(alice.next().await, entered("bob"));
    assert_eq!(bob.next().await, entered("alice"));

    proxy.set(Fault::Close);
    assert!(matches!(alice.next().await, Event::ConnectionLost { .. }));
    let room = server.rooms().get(&RoomId::RoomId(9)).unwrap();
    room.remove(vec![uid("alice")]).await.unwrap();
    assert_eq!(bob.next().await, left("alice", LeaveReason::Removed));
    // Past the parked session's deadline (its timeout from when alice was last heard). The
    // wait is the point: the session must be gone from the server, only its record left.
    tokio::time::sleep(SESSION_TIMEOUT * 2).await;
    proxy.set(Fault::Pass);
    assert_eq!(
        alice.next_after_attempts().await,
        Event::ExitRoom {
            reason: ExitReason::Removed
        }
    );
    // Bob saw nothing more: alice did not come back.
    barrier(&server, 9, &mut [&mut bob]).await;
    bob.assert_nothing_pending();
    server.close().await;
}

/// The app exits while the client waits to reconnect: if the server is reachable, the client
/// takes its parked session over just to leave, so the others see reason 0 at once instead of
/// a timeout later.
#[tokio::test]
async fn exiting_while_away_leaves_properly_when_the_server_is_reachable() {
    let server = server_with(PATIENT_TIMEOUT).await;
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    let mut config = quick(&proxy.url(), 5);
    // The second attempt would come only after a long wait: the exit happens during it.
    config.reconnect.interval = Duration::from_secs(60);
    let mut alice = enter(&server, config, "alice", 19).await;
    let mut bob = enter(&server, quick(&server.url(), 0), "bob", 19).await;
    assert_eq!(alice.next().await, entered("bob"));
    assert_eq!(bob.next().await, entered("alice"));

    proxy.set(Fault::Close);
    assert!(matches!(alice.next().await, Event::ConnectionLost { .. }));
    assert_eq!(alice.next().await, Event::TryToReconnect { attempt: 1 });
    proxy.set(Fault::Pass);
    let asked = Instant::now();
    alice.engine.exit_room();
    assert_eq!(
        alice.next_after_attempts().await,
        Event::ExitRoom {
            reason: ExitReason::Exited
        }
    );
    assert_eq!(bob.next().await, left("alice", LeaveReason::Exited));
    assert!(asked.elapsed() < PATIENT_TIMEOUT, "{:?}", asked.elapsed());
    server.close().await;
}

/// Every attempt fails: onError(-7004) and onExitRoom(0), and the instance can enter again.
#[tokio::test]
async fn giving_up_ends_the_room_cleanly() {
    let server = server_with(PATIENT_TIMEOUT).await;
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    let config = quick(&proxy.url(), 3);
    let mut alice = enter(&server, config.clone(), "alice", 7).await;
    proxy.set(Fault::Close);
    assert!(matches!(alice.next().await, Event::ConnectionLost { .. }));
    for attempt in 1..=3 {
        assert_eq!(alice.next().await, Event::TryToReconnect { attempt });
    }
    match alice.next().await {
        Event::Error {
            code: -7004,
            message,
        } => {
            assert!(message.contains("3 attempts"), "{message}")
        }
        other => panic!("expected onError(-7004), got {other:?}"),
    }
    assert_eq!(
        alice.next().await,
        Event::ExitRoom {
            reason: ExitReason::Exited
        }
    );
    assert_eq!(alice.next().await, Event::SessionClosed);
    assert_eq!(
        alice.states.last(),
        Some(&(ConnectionState::Disconnected, StateChangeReason::GaveUp))
    );
    proxy.set(Fault::Pass);
    let (sink, _events) = mpsc::unbounded_channel();
    alice
        .engine
        .enter_room(&params(server.config(), "alice", 7), &json!(0), move |e| {
            let _ = sink.send(e);
        })
        .expect("the instance is free to enter again");
    server.close().await;
}

/// The server came back with other credentials: entering again is refused for good, and the
/// app hears why (onError with the server's code) before onExitRoom.
#[tokio::test]
async fn a_refused_reentry_reports_the_error_then_exits() {
    let first = server_with(PATIENT_TIMEOUT).await;
    let addr = first.local_addr();
    let mut alice = enter(&first, quick(&first.url(), 200), "alice", 8).await;
    first.close().await;
    assert!(matches!(alice.next().await, Event::ConnectionLost { .. }));
    let _second = openroom_server::start(ServerConfig {
        listen: addr,
        secret_key: "another-secret".into(),
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap();
    assert!(matches!(
        alice.next_after_attempts().await,
        Event::Error { code: -3320, .. }
    ));
    assert_eq!(
        alice.next().await,
        Event::ExitRoom {
            reason: ExitReason::Exited
        }
    );
}

/// A sub-engine (TRTCCloud's sub-cloud) enters its own room over its main engine's socket:
/// one connection for both, each session with its own events; one's exit leaves the other in
/// its room; a lost connection is recovered for both over one new socket.
#[tokio::test]
async fn sub_engines_share_one_connection_and_recover_together() {
    let server = server_with(PATIENT_TIMEOUT).await;
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    let url = server.url();
    let mut bob = enter(&server, quick(&url, 0), "bob", 20).await;
    let mut carol = enter(&server, quick(&url, 0), "carol", 21).await;
    let mut alice = enter(&server, quick(&proxy.url(), 200), "alice", 20).await;
    let mut alice_sub = enter_on(alice.engine.sub_engine(), server.config(), "alice", 21).await;
    assert_eq!(
        proxy.connections(),
        1,
        "the sub-engine shares the main engine's socket"
    );
    assert_eq!(alice.next().await, entered("bob"));
    assert_eq!(alice_sub.next().await, entered("carol"));
    assert_eq!(bob.next().await, entered("alice"));
    assert_eq!(carol.next().await, entered("alice"));

    // The connection breaks: both sessions resume, over one new socket.
    proxy.set(Fault::Close);
    assert!(matches!(alice.next().await, Event::ConnectionLost { .. }));
    assert!(matches!(
        alice_sub.next().await,
        Event::ConnectionLost { .. }
    ));
    proxy.set(Fault::Pass);
    assert_eq!(alice.next_after_attempts().await, Event::ConnectionRecovery);
    assert_eq!(
        alice_sub.next_after_attempts().await,
        Event::ConnectionRecovery
    );
    assert_eq!(proxy.connections(), 2);

    // The main session exits; the sub-engine's session carries on over the socket.
    alice.engine.exit_room();
    assert_eq!(
        alice.next().await,
        Event::ExitRoom {
            reason: ExitReason::Exited
        }
    );
    assert_eq!(bob.next().await, left("alice", LeaveReason::Exited));
    carol.engine.exit_room();
    assert_eq!(alice_sub.next().await, left("carol", LeaveReason::Exited));
    barrier(&server, 21, &mut [&mut alice_sub]).await;
    assert_eq!(proxy.connections(), 2);
    bob.assert_nothing_pending();
    server.close().await;
}

/// A channel asked for while the socket's last channel closes goes on a new socket, never on
/// the one being closed.
#[tokio::test]
async fn a_channel_opened_as_the_last_one_closes_gets_a_working_socket() {
    use openroom_client::connection::Transport;
    use openroom_protocol::messages::{Outcome, Reply};
    use openroom_protocol::{ClientRequest, ServerFrame};
    let server = server_with(PATIENT_TIMEOUT).await;
    let url = server.url();
    let transport = Transport::default();
    let first = transport.open(&url).await.unwrap();
    // The close is polled first: the open that races it must not get the closing socket.
    let ((), second) = tokio::join!(first.close(), transport.open(&url));
    let mut second = second.unwrap();
    let request: openroom_protocol::EnterRequest = serde_json::from_value(json!({
        "protocol": openroom_protocol::PROTOCOL_VERSION,
        "sdkAppId": server.config().sdk_app_id,
        "userId": "alice",
        "userSig": params(server.config(), "alice", 30)["userSig"],
        "room": {"roomId": 30}, "role": 20, "scene": 0,
    }))
    .unwrap();
    let id = second.send(ClientRequest::Enter(request));
    match timeout(EVENT_WAIT, second.next_frame())
        .await
        .unwrap()
        .unwrap()
    {
        ServerFrame::Response {
            id: answered,
            result: Outcome::Ok(Reply::Entered { .. }),
        } => assert_eq!(answered, id),
        other => panic!("expected entered, got {other:?}"),
    }
    second.close().await;
    server.close().await;
}
