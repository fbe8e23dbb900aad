//! Starting and stopping the server. Shutdown is one [`CancellationToken`]: the accept loop
//! stops taking connections, every session says goodbye to its client and leaves its room,
//! and [`RunningServer::close`] returns once every session and room task has finished.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use openroom_protocol::SIGNALING_PATH;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::admin::{self, ApiError};
use crate::channels;
use crate::config::{
    ConfigError, ServerConfig, MAX_CLIENT_FRAME_BYTES, SOCKET_READ_BUFFER_BYTES,
    SOCKET_WRITE_BURST_BYTES,
};
use crate::listener;
use crate::registry::Registry;
use crate::signaling::SessionContext;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
}

/// A server that is accepting connections. Dropping it does not stop it: call [`close`].
///
/// [`close`]: RunningServer::close
pub struct RunningServer {
    local_addr: SocketAddr,
    config: Arc<ServerConfig>,
    registry: Registry,
    shutdown: CancellationToken,
    tasks: TaskTracker,
    accept_loop: JoinHandle<()>,
}

/// Check the config, bind the listener and start serving. Returns once the port is open.
pub async fn start(config: ServerConfig) -> Result<RunningServer, StartError> {
    config.validate()?;
    raise_open_files_limit();
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.listen,
            source,
        })?;
    let local_addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.listen,
        source,
    })?;
    let config = Arc::new(config);
    let tasks = TaskTracker::new();
    let shutdown = CancellationToken::new();
    let registry = Registry::new(tasks.clone(), config.limits, shutdown.clone());
    let ctx = SessionContext {
        config: config.clone(),
        registry: registry.clone(),
        shutdown: shutdown.clone(),
        sessions: Default::default(),
    };
    let app = Router::new()
        .route(SIGNALING_PATH, get(upgrade))
        .merge(admin::router())
        .fallback(|uri: Uri| async move { ApiError::unknown_action(uri.path()) })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .with_state(ctx);

    let tls = config
        .tls
        .as_ref()
        .map(|identity| identity.acceptor())
        .transpose()?;
    let accept_loop = tokio::spawn(listener::serve(
        listener,
        tls,
        app,
        config.peers,
        shutdown.clone(),
        tasks.clone(),
    ));
    tracing::info!(%local_addr, sdk_app_id = config.sdk_app_id, dev_mode = config.dev_mode, "openroom-server listening");
    Ok(RunningServer {
        local_addr,
        config,
        registry,
        shutdown,
        tasks,
        accept_loop,
    })
}

/// Raise this process's soft limit on open files to its hard limit, once (Go does the same at
/// start): each connection is a file, and the common soft limit of 1,024 would turn clients
/// away long before the machine is busy. Logs the figure the server runs with.
fn raise_open_files_limit() {
    static RAISED: std::sync::Once = std::sync::Once::new();
    RAISED.call_once(|| {
        #[cfg(unix)]
        match rlimit::increase_nofile_limit(u64::MAX) {
            Ok(limit) => tracing::info!(open_files = limit, "open-files limit"),
            Err(error) => tracing::warn!(%error, "cannot raise the open-files limit"),
        }
    });
}

async fn upgrade(
    upgrade: WebSocketUpgrade,
    State(ctx): State<SessionContext>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    // Counted among the tasks shutdown waits for from now, not from when the upgrade
    // completes: a client that connects just before a shutdown still gets its close frame.
    let pending = ctx.registry.tasks().token();
    upgrade
        // A small read buffer: tungstenite's default (128 KiB, allocated up front) costs far
        // more than an idle member needs for frames of a few hundred bytes. The write buffer
        // is allocated as frames are written, and the router flushes it after each burst, so
        // it holds one burst; the threshold only caps how much of a burst waits for the flush.
        .read_buffer_size(SOCKET_READ_BUFFER_BYTES)
        .write_buffer_size(SOCKET_WRITE_BURST_BYTES)
        // What a peer that never reads can make the server hold: once full, tungstenite keeps
        // one answer to its pings instead of one per ping, and writing a frame fails.
        .max_write_buffer_size(ctx.config.socket_write_cap())
        .max_message_size(MAX_CLIENT_FRAME_BYTES)
        .max_frame_size(MAX_CLIENT_FRAME_BYTES)
        // The future itself, not one wrapping it: an async block would keep the socket it
        // moved on as well, half a KiB more per connection.
        .on_upgrade(move |socket| channels::run(socket, ctx, peer, pending))
        .into_response()
}

impl RunningServer {
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// The base URL clients connect to, e.g. `ws://127.0.0.1:7788`, or `wss://…` when the
    /// server speaks TLS.
    pub fn url(&self) -> String {
        let scheme = if self.config.tls.is_some() {
            "wss"
        } else {
            "ws"
        };
        format!("{scheme}://{}", self.local_addr)
    }

    /// The open rooms, for an embedding program that manages them directly (the REST admin
    /// API does the same over HTTP).
    pub fn rooms(&self) -> &Registry {
        &self.registry
    }

    /// A token that stops the server when cancelled (e.g. on Ctrl-C); [`close`] awaits the end.
    ///
    /// [`close`]: RunningServer::close
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Stop accepting, close every session (clients get WebSocket close 1001), and wait until
    /// every session and room has finished — for at most the configured shutdown grace: a peer
    /// that holds a half-sent HTTP request cannot keep the server from stopping.
    pub async fn close(self) {
        self.shutdown.cancel();
        let accept_loop = self.accept_loop.abort_handle();
        let tasks = self.tasks.clone();
        let grace = self.config.shutdown_grace;
        let drained = timeout(grace, async {
            let _ = self.accept_loop.await;
            tasks.close();
            tasks.wait().await;
        })
        .await;
        if drained.is_err() {
            // Dropping the accept loop closes the listener; connections that never finished
            // their HTTP request are abandoned.
            accept_loop.abort();
            tracing::warn!(
                grace_ms = grace.as_millis() as u64,
                "some connections did not finish in time; abandoned"
            );
        }
        tracing::info!(addr = %self.local_addr, "openroom-server stopped");
    }
}
