//! One WebSocket carries several sessions: a TRTCCloud and its sub-clouds each talk on a
//! channel of the same connection. The router owns the socket: it hands each channel's frames
//! to that channel's session task and writes what the sessions send, tagged with their
//! channel.
//!
//! On the wire a frame names its channel with a `"sub"` field; channel 0 leaves it out, so a
//! client with one session sees plain frames. Channels are numbered upwards: a frame for a
//! channel number at or below the highest one opened, that is not open, is for a channel that
//! ended, and is dropped. A client's WebSocket ping is a heartbeat for every channel, and its
//! payload acknowledges each channel's events: 8 bytes (channel 0's last seq) or 12 bytes per
//! channel (channel, then last seq; big-endian).
//!
//! A channel ends when its session does. If other channels remain, the client is told with a
//! `{"type":"closed","sub":n,"code":…,"reason":…}` frame (unless it closed the channel
//! itself); the last one to end closes the WebSocket with its close frame, as a single-session
//! connection always did. A client ends one channel with `{"type":"close","sub":n}`, gives one
//! up as broken with `{"type":"abandon","sub":n}` (its session parks, to be resumed), and ends
//! all of them by closing the WebSocket.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use openroom_protocol::channel::{acknowledgements, tagged, ChannelTag};
use openroom_protocol::custom::{self, RateLimits};
use tokio::sync::{oneshot, Semaphore};
use tokio::time::timeout;

use crate::config::{
    CHANNEL_INBOX_BYTES, CLOSE_TIMEOUT, MAX_CHANNELS_PER_CONNECTION, OUTBOX_BYTES, PRE_ENTRY_BYTES,
    PRE_ENTRY_FRAMES,
};
use crate::link::{outbox_cost, Connection, End, Inbound, Link, Outbound, Violation};
use crate::log_limit::LogLimit;
use crate::rate::TokenBucket;
use crate::signaling::{self, SessionContext};

/// Protocol violations are logged, a few a second at most.
static VIOLATIONS: LogLimit = LogLimit::per_second(10);

/// Frames queued for one session before the router stops waiting for it: a client that sends
/// more requests than this without waiting for answers floods its channel, which is ended.
/// Custom messages get no answer, so the inbox also holds as many as the server lets one
/// member send in a second ([`inbox_capacity`]): a client within its limits never floods.
const CHANNEL_INBOX: usize = 64;

/// A channel's inbox: [`CHANNEL_INBOX`] requests plus a second's worth of custom messages at
/// the server's limit (with its slack). The queue grows as it fills (flume allocates nothing
/// up front), so a large bound costs nothing until used.
fn inbox_capacity(limits: RateLimits) -> usize {
    CHANNEL_INBOX + (limits.messages_per_second as usize).saturating_mul(custom::SERVER_SLACK)
}

/// A channel's inbox in bytes: [`CHANNEL_INBOX_BYTES`] of requests plus what a second's worth
/// of custom messages at the server's limits (with its slack) take on the wire (base64, and
/// the frame around each).
pub(crate) fn inbox_bytes(limits: RateLimits) -> usize {
    /// A message frame's fields besides its data.
    const MESSAGE_FRAME_OVERHEAD: usize = 128;
    let data = (limits.bytes_per_second as usize).saturating_mul(4) / 3;
    let frames = (limits.messages_per_second as usize).saturating_mul(MESSAGE_FRAME_OVERHEAD);
    CHANNEL_INBOX_BYTES.saturating_add(
        data.saturating_add(frames)
            .saturating_mul(custom::SERVER_SLACK),
    )
}
/// Frames the router writes to the socket with one flush, at most.
const WRITE_BURST: usize = 64;

/// The router's side of one channel.
struct Channel {
    generation: u64,
    ending: Option<oneshot::Sender<Inbound>>,
    inbox: flume::Sender<Inbound>,
    inbox_bytes: Arc<AtomicUsize>,
}

impl Channel {
    /// End the channel's session (the first reason given wins).
    fn end(&mut self, why: Inbound) {
        if let Some(ending) = self.ending.take() {
            let _ = ending.send(why);
        }
    }
}

/// The open channels of one connection.
struct Channels {
    open: HashMap<u32, Channel>,
    /// The highest channel number opened so far: numbers are never reused.
    highest: u32,
    generations: u64,
    ctx: SessionContext,
    outbox: flume::WeakSender<Outbound>,
    connection: Arc<Connection>,
    /// What the connection sent before any session entered: held to [`PRE_ENTRY_BYTES`] and
    /// [`PRE_ENTRY_FRAMES`].
    pre_entry_bytes: usize,
    pre_entry_frames: usize,
    /// Bytes a channel's inbox may hold ([`inbox_bytes`]).
    inbox_limit: usize,
}

impl Channels {
    /// Start the session of channel `sub`.
    fn open(&mut self, sub: u32) {
        let Some(outbox) = self.outbox.upgrade() else {
            return;
        };
        self.generations += 1;
        self.highest = self.highest.max(sub);
        let (ending_tx, ending) = oneshot::channel();
        let (inbox_tx, inbox) = flume::bounded(inbox_capacity(self.ctx.config.custom_limits));
        let inbox_bytes = Arc::new(AtomicUsize::new(0));
        let link = Link::new(
            sub,
            self.generations,
            ending,
            inbox,
            inbox_bytes.clone(),
            outbox,
            self.connection.clone(),
        );
        self.ctx
            .registry
            .tasks()
            .spawn(signaling::run(link, self.ctx.clone()));
        self.open.insert(
            sub,
            Channel {
                generation: self.generations,
                ending: Some(ending_tx),
                inbox: inbox_tx,
                inbox_bytes,
            },
        );
    }

    /// End every channel's session, for the same reason.
    fn end_all(&mut self, why: impl Fn() -> Inbound) {
        for channel in self.open.values_mut() {
            channel.end(why());
        }
    }

    /// The client broke the protocol: end every session, with the close code it earned.
    fn violated(&mut self, violation: Violation) {
        let peer = self.connection.peer;
        VIOLATIONS.log(|suppressed| {
            tracing::info!(%peer, code = violation.code, why = violation.why, suppressed, "protocol violation; connection closed")
        });
        self.end_all(|| Inbound::Violation(violation));
    }

    /// Count a frame the connection sent; false when it is a stranger (no session has entered
    /// a room) that has sent more than a stranger may.
    fn within_pre_entry_budget(&mut self, bytes: usize) -> bool {
        if self.connection.entered.load(Ordering::Relaxed) {
            return true;
        }
        /// A frame's header, which its payload length leaves out.
        const FRAME_HEADER: usize = 6;
        self.pre_entry_bytes += bytes + FRAME_HEADER;
        self.pre_entry_frames += 1;
        self.pre_entry_bytes <= PRE_ENTRY_BYTES && self.pre_entry_frames <= PRE_ENTRY_FRAMES
    }
}

/// The close code and reason for a frame tungstenite refused while reading, when it was the
/// client's doing: 1009 too large, 1007 not UTF-8, 1002 not the WebSocket protocol.
fn read_violation(error: &axum::Error) -> Option<Violation> {
    use tungstenite::Error;
    let inner = std::error::Error::source(error)?.downcast_ref::<Error>()?;
    match inner {
        Error::Capacity(_) => Some(Violation {
            code: 1009,
            why: "frame too large: the protocol's frames are at most 16 KiB",
            parks: false,
        }),
        Error::Utf8(_) => Some(Violation {
            code: 1007,
            why: "text frame is not valid UTF-8",
            parks: true,
        }),
        Error::Protocol(_) => Some(Violation {
            code: 1002,
            why: "not a valid WebSocket frame",
            parks: true,
        }),
        _ => None,
    }
}

/// Serve one WebSocket until its last channel has ended. `_counted` keeps the connection
/// among the tasks a shutdown waits for, from before the upgrade completed.
pub async fn run(
    socket: WebSocket,
    ctx: SessionContext,
    peer: SocketAddr,
    _counted: tokio_util::task::task_tracker::TaskTrackerToken,
) {
    let guard = WriteGuard {
        shutdown: ctx.shutdown.clone(),
        timeout: ctx.config.peers.write_timeout,
    };
    let ctx_limits = ctx.config.custom_limits;
    let (mut sink, mut stream) = socket.split();
    let (outbox, outgoing) = flume::unbounded();
    let connection = Arc::new(Connection {
        outbox_room: Semaphore::new(OUTBOX_BYTES),
        entered: AtomicBool::new(false),
        peer,
    });
    let mut channels = Channels {
        open: HashMap::new(),
        highest: 0,
        generations: 0,
        ctx,
        outbox: outbox.downgrade(),
        connection: connection.clone(),
        pre_entry_bytes: 0,
        pre_entry_frames: 0,
        inbox_limit: inbox_bytes(ctx_limits),
    };
    // Each ping is read, answered and handed to every channel: a flood of them costs a core
    // while the memory stays bounded, so they have a rate too.
    let pings_per_second = channels.ctx.config.peers.pings_per_second;
    let mut pings = TokenBucket::full(pings_per_second, std::time::Instant::now());
    // Channel 0 exists from the start, so a connection that says nothing still times out.
    channels.open(0);
    drop(outbox);
    let mut reading = true;
    // Once a write failed, nothing more is written: queued frames are dropped.
    let mut writable = true;
    loop {
        tokio::select! {
            biased;
            out = outgoing.recv_async() => match out {
                // Every session holds a sender while its channel is open.
                Err(flume::RecvError::Disconnected) => break,
                Ok(Outbound::Text(sub, text)) => {
                    let mut end = None;
                    if !writable {
                        // Dropped: its room in the outbox is free again.
                        connection.outbox_room.add_permits(outbox_cost(&text) as usize);
                    } else {
                        writable = write_burst(&mut sink, &channels, &connection.outbox_room, (sub, text), &outgoing, &mut end, &guard).await;
                        if !writable {
                            // The client stopped reading, or the socket broke: every session
                            // is cut off (they park, and may be resumed on a new connection).
                            tracing::debug!("connection broke while writing");
                            channels.end_all(|| Inbound::Broken);
                            reading = false;
                        }
                    }
                    if let Some(end) = end {
                        if end_channel(&mut channels, &mut sink, &mut writable, end, &guard).await {
                            break;
                        }
                    }
                }
                Ok(Outbound::End(end)) => {
                    if end_channel(&mut channels, &mut sink, &mut writable, end, &guard).await {
                        break;
                    }
                }
            },
            message = stream.next(), if reading => {
                let size = match &message {
                    Some(Ok(Message::Text(text))) => text.len(),
                    Some(Ok(Message::Ping(payload) | Message::Pong(payload) | Message::Binary(payload))) => payload.len(),
                    _ => 0,
                };
                if !channels.within_pre_entry_budget(size) {
                    channels.violated(Violation::policy("too much traffic before entering a room: send enter (or resume) and wait for its answer"));
                    reading = false;
                    continue;
                }
                match message {
                Some(Ok(Message::Text(text))) => {
                    if let Some(sub) = route(&mut channels, text.as_str()) {
                        // One channel too many: that channel is refused, the others go on.
                        let closed = serde_json::json!({"type": "closed", "sub": sub, "code": 1008,
                            "reason": format!("too many channels on one connection: at most {MAX_CHANNELS_PER_CONNECTION}")});
                        writable = writable && write(&mut sink, closed.to_string(), &guard).await;
                    }
                }
                Some(Ok(Message::Ping(payload))) => {
                    if !pings.take(pings_per_second, std::time::Instant::now()) {
                        channels.violated(Violation::policy("too many pings: a client pings a few times a second, and once per 64 events it receives"));
                        reading = false;
                        continue;
                    }
                    let acks = acknowledgements(&payload);
                    for (sub, channel) in &channels.open {
                        let ack = acks.iter().find(|(s, _)| s == sub).map(|(_, seq)| *seq);
                        // A full inbox is a busy channel: it needs no heartbeat to stay alive.
                        let _ = channel.inbox.try_send(Inbound::Heartbeat(ack));
                    }
                }
                Some(Ok(Message::Pong(_))) => {
                    for channel in channels.open.values() {
                        let _ = channel.inbox.try_send(Inbound::Heartbeat(None));
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    channels.violated(Violation { code: 1003, why: "binary frames are not part of the protocol: send JSON text frames", parks: false });
                    reading = false;
                }
                Some(Ok(Message::Close(_))) | None => {
                    channels.end_all(|| Inbound::Closed);
                    reading = false;
                }
                Some(Err(error)) => {
                    match read_violation(&error) {
                        Some(violation) => channels.violated(violation),
                        None => {
                            tracing::debug!(%error, "connection broke");
                            channels.end_all(|| Inbound::Broken);
                        }
                    }
                    reading = false;
                }
                }
            },
        }
    }
    // A lingering close, as nginx does: the peer may still be sending (a flood cut off, a
    // request in flight). Closing a socket with unread data resets it, and the reset discards
    // the close frame before the peer reads it; so what comes is read and dropped until the
    // peer answers the close, or for the close timeout at most.
    if writable {
        let _ = timeout(CLOSE_TIMEOUT, async {
            while let Some(Ok(_)) = stream.next().await {}
        })
        .await;
    }
}

/// Free a channel whose session ended, telling the client. True when it was the last one: the
/// WebSocket has been closed and the router is done.
async fn end_channel(
    channels: &mut Channels,
    sink: &mut SplitSink<WebSocket, Message>,
    writable: &mut bool,
    end: End,
    guard: &WriteGuard,
) -> bool {
    if channels
        .open
        .get(&end.sub)
        .is_none_or(|c| c.generation != end.generation)
    {
        return false;
    }
    channels.open.remove(&end.sub);
    if channels.open.is_empty() {
        if let (Some((code, reason)), true) = (end.close, *writable) {
            let frame = CloseFrame {
                code,
                reason: reason.into(),
            };
            let _ = timeout(CLOSE_TIMEOUT, sink.send(Message::Close(Some(frame)))).await;
        }
        return true;
    }
    if !end.by_client && *writable {
        let (code, reason) = end.close.unwrap_or((1011, "session ended"));
        let closed =
            serde_json::json!({"type": "closed", "sub": end.sub, "code": code, "reason": reason});
        *writable = write(sink, closed.to_string(), guard).await;
    }
    false
}

/// Hand a client frame to its channel, opening the channel if it is new. Returns the channel
/// when it is new and one too many (it is refused and never opened).
fn route(channels: &mut Channels, text: &str) -> Option<u32> {
    let tag = ChannelTag::of(text).unwrap_or_default();
    let signal = match tag.kind.as_deref() {
        Some("close") => Some(Inbound::Closed),
        Some("abandon") => Some(Inbound::Broken),
        _ => None,
    };
    if let Some(signal) = signal {
        if let Some(channel) = channels.open.get_mut(&tag.sub) {
            channel.end(signal);
        }
        return None;
    }
    if !channels.open.contains_key(&tag.sub) {
        if tag.sub <= channels.highest {
            tracing::debug!(sub = tag.sub, "frame for a channel that ended; dropped");
            return None;
        }
        if channels.open.len() >= MAX_CHANNELS_PER_CONNECTION {
            channels.highest = tag.sub;
            return Some(tag.sub);
        }
        channels.open(tag.sub);
    }
    if let Some(channel) = channels.open.get_mut(&tag.sub) {
        // Never wait for a session here (it may be waiting for the router to write): a client
        // that floods a channel with requests has that channel ended.
        let queued = channel.inbox_bytes.fetch_add(text.len(), Ordering::Relaxed);
        let flooded = queued + text.len() > channels.inbox_limit
            || channel
                .inbox
                .try_send(Inbound::Text(text.to_owned()))
                .is_err();
        if flooded {
            channel.inbox_bytes.fetch_sub(text.len(), Ordering::Relaxed);
            let peer = channels.connection.peer;
            VIOLATIONS.log(|suppressed| {
                tracing::info!(%peer, sub = tag.sub, suppressed, "client floods a channel with requests; ending it")
            });
            channel.end(Inbound::Violation(Violation::policy(
                "too many requests in flight: wait for each answer",
            )));
        }
    }
    None
}

/// What bounds a write to the socket: the server's shutdown (after which only close frames are
/// written), and the write timeout (a client that takes nothing that long has stopped reading).
struct WriteGuard {
    shutdown: tokio_util::sync::CancellationToken,
    timeout: std::time::Duration,
}

/// Write one frame; false as for [`guarded`].
async fn write(sink: &mut SplitSink<WebSocket, Message>, text: String, guard: &WriteGuard) -> bool {
    guarded(sink.send(Message::Text(text.into())), guard).await
}

/// Run a write to the socket: false when the socket failed or the client stopped reading for
/// the write timeout. On shutdown nothing more is written but the close frames.
async fn guarded(
    sending: impl std::future::Future<Output = Result<(), axum::Error>>,
    guard: &WriteGuard,
) -> bool {
    tokio::select! {
        biased;
        _ = guard.shutdown.cancelled() => true,
        sent = timeout(guard.timeout, sending) => matches!(sent, Ok(Ok(()))),
    }
}

/// Write `first` and the frames queued behind it, up to [`WRITE_BURST`], with one flush: one
/// system call for a burst instead of one per frame. A session's end met in the queue stops the
/// burst and is handed back in `end`, to be dealt with after its frames. False as for
/// [`guarded`], with the write timeout for the whole burst (at most [`WRITE_BURST`] frames,
/// usually a few KiB: a client that cannot take that in the time has stopped reading).
async fn write_burst(
    sink: &mut SplitSink<WebSocket, Message>,
    channels: &Channels,
    outbox_room: &Semaphore,
    first: (u32, String),
    outgoing: &flume::Receiver<Outbound>,
    end: &mut Option<End>,
    guard: &WriteGuard,
) -> bool {
    // The frames' room in the outbox is free again once they are in the socket's buffer (or
    // dropped), whether or not the burst is written in time.
    let mut freed = 0;
    let burst = async {
        let mut next = Some(first);
        let mut taken = 0;
        while let Some((sub, text)) = next.take() {
            freed += outbox_cost(&text) as usize;
            // A frame for a channel that has ended is dropped.
            if channels.open.contains_key(&sub) {
                sink.feed(Message::Text(tagged(sub, text).into())).await?;
            }
            taken += 1;
            if taken == WRITE_BURST {
                break;
            }
            next = match outgoing.try_recv() {
                Ok(Outbound::Text(sub, text)) => Some((sub, text)),
                Ok(Outbound::End(ended)) => {
                    *end = Some(ended);
                    None
                }
                Err(_) => None,
            };
        }
        sink.flush().await
    };
    let written = guarded(burst, guard).await;
    outbox_room.add_permits(freed);
    written
}
