//! Roles and publishing on the wire, checked by the server itself (a client cannot skip the
//! checks its engine makes): an audience member may not send custom messages, switchRole is
//! refused outside a room and in the call scenes, and a role that is not one is a bad request.

mod common;

use common::{connect, enter_frame, next, send};
use openroom_protocol::{ErrorCode, WarningCode};
use openroom_server::ServerConfig;
use serde_json::json;

#[tokio::test]
async fn the_server_holds_clients_to_the_role_rules() {
    let server = openroom_server::start(ServerConfig::dev_ephemeral())
        .await
        .unwrap();
    let mut viewer = connect(&server).await;
    send(
        &mut viewer,
        json!({"id": 5, "type": "switchRole", "role": 20}),
    )
    .await;
    let answer = next(&mut viewer).await;
    assert_eq!(
        answer["result"]["error"]["code"],
        ErrorCode::NotInRoom.value(),
        "{answer}"
    );

    let mut live_audience = enter_frame(&server, 0, "viewer", 1);
    live_audience["scene"] = json!(1);
    live_audience["role"] = json!(21);
    send(&mut viewer, live_audience).await;
    assert_eq!(next(&mut viewer).await["result"]["ok"]["type"], "entered");
    send(
        &mut viewer,
        json!({"id": 2, "type": "message", "cmdId": 1, "seq": 1, "data": "aGk=",
               "reliable": true, "ordered": true}),
    )
    .await;
    let refused = next(&mut viewer).await;
    assert_eq!(
        refused["result"]["error"]["code"],
        WarningCode::CustomCmdAudience.value(),
        "{refused}"
    );
    send(
        &mut viewer,
        json!({"id": 3, "type": "switchRole", "role": 20}),
    )
    .await;
    let switched = next(&mut viewer).await;
    assert_eq!(
        switched["result"]["ok"],
        json!({"type": "roleSwitched", "role": 20})
    );
    send(
        &mut viewer,
        json!({"id": 4, "type": "switchRole", "role": 22}),
    )
    .await;
    let bad = next(&mut viewer).await;
    assert_eq!(bad["id"], 4);
    assert!(
        bad["result"]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("bad request")),
        "{bad}"
    );

    let mut caller = connect(&server).await;
    send(&mut caller, enter_frame(&server, 0, "caller", 2)).await;
    assert_eq!(next(&mut caller).await["result"]["ok"]["type"], "entered");
    send(
        &mut caller,
        json!({"id": 2, "type": "switchRole", "role": 21}),
    )
    .await;
    let answer = next(&mut caller).await;
    assert_eq!(
        answer["result"]["error"]["code"],
        ErrorCode::RoleNotSupported.value(),
        "{answer}"
    );
    server.close().await;
}
