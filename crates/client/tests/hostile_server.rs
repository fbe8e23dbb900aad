//! The client against servers that stop reading, freeze, lie or flood, each on real sockets
//! on loopback and bounded in time: `exitRoom()` always completes in time, a lost connection
//! is always noticed, nothing the server announces or sends makes the client queue without
//! end or reconnect in a storm, and an app that stops taking events stops the client reading
//! instead of buffering. Where a real server is in play, two other members chat meanwhile and
//! every reliable message among them arrives once, in order.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use openroom_client::{Backlog, ClientConfig, Engine, Event, EventSink, ReconnectPolicy};
use openroom_protocol::custom::RateLimits;
use openroom_protocol::{ExitReason, WarningCode};
use openroom_server::{RunningServer, ServerConfig};
use openroom_testkit::{Fault, FaultProxy};
use serde_json::{json, Value};
use tokio::net::{TcpSocket, TcpStream};
use tokio::runtime::Handle;
use tokio::time::{timeout, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

mod common;

use common::{params, Recorder as Member};

/// Longest one event may take before a test fails.
const WAIT: Duration = Duration::from_secs(10);

type ServerSide = WebSocketStream<TcpStream>;

/// A WebSocket server on loopback that plays `script` on each connection it accepts (given
/// the connection's number, from 1). `receive_buffer` sets its sockets' receive buffer, so a
/// script that never reads makes the client's writes block soon.
async fn hostile_server<F, Fut>(
    receive_buffer: Option<u32>,
    script: F,
) -> (String, Arc<AtomicUsize>)
where
    F: Fn(usize, ServerSide) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let socket = TcpSocket::new_v4().unwrap();
    if let Some(bytes) = receive_buffer {
        socket.set_recv_buffer_size(bytes).unwrap();
    }
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(64).unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let counted = accepted.clone();
    let script = Arc::new(script);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let number = counted.fetch_add(1, Ordering::Relaxed) + 1;
            let script = script.clone();
            tokio::spawn(async move {
                if let Ok(ws) = tokio_tungstenite::accept_async(tcp).await {
                    script(number, ws).await;
                }
            });
        }
    });
    (url, accepted)
}

/// The id of the client's next request (its enter, or its resume).
async fn first_request(ws: &mut ServerSide) -> Option<Value> {
    loop {
        match ws.next().await? {
            Ok(Message::Text(text)) => return serde_json::from_str(text.as_str()).ok(),
            Ok(_) => continue,
            Err(_) => return None,
        }
    }
}

/// An `entered` answer to request `id`, announcing a heartbeat and custom-message limits.
fn entered(id: &Value, ping_ms: u64, timeout_ms: u64, limits: RateLimits) -> Message {
    Message::text(
        json!({"type": "response", "id": id, "result": {"ok": {"type": "entered", "members": [],
               "pingIntervalMs": ping_ms, "sessionTimeoutMs": timeout_ms,
               "resumeToken": "t", "customLimits": limits}}})
        .to_string(),
    )
}

fn member(url: &str, attempts: u32, exit_ms: u64) -> Member {
    Member::new(
        ClientConfig {
            server_url: url.to_owned(),
            exit_timeout: Duration::from_millis(exit_ms),
            enter_timeout: Duration::from_secs(3),
            reconnect: ReconnectPolicy {
                attempts,
                ..ReconnectPolicy::default()
            },
            tls_ca: None,
        },
        WAIT,
    )
}

fn any_params() -> Value {
    json!({"sdkAppId": 1, "userId": "alice", "userSig": "s", "roomId": 1})
}

const UNLIMITED: RateLimits = RateLimits {
    messages_per_second: u32::MAX,
    bytes_per_second: u32::MAX,
};

/// Two members of `room` on a real server, one telling the other reliable custom messages.
struct Bystanders {
    sender: Member,
    receiver: Member,
    sent: u32,
}

impl Bystanders {
    async fn enter(server: &RunningServer, room: u32) -> Bystanders {
        let mut receiver = member(&server.url(), 8, 1000);
        receiver
            .enter(&params(server.config(), "carol", room), 0)
            .await;
        let mut sender = member(&server.url(), 8, 1000);
        sender.enter(&params(server.config(), "bob", room), 0).await;
        // Each has seen the other (and maybe others) arrive.
        let _ = receiver.next().await;
        let _ = sender.next().await;
        Bystanders {
            sender,
            receiver,
            sent: 0,
        }
    }

    /// Run `attack` while the sender says something every 40 ms; then check that the
    /// receiver got every message once, in order.
    async fn chat_during<T>(&mut self, attack: impl Future<Output = T>) -> T {
        tokio::pin!(attack);
        let mut pace = tokio::time::interval(Duration::from_millis(40));
        let outcome = loop {
            tokio::select! {
                outcome = &mut attack => break outcome,
                _ = pace.tick() => self.say(),
            }
        };
        self.say();
        let mut heard = 0;
        while heard < self.sent {
            if let Event::RecvCustomCmdMsg { user_id, seq, .. } = self.receiver.next().await {
                if user_id.as_str() == "bob" {
                    heard += 1;
                    assert_eq!(seq, heard);
                }
            }
        }
        assert!(self.sent > 1, "the bystanders chatted during the attack");
        outcome
    }

    fn say(&mut self) {
        self.sent += 1;
        self.sender
            .engine
            .send_custom_cmd_msg(1, b"hi".to_vec(), true, true)
            .expect("the bystander's message is accepted");
    }
}

/// The server stops reading (frozen, as with SIGSTOP) while the app sends custom messages:
/// the client notices (onConnectionLost) within its silence limit, and exitRoom() completes
/// within the exit timeout. (Before every write had a deadline and the session loop stopped
/// waiting on writes, exitRoom() waited as long as the server was frozen.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_server_cannot_hold_the_exit_or_hide_the_loss() {
    // A silence limit of 4 s (pings every 2 s): long enough for the app's writes to fill the
    // kernel's buffers and block first, as they did when this hung.
    let server = openroom_server::start(ServerConfig {
        session_timeout: Duration::from_secs(6),
        custom_limits: RateLimits {
            messages_per_second: 20_000,
            bytes_per_second: 20_000_000,
        },
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap();
    let mut bystanders = Bystanders::enter(&server, 1).await;
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    let mut alice = member(&proxy.url(), 8, 500);
    alice.enter(&params(server.config(), "alice", 1), 0).await;
    let (lost_after, exit_took) = bystanders
        .chat_during(async {
            proxy.set(Fault::Stall);
            let frozen = Instant::now();
            // The app goes on sending: 10 MB a second, within the server's raised limits.
            let data = vec![7u8; 1000];
            let mut lost = None;
            while lost.is_none() && frozen.elapsed() < WAIT {
                for _ in 0..100 {
                    let _ = alice
                        .engine
                        .send_custom_cmd_msg(2, data.clone(), true, true);
                }
                if let Ok(Event::ConnectionLost { .. }) =
                    timeout(Duration::from_millis(10), alice.next()).await
                {
                    lost = Some(frozen.elapsed());
                }
            }
            let lost_after = lost.expect("onConnectionLost");
            let exiting = Instant::now();
            alice.engine.exit_room();
            loop {
                if let Event::ExitRoom { reason } = alice.next().await {
                    assert_eq!(reason, ExitReason::Exited);
                    break;
                }
            }
            (lost_after, exiting.elapsed())
        })
        .await;
    println!("lost after {lost_after:?}; exitRoom() took {exit_took:?}");
    // The silence limit is two pings (2 × 2 s); the exit timeout 500 ms.
    assert!(lost_after < Duration::from_secs(6), "{lost_after:?}");
    assert!(exit_took < Duration::from_millis(1500), "{exit_took:?}");
    drop(proxy);
    server.close().await;
}

/// A server that keeps talking but never reads: silence never comes, so only the write
/// deadline can tell. A TRTCCloud and three sub-clouds on one socket send 6 MB, more than the
/// kernel's buffers hold: the writes stop, and within the write deadline every session has
/// lost the connection, saying why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_reads_is_lost_by_the_write_deadline() {
    const CHANNELS: usize = 4;
    let (url, _) = hostile_server(Some(4096), |_, mut ws| async move {
        let limits = RateLimits {
            messages_per_second: 100_000,
            bytes_per_second: 100_000_000,
        };
        // Let every channel in, then read nothing more.
        for _ in 0..CHANNELS {
            let Some(enter) = first_request(&mut ws).await else {
                return;
            };
            let sub = enter["sub"].as_u64().unwrap_or(0);
            let answer = entered(&enter["id"], 300, 900, limits);
            let text = answer.to_text().unwrap();
            let tagged = match sub {
                0 => text.to_owned(),
                sub => format!("{{\"sub\":{sub},{}", &text[1..]),
            };
            let _ = ws.send(Message::text(tagged)).await;
        }
        // Talk, never listen.
        loop {
            let tick = Message::text(r#"{"type":"tick"}"#);
            if ws.send(tick).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    let main = member(&url, 0, 300);
    let mut members = vec![main];
    for _ in 1..CHANNELS {
        let sub = members[0].engine.sub_engine();
        members.push(Member::with_engine(sub, WAIT));
    }
    for member in members.iter_mut() {
        member.enter(&any_params(), 0).await;
    }
    // 1,024 messages of 1,000 bytes from each: 6 MB in all, more than the buffers.
    let data = vec![1u8; 1000];
    let started = Instant::now();
    for member in &members {
        for _ in 0..1024 {
            member
                .engine
                .send_custom_cmd_msg(1, data.clone(), true, true)
                .unwrap();
        }
    }
    for member in members.iter_mut() {
        let message = loop {
            if let Event::ConnectionLost { message } = member.next().await {
                break message;
            }
        };
        assert!(
            message.contains("took none of our frames for 600 ms"),
            "{message}"
        );
    }
    println!("lost after {:?}", started.elapsed());
    // The write deadline is the silence limit, 2 × 300 ms, after the writes stopped.
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

/// A server that announces a 1 ms heartbeat gets pings every 100 ms (the floor), not a
/// thousand a second, and the connection is not given up for a moment of quiet.
#[tokio::test]
async fn a_server_announcing_a_one_millisecond_heartbeat_is_held_to_the_floor() {
    let pings = Arc::new(AtomicUsize::new(0));
    let counted = pings.clone();
    let (url, accepted) = hostile_server(None, move |_, mut ws| {
        let counted = counted.clone();
        async move {
            let Some(enter) = first_request(&mut ws).await else {
                return;
            };
            let _ = ws
                .send(entered(&enter["id"], 1, 3, RateLimits::default()))
                .await;
            // Reading answers the pings (tungstenite's pongs); count them.
            while let Some(Ok(message)) = ws.next().await {
                if let Message::Ping(_) = message {
                    counted.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    })
    .await;
    let mut alice = member(&url, 8, 300);
    alice.enter(&any_params(), 0).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let sent = pings.load(Ordering::Relaxed);
    // 100 ms apart: about ten (the ping that acknowledges events aside; there are none).
    assert!((5..=15).contains(&sent), "{sent} pings in a second");
    assert_eq!(accepted.load(Ordering::Relaxed), 1, "no reconnection");
    alice.engine.exit_room();
    loop {
        match alice.next().await {
            Event::ExitRoom { .. } => break,
            Event::ConnectionLost { message } => panic!("lost: {message}"),
            _ => {}
        }
    }
}

/// A server that ends every connection right after letting the client in: each new loss
/// soon after a recovery waits longer before the next attempt (0.5, 1, 2 s …), never a storm.
/// (Before, every loss started the backoff again from nothing: 26 reconnections in 4 s.)
#[tokio::test]
async fn a_server_that_drops_every_connection_gets_attempts_that_back_off() {
    let (url, accepted) = hostile_server(None, |_, mut ws| async move {
        if let Some(request) = first_request(&mut ws).await {
            let _ = ws
                .send(entered(&request["id"], 1000, 3000, RateLimits::default()))
                .await;
        }
        let _ = ws.close(None).await;
    })
    .await;
    let mut alice = member(&url, 100, 300);
    alice.enter(&any_params(), 0).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let connections = accepted.load(Ordering::Relaxed);
    println!("{connections} connections in 4 s");
    // The enter, then attempts after 0, 0.5, 1 and 2 s (±20 %).
    assert!(
        (3..=7).contains(&connections),
        "{connections} connections in 4 s"
    );
    alice.engine.exit_room();
}

/// A frame over the largest a client accepts (1 MiB) ends that connection: it is not read
/// into memory.
#[tokio::test]
async fn a_frame_over_a_mebibyte_ends_the_connection() {
    let (url, _) = hostile_server(None, |_, mut ws| async move {
        let Some(enter) = first_request(&mut ws).await else {
            return;
        };
        let _ = ws
            .send(entered(&enter["id"], 1000, 3000, RateLimits::default()))
            .await;
        let huge = format!(
            r#"{{"type":"tick","pad":"{}"}}"#,
            "x".repeat(2 * 1024 * 1024)
        );
        let _ = ws.send(Message::text(huge)).await;
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
    let mut alice = member(&url, 0, 300);
    alice.enter(&any_params(), 0).await;
    match alice.next().await {
        Event::ConnectionLost { message } => {
            assert!(
                message.contains("too long") || message.contains("size"),
                "{message}"
            )
        }
        other => panic!("expected onConnectionLost, got {other:?}"),
    }
}

/// Double answers, answers of unknown kinds and reasons this build does not know are
/// warnings or skipped; none of them costs the connection.
#[tokio::test]
async fn double_answers_and_unknown_kinds_and_reasons_are_survived() {
    let (url, accepted) = hostile_server(None, |_, mut ws| async move {
        let Some(enter) = first_request(&mut ws).await else { return };
        let id = enter["id"].clone();
        let answer = entered(&id, 1000, 3000, RateLimits::default());
        let _ = ws.send(answer.clone()).await;
        for frame in [
            answer.to_text().unwrap().to_owned(),
            json!({"type": "response", "id": 99, "result": {"error": {"code": 7104, "message": "no"}}}).to_string(),
            json!({"type": "response", "id": 5, "result": {"ok": {"type": "brandNew"}}}).to_string(),
            json!({"type": "event", "seq": 1, "event": {"type": "memberLeft", "userId": "bob", "reason": 42}}).to_string(),
            json!({"type": "event", "seq": 2, "event": {"type": "ejected", "reason": 9}}).to_string(),
        ] {
            let _ = ws.send(Message::text(frame)).await;
        }
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
    let mut alice = member(&url, 8, 300);
    alice.enter(&any_params(), 0).await;
    assert_eq!(
        alice.next().await,
        Event::Warning {
            code: 7104,
            message: "no".into()
        }
    );
    // Removed by the server for a reason this build does not know: as a removal.
    let mut rest = Vec::new();
    loop {
        let event = alice.next().await;
        let done = matches!(event, Event::SessionClosed);
        rest.push(event);
        if done {
            break;
        }
    }
    assert!(
        rest.contains(&Event::ExitRoom {
            reason: ExitReason::Removed
        }),
        "{rest:?}"
    );
    assert!(
        !rest
            .iter()
            .any(|e| matches!(e, Event::ConnectionLost { .. })),
        "{rest:?}"
    );
    assert_eq!(accepted.load(Ordering::Relaxed), 1);
}

/// A server that announces no limit on custom messages and never says it took any: the
/// client accepts 1,024, refuses the rest (7107) without dropping any, and takes more once
/// the server acknowledges. (Before, such a server let an app queue 380 MB in 1.5 s.)
#[tokio::test]
async fn unacknowledged_messages_are_bounded_and_never_dropped() {
    let taken = Arc::new(Mutex::new(Vec::<u64>::new()));
    let seen = taken.clone();
    let (url, _) = hostile_server(None, move |_, mut ws| {
        let seen = seen.clone();
        async move {
            let Some(enter) = first_request(&mut ws).await else {
                return;
            };
            let _ = ws.send(entered(&enter["id"], 1000, 3000, UNLIMITED)).await;
            while let Some(Ok(message)) = ws.next().await {
                if let Message::Text(text) = message {
                    let frame: Value = serde_json::from_str(text.as_str()).unwrap();
                    if frame["type"] == "message" {
                        let seq = frame["seq"].as_u64().unwrap();
                        seen.lock().unwrap().push(seq);
                        // Say so only once 1,100 were sent (some of them after the refusals).
                        if seq == 1024 {
                            let ack = json!({"type": "messagesTaken", "lastMessage": 1000});
                            let _ = ws.send(Message::text(ack.to_string())).await;
                        }
                    }
                }
            }
        }
    })
    .await;
    let mut alice = member(&url, 0, 300);
    alice.enter(&any_params(), 0).await;
    let data = vec![3u8; 1000];
    let mut accepted = 0;
    let mut refusal = None;
    for _ in 0..5000 {
        match alice
            .engine
            .send_custom_cmd_msg(1, data.clone(), true, true)
        {
            Ok(()) => accepted += 1,
            Err(refused) => refusal = Some(refused),
        }
    }
    assert_eq!(accepted, 1024);
    let refusal = refusal.unwrap();
    assert_eq!(refusal.code, WarningCode::CustomCmdSendBufferFull);
    // The server got every accepted message, and acknowledged 1,000: room for 1,000 more.
    let deadline = Instant::now() + WAIT;
    loop {
        if taken.lock().unwrap().len() == 1024 {
            break;
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let deadline = Instant::now() + WAIT;
    while alice
        .engine
        .send_custom_cmd_msg(1, data.clone(), true, true)
        .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "room again after the acknowledgement"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let sent = taken.lock().unwrap().clone();
    assert_eq!(sent, (1..=1024).collect::<Vec<u64>>());
}

/// A sink whose app never takes its events until told to: its backlog fills.
struct FrozenApp {
    backlog: Arc<Backlog>,
    events: Arc<Mutex<Vec<Event>>>,
}

impl EventSink for FrozenApp {
    fn emit(&self, event: Event) {
        self.backlog.added(event.size());
        self.events.lock().unwrap().push(event);
    }

    fn backlog(&self) -> Option<Arc<Backlog>> {
        Some(self.backlog.clone())
    }
}

/// An app whose thread stops taking events: the client stops reading from the server once
/// the backlog is full, so what it holds stays bounded, and the server's slow-member rule
/// applies (the others see it leave with reason 1); once the app catches up the session
/// finds its connection gone, comes back into the room, and the others see it arrive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_that_stops_taking_events_stops_the_client_reading() {
    const LIMIT: usize = 64 * 1024;
    let server = openroom_server::start(ServerConfig {
        custom_limits: RateLimits {
            messages_per_second: 100_000,
            bytes_per_second: 100_000_000,
        },
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap();
    let mut bystanders = Bystanders::enter(&server, 1).await;
    let backlog = Arc::new(Backlog::new(LIMIT));
    let events = Arc::new(Mutex::new(Vec::new()));
    let frozen = Engine::new(
        ClientConfig {
            server_url: server.url(),
            ..ClientConfig::default()
        },
        Handle::current(),
    );
    frozen
        .enter_room(
            &params(server.config(), "frozen", 1),
            &json!(0),
            FrozenApp {
                backlog: backlog.clone(),
                events: events.clone(),
            },
        )
        .unwrap();
    // Entered (the app took nothing yet, but the backlog has room).
    let deadline = Instant::now() + WAIT;
    while !events
        .lock()
        .unwrap()
        .iter()
        .any(|e| matches!(e, Event::EnterRoom { .. }))
    {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (most, mut flooder) = bystanders
        .chat_during(async {
            // Another member floods the room with messages of 1 KB, until the frozen member's
            // socket, the server's buffers and its event queue are full and it is dropped:
            // 30 MB is far more than they hold.
            let mut flooder = member(&server.url(), 8, 300);
            flooder
                .enter(&params(server.config(), "flooder", 1), 0)
                .await;
            let data = vec![9u8; 1000];
            let mut most = 0;
            for _ in 0..300 {
                for _ in 0..100 {
                    let _ = flooder
                        .engine
                        .send_custom_cmd_msg(3, data.clone(), true, true);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
                most = most.max(backlog.bytes());
            }
            (most, flooder)
        })
        .await;
    // Full, and no further than the frames already read when it filled: 1 MiB of them at
    // most (the router's bound), about 1.1 KB each as events.
    println!("most held: {most} bytes");
    assert!(most > LIMIT, "the backlog filled");
    assert!(most < LIMIT + 2 * 1024 * 1024, "{most} bytes held");
    // The server's slow-member rule applied: the others saw the frozen member leave.
    loop {
        match flooder.next().await {
            Event::RemoteUserLeaveRoom { user_id, reason } if user_id.as_str() == "frozen" => {
                assert_eq!(reason, openroom_protocol::LeaveReason::ConnectionLost);
                break;
            }
            _ => {}
        }
    }
    // The app catches up: the session finds its connection gone and comes back into the room.
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    while !seen.iter().any(|e| matches!(e, Event::ConnectionRecovery)) {
        let drained = std::mem::take(&mut *events.lock().unwrap());
        for event in &drained {
            backlog.taken(event.size());
        }
        seen.extend(drained);
        assert!(
            Instant::now() < deadline,
            "the session recovers once the app catches up"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(seen
        .iter()
        .any(|e| matches!(e, Event::ConnectionLost { .. })));
    loop {
        match flooder.next().await {
            Event::RemoteUserEnterRoom { user_id, .. } if user_id.as_str() == "frozen" => break,
            _ => {}
        }
    }
    frozen.exit_room();
    let deadline = Instant::now() + WAIT;
    loop {
        let drained = std::mem::take(&mut *events.lock().unwrap());
        for event in &drained {
            backlog.taken(event.size());
        }
        if drained.iter().any(|e| matches!(e, Event::SessionClosed)) {
            break;
        }
        assert!(Instant::now() < deadline, "the session ends");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.close().await;
}
