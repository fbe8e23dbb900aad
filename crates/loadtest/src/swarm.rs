//! The simulated members: each one an [`Engine`] (what a TRTCCloud is) with its own
//! connection, entering, sending, leaving and re-entering as the plan says, and recording
//! what it saw into the run's [`Totals`].

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use openroom_client::{ClientConfig, Engine, Event, ReconnectPolicy};
use openroom_protocol::usersig::gen_user_sig;
use openroom_protocol::ExitReason;
use serde_json::json;
use tokio::runtime::Handle;
use tokio::sync::mpsc;

use crate::stats::Latencies;

/// How long one enter or exit may take before it counts as an error.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);
/// Error messages kept verbatim in the result (the rest are only counted).
const KEPT_ERROR_MESSAGES: usize = 10;
/// The custom message id the load tester sends with.
const CMD_ID: i64 = 1;

/// Where the members connect and who they say they are.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: String,
    pub sdk_app_id: u32,
    pub secret_key: String,
    /// Prefixes user ids, so two load testers can share one server.
    pub user_prefix: String,
}

/// What the whole run saw; shared by every member's event sink.
pub struct Totals {
    /// The instant message timestamps count from (one process: monotonic and shared).
    epoch: Instant,
    pub joins: Latencies,
    pub deliveries: Latencies,
    pub joined: AtomicU64,
    pub exits: AtomicU64,
    pub sent: AtomicU64,
    pub delivered: AtomicU64,
    /// Deliveries the sends should cause: the members in the room, less the sender, as each
    /// message left.
    pub expected: AtomicU64,
    pub churned: AtomicU64,
    errors: Mutex<Errors>,
}

#[derive(Default)]
struct Errors {
    by_kind: BTreeMap<&'static str, u64>,
    first: Vec<String>,
}

impl Totals {
    pub fn new() -> Totals {
        Totals {
            epoch: Instant::now(),
            joins: Latencies::new(),
            deliveries: Latencies::new(),
            joined: AtomicU64::new(0),
            exits: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            delivered: AtomicU64::new(0),
            expected: AtomicU64::new(0),
            churned: AtomicU64::new(0),
            errors: Mutex::new(Errors::default()),
        }
    }

    pub fn error(&self, kind: &'static str, message: impl FnOnce() -> String) {
        let mut errors = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        *errors.by_kind.entry(kind).or_default() += 1;
        if errors.first.len() < KEPT_ERROR_MESSAGES {
            let message = message();
            errors.first.push(format!("{kind}: {message}"));
        }
    }

    /// Errors so far: the total, the count of each kind, and the first few messages.
    pub fn errors(&self) -> (u64, BTreeMap<&'static str, u64>, Vec<String>) {
        let errors = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        (
            errors.by_kind.values().sum(),
            errors.by_kind.clone(),
            errors.first.clone(),
        )
    }

    fn stamp(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    /// A message arrived: its latency is now less the send time it carries.
    fn delivered(&self, data: &str) {
        let stamp = base64::engine::general_purpose::STANDARD
            .decode(data)
            .ok()
            .and_then(|bytes| Some(u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?)));
        match stamp {
            Some(sent) => {
                let now = self.stamp();
                self.deliveries
                    .record(Duration::from_micros(now.saturating_sub(sent)));
                self.delivered.fetch_add(1, Ordering::Relaxed);
            }
            None => self.error("foreign_message", || {
                "a custom message without the load tester's timestamp".into()
            }),
        }
    }
}

impl Default for Totals {
    fn default() -> Self {
        Totals::new()
    }
}

/// Members of one room currently in it, to count the deliveries a message should cause.
pub type Presence = Arc<AtomicUsize>;

/// One simulated member.
pub struct Member {
    engine: Engine,
    room: u32,
    user: String,
    target: Arc<Target>,
    totals: Arc<Totals>,
    present: Presence,
    in_room: bool,
    /// Enter and exit outcomes from the event sink; room events are recorded in the sink.
    outcomes: mpsc::UnboundedReceiver<Event>,
    outcome_sender: mpsc::UnboundedSender<Event>,
}

impl Member {
    pub fn new(
        target: Arc<Target>,
        totals: Arc<Totals>,
        room: u32,
        index: u32,
        present: Presence,
        runtime: Handle,
    ) -> Member {
        let config = ClientConfig {
            server_url: target.url.clone(),
            enter_timeout: STEP_TIMEOUT,
            // A load test wants to see a broken connection as an error, not ride it out.
            reconnect: ReconnectPolicy {
                attempts: 0,
                ..ReconnectPolicy::default()
            },
            ..ClientConfig::default()
        };
        let (outcome_sender, outcomes) = mpsc::unbounded_channel();
        Member {
            engine: Engine::new(config, runtime),
            room,
            user: format!("{}r{room}m{index}", target.user_prefix),
            target,
            totals,
            present,
            in_room: false,
            outcomes,
            outcome_sender,
        }
    }

    pub fn in_room(&self) -> bool {
        self.in_room
    }

    /// Enter the room and wait for `onEnterRoom`; the latency is recorded. False when it failed
    /// (the error is counted).
    pub async fn enter(&mut self) -> bool {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let sig = gen_user_sig(
            self.target.sdk_app_id.into(),
            &self.target.secret_key,
            &self.user,
            86_400,
            now,
        );
        let params = json!({"sdkAppId": self.target.sdk_app_id, "userId": self.user,
                            "userSig": sig, "roomId": self.room});
        let started = Instant::now();
        if let Err(error) = self.engine.enter_room(&params, &json!(0), self.sink()) {
            self.totals.error("enter_refused", || error.to_string());
            return false;
        }
        let outcome = self
            .wait_for(|event| matches!(event, Event::EnterRoom { .. }))
            .await;
        match outcome {
            Some(Event::EnterRoom { result, .. }) if result > 0 => {
                self.totals.joins.record(started.elapsed());
                self.totals.joined.fetch_add(1, Ordering::Relaxed);
                self.present.fetch_add(1, Ordering::Relaxed);
                self.in_room = true;
                true
            }
            // A failed enter: its onError was counted by the sink.
            Some(_) => false,
            None => {
                self.totals.error("enter_timeout", || {
                    format!("{} got no onEnterRoom in {STEP_TIMEOUT:?}", self.user)
                });
                false
            }
        }
    }

    /// Leave the room and wait for `onExitRoom`.
    pub async fn exit(&mut self) {
        if !self.in_room {
            return;
        }
        // No longer counted as a receiver from the moment it starts leaving.
        self.present.fetch_sub(1, Ordering::Relaxed);
        self.in_room = false;
        self.engine.exit_room();
        let outcome = self
            .wait_for(|event| matches!(event, Event::ExitRoom { .. }))
            .await;
        match outcome {
            Some(_) => {
                self.totals.exits.fetch_add(1, Ordering::Relaxed);
            }
            None => self.totals.error("exit_timeout", || {
                format!("{} got no onExitRoom in {STEP_TIMEOUT:?}", self.user)
            }),
        }
    }

    /// Send one timestamped custom message of `bytes` (at least 8) to the room.
    pub fn send(&self, bytes: usize) {
        let receivers = self.present.load(Ordering::Relaxed).saturating_sub(1);
        let mut data = self.totals.stamp().to_be_bytes().to_vec();
        data.resize(bytes.max(8), 0);
        match self.engine.send_custom_cmd_msg(CMD_ID, data, true, true) {
            Ok(()) => {
                self.totals.sent.fetch_add(1, Ordering::Relaxed);
                self.totals
                    .expected
                    .fetch_add(receivers as u64, Ordering::Relaxed);
            }
            Err(refusal) => self.totals.error("send_refused", || refusal.message),
        }
    }

    async fn wait_for(&mut self, wanted: impl Fn(&Event) -> bool) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + STEP_TIMEOUT;
        loop {
            match tokio::time::timeout_at(deadline, self.outcomes.recv()).await {
                Ok(Some(event)) if wanted(&event) => return Some(event),
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => return None,
            }
        }
    }

    /// Where this member's session reports: room events are counted here, at once, on the
    /// session's task; enter and exit outcomes go to the member's own task.
    fn sink(&self) -> impl Fn(Event) + Send + Sync + 'static {
        let totals = Arc::clone(&self.totals);
        let outcomes = self.outcome_sender.clone();
        let user = self.user.clone();
        move |event: Event| match event {
            Event::RecvCustomCmdMsg { data, .. } => totals.delivered(&data),
            Event::Error { code, message } => {
                totals.error("onError", || format!("{user}: {code} {message}"))
            }
            Event::Warning { code, message } => {
                totals.error("onWarning", || format!("{user}: {code} {message}"))
            }
            Event::ConnectionLost { message } => {
                totals.error("onConnectionLost", || format!("{user}: {message}"))
            }
            Event::MissCustomCmdMsg { missed, .. } => {
                totals.error("onMissCustomCmdMsg", || format!("{user}: missed {missed}"))
            }
            Event::ExitRoom { reason } => {
                if reason != ExitReason::Exited {
                    totals.error("forced_exit", || {
                        format!("{user}: onExitRoom({})", reason as i32)
                    });
                }
                let _ = outcomes.send(Event::ExitRoom { reason });
            }
            event @ Event::EnterRoom { .. } => {
                let _ = outcomes.send(event);
            }
            _ => {}
        }
    }
}
