//! Audio/video availability, device release and roles between engines through a real server on
//! loopback: the exact sequence each member sees when someone publishes, mutes, enters late,
//! exits, is removed, is dismissed, switches rooms or roles, or changes things while its
//! connection is down (through a fault-injecting proxy).

mod common;

use std::time::Duration;

use common::{audio, entered, exit, left, params, uid, video, Recorder};
use openroom_client::{
    ClientConfig, EngineError, Event, LocalDevices, LocalMedia, MediaCall, ReconnectPolicy,
};
use openroom_protocol::{ErrorCode, ExitReason, LeaveReason, RoomId};
use openroom_server::{RunningServer, ServerConfig};
use openroom_testkit::{Fault, FaultProxy};
use serde_json::json;

const EVENT_WAIT: Duration = Duration::from_secs(5);
const VIDEO_CALL: u32 = 0;
const LIVE: u32 = 1;

fn member(url: &str) -> Recorder {
    Recorder::new(
        ClientConfig {
            server_url: url.to_owned(),
            enter_timeout: Duration::from_millis(500),
            reconnect: ReconnectPolicy {
                attempts: 100,
                interval: Duration::from_millis(20),
                max_interval: Duration::from_millis(100),
            },
            ..ClientConfig::default()
        },
        EVENT_WAIT,
    )
}

async fn server() -> RunningServer {
    openroom_server::start(ServerConfig::dev_ephemeral())
        .await
        .unwrap()
}

fn devices(camera: bool, microphone: bool) -> Option<LocalDevices> {
    Some(LocalDevices { camera, microphone })
}

fn media(recorder: &Recorder, call: MediaCall) -> Option<LocalDevices> {
    recorder.engine.local_media(call).unwrap()
}

fn role_switched() -> Event {
    Event::SwitchRole {
        code: 0,
        message: String::new(),
    }
}

/// A preview started before entering is published from the start: a member who enters later
/// sees it right after the publisher's onRemoteUserEnterRoom. Starting, muting and unmuting
/// reach the others once each; the muted device stays open. exitRoom() releases the devices
/// at once and the others see the streams end before the member leaves.
#[tokio::test]
async fn the_others_see_every_publishing_change_and_the_streams_end_before_an_exit() {
    let server = server().await;
    let config = server.config();
    let mut alice = member(&server.url());
    assert_eq!(
        media(&alice, MediaCall::StartLocalPreview),
        devices(true, false)
    );
    alice.enter(&params(config, "alice", 1), VIDEO_CALL).await;
    let mut bob = member(&server.url());
    bob.enter(&params(config, "bob", 1), VIDEO_CALL).await;
    assert_eq!(
        bob.next_n(2).await,
        [entered("alice"), video("alice", true)]
    );
    assert_eq!(alice.next().await, entered("bob"));

    assert_eq!(
        media(&alice, MediaCall::StartLocalAudio),
        devices(true, true)
    );
    assert_eq!(
        media(&alice, MediaCall::MuteLocalAudio(true)),
        None,
        "muting keeps the microphone open"
    );
    assert_eq!(media(&alice, MediaCall::StartLocalAudio), None);
    assert_eq!(media(&alice, MediaCall::MuteLocalAudio(false)), None);
    assert_eq!(media(&alice, MediaCall::MuteLocalVideo(true)), None);
    assert_eq!(media(&alice, MediaCall::MuteLocalVideo(false)), None);
    assert_eq!(
        bob.next_n(5).await,
        [
            audio("alice", true),
            audio("alice", false),
            audio("alice", true),
            video("alice", false),
            video("alice", true),
        ]
    );

    let exiting = alice.engine.exit_room();
    assert!(exiting.running);
    assert_eq!(exiting.released, Some(LocalDevices::NONE));
    assert_eq!(alice.engine.local_media_state(), LocalMedia::default());
    assert_eq!(
        bob.next_n(3).await,
        [
            audio("alice", false),
            video("alice", false),
            left("alice", LeaveReason::Exited),
        ]
    );
    // Released by exitRoom() itself: the session does not report it a second time.
    assert_eq!(
        alice.next_n(2).await,
        [exit(ExitReason::Exited), Event::SessionClosed]
    );
    // Outside a room exitRoom() leaves a preview alone; destroy() releases it.
    media(&alice, MediaCall::StartLocalPreview);
    assert_eq!(alice.engine.exit_room().released, None);
    assert_eq!(alice.engine.destroy().released, Some(LocalDevices::NONE));
    server.close().await;
}

/// Removal and dismissal stop local audio and video first: the member is told its devices were
/// released before onExitRoom, and the others see its streams end before it leaves.
#[tokio::test]
async fn removal_and_dismissal_release_the_devices_before_on_exit_room() {
    let server = server().await;
    let config = server.config();
    let mut alice = member(&server.url());
    let mut bob = member(&server.url());
    for recorder in [&alice, &bob] {
        media(recorder, MediaCall::StartLocalAudio);
        media(recorder, MediaCall::StartLocalPreview);
    }
    alice.enter(&params(config, "alice", 2), VIDEO_CALL).await;
    bob.enter(&params(config, "bob", 2), VIDEO_CALL).await;
    assert_eq!(alice.next_n(3).await.len(), 3);
    assert_eq!(bob.next_n(3).await.len(), 3);

    let room = server.rooms().get(&RoomId::RoomId(2)).unwrap();
    room.remove(vec![uid("alice")]).await.unwrap();
    assert_eq!(
        alice.next_n(2).await,
        [
            Event::LocalDevicesChanged {
                devices: LocalDevices::NONE
            },
            exit(ExitReason::Removed),
        ]
    );
    assert_eq!(alice.engine.local_media_state(), LocalMedia::default());
    assert_eq!(
        bob.next_n(3).await,
        [
            audio("alice", false),
            video("alice", false),
            left("alice", LeaveReason::Removed),
        ]
    );

    room.dismiss().await.unwrap();
    assert_eq!(
        bob.next_n(2).await,
        [
            Event::LocalDevicesChanged {
                devices: LocalDevices::NONE
            },
            exit(ExitReason::Dismissed),
        ]
    );
    server.close().await;
}

/// LIVE: audience members enter unseen and see the anchors with their streams; switchRole to
/// anchor makes the member appear with what it publishes, back to audience ends its streams
/// and it leaves with reason 3. A bad role, a scene without roles and no room are refused.
#[tokio::test]
async fn switching_roles_in_a_live_room() {
    let server = server().await;
    let config = server.config();
    let mut host = member(&server.url());
    media(&host, MediaCall::StartLocalAudio);
    host.enter(&params(config, "host", 3), LIVE).await;

    let mut viewer = member(&server.url());
    assert_eq!(
        viewer.engine.switch_role(20),
        Err(EngineError::Refused(
            ErrorCode::NotInRoom,
            "not in a room: enterRoom first and wait for onEnterRoom (the role for entering is TRTCParams.role)".into()
        ))
    );
    media(&viewer, MediaCall::StartLocalPreview);
    let mut as_audience = params(config, "viewer", 3);
    as_audience["role"] = json!(21);
    viewer.enter(&as_audience, LIVE).await;
    assert_eq!(
        viewer.next_n(2).await,
        [entered("host"), audio("host", true)]
    );
    // The host's next event is the probe's arrival: the viewer's entry was never announced.
    let mut probe = member(&server.url());
    probe.enter(&params(config, "probe", 3), LIVE).await;
    assert_eq!(host.next().await, entered("probe"));
    assert_eq!(viewer.next().await, entered("probe"));

    viewer.engine.switch_role(20).unwrap();
    assert_eq!(viewer.next().await, role_switched());
    assert_eq!(
        host.next_n(2).await,
        [entered("viewer"), video("viewer", true)]
    );
    viewer.engine.switch_role(21).unwrap();
    assert_eq!(viewer.next().await, role_switched());
    assert_eq!(
        host.next_n(2).await,
        [
            video("viewer", false),
            left("viewer", LeaveReason::SwitchedToAudience),
        ]
    );
    // Still in the room, still hearing it.
    probe.engine.exit_room();
    assert_eq!(viewer.next().await, left("probe", LeaveReason::Exited));

    assert!(matches!(
        viewer.engine.switch_role(22),
        Err(EngineError::Refused(ErrorCode::RoleInvalid, _))
    ));
    let mut caller = member(&server.url());
    caller.enter(&params(config, "caller", 4), VIDEO_CALL).await;
    caller.engine.switch_role(21).unwrap();
    match caller.next().await {
        Event::SwitchRole { code, message } => {
            assert_eq!(code, ErrorCode::RoleNotSupported.value());
            assert!(message.contains("TRTCAppSceneVideoCall"), "{message}");
        }
        other => panic!("expected onSwitchRole, got {other:?}"),
    }
    server.close().await;
}

/// switchRoom keeps publishing: the old room sees the streams end before the member leaves,
/// the new one sees it enter then its streams, and the switcher sees the same of the others.
#[tokio::test]
async fn switching_rooms_carries_the_streams_along() {
    let server = server().await;
    let config = server.config();
    let mut alice = member(&server.url());
    let mut bob = member(&server.url());
    let mut carol = member(&server.url());
    media(&alice, MediaCall::StartLocalPreview);
    media(&bob, MediaCall::StartLocalPreview);
    media(&carol, MediaCall::StartLocalAudio);
    alice.enter(&params(config, "alice", 5), VIDEO_CALL).await;
    bob.enter(&params(config, "bob", 5), VIDEO_CALL).await;
    carol.enter(&params(config, "carol", 6), VIDEO_CALL).await;
    assert_eq!(alice.next_n(2).await, [entered("bob"), video("bob", true)]);
    bob.next_n(2).await;

    alice.engine.switch_room(&json!({"roomId": 6})).unwrap();
    assert_eq!(
        alice.next_n(5).await,
        [
            Event::SwitchRoom {
                code: 0,
                message: String::new()
            },
            video("bob", false),
            left("bob", LeaveReason::Exited),
            entered("carol"),
            audio("carol", true),
        ]
    );
    assert_eq!(
        bob.next_n(2).await,
        [video("alice", false), left("alice", LeaveReason::Exited)]
    );
    assert_eq!(
        carol.next_n(2).await,
        [entered("alice"), video("alice", true)]
    );
    server.close().await;
}

/// What the app changes while the connection is down (a microphone started, a role switched)
/// takes effect once the session is back: the others see it then, and onSwitchRole answers.
#[tokio::test]
async fn changes_made_while_reconnecting_take_effect_once_back() {
    let server = openroom_server::start(ServerConfig {
        session_timeout: Duration::from_millis(1500),
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap();
    let config = server.config();
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    let mut host = member(&server.url());
    host.enter(&params(config, "host", 7), LIVE).await;
    let mut alice = member(&proxy.url());
    let mut as_audience = params(config, "alice", 7);
    as_audience["role"] = json!(21);
    alice.enter(&as_audience, LIVE).await;
    assert_eq!(alice.next().await, entered("host"));

    proxy.set(Fault::Blackhole);
    assert!(matches!(alice.next().await, Event::ConnectionLost { .. }));
    media(&alice, MediaCall::StartLocalAudio);
    alice.engine.switch_role(20).unwrap();
    proxy.set(Fault::Pass);
    loop {
        match alice.next().await {
            Event::TryToReconnect { .. } => continue,
            Event::ConnectionRecovery => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(alice.next().await, role_switched());
    assert_eq!(
        host.next_n(2).await,
        [entered("alice"), audio("alice", true)]
    );
    server.close().await;
}

/// After a loss longer than the session timeout the client enters again and reports what
/// changed meanwhile, streams included: a member who started publishing is reported as such.
#[tokio::test]
async fn entering_again_after_a_long_loss_reports_the_streams_that_changed() {
    let server = openroom_server::start(ServerConfig {
        session_timeout: Duration::from_millis(400),
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap();
    let config = server.config();
    let proxy = FaultProxy::start(server.local_addr()).await.unwrap();
    let mut alice = member(&proxy.url());
    media(&alice, MediaCall::StartLocalAudio);
    alice.enter(&params(config, "alice", 8), VIDEO_CALL).await;
    let mut bob = member(&server.url());
    bob.enter(&params(config, "bob", 8), VIDEO_CALL).await;
    assert_eq!(
        bob.next_n(2).await,
        [entered("alice"), audio("alice", true)]
    );
    assert_eq!(alice.next().await, entered("bob"));

    proxy.set(Fault::Blackhole);
    assert!(matches!(alice.next().await, Event::ConnectionLost { .. }));
    // The server drops alice: her stream ends before she leaves.
    assert_eq!(
        bob.next_n(2).await,
        [
            audio("alice", false),
            left("alice", LeaveReason::ConnectionLost)
        ]
    );
    media(&bob, MediaCall::StartLocalPreview);
    proxy.set(Fault::Pass);
    let mut seen = Vec::new();
    loop {
        match alice.next().await {
            Event::TryToReconnect { .. } => continue,
            Event::ConnectionRecovery => break,
            event => seen.push(event),
        }
    }
    assert_eq!(seen, [video("bob", true)]);
    assert_eq!(
        bob.next_n(2).await,
        [entered("alice"), audio("alice", true)]
    );
    server.close().await;
}
