//! What the client's integration tests share: an engine whose events are recorded in order,
//! signed enter params, and event builders.
// Each test file uses its own part of this.
#![allow(dead_code)]

use std::time::Duration;

use openroom_client::{
    ClientConfig, ConnectionState, Engine, EngineError, Event, StateChangeReason,
};
use openroom_protocol::usersig::gen_user_sig;
use openroom_protocol::{ExitReason, LeaveReason, UserId};
use openroom_server::ServerConfig;
use serde_json::{json, Value};
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio::time::timeout;

/// An engine and every event its sessions emitted, in order.
pub struct Recorder {
    pub engine: Engine,
    events: mpsc::UnboundedReceiver<Event>,
    sink: mpsc::UnboundedSender<Event>,
    /// Every onConnectionStateChanged so far, kept out of `next()`'s way.
    pub states: Vec<(ConnectionState, StateChangeReason)>,
    /// Longest one event may take before the test fails.
    wait: Duration,
}

impl Recorder {
    pub fn new(config: ClientConfig, wait: Duration) -> Recorder {
        Recorder::with_engine(Engine::new(config, Handle::current()), wait)
    }

    /// Record an engine made elsewhere (a sub-engine, say).
    pub fn with_engine(engine: Engine, wait: Duration) -> Recorder {
        let (sink, events) = mpsc::unbounded_channel();
        Recorder {
            engine,
            events,
            sink,
            states: Vec::new(),
            wait,
        }
    }

    /// Start entering with `scene`; the outcome arrives as events.
    pub fn start_enter(&self, params: &Value, scene: u32) -> Result<(), EngineError> {
        let sink = self.sink.clone();
        self.engine.enter_room(params, &json!(scene), move |event| {
            let _ = sink.send(event);
        })
    }

    /// Enter and check it succeeded.
    pub async fn enter(&mut self, params: &Value, scene: u32) {
        self.start_enter(params, scene)
            .expect("the engine starts entering");
        match self.next().await {
            Event::EnterRoom { result, .. } => assert!(result > 0, "enter failed: {result}"),
            other => panic!("expected onEnterRoom, got {other:?}"),
        }
    }

    /// The next event, state changes aside (they are recorded in `states`).
    pub async fn next(&mut self) -> Event {
        loop {
            let event = timeout(self.wait, self.events.recv())
                .await
                .expect("timed out waiting for an event")
                .expect("event stream ended");
            match event {
                Event::ConnectionStateChanged { state, reason } => {
                    self.states.push((state, reason))
                }
                event => return event,
            }
        }
    }

    /// The next event that is not a reconnection attempt.
    pub async fn next_after_attempts(&mut self) -> Event {
        loop {
            match self.next().await {
                Event::TryToReconnect { .. } => continue,
                event => return event,
            }
        }
    }

    /// Nothing at all is waiting but state changes (events are delivered in order, so call it
    /// after a barrier).
    pub fn assert_nothing_pending(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            assert!(
                matches!(event, Event::ConnectionStateChanged { .. }),
                "unexpected {event:?}"
            );
        }
    }

    /// The next `count` events, state changes aside.
    pub async fn next_n(&mut self, count: usize) -> Vec<Event> {
        let mut events = Vec::with_capacity(count);
        for _ in 0..count {
            events.push(self.next().await);
        }
        events
    }
}

/// Prove that `members`, all in the room `probe` (enter params for the user "probe") names,
/// heard nothing more: a probe enters and leaves that room, and the next two things each
/// member hears are its arrival and its departure. The room's one event order makes this a
/// barrier: anything the member was still to hear would have come first.
pub async fn barrier(url: &str, probe: &Value, members: &mut [&mut Recorder]) {
    let config = ClientConfig {
        server_url: url.to_owned(),
        ..ClientConfig::default()
    };
    let mut prober = Recorder::new(config, Duration::from_secs(5));
    prober.enter(probe, 0).await;
    for member in members.iter_mut() {
        assert_eq!(member.next().await, entered("probe"));
    }
    prober.engine.exit_room();
    for member in members.iter_mut() {
        assert_eq!(member.next().await, left("probe", LeaveReason::Exited));
    }
}

/// Enter params for `user` in numeric room `room`, signed for ten minutes.
pub fn params(server: &ServerConfig, user: &str, room: u32) -> Value {
    json!({"sdkAppId": server.sdk_app_id, "userId": user, "roomId": room,
           "userSig": gen_user_sig(server.sdk_app_id.into(), &server.secret_key, user, 600, now())})
}

/// Seconds since the Unix epoch, for signing.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn uid(user: &str) -> UserId {
    UserId::parse(user).unwrap()
}

pub fn entered(user: &str) -> Event {
    Event::RemoteUserEnterRoom {
        user_id: uid(user),
        user_data: None,
    }
}

pub fn left(user: &str, reason: LeaveReason) -> Event {
    Event::RemoteUserLeaveRoom {
        user_id: uid(user),
        reason,
    }
}

pub fn exit(reason: ExitReason) -> Event {
    Event::ExitRoom { reason }
}

pub fn audio(user: &str, available: bool) -> Event {
    Event::UserAudioAvailable {
        user_id: uid(user),
        available,
    }
}

pub fn video(user: &str, available: bool) -> Event {
    Event::UserVideoAvailable {
        user_id: uid(user),
        available,
    }
}
