//! Which room actor serves which room id. The lock here guards only the map: it is taken to
//! find or open a room and when a room closes, never while a room handles a message.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use openroom_protocol::{RoomId, UserId};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::RoomLimits;
use crate::rate::TokenBucket;
use crate::room::{self, RoomHandle, RoomSettings};

/// The server holds as many rooms as it may; no new one opens until one closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this server already holds its limit of {0} rooms; try again later")]
pub struct RoomLimitReached(pub usize);

/// Why entering could not open a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OpenRefused {
    #[error(transparent)]
    Limit(#[from] RoomLimitReached),
    #[error("this user opened {0} rooms in the last second or two, its limit ({0} a second, in bursts of twice as many); enter an open room, or try again in a second")]
    RateLimited(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CreateRefused {
    #[error("the room already exists")]
    Exists,
    #[error(transparent)]
    Limit(#[from] RoomLimitReached),
}

#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

struct Inner {
    rooms: Mutex<HashMap<RoomId, RoomHandle>>,
    /// How many rooms each user opened lately, to hold it to its rate. Users whose bucket is
    /// full again are forgotten, so the map holds only those who opened rooms in the last
    /// couple of seconds.
    openers: Mutex<HashMap<UserId, TokenBucket>>,
    limits: RoomLimits,
    /// Cancelled on server shutdown: every room closes.
    shutdown: CancellationToken,
    next_generation: AtomicU64,
    /// Every room actor runs in here, so shutdown can wait for all of them.
    tasks: TaskTracker,
}

impl Registry {
    pub fn new(tasks: TaskTracker, limits: RoomLimits, shutdown: CancellationToken) -> Self {
        Registry {
            inner: Arc::new(Inner {
                rooms: Mutex::new(HashMap::new()),
                openers: Mutex::new(HashMap::new()),
                limits,
                shutdown,
                next_generation: AtomicU64::new(1),
                tasks,
            }),
        }
    }

    /// The actor of an existing room.
    pub fn get(&self, id: &RoomId) -> Option<RoomHandle> {
        self.rooms().get(id).cloned()
    }

    /// The actor of a room, opening the room for `opener` if it does not exist (a room is
    /// created by its first enter), the server's room limit allows another, and `opener` has
    /// not opened its share of rooms this second.
    pub fn get_or_open(&self, id: &RoomId, opener: &UserId) -> Result<RoomHandle, OpenRefused> {
        let mut rooms = self.rooms();
        if let Some(handle) = rooms.get(id) {
            return Ok(handle.clone());
        }
        let limit = self.inner.limits.max_rooms;
        if rooms.len() >= limit {
            return Err(RoomLimitReached(limit).into());
        }
        self.may_open(opener)?;
        let settings = RoomSettings::opened_by_enter(&self.inner.limits);
        Ok(self.open(&mut rooms, id, settings))
    }

    /// Count a room opened by `opener`, or refuse it when the user is over its rate.
    fn may_open(&self, opener: &UserId) -> Result<(), OpenRefused> {
        /// Past this many users in the map, the ones whose bucket is full again are dropped.
        const PRUNE_ABOVE: usize = 1024;
        let rate = self.inner.limits.rooms_per_user_per_second;
        let now = std::time::Instant::now();
        let mut openers = self
            .inner
            .openers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if openers.len() > PRUNE_ABOVE {
            openers.retain(|_, bucket| !bucket.is_full(rate, now));
        }
        let bucket = openers
            .entry(opener.clone())
            .or_insert_with(|| TokenBucket::full(rate, now));
        if bucket.take(rate, now) {
            Ok(())
        } else {
            Err(OpenRefused::RateLimited(rate))
        }
    }

    /// Create a room ahead of time with its own settings (REST CreateRoom).
    pub fn create(&self, id: &RoomId, settings: RoomSettings) -> Result<RoomHandle, CreateRefused> {
        let mut rooms = self.rooms();
        if rooms.contains_key(id) {
            return Err(CreateRefused::Exists);
        }
        let limit = self.inner.limits.max_rooms;
        if rooms.len() >= limit {
            return Err(CreateRefused::Limit(RoomLimitReached(limit)));
        }
        Ok(self.open(&mut rooms, id, settings))
    }

    /// The server's limits, which a created room's settings must stay within.
    pub fn limits(&self) -> &RoomLimits {
        &self.inner.limits
    }

    fn open(
        &self,
        rooms: &mut HashMap<RoomId, RoomHandle>,
        id: &RoomId,
        settings: RoomSettings,
    ) -> RoomHandle {
        let generation = self.inner.next_generation.fetch_add(1, Ordering::Relaxed);
        let registry = self.clone();
        let unmapped = id.clone();
        let home = room::Home {
            tasks: self.inner.tasks.clone(),
            shutdown: self.inner.shutdown.clone(),
            unmap: Box::new(move || registry.forget(&unmapped, generation)),
        };
        let handle = room::spawn(id.clone(), generation, settings, home);
        rooms.insert(id.clone(), handle.clone());
        handle
    }

    /// Every open room with its actor, in a stable order (numeric ids first, ascending, then
    /// string ids), for paging through them.
    pub fn list(&self) -> Vec<(RoomId, RoomHandle)> {
        let mut rooms: Vec<(RoomId, RoomHandle)> = self
            .rooms()
            .iter()
            .map(|(id, handle)| (id.clone(), handle.clone()))
            .collect();
        rooms.sort_by(|(a, _), (b, _)| match (a, b) {
            (RoomId::RoomId(a), RoomId::RoomId(b)) => a.cmp(b),
            (RoomId::RoomId(_), RoomId::StrRoomId(_)) => std::cmp::Ordering::Less,
            (RoomId::StrRoomId(_), RoomId::RoomId(_)) => std::cmp::Ordering::Greater,
            (RoomId::StrRoomId(a), RoomId::StrRoomId(b)) => a.cmp(b),
        });
        rooms
    }

    /// How many rooms are open.
    pub fn len(&self) -> usize {
        self.rooms().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn tasks(&self) -> &TaskTracker {
        &self.inner.tasks
    }

    /// Called by a closing actor: unmap it, unless a newer actor already serves the id.
    fn forget(&self, id: &RoomId, generation: u64) {
        let mut rooms = self.rooms();
        if rooms.get(id).is_some_and(|h| h.generation == generation) {
            rooms.remove(id);
        }
    }

    fn rooms(&self) -> MutexGuard<'_, HashMap<RoomId, RoomHandle>> {
        // A panic while holding this lock cannot leave the map half-updated (each critical
        // section is one insert or remove), so a poisoned lock is safe to keep using.
        self.inner
            .rooms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
