//! A resume proves who is resuming. A relay in the path records the client's bytes: played
//! again to the server, its resume frame is refused (its counter is spent) and the session
//! stays the client's; a resume with its counter changed, or its proof taken away, is refused
//! too. The credentials go with every resume: a privateMapKey that expired while the client
//! was away ends the session with the key's error, and the others see the member leave.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{entered, exit, left, now, params, Recorder as Member};
use futures_util::{SinkExt, StreamExt};
use openroom_client::{ClientConfig, Event, ReconnectPolicy};
use openroom_protocol::private_map_key::{gen_private_map_key, Privileges};
use openroom_protocol::{ErrorCode, ExitReason, LeaveReason, RoomId};
use openroom_server::{RunningServer, ServerConfig};
use openroom_testkit::{Fault, FaultProxy};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

const EVENT_WAIT: Duration = Duration::from_secs(5);

async fn server(require_private_map_key: bool) -> RunningServer {
    openroom_server::start(ServerConfig {
        session_timeout: Duration::from_secs(10),
        require_private_map_key,
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap()
}

/// Reconnection every 20–100 ms, for a few seconds.
fn quick(url: &str) -> ClientConfig {
    ClientConfig {
        server_url: url.to_owned(),
        enter_timeout: Duration::from_millis(500),
        exit_timeout: Duration::from_millis(200),
        reconnect: ReconnectPolicy {
            attempts: 100,
            interval: Duration::from_millis(20),
            max_interval: Duration::from_millis(100),
        },
        tls_ca: None,
    }
}

/// The client's bytes up to and including its `resume` frame (the WebSocket upgrade, then
/// the frames as sent, masked), and that frame's text.
fn up_to_resume(recorded: &[u8]) -> (Vec<u8>, Value) {
    let head = recorded
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .expect("a recorded upgrade request")
        + 4;
    let mut at = head;
    loop {
        let frame = &recorded[at..];
        assert!(frame[1] & 0x80 != 0, "client frames are masked");
        let (length, mut start) = match frame[1] & 0x7f {
            126 => (usize::from(u16::from_be_bytes([frame[2], frame[3]])), 4),
            127 => panic!("no frame here is that long"),
            short => (usize::from(short), 2),
        };
        let mask = [
            frame[start],
            frame[start + 1],
            frame[start + 2],
            frame[start + 3],
        ];
        start += 4;
        let payload: Vec<u8> = frame[start..start + length]
            .iter()
            .enumerate()
            .map(|(i, byte)| byte ^ mask[i % 4])
            .collect();
        at += start + length;
        if let Ok(text) = serde_json::from_slice::<Value>(&payload) {
            if text["type"] == "resume" {
                return (recorded[..at].to_vec(), text);
            }
        }
    }
}

/// Play `bytes` to the server on a new TCP connection, as the relay would, and read what it
/// sends back until it says `until` (its frames are not masked: the text is in the bytes).
async fn replay(server: SocketAddr, bytes: &[u8], until: &str) -> String {
    let mut stream = TcpStream::connect(server).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut heard = Vec::new();
    let read_all = async {
        let mut buffer = [0u8; 4096];
        loop {
            let n = stream.read(&mut buffer).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            heard.extend_from_slice(&buffer[..n]);
            if String::from_utf8_lossy(&heard).contains(until) {
                break;
            }
        }
    };
    timeout(EVENT_WAIT, read_all)
        .await
        .expect("the server answers the replay");
    String::from_utf8_lossy(&heard).into_owned()
}

/// Send one text frame on a fresh WebSocket and return the answer's result.
async fn ask_directly(server: &RunningServer, frame: &Value) -> Value {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{}/ws", server.url()))
        .await
        .unwrap();
    ws.send(Message::text(frame.to_string())).await.unwrap();
    loop {
        let message = timeout(EVENT_WAIT, ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if let Message::Text(text) = message {
            let answer: Value = serde_json::from_str(&text).unwrap();
            return answer["result"].clone();
        }
    }
}

/// Lose alice's connection at the proxy and wait until she has resumed through it.
async fn blip(alice: &mut Member, proxy: &FaultProxy) {
    proxy.set(Fault::Close);
    assert!(matches!(alice.next().await, Event::ConnectionLost { .. }));
    proxy.set(Fault::Pass);
    assert_eq!(alice.next_after_attempts().await, Event::ConnectionRecovery);
}

#[tokio::test]
async fn a_recorded_resume_played_again_is_refused_and_the_session_stays() {
    let server = server(false).await;
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    let mut alice = Member::new(quick(&proxy.url()), EVENT_WAIT);
    alice.enter(&params(server.config(), "alice", 7), 0).await;
    let mut bob = Member::new(quick(&server.url()), EVENT_WAIT);
    bob.enter(&params(server.config(), "bob", 7), 0).await;
    assert_eq!(alice.next().await, entered("bob"));

    blip(&mut alice, &proxy).await;
    let recorded = proxy.recorded();
    assert_eq!(recorded.len(), 2, "one connection to enter, one to resume");
    let (bytes, resume) = up_to_resume(&recorded[1]);
    // Attempts refused before the proxy let them through may have used counters too.
    let first_counter = resume["counter"].as_u64().unwrap();
    assert!(first_counter >= 1, "{resume}");
    assert!(resume["proof"].is_string(), "{resume}");

    // The relay plays the client's bytes again, byte for byte.
    let heard = replay(server.local_addr(), &bytes, "-7012").await;
    assert!(heard.contains("already used"), "{heard}");
    // Changing the counter breaks the signature; without the proof there is nothing to check.
    let mut moved = resume.clone();
    moved["counter"] = json!(first_counter + 1);
    let refused = ask_directly(&server, &moved).await;
    assert_eq!(refused["error"]["code"], ErrorCode::ResumeRefused.value());
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not signed with this session's resumeKey"));
    let mut unsigned = resume.clone();
    unsigned.as_object_mut().unwrap().remove("proof");
    let refused = ask_directly(&server, &unsigned).await;
    assert_eq!(refused["error"]["code"], ErrorCode::ResumeRefused.value());

    // Alice never lost her session: the next thing she hears is bob leaving.
    bob.engine.exit_room();
    assert_eq!(alice.next().await, left("bob", LeaveReason::Exited));
    // Her own resumes still work: the counter goes on.
    blip(&mut alice, &proxy).await;
    let recorded = proxy.recorded();
    let (_, resume) = up_to_resume(&recorded[recorded.len() - 1]);
    assert!(
        resume["counter"].as_u64().unwrap() > first_counter,
        "{resume}"
    );
    alice.engine.exit_room();
    assert_eq!(alice.next().await, exit(ExitReason::Exited));
    server.close().await;
}

#[tokio::test]
async fn a_private_map_key_that_expired_while_away_ends_the_session_at_resume() {
    let server = server(true).await;
    let config = server.config();
    let room = RoomId::RoomId(8);
    let key = |user: &str, expire: u64, issued: u64| {
        gen_private_map_key(
            config.sdk_app_id,
            &config.secret_key,
            user,
            &room,
            Privileges::ALL,
            expire,
            issued,
        )
    };
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    // Issued 58 s ago for a minute: it lapses 2 s from now.
    let expires_at = now() + 2;
    let mut alice_params = params(config, "alice", 8);
    alice_params["privateMapKey"] = json!(key("alice", 60, expires_at - 60));
    let mut alice = Member::new(quick(&proxy.url()), EVENT_WAIT);
    alice.enter(&alice_params, 0).await;
    let mut bob_params = params(config, "bob", 8);
    bob_params["privateMapKey"] = json!(key("bob", 600, now()));
    let mut bob = Member::new(quick(&server.url()), EVENT_WAIT);
    bob.enter(&bob_params, 0).await;
    assert_eq!(alice.next().await, entered("bob"));
    assert_eq!(bob.next().await, entered("alice"));

    proxy.set(Fault::Close);
    assert!(matches!(alice.next().await, Event::ConnectionLost { .. }));
    // Away until the key has lapsed (the server parks her session meanwhile).
    while now() <= expires_at {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    proxy.set(Fault::Pass);
    match alice.next_after_attempts().await {
        Event::Error { code, message } => {
            assert_eq!(code, ErrorCode::ServerInfoPrivilegeFlagError.value());
            assert!(message.contains("expired"), "{message}");
        }
        other => panic!("expected onError, got {other:?}"),
    }
    assert_eq!(alice.next().await, exit(ExitReason::Exited));
    assert_eq!(bob.next().await, left("alice", LeaveReason::ConnectionLost));
    server.close().await;
}
