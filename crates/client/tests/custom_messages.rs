//! Custom messages (sendCustomCmdMsg) between engines through a real server on loopback: who
//! gets what, in which order, every limit with its warning code, thousands of messages from
//! several senders each seen exactly in order, and no message lost or doubled across a
//! resumed connection (through a fault-injecting proxy).

use std::time::Duration;

use base64::Engine as _;
mod common;

use common::{params, Recorder as Member};
use openroom_client::{ClientConfig, Engine, Event, ReconnectPolicy};
use openroom_protocol::custom::{
    RateLimits, MAX_BYTES_PER_SECOND, MAX_MESSAGES_PER_SECOND, MAX_MESSAGE_BYTES,
};
use openroom_protocol::{UserId, WarningCode};
use openroom_server::{RunningServer, ServerConfig};
use openroom_testkit::{Fault, FaultProxy};
use tokio::runtime::Handle;

const EVENT_WAIT: Duration = Duration::from_secs(10);

async fn enter(server: &RunningServer, url: &str, user: &str, room: u32) -> Member {
    let mut member = Member::new(
        ClientConfig {
            server_url: url.to_owned(),
            enter_timeout: Duration::from_millis(500),
            reconnect: ReconnectPolicy {
                attempts: 200,
                interval: Duration::from_millis(20),
                max_interval: Duration::from_millis(100),
            },
            ..ClientConfig::default()
        },
        EVENT_WAIT,
    );
    member.enter(&params(server.config(), user, room), 0).await;
    member
}

/// What these tests do with a member besides watching its events.
trait Messaging {
    /// The next custom message, other events (arrivals, say) skipped.
    async fn next_message(&mut self) -> (String, u8, u32, Vec<u8>);
    fn send(&self, cmd_id: i64, data: &[u8]) -> Result<(), WarningCode>;
}

impl Messaging for Member {
    async fn next_message(&mut self) -> (String, u8, u32, Vec<u8>) {
        loop {
            if let Event::RecvCustomCmdMsg {
                user_id,
                cmd_id,
                seq,
                data,
            } = self.next().await
            {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(data)
                    .unwrap();
                return (user_id.as_str().to_owned(), cmd_id, seq, bytes);
            }
        }
    }

    fn send(&self, cmd_id: i64, data: &[u8]) -> Result<(), WarningCode> {
        self.engine
            .send_custom_cmd_msg(cmd_id, data.to_vec(), true, true)
            .map_err(|refusal| refusal.code)
    }
}

async fn server() -> RunningServer {
    openroom_server::start(ServerConfig {
        session_timeout: Duration::from_secs(5),
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_message_reaches_every_other_member_with_the_senders_seq() {
    let server = server().await;
    let url = server.url();
    let mut alice = enter(&server, &url, "alice", 1).await;
    let mut bob = enter(&server, &url, "bob", 1).await;
    let mut carol = enter(&server, &url, "carol", 1).await;
    alice.send(1, b"hello").unwrap();
    alice.send(2, &[0, 255, 7]).unwrap();
    for member in [&mut bob, &mut carol] {
        assert_eq!(
            member.next_message().await,
            ("alice".into(), 1, 1, b"hello".to_vec())
        );
        assert_eq!(
            member.next_message().await,
            ("alice".into(), 2, 2, vec![0, 255, 7])
        );
    }
    // The sender does not hear its own messages: bob's reply is the next thing alice gets
    // after the arrivals.
    bob.send(3, b"hi alice").unwrap();
    assert_eq!(
        alice.next_message().await,
        ("bob".into(), 3, 1, b"hi alice".to_vec())
    );
    server.close().await;
}

#[tokio::test]
async fn every_limit_is_refused_with_its_warning_and_nothing_is_sent() {
    let server = server().await;
    let url = server.url();
    let outside = Engine::new(
        ClientConfig {
            server_url: url.clone(),
            ..ClientConfig::default()
        },
        Handle::current(),
    );
    let refused = outside
        .send_custom_cmd_msg(1, b"x".to_vec(), true, true)
        .unwrap_err();
    assert_eq!(refused.code, WarningCode::CustomCmdNotInRoom);
    assert!(
        refused.message.contains("enterRoom first"),
        "{}",
        refused.message
    );

    let mut alice = enter(&server, &url, "alice", 2).await;
    let mut bob = enter(&server, &url, "bob", 2).await;
    assert_eq!(alice.send(0, b"x"), Err(WarningCode::CustomCmdInvalid));
    assert_eq!(alice.send(11, b"x"), Err(WarningCode::CustomCmdInvalid));
    assert_eq!(
        alice.send(1, &vec![0; MAX_MESSAGE_BYTES + 1]),
        Err(WarningCode::CustomCmdTooLarge)
    );
    for n in 0..MAX_MESSAGES_PER_SECOND {
        alice.send(1, &[n as u8]).unwrap();
    }
    assert_eq!(
        alice.send(1, b"one too many"),
        Err(WarningCode::CustomCmdRateLimited)
    );
    // Bob got exactly the 30 accepted ones, numbered 1 to 30.
    for n in 0..MAX_MESSAGES_PER_SECOND {
        let (_, _, seq, data) = bob.next_message().await;
        assert_eq!((seq, data), (n as u32 + 1, vec![n as u8]));
    }
    // Bandwidth: 8 messages of 1 KB fill the second; the ninth is refused.
    for _ in 0..MAX_BYTES_PER_SECOND / MAX_MESSAGE_BYTES {
        bob.send(4, &vec![1; MAX_MESSAGE_BYTES]).unwrap();
    }
    assert_eq!(
        bob.send(4, b"x"),
        Err(WarningCode::CustomCmdBandwidthLimited)
    );
    for _ in 0..MAX_BYTES_PER_SECOND / MAX_MESSAGE_BYTES {
        assert_eq!(alice.next_message().await.3.len(), MAX_MESSAGE_BYTES);
    }
    server.close().await;
}

/// A server with its own limits tells the client, which holds the app to them: more than
/// TRTC's 30 a second go through, and the new figure is the one refused and named.
#[tokio::test]
async fn the_client_holds_the_app_to_the_limits_its_server_names() {
    let server = openroom_server::start(ServerConfig {
        custom_limits: RateLimits {
            messages_per_second: 100,
            bytes_per_second: 4096,
        },
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap();
    let url = server.url();
    let alice = enter(&server, &url, "alice", 4).await;
    let mut bob = enter(&server, &url, "bob", 4).await;
    for n in 0..100u32 {
        alice.send(1, &n.to_be_bytes()).unwrap();
    }
    let refused = alice
        .engine
        .send_custom_cmd_msg(1, b"x".to_vec(), true, true)
        .unwrap_err();
    assert_eq!(refused.code, WarningCode::CustomCmdRateLimited);
    assert!(
        refused.message.contains("at most 100 "),
        "{}",
        refused.message
    );
    for n in 0..100u32 {
        let (_, _, seq, data) = bob.next_message().await;
        assert_eq!((seq, data), (n + 1, n.to_be_bytes().to_vec()));
    }
    // The byte limit is the server's too: 4 KB, not TRTC's 8.
    for _ in 0..4 {
        bob.send(2, &vec![0; MAX_MESSAGE_BYTES]).unwrap();
    }
    assert_eq!(
        bob.send(2, b"x"),
        Err(WarningCode::CustomCmdBandwidthLimited)
    );
    server.close().await;
}

/// Several senders, hundreds of messages each at the rate limit: every receiver gets every
/// message of every sender exactly once, in the sender's order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_messages_from_several_senders_arrive_exactly_in_order() {
    const SENDERS: usize = 10;
    const PER_SENDER: u32 = 120;
    let server = server().await;
    let url = server.url();
    let mut members = Vec::new();
    for i in 0..SENDERS + 2 {
        members.push(enter(&server, &url, &format!("m{i}"), 3).await);
    }
    let receivers = members.split_off(SENDERS);
    let senders: Vec<_> = members
        .into_iter()
        .map(|sender| {
            tokio::spawn(async move {
                // Paced at the limit: 30 a second, each with its number in the payload.
                let mut pace = tokio::time::interval(Duration::from_millis(34));
                for n in 1..=PER_SENDER {
                    pace.tick().await;
                    sender.send(5, &n.to_be_bytes()).unwrap();
                }
                sender
            })
        })
        .collect();
    for mut receiver in receivers {
        let mut next = [1u32; SENDERS];
        for _ in 0..SENDERS as u32 * PER_SENDER {
            let (from, cmd_id, seq, data) = receiver.next_message().await;
            let sender: usize = from.trim_start_matches('m').parse().unwrap();
            assert_eq!(cmd_id, 5);
            assert_eq!(seq, next[sender], "from {from}");
            assert_eq!(data, next[sender].to_be_bytes());
            next[sender] += 1;
        }
    }
    for sender in senders {
        sender.await.unwrap();
    }
    server.close().await;
}

/// Messages sent while the link is silently dead, and while reconnecting, reach the others
/// once and in order after the session resumes.
#[tokio::test]
async fn no_message_is_lost_or_doubled_across_a_resumed_connection() {
    let server = server().await;
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    let mut alice = enter(&server, &proxy.url(), "alice", 4).await;
    let mut bob = enter(&server, &server.url(), "bob", 4).await;
    assert_eq!(
        alice.next().await,
        Event::RemoteUserEnterRoom {
            user_id: UserId::parse("bob").unwrap(),
            user_data: None,
        }
    );
    alice.send(1, b"before").unwrap();
    assert_eq!(bob.next_message().await.3, b"before");

    proxy.set(Fault::Blackhole);
    // Into the void: the server never gets these.
    for n in 0..3u8 {
        alice.send(1, &[n]).unwrap();
    }
    assert!(matches!(alice.next().await, Event::ConnectionLost { .. }));
    // While reconnecting.
    alice.send(1, b"during").unwrap();
    proxy.set(Fault::Pass);
    loop {
        match alice.next().await {
            Event::TryToReconnect { .. } => continue,
            event => {
                assert_eq!(event, Event::ConnectionRecovery);
                break;
            }
        }
    }
    alice.send(1, b"after").unwrap();
    let expected: [&[u8]; 5] = [&[0], &[1], &[2], b"during", b"after"];
    for (i, data) in expected.iter().enumerate() {
        let (from, _, seq, got) = bob.next_message().await;
        assert_eq!(
            (from.as_str(), seq, got.as_slice()),
            ("alice", i as u32 + 2, *data)
        );
    }
    server.close().await;
}

/// Messages the app sent at the allowed rate while the connection was down reach the server
/// in one burst after the resume; they were held to the limits once, so the server takes them
/// all rather than refusing the burst.
#[tokio::test]
async fn a_resent_burst_is_not_refused_by_the_servers_rate_limit() {
    let server = server().await;
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    let mut alice = enter(&server, &proxy.url(), "alice", 5).await;
    let mut bob = enter(&server, &server.url(), "bob", 5).await;
    assert!(matches!(
        alice.next().await,
        Event::RemoteUserEnterRoom { .. }
    ));
    proxy.set(Fault::Blackhole);
    // 60 messages at 25 a second: within the limits, but all of them reach the server at once.
    let mut pace = tokio::time::interval(Duration::from_millis(40));
    for n in 1..=60u32 {
        pace.tick().await;
        alice.send(6, &n.to_be_bytes()).unwrap();
    }
    // The link comes back only once alice has noticed it was gone (a blackholed TCP stream
    // that came back mid-stream would have lost bytes, which real TCP never does).
    loop {
        if let Event::ConnectionLost { .. } = alice.next().await {
            break;
        }
    }
    proxy.set(Fault::Pass);
    for n in 1..=60u32 {
        let (_, _, seq, data) = bob.next_message().await;
        assert_eq!((seq, data), (n, n.to_be_bytes().to_vec()));
    }
    // And alice was warned of nothing.
    loop {
        match alice.next().await {
            Event::ConnectionRecovery => break,
            Event::Warning { code, message } => panic!("warned: {code} {message}"),
            _ => continue,
        }
    }
    server.close().await;
}

/// A message's seq counts from 1 again in every session.
#[tokio::test]
async fn seq_starts_again_in_a_new_session() {
    let server = server().await;
    let url = server.url();
    let mut alice = enter(&server, &url, "alice", 6).await;
    let mut bob = enter(&server, &url, "bob", 6).await;
    alice.send(1, b"a").unwrap();
    assert_eq!(bob.next_message().await.2, 1);
    alice.engine.exit_room();
    loop {
        if let Event::ExitRoom { .. } = alice.next().await {
            break;
        }
    }
    let alice = enter(&server, &url, "alice", 6).await;
    alice.send(1, b"b").unwrap();
    assert_eq!(
        bob.next_message().await,
        ("alice".into(), 1, 1, b"b".to_vec())
    );
    server.close().await;
}

/// Away longer than the session timeout, so the client enters again: what the app sent while
/// reconnecting (never written to any connection) is sent in the new session.
#[tokio::test]
async fn messages_queued_while_away_are_sent_after_entering_again() {
    let server = openroom_server::start(ServerConfig {
        session_timeout: Duration::from_millis(400),
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap();
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    let mut alice = enter(&server, &proxy.url(), "alice", 7).await;
    let mut bob = enter(&server, &server.url(), "bob", 7).await;
    assert!(matches!(
        alice.next().await,
        Event::RemoteUserEnterRoom { .. }
    ));
    proxy.set(Fault::Blackhole);
    // Written into the void: whether they reached the room is unknown.
    alice.send(2, b"lost 1").unwrap();
    alice.send(2, b"lost 2").unwrap();
    loop {
        if let Event::ConnectionLost { .. } = alice.next().await {
            break;
        }
    }
    alice.send(2, b"during").unwrap();
    // Bob sees alice time out: her session is gone from the server.
    loop {
        if let Event::RemoteUserLeaveRoom { .. } = bob.next().await {
            break;
        }
    }
    proxy.set(Fault::Pass);
    let (from, _, seq, data) = bob.next_message().await;
    assert_eq!(
        (from.as_str(), seq, data.as_slice()),
        ("alice", 3, &b"during"[..])
    );
    // The two written before the loss are not sent twice, and the app hears of them.
    loop {
        match alice.next().await {
            Event::Warning { code, message } => {
                assert_eq!(code, WarningCode::CustomCmdUnconfirmed.value());
                assert!(message.contains("2 custom messages"), "{message}");
                break;
            }
            Event::ConnectionRecovery => panic!("recovered without the warning"),
            _ => {}
        }
    }
    server.close().await;
}
