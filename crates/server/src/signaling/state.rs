//! What a session is, apart from its connection: its room membership, what it sent (for a
//! replay), its limits and credentials; what moves to a new connection when the client
//! resumes, and how a parked session waits for that.

use openroom_protocol::custom::RateWindow;
use openroom_protocol::messages::ErrorBody;
use openroom_protocol::{ExitReason, RoomId, Scene, UserId};
use tokio::sync::oneshot;
use tokio::time::{sleep_until, Instant};
use tokio_util::sync::CancellationToken;

use crate::resume::{ReplayBuffer, ResumeKey, Takeover};
use crate::room::{Presence, RoomHandle, SessionId};
use crate::room_permission::{Admission, PublishGate};
use crate::shared_event::SharedEvent;

/// A session: what moves to a new connection when the client resumes.
pub struct SessionState {
    pub(super) id: SessionId,
    pub(super) membership: Option<Membership>,
    /// Sequence number of the last event sent on this session.
    pub(super) seq: u64,
    /// The events sent lately, for a client that resumes after missing some.
    pub(super) sent: ReplayBuffer,
    /// Present while the session is in a room and listed in the directory.
    pub(super) resumable: Option<Resumable>,
    /// The custom messages of the last second, to hold the client to the limits.
    pub(super) messages: RateWindow,
    /// The seq of the last custom message taken from the client: a resumed client resends
    /// what came after it, and nothing twice.
    pub(super) last_message: u32,
    /// Messages up to this seq are resends after a resume: already held to the limits once.
    pub(super) resent_upto: u32,
    /// When the last custom message was taken.
    pub(super) last_message_at: std::time::Instant,
    /// The last custom message the client was told was taken.
    pub(super) last_message_told: u32,
    /// The scene the client entered with: whether switchRole is allowed.
    pub(super) scene: Scene,
    /// The member's role and what its client publishes; carried into every room it enters.
    pub(super) presence: Presence,
    /// What the session's privateMapKey lets it publish of what its client asks.
    pub(super) publish_gate: PublishGate,
    /// The key a resume must be signed with, when the client gave one at enter.
    pub(super) resume_key: Option<ResumeKey>,
    /// What the session's privateMapKey allows in its room, and until when.
    pub(super) admission: Admission,
    /// When the UserSig the session entered (or last switched) with expires.
    pub(super) user_sig_expires_at: u64,
    /// The room before the last switch, for a resume that undoes a switch whose answer the
    /// client never got.
    pub(super) previous: Option<PreviousRoom>,
    /// Publishing the key withholds that the client has not been told of yet: told after the
    /// answer to the request that found it (or, if the connection broke first, the resume).
    pub(super) publish_refusal: Option<ErrorBody>,
}

/// The room a session switched from, and what its credentials allowed there.
pub(super) struct PreviousRoom {
    pub(super) room_id: RoomId,
    pub(super) admission: Admission,
    pub(super) user_sig_expires_at: u64,
    pub(super) publish_gate: PublishGate,
}

pub(super) struct Resumable {
    pub(super) token: String,
    pub(super) takeovers: flume::Receiver<Takeover<SessionState>>,
}

/// The session's current room.
pub(super) struct Membership {
    pub(super) room: RoomHandle,
    pub(super) room_id: RoomId,
    pub(super) user_id: UserId,
    pub(super) events: flume::Receiver<SharedEvent>,
    pub(super) ejection: oneshot::Receiver<ExitReason>,
}

/// What the room has for this session next.
pub(super) enum RoomSignal {
    Event(SharedEvent),
    /// The server ended the membership (removal, dismissal); every earlier event was delivered.
    Ejected(ExitReason),
    /// The room dropped this member for falling behind.
    Dropped,
}

/// How a parked session ended.
pub(super) enum Parked {
    Resumed(Takeover<SessionState>),
    /// The client did not come back in time, or the server is shutting down.
    Gone,
}

impl SessionState {
    /// Wait, without a connection, for a new connection to take the session over; gives up at
    /// `until` or on shutdown. Room events queue up meanwhile (the room drops the member if
    /// its queue fills).
    pub(super) async fn park(&mut self, until: Instant, shutdown: &CancellationToken) -> Parked {
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => Parked::Gone,
            request = next_takeover(&mut self.resumable) => Parked::Resumed(request),
            _ = sleep_until(until) => Parked::Gone,
        }
    }

    /// Why the server ended the membership while the session was parked, if it did.
    pub(super) fn ejection_while_parked(&mut self) -> Option<ExitReason> {
        self.membership
            .as_mut()
            .and_then(|membership| membership.ejection.try_recv().ok())
    }
}

/// The next request to hand the session over; never ready when it is not resumable.
pub(super) async fn next_takeover(resumable: &mut Option<Resumable>) -> Takeover<SessionState> {
    match resumable {
        Some(resumable) => match resumable.takeovers.recv_async().await {
            Ok(request) => request,
            // Unreachable while the directory lists the token; wait like an unlisted session.
            Err(_) => std::future::pending().await,
        },
        None => std::future::pending().await,
    }
}

/// What the current room has for this session next; never ready when there is no room.
pub(super) async fn next_signal(membership: &mut Option<Membership>) -> RoomSignal {
    let Some(membership) = membership else {
        return std::future::pending().await;
    };
    match membership.events.recv_async().await {
        Ok(event) => RoomSignal::Event(event),
        // The room dropped the queue: it either ejected the member (and said why first) or
        // dropped it for falling behind.
        Err(_) => match membership.ejection.try_recv() {
            Ok(reason) => RoomSignal::Ejected(reason),
            Err(_) => RoomSignal::Dropped,
        },
    }
}
