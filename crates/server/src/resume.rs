//! Sessions a client can take over on a new connection after its old one broke.
//!
//! Every session in a room is listed here under a random resume token, given to the client at
//! enter. The task that owns the session (its connection's task, or the same task parked after
//! the connection broke) serves takeover requests: it hands its state to the new connection's
//! task and stops, without leaving the room. When a session ends for good it is forgotten; if
//! the server ended it (removal, dismissal, another login) that is remembered for a while, so
//! a client that comes back later learns why instead of entering again.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use openroom_protocol::ExitReason;
use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::shared_event::SharedEvent;

/// How long the server remembers why it ended a session, for a client that reconnects late.
pub const ENDED_MEMORY: Duration = Duration::from_secs(10 * 60);
/// At most this many ended sessions are remembered; the oldest are forgotten first.
const ENDED_MEMORY_ENTRIES: usize = 100_000;

/// A request to hand a session over: the state goes back through the oneshot.
pub type Takeover<S> = oneshot::Sender<S>;

/// What a resume token leads to.
pub enum Lookup<S> {
    /// The session, now the caller's.
    Live(S),
    /// The server ended the session while the client was away.
    Ended(ExitReason),
    /// No such session (it timed out, or the token is not from this server).
    Unknown,
}

/// The directory of resumable sessions; cheap to clone.
pub struct Directory<S> {
    inner: Arc<Mutex<Inner<S>>>,
}

impl<S> Clone for Directory<S> {
    fn clone(&self) -> Self {
        Directory {
            inner: self.inner.clone(),
        }
    }
}

impl<S> Default for Directory<S> {
    fn default() -> Self {
        Directory {
            inner: Arc::new(Mutex::new(Inner {
                live: HashMap::new(),
                ended: HashMap::new(),
                ended_order: VecDeque::new(),
            })),
        }
    }
}

struct Inner<S> {
    live: HashMap<String, flume::Sender<Takeover<S>>>,
    ended: HashMap<String, ExitReason>,
    /// Ended tokens, oldest first, with when each is forgotten.
    ended_order: VecDeque<(Instant, String)>,
}

impl<S> Directory<S> {
    /// List a new session; returns its token and where takeover requests arrive.
    pub fn register(&self) -> (String, flume::Receiver<Takeover<S>>) {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let (requests, inbox) = flume::bounded(1);
        self.lock().live.insert(token.clone(), requests);
        (token, inbox)
    }

    /// The session behind `token` ended. `ended_by_server` is remembered for
    /// [`ENDED_MEMORY`], so a late resume hears why.
    pub fn forget(&self, token: &str, ended_by_server: Option<ExitReason>) {
        let mut inner = self.lock();
        inner.live.remove(token);
        let now = Instant::now();
        while let Some((forget_at, _)) = inner.ended_order.front() {
            if *forget_at > now && inner.ended_order.len() < ENDED_MEMORY_ENTRIES {
                break;
            }
            if let Some((_, old)) = inner.ended_order.pop_front() {
                inner.ended.remove(&old);
            }
        }
        if let Some(reason) = ended_by_server {
            inner.ended.insert(token.to_owned(), reason);
            inner
                .ended_order
                .push_back((now + ENDED_MEMORY, token.to_owned()));
        }
    }

    /// Take the session behind `token` over from the task that owns it.
    pub async fn take_over(&self, token: &str) -> Lookup<S> {
        let owner = {
            let inner = self.lock();
            match inner.live.get(token) {
                Some(owner) => owner.clone(),
                None => return self.ended(&inner, token),
            }
        };
        let (reply, state) = oneshot::channel();
        let sent = owner.send_async(reply).await.is_ok();
        // Let go of the sender before waiting: a flume queue keeps its messages while any
        // sender lives, even after the owner dropped its receiver, so a request that slipped
        // in as the owner ended would hold `reply` (and this wait) forever. Once the owner is
        // forgotten and this clone is gone, the queue and the reply inside it are dropped.
        drop(owner);
        if sent {
            if let Ok(state) = state.await {
                return Lookup::Live(state);
            }
        }
        // The owner ended meanwhile; it said why (or not) on its way out.
        self.ended(&self.lock(), token)
    }

    fn ended(&self, inner: &Inner<S>, token: &str) -> Lookup<S> {
        match inner.ended.get(token) {
            Some(reason) => Lookup::Ended(*reason),
            None => Lookup::Unknown,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<S>> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The events a session sent most recently, for replay after a reconnect. The client
/// acknowledges what it received (in its pings), which trims the buffer; it holds at most
/// [`ReplayBuffer::CAPACITY`] frames, and a client that needs older ones enters again.
#[derive(Default)]
pub struct ReplayBuffer {
    /// (seq, event), oldest first, consecutive. The events are shared with the room's other
    /// members; a frame is made again only for a replay.
    events: VecDeque<(u64, SharedEvent)>,
    /// Bytes of the events held.
    bytes: usize,
}

impl ReplayBuffer {
    /// Frames held at most: a busy room's events for the seconds a client takes to notice a
    /// silent connection. A client acknowledges every 64 events, so a live one never comes near.
    pub const CAPACITY: usize = 2048;
    /// Bytes held at most (custom messages make frames of up to about 1.4 KB).
    pub const MAX_BYTES: usize = 512 * 1024;

    pub fn push(&mut self, seq: u64, event: SharedEvent) {
        while self.events.len() == Self::CAPACITY || self.bytes + event.len() > Self::MAX_BYTES {
            let Some((_, oldest)) = self.events.pop_front() else {
                break;
            };
            self.bytes -= oldest.len();
        }
        self.bytes += event.len();
        self.events.push_back((seq, event));
    }

    /// The client has every frame up to `seq`.
    pub fn acknowledge(&mut self, seq: u64) {
        while self.events.front().is_some_and(|(s, _)| seq_le(*s, seq)) {
            if let Some((_, event)) = self.events.pop_front() {
                self.bytes -= event.len();
            }
        }
        if self.events.is_empty() {
            self.events.shrink_to(8);
        }
    }

    /// The frames after `last_seq`, if the buffer still holds all of them. `current` is the
    /// seq of the last frame sent.
    pub fn after(&self, last_seq: u64, current: u64) -> Option<Vec<String>> {
        if last_seq == current {
            return Some(Vec::new());
        }
        let first_needed = last_seq.wrapping_add(1);
        let start = self.events.iter().position(|(s, _)| *s == first_needed)?;
        Some(
            self.events
                .iter()
                .skip(start)
                .map(|(seq, event)| event.frame(*seq))
                .collect(),
        )
    }
}

/// `a <= b` for sequence numbers that wrap (RFC 1982 style): within half the range.
fn seq_le(a: u64, b: u64) -> bool {
    b.wrapping_sub(a) < u64::MAX / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A distinct event for each `n`.
    fn event(n: u64) -> SharedEvent {
        openroom_protocol::RoomEvent::CustomMessage {
            user_id: openroom_protocol::UserId::parse("a").unwrap(),
            cmd_id: 1,
            seq: 1,
            data: format!("f{n}"),
        }
        .into()
    }

    /// The frames of events `seqs`, numbered as such.
    fn frames(seqs: impl IntoIterator<Item = u64>) -> Option<Vec<String>> {
        Some(seqs.into_iter().map(|n| event(n).frame(n)).collect())
    }

    #[test]
    fn replay_gives_what_came_after_last_seq_or_nothing_when_it_is_gone() {
        let mut buffer = ReplayBuffer::default();
        for seq in 1..=5 {
            buffer.push(seq, event(seq));
        }
        assert_eq!(buffer.after(3, 5), frames([4, 5]));
        assert_eq!(buffer.after(5, 5), frames([]));
        buffer.acknowledge(4);
        assert_eq!(buffer.after(4, 5), frames([5]));
        // Frame 3 was acknowledged and dropped: a client claiming 2 cannot be served.
        assert_eq!(buffer.after(2, 5), None);
        // One more frame than it holds: the oldest unacknowledged one (6) falls out.
        let last = 6 + ReplayBuffer::CAPACITY as u64;
        for seq in 6..=last {
            buffer.push(seq, event(seq));
        }
        assert_eq!(buffer.events.len(), ReplayBuffer::CAPACITY);
        assert_eq!(buffer.after(5, last), None);
        assert_eq!(buffer.after(last - 1, last), frames([last]));
    }

    #[test]
    fn acknowledgements_work_across_the_wrap() {
        let mut buffer = ReplayBuffer::default();
        buffer.push(u64::MAX, event(u64::MAX));
        buffer.push(0, event(0));
        buffer.push(1, event(1));
        buffer.acknowledge(0);
        assert_eq!(buffer.after(0, 1), frames([1]));
    }

    #[tokio::test]
    async fn a_token_leads_to_the_session_then_to_why_it_ended() {
        let directory: Directory<&'static str> = Directory::default();
        let (token, requests) = directory.register();
        let owner = tokio::spawn(async move {
            let reply = requests.recv_async().await.unwrap();
            reply.send("state").unwrap();
        });
        assert!(matches!(
            directory.take_over(&token).await,
            Lookup::Live("state")
        ));
        owner.await.unwrap();
        directory.forget(&token, Some(ExitReason::Removed));
        assert!(matches!(
            directory.take_over(&token).await,
            Lookup::Ended(ExitReason::Removed)
        ));
        assert!(matches!(directory.take_over("nope").await, Lookup::Unknown));
        let (other, _requests) = directory.register();
        directory.forget(&other, None);
        assert!(matches!(directory.take_over(&other).await, Lookup::Unknown));
    }
}
