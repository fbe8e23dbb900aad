//! What the client's integration tests share: an engine whose events are recorded in order,
//! signed enter params, and event builders.
// Each test file uses its own part of this.
#![allow(dead_code)]

use std::time::Duration;

use openroom_client::{ClientConfig, ConnectionState, Engine, Event, StateChangeReason};
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
        let (sink, events) = mpsc::unbounded_channel();
        Recorder {
            engine: Engine::new(config, Handle::current()),
            events,
            sink,
            states: Vec::new(),
            wait,
        }
    }

    /// Start entering with `scene`; the outcome arrives as events.
    pub fn start_enter(&self, params: &Value, scene: u32) {
        let sink = self.sink.clone();
        self.engine
            .enter_room(params, &json!(scene), move |event| {
                let _ = sink.send(event);
            })
            .expect("the engine starts entering");
    }

    /// Enter and check it succeeded.
    pub async fn enter(&mut self, params: &Value, scene: u32) {
        self.start_enter(params, scene);
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

    /// The next `count` events, state changes aside.
    pub async fn next_n(&mut self, count: usize) -> Vec<Event> {
        let mut events = Vec::with_capacity(count);
        for _ in 0..count {
            events.push(self.next().await);
        }
        events
    }
}

/// Enter params for `user` in numeric room `room`, signed for ten minutes.
pub fn params(server: &ServerConfig, user: &str, room: u32) -> Value {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    json!({"sdkAppId": server.sdk_app_id, "userId": user, "roomId": room,
           "userSig": gen_user_sig(server.sdk_app_id.into(), &server.secret_key, user, 600, now)})
}

pub fn uid(user: &str) -> UserId {
    UserId::parse(user).unwrap()
}

pub fn entered(user: &str) -> Event {
    Event::RemoteUserEnterRoom { user_id: uid(user) }
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
