//! Sessions a client can take over on a new connection after its old one broke.
//!
//! Every session in a room is listed here under a random resume token, given to the client at
//! enter. The task that owns the session (its connection's task, or the same task parked after
//! the connection broke) serves takeover requests: it hands its state to the new connection's
//! task and stops, without leaving the room. When a session ends for good it is forgotten; if
//! the server ended it (removal, dismissal, another login) that is remembered for a while, so
//! a client that comes back later learns why instead of entering again.
//!
//! A session entered with a resume key (see [`openroom_protocol::resume_proof`]) is only
//! taken over by a request signed with that key and a counter it has not used: the check is
//! made here, before the owner hears of the request, so a forged or replayed one disturbs
//! nothing.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use openroom_protocol::resume_proof::{self, KEY_BYTES, PROOF_BYTES};
use openroom_protocol::ExitReason;
use ring::signature::{UnparsedPublicKey, ED25519};
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
    /// The request does not prove it comes from the client that entered.
    Refused(ProofRefused),
}

/// The public half of the key a client made for its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResumeKey([u8; KEY_BYTES]);

/// Why a `resumeKey` was refused at enter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResumeKeyError {
    #[error("resumeKey is not base64: {0}")]
    NotBase64(String),
    #[error("resumeKey must be an Ed25519 public key of {KEY_BYTES} bytes, not {0}")]
    WrongLength(usize),
}

impl ResumeKey {
    /// A `resumeKey` as sent at enter: base64 of the 32 bytes of an Ed25519 public key.
    pub fn parse(text: &str) -> Result<ResumeKey, ResumeKeyError> {
        // Longer text cannot be a key: refused before decoding it.
        if text.len() > 2 * KEY_BYTES {
            return Err(ResumeKeyError::WrongLength(text.len() * 3 / 4));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|error| ResumeKeyError::NotBase64(error.to_string()))?;
        let key = <[u8; KEY_BYTES]>::try_from(bytes.as_slice())
            .map_err(|_| ResumeKeyError::WrongLength(bytes.len()))?;
        Ok(ResumeKey(key))
    }

    /// Whether `proof` is this key's signature over the resume of `token` at `counter`.
    fn signed(&self, token: &str, counter: u64, proof: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.0)
            .verify(&resume_proof::signed_message(token, counter), proof)
            .is_ok()
    }
}

/// What a resume request offers as proof.
pub struct Claim<'a> {
    pub counter: u64,
    pub proof: Option<&'a str>,
}

/// Why a resume was not taken as coming from the session's client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofRefused {
    #[error(
        "this session was entered with a resumeKey: a resume must carry a proof signed with it"
    )]
    Missing,
    #[error("the resume proof must be base64 of a {PROOF_BYTES}-byte Ed25519 signature")]
    Malformed,
    #[error("resume counter {0} was already used: a resume frame cannot be played again")]
    Replayed(u64),
    #[error("the resume proof is not signed with this session's resumeKey")]
    BadSignature,
}

/// A live session's entry: where takeover requests go, and what proves a request genuine.
struct Entry<S> {
    owner: flume::Sender<Takeover<S>>,
    key: Option<ResumeKey>,
    /// The last counter a resume of this session spent.
    last_counter: u64,
}

/// Check `claim`'s signature by `key` (None: a session of a client older than protocol 5,
/// resumed by its token alone). Only a genuine signature learns whether its counter is spent.
fn check_signature(
    key: Option<ResumeKey>,
    token: &str,
    claim: &Claim<'_>,
) -> Result<(), ProofRefused> {
    let Some(key) = key else {
        return Ok(());
    };
    let proof = claim.proof.ok_or(ProofRefused::Missing)?;
    // Base64 of 64 bytes is 88 characters: anything longer is refused before decoding.
    let signature = Some(proof)
        .filter(|proof| proof.len() <= 2 * PROOF_BYTES)
        .and_then(|proof| base64::engine::general_purpose::STANDARD.decode(proof).ok())
        .filter(|bytes| bytes.len() == PROOF_BYTES)
        .ok_or(ProofRefused::Malformed)?;
    if !key.signed(token, claim.counter, &signature) {
        return Err(ProofRefused::BadSignature);
    }
    Ok(())
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
    live: HashMap<String, Entry<S>>,
    ended: HashMap<String, ExitReason>,
    /// Ended tokens, oldest first, with when each is forgotten.
    ended_order: VecDeque<(Instant, String)>,
}

impl<S> Directory<S> {
    /// List a new session, resumed only with proof by `key` when it has one; returns its
    /// token and where takeover requests arrive.
    pub fn register(&self, key: Option<ResumeKey>) -> (String, flume::Receiver<Takeover<S>>) {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let (owner, inbox) = flume::bounded(1);
        let entry = Entry {
            owner,
            key,
            last_counter: 0,
        };
        self.lock().live.insert(token.clone(), entry);
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

    /// Take the session behind `token` over from the task that owns it, if `claim` proves
    /// the request comes from its client.
    pub async fn take_over(&self, token: &str, claim: &Claim<'_>) -> Lookup<S> {
        // The signature is checked without the lock (every enter and exit takes it); the
        // counter is then spent under it, so two connections racing with one frame cannot
        // both pass.
        let key = {
            let inner = self.lock();
            match inner.live.get(token) {
                Some(entry) => entry.key,
                None => return self.ended(&inner, token),
            }
        };
        if let Err(refused) = check_signature(key, token, claim) {
            return Lookup::Refused(refused);
        }
        let owner = {
            let mut inner = self.lock();
            let Some(entry) = inner.live.get_mut(token) else {
                return self.ended(&inner, token);
            };
            if key.is_some() {
                if claim.counter <= entry.last_counter {
                    return Lookup::Refused(ProofRefused::Replayed(claim.counter));
                }
                entry.last_counter = claim.counter;
            }
            entry.owner.clone()
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

    const NO_PROOF: Claim<'static> = Claim {
        counter: 0,
        proof: None,
    };

    /// A client's key pair, and its public half as the server keeps it.
    fn client_key() -> (ring::signature::Ed25519KeyPair, ResumeKey) {
        use ring::signature::KeyPair as _;
        let pkcs8 =
            ring::signature::Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
                .unwrap();
        let pair = ring::signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let public = base64::engine::general_purpose::STANDARD.encode(pair.public_key());
        (pair, ResumeKey::parse(&public).unwrap())
    }

    fn proof(pair: &ring::signature::Ed25519KeyPair, token: &str, counter: u64) -> String {
        let signature = pair.sign(&resume_proof::signed_message(token, counter));
        base64::engine::general_purpose::STANDARD.encode(signature.as_ref())
    }

    #[tokio::test]
    async fn a_keyed_session_is_taken_over_only_with_a_fresh_signed_counter() {
        let directory: Directory<u32> = Directory::default();
        let (pair, key) = client_key();
        let (stranger, _) = client_key();
        let (token, requests) = directory.register(Some(key));
        let owner = tokio::spawn(async move {
            while let Ok(reply) = requests.recv_async().await {
                let _ = reply.send(7);
            }
        });
        let claim = |proof: &'static str, counter| Claim {
            counter,
            proof: Some(proof),
        };
        let leak = |text: String| -> &'static str { Box::leak(text.into_boxed_str()) };
        let refused = |lookup: Lookup<u32>| match lookup {
            Lookup::Refused(why) => why,
            _ => panic!("taken over without proof"),
        };
        assert_eq!(
            refused(directory.take_over(&token, &NO_PROOF).await),
            ProofRefused::Missing
        );
        assert_eq!(
            refused(directory.take_over(&token, &claim("AAAA", 1)).await),
            ProofRefused::Malformed
        );
        let forged = leak(proof(&stranger, &token, 1));
        assert_eq!(
            refused(directory.take_over(&token, &claim(forged, 1)).await),
            ProofRefused::BadSignature
        );
        // Signed for another counter than it claims.
        let moved = leak(proof(&pair, &token, 1));
        assert_eq!(
            refused(directory.take_over(&token, &claim(moved, 2)).await),
            ProofRefused::BadSignature
        );
        let genuine = claim(leak(proof(&pair, &token, 1)), 1);
        assert!(matches!(
            directory.take_over(&token, &genuine).await,
            Lookup::Live(7)
        ));
        // The same frame again: its counter is spent.
        assert_eq!(
            refused(directory.take_over(&token, &genuine).await),
            ProofRefused::Replayed(1)
        );
        let next = claim(leak(proof(&pair, &token, 5)), 5);
        assert!(matches!(
            directory.take_over(&token, &next).await,
            Lookup::Live(7)
        ));
        directory.forget(&token, None);
        owner.await.unwrap();
    }

    #[test]
    fn a_resume_key_must_be_32_bytes_of_base64() {
        assert!(matches!(
            ResumeKey::parse("not base64!"),
            Err(ResumeKeyError::NotBase64(_))
        ));
        assert_eq!(
            ResumeKey::parse("AAAA"),
            Err(ResumeKeyError::WrongLength(3))
        );
        assert_eq!(
            ResumeKey::parse(&"A".repeat(100_000)),
            Err(ResumeKeyError::WrongLength(75_000))
        );
    }

    #[tokio::test]
    async fn a_token_leads_to_the_session_then_to_why_it_ended() {
        let directory: Directory<&'static str> = Directory::default();
        let (token, requests) = directory.register(None);
        let owner = tokio::spawn(async move {
            let reply = requests.recv_async().await.unwrap();
            reply.send("state").unwrap();
        });
        assert!(matches!(
            directory.take_over(&token, &NO_PROOF).await,
            Lookup::Live("state")
        ));
        owner.await.unwrap();
        directory.forget(&token, Some(ExitReason::Removed));
        assert!(matches!(
            directory.take_over(&token, &NO_PROOF).await,
            Lookup::Ended(ExitReason::Removed)
        ));
        assert!(matches!(
            directory.take_over("nope", &NO_PROOF).await,
            Lookup::Unknown
        ));
        let (other, _requests) = directory.register(None);
        directory.forget(&other, None);
        assert!(matches!(
            directory.take_over(&other, &NO_PROOF).await,
            Lookup::Unknown
        ));
    }
}
