//! Member data on the wire: given at enter, listed in the `entered` answer and the others'
//! `memberEntered`, replaced with `setUserData` (`memberUpdated`), shown by DescribeRoom, and
//! bounded per member and per room.

mod common;

use common::{connect, enter_frame, next, send, Ws};
use openroom_protocol::limits::{room_user_data_bytes, MAX_USER_DATA_BYTES};
use openroom_protocol::{ErrorCode, RoomId, UserData};
use openroom_server::{RunningServer, ServerConfig};
use serde_json::{json, Value};

async fn enter_with(
    ws: &mut Ws,
    server: &RunningServer,
    sub: u32,
    user: &str,
    data: &str,
) -> Value {
    let mut frame = enter_frame(server, sub, user, 7);
    frame["userData"] = json!(data);
    send(ws, frame).await;
    next(ws).await
}

#[tokio::test]
async fn member_data_comes_with_entering_changes_with_set_user_data_and_shows_in_describe() {
    let server = openroom_server::start(ServerConfig::dev_ephemeral())
        .await
        .unwrap();
    let (mut ann, mut bob) = (connect(&server).await, connect(&server).await);
    let entered = enter_with(&mut ann, &server, 0, "ann", r#"{"name":"Ann"}"#).await;
    assert_eq!(entered["result"]["ok"]["members"], json!([]), "{entered}");

    let entered = enter_with(&mut bob, &server, 0, "bob", r#""Bob""#).await;
    assert_eq!(
        entered["result"]["ok"]["members"],
        json!([{"userId": "ann", "audio": false, "video": false, "userData": r#"{"name":"Ann"}"#}]),
        "{entered}"
    );
    let told = next(&mut ann).await;
    assert_eq!(
        told["event"],
        json!({"type": "memberEntered", "userId": "bob", "userData": r#""Bob""#}),
        "{told}"
    );

    send(
        &mut ann,
        json!({"id": 2, "type": "setUserData", "userData": r#"{"name":"Ann B."}"#}),
    )
    .await;
    // Answered once the others were told.
    assert_eq!(
        next(&mut ann).await,
        json!({"type": "response", "id": 2, "result": {"ok": {"type": "userDataSet"}}})
    );
    let told = next(&mut bob).await;
    assert_eq!(
        told["event"],
        json!({"type": "memberUpdated", "userId": "ann", "userData": r#"{"name":"Ann B."}"#}),
        "{told}"
    );
    // Cleared: the others are told null.
    send(
        &mut bob,
        json!({"id": 3, "type": "setUserData", "userData": null}),
    )
    .await;
    assert_eq!(next(&mut bob).await["id"], 3);
    let told = next(&mut ann).await;
    assert_eq!(
        told["event"],
        json!({"type": "memberUpdated", "userId": "bob", "userData": null}),
        "{told}"
    );

    let room = server.rooms().get(&RoomId::RoomId(7)).unwrap();
    let described = room.describe().await.unwrap();
    let data: Vec<Option<&str>> = described
        .members
        .iter()
        .map(|m| m.user_data.as_ref().map(UserData::as_str))
        .collect();
    assert_eq!(data, [Some(r#"{"name":"Ann B."}"#), None]);

    // Data that is not JSON, or too large, is a bad request; the member stays as it was.
    send(
        &mut ann,
        json!({"id": 4, "type": "setUserData", "userData": "{name"}),
    )
    .await;
    let refused = next(&mut ann).await;
    assert_eq!(refused["id"], 4);
    assert!(
        refused["result"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("userData is not JSON text"),
        "{refused}"
    );
    let too_large = format!("\"{}\"", "x".repeat(MAX_USER_DATA_BYTES));
    send(
        &mut ann,
        json!({"id": 5, "type": "setUserData", "userData": too_large}),
    )
    .await;
    let refused = next(&mut ann).await;
    assert!(
        refused["result"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 4096"),
        "{refused}"
    );
    let described = room.describe().await.unwrap();
    assert_eq!(
        described.members[0]
            .user_data
            .as_ref()
            .map(UserData::as_str),
        Some(r#"{"name":"Ann B."}"#)
    );
}

#[tokio::test]
async fn a_room_holds_at_most_its_member_data_budget() {
    let server = openroom_server::start(ServerConfig::dev_ephemeral())
        .await
        .unwrap();
    // The largest data there is on the wire: 4096 bytes of JSON, every one escaped.
    let text = format!("\"{}\"", "\\\"".repeat((MAX_USER_DATA_BYTES - 2) / 2));
    let wire = UserData::parse(&text).unwrap().wire_bytes();
    let budget = room_user_data_bytes(server.config().limits.max_members_per_room);
    let fit = budget / wire;
    // Audience members (LIVE): nobody is sent their data, so the room fills cheaply.
    let audience = |sub: u32, user: &str, data: Option<&str>| {
        let mut frame = enter_frame(&server, sub, user, 9);
        frame["scene"] = json!(1);
        frame["role"] = json!(21);
        if let Some(data) = data {
            frame["userData"] = json!(data);
        }
        frame
    };
    let mut sockets = Vec::new();
    for batch in 0..fit.div_ceil(16) {
        let mut ws = connect(&server).await;
        let subs = (fit - batch * 16).min(16) as u32;
        // One at a time: a connection with no session in a room yet may send only 64 KiB.
        for sub in 0..subs {
            send(
                &mut ws,
                audience(sub, &format!("u{batch}-{sub}"), Some(&text)),
            )
            .await;
            let answer = next(&mut ws).await;
            assert_eq!(answer["result"]["ok"]["type"], "entered", "{answer}");
        }
        sockets.push(ws);
    }

    let mut late = connect(&server).await;
    send(&mut late, audience(0, "late", Some(&text))).await;
    let refused = next(&mut late).await;
    assert_eq!(
        refused["result"]["error"]["code"],
        ErrorCode::UserDataInvalid.value(),
        "{refused}"
    );
    assert!(
        refused["result"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("member data is full"),
        "{refused}"
    );
    // Without data there is room; with a few bytes more than is left, there is not.
    send(&mut late, audience(1, "quiet", None)).await;
    assert_eq!(next(&mut late).await["result"]["ok"]["type"], "entered");
    let left = budget - fit * wire;
    let one_more = format!("\"{}\"", "\\\"".repeat(left.saturating_sub(6) / 4 + 1));
    let more = UserData::parse(&one_more).unwrap().wire_bytes();
    assert!(more > left && more <= left + 4, "{more} for {left} left");
    send(
        &mut late,
        json!({"sub": 1, "id": 2, "type": "setUserData", "userData": one_more}),
    )
    .await;
    let refused = next(&mut late).await;
    assert_eq!(refused["id"], 2, "{refused}");
    assert_eq!(
        refused["result"]["error"]["code"],
        ErrorCode::UserDataInvalid.value(),
        "{refused}"
    );
    // A member replacing its own data is counted without its old data: accepted.
    send(
        &mut sockets[0],
        json!({"sub": 0, "id": 2, "type": "setUserData", "userData": text}),
    )
    .await;
    let answer = next(&mut sockets[0]).await;
    assert_eq!(answer["result"]["ok"]["type"], "userDataSet", "{answer}");
    let described = server
        .rooms()
        .get(&RoomId::RoomId(9))
        .unwrap()
        .describe()
        .await
        .unwrap();
    assert_eq!(described.members.len(), fit + 1);
    assert!(described
        .members
        .iter()
        .all(|m| m.user_id.as_str() == "quiet" || m.user_data.is_some()));
}

#[tokio::test]
async fn set_user_data_past_its_rate_is_held_back_and_the_latest_applied() {
    let server = openroom_server::start(ServerConfig::dev_ephemeral())
        .await
        .unwrap();
    let (mut ann, mut bob) = (connect(&server).await, connect(&server).await);
    enter_with(&mut ann, &server, 0, "ann", "0").await;
    enter_with(&mut bob, &server, 0, "bob", "0").await;
    assert_eq!(next(&mut ann).await["event"]["type"], "memberEntered");
    // Ten at once: more than the rate's burst.
    for n in 1..=10 {
        send(
            &mut ann,
            json!({"id": 10 + n, "type": "setUserData", "userData": n.to_string()}),
        )
        .await;
    }
    // Every request is answered, done or replaced by a later one.
    let mut answered = Vec::new();
    while answered.len() < 10 {
        let answer = next(&mut ann).await;
        assert_eq!(answer["result"]["ok"]["type"], "userDataSet", "{answer}");
        answered.push(answer["id"].as_u64().unwrap());
    }
    answered.sort_unstable();
    assert_eq!(answered, (11..=20).collect::<Vec<u64>>());
    // Bob saw a few of them, the last one last: the data ann set last is what the room shows.
    let mut seen = Vec::new();
    while seen.last() != Some(&json!("10")) {
        let told = next(&mut bob).await;
        assert_eq!(told["event"]["type"], "memberUpdated", "{told}");
        seen.push(told["event"]["userData"].clone());
    }
    let burst = 2 * openroom_server::testing::USER_DATA_UPDATES_PER_SECOND as usize;
    assert!(seen.len() <= burst + 1, "{seen:?}");
}
