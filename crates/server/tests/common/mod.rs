//! What the server tests that speak the wire protocol frame by frame share: a raw WebSocket
//! client, signed enter frames, and a room's members.
// Each test file uses its own part of this.
#![allow(dead_code)]

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use openroom_protocol::usersig::gen_user_sig;
use openroom_protocol::{RoomId, UserId};
use openroom_server::RunningServer;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Longest a frame may take on loopback before the test fails.
pub const WAIT: Duration = Duration::from_secs(5);

pub async fn connect(server: &RunningServer) -> Ws {
    let url = format!("{}/ws", server.url());
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

pub async fn send(ws: &mut Ws, frame: Value) {
    ws.send(Message::text(frame.to_string())).await.unwrap();
}

/// The next text frame, as JSON; None when nothing arrives within `wait` or the socket closes.
pub async fn next_within(ws: &mut Ws, wait: Duration) -> Option<Value> {
    loop {
        match timeout(wait, ws.next()).await.ok()?? {
            Ok(Message::Text(text)) => return serde_json::from_str(text.as_str()).ok(),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
}

pub async fn next(ws: &mut Ws) -> Value {
    next_within(ws, WAIT).await.expect("a frame")
}

/// A UserSig for `user`, valid for ten minutes.
pub fn user_sig(server: &RunningServer, user: &str) -> String {
    let config = server.config();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    gen_user_sig(config.sdk_app_id.into(), &config.secret_key, user, 600, now)
}

/// An enter request (id 1) on channel `sub`.
pub fn enter_frame(server: &RunningServer, sub: u32, user: &str, room: u32) -> Value {
    json!({"sub": sub, "id": 1, "type": "enter", "protocol": openroom_protocol::PROTOCOL_VERSION,
           "sdkAppId": server.config().sdk_app_id, "userId": user,
           "userSig": user_sig(server, user), "room": {"roomId": room}, "role": 20, "scene": 0})
}

/// The members of numeric room `room` now; none when it is not open.
pub async fn members(server: &RunningServer, room: u32) -> Vec<UserId> {
    match server.rooms().get(&RoomId::RoomId(room)) {
        Some(handle) => handle
            .describe()
            .await
            .map(|d| d.user_ids())
            .unwrap_or_default(),
        None => Vec::new(),
    }
}
