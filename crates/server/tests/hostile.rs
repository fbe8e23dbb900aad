//! The server against hostile and broken peers, each attack made on real sockets on loopback
//! and bounded in time: a peer that pings and never reads, a slowloris HTTP client, silent
//! sockets and WebSockets that never enter, floods of frames before entering, bad frames, one
//! user opening rooms in a loop, a session flooding state changes, a REST body that never
//! finishes, and a server at its open-files limit. During each, two members in another room
//! chat, and every reliable message among them must arrive once, in order: an attack costs
//! the attacker, never the others.

use std::future::Future;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use openroom_protocol::usersig::gen_user_sig;
use openroom_protocol::ADMIN_IDENTIFIER;
use openroom_server::{PeerLimits, RoomLimits, ServerConfig, DEV_SDK_APP_ID, DEV_SECRET_KEY};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

mod common;

use common::Ws;

/// Longest any one step of an attack may take before the test fails.
const STEP: Duration = Duration::from_secs(5);

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A dev-mode UserSig for `user`.
fn sig(user: &str) -> String {
    gen_user_sig(DEV_SDK_APP_ID.into(), DEV_SECRET_KEY, user, 600, now_secs())
}

/// An enter request (id 1) for `user` into numeric room `room`, in `scene`.
fn enter_request(user: &str, room: u32, scene: u32) -> Value {
    json!({"id": 1, "type": "enter", "protocol": openroom_protocol::PROTOCOL_VERSION,
           "sdkAppId": DEV_SDK_APP_ID, "userId": user, "userSig": sig(user),
           "room": {"roomId": room}, "role": 20, "scene": scene})
}

async fn connect(addr: SocketAddr) -> Ws {
    tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap()
        .0
}

async fn send(ws: &mut Ws, frame: Value) {
    ws.send(Message::text(frame.to_string())).await.unwrap();
}

/// The next text frame as JSON; None when the socket closes or nothing comes within `wait`.
async fn next_within(ws: &mut Ws, wait: Duration) -> Option<Value> {
    loop {
        match timeout(wait, ws.next()).await.ok()?? {
            Ok(Message::Text(text)) => return serde_json::from_str(text.as_str()).ok(),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
}

async fn next(ws: &mut Ws) -> Value {
    next_within(ws, STEP).await.expect("a frame")
}

/// A member in `room`, its enter answered.
async fn member(addr: SocketAddr, user: &str, room: u32) -> Ws {
    let mut ws = connect(addr).await;
    send(&mut ws, enter_request(user, room, 0)).await;
    let answer = next(&mut ws).await;
    assert_eq!(answer["result"]["ok"]["type"], "entered", "{answer}");
    ws
}

/// Two members of a room of their own, one telling the other reliable custom messages.
struct Bystanders {
    sender: Ws,
    receiver: Ws,
    sent: u32,
}

impl Bystanders {
    async fn enter(addr: SocketAddr, room: u32) -> Bystanders {
        let receiver = member(addr, "bystander-b", room).await;
        let sender = member(addr, "bystander-a", room).await;
        let mut bystanders = Bystanders {
            sender,
            receiver,
            sent: 0,
        };
        let arrival = next(&mut bystanders.receiver).await;
        assert_eq!(arrival["event"]["type"], "memberEntered", "{arrival}");
        bystanders
    }

    /// Run `attack`, the sender saying something every 40 ms meanwhile (within TRTC's 30 a
    /// second); then check that every message reached the receiver once, in order.
    async fn chat_during<T>(&mut self, attack: impl Future<Output = T>) -> T {
        tokio::pin!(attack);
        let mut pace = tokio::time::interval(Duration::from_millis(40));
        let outcome = loop {
            tokio::select! {
                outcome = &mut attack => break outcome,
                _ = pace.tick() => self.say().await,
            }
        };
        self.say().await;
        self.all_heard().await;
        outcome
    }

    async fn say(&mut self) {
        self.sent += 1;
        let seq = self.sent;
        send(
            &mut self.sender,
            json!({"id": 1000 + seq, "type": "message", "cmdId": 1, "seq": seq,
                   "data": "aGk=", "reliable": true, "ordered": true}),
        )
        .await;
    }

    async fn all_heard(&mut self) {
        let mut heard = 0;
        while heard < self.sent {
            let frame = next(&mut self.receiver).await;
            if frame["event"]["type"] != "customMessage" {
                continue;
            }
            heard += 1;
            assert_eq!(frame["event"]["seq"], heard, "{frame}");
            assert_eq!(frame["event"]["userId"], "bystander-a", "{frame}");
        }
        assert!(self.sent > 1, "the bystanders chatted during the attack");
    }
}

/// A WebSocket whose handshake is written by hand, so the test decides every byte after it,
/// and whether it ever reads.
async fn raw_websocket(addr: SocketAddr, receive_buffer: Option<u32>) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    if let Some(bytes) = receive_buffer {
        socket.set_recv_buffer_size(bytes).unwrap();
    }
    let mut tcp = socket.connect(addr).await.unwrap();
    let request = format!(
        "GET /ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        tcp.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    tcp
}

/// A client frame: final, `opcode`, masked with a zero mask (which leaves the payload as is).
fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0x80 | opcode];
    match payload.len() {
        len @ 0..=125 => out.push(0x80 | len as u8),
        len @ 126..=65535 => {
            out.push(0x80 | 126);
            out.extend((len as u16).to_be_bytes());
        }
        len => {
            out.push(0x80 | 127);
            out.extend((len as u64).to_be_bytes());
        }
    }
    out.extend([0, 0, 0, 0]);
    out.extend(payload);
    out
}

const TEXT: u8 = 0x1;
const BINARY: u8 = 0x2;
const PING: u8 = 0x9;

/// The next server frame: its opcode and payload; None when the connection ends.
async fn read_frame(tcp: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut head = [0u8; 2];
    tcp.read_exact(&mut head).await.ok()?;
    let mut len = u64::from(head[1] & 0x7f);
    if len == 126 {
        let mut bytes = [0u8; 2];
        tcp.read_exact(&mut bytes).await.ok()?;
        len = u16::from_be_bytes(bytes).into();
    } else if len == 127 {
        let mut bytes = [0u8; 8];
        tcp.read_exact(&mut bytes).await.ok()?;
        len = u64::from_be_bytes(bytes);
    }
    let mut payload = vec![0u8; usize::try_from(len).ok()?];
    tcp.read_exact(&mut payload).await.ok()?;
    Some((head[0] & 0x0f, payload))
}

/// Read server frames until a close frame: its code; None when the connection ended without
/// one, or nothing came within `wait`.
async fn close_code(tcp: &mut TcpStream, wait: Duration) -> Option<u16> {
    timeout(wait, async {
        loop {
            let (opcode, payload) = read_frame(tcp).await?;
            if opcode == 0x8 {
                return payload
                    .get(..2)
                    .map(|code| u16::from_be_bytes([code[0], code[1]]));
            }
        }
    })
    .await
    .ok()
    .flatten()
}

/// Whether the peer closed the connection within `wait` (whatever it sent first is read and
/// dropped).
async fn closed_within(tcp: &mut TcpStream, wait: Duration) -> bool {
    let mut buffer = [0u8; 4096];
    timeout(wait, async {
        loop {
            match tcp.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    })
    .await
    .is_ok()
}

async fn server(peers: PeerLimits, limits: RoomLimits) -> openroom_server::RunningServer {
    openroom_server::start(ServerConfig {
        peers,
        limits,
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap()
}

/// A server with these limits, two members chatting in a room of their own, and `attack`
/// made against the server meanwhile; every message of theirs must arrive once, in order.
async fn under_attack<Fut: Future>(
    peers: PeerLimits,
    limits: RoomLimits,
    attack: impl FnOnce(SocketAddr) -> Fut,
) -> Fut::Output {
    let server = server(peers, limits).await;
    let addr = server.local_addr();
    let mut bystanders = Bystanders::enter(addr, 1).await;
    let outcome = bystanders.chat_during(attack(addr)).await;
    server.close().await;
    outcome
}

/// The standalone server, for what only a process of its own shows (its memory, its limits).
struct ServerProcess {
    child: Child,
    addr: SocketAddr,
    logs: Arc<Mutex<String>>,
}

impl ServerProcess {
    /// `openroom-server` with `args`, under `ulimit` settings given as a shell prefix.
    fn start(shell_prefix: &str, args: &[&str]) -> ServerProcess {
        let command = format!(
            "{shell_prefix} exec '{}' --listen 127.0.0.1:0 {}",
            env!("CARGO_BIN_EXE_openroom-server"),
            args.join(" ")
        );
        let mut child = Command::new("bash")
            .args(["-c", &command])
            .env("NO_COLOR", "1")
            .env("OPENROOM_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let addr = line
            .split_whitespace()
            .find_map(|word| word.strip_prefix("ws://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .parse()
            .unwrap();
        // The log is drained as it comes, so the server never waits on a full pipe.
        let logs = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let collected = logs.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut buffer) {
                collected
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        ServerProcess { child, addr, logs }
    }

    fn status(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(|| panic!("no {field} in {status}"))
    }

    fn rss_kib(&self) -> u64 {
        self.status("VmRSS:")
    }

    fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A member that pings as fast as it can and never reads: the server's answers to its pings
/// are coalesced once its write buffer is full, so its memory stays bounded. (Before the
/// write buffer had a cap, one such connection grew the server by 125 MB a second.)
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_that_pings_and_never_reads_costs_at_most_the_write_cap() {
    // Pings without a rate, so that only the write buffer's cap stands between the flood and
    // the server's memory.
    let server = ServerProcess::start("", &["--pings-per-second", "1000000"]);
    let mut bystanders = Bystanders::enter(server.addr, 1).await;
    // A small receive buffer: the attacker's side of the socket fills at once.
    let mut attacker = raw_websocket(server.addr, Some(4096)).await;
    let enter = enter_request("pinger", 2, 0).to_string();
    attacker
        .write_all(&frame(TEXT, enter.as_bytes()))
        .await
        .unwrap();
    let (_, answer) = read_frame(&mut attacker).await.unwrap();
    assert!(String::from_utf8_lossy(&answer).contains("entered"));
    let before = server.rss_kib();
    let pings: Vec<u8> = (0..512).flat_map(|_| frame(PING, &[7; 125])).collect();
    let mut written = 0usize;
    bystanders
        .chat_during(async {
            // Whole writes only (a write cut short would corrupt the frames); the server
            // reads them all, so each completes.
            let until = Instant::now() + Duration::from_secs(3);
            while Instant::now() < until {
                match timeout(STEP, attacker.write_all(&pings)).await {
                    Ok(Ok(())) => written += pings.len(),
                    Ok(Err(error)) => panic!("the server stopped taking pings: {error}"),
                    Err(_) => panic!("the server stopped reading the pings"),
                }
            }
        })
        .await;
    let grown = server.rss_kib().saturating_sub(before);
    println!(
        "pinged {} MB without reading; server RSS {before} KiB, grew {grown} KiB",
        written / 1_000_000
    );
    assert!(
        written > 20_000_000,
        "the flood was a flood: {written} bytes"
    );
    // Each pong is 127 bytes: unbounded, 20 MB of pings would have queued 20 MB of pongs.
    assert!(grown < 8 * 1024, "the server grew {grown} KiB");
}

/// A member that floods pings is closed (1008) once past the connection's ping rate: a flood
/// of them no longer keeps a core busy for as long as it lasts.
#[tokio::test]
async fn a_member_that_floods_pings_is_closed_at_the_ping_rate() {
    under_attack(
        PeerLimits::default(),
        RoomLimits::default(),
        |addr| async move {
            let mut attacker = raw_websocket(addr, None).await;
            let enter = enter_request("pinger", 2, 0).to_string();
            attacker
                .write_all(&frame(TEXT, enter.as_bytes()))
                .await
                .unwrap();
            let (_, answer) = read_frame(&mut attacker).await.unwrap();
            assert!(String::from_utf8_lossy(&answer).contains("entered"));
            // 5,000 pings at once: past the burst of 2,000.
            let pings: Vec<u8> = (0..5000).flat_map(|_| frame(PING, b"hi")).collect();
            let started = Instant::now();
            let _ = attacker.write_all(&pings).await;
            assert_eq!(close_code(&mut attacker, STEP).await, Some(1008));
            assert!(started.elapsed() < Duration::from_secs(2));
        },
    )
    .await;
}

/// HTTP clients that send their request headers a byte at a time are closed by the header
/// timeout; a silent TCP socket likewise.
#[tokio::test]
async fn slowloris_clients_and_silent_sockets_are_closed_by_the_header_timeout() {
    let server = server(
        PeerLimits {
            http_header_timeout: Duration::from_millis(300),
            ..PeerLimits::default()
        },
        RoomLimits::default(),
    )
    .await;
    let addr = server.local_addr();
    let mut bystanders = Bystanders::enter(addr, 1).await;
    let started = Instant::now();
    let closed = bystanders
        .chat_during(async {
            let mut slow = Vec::new();
            for i in 0..100 {
                let mut tcp = TcpStream::connect(addr).await.unwrap();
                if i % 2 == 0 {
                    tcp.write_all(b"GET /ws HTTP/1.1\r\nHost: x\r\n")
                        .await
                        .unwrap();
                }
                slow.push(tcp);
            }
            // A byte every 50 ms: never a whole header, but never silent either.
            let trickle = async {
                loop {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    for (i, tcp) in slow.iter_mut().enumerate() {
                        if i % 2 == 0 {
                            let _ = tcp.write_all(b"X").await;
                        }
                    }
                }
            };
            let _ = timeout(Duration::from_millis(400), trickle).await;
            let mut closed = 0;
            for tcp in &mut slow {
                closed += usize::from(closed_within(tcp, Duration::from_secs(2)).await);
            }
            closed
        })
        .await;
    assert_eq!(closed, 100, "every slow or silent connection was closed");
    assert!(started.elapsed() < Duration::from_secs(4));
    server.close().await;
}

/// A WebSocket that never enters a room is closed (1008) at the enter deadline, pings or no
/// pings.
#[tokio::test]
async fn websockets_that_never_enter_are_closed_on_time() {
    let server = server(
        PeerLimits {
            enter_within: Duration::from_millis(400),
            ..PeerLimits::default()
        },
        RoomLimits::default(),
    )
    .await;
    let addr = server.local_addr();
    let mut bystanders = Bystanders::enter(addr, 1).await;
    let codes = bystanders
        .chat_during(async {
            let mut sockets = Vec::new();
            for _ in 0..20 {
                sockets.push(raw_websocket(addr, None).await);
            }
            let opened = Instant::now();
            // Half of them ping every 100 ms: a sign of life is not a room.
            for (i, tcp) in sockets.iter_mut().enumerate() {
                if i % 2 == 0 {
                    tcp.write_all(&frame(PING, b"hi")).await.unwrap();
                }
            }
            let mut codes = Vec::new();
            for tcp in &mut sockets {
                codes.push(close_code(tcp, Duration::from_secs(2)).await);
            }
            (codes, opened.elapsed())
        })
        .await;
    let (codes, took) = codes;
    assert_eq!(codes, vec![Some(1008); 20]);
    assert!(took < Duration::from_secs(2), "closed after {took:?}");
    server.close().await;
}

/// Before entering a room a connection may send a few frames and bytes: a flood of large
/// frames, or of pings, is cut off (1008) after 64 KiB or 48 frames; a frame over 16 KiB is
/// refused (1009) whatever else.
#[tokio::test]
async fn floods_before_entering_are_cut_off_and_large_frames_refused() {
    under_attack(
        PeerLimits::default(),
        RoomLimits::default(),
        |addr| async move {
            // 15 KiB publish frames, as fast as the socket takes them.
            let mut flooder = raw_websocket(addr, None).await;
            let padding = "x".repeat(15 * 1024);
            let big =
                json!({"id": 1, "type": "publish", "audio": true, "video": true, "pad": padding});
            let big = frame(TEXT, big.to_string().as_bytes());
            let mut written = 0;
            for _ in 0..2000 {
                if flooder.write_all(&big).await.is_err() {
                    break;
                }
                written += big.len();
                if written > 1024 * 1024 {
                    break;
                }
            }
            assert_eq!(close_code(&mut flooder, STEP).await, Some(1008));

            let mut pinger = raw_websocket(addr, None).await;
            for _ in 0..100 {
                if pinger.write_all(&frame(PING, b"hi")).await.is_err() {
                    break;
                }
            }
            assert_eq!(close_code(&mut pinger, STEP).await, Some(1008));

            let mut oversized = raw_websocket(addr, None).await;
            let huge = vec![b'x'; 17 * 1024];
            let _ = oversized.write_all(&frame(TEXT, &huge)).await;
            assert_eq!(close_code(&mut oversized, STEP).await, Some(1009));
        },
    )
    .await;
}

/// Frames that are not the protocol close the connection with the code that says why: 1003 a
/// binary frame, 1007 text that is not UTF-8, 1002 a frame that is not WebSocket.
#[tokio::test]
async fn bad_frames_close_the_connection_with_their_code() {
    under_attack(
        PeerLimits::default(),
        RoomLimits::default(),
        |addr| async move {
            for (bytes, code) in [
                (frame(BINARY, b"\x00\x01"), 1003),
                (frame(TEXT, b"\xff\xfe not utf-8"), 1007),
                // Reserved opcode 3.
                (frame(0x3, b"?"), 1002),
            ] {
                let mut tcp = raw_websocket(addr, None).await;
                tcp.write_all(&bytes).await.unwrap();
                assert_eq!(close_code(&mut tcp, STEP).await, Some(code));
            }
        },
    )
    .await;
}

/// One user entering and leaving rooms in a loop opens them at its rate and no faster, so it
/// cannot fill the server's room limit; another user is not held back.
#[tokio::test]
async fn one_user_opening_rooms_in_a_loop_is_held_to_its_rate() {
    let server = server(
        PeerLimits {
            requests_per_second: 1000,
            ..PeerLimits::default()
        },
        RoomLimits {
            rooms_per_user_per_second: 5,
            empty_room_timeout: Duration::from_secs(60),
            ..RoomLimits::default()
        },
    )
    .await;
    let addr = server.local_addr();
    let mut bystanders = Bystanders::enter(addr, 1).await;
    let (opened, refusals) = bystanders
        .chat_during(async {
            let mut ws = connect(addr).await;
            let (mut opened, mut refusals) = (0, Vec::new());
            for room in 100..160 {
                send(&mut ws, enter_request("opener", room, 0)).await;
                let answer = next(&mut ws).await;
                if answer["result"]["ok"]["type"] == "entered" {
                    opened += 1;
                    send(&mut ws, json!({"id": 2, "type": "exit"})).await;
                    assert_eq!(next(&mut ws).await["result"]["ok"]["type"], "exited");
                } else {
                    refusals.push(answer["result"]["error"].clone());
                }
            }
            (opened, refusals)
        })
        .await;
    // A burst of twice the rate, and what the rate refilled while the loop ran.
    assert!((10..=14).contains(&opened), "opened {opened}");
    assert_eq!(server.rooms().len(), opened + 1);
    let refusal = &refusals[0];
    assert_eq!(refusal["code"], -7010, "{refusal}");
    let message = refusal["message"].as_str().unwrap();
    assert!(message.contains("5 a second"), "{message}");
    // Someone else opens a room at once.
    member(addr, "someone-else", 999).await;
    server.close().await;
}

/// A session asking for state changes faster than the server takes them: enters and role
/// switches beyond the rate are refused (-7010) and change nothing; publishing is never
/// refused, and what the session published last is what the room shows.
#[tokio::test]
async fn state_changes_beyond_the_rate_are_refused_and_publishing_lands_last() {
    let server = server(
        PeerLimits {
            requests_per_second: 5,
            ..PeerLimits::default()
        },
        RoomLimits::default(),
    )
    .await;
    let addr = server.local_addr();
    let mut bystanders = Bystanders::enter(addr, 1).await;
    let mut watcher = member(addr, "watcher", 7).await;
    bystanders
        .chat_during(async {
            let mut ws = connect(addr).await;
            // LIVE, so switchRole is allowed.
            send(&mut ws, enter_request("toggler", 7, 1)).await;
            assert_eq!(next(&mut ws).await["result"]["ok"]["type"], "entered");
            let arrival = next(&mut watcher).await;
            assert_eq!(arrival["event"]["type"], "memberEntered", "{arrival}");
            // 40 publishing changes at once, the last with audio on.
            for n in 0..40 {
                send(
                    &mut ws,
                    json!({"id": 100 + n, "type": "publish", "audio": n % 2 == 1, "video": false}),
                )
                .await;
            }
            // 20 role switches to anchor (no change): some are refused, none breaks anything.
            for n in 0..20 {
                send(
                    &mut ws,
                    json!({"id": 200 + n, "type": "switchRole", "role": 20}),
                )
                .await;
            }
            let mut refused = 0;
            let mut answered = 0;
            while answered < 20 {
                let frame = next(&mut ws).await;
                let Some(id) = frame["id"].as_u64() else {
                    continue;
                };
                assert!(id >= 200, "publishing is never answered: {frame}");
                answered += 1;
                if frame["result"]["error"]["code"] == -7010 {
                    refused += 1;
                }
            }
            assert!(refused > 0, "switchRole beyond the rate was refused");
            // The watcher's view ends with audio on, once the held-back state lands: what it
            // sees until the room goes quiet.
            let (mut audio, mut changes) = (None, 0);
            while let Some(frame) = next_within(&mut watcher, Duration::from_millis(700)).await {
                if frame["event"]["type"] == "audioAvailable" {
                    audio = frame["event"]["available"].as_bool();
                    changes += 1;
                }
            }
            assert_eq!(audio, Some(true));
            // The burst's ten, and the latest of the rest; not forty.
            assert!(changes <= 11, "{changes} changes shown");
        })
        .await;
    server.close().await;
}

/// A REST client that never finishes its body gets 408 at the body timeout; an idle
/// keep-alive connection is closed at the header timeout.
#[tokio::test]
async fn rest_clients_that_never_finish_are_timed_out() {
    under_attack(
        PeerLimits {
            http_body_timeout: Duration::from_millis(300),
            http_header_timeout: Duration::from_millis(500),
            ..PeerLimits::default()
        },
        RoomLimits::default(),
        |addr| async move {
            let admin = sig(ADMIN_IDENTIFIER);
            let mut tcp = TcpStream::connect(addr).await.unwrap();
            let head = format!(
                "POST /v1/ListRooms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {admin}\r\n\
                 Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"SdkAppId\""
            );
            tcp.write_all(head.as_bytes()).await.unwrap();
            let started = Instant::now();
            let mut response = vec![0u8; 4096];
            let n = timeout(STEP, tcp.read(&mut response))
                .await
                .unwrap()
                .unwrap();
            let response = String::from_utf8_lossy(&response[..n]).to_string();
            assert!(response.starts_with("HTTP/1.1 408"), "{response}");
            assert!(response.contains("RequestTimeout"), "{response}");
            assert!(started.elapsed() < Duration::from_secs(2));

            // A whole call, then nothing: the keep-alive connection is closed.
            let mut tcp = TcpStream::connect(addr).await.unwrap();
            let body = json!({"SdkAppId": DEV_SDK_APP_ID}).to_string();
            let call = format!(
                "POST /v1/ListRooms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {admin}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            tcp.write_all(call.as_bytes()).await.unwrap();
            let n = timeout(STEP, tcp.read(&mut vec![0u8; 4096]))
                .await
                .unwrap()
                .unwrap();
            assert!(n > 0);
            let idle = Instant::now();
            assert!(closed_within(&mut tcp, STEP).await);
            assert!(
                idle.elapsed() >= Duration::from_millis(400),
                "{:?}",
                idle.elapsed()
            );
        },
    )
    .await;
}

/// An HTTP client that pipelines requests and never reads the answers: the server's writes
/// stop, and at the write timeout the connection is closed (hyper's header timer does not run
/// while it writes).
#[tokio::test]
async fn an_http_client_that_never_reads_its_answers_is_closed_at_the_write_timeout() {
    under_attack(
        PeerLimits {
            write_timeout: Duration::from_millis(500),
            ..PeerLimits::default()
        },
        RoomLimits::default(),
        |addr| async move {
            let socket = TcpSocket::new_v4().unwrap();
            socket.set_recv_buffer_size(4096).unwrap();
            let mut tcp = socket.connect(addr).await.unwrap();
            // 20,000 requests for a page that does not exist: about 14 MB of 404 answers, more
            // than the kernel's buffers hold.
            let requests = "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n".repeat(20_000);
            let _ = timeout(STEP, tcp.write_all(requests.as_bytes())).await;
            // Longer than the write timeout, reading nothing.
            tokio::time::sleep(Duration::from_millis(1500)).await;
            assert!(
                closed_within(&mut tcp, STEP).await,
                "the server closed the connection"
            );
        },
    )
    .await;
}

/// The server raises its soft open-files limit to the hard one at start, and says so.
#[cfg(target_os = "linux")]
#[test]
fn the_open_files_limit_is_raised_to_the_hard_limit() {
    let server = ServerProcess::start("ulimit -Sn 256;", &[]);
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", server.child.id())).unwrap();
    let open_files: Vec<&str> = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .unwrap()
        .split_whitespace()
        .collect();
    // "Max open files <soft> <hard> files"
    assert_eq!(open_files[3], open_files[4], "{limits}");
    assert_ne!(open_files[3], "256");
    let deadline = Instant::now() + STEP;
    while !server.logs().contains("open-files limit") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        server
            .logs()
            .contains(&format!("open_files={}", open_files[3])),
        "{}",
        server.logs()
    );
}

/// At its open-files limit the server stops accepting for a while, logs it once a second at
/// most, and the sessions it has carry on; once sockets close it accepts again.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_open_files_limit_accepting_backs_off_and_sessions_carry_on() {
    // A hard limit the server cannot raise, with room for a few dozen sockets.
    let server = ServerProcess::start("ulimit -n 48;", &["--http-header-timeout", "30s"]);
    let addr = server.addr;
    let mut bystanders = Bystanders::enter(addr, 1).await;
    let silent = bystanders
        .chat_during(async {
            let mut silent = Vec::new();
            for _ in 0..80 {
                if let Ok(Ok(tcp)) =
                    timeout(Duration::from_millis(200), TcpStream::connect(addr)).await
                {
                    silent.push(tcp);
                }
            }
            // Two seconds at the limit.
            tokio::time::sleep(Duration::from_secs(2)).await;
            silent
        })
        .await;
    let logs = server.logs();
    let lines = logs.matches("cannot accept connections").count();
    assert!(
        (1..=4).contains(&lines),
        "logged {lines} times in ~2 s:\n{logs}"
    );
    drop(silent);
    // With the sockets gone, a newcomer gets in.
    let enter = async {
        loop {
            if let Ok(Ok((mut ws, _))) = timeout(
                Duration::from_secs(1),
                tokio_tungstenite::connect_async(format!("ws://{addr}/ws")),
            )
            .await
            {
                send(&mut ws, enter_request("newcomer", 3, 0)).await;
                if let Some(answer) = next_within(&mut ws, Duration::from_secs(1)).await {
                    return answer;
                }
            }
        }
    };
    let answer = timeout(Duration::from_secs(10), enter).await.unwrap();
    assert_eq!(answer["result"]["ok"]["type"], "entered", "{answer}");
}
