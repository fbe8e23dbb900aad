//! Several sessions on one WebSocket (a TRTCCloud and its sub-clouds), spoken to frame by
//! frame: each channel has its own session; the server ending one channel says so with a
//! `closed` frame and leaves the others alone; an ended channel is never reopened; a channel
//! flooded with requests is ended, not the connection.

use std::time::Duration;

use futures_util::SinkExt;
use openroom_protocol::{RoomId, UserId};
use openroom_server::{RunningServer, ServerConfig};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

mod common;

use common::{connect, enter_frame, members, next, next_within, send, Ws};

/// Channel 0 and channel 1 of one socket, entered into rooms `a` and `b`.
async fn two_channels(server: &RunningServer, a: u32, b: u32) -> Ws {
    let mut ws = connect(server).await;
    send(&mut ws, enter_frame(server, 0, "alice", a)).await;
    send(&mut ws, enter_frame(server, 1, "alice", b)).await;
    let mut answered = [false, false];
    while answered != [true, true] {
        let frame = next(&mut ws).await;
        assert_eq!(frame["result"]["ok"]["type"], "entered", "{frame}");
        let sub = frame["sub"].as_u64().unwrap_or(0) as usize;
        answered[sub] = true;
    }
    ws
}

#[tokio::test]
async fn the_server_ending_one_channel_says_so_and_leaves_the_others_alone() {
    let server = openroom_server::start(ServerConfig::dev_ephemeral())
        .await
        .unwrap();
    let mut ws = two_channels(&server, 1, 2).await;
    let alice = UserId::parse("alice").unwrap();
    assert_eq!(members(&server, 1).await, std::slice::from_ref(&alice));
    assert_eq!(members(&server, 2).await, std::slice::from_ref(&alice));

    let room = server.rooms().get(&RoomId::RoomId(2)).unwrap();
    room.remove(vec![alice.clone()]).await.unwrap();
    let ejected = next(&mut ws).await;
    assert_eq!(
        (ejected["sub"].clone(), ejected["event"].clone()),
        (json!(1), json!({"type": "ejected", "reason": 1}))
    );
    let closed = next(&mut ws).await;
    assert_eq!(closed["type"], "closed", "{closed}");
    assert_eq!(
        (closed["sub"].clone(), closed["code"].clone()),
        (json!(1), json!(1000))
    );

    // A request still on its way to the ended channel opens nothing.
    send(&mut ws, json!({"sub": 1, "id": 2, "type": "exit"})).await;
    // Channel 0 carries on: its exit is answered, and nothing came for channel 1.
    send(&mut ws, json!({"id": 2, "type": "exit"})).await;
    let exited = next(&mut ws).await;
    assert_eq!(exited["result"]["ok"]["type"], "exited", "{exited}");
    assert_eq!(exited.get("sub"), None);
    assert_eq!(members(&server, 1).await, Vec::<UserId>::new());
    // The channel stays ended (a negative check: a short, bounded wait).
    assert_eq!(next_within(&mut ws, Duration::from_millis(300)).await, None);
    server.close().await;
}

#[tokio::test]
async fn a_channel_flooded_with_requests_is_ended_and_the_others_carry_on() {
    let server = openroom_server::start(ServerConfig::dev_ephemeral())
        .await
        .unwrap();
    let mut ws = two_channels(&server, 3, 4).await;
    // Far more requests on channel 1 than it may have in flight, without reading an answer.
    for id in 0..500 {
        ws.feed(Message::text(json!({"sub": 1, "id": 10 + id}).to_string()))
            .await
            .unwrap();
    }
    ws.flush().await.unwrap();
    let closed = loop {
        let frame = next(&mut ws).await;
        if frame["type"] == "closed" {
            break frame;
        }
        assert_eq!(frame["sub"], 1, "only channel 1 is answered: {frame}");
    };
    assert_eq!(
        (closed["sub"].clone(), closed["code"].clone()),
        (json!(1), json!(1008))
    );
    assert!(closed["reason"]
        .as_str()
        .unwrap()
        .contains("too many requests in flight"));
    // Its member left room 4; channel 0 is still in room 3 and still answers.
    assert_eq!(members(&server, 4).await, Vec::<UserId>::new());
    send(&mut ws, json!({"id": 2, "type": "exit"})).await;
    loop {
        let frame = next(&mut ws).await;
        if frame.get("sub").is_none() {
            assert_eq!(frame["result"]["ok"]["type"], "exited", "{frame}");
            break;
        }
    }
    server.close().await;
}

#[tokio::test]
async fn a_channel_beyond_the_limit_is_refused_and_the_others_carry_on() {
    let server = openroom_server::start(ServerConfig::dev_ephemeral())
        .await
        .unwrap();
    let mut ws = connect(&server).await;
    let limit = openroom_protocol::MAX_CHANNELS_PER_CONNECTION as u32;
    for sub in 0..limit {
        send(&mut ws, enter_frame(&server, sub, &format!("u{sub}"), 5)).await;
    }
    for _ in 0..limit {
        loop {
            let frame = next(&mut ws).await;
            if frame["type"] == "response" {
                assert_eq!(frame["result"]["ok"]["type"], "entered", "{frame}");
                break;
            }
        }
    }
    // One more: refused on its own.
    send(&mut ws, enter_frame(&server, limit, "extra", 5)).await;
    let closed = loop {
        let frame = next(&mut ws).await;
        if frame["type"] == "closed" {
            break frame;
        }
    };
    assert_eq!(
        (closed["sub"].clone(), closed["code"].clone()),
        (json!(limit), json!(1008))
    );
    assert_eq!(members(&server, 5).await.len(), limit as usize);
    // Channel 0 still answers.
    send(&mut ws, json!({"id": 2, "type": "exit"})).await;
    loop {
        let frame = next(&mut ws).await;
        if frame["type"] == "response" && frame.get("sub").is_none() {
            assert_eq!(frame["result"]["ok"]["type"], "exited", "{frame}");
            break;
        }
    }
    server.close().await;
}

/// Custom messages get no answer, so a burst of them is not a flood as long as it keeps to
/// the server's per-second limit, however high the server set it.
#[tokio::test]
async fn a_burst_of_messages_within_a_raised_limit_is_not_a_flood() {
    const BURST: u32 = 1000;
    let server = openroom_server::start(ServerConfig {
        custom_limits: openroom_protocol::custom::RateLimits {
            messages_per_second: BURST,
            bytes_per_second: 1_000_000,
        },
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap();
    let mut receiver = connect(&server).await;
    send(&mut receiver, enter_frame(&server, 0, "bob", 5)).await;
    assert_eq!(next(&mut receiver).await["result"]["ok"]["type"], "entered");
    let mut sender = connect(&server).await;
    send(&mut sender, enter_frame(&server, 0, "alice", 5)).await;
    assert_eq!(next(&mut sender).await["result"]["ok"]["type"], "entered");
    assert_eq!(next(&mut receiver).await["event"]["type"], "memberEntered");
    for seq in 1..=BURST {
        sender
            .feed(Message::text(
                json!({"id": 1 + seq, "type": "message", "cmdId": 1, "seq": seq,
                       "data": "aGk=", "reliable": true, "ordered": true})
                .to_string(),
            ))
            .await
            .unwrap();
    }
    sender.flush().await.unwrap();
    for seq in 1..=BURST {
        let frame = next(&mut receiver).await;
        assert_eq!(frame["event"]["seq"], seq, "{frame}");
    }
    // The sender was answered nothing but which messages were taken: no refusal, no closed
    // channel.
    while let Some(frame) = next_within(&mut sender, Duration::from_millis(200)).await {
        assert_eq!(frame["type"], "messagesTaken", "{frame}");
    }
    assert_eq!(members(&server, 5).await.len(), 2);
    server.close().await;
}
