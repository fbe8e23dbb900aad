//! One WebSocket carries several sessions: a TRTCCloud and its sub-clouds each talk on a
//! channel of the same connection. The router owns the socket: it hands each channel's frames
//! to that channel's session task and writes what the sessions send, tagged with their
//! channel.
//!
//! On the wire a frame names its channel with a `"sub"` field; channel 0 leaves it out, so a
//! client with one session sees plain frames. A client's WebSocket ping is a heartbeat for
//! every channel, and its payload acknowledges each channel's events: 8 bytes (channel 0's
//! last seq) or 12 bytes per channel (channel, then last seq; big-endian).
//!
//! A channel ends when its session does. If other channels remain, the client is told with a
//! `{"type":"closed","sub":n,…}` frame; the last one to end closes the WebSocket with its
//! close frame, as a single-session connection always did. A client ends one channel with
//! `{"type":"close","sub":n}` and all of them by closing the WebSocket.

use std::collections::HashMap;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio::time::timeout;

use crate::config::{CLOSE_TIMEOUT, MAX_CHANNELS_PER_CONNECTION, SEND_TIMEOUT};
use crate::signaling::{self, SessionContext};

/// Frames queued for one session before the router waits for it.
const CHANNEL_INBOX: usize = 64;
/// Frames the sessions of one connection may queue for the socket before they wait.
const OUTBOX: usize = 256;

/// What the router hands a session.
pub(crate) enum Inbound {
    Text(String),
    /// A heartbeat from the client, with this channel's acknowledged seq when it gave one.
    Heartbeat(Option<u64>),
    /// The client closed this channel, or the whole connection, cleanly.
    Closed,
    /// The connection broke.
    Broken,
    /// The client broke the protocol; the connection ends.
    Violation(&'static str),
}

/// What a session hands the router.
pub(crate) enum Outbound {
    Text(u32, String),
    /// The session ended; the close frame it owes the client, if any.
    End(u32, Option<(u16, &'static str)>),
}

/// A session's end of its channel.
pub(crate) struct Link {
    pub sub: u32,
    inbox: mpsc::Receiver<Inbound>,
    outbox: mpsc::Sender<Outbound>,
}

impl Link {
    /// The next thing from the client; `None` once the router is gone (the connection broke).
    pub async fn recv(&mut self) -> Inbound {
        self.inbox.recv().await.unwrap_or(Inbound::Broken)
    }

    /// Queue one frame for the socket; `Err` when the connection is gone.
    pub async fn send(&self, text: String) -> Result<(), ()> {
        self.outbox
            .send(Outbound::Text(self.sub, text))
            .await
            .map_err(|_| ())
    }

    /// The session is over: free the channel, with the close frame it owes the client.
    pub async fn end(self, close: Option<(u16, &'static str)>) {
        let _ = timeout(
            CLOSE_TIMEOUT,
            self.outbox.send(Outbound::End(self.sub, close)),
        )
        .await;
    }
}

#[derive(Deserialize)]
struct Tag {
    #[serde(default)]
    sub: u32,
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

/// Serve one WebSocket until its last channel has ended.
pub async fn run(socket: WebSocket, ctx: SessionContext) {
    let (mut sink, mut stream) = socket.split();
    let (outbox, mut outgoing) = mpsc::channel(OUTBOX);
    let mut channels: HashMap<u32, mpsc::Sender<Inbound>> = HashMap::new();
    // Channel 0 exists from the start, so a connection that says nothing still times out.
    channels.insert(0, open(&ctx, 0, &outbox));
    let mut reading = true;
    loop {
        tokio::select! {
            biased;
            out = outgoing.recv() => {
                let Some(out) = out else { break };
                match out {
                    Outbound::Text(sub, text) => {
                        let sent = timeout(SEND_TIMEOUT, sink.send(Message::Text(tagged(sub, text).into()))).await;
                        if !matches!(sent, Ok(Ok(()))) {
                            // The client stopped reading, or the socket broke: every session is
                            // cut off (they park, and may be resumed on a new connection).
                            tracing::debug!("connection broke while writing");
                            broadcast(&channels, || Inbound::Broken);
                            reading = false;
                        }
                    }
                    Outbound::End(sub, close) => {
                        channels.remove(&sub);
                        if channels.is_empty() {
                            if let Some((code, reason)) = close {
                                let frame = CloseFrame { code, reason: reason.into() };
                                let _ = timeout(CLOSE_TIMEOUT, sink.send(Message::Close(Some(frame)))).await;
                            }
                            break;
                        }
                        if let Some((code, reason)) = close {
                            let closed = serde_json::json!({"type": "closed", "sub": sub, "code": code, "reason": reason});
                            let _ = timeout(SEND_TIMEOUT, sink.send(Message::Text(closed.to_string().into()))).await;
                        }
                    }
                }
            }
            message = stream.next(), if reading => match message {
                Some(Ok(Message::Text(text))) => {
                    let tag = serde_json::from_str::<Tag>(text.as_str()).unwrap_or(Tag { sub: 0, kind: None });
                    if tag.kind.as_deref() == Some("close") {
                        if let Some(channel) = channels.get(&tag.sub) {
                            let _ = channel.try_send(Inbound::Closed);
                        }
                        continue;
                    }
                    if !channels.contains_key(&tag.sub) {
                        if channels.len() >= MAX_CHANNELS_PER_CONNECTION {
                            broadcast(&channels, || Inbound::Violation("too many channels on one connection"));
                            reading = false;
                            continue;
                        }
                        channels.insert(tag.sub, open(&ctx, tag.sub, &outbox));
                    }
                    // Never wait for a session here (it may be waiting for this loop to write):
                    // a channel whose client floods it with requests is cut off instead.
                    let flooded = channels
                        .get(&tag.sub)
                        .is_some_and(|channel| channel.try_send(Inbound::Text(text.to_string())).is_err());
                    if flooded {
                        tracing::warn!(sub = tag.sub, "client floods a channel with requests; cutting it off");
                        channels.remove(&tag.sub);
                    }
                }
                Some(Ok(Message::Ping(payload))) => {
                    let acks = acknowledgements(&payload);
                    for (sub, channel) in &channels {
                        let ack = acks.iter().find(|(s, _)| s == sub).map(|(_, seq)| *seq);
                        // A full inbox is a busy channel: it needs no heartbeat to stay alive.
                        let _ = channel.try_send(Inbound::Heartbeat(ack));
                    }
                }
                Some(Ok(Message::Pong(_))) => broadcast(&channels, || Inbound::Heartbeat(None)),
                Some(Ok(Message::Binary(_))) => {
                    broadcast(&channels, || Inbound::Violation("binary frames are not part of the protocol"));
                    reading = false;
                }
                Some(Ok(Message::Close(_))) | None => {
                    broadcast(&channels, || Inbound::Closed);
                    reading = false;
                }
                Some(Err(error)) => {
                    tracing::debug!(%error, "connection broke");
                    broadcast(&channels, || Inbound::Broken);
                    reading = false;
                }
            },
        }
    }
}

/// Start the session of channel `sub`; returns where its frames go.
fn open(ctx: &SessionContext, sub: u32, outbox: &mpsc::Sender<Outbound>) -> mpsc::Sender<Inbound> {
    let (inbox_tx, inbox) = mpsc::channel(CHANNEL_INBOX);
    let link = Link {
        sub,
        inbox,
        outbox: outbox.clone(),
    };
    ctx.registry
        .tasks()
        .spawn(signaling::run(link, ctx.clone()));
    inbox_tx
}

/// Tell every session the same thing, without waiting for any of them.
fn broadcast(channels: &HashMap<u32, mpsc::Sender<Inbound>>, what: impl Fn() -> Inbound) {
    for channel in channels.values() {
        let _ = channel.try_send(what());
    }
}

/// A frame of channel `sub` as it goes on the wire: channel 0's unchanged, others with
/// `"sub"` first (every server frame is a JSON object).
fn tagged(sub: u32, text: String) -> String {
    if sub == 0 {
        return text;
    }
    match text.strip_prefix('{') {
        Some(rest) => format!("{{\"sub\":{sub},{rest}"),
        None => text,
    }
}

/// The (channel, seq) pairs a ping acknowledges.
fn acknowledgements(payload: &[u8]) -> Vec<(u32, u64)> {
    if let Ok(seq) = <[u8; 8]>::try_from(payload) {
        return vec![(0, u64::from_be_bytes(seq))];
    }
    payload
        .chunks_exact(12)
        .map(|entry| {
            let (sub, seq) = entry.split_at(4);
            let sub = u32::from_be_bytes(sub.try_into().unwrap_or_default());
            let seq = u64::from_be_bytes(seq.try_into().unwrap_or_default());
            (sub, seq)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_tagged_with_their_channel() {
        assert_eq!(tagged(0, r#"{"type":"x"}"#.into()), r#"{"type":"x"}"#);
        assert_eq!(
            tagged(3, r#"{"type":"x"}"#.into()),
            r#"{"sub":3,"type":"x"}"#
        );
    }

    #[test]
    fn pings_acknowledge_one_or_several_channels() {
        assert_eq!(acknowledgements(&7u64.to_be_bytes()), [(0, 7)]);
        let mut two = Vec::new();
        for (sub, seq) in [(0u32, 5u64), (2, 9)] {
            two.extend(sub.to_be_bytes());
            two.extend(seq.to_be_bytes());
        }
        assert_eq!(acknowledgements(&two), [(0, 5), (2, 9)]);
        assert_eq!(acknowledgements(&[]), []);
        assert_eq!(acknowledgements(&[1, 2, 3]), []);
    }
}
