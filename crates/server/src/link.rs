//! A session's end of its channel: what it receives from the router ([`Inbound`]), how it
//! sends ([`Link`]), and how a client breaks the protocol ([`Violation`]). Below both the
//! router (`channels.rs`) and the sessions (`signaling/`), which each take it from here.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{oneshot, Semaphore, TryAcquireError};

use crate::config::OUTBOX_BYTES;

/// What the router hands a session.
pub(crate) enum Inbound {
    Text(String),
    /// A heartbeat from the client, with this channel's acknowledged seq when it gave one.
    Heartbeat(Option<u64>),
    /// The client closed this channel, or the whole connection, cleanly.
    Closed,
    /// The connection broke, or the client gave this channel up as broken.
    Broken,
    /// The client broke the protocol.
    Violation(Violation),
}

/// How a client broke the protocol: the WebSocket close code it gets (RFC 6455 §7.4.1) and
/// why, in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Violation {
    pub code: u16,
    pub why: &'static str,
    /// Whether a session in a room waits to be resumed, as after a broken connection: a
    /// frame that is not WebSocket at all may be a link that corrupted it, which a resume
    /// recovers from. A flood or a frame the protocol forbids ends the session.
    pub parks: bool,
}

impl Violation {
    /// 1008: a frame the protocol does not allow, or too many of them.
    pub(crate) const fn policy(why: &'static str) -> Violation {
        Violation {
            code: 1008,
            why,
            parks: false,
        }
    }
}

/// How a channel's session ended, for the router.
pub(crate) struct End {
    pub(crate) sub: u32,
    pub(crate) generation: u64,
    /// The close frame the session owes the client, if any.
    pub(crate) close: Option<(u16, &'static str)>,
    /// The client ended it (so it needs no `closed` frame).
    pub(crate) by_client: bool,
}

/// What a session hands the router, in order: its frames, then its end.
pub(crate) enum Outbound {
    Text(u32, String),
    End(End),
}

/// A session's end of its channel.
pub(crate) struct Link {
    sub: u32,
    generation: u64,
    /// How the channel ended (closed, broken, violation), when it did: never lost to a full
    /// inbox.
    ending: oneshot::Receiver<Inbound>,
    inbox: flume::Receiver<Inbound>,
    /// Bytes of client frames in the inbox, not yet handled.
    inbox_bytes: Arc<AtomicUsize>,
    outbox: flume::Sender<Outbound>,
    connection: Arc<Connection>,
    ended: bool,
}

/// What the channels of one connection share (one allocation, one pointer in each session:
/// a session's size is a large part of what an idle connection costs).
pub(crate) struct Connection {
    /// What the outbox has room for, in bytes.
    pub(crate) outbox_room: Semaphore,
    /// Set once a session of the connection is in a room: the connection has shown a UserSig.
    pub(crate) entered: AtomicBool,
    /// The client's address, for the log.
    pub(crate) peer: SocketAddr,
}

impl Link {
    /// The session's end of channel `sub` (of this `generation` of the connection's channels):
    /// the router keeps the other ends of `ending`, `inbox` and `outbox`.
    pub(crate) fn new(
        sub: u32,
        generation: u64,
        ending: oneshot::Receiver<Inbound>,
        inbox: flume::Receiver<Inbound>,
        inbox_bytes: Arc<AtomicUsize>,
        outbox: flume::Sender<Outbound>,
        connection: Arc<Connection>,
    ) -> Link {
        Link {
            sub,
            generation,
            ending,
            inbox,
            inbox_bytes,
            outbox,
            connection,
            ended: false,
        }
    }

    /// The next thing from the client; `Broken` once the router is gone.
    pub async fn recv(&mut self) -> Inbound {
        let received = tokio::select! {
            biased;
            Ok(signal) = &mut self.ending => signal,
            received = self.inbox.recv_async() => received.unwrap_or(Inbound::Broken),
        };
        if let Inbound::Text(text) = &received {
            self.inbox_bytes.fetch_sub(text.len(), Ordering::Relaxed);
        }
        received
    }

    /// The session is in a room: the connection is past its budget for strangers.
    pub fn mark_entered(&self) {
        self.connection.entered.store(true, Ordering::Relaxed);
    }

    /// The client's address, for the log.
    pub fn peer(&self) -> SocketAddr {
        self.connection.peer
    }

    /// Queue one frame for the socket if there is room now: `Full` gives it back, to be sent
    /// with [`Link::send`].
    pub fn try_send(&self, text: String) -> Result<(), TrySend> {
        match self
            .connection
            .outbox_room
            .try_acquire_many(outbox_cost(&text))
        {
            Ok(permit) => permit.forget(),
            Err(TryAcquireError::NoPermits) => return Err(TrySend::Full(text)),
            Err(TryAcquireError::Closed) => return Err(TrySend::Gone),
        }
        self.outbox
            .send(Outbound::Text(self.sub, text))
            .map_err(|_| TrySend::Gone)
    }

    /// Queue one frame for the socket once there is room; `Err` when the connection is gone.
    pub async fn send(&self, text: String) -> Result<(), ()> {
        let permit = self
            .connection
            .outbox_room
            .acquire_many(outbox_cost(&text))
            .await;
        permit.map_err(|_| ())?.forget();
        self.outbox
            .send(Outbound::Text(self.sub, text))
            .map_err(|_| ())
    }

    /// The session is over: free the channel, with the close frame it owes the client. Queued
    /// after the session's frames, so they go out first; the router never stops draining the
    /// queue, so this always arrives.
    pub async fn end(mut self, close: Option<(u16, &'static str)>, by_client: bool) {
        self.ended = true;
        let end = self.end_of(close, by_client);
        let _ = self.outbox.send_async(Outbound::End(end)).await;
    }

    pub(crate) fn end_of(&self, close: Option<(u16, &'static str)>, by_client: bool) -> End {
        End {
            sub: self.sub,
            generation: self.generation,
            close,
            by_client,
        }
    }
}

/// What a frame takes of the outbox's room: its size, or all of it for a frame larger than
/// the outbox (which then goes alone).
pub(crate) fn outbox_cost(text: &str) -> u32 {
    text.len().min(OUTBOX_BYTES) as u32
}

/// Why [`Link::try_send`] did not queue a frame.
pub(crate) enum TrySend {
    /// The socket's queue is full; here is the frame back.
    Full(String),
    /// The connection is gone.
    Gone,
}

impl Drop for Link {
    /// A session that ended without saying so (a panic) still frees its channel, if the queue
    /// has room.
    fn drop(&mut self) {
        if !self.ended {
            let end = self.end_of(Some((1011, "session ended unexpectedly")), false);
            let _ = self.outbox.try_send(Outbound::End(end));
        }
    }
}
