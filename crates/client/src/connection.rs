//! Connections to the room server. One WebSocket (a [`Transport`]) is shared by the sessions
//! of a TRTCCloud and its sub-clouds; each session talks on a channel of it (a
//! [`Connection`]): send requests with fresh ids, read the server's frames for that channel.
//!
//! The socket's task routes the server's frames by their `"sub"` field (channel 0 has none)
//! and writes the channels' frames tagged the same way. A ping acknowledges one channel's
//! events (`openroom_protocol::channel` defines both). The socket is opened when a session first
//! needs it and closed when the last channel is done with it; a channel dropped without a
//! clean close (its session found the connection dead) marks the socket as not to be reused.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use openroom_protocol::channel::{ordinary_frame_channel, ping_payload, tagged, ChannelTag};
use openroom_protocol::{
    ClientFrame, ClientRequest, ServerFrame, MAX_CHANNELS_PER_CONNECTION, SIGNALING_PATH,
};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

#[derive(Debug, Clone, thiserror::Error)]
pub enum ConnectionError {
    #[error("serverUrl {0:?} is not a ws:// or http:// URL (e.g. ws://127.0.0.1:7788)")]
    BadUrl(String),
    #[error("serverUrl {0:?} uses TLS, which this build does not support yet; put the server behind ws:// on a trusted network")]
    TlsUnsupported(String),
    #[error("cannot connect to {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("the server closed the connection{}", .0.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())]
    Closed(Option<String>),
    #[error("connection failed: {0}")]
    Broken(String),
    #[error("the server sent a frame this client does not understand: {0}")]
    BadFrame(String),
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What the socket's task hands a channel: a server frame's text, or why there will be no
/// more. A copy: sharing the socket's read buffer instead would keep each 4 KiB buffer alive
/// until the session has handled the frame, and the allocator holds on to more memory.
type FrameSender = mpsc::UnboundedSender<Result<String, ConnectionError>>;

/// What a channel asks of the socket's task.
enum Command {
    Open {
        sub: u32,
        frames: FrameSender,
    },
    Send {
        sub: u32,
        text: String,
        done: oneshot::Sender<Result<(), ConnectionError>>,
    },
    Ping {
        sub: u32,
        seq: u64,
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

/// What the socket's task and its channels share.
struct Shared {
    /// When the server was last heard from (any frame, pongs included).
    last_heard: Mutex<Instant>,
    /// The channels on the socket. Channels open and close under this lock, and queue their
    /// command to the socket's task while holding it, so the task sees them in that order
    /// and never closes the socket under a channel just opened.
    channels: Mutex<ChannelCount>,
}

struct ChannelCount {
    next_sub: u32,
    open: usize,
    /// Channels the server ended (a `closed` frame) that their sessions still hold: dropping
    /// one of them says nothing about the socket.
    ended_by_server: std::collections::HashSet<u32>,
    /// False once the socket failed, its last channel closed, or a channel found it dead: no
    /// new channel goes on it.
    usable: bool,
}

impl Shared {
    fn heard(&self) {
        *self.last_heard.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    }

    fn last_heard(&self) -> Instant {
        *self.last_heard.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn channels(&self) -> std::sync::MutexGuard<'_, ChannelCount> {
        self.channels.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One socket's handle.
struct Physical {
    commands: mpsc::UnboundedSender<Command>,
    shared: Arc<Shared>,
}

impl Physical {
    async fn connect(server_url: &str) -> Result<Physical, ConnectionError> {
        let url = signaling_url(server_url)?;
        // Signaling frames are small and latency-bound: send each at once (no Nagle delay).
        let (socket, _) =
            tokio_tungstenite::connect_async_with_config(url.as_str(), Some(socket_config()), true)
                .await
                .map_err(|error| ConnectionError::Connect {
                    url,
                    reason: error.to_string(),
                })?;
        let shared = Arc::new(Shared {
            last_heard: Mutex::new(Instant::now()),
            channels: Mutex::new(ChannelCount {
                next_sub: 0,
                open: 0,
                ended_by_server: Default::default(),
                usable: true,
            }),
        });
        let (commands, inbox) = mpsc::unbounded_channel();
        tokio::spawn(serve_socket(socket, inbox, shared.clone()));
        Ok(Physical { commands, shared })
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
            shared: self.shared.clone(),
            last_request_id: 0,
            closed: false,
        })
    }
}

/// Where an engine's sessions get their connections: one socket, shared by a TRTCCloud and
/// its sub-clouds. Cloning shares it.
#[derive(Clone, Default)]
pub struct Transport {
    current: Arc<tokio::sync::Mutex<Option<Physical>>>,
}

impl Transport {
    /// A channel on the shared socket, connecting a new socket when there is none usable.
    /// Sessions that ask at the same moment share the one new socket.
    pub async fn open(&self, server_url: &str) -> Result<Connection, ConnectionError> {
        let mut current = self.current.lock().await;
        if let Some(connection) = current.as_ref().and_then(Physical::channel) {
            return Ok(connection);
        }
        let physical = Physical::connect(server_url).await?;
        let connection = physical
            .channel()
            .ok_or_else(|| ConnectionError::Broken("the new connection closed at once".into()))?;
        *current = Some(physical);
        Ok(connection)
    }
}

/// The socket's task: writes what the channels send, routes what the server sends, and ends
/// when no channel is left.
async fn serve_socket(
    mut socket: Socket,
    mut commands: mpsc::UnboundedReceiver<Command>,
    shared: Arc<Shared>,
) {
    let mut channels: HashMap<u32, FrameSender> = HashMap::new();
    let mut failed: Option<ConnectionError> = None;
    let fail = |channels: &mut HashMap<u32, FrameSender>, error: ConnectionError| {
        shared.channels().usable = false;
        for channel in channels.values() {
            let _ = channel.send(Err(error.clone()));
        }
        error
    };
    loop {
        tokio::select! {
            command = commands.recv() => {
                let Some(command) = command else { break };
                match command {
                    Command::Open { sub, frames } => {
                        if let Some(error) = &failed {
                            let _ = frames.send(Err(error.clone()));
                        }
                        channels.insert(sub, frames);
                    }
                    Command::Send { sub, text, done } => {
                        let result = match &failed {
                            Some(error) => Err(error.clone()),
                            None => socket
                                .send(Message::text(tagged(sub, text)))
                                .await
                                .map_err(|e| ConnectionError::Broken(e.to_string())),
                        };
                        if let Err(error) = &result {
                            if failed.is_none() {
                                failed = Some(fail(&mut channels, error.clone()));
                            }
                        }
                        let _ = done.send(result);
                    }
                    Command::Ping { sub, seq } => {
                        if failed.is_none() {
                            let _ = socket.send(Message::Ping(ping_payload(sub, seq).into())).await;
                        }
                    }
                    Command::Close { sub, last, done } => {
                        channels.remove(&sub);
                        if failed.is_none() {
                            if last {
                                let frame = CloseFrame { code: CloseCode::Normal, reason: "".into() };
                                let _ = socket.close(Some(frame)).await;
                            } else {
                                let close = serde_json::json!({"type": "close", "sub": sub});
                                let _ = socket.send(Message::text(close.to_string())).await;
                            }
                        }
                        let _ = done.send(());
                        if last {
                            break;
                        }
                    }
                    Command::Abandon { sub, last } => {
                        channels.remove(&sub);
                        if last {
                            // Dropped without a close: the server parks the sessions.
                            break;
                        }
                        if failed.is_none() {
                            // Its session parks on the server, to be resumed elsewhere.
                            let abandon = serde_json::json!({"type": "abandon", "sub": sub});
                            let _ = socket.send(Message::text(abandon.to_string())).await;
                        }
                    }
                }
            }
            message = socket.next(), if failed.is_none() => {
                shared.heard();
                match message {
                    Some(Ok(Message::Text(text))) => route(&mut channels, &shared, text.as_str()),
                    Some(Ok(Message::Close(frame))) => {
                        let reason = frame.map(|f| format!("{}: {}", u16::from(f.code), f.reason.as_str()));
                        failed = Some(fail(&mut channels, ConnectionError::Closed(reason)));
                    }
                    Some(Ok(_)) => {}
                    Some(Err(error)) => {
                        failed = Some(fail(&mut channels, ConnectionError::Broken(error.to_string())));
                    }
                    None => failed = Some(fail(&mut channels, ConnectionError::Closed(None))),
                }
            }
        }
    }
}

/// Hand a server frame to its channel; a `closed` frame ends that channel.
fn route(channels: &mut HashMap<u32, FrameSender>, shared: &Shared, text: &str) {
    if let Some(sub) = ordinary_frame_channel(text) {
        if let Some(channel) = channels.get(&sub) {
            let _ = channel.send(Ok(text.to_owned()));
        }
        return;
    }
    let Some(tag) = ChannelTag::of(text) else {
        // Unreadable: every channel hears it (and treats the connection as broken).
        for channel in channels.values() {
            let _ = channel.send(Ok(text.to_owned()));
        }
        return;
    };
    if tag.kind.as_deref() == Some("closed") {
        if let Some(channel) = channels.remove(&tag.sub) {
            shared.channels().ended_by_server.insert(tag.sub);
            let reason = tag
                .code
                .map(|code| format!("{code}: {}", tag.reason.unwrap_or_default()));
            let _ = channel.send(Err(ConnectionError::Closed(reason)));
        }
        return;
    }
    if let Some(channel) = channels.get(&tag.sub) {
        let _ = channel.send(Ok(text.to_owned()));
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
        "wss" | "https" => return Err(ConnectionError::TlsUnsupported(server_url.to_owned())),
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
/// per session for frames of a few hundred bytes.
fn socket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(SOCKET_BUFFER_BYTES)
        .write_buffer_size(0)
}

/// Read chunk size of a signaling socket; larger frames still arrive, in several reads.
const SOCKET_BUFFER_BYTES: usize = 4 * 1024;

/// One session's channel to the room server.
pub struct Connection {
    sub: u32,
    frames: mpsc::UnboundedReceiver<Result<String, ConnectionError>>,
    commands: mpsc::UnboundedSender<Command>,
    shared: Arc<Shared>,
    last_request_id: u64,
    closed: bool,
}

impl Connection {
    /// Send a request; returns the id its response will carry.
    pub async fn send(&mut self, request: ClientRequest) -> Result<u64, ConnectionError> {
        self.last_request_id += 1;
        let frame = ClientFrame {
            id: self.last_request_id,
            request,
        };
        let text = serde_json::to_string(&frame).expect("client frames always serialize");
        let (done, written) = oneshot::channel();
        let gone = || ConnectionError::Broken("the connection's task ended".into());
        self.commands
            .send(Command::Send {
                sub: self.sub,
                text,
                done,
            })
            .map_err(|_| gone())?;
        written.await.map_err(|_| gone())??;
        Ok(self.last_request_id)
    }

    /// Ask the server for a sign of life (a WebSocket ping; its pong counts as heard). The
    /// ping carries `last_seq`, the last room event this channel received: the server need
    /// not keep anything older for a resume.
    pub async fn ping(&mut self, last_seq: u64) -> Result<(), ConnectionError> {
        self.commands
            .send(Command::Ping {
                sub: self.sub,
                seq: last_seq,
            })
            .map_err(|_| ConnectionError::Broken("the connection's task ended".into()))
    }

    /// When the server was last heard from, on this channel's socket.
    pub fn last_heard(&self) -> Instant {
        self.shared.last_heard()
    }

    /// The next frame from the server for this channel. Cancel-safe: nothing is lost if the
    /// future is dropped.
    pub async fn next_frame(&mut self) -> Result<ServerFrame, ConnectionError> {
        match self.frames.recv().await {
            Some(Ok(text)) => ServerFrame::from_json(&text)
                .map_err(|e| ConnectionError::BadFrame(format!("{e}: {text}"))),
            Some(Err(error)) => Err(error),
            None => Err(ConnectionError::Closed(None)),
        }
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
    /// channel goes on this socket.
    fn drop(&mut self) {
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
        assert!(matches!(
            signaling_url("wss://x"),
            Err(ConnectionError::TlsUnsupported(_))
        ));
    }
}
