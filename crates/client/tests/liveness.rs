//! Liveness through a fault-injecting proxy: a peer that vanishes without closing its socket
//! is noticed by both sides within the session timeout the server announced, and heartbeats
//! keep a quiet session alive.

use std::time::Duration;

use openroom_client::{ClientConfig, Engine, Event};
use openroom_protocol::usersig::gen_user_sig;
use openroom_protocol::{LeaveReason, UserId};
use openroom_server::{RunningServer, ServerConfig};
use openroom_testkit::{Fault, FaultProxy};
use serde_json::{json, Value};
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio::time::{timeout, Instant};

/// Short, so the tests are quick; the client pings every third of it.
const SESSION_TIMEOUT: Duration = Duration::from_millis(400);
const EVENT_WAIT: Duration = Duration::from_secs(5);

struct Member {
    engine: Engine,
    events: mpsc::UnboundedReceiver<Event>,
}

impl Member {
    async fn enter(server: &RunningServer, url: &str, user: &str, room: u32) -> Member {
        let (sink, mut events) = mpsc::unbounded_channel();
        let engine = Engine::new(
            ClientConfig {
                server_url: url.to_owned(),
                exit_timeout: Duration::from_millis(200),
                ..ClientConfig::default()
            },
            Handle::current(),
        );
        engine
            .enter_room(&params(server, user, room), &json!(0), move |event| {
                let _ = sink.send(event);
            })
            .unwrap();
        let entered = timeout(EVENT_WAIT, events.recv()).await.unwrap().unwrap();
        assert!(
            matches!(entered, Event::EnterRoom { result, .. } if result > 0),
            "{entered:?}"
        );
        Member { engine, events }
    }

    async fn next(&mut self) -> Event {
        timeout(EVENT_WAIT, self.events.recv())
            .await
            .expect("timed out waiting for an event")
            .expect("event stream ended")
    }
}

fn params(server: &RunningServer, user: &str, room: u32) -> Value {
    let config = server.config();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    json!({"sdkAppId": config.sdk_app_id, "userId": user, "roomId": room,
           "userSig": gen_user_sig(config.sdk_app_id.into(), &config.secret_key, user, 600, now)})
}

async fn server() -> RunningServer {
    openroom_server::start(ServerConfig {
        session_timeout: SESSION_TIMEOUT,
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_vanished_peer_is_noticed_by_both_sides_within_the_timeout() {
    let server = server().await;
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    let mut alice = Member::enter(&server, &proxy.url(), "alice", 1).await;
    let mut bob = Member::enter(&server, &server.url(), "bob", 1).await;
    bob.next().await; // alice, already present
    assert_eq!(
        alice.next().await,
        Event::RemoteUserEnterRoom {
            user_id: UserId::parse("bob").unwrap()
        }
    );

    // Alice's link goes silent both ways, with no close and no reset.
    proxy.set(Fault::Blackhole);
    let cut = Instant::now();
    match alice.next().await {
        Event::ConnectionLost { message } => assert!(message.contains("no answer"), "{message}"),
        other => panic!("expected onConnectionLost, got {other:?}"),
    }
    let client_noticed = cut.elapsed();
    // The server dropped her session; bob sees her leave with TRTC's reason 1 (timed out).
    assert_eq!(
        bob.next().await,
        Event::RemoteUserLeaveRoom {
            user_id: UserId::parse("alice").unwrap(),
            reason: LeaveReason::ConnectionLost
        }
    );
    let server_noticed = cut.elapsed();
    // Within the timeout plus one ping interval of slack, on either side.
    let limit = SESSION_TIMEOUT + SESSION_TIMEOUT / 2;
    assert!(client_noticed <= limit, "client took {client_noticed:?}");
    assert!(
        server_noticed <= limit + SESSION_TIMEOUT,
        "server took {server_noticed:?}"
    );

    // The app can still exit cleanly, and enter again over a working link.
    alice.engine.exit_room();
    assert!(matches!(alice.next().await, Event::ExitRoom { .. }));
    proxy.set(Fault::Pass);
    drop(alice);
    let mut again = Member::enter(&server, &proxy.url(), "alice", 1).await;
    assert_eq!(
        again.next().await,
        Event::RemoteUserEnterRoom {
            user_id: UserId::parse("bob").unwrap()
        }
    );
    server.close().await;
}

#[tokio::test]
async fn heartbeats_keep_a_quiet_session_alive() {
    let server = server().await;
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    let mut alice = Member::enter(&server, &proxy.url(), "alice", 2).await;
    let mut bob = Member::enter(&server, &server.url(), "bob", 2).await;
    bob.next().await; // alice, already present
    alice.next().await; // bob entered
                        // Nobody says anything for five session timeouts; only pings cross the proxy. (Waiting is
                        // the point: the test is that nothing happens.)
    tokio::time::sleep(SESSION_TIMEOUT * 5).await;
    assert!(
        alice.events.try_recv().is_err(),
        "alice saw something while quiet"
    );
    assert!(
        bob.events.try_recv().is_err(),
        "bob saw something while quiet"
    );
    // Both are still members: bob's exit reaches alice as a normal departure.
    bob.engine.exit_room();
    assert_eq!(
        alice.next().await,
        Event::RemoteUserLeaveRoom {
            user_id: UserId::parse("bob").unwrap(),
            reason: LeaveReason::Exited
        }
    );
    server.close().await;
}

#[tokio::test]
async fn a_closed_link_is_noticed_at_once() {
    let server = server().await;
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    let mut alice = Member::enter(&server, &proxy.url(), "alice", 3).await;
    let mut bob = Member::enter(&server, &server.url(), "bob", 3).await;
    bob.next().await; // alice, already present
    alice.next().await;
    proxy.set(Fault::Close);
    assert!(matches!(alice.next().await, Event::ConnectionLost { .. }));
    assert_eq!(
        bob.next().await,
        Event::RemoteUserLeaveRoom {
            user_id: UserId::parse("alice").unwrap(),
            reason: LeaveReason::ConnectionLost
        }
    );
    server.close().await;
}
