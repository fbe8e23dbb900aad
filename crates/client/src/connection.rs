//! One WebSocket to the room server: send requests with fresh ids, read the server's frames.

use futures_util::{SinkExt, StreamExt};
use openroom_protocol::{ClientFrame, ClientRequest, ServerFrame, SIGNALING_PATH};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    #[error("serverUrl {0:?} is not a ws:// or http:// URL (e.g. ws://127.0.0.1:7788)")]
    BadUrl(String),
    #[error("serverUrl {0:?} uses TLS, which this build does not support yet; put the server behind ws:// on a trusted network")]
    TlsUnsupported(String),
    #[error("cannot connect to {url}: {source}")]
    Connect {
        url: String,
        source: tokio_tungstenite::tungstenite::Error,
    },
    #[error("the server closed the connection{}", .0.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())]
    Closed(Option<String>),
    #[error("connection failed: {0}")]
    Io(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("the server sent a frame this client does not understand: {0}")]
    BadFrame(String),
}

pub struct Connection {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    last_request_id: u64,
    /// When the server was last heard from (any frame, pongs included).
    last_heard: Instant,
}

/// The signaling URL for a server URL as an app gives it: `ws://host:port`, `http://host:port`,
/// or either with a path prefix (a reverse proxy); `/ws` is appended unless already there.
pub fn signaling_url(server_url: &str) -> Result<String, ConnectionError> {
    let trimmed = server_url.trim().trim_end_matches('/');
    let (scheme, rest) = trimmed
        .split_once("://")
        .ok_or_else(|| ConnectionError::BadUrl(server_url.to_owned()))?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "ws" | "http" => "ws",
        "wss" | "https" => return Err(ConnectionError::TlsUnsupported(server_url.to_owned())),
        _ => return Err(ConnectionError::BadUrl(server_url.to_owned())),
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Err(ConnectionError::BadUrl(server_url.to_owned()));
    }
    let path = if rest.ends_with(SIGNALING_PATH) {
        ""
    } else {
        SIGNALING_PATH
    };
    Ok(format!("{scheme}://{rest}{path}"))
}

/// Small buffers: tungstenite's defaults (128 KiB each way) would cost a quarter of a megabyte
/// per session for frames of a few hundred bytes.
fn socket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(SOCKET_BUFFER_BYTES)
        .write_buffer_size(0)
}

/// Read chunk size of a signaling socket; larger frames still arrive, in several reads.
const SOCKET_BUFFER_BYTES: usize = 4 * 1024;

impl Connection {
    pub async fn open(server_url: &str) -> Result<Connection, ConnectionError> {
        let url = signaling_url(server_url)?;
        // Signaling frames are small and latency-bound: send each at once (no Nagle delay).
        let (socket, _) =
            tokio_tungstenite::connect_async_with_config(url.as_str(), Some(socket_config()), true)
                .await
                .map_err(|source| ConnectionError::Connect { url, source })?;
        Ok(Connection {
            socket,
            last_request_id: 0,
            last_heard: Instant::now(),
        })
    }

    /// Send a request; returns the id its response will carry.
    pub async fn send(&mut self, request: ClientRequest) -> Result<u64, ConnectionError> {
        self.last_request_id += 1;
        let frame = ClientFrame {
            id: self.last_request_id,
            request,
        };
        let text = serde_json::to_string(&frame).expect("client frames always serialize");
        self.socket.send(Message::text(text)).await?;
        Ok(self.last_request_id)
    }

    /// Ask the server for a sign of life (a WebSocket ping; its pong counts as heard). The
    /// ping carries `last_seq`, the last room event received, as 8 big-endian bytes: the
    /// server need not keep anything older for a resume.
    pub async fn ping(&mut self, last_seq: u64) -> Result<(), ConnectionError> {
        let payload = last_seq.to_be_bytes().to_vec();
        self.socket.send(Message::Ping(payload.into())).await?;
        Ok(())
    }

    /// When the server was last heard from.
    pub fn last_heard(&self) -> Instant {
        self.last_heard
    }

    /// The next frame from the server. Cancel-safe: nothing is lost if the future is dropped.
    pub async fn next_frame(&mut self) -> Result<ServerFrame, ConnectionError> {
        loop {
            let message = self.socket.next().await;
            self.last_heard = Instant::now();
            match message {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(text.as_str())
                        .map_err(|e| ConnectionError::BadFrame(format!("{e}: {}", text.as_str())));
                }
                Some(Ok(Message::Close(frame))) => {
                    return Err(ConnectionError::Closed(
                        frame.map(|f| format!("{}: {}", u16::from(f.code), f.reason.as_str())),
                    ))
                }
                Some(Ok(_)) => continue,
                Some(Err(error)) => return Err(error.into()),
                None => return Err(ConnectionError::Closed(None)),
            }
        }
    }

    /// Close cleanly: the server then knows the departure was deliberate.
    pub async fn close(mut self) {
        let frame = CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        };
        let _ = self.socket.close(Some(frame)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signaling_url_accepts_the_forms_apps_use() {
        let ok = |url: &str| signaling_url(url).unwrap();
        assert_eq!(ok("ws://127.0.0.1:7788"), "ws://127.0.0.1:7788/ws");
        assert_eq!(ok("ws://127.0.0.1:7788/"), "ws://127.0.0.1:7788/ws");
        assert_eq!(ok("http://host:1/ws"), "ws://host:1/ws");
        assert_eq!(ok("HTTP://host/prefix/"), "ws://host/prefix/ws");
        assert!(matches!(
            signaling_url("127.0.0.1:7788"),
            Err(ConnectionError::BadUrl(_))
        ));
        assert!(matches!(
            signaling_url("ftp://x"),
            Err(ConnectionError::BadUrl(_))
        ));
        assert!(matches!(
            signaling_url("ws://"),
            Err(ConnectionError::BadUrl(_))
        ));
        assert!(matches!(
            signaling_url("wss://x"),
            Err(ConnectionError::TlsUnsupported(_))
        ));
    }
}
