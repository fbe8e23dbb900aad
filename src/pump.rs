//! Carries the sessions' events onto the JS event loop: one ThreadsafeFunction for every
//! session of a module instance.
//!
//! Why one and not one per session: each ThreadsafeFunction is a libuv async handle, and
//! libuv checks every one of them on each wakeup, and each wakes the loop on its own; a room
//! of 500 members in one process made the main thread scan 500 handles per wakeup. With one,
//! events queued while the main thread is busy are taken in one wakeup.
//!
//! Each event is still its own call into JS, as trtc-electron-sdk's are: Node runs the
//! microtasks after each, so code that awaits `enterRoom()` and then adds a listener sees the
//! events that follow `onEnterRoom`. (Handing JS a batch per wakeup would break that.) Order
//! is kept: one queue, in the order the sessions emitted.
//!
//! The queue is bounded in bytes by a [`Backlog`]: when the main thread stalls and the events
//! waiting for it pass [`DEFAULT_BACKLOG_BYTES`], the sessions stop reading from the server
//! until it catches up (the events stay on the server, whose slow-member rule applies), so a
//! frozen main thread cannot make Rust buffer events without end.
//!
//! The pump keeps Node alive while any session runs, and only then. Every session ends with
//! `sessionClosed`, its last event (the sink makes one if the session could not); the pump is
//! referenced when a session starts on an idle pump, and unreferenced when the main thread
//! delivers the last running session's `sessionClosed`.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi::sys;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use openroom_client::{Arg, Backlog, Event, EventSink, DEFAULT_BACKLOG_BYTES};

/// What the JS dispatcher is called with: `(session, name, ...args)`, each argument made
/// straight into its JS value (no array to build, no JSON value in between).
pub struct Dispatched {
    session: u32,
    event: Event,
}

impl JsValuesTupleIntoVec for Dispatched {
    fn into_vec(self, env: sys::napi_env) -> Result<Vec<sys::napi_value>> {
        let args = self.event.args();
        let mut values = Vec::with_capacity(2 + args.len());
        // SAFETY: called on the JS thread with its env, by the ThreadsafeFunction's callback.
        unsafe {
            values.push(u32::to_napi_value(env, self.session)?);
            values.push(<&str>::to_napi_value(env, self.event.name())?);
            for arg in args {
                values.push(match arg {
                    Arg::Number(number) => i64::to_napi_value(env, number)?,
                    Arg::Str(text) => <&str>::to_napi_value(env, text)?,
                    Arg::Bool(flag) => bool::to_napi_value(env, flag)?,
                    Arg::Null => Null::to_napi_value(env, Null)?,
                });
            }
        }
        Ok(values)
    }
}

/// `Weak` (the last `true`): the pump references it itself, only while sessions run.
/// What goes through the queue: the session, its event, and the event's size for the backlog
/// (measured once, on the session's thread, not again on the JS thread).
type Queued = (u32, Event, usize);

type Wakeup = ThreadsafeFunction<Queued, (), Dispatched, Status, false, true>;

/// The event pump of one module instance (each `require` of the addon, e.g. each Jest test
/// file, has its own, dispatching into its own JS context).
#[napi]
pub struct EventPump {
    shared: Arc<PumpShared>,
}

struct PumpShared {
    wakeup: Wakeup,
    liveness: Arc<Liveness>,
    /// Events called in and not yet delivered on the JS thread.
    backlog: Arc<Backlog>,
}

/// Whether the pump keeps Node alive. Changed only on the JS thread (atomics only because the
/// ThreadsafeFunction's callback must be Send).
#[derive(Default)]
struct Liveness {
    /// Sessions started whose `sessionClosed` has not been delivered yet.
    running: AtomicUsize,
    referenced: AtomicBool,
    /// The raw ThreadsafeFunction (set once, right after it is made).
    raw: AtomicUsize,
}

impl Liveness {
    fn raw(&self) -> sys::napi_threadsafe_function {
        self.raw.load(Ordering::Relaxed) as sys::napi_threadsafe_function
    }

    /// On the JS thread: a session starts.
    fn started(&self, env: sys::napi_env) -> Result<()> {
        if !self.referenced.load(Ordering::Relaxed) {
            check_status!(unsafe { sys::napi_ref_threadsafe_function(env, self.raw()) })?;
            self.referenced.store(true, Ordering::Relaxed);
        }
        self.running.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// On the JS thread: a session's `sessionClosed` is being delivered.
    fn closed(&self, env: sys::napi_env) {
        let before = self.running.fetch_sub(1, Ordering::Relaxed);
        if before == 1 && self.referenced.swap(false, Ordering::Relaxed) {
            // Cannot fail on the JS thread with a live ThreadsafeFunction; if it did, Node
            // would merely stay up until the function is released.
            let _ = unsafe { sys::napi_unref_threadsafe_function(env, self.raw()) };
        }
    }
}

#[napi]
impl EventPump {
    /// `dispatch(session, name, ...args)` is called on the JS thread for each event.
    #[napi(
        constructor,
        ts_args_type = "dispatch: (session: number, name: string, ...args: unknown[]) => void"
    )]
    pub fn new(dispatch: Function<'_, Dispatched, ()>) -> Result<Self> {
        let liveness = Arc::new(Liveness::default());
        let delivered = liveness.clone();
        let backlog = Arc::new(Backlog::new(DEFAULT_BACKLOG_BYTES));
        let taken = backlog.clone();
        let wakeup: Wakeup = dispatch
            .build_threadsafe_function::<Queued>()
            .weak::<true>()
            .callee_handled::<false>()
            .build_callback(move |context| {
                let (session, event, size) = context.value;
                taken.taken(size);
                if matches!(event, Event::SessionClosed) {
                    delivered.closed(context.env.raw());
                }
                Ok(Dispatched { session, event })
            })?;
        liveness.raw.store(wakeup.raw() as usize, Ordering::Relaxed);
        Ok(EventPump {
            shared: Arc::new(PumpShared {
                wakeup,
                liveness,
                backlog,
            }),
        })
    }
}

impl EventPump {
    /// A sink for a session that starts now, delivering its events as `session`. Call on the
    /// JS thread: it references the pump, so Node stays up until the session ends.
    pub fn sink(&self, env: &Env, session: u32) -> Result<PumpSink> {
        self.shared.liveness.started(env.raw())?;
        Ok(PumpSink {
            shared: self.shared.clone(),
            session,
            closed: AtomicBool::new(false),
        })
    }
}

/// One session's way onto the pump.
pub struct PumpSink {
    shared: Arc<PumpShared>,
    session: u32,
    /// Whether `sessionClosed` was emitted.
    closed: AtomicBool,
}

impl EventSink for PumpSink {
    fn emit(&self, event: Event) {
        if matches!(event, Event::SessionClosed) {
            self.closed.store(true, Ordering::Relaxed);
        }
        let size = event.size();
        self.shared.backlog.added(size);
        let status = self.shared.wakeup.call(
            (self.session, event, size),
            ThreadsafeFunctionCallMode::NonBlocking,
        );
        if status != Status::Ok {
            self.shared.backlog.taken(size);
            // Only possible while Node is shutting down; there is nobody left to tell.
            eprintln!("openroom: an event was not delivered: {status:?}");
        }
    }

    fn backlog(&self) -> Option<Arc<Backlog>> {
        Some(self.shared.backlog.clone())
    }
}

impl Drop for PumpSink {
    /// A session that never started (a refused enterRoom) or that ended without saying so
    /// still ends with `sessionClosed`, so the pump lets Node go.
    fn drop(&mut self) {
        if !self.closed.load(Ordering::Relaxed) {
            self.emit(Event::SessionClosed);
        }
    }
}
