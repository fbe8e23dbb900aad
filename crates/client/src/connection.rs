//! Connections to the room server. One WebSocket (a [`Transport`]) is shared by the sessions
//! of a TRTCCloud and its sub-clouds; each session talks on a channel of it (a
//! [`Connection`]): send requests with fresh ids, read the server's frames for that channel.
//!
//! Two tasks serve a socket, so that neither side of it can hold up the other:
//! - the writer writes what the channels send, each burst within the write timeout (derived
//!   from the server's heartbeat): a server that stops reading ends the socket as lost, and
//!   nothing waits behind a write that never ends. Sending never waits: a session queues its
//!   frame and goes on (what it may queue is bounded, [`OUTBOUND_BYTES`]).
//! - the router reads the server's frames and routes them by their `"sub"` field (channel 0
//!   has none) to the channels. Frames wait for their sessions in at most [`INBOUND_BYTES`];
//!   when that is full (the app cannot keep up) the router stops reading the socket, so the
//!   server's slow-member rule applies rather than this process buffering without end.
//!
//! A ping acknowledges one channel's events (`openroom_protocol::channel` defines both). The
//! socket is opened when a session first needs it and closed when the last channel is done
//! with it; a channel dropped without a clean close (its session found the connection dead)
//! marks the socket as not to be reused.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use openroom_protocol::channel::{ordinary_frame_channel, ping_payload, tagged, ChannelTag};
use openroom_protocol::limits::MAX_SERVER_FRAME_BYTES;
use openroom_protocol::{
    ClientFrame, ClientRequest, MessageRequest, ServerFrame, MAX_CHANNELS_PER_CONNECTION,
    SIGNALING_PATH,
};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio::time::{timeout, Instant};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

use crate::tls::{self, Trust};

/// Bytes of server frames routed to this socket's channels and not yet taken by their
/// sessions. Past it the router stops reading the socket until the sessions catch up (a frame
/// larger than this goes alone).
pub const INBOUND_BYTES: usize = 1024 * 1024;

/// Bytes the channels of one socket may have queued for writing. A session's frames are
/// bounded before they get here (custom messages by
/// [`openroom_protocol::custom::MAX_UNACKNOWLEDGED_MESSAGES`], about 1.5 MB per channel when
/// all are resent at once after a resume; requests by the calls waiting), so this is above
/// what 16 channels can legitimately queue, and reaching it means the server has stopped
/// reading: the socket is given up as lost. The write deadline usually says so first.
pub const OUTBOUND_BYTES: usize = 32 * 1024 * 1024;

/// How long a write may take before the socket counts as lost, until a session sets it from
/// the server's heartbeat (see [`Connection::set_write_timeout`]).
pub const FIRST_WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Frames the writer hands the socket with one flush, at most.
const WRITE_BURST: usize = 64;

/// Read chunk size of a signaling socket; larger frames still arrive, in several reads.
const SOCKET_BUFFER_BYTES: usize = 4 * 1024;

/// Most bytes of this client's own frames (and automatic answers to the server's pings) its
/// socket buffers: a server that pings and never reads cannot grow it.
const SOCKET_WRITE_CAP_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ConnectionError {
    #[error("serverUrl {0:?} is not a ws://, wss://, http:// or https:// URL (e.g. ws://127.0.0.1:7788)")]
    BadUrl(String),
    /// The server's certificate was refused: trying again cannot help.
    #[error("the TLS handshake with {url} failed: {reason}")]
    Certificate { url: String, reason: String },
    #[error("cannot connect to {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("the server closed the connection{}", .0.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())]
    Closed(Option<String>),
    #[error("connection failed: {0}")]
    Broken(String),
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A server frame's text on its way to a channel, or why there will be no more. A copy:
/// sharing the socket's read buffer instead would keep each 4 KiB buffer alive until the
/// session has handled the frame, and the allocator holds on to more memory.
type FrameSender = mpsc::UnboundedSender<Result<String, ConnectionError>>;

/// What a channel asks of the router.
enum Command {
    Open {
        sub: u32,
        frames: FrameSender,
    },
    /// A clean end of the channel; `last`: the socket closes with it.
    Close {
        sub: u32,
        last: bool,
        done: oneshot::Sender<()>,
    },
    /// The channel's session found the connection dead; `last`: the socket is dropped.
    Abandon {
        sub: u32,
        last: bool,
    },
}

/// What the writer writes.
enum Write {
    Frame(Message),
    /// A custom message's frame: once it is written, its channel's record of the last
    /// message written moves on to `seq`.
    Message {
        frame: Message,
        written: Arc<AtomicU32>,
        seq: u32,
    },
    /// Close the WebSocket with this frame, then stop.
    Close(CloseFrame),
    /// Stop without a close (the connection is abandoned).
    Stop,
}

/// What the socket's tasks and its channels share.
struct Shared {
    /// When the server was last heard from (any frame, pongs included).
    last_heard: Mutex<Instant>,
    /// Set while the router waits for the sessions to take what it routed: the server is not
    /// silent then, this process is slow.
    router_waiting: AtomicBool,
    /// Room for frames routed to channels and not yet taken, in bytes ([`INBOUND_BYTES`]).
    inbound_room: Semaphore,
    /// Bytes queued for the writer and not yet written.
    outbound_bytes: AtomicUsize,
    /// The write timeout, in milliseconds.
    write_timeout_ms: AtomicU64,
    /// Cancelled when the socket fails, whichever task found it: both stop.
    failed: CancellationToken,
    /// Why it failed, for the channels.
    failure: Mutex<Option<ConnectionError>>,
    /// The channels on the socket. Channels open and close under this lock, and queue their
    /// command to the router while holding it, so the router sees them in that order and
    /// never closes the socket under a channel just opened.
    channels: Mutex<ChannelCount>,
}

struct ChannelCount {
    next_sub: u32,
    open: usize,
    /// Channels the server ended (a `closed` frame) that their sessions still hold: dropping
    /// one of them says nothing about the socket.
    ended_by_server: HashSet<u32>,
    /// False once the socket failed, its last channel closed, or a channel found it dead: no
    /// new channel goes on it.
    usable: bool,
}

impl Shared {
    fn heard(&self) {
        *self.last_heard.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    }

    fn last_heard(&self) -> Instant {
        if self.router_waiting.load(Ordering::Relaxed) {
            return Instant::now();
        }
        *self.last_heard.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn channels(&self) -> std::sync::MutexGuard<'_, ChannelCount> {
        self.channels.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The socket failed: the first reason given is the one every channel hears.
    fn fail(&self, error: ConnectionError) {
        let mut failure = self.failure.lock().unwrap_or_else(|p| p.into_inner());
        if failure.is_none() {
            *failure = Some(error);
        }
        drop(failure);
        self.channels().usable = false;
        self.failed.cancel();
    }

    fn failure(&self) -> ConnectionError {
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .unwrap_or_else(|| ConnectionError::Broken("the connection's task ended".into()))
    }

    /// Queue a write, counting its bytes until the writer has written them; past
    /// [`OUTBOUND_BYTES`] the server has stopped reading, and the socket fails. On a socket
    /// that failed the write is dropped: the session hears of the failure from
    /// [`Connection::next_frame`], after every frame the server sent before it (an `ejected`
    /// event followed by the close, say), never from a send that happened to come first.
    fn queue(&self, writes: &mpsc::UnboundedSender<Write>, write: Write) {
        if self.failed.is_cancelled() {
            return;
        }
        let bytes = match &write {
            Write::Frame(message) | Write::Message { frame: message, .. } => message.len(),
            Write::Close(_) | Write::Stop => 0,
        };
        let queued = self.outbound_bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if queued > OUTBOUND_BYTES {
            self.fail(ConnectionError::Broken(format!(
                "{queued} bytes wait to be written: the server has stopped reading"
            )));
            return;
        }
        if writes.send(write).is_err() {
            self.outbound_bytes.fetch_sub(bytes, Ordering::Relaxed);
        }
    }

    fn write_timeout(&self) -> Duration {
        Duration::from_millis(self.write_timeout_ms.load(Ordering::Relaxed))
    }
}

/// What a frame takes of the inbound room: its size, or all of it for a larger frame.
fn inbound_cost(text: &str) -> u32 {
    text.len().min(INBOUND_BYTES) as u32
}

/// One socket's handle.
struct Physical {
    commands: mpsc::UnboundedSender<Command>,
    writes: mpsc::UnboundedSender<Write>,
    shared: Arc<Shared>,
}

impl Physical {
    async fn connect(server_url: &str, trust: &Trust) -> Result<Physical, ConnectionError> {
        let url = signaling_url(server_url)?;
        tracing::debug!(%url, "opening a WebSocket to the room server");
        let connector = if url.starts_with("wss://") {
            let config = trust
                .client_config()
                .map_err(|reason| ConnectionError::Connect {
                    url: url.clone(),
                    reason,
                })?;
            Some(Connector::Rustls(config))
        } else {
            Some(Connector::Plain)
        };
        // Signaling frames are small and latency-bound: send each at once (no Nagle delay).
        let (socket, _) = tokio_tungstenite::connect_async_tls_with_config(
            url.as_str(),
            Some(socket_config()),
            true,
            connector,
        )
        .await
        .map_err(|error| match tls::certificate_failure(&error) {
            Some(reason) => ConnectionError::Certificate {
                url: url.clone(),
                reason,
            },
            None => ConnectionError::Connect {
                url: url.clone(),
                reason: error.to_string(),
            },
        })?;
        let shared = Arc::new(Shared {
            last_heard: Mutex::new(Instant::now()),
            router_waiting: AtomicBool::new(false),
            inbound_room: Semaphore::new(INBOUND_BYTES),
            outbound_bytes: AtomicUsize::new(0),
            write_timeout_ms: AtomicU64::new(FIRST_WRITE_TIMEOUT.as_millis() as u64),
            failed: CancellationToken::new(),
            failure: Mutex::new(None),
            channels: Mutex::new(ChannelCount {
                next_sub: 0,
                open: 0,
                ended_by_server: HashSet::new(),
                usable: true,
            }),
        });
        let (sink, stream) = socket.split();
        let (commands, inbox) = mpsc::unbounded_channel();
        let (writes, queue) = mpsc::unbounded_channel();
        tokio::spawn(write_socket(sink, queue, shared.clone()));
        tokio::spawn(route_socket(stream, inbox, writes.clone(), shared.clone()));
        Ok(Physical {
            commands,
            writes,
            shared,
        })
    }

    /// A new channel on this socket, or None when the socket is not to be used any more.
    fn channel(&self) -> Option<Connection> {
        let mut channels = self.shared.channels();
        // A full socket takes no more: the next channel goes on a new one.
        if !channels.usable || channels.open >= MAX_CHANNELS_PER_CONNECTION {
            return None;
        }
        let sub = channels.next_sub;
        let (frames_tx, frames) = mpsc::unbounded_channel();
        let open = Command::Open {
            sub,
            frames: frames_tx,
        };
        if self.commands.send(open).is_err() {
            channels.usable = false;
            return None;
        }
        channels.next_sub += 1;
        channels.open += 1;
        drop(channels);
        Some(Connection {
            sub,
            frames,
            commands: self.commands.clone(),
            writes: self.writes.clone(),
            shared: self.shared.clone(),
            messages_written: Arc::new(AtomicU32::new(0)),
            last_request_id: 0,
            unreadable: Vec::new(),
            closed: false,
        })
    }
}

/// Where an engine's sessions get their connections: one socket, shared by a TRTCCloud and
/// its sub-clouds. Cloning shares it.
#[derive(Clone, Default)]
pub struct Transport {
    current: Arc<tokio::sync::Mutex<Option<Physical>>>,
    /// Whom a `wss://` server's certificate must be signed by.
    trust: Arc<Trust>,
}

impl Transport {
    /// A transport whose `wss://` connections trust `trust`.
    pub fn new(trust: Trust) -> Self {
        Transport {
            current: Arc::default(),
            trust: Arc::new(trust),
        }
    }

    /// A channel on the shared socket, connecting a new socket when there is none usable.
    /// Sessions that ask at the same moment share the one new socket.
    pub async fn open(&self, server_url: &str) -> Result<Connection, ConnectionError> {
        let mut current = self.current.lock().await;
        if let Some(connection) = current.as_ref().and_then(Physical::channel) {
            return Ok(connection);
        }
        let physical = Physical::connect(server_url, &self.trust).await?;
        let connection = physical
            .channel()
            .ok_or_else(|| ConnectionError::Broken("the new connection closed at once".into()))?;
        *current = Some(physical);
        Ok(connection)
    }
}

/// The writer: writes what the channels queue, a burst at a time, each burst within the
/// write timeout. A write that fails or cannot finish in time fails the socket.
async fn write_socket(
    mut sink: SplitSink<Socket, Message>,
    mut queue: mpsc::UnboundedReceiver<Write>,
    shared: Arc<Shared>,
) {
    loop {
        let first = tokio::select! {
            biased;
            _ = shared.failed.cancelled() => return,
            write = queue.recv() => write,
        };
        let Some(first) = first else { return };
        let deadline = shared.write_timeout();
        let mut closing = None;
        let mut stop = false;
        let mut written = 0;
        // Custom messages in the burst: recorded as written once the burst is flushed.
        let mut messages = Vec::new();
        let burst = async {
            let mut next = Some(first);
            let mut taken = 0;
            while let Some(write) = next.take() {
                match write {
                    Write::Frame(message) => {
                        written += message.len();
                        sink.feed(message).await?;
                    }
                    Write::Message {
                        frame,
                        written: record,
                        seq,
                    } => {
                        written += frame.len();
                        sink.feed(frame).await?;
                        messages.push((record, seq));
                    }
                    Write::Close(frame) => closing = Some(frame),
                    Write::Stop => stop = true,
                }
                taken += 1;
                if closing.is_some() || stop || taken == WRITE_BURST {
                    break;
                }
                next = queue.try_recv().ok();
            }
            sink.flush().await
        };
        let outcome = tokio::select! {
            biased;
            _ = shared.failed.cancelled() => return,
            outcome = timeout(deadline, burst) => outcome,
        };
        shared.outbound_bytes.fetch_sub(written, Ordering::Relaxed);
        match outcome {
            Ok(Ok(())) => {
                for (record, seq) in messages {
                    record.fetch_max(seq, Ordering::Relaxed);
                }
            }
            Ok(Err(error)) => {
                shared.fail(ConnectionError::Broken(error.to_string()));
                return;
            }
            Err(_) => {
                shared.fail(ConnectionError::Broken(format!(
                    "the server took none of our frames for {} ms: it has stopped reading",
                    deadline.as_millis()
                )));
                return;
            }
        }
        if let Some(frame) = closing {
            // A courtesy: the session bounds how long it waits for it.
            let close = async {
                sink.send(Message::Close(Some(frame))).await?;
                sink.close().await
            };
            let _ = timeout(deadline, close).await;
            return;
        }
        if stop {
            return;
        }
    }
}

/// The router: reads the server's frames and hands each to its channel, waiting while the
/// channels hold [`INBOUND_BYTES`] not yet taken; opens and closes channels as asked; ends
/// when no channel is left or the socket fails.
async fn route_socket(
    mut stream: SplitStream<Socket>,
    mut commands: mpsc::UnboundedReceiver<Command>,
    writes: mpsc::UnboundedSender<Write>,
    shared: Arc<Shared>,
) {
    let mut channels: HashMap<u32, FrameSender> = HashMap::new();
    // A frame read that waits for room before it is routed.
    let mut waiting: Option<String> = None;
    let mut failed = false;
    loop {
        tokio::select! {
            biased;
            command = commands.recv() => {
                let Some(command) = command else { break };
                if handle(command, &mut channels, &writes, &shared, failed) {
                    break;
                }
            }
            _ = shared.failed.cancelled(), if !failed => {
                failed = true;
                waiting = None;
                shared.router_waiting.store(false, Ordering::Relaxed);
                let error = shared.failure();
                for channel in channels.values() {
                    let _ = channel.send(Err(error.clone()));
                }
            }
            permit = shared.inbound_room.acquire_many(waiting.as_deref().map_or(0, inbound_cost)), if waiting.is_some() && !failed => {
                if let (Ok(permit), Some(text)) = (permit, waiting.take()) {
                    permit.forget();
                    shared.router_waiting.store(false, Ordering::Relaxed);
                    shared.heard();
                    route(&mut channels, &shared, text);
                }
            }
            message = stream.next(), if waiting.is_none() && !failed => {
                shared.heard();
                match message {
                    Some(Ok(Message::Text(text))) => {
                        let text = text.as_str().to_owned();
                        match shared.inbound_room.try_acquire_many(inbound_cost(&text)) {
                            Ok(permit) => {
                                permit.forget();
                                route(&mut channels, &shared, text);
                            }
                            Err(_) => {
                                // The sessions are behind: read no more until they catch up.
                                shared.router_waiting.store(true, Ordering::Relaxed);
                                waiting = Some(text);
                            }
                        }
                    }
                    Some(Ok(Message::Close(frame))) => {
                        let reason = frame.map(|f| format!("{}: {}", u16::from(f.code), f.reason.as_str()));
                        shared.fail(ConnectionError::Closed(reason));
                    }
                    Some(Ok(_)) => {}
                    Some(Err(error)) => shared.fail(ConnectionError::Broken(error.to_string())),
                    None => shared.fail(ConnectionError::Closed(None)),
                }
            }
        }
    }
    // No channel is left: the writer stops too, after what is queued (a close frame).
    let _ = writes.send(Write::Stop);
}

/// A channel's command; true when the socket is done (its last channel closed).
fn handle(
    command: Command,
    channels: &mut HashMap<u32, FrameSender>,
    writes: &mpsc::UnboundedSender<Write>,
    shared: &Shared,
    failed: bool,
) -> bool {
    match command {
        Command::Open { sub, frames } => {
            if failed {
                let _ = frames.send(Err(shared.failure()));
            }
            channels.insert(sub, frames);
            false
        }
        Command::Close { sub, last, done } => {
            channels.remove(&sub);
            if !failed {
                let write = if last {
                    Write::Close(CloseFrame {
                        code: CloseCode::Normal,
                        reason: "".into(),
                    })
                } else {
                    let close = serde_json::json!({"type": "close", "sub": sub});
                    Write::Frame(Message::text(close.to_string()))
                };
                shared.queue(writes, write);
            }
            let _ = done.send(());
            // The writer sends the close frame and stops; the router is done.
            last
        }
        Command::Abandon { sub, last } => {
            channels.remove(&sub);
            if last {
                // Dropped without a close: the server parks the sessions.
                let _ = writes.send(Write::Stop);
                return true;
            }
            if !failed {
                // Its session parks on the server, to be resumed elsewhere.
                let abandon = serde_json::json!({"type": "abandon", "sub": sub});
                shared.queue(writes, Write::Frame(Message::text(abandon.to_string())));
            }
            false
        }
    }
}

/// Hand a server frame to its channel (it has taken its room); a `closed` frame ends that
/// channel. A frame nobody takes gives its room back.
fn route(channels: &mut HashMap<u32, FrameSender>, shared: &Shared, text: String) {
    if let Some(sub) = ordinary_frame_channel(&text) {
        return deliver(channels, shared, sub, text);
    }
    let Some(tag) = ChannelTag::of(&text) else {
        // Unreadable: channel 0 hears it (and reports it); the others never see it.
        return deliver(channels, shared, 0, text);
    };
    if tag.kind.as_deref() == Some("closed") {
        if let Some(channel) = channels.remove(&tag.sub) {
            shared.channels().ended_by_server.insert(tag.sub);
            let reason = tag
                .code
                .map(|code| format!("{code}: {}", tag.reason.clone().unwrap_or_default()));
            let _ = channel.send(Err(ConnectionError::Closed(reason)));
        }
        shared
            .inbound_room
            .add_permits(inbound_cost(&text) as usize);
        return;
    }
    deliver(channels, shared, tag.sub, text);
}

/// Hand a frame to channel `sub`; a frame with no channel to take it gives its room back.
fn deliver(channels: &HashMap<u32, FrameSender>, shared: &Shared, sub: u32, text: String) {
    let cost = inbound_cost(&text) as usize;
    let delivered = channels
        .get(&sub)
        .is_some_and(|channel| channel.send(Ok(text)).is_ok());
    if !delivered {
        shared.inbound_room.add_permits(cost);
    }
}

/// The signaling URL for a server URL as an app gives it: `ws://host:port`, `http://host:port`,
/// or either with a path prefix (a reverse proxy); `/ws` is appended unless already there.
pub fn signaling_url(server_url: &str) -> Result<String, ConnectionError> {
    let trimmed = server_url.trim().trim_end_matches('/');
    let (scheme, rest) = trimmed
        .split_once("://")
        .ok_or_else(|| ConnectionError::BadUrl(server_url.to_owned()))?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "ws" | "http" => "ws",
        "wss" | "https" => "wss",
        _ => return Err(ConnectionError::BadUrl(server_url.to_owned())),
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Err(ConnectionError::BadUrl(server_url.to_owned()));
    }
    let path = if rest.ends_with(SIGNALING_PATH) {
        ""
    } else {
        SIGNALING_PATH
    };
    Ok(format!("{scheme}://{rest}{path}"))
}

/// Small buffers: tungstenite's defaults (128 KiB each way) would cost a quarter of a megabyte
/// per session for frames of a few hundred bytes. The largest frame taken from a server is
/// [`MAX_SERVER_FRAME_BYTES`]; a larger one ends the connection.
fn socket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(SOCKET_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_write_buffer_size(SOCKET_WRITE_CAP_BYTES)
        .max_message_size(Some(MAX_SERVER_FRAME_BYTES))
        .max_frame_size(Some(MAX_SERVER_FRAME_BYTES))
}

/// One session's channel to the room server.
pub struct Connection {
    sub: u32,
    frames: mpsc::UnboundedReceiver<Result<String, ConnectionError>>,
    commands: mpsc::UnboundedSender<Command>,
    writes: mpsc::UnboundedSender<Write>,
    shared: Arc<Shared>,
    /// The seq of the last custom message the writer has handed the socket on this channel.
    messages_written: Arc<AtomicU32>,
    last_request_id: u64,
    /// Frames this channel could not read, not yet reported (the first few of a run).
    unreadable: Vec<String>,
    closed: bool,
}

impl Connection {
    /// Queue a request for the socket; returns the id its response will carry. Never waits
    /// and never fails here: the writer writes it, within the write timeout, or fails the
    /// socket, which the session hears of from [`Connection::next_frame`] in its place among
    /// the server's frames.
    pub fn send(&mut self, request: ClientRequest) -> u64 {
        let (id, frame) = self.frame(request);
        self.shared.queue(&self.writes, Write::Frame(frame));
        id
    }

    /// Queue a custom message, as [`Connection::send`] queues a request; once the writer has
    /// handed it to the socket, [`Connection::messages_written`] says so.
    pub fn send_message(&mut self, message: MessageRequest) {
        let seq = message.seq;
        let (_, frame) = self.frame(ClientRequest::Message(message));
        let write = Write::Message {
            frame,
            written: self.messages_written.clone(),
            seq,
        };
        self.shared.queue(&self.writes, write);
    }

    /// The seq of the last custom message written to the socket on this channel (0: none).
    /// Those after it never left this process.
    pub fn messages_written(&self) -> u32 {
        self.messages_written.load(Ordering::Relaxed)
    }

    /// A request with a fresh id, as its frame for this channel.
    fn frame(&mut self, request: ClientRequest) -> (u64, Message) {
        self.last_request_id += 1;
        let frame = ClientFrame {
            id: self.last_request_id,
            request,
        };
        let text = serde_json::to_string(&frame).expect("client frames always serialize");
        (self.last_request_id, Message::text(tagged(self.sub, text)))
    }

    /// Ask the server for a sign of life (a WebSocket ping; its pong counts as heard). The
    /// ping carries `last_seq`, the last room event this channel received: the server need
    /// not keep anything older for a resume.
    pub fn ping(&mut self, last_seq: u64) {
        let ping = Message::Ping(ping_payload(self.sub, last_seq).into());
        self.shared.queue(&self.writes, Write::Frame(ping));
    }

    /// How long a write may take before the socket counts as lost: the session sets it from
    /// the server's heartbeat once entered.
    pub fn set_write_timeout(&self, limit: Duration) {
        let ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX).max(1);
        self.shared.write_timeout_ms.store(ms, Ordering::Relaxed);
    }

    /// When the server was last heard from, on this channel's socket (now, while this
    /// process is the one behind).
    pub fn last_heard(&self) -> Instant {
        self.shared.last_heard()
    }

    /// The next frame from the server for this channel. A frame this client cannot read is
    /// skipped (see [`Connection::take_unreadable`]). Cancel-safe: nothing is lost if the
    /// future is dropped.
    pub async fn next_frame(&mut self) -> Result<ServerFrame, ConnectionError> {
        loop {
            let text = match self.frames.recv().await {
                Some(Ok(text)) => text,
                Some(Err(error)) => return Err(error),
                None => return Err(ConnectionError::Closed(None)),
            };
            self.shared
                .inbound_room
                .add_permits(inbound_cost(&text) as usize);
            match ServerFrame::from_json(&text) {
                Ok(frame) => return Ok(frame),
                Err(error) => {
                    /// What a report shows of a frame, and how many frames a run reports.
                    const SHOWN: usize = 200;
                    const REPORTED: usize = 16;
                    tracing::warn!(%error, "unreadable frame from the server; skipped");
                    if self.unreadable.len() < REPORTED {
                        let shown: String = text.chars().take(SHOWN).collect();
                        self.unreadable.push(format!("{error}: {shown}"));
                    }
                }
            }
        }
    }

    /// What the frames this channel skipped as unreadable said (up to 16 since last asked).
    pub fn take_unreadable(&mut self) -> Vec<String> {
        std::mem::take(&mut self.unreadable)
    }

    /// Close cleanly: the server then knows the departure was deliberate. The socket closes
    /// with its last channel.
    pub async fn close(mut self) {
        self.closed = true;
        let (done, closed) = oneshot::channel();
        let sent = {
            let mut channels = self.shared.channels();
            channels.open -= 1;
            channels.ended_by_server.remove(&self.sub);
            let last = channels.open == 0;
            if last {
                channels.usable = false;
            }
            let close = Command::Close {
                sub: self.sub,
                last,
                done,
            };
            self.commands.send(close).is_ok()
        };
        if sent {
            let _ = closed.await;
        }
    }
}

impl Drop for Connection {
    /// Dropped without a clean close: the session found the connection dead, so no new
    /// channel goes on this socket. Frames still waiting for it give their room back.
    fn drop(&mut self) {
        self.frames.close();
        while let Ok(frame) = self.frames.try_recv() {
            if let Ok(text) = frame {
                self.shared
                    .inbound_room
                    .add_permits(inbound_cost(&text) as usize);
            }
        }
        if !self.closed {
            let mut channels = self.shared.channels();
            channels.open -= 1;
            let last = channels.open == 0;
            if channels.ended_by_server.remove(&self.sub) {
                // The server ended this channel; the socket is fine for the others.
                let (done, _) = oneshot::channel();
                if last {
                    channels.usable = false;
                }
                let close = Command::Close {
                    sub: self.sub,
                    last,
                    done,
                };
                let _ = self.commands.send(close);
                return;
            }
            channels.usable = false;
            let _ = self.commands.send(Command::Abandon {
                sub: self.sub,
                last,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signaling_url_accepts_the_forms_apps_use() {
        let ok = |url: &str| signaling_url(url).unwrap();
        assert_eq!(ok("ws://127.0.0.1:7788"), "ws://127.0.0.1:7788/ws");
        assert_eq!(ok("ws://127.0.0.1:7788/"), "ws://127.0.0.1:7788/ws");
        assert_eq!(ok("http://host:1/ws"), "ws://host:1/ws");
        assert_eq!(ok("HTTP://host/prefix/"), "ws://host/prefix/ws");
        assert!(matches!(
            signaling_url("127.0.0.1:7788"),
            Err(ConnectionError::BadUrl(_))
        ));
        assert!(matches!(
            signaling_url("ftp://x"),
            Err(ConnectionError::BadUrl(_))
        ));
        assert!(matches!(
            signaling_url("ws://"),
            Err(ConnectionError::BadUrl(_))
        ));
        assert_eq!(signaling_url("wss://x").unwrap(), "wss://x/ws");
        assert_eq!(
            signaling_url("https://rooms.example.com/rtc/").unwrap(),
            "wss://rooms.example.com/rtc/ws"
        );
    }
}
