//! `RunningServer::close` finishes whatever the peers do: a half-sent HTTP request or a client
//! that floods requests and never reads cannot hold the server open.

use std::time::Duration;

use futures_util::SinkExt;
use openroom_server::ServerConfig;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

/// Far longer than the configured grace: close() must be done well within it.
const CLOSE_LIMIT: Duration = Duration::from_secs(5);

fn config() -> ServerConfig {
    ServerConfig {
        shutdown_grace: Duration::from_millis(300),
        ..ServerConfig::dev_ephemeral()
    }
}

#[tokio::test]
async fn a_half_sent_http_request_cannot_hold_shutdown() {
    let server = openroom_server::start(config()).await.unwrap();
    let mut stalled = TcpStream::connect(server.local_addr()).await.unwrap();
    stalled
        .write_all(b"GET /ws HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    timeout(CLOSE_LIMIT, server.close())
        .await
        .expect("close() returned despite the stalled request");
}

#[tokio::test]
async fn a_client_that_floods_and_never_reads_cannot_hold_shutdown() {
    let server = openroom_server::start(config()).await.unwrap();
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("{}/ws", server.url()))
        .await
        .unwrap();
    // Each bad frame earns an error response the client never reads; after enough of them the
    // server's writes to this client block.
    let flood = tokio::spawn(async move {
        for _ in 0..200_000 {
            if socket.send(Message::text("{\"id\":1}")).await.is_err() {
                break;
            }
        }
        socket
    });
    let _socket = timeout(Duration::from_secs(30), flood)
        .await
        .expect("the flood finished")
        .unwrap();
    timeout(CLOSE_LIMIT, server.close())
        .await
        .expect("close() returned despite the unread responses");
}

#[tokio::test]
async fn a_client_of_an_older_protocol_is_refused_with_both_versions_named() {
    use futures_util::StreamExt;
    let server = openroom_server::start(config()).await.unwrap();
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("{}/ws", server.url()))
        .await
        .unwrap();
    let enter = r#"{"id":1,"type":"enter","protocol":1,"sdkAppId":1,"userId":"a","userSig":"s","room":{"roomId":1},"role":20,"scene":0}"#;
    socket.send(Message::text(enter)).await.unwrap();
    let Some(Ok(Message::Text(answer))) = socket.next().await else {
        panic!("no answer")
    };
    assert!(
        answer.contains(&format!(
            "protocol version 1 is not supported; this server speaks {} to {}",
            openroom_protocol::OLDEST_PROTOCOL_VERSION,
            openroom_protocol::PROTOCOL_VERSION
        )),
        "{answer}"
    );
    server.close().await;
}

/// A version 3 client (before member data) is still served: it enters and meets the others.
#[tokio::test]
async fn a_client_of_the_previous_protocol_still_enters() {
    use futures_util::StreamExt;
    let server = openroom_server::start(config()).await.unwrap();
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("{}/ws", server.url()))
        .await
        .unwrap();
    let sig = openroom_protocol::usersig::gen_user_sig(
        server.config().sdk_app_id.into(),
        &server.config().secret_key,
        "old",
        600,
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    );
    let enter = serde_json::json!({"id": 1, "type": "enter", "protocol": 3,
        "sdkAppId": server.config().sdk_app_id, "userId": "old", "userSig": sig,
        "room": {"roomId": 1}, "role": 20, "scene": 0});
    socket.send(Message::text(enter.to_string())).await.unwrap();
    let Some(Ok(Message::Text(answer))) = socket.next().await else {
        panic!("no answer")
    };
    assert!(answer.contains(r#""type":"entered""#), "{answer}");
    server.close().await;
}
