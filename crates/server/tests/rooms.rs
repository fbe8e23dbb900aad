//! The room actor and the registry, driven directly (no sockets): ordering, membership rules,
//! removal, dismissal, the slow-member policy, and rooms closing when empty.

use std::time::Duration;

use openroom_protocol::{
    ExitReason, LeaveReason, MemberState, Publishing, Role, RoomEvent, RoomId, UserId,
};
use openroom_server::testing::Registry;
use openroom_server::testing::SharedEvent;
use openroom_server::testing::{
    EnterRefused, Entrant, NamedUsersRefused, Presence, Present, RoomHandle,
};
use openroom_server::testing::{OpenRefused, RoomLimitReached};
use openroom_server::RoomLimits;
use tokio::sync::oneshot;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

struct TestMember {
    user_id: UserId,
    session: u64,
    events: flume::Receiver<SharedEvent>,
    ejection: oneshot::Receiver<ExitReason>,
}

impl TestMember {
    async fn next(&mut self) -> RoomEvent {
        timeout(Duration::from_secs(5), self.events.recv_async())
            .await
            .expect("timed out waiting for a room event")
            .unwrap_or_else(|_| panic!("the room dropped this member"))
            .decode()
    }

    /// Why the room ejected this member: every queued event comes first, then the queue
    /// closes and the reason is there.
    async fn ejected(&mut self) -> ExitReason {
        assert_eq!(
            self.events.recv_async().await.ok(),
            None,
            "the queue closes on ejection"
        );
        self.ejection.try_recv().expect("a reason was given")
    }

    /// Everything queued for this member right now.
    fn drain(&mut self) -> Vec<RoomEvent> {
        std::iter::from_fn(|| self.events.try_recv().ok())
            .map(|event| event.decode())
            .collect()
    }
}

fn uid(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

/// Enter as an anchor publishing nothing; the ids of the members present.
async fn enter(
    room: &RoomHandle,
    user: &str,
    session: u64,
    queue: usize,
) -> (TestMember, Vec<UserId>) {
    let (member, present) = enter_as(room, user, session, queue, Presence::default()).await;
    let ids = present.into_iter().map(|m| m.user_id).collect();
    (member, ids)
}

async fn enter_as(
    room: &RoomHandle,
    user: &str,
    session: u64,
    queue: usize,
    presence: Presence,
) -> (TestMember, Present) {
    let (events_tx, events) = flume::bounded(queue);
    let (ejection_tx, ejection) = oneshot::channel();
    let present = room
        .enter(Entrant {
            user_id: uid(user),
            session,
            presence,
            events: events_tx,
            ejection: ejection_tx,
        })
        .await
        .unwrap();
    (
        TestMember {
            user_id: uid(user),
            session,
            events,
            ejection,
        },
        present,
    )
}

/// A member enters and leaves: the room is open and empty.
async fn enter_and_leave(room: &RoomHandle, user: &str, session: u64) {
    let (member, _) = enter(room, user, session, 4).await;
    room.exit(member.user_id.clone(), member.session, LeaveReason::Exited)
        .await;
}

/// A user who has opened no room yet, so the per-user opening rate never gets in the way.
fn opener() -> UserId {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    UserId::parse(&format!("opener{n}")).unwrap()
}

/// A registry whose empty rooms close at once, so tests can wait for rooms to end.
fn registry() -> (Registry, TaskTracker) {
    registry_with(RoomLimits {
        empty_room_timeout: Duration::ZERO,
        ..RoomLimits::default()
    })
}

fn registry_with(limits: RoomLimits) -> (Registry, TaskTracker) {
    let tasks = TaskTracker::new();
    (
        Registry::new(tasks.clone(), limits, CancellationToken::new()),
        tasks,
    )
}

#[tokio::test]
async fn members_learn_of_each_other_in_entering_order() {
    let (rooms, _) = registry();
    let room = rooms.get_or_open(&RoomId::RoomId(1), &opener()).unwrap();
    let (mut a, present_a) = enter(&room, "a", 1, 16).await;
    let (mut b, present_b) = enter(&room, "b", 2, 16).await;
    let (_c, present_c) = enter(&room, "c", 3, 16).await;
    assert_eq!(present_a, vec![]);
    assert_eq!(present_b, vec![uid("a")]);
    assert_eq!(present_c, vec![uid("a"), uid("b")]);
    assert_eq!(
        a.drain(),
        vec![
            RoomEvent::MemberEntered {
                user_id: uid("b"),
                user_data: None,
            },
            RoomEvent::MemberEntered {
                user_id: uid("c"),
                user_data: None,
            },
        ]
    );
    assert_eq!(
        b.drain(),
        vec![RoomEvent::MemberEntered {
            user_id: uid("c"),
            user_data: None,
        }]
    );
}

/// The room answers an entrant before it queues the announcement to the others (so the entrant
/// does not wait behind them), but in the same step: on a runtime with several workers, where
/// the entrant runs on while the room is still telling the others, what the entrant does
/// next still reaches every other member after its arrival.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_an_entrant_does_at_once_reaches_the_others_after_its_arrival() {
    let (rooms, _tasks) = registry();
    let room = rooms.get_or_open(&RoomId::RoomId(7), &opener()).unwrap();
    let mut others = Vec::new();
    for i in 0..50 {
        others.push(enter(&room, &format!("m{i}"), i, 64).await.0);
    }
    room.describe().await.unwrap();
    for member in &mut others {
        member.drain();
    }
    let (late, _) = enter(&room, "late", 100, 4).await;
    let hello = RoomEvent::CustomMessage {
        user_id: uid("late"),
        cmd_id: 1,
        seq: 1,
        data: "hello".into(),
    };
    room.send_message(late.user_id.clone(), hello.clone(), true)
        .await;
    // A round trip through the room: everything it did before has been queued.
    room.describe().await.unwrap();
    for member in &mut others {
        assert_eq!(
            member.drain(),
            [
                RoomEvent::MemberEntered {
                    user_id: uid("late"),
                    user_data: None,
                },
                hello.clone(),
            ],
            "as {} saw it",
            member.user_id
        );
    }
}

#[tokio::test]
async fn exit_tells_the_others_before_it_returns_and_stale_sessions_change_nothing() {
    let (rooms, _) = registry();
    let room = rooms.get_or_open(&RoomId::RoomId(2), &opener()).unwrap();
    let (mut a, _) = enter(&room, "a", 1, 16).await;
    let (b, _) = enter(&room, "b", 2, 16).await;
    a.drain();
    // A command from an old connection of b (another session id) is ignored.
    room.exit(b.user_id.clone(), 99, LeaveReason::ConnectionLost)
        .await;
    assert_eq!(a.drain(), vec![]);
    room.exit(b.user_id.clone(), b.session, LeaveReason::Exited)
        .await;
    // Already queued when exit returned.
    assert_eq!(
        a.drain(),
        vec![RoomEvent::MemberLeft {
            user_id: uid("b"),
            reason: LeaveReason::Exited
        }]
    );
}

#[tokio::test]
async fn a_second_login_of_the_same_user_replaces_the_first_silently() {
    let (rooms, _) = registry();
    let room = rooms.get_or_open(&RoomId::RoomId(3), &opener()).unwrap();
    let (mut a, _) = enter(&room, "a", 1, 16).await;
    let (mut b, _) = enter(&room, "b", 2, 16).await;
    let (mut c, _) = enter(&room, "c", 3, 16).await;
    a.drain();
    b.drain();
    // "a" logs in again from another connection: it learns of the others (not of itself).
    let (mut a2, present) = enter(&room, "a", 4, 16).await;
    assert_eq!(present, vec![uid("b"), uid("c")]);
    assert_eq!(a.ejected().await, ExitReason::Replaced);
    // For the others, a never left: nothing is announced.
    assert_eq!((b.drain(), c.drain()), (vec![], vec![]));
    // The old session's goodbye is stale and changes nothing.
    room.exit(uid("a"), 1, LeaveReason::ConnectionLost).await;
    assert_eq!(b.drain(), vec![]);
    // The new login is the member now: its exit is announced.
    room.exit(uid("a"), 4, LeaveReason::Exited).await;
    assert_eq!(
        b.drain(),
        vec![RoomEvent::MemberLeft {
            user_id: uid("a"),
            reason: LeaveReason::Exited
        }]
    );
    assert_eq!(a2.drain(), vec![]);
}

#[tokio::test]
async fn remove_is_all_or_nothing() {
    let (rooms, _) = registry();
    let room = rooms.get_or_open(&RoomId::RoomId(4), &opener()).unwrap();
    let (mut a, _) = enter(&room, "a", 1, 16).await;
    let (mut b, _) = enter(&room, "b", 2, 16).await;
    let (mut c, _) = enter(&room, "c", 3, 16).await;
    a.drain();
    b.drain();
    let refused = room.remove(vec![uid("b"), uid("zed")]).await.unwrap_err();
    assert_eq!(refused, NamedUsersRefused::NotInRoom(vec![uid("zed")]));
    assert_eq!((a.drain(), b.drain()), (vec![], vec![]));

    room.remove(vec![uid("c"), uid("b"), uid("b")])
        .await
        .unwrap();
    assert_eq!(b.ejected().await, ExitReason::Removed);
    // c saw b go before it was removed itself.
    assert_eq!(
        c.next().await,
        RoomEvent::MemberLeft {
            user_id: uid("b"),
            reason: LeaveReason::Removed
        }
    );
    assert_eq!(c.ejected().await, ExitReason::Removed);
    assert_eq!(
        a.drain(),
        vec![
            RoomEvent::MemberLeft {
                user_id: uid("b"),
                reason: LeaveReason::Removed
            },
            RoomEvent::MemberLeft {
                user_id: uid("c"),
                reason: LeaveReason::Removed
            },
        ]
    );
}

#[tokio::test]
async fn dismiss_ejects_everyone_and_the_room_is_gone() {
    let (rooms, tasks) = registry();
    let id = RoomId::string("lobby").unwrap();
    let room = rooms.get_or_open(&id, &opener()).unwrap();
    let (mut a, _) = enter(&room, "a", 1, 16).await;
    let (mut b, _) = enter(&room, "b", 2, 16).await;
    a.drain();
    room.dismiss().await.unwrap();
    assert_eq!(a.ejected().await, ExitReason::Dismissed);
    assert_eq!(b.ejected().await, ExitReason::Dismissed);
    tasks.close();
    timeout(Duration::from_secs(5), tasks.wait())
        .await
        .expect("the room actor ended");
    assert!(rooms.get(&id).is_none());
    assert!(
        room.dismiss().await.is_err(),
        "a closed room refuses commands"
    );
}

#[tokio::test]
async fn an_empty_room_closes_and_the_next_enter_opens_a_fresh_one() {
    let (rooms, tasks) = registry();
    let id = RoomId::RoomId(5);
    let old = rooms.get_or_open(&id, &opener()).unwrap();
    let (a, _) = enter(&old, "a", 1, 16).await;
    old.exit(a.user_id.clone(), a.session, LeaveReason::Exited)
        .await;
    tasks.close();
    timeout(Duration::from_secs(5), tasks.wait())
        .await
        .expect("the empty room closed");
    assert!(rooms.is_empty());
    // The old handle is dead; the registry opens a new actor for the same id.
    let (events, _keep) = flume::bounded(4);
    let stale = old
        .enter(Entrant {
            user_id: uid("b"),
            session: 2,
            presence: Presence::default(),
            events,
            ejection: oneshot::channel().0,
        })
        .await;
    assert!(matches!(stale, Err(EnterRefused::Closed(_))));
    let fresh = rooms.get_or_open(&id, &opener()).unwrap();
    let (_b, present) = enter(&fresh, "b", 2, 16).await;
    assert_eq!(present, vec![]);
}

#[tokio::test]
async fn a_member_that_cannot_keep_up_is_dropped_and_the_others_are_told() {
    let (rooms, _) = registry();
    let room = rooms.get_or_open(&RoomId::RoomId(6), &opener()).unwrap();
    let (mut slow, _) = enter(&room, "slow", 1, 1).await;
    let (mut a, _) = enter(&room, "a", 2, 16).await; // slow's queue: 1 of 1
    enter(&room, "b", 3, 16).await; // slow's queue is full: slow is dropped
    assert_eq!(
        a.drain(),
        vec![
            RoomEvent::MemberEntered {
                user_id: uid("b"),
                user_data: None,
            },
            RoomEvent::MemberLeft {
                user_id: uid("slow"),
                reason: LeaveReason::ConnectionLost
            },
        ]
    );
    assert_eq!(
        slow.next().await,
        RoomEvent::MemberEntered {
            user_id: uid("a"),
            user_data: None,
        }
    );
    assert_eq!(
        slow.events.recv_async().await.ok(),
        None,
        "the dropped member's queue is closed"
    );
    assert!(
        slow.ejection.try_recv().is_err(),
        "dropped, not ejected: no reason given"
    );
}

#[tokio::test]
async fn an_ejection_is_not_lost_when_the_event_queue_is_full() {
    let (rooms, _) = registry();
    let room = rooms.get_or_open(&RoomId::RoomId(8), &opener()).unwrap();
    let (mut a, _) = enter(&room, "a", 1, 16).await;
    let (mut full, _) = enter(&room, "full", 2, 1).await;
    enter(&room, "b", 3, 16).await; // full's one slot now holds "b entered"
    a.drain();
    room.remove(vec![uid("full")]).await.unwrap();
    assert_eq!(
        full.next().await,
        RoomEvent::MemberEntered {
            user_id: uid("b"),
            user_data: None,
        }
    );
    assert_eq!(full.ejected().await, ExitReason::Removed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_enters_and_exits_lose_no_one() {
    let (rooms, tasks) = registry();
    let id = RoomId::RoomId(7);
    let mut joins = Vec::new();
    for i in 0..200u64 {
        let rooms = rooms.clone();
        let id = id.clone();
        joins.push(tokio::spawn(async move {
            // Retry on a closing room, as a session does.
            loop {
                let room = rooms.get_or_open(&id, &opener()).unwrap();
                let (events, _rx) = flume::bounded(1024);
                let user = uid(&format!("u{i}"));
                match room
                    .enter(Entrant {
                        user_id: user.clone(),
                        session: i,
                        presence: Presence::default(),
                        events,
                        ejection: oneshot::channel().0,
                    })
                    .await
                {
                    Ok(_) => {
                        room.exit(user, i, LeaveReason::Exited).await;
                        return;
                    }
                    Err(EnterRefused::Closed(_)) => continue,
                    Err(refused) => panic!("{refused}"),
                }
            }
        }));
    }
    for join in joins {
        join.await.unwrap();
    }
    tasks.close();
    timeout(Duration::from_secs(5), tasks.wait())
        .await
        .expect("every room closed");
    assert!(rooms.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_room_refuses_newcomers_even_under_concurrent_enters() {
    let (rooms, _) = registry_with(RoomLimits {
        max_members_per_room: 10,
        max_rooms: 100,
        ..RoomLimits::default()
    });
    let id = RoomId::RoomId(9);
    let mut tries = Vec::new();
    for i in 0..50u64 {
        let room = rooms.get_or_open(&id, &opener()).unwrap();
        tries.push(tokio::spawn(async move {
            let (events, events_rx) = flume::bounded(64);
            let (ejection, ejection_rx) = oneshot::channel();
            let entered = room
                .enter(Entrant {
                    user_id: uid(&format!("u{i}")),
                    session: i,
                    presence: Presence::default(),
                    events,
                    ejection,
                })
                .await;
            (entered, events_rx, ejection_rx)
        }));
    }
    let mut admitted = Vec::new();
    let mut kept = Vec::new();
    for (i, attempt) in tries.into_iter().enumerate() {
        let (entered, events, ejection) = attempt.await.unwrap();
        match entered {
            Ok(_) => admitted.push(i),
            Err(refused) => assert_eq!(refused, EnterRefused::Full(10)),
        }
        kept.push((events, ejection));
    }
    assert_eq!(admitted.len(), 10);
    // A full room still takes a new login of someone already in (it replaces itself).
    let room = rooms.get_or_open(&id, &opener()).unwrap();
    let (again, _) = enter(&room, &format!("u{}", admitted[0]), 1000, 4).await;
    let (_, ejection) = &mut kept[admitted[0]];
    assert_eq!(ejection.await.unwrap(), ExitReason::Replaced);
    drop(again);
}

#[tokio::test]
async fn the_server_opens_no_more_rooms_than_its_limit() {
    let (rooms, _) = registry_with(RoomLimits {
        max_members_per_room: 10,
        max_rooms: 2,
        ..RoomLimits::default()
    });
    let one = rooms.get_or_open(&RoomId::RoomId(1), &opener()).unwrap();
    let (_a, _) = enter(&one, "a", 1, 4).await;
    let two = rooms.get_or_open(&RoomId::RoomId(2), &opener()).unwrap();
    let (_b, _) = enter(&two, "b", 2, 4).await;
    assert_eq!(
        rooms.get_or_open(&RoomId::RoomId(3), &opener()).err(),
        Some(OpenRefused::Limit(RoomLimitReached(2)))
    );
    // An open room is still reachable at the limit.
    assert!(rooms.get_or_open(&RoomId::RoomId(1), &opener()).is_ok());
}

#[tokio::test]
async fn one_user_opens_rooms_at_its_rate_and_no_faster() {
    let (rooms, _) = registry_with(RoomLimits {
        rooms_per_user_per_second: 5,
        ..RoomLimits::default()
    });
    let flooder = UserId::parse("flooder").unwrap();
    let opened = (1..=100)
        .filter(|n| rooms.get_or_open(&RoomId::RoomId(*n), &flooder).is_ok())
        .count();
    // A burst of twice the rate, then nothing until tokens come back.
    assert_eq!(opened, 10);
    assert_eq!(rooms.len(), 10);
    assert_eq!(
        rooms.get_or_open(&RoomId::RoomId(500), &flooder).err(),
        Some(OpenRefused::RateLimited(5))
    );
    // Entering a room already open is not opening one; another user is not held back.
    assert!(rooms.get_or_open(&RoomId::RoomId(1), &flooder).is_ok());
    assert!(rooms.get_or_open(&RoomId::RoomId(500), &opener()).is_ok());
}

/// Longest a paused-time test lets the room's timers run (virtual time: it costs nothing).
const VIRTUAL_WAIT: Duration = Duration::from_secs(600);

#[tokio::test(start_paused = true)]
async fn an_empty_room_waits_for_its_timeout_and_an_enter_meanwhile_keeps_it() {
    let (rooms, tasks) = registry_with(RoomLimits {
        empty_room_timeout: Duration::from_secs(10),
        ..RoomLimits::default()
    });
    let id = RoomId::RoomId(10);
    let room = rooms.get_or_open(&id, &opener()).unwrap();
    enter_and_leave(&room, "a", 1).await;
    // Empty, but within its timeout: the same actor takes the next member.
    let (b, present) = enter(&room, "b", 2, 4).await;
    assert_eq!(present, vec![]);
    room.exit(b.user_id.clone(), b.session, LeaveReason::Exited)
        .await;
    // Then it stays empty: it closes after the timeout and leaves the registry.
    let emptied = tokio::time::Instant::now();
    tasks.close();
    timeout(VIRTUAL_WAIT, tasks.wait())
        .await
        .expect("the empty room closed");
    // Closed at its timeout: not before, and not a timer tick later.
    let open_for = emptied.elapsed();
    assert!(
        (Duration::from_secs(10)..Duration::from_millis(10_010)).contains(&open_for),
        "{open_for:?}"
    );
    assert!(rooms.is_empty());
}

#[tokio::test]
async fn shutdown_closes_empty_rooms_at_once() {
    let tasks = TaskTracker::new();
    let shutdown = CancellationToken::new();
    let rooms = Registry::new(tasks.clone(), RoomLimits::default(), shutdown.clone());
    let room = rooms.get_or_open(&RoomId::RoomId(11), &opener()).unwrap();
    enter_and_leave(&room, "a", 1).await;
    shutdown.cancel();
    tasks.close();
    timeout(Duration::from_secs(2), tasks.wait())
        .await
        .expect("shutdown did not wait for the 10 s empty-room timeout");
}

#[tokio::test(start_paused = true)]
async fn commands_other_than_an_enter_do_not_keep_an_empty_room_open() {
    let (rooms, tasks) = registry_with(RoomLimits {
        empty_room_timeout: Duration::from_secs(10),
        ..RoomLimits::default()
    });
    let room = rooms.get_or_open(&RoomId::RoomId(12), &opener()).unwrap();
    enter_and_leave(&room, "a", 1).await;
    let emptied = tokio::time::Instant::now();
    // Someone polls the room (REST RemoveUser of an absent user) every 700 ms: never at the
    // instant of the room's deadline, so which of the two tokio runs first does not matter.
    let poller = room.clone();
    let polling = tokio::spawn(async move {
        while poller.remove(vec![uid("nobody")]).await
            != Err(NamedUsersRefused::Closed(
                openroom_server::testing::RoomClosed,
            ))
        {
            tokio::time::sleep(Duration::from_millis(700)).await;
        }
    });
    timeout(VIRTUAL_WAIT, polling)
        .await
        .expect("the room closed despite the polling")
        .unwrap();
    // Closed at its timeout, the polling notwithstanding (its next poll sees the close).
    let open_for = emptied.elapsed();
    assert!(
        (Duration::from_secs(10)..Duration::from_millis(10_700)).contains(&open_for),
        "{open_for:?}"
    );
    tasks.close();
    timeout(VIRTUAL_WAIT, tasks.wait()).await.unwrap();
}

#[tokio::test]
async fn a_created_room_waits_for_its_first_member_then_keeps_its_own_settings() {
    use openroom_server::testing::CreateRefused;
    use openroom_server::testing::RoomSettings;
    let (rooms, tasks) = registry();
    let settings = RoomSettings {
        max_members: 1,
        empty_timeout: Duration::ZERO,
        first_member_timeout: Duration::from_secs(60),
    };
    let id = RoomId::string("planned").unwrap();
    let room = rooms.create(&id, settings).unwrap();
    assert_eq!(
        rooms.create(&id, settings).err(),
        Some(CreateRefused::Exists)
    );
    // Nobody yet, but it waits for its first member (60 s here).
    assert_eq!(room.describe().await.unwrap().max_members, 1);
    let (a, _) = enter(&room, "a", 1, 4).await;
    // Its own member limit, not the server's 300.
    let (events, _rx) = flume::bounded(4);
    let refused = room
        .enter(Entrant {
            user_id: uid("b"),
            session: 2,
            presence: Presence::default(),
            events,
            ejection: oneshot::channel().0,
        })
        .await;
    assert_eq!(refused, Err(EnterRefused::Full(1)));
    // Its own empty-room timeout (0): it closes as soon as a leaves.
    room.exit(a.user_id.clone(), a.session, LeaveReason::Exited)
        .await;
    tasks.close();
    timeout(Duration::from_secs(5), tasks.wait())
        .await
        .expect("the room closed");
    assert!(rooms.get(&id).is_none());
}

#[tokio::test(start_paused = true)]
async fn a_created_room_nobody_enters_closes_after_its_first_member_timeout() {
    use openroom_server::testing::RoomSettings;
    let (rooms, tasks) = registry();
    let id = RoomId::RoomId(20);
    rooms
        .create(
            &id,
            RoomSettings {
                max_members: 10,
                empty_timeout: Duration::from_secs(60),
                first_member_timeout: Duration::from_secs(30),
            },
        )
        .unwrap();
    let created = tokio::time::Instant::now();
    tasks.close();
    timeout(VIRTUAL_WAIT, tasks.wait())
        .await
        .expect("the unused room closed");
    let open_for = created.elapsed();
    assert!(
        (Duration::from_secs(30)..Duration::from_millis(30_010)).contains(&open_for),
        "{open_for:?}"
    );
    assert!(rooms.get(&id).is_none());
}

#[tokio::test]
async fn an_empty_open_room_takes_new_settings_but_an_occupied_one_keeps_its_own() {
    use openroom_server::testing::{Occupied, RoomSettings};
    let (rooms, _) = registry_with(RoomLimits {
        empty_room_timeout: Duration::from_secs(60),
        ..RoomLimits::default()
    });
    let room = rooms.get_or_open(&RoomId::RoomId(30), &opener()).unwrap();
    enter_and_leave(&room, "a", 1).await;
    let settings = RoomSettings {
        max_members: 1,
        empty_timeout: Duration::from_secs(5),
        first_member_timeout: Duration::from_secs(30),
    };
    assert_eq!(room.reconfigure(settings).await, Ok(Ok(())));
    let snapshot = room.describe().await.unwrap();
    assert_eq!(
        (snapshot.max_members, snapshot.empty_timeout),
        (1, Duration::from_secs(5))
    );
    let (_b, _) = enter(&room, "b", 2, 4).await;
    assert_eq!(room.reconfigure(settings).await, Ok(Err(Occupied(1))));
}

/// A rejoin (a resumed session starting afresh) replaces only its own membership: in place
/// and silently when it still holds the user, refused when the user was removed meanwhile or
/// a newer login holds it, so neither is undone.
#[tokio::test]
async fn a_rejoin_never_undoes_a_removal_or_a_newer_login() {
    let (rooms, _tasks) = registry();
    let room = rooms.get_or_open(&RoomId::RoomId(40), &opener()).unwrap();
    let (mut watcher, _) = enter(&room, "w", 1, 16).await;
    let (_alice, _) = enter(&room, "alice", 2, 16).await;
    assert_eq!(
        watcher.next().await,
        RoomEvent::MemberEntered {
            user_id: uid("alice"),
            user_data: None,
        }
    );
    let rejoin = |session: u64| {
        let room = room.clone();
        async move {
            let entrant = Entrant {
                user_id: uid("alice"),
                session,
                presence: Presence::default(),
                events: flume::bounded(16).0,
                ejection: oneshot::channel().0,
            };
            room.rejoin(entrant).await
        }
    };
    // Its own membership: back in place, and the watcher is told nothing.
    let back = rejoin(2)
        .await
        .map(|present| present.into_iter().map(|m| m.user_id).collect());
    assert_eq!(back, Ok(vec![uid("w")]));
    // A newer login (session 3) holds alice now: session 2 may not take her back.
    let (_newer, _) = enter(&room, "alice", 3, 16).await;
    assert_eq!(rejoin(2).await, Err(EnterRefused::Superseded));
    // Removed: a rejoin does not bring her back.
    room.remove(vec![uid("alice")]).await.unwrap();
    assert_eq!(rejoin(3).await, Err(EnterRefused::Absent));
    assert_eq!(
        watcher.drain(),
        [RoomEvent::MemberLeft {
            user_id: uid("alice"),
            reason: LeaveReason::Removed
        }]
    );
    assert_eq!(room.describe().await.unwrap().user_ids(), [uid("w")]);
}

/// Unreliable custom messages are dropped for a member whose queue is three quarters full,
/// counted per sender and cmdId, and the member is told how many it missed right before the
/// next message of that sender it gets. Reliable ones are never dropped that way.
#[tokio::test]
async fn unreliable_messages_to_a_lagging_member_are_counted_then_reported() {
    let (rooms, _tasks) = registry();
    let room = rooms.get_or_open(&RoomId::RoomId(41), &opener()).unwrap();
    // A queue of 8: unreliable messages stop once 6 are waiting (2 places left).
    let (mut slow, _) = enter(&room, "slow", 1, 8).await;
    let (_alice, _) = enter(&room, "alice", 2, 8).await;
    assert_eq!(
        slow.next().await,
        RoomEvent::MemberEntered {
            user_id: uid("alice"),
            user_data: None,
        }
    );
    let message = |seq: u32| RoomEvent::CustomMessage {
        user_id: uid("alice"),
        cmd_id: 3,
        seq,
        data: String::new(),
    };
    for seq in 1..=10 {
        room.send_message(uid("alice"), message(seq), false).await;
    }
    // A reliable message still gets in (the queue is not full), told after the count of the
    // messages of alice that were dropped before it.
    room.send_message(uid("alice"), message(11), true).await;
    // The room handles commands in order: once it has described itself, it has delivered.
    room.describe().await.unwrap();
    let mut expected: Vec<RoomEvent> = (1..=6).map(message).collect();
    expected.push(RoomEvent::MissedMessages {
        user_id: uid("alice"),
        cmd_id: 3,
        missed: 4,
    });
    expected.push(message(11));
    assert_eq!(slow.drain(), expected);
    // Caught up: the next one arrives as it is, nothing missed since.
    room.send_message(uid("alice"), message(12), false).await;
    room.describe().await.unwrap();
    assert_eq!(slow.drain(), [message(12)]);
}

/// A member that missed unreliable messages of a sender who then leaves is told the count
/// before the departure (no later message of theirs would carry it).
#[tokio::test]
async fn missed_messages_are_told_before_their_sender_leaves() {
    let (rooms, _tasks) = registry();
    let room = rooms.get_or_open(&RoomId::RoomId(42), &opener()).unwrap();
    let (mut slow, _) = enter(&room, "slow", 1, 4).await;
    let (alice, _) = enter(&room, "alice", 2, 4).await;
    let message = |seq: u32| RoomEvent::CustomMessage {
        user_id: uid("alice"),
        cmd_id: 9,
        seq,
        data: String::new(),
    };
    // A queue of 4 (one place taken by alice's arrival): after two more, unreliable ones stop.
    for seq in 1..=5 {
        room.send_message(uid("alice"), message(seq), false).await;
    }
    room.describe().await.unwrap();
    let mut seen = slow.drain();
    room.exit(alice.user_id.clone(), alice.session, LeaveReason::Exited)
        .await;
    seen.extend(slow.drain());
    assert_eq!(
        seen,
        [
            RoomEvent::MemberEntered {
                user_id: uid("alice"),
                user_data: None,
            },
            message(1),
            message(2),
            RoomEvent::MissedMessages {
                user_id: uid("alice"),
                cmd_id: 9,
                missed: 3
            },
            RoomEvent::MemberLeft {
                user_id: uid("alice"),
                reason: LeaveReason::Exited
            },
        ]
    );
}

const AUDIO_AND_VIDEO: Publishing = Publishing {
    audio: true,
    video: true,
};

fn anchor(publishing: Publishing) -> Presence {
    Presence {
        role: Role::Anchor,
        publishing,
        user_data: None,
    }
}

fn audience(publishing: Publishing) -> Presence {
    Presence {
        role: Role::Audience,
        publishing,
        user_data: None,
    }
}

fn audio(user: &str, available: bool) -> RoomEvent {
    RoomEvent::AudioAvailable {
        user_id: uid(user),
        available,
    }
}

fn video(user: &str, available: bool) -> RoomEvent {
    RoomEvent::VideoAvailable {
        user_id: uid(user),
        available,
    }
}

/// A member who enters learns what everyone present publishes with the member list; the
/// others see the newcomer enter, then its streams.
#[tokio::test]
async fn a_late_joiner_learns_what_everyone_publishes() {
    let (rooms, _) = registry();
    let room = rooms.get_or_open(&RoomId::RoomId(40), &opener()).unwrap();
    let video_only = Publishing {
        audio: false,
        video: true,
    };
    let (mut a, _) = enter_as(&room, "a", 1, 16, anchor(video_only)).await;
    let (_b, present) = enter_as(&room, "b", 2, 16, anchor(AUDIO_AND_VIDEO)).await;
    assert_eq!(present, [MemberState::new(uid("a"), video_only)]);
    assert_eq!(
        a.drain(),
        [
            RoomEvent::MemberEntered {
                user_id: uid("b"),
                user_data: None,
            },
            audio("b", true),
            video("b", true),
        ]
    );
}

/// Publishing changes reach the others, only when something changed, and never the member
/// itself.
#[tokio::test]
async fn publishing_changes_are_told_to_the_others_once() {
    let (rooms, _) = registry();
    let room = rooms.get_or_open(&RoomId::RoomId(41), &opener()).unwrap();
    let (mut a, _) = enter(&room, "a", 1, 16).await;
    let (mut b, _) = enter(&room, "b", 2, 16).await;
    a.drain();
    room.publish(uid("b"), 2, AUDIO_AND_VIDEO).await;
    room.publish(uid("b"), 2, AUDIO_AND_VIDEO).await;
    let muted_video = Publishing {
        audio: true,
        video: false,
    };
    room.publish(uid("b"), 2, muted_video).await;
    // A stale session of b changes nothing.
    room.publish(uid("b"), 99, Publishing::NOTHING).await;
    room.describe().await.unwrap();
    assert_eq!(
        a.drain(),
        [audio("b", true), video("b", true), video("b", false)]
    );
    assert_eq!(b.drain(), []);
}

/// A publishing member who leaves, is removed or drops is seen stopping its streams first,
/// then leaving; a dismissal ejects everyone with no events in between.
#[tokio::test]
async fn streams_end_before_their_publisher_leaves() {
    let (rooms, _) = registry();
    let room = rooms.get_or_open(&RoomId::RoomId(42), &opener()).unwrap();
    let (mut watcher, _) = enter(&room, "w", 1, 64).await;
    let (leaver, _) = enter_as(&room, "x", 2, 16, anchor(AUDIO_AND_VIDEO)).await;
    let (_removed, _) = enter_as(&room, "y", 3, 16, anchor(AUDIO_AND_VIDEO)).await;
    watcher.drain();
    room.exit(leaver.user_id.clone(), leaver.session, LeaveReason::Exited)
        .await;
    room.remove(vec![uid("y")]).await.unwrap();
    let left = |user: &str, reason| RoomEvent::MemberLeft {
        user_id: uid(user),
        reason,
    };
    assert_eq!(
        watcher.drain(),
        [
            audio("x", false),
            video("x", false),
            left("x", LeaveReason::Exited),
            audio("y", false),
            video("y", false),
            left("y", LeaveReason::Removed),
        ]
    );
    let (mut other, _) = enter_as(&room, "z", 4, 16, anchor(AUDIO_AND_VIDEO)).await;
    watcher.drain();
    room.dismiss().await.unwrap();
    assert_eq!(watcher.ejected().await, ExitReason::Dismissed);
    assert_eq!(other.ejected().await, ExitReason::Dismissed);
}

/// LIVE rules: audience members are not announced and not listed to anyone; an audience
/// member becoming an anchor is seen entering with its streams, an anchor becoming audience
/// stops its streams and is seen leaving with reason 3. DescribeRoom counts everyone.
#[tokio::test]
async fn audience_members_are_unseen_until_they_become_anchors() {
    let (rooms, _) = registry();
    let room = rooms.get_or_open(&RoomId::RoomId(43), &opener()).unwrap();
    let (mut host, _) = enter_as(&room, "host", 1, 16, anchor(AUDIO_AND_VIDEO)).await;
    let (mut viewer, present) = enter_as(&room, "v", 2, 16, audience(AUDIO_AND_VIDEO)).await;
    assert_eq!(present, [MemberState::new(uid("host"), AUDIO_AND_VIDEO)]);
    let (mut fan, present) = enter_as(&room, "fan", 3, 16, audience(Publishing::NOTHING)).await;
    assert_eq!(present.len(), 1, "the other audience member is not listed");
    assert_eq!(host.drain(), [], "audience members enter unseen");

    room.switch_role(uid("v"), 2, Role::Anchor).await.unwrap();
    let seen_entering = [
        RoomEvent::MemberEntered {
            user_id: uid("v"),
            user_data: None,
        },
        audio("v", true),
        video("v", true),
    ];
    assert_eq!(host.drain(), seen_entering);
    assert_eq!(fan.drain(), seen_entering);
    assert_eq!(viewer.drain(), [], "the switcher is not told about itself");
    let (_late, present) = enter_as(&room, "late", 4, 16, audience(Publishing::NOTHING)).await;
    assert_eq!(
        present,
        [
            MemberState::new(uid("host"), AUDIO_AND_VIDEO),
            MemberState::new(uid("v"), AUDIO_AND_VIDEO)
        ]
    );

    room.switch_role(uid("v"), 2, Role::Audience).await.unwrap();
    let seen_leaving = [
        audio("v", false),
        video("v", false),
        RoomEvent::MemberLeft {
            user_id: uid("v"),
            reason: LeaveReason::SwitchedToAudience,
        },
    ];
    assert_eq!(host.drain(), seen_leaving);
    assert_eq!(fan.drain(), seen_leaving);
    // An audience member's publishing is kept but not shown; leaving is not announced.
    room.publish(uid("fan"), 3, AUDIO_AND_VIDEO).await;
    room.exit(uid("fan"), 3, LeaveReason::Exited).await;
    assert_eq!(host.drain(), []);
    let snapshot = room.describe().await.unwrap();
    let roles: Vec<(UserId, Role, Publishing)> = snapshot
        .members
        .into_iter()
        .map(|m| (m.user_id, m.role, m.publishing))
        .collect();
    assert_eq!(
        roles,
        [
            (uid("host"), Role::Anchor, AUDIO_AND_VIDEO),
            (uid("v"), Role::Audience, Publishing::NOTHING),
            (uid("late"), Role::Audience, Publishing::NOTHING),
        ]
    );
    assert_eq!(
        room.switch_role(uid("gone"), 9, Role::Anchor).await,
        Err(EnterRefused::Absent)
    );
}

/// Each departure fills the next slow member's queue, so each drop causes the next: a chain
/// as long as the room. The room tells them from a worklist; told by recursion, a chain this
/// long overflowed the actor's stack.
#[tokio::test]
async fn a_chain_of_slow_members_each_dropped_by_the_last_ones_departure_is_told_in_order() {
    const CHAIN: usize = 2_000;
    let (rooms, _) = registry_with(RoomLimits {
        max_members_per_room: CHAIN + 1,
        ..RoomLimits::default()
    });
    let room = rooms.get_or_open(&RoomId::RoomId(90), &opener()).unwrap();
    let (mut watcher, _) = enter(&room, "watcher", 1, 4 * CHAIN).await;
    // Member i ends up with room for i more events. They enter last first, so each gets only
    // the arrivals of those before it in the chain (i of them), which its queue (i + 1) holds;
    // then each queue is emptied and one stand-in event put back.
    let mut queues = Vec::new();
    let mut ejections = Vec::new();
    for i in (0..CHAIN).rev() {
        let (events_tx, events) = flume::bounded(i + 1);
        let (ejection_tx, ejection) = oneshot::channel();
        room.enter(Entrant {
            user_id: uid(&format!("m{i}")),
            session: 10 + i as u64,
            presence: Presence::default(),
            events: events_tx.clone(),
            ejection: ejection_tx,
        })
        .await
        .unwrap();
        queues.push((events, events_tx));
        ejections.push(ejection);
    }
    queues.reverse();
    let stand_in = SharedEvent::from(RoomEvent::MemberEntered {
        user_id: uid("stand-in"),
        user_data: None,
    });
    let queues: Vec<_> = queues
        .into_iter()
        .map(|(events, events_tx)| {
            while events.try_recv().is_ok() {}
            events_tx.try_send(stand_in.clone()).unwrap();
            events
        })
        .collect();
    watcher.drain();

    // The watcher leaves: m0 has no room for that, and is dropped; its departure fills m1 …
    room.exit(
        watcher.user_id.clone(),
        watcher.session,
        LeaveReason::Exited,
    )
    .await;
    assert_eq!(room.describe().await.unwrap().members.len(), 0);
    let leaver = |event: RoomEvent| match event {
        RoomEvent::MemberLeft { user_id, reason } => (user_id.as_str().to_owned(), reason as u8),
        RoomEvent::MemberEntered { user_id, .. } => (user_id.as_str().to_owned(), u8::MAX),
        other => panic!("unexpected {other:?}"),
    };
    for (i, events) in queues.iter().enumerate() {
        let seen: Vec<_> = std::iter::from_fn(|| events.try_recv().ok())
            .map(|event| leaver(event.decode()))
            .collect();
        // The stand-in, the watcher leaving, then m0 … m(i-2): m(i-1)'s departure did not fit.
        let mut expected = vec![("stand-in".to_owned(), u8::MAX), ("watcher".to_owned(), 0)];
        expected.extend((0..i.saturating_sub(1)).map(|j| (format!("m{j}"), 1)));
        expected.truncate(i + 1);
        assert_eq!(seen, expected, "m{i}");
        assert!(events.is_disconnected(), "m{i} is still held");
    }
}
