//! One load test, phase by phase: join the members at the planned pace, let the server
//! settle and weigh it, hold the rooms with messages and churn, drain, and leave.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use serde::Serialize;
use tokio::runtime::Handle;
use tokio::sync::Mutex;
use tokio::task::JoinSet;
use tokio::time::{interval, interval_at, MissedTickBehavior};

use crate::probe::ProcessProbe;
use crate::stats::Summary;
use crate::swarm::{Member, Target, Totals};

/// How long the drain waits for the last deliveries once sending stopped.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// What to do: the shape of the load and how long to hold it.
#[derive(Debug, Clone)]
pub struct Plan {
    pub rooms: u32,
    pub members: u32,
    /// The first room id; rooms are numbered from it.
    pub first_room: u32,
    /// Enters started per second.
    pub join_rate: f64,
    /// Idle time after the last join before the server's memory is read.
    pub settle: Duration,
    /// How long the rooms are held with messages and churn.
    pub hold: Duration,
    /// Custom messages per second in each room, sent by its members in turn (0: none).
    pub message_rate: f64,
    pub message_bytes: usize,
    /// Members per second, across all rooms, that leave and enter again (0: none).
    pub churn_rate: f64,
    pub server_pid: Option<u32>,
    /// Print a progress line to stderr every second.
    pub progress: bool,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub rooms: u32,
    pub members_per_room: u32,
    pub connections: u64,
    /// Members in their rooms when the hold began.
    pub joined: u64,
    /// From `enter_room()` to `onEnterRoom`, for every enter (churn's included).
    pub join: Summary,
    /// From the send to `onRecvCustomCmdMsg` at each receiver.
    pub delivery: Summary,
    pub messages_sent: u64,
    pub deliveries: u64,
    /// Deliveries the sends should have caused (receivers present at each send).
    pub expected_deliveries: u64,
    /// Expected less delivered; only exact without churn (a member that leaves right after
    /// a send may rightly miss it), so absent then.
    pub missing_deliveries: Option<u64>,
    pub deliveries_per_second: f64,
    pub churned: u64,
    pub errors: u64,
    pub errors_by_kind: BTreeMap<&'static str, u64>,
    pub first_errors: Vec<String>,
    pub seconds: Phases,
    pub server: Option<ServerCost>,
    /// The load tester's own resident memory at the end of the hold.
    pub loadtest_rss_kib: Option<u64>,
}

#[derive(Debug, Default, Serialize)]
pub struct Phases {
    pub join: f64,
    pub hold: f64,
    pub exit: f64,
}

/// The server's cost, read from /proc of its pid.
#[derive(Debug, Default, Serialize)]
pub struct ServerCost {
    pub pid: u32,
    pub rss_before_kib: u64,
    /// After every member joined and the settle time passed, before any message.
    pub rss_idle_kib: u64,
    pub rss_peak_kib: u64,
    /// (idle − before) / members joined.
    pub rss_per_idle_connection_kib: f64,
    /// (peak − before) / members joined.
    pub rss_per_connection_under_load_kib: f64,
    /// CPU used while joining and while holding, as a percentage of one core.
    pub cpu_join_percent: f64,
    pub cpu_hold_percent: f64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Phase {
    Joining,
    Settling,
    Holding,
    Draining,
    Exiting,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Joining => "joining",
            Phase::Settling => "settling",
            Phase::Holding => "holding",
            Phase::Draining => "draining",
            Phase::Exiting => "exiting",
        }
    }

    fn from_u8(value: u8) -> Phase {
        [
            Phase::Joining,
            Phase::Settling,
            Phase::Holding,
            Phase::Draining,
            Phase::Exiting,
        ]
        .into_iter()
        .find(|phase| *phase as u8 == value)
        .unwrap_or(Phase::Exiting)
    }
}

type Shared = Arc<Mutex<Member>>;

pub async fn run(target: Target, plan: Plan) -> Report {
    let target = Arc::new(target);
    let totals = Arc::new(Totals::new());
    let probe = plan.server_pid.map(ProcessProbe::new);
    let phase = Arc::new(AtomicU8::new(Phase::Joining as u8));
    let peak_rss = Arc::new(AtomicU64::new(0));
    let mut cost = probe.map(|probe| ServerCost {
        pid: probe.pid(),
        rss_before_kib: rss(&probe, &totals),
        ..ServerCost::default()
    });

    let rooms: Vec<Vec<Shared>> = (0..plan.rooms)
        .map(|r| {
            let present = Arc::new(AtomicUsize::new(0));
            (0..plan.members)
                .map(|m| {
                    Arc::new(Mutex::new(Member::new(
                        Arc::clone(&target),
                        Arc::clone(&totals),
                        plan.first_room + r,
                        m,
                        Arc::clone(&present),
                        Handle::current(),
                    )))
                })
                .collect()
        })
        .collect();
    let connections = u64::from(plan.rooms) * u64::from(plan.members);
    let progress = plan.progress.then(|| {
        tokio::spawn(report_progress(
            Arc::clone(&totals),
            Arc::clone(&phase),
            probe,
            Arc::clone(&peak_rss),
            connections,
        ))
    });

    // Join, paced.
    let cpu_before = probe.map(|p| cpu(&p, &totals));
    let started = Instant::now();
    let mut pace = interval(Duration::from_secs_f64(1.0 / plan.join_rate));
    let mut joins = JoinSet::new();
    for member in rooms.iter().flatten() {
        pace.tick().await;
        let member = Arc::clone(member);
        joins.spawn(async move { member.lock().await.enter().await });
    }
    while joins.join_next().await.is_some() {}
    let join_seconds = started.elapsed().as_secs_f64();
    let joined = totals.joined.load(Ordering::Relaxed);
    if let (Some(cost), Some(probe), Some(before)) = (cost.as_mut(), probe, cpu_before) {
        cost.cpu_join_percent = percent(cpu(&probe, &totals) - before, join_seconds);
    }

    // Settle, then weigh the server with every member in and nothing moving.
    phase.store(Phase::Settling as u8, Ordering::Relaxed);
    tokio::time::sleep(plan.settle).await;
    if let (Some(cost), Some(probe)) = (cost.as_mut(), probe) {
        cost.rss_idle_kib = rss(&probe, &totals);
        peak_rss.store(cost.rss_idle_kib, Ordering::Relaxed);
    }

    // Hold: messages in every room, churn across them.
    phase.store(Phase::Holding as u8, Ordering::Relaxed);
    let cpu_before = probe.map(|p| cpu(&p, &totals));
    let hold_started = Instant::now();
    let deadline = tokio::time::Instant::now() + plan.hold;
    let mut load = JoinSet::new();
    if plan.message_rate > 0.0 {
        for room in &rooms {
            load.spawn(send_in_turn(
                room.clone(),
                plan.message_rate,
                plan.message_bytes,
                deadline,
            ));
        }
    }
    if plan.churn_rate > 0.0 {
        load.spawn(churn(
            rooms.iter().flatten().cloned().collect(),
            plan.churn_rate,
            deadline,
            Arc::clone(&totals),
        ));
    }
    while load.join_next().await.is_some() {}
    tokio::time::sleep_until(deadline).await;
    let hold_seconds = hold_started.elapsed().as_secs_f64();
    if let (Some(cost), Some(probe), Some(before)) = (cost.as_mut(), probe, cpu_before) {
        cost.cpu_hold_percent = percent(cpu(&probe, &totals) - before, hold_seconds);
        let now = rss(&probe, &totals);
        cost.rss_peak_kib = peak_rss.load(Ordering::Relaxed).max(now);
    }
    let loadtest_rss_kib = ProcessProbe::new(std::process::id()).rss_kib().ok();

    // Drain: the last messages still on their way.
    phase.store(Phase::Draining as u8, Ordering::Relaxed);
    let drain_deadline = Instant::now() + DRAIN_TIMEOUT;
    while totals.delivered.load(Ordering::Relaxed) < totals.expected.load(Ordering::Relaxed)
        && Instant::now() < drain_deadline
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let deliveries = totals.delivered.load(Ordering::Relaxed);

    // Leave, all at once.
    phase.store(Phase::Exiting as u8, Ordering::Relaxed);
    let exit_started = Instant::now();
    let mut exits = JoinSet::new();
    for member in rooms.iter().flatten() {
        let member = Arc::clone(member);
        exits.spawn(async move { member.lock().await.exit().await });
    }
    while exits.join_next().await.is_some() {}
    let exit_seconds = exit_started.elapsed().as_secs_f64();
    if let Some(progress) = progress {
        progress.abort();
    }

    if let Some(cost) = cost.as_mut() {
        let per = |kib: u64| kib.saturating_sub(cost.rss_before_kib) as f64 / joined.max(1) as f64;
        cost.rss_per_idle_connection_kib = round2(per(cost.rss_idle_kib));
        cost.rss_per_connection_under_load_kib = round2(per(cost.rss_peak_kib));
    }
    let expected = totals.expected.load(Ordering::Relaxed);
    let (errors, errors_by_kind, first_errors) = totals.errors();
    Report {
        rooms: plan.rooms,
        members_per_room: plan.members,
        connections,
        joined,
        join: totals.joins.summary(),
        delivery: totals.deliveries.summary(),
        messages_sent: totals.sent.load(Ordering::Relaxed),
        deliveries,
        expected_deliveries: expected,
        missing_deliveries: (plan.churn_rate == 0.0).then(|| expected.saturating_sub(deliveries)),
        deliveries_per_second: round2(deliveries as f64 / hold_seconds.max(0.001)),
        churned: totals.churned.load(Ordering::Relaxed),
        errors,
        errors_by_kind,
        first_errors,
        seconds: Phases {
            join: round2(join_seconds),
            hold: round2(hold_seconds),
            exit: round2(exit_seconds),
        },
        server: cost,
        loadtest_rss_kib,
    }
}

/// One room's messages: `rate` a second, from its members in turn (one that is busy leaving
/// or entering again is skipped). Rooms start at random offsets so their sends spread out.
async fn send_in_turn(room: Vec<Shared>, rate: f64, bytes: usize, deadline: tokio::time::Instant) {
    let period = Duration::from_secs_f64(1.0 / rate);
    let offset = period.mul_f64(rand::rng().random::<f64>());
    let mut ticks = interval_at(tokio::time::Instant::now() + offset, period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut turn = 0usize;
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = tokio::time::sleep_until(deadline) => return,
        }
        for _ in 0..room.len() {
            let member = &room[turn % room.len()];
            turn += 1;
            if let Ok(member) = member.try_lock() {
                if member.in_room() {
                    member.send(bytes);
                    break;
                }
            }
        }
    }
}

/// `rate` members a second, picked at random, leave their room and enter it again.
async fn churn(
    members: Vec<Shared>,
    rate: f64,
    deadline: tokio::time::Instant,
    totals: Arc<Totals>,
) {
    let mut ticks = interval(Duration::from_secs_f64(1.0 / rate));
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut running = JoinSet::new();
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = tokio::time::sleep_until(deadline) => break,
        }
        let pick = rand::rng().random_range(0..members.len());
        let Ok(mut member) = Arc::clone(&members[pick]).try_lock_owned() else {
            continue;
        };
        let totals = Arc::clone(&totals);
        running.spawn(async move {
            member.exit().await;
            if member.enter().await {
                totals.churned.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    while running.join_next().await.is_some() {}
}

async fn report_progress(
    totals: Arc<Totals>,
    phase: Arc<AtomicU8>,
    probe: Option<ProcessProbe>,
    peak_rss: Arc<AtomicU64>,
    connections: u64,
) {
    let started = Instant::now();
    let mut ticks = interval(Duration::from_secs(1));
    ticks.tick().await;
    let mut last_delivered = 0;
    loop {
        ticks.tick().await;
        let phase = Phase::from_u8(phase.load(Ordering::Relaxed));
        let delivered = totals.delivered.load(Ordering::Relaxed);
        let delivery = totals.deliveries.summary();
        let server = match probe.and_then(|p| p.rss_kib().ok()) {
            Some(kib) => {
                if phase == Phase::Holding {
                    peak_rss.fetch_max(kib, Ordering::Relaxed);
                }
                format!(" | server {:.1} MiB", kib as f64 / 1024.0)
            }
            None => String::new(),
        };
        eprintln!(
            "[{:>4}s] {:<8} in rooms {}/{} | sent {} delivered {} ({}/s) p99 {:.2} ms | errors {}{}",
            started.elapsed().as_secs(),
            phase.name(),
            totals
                .joined
                .load(Ordering::Relaxed)
                .saturating_sub(totals.exits.load(Ordering::Relaxed)),
            connections,
            totals.sent.load(Ordering::Relaxed),
            delivered,
            delivered - last_delivered,
            delivery.p99_ms,
            totals.errors().0,
            server,
        );
        last_delivered = delivered;
    }
}

fn rss(probe: &ProcessProbe, totals: &Totals) -> u64 {
    probe.rss_kib().unwrap_or_else(|error| {
        totals.error("server_probe", || error.to_string());
        0
    })
}

fn cpu(probe: &ProcessProbe, totals: &Totals) -> f64 {
    probe.cpu_seconds().unwrap_or_else(|error| {
        totals.error("server_probe", || error.to_string());
        0.0
    })
}

fn percent(cpu_seconds: f64, wall_seconds: f64) -> f64 {
    round2(100.0 * cpu_seconds / wall_seconds.max(0.001))
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}
