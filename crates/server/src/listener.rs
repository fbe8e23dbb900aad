//! The accept loop and each connection's HTTP/1.1, with the timers axum's `serve` leaves out:
//! a client must send its request headers within the header timeout (hyper's timer, which
//! also closes a keep-alive connection idle that long), and every write to it must make
//! progress within the write timeout ([`WriteDeadline`]), so a peer that opens sockets and
//! never finishes a request, or never reads the answers, holds nothing for long.
//!
//! When the process runs out of file descriptors, accepting fails until a connection closes:
//! the loop then waits (100 ms, doubling to 1 s) instead of spinning, logs it at most once a
//! second, and the sessions already open carry on.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use crate::config::{
    PeerLimits, TCP_KEEPALIVE_IDLE, TCP_KEEPALIVE_INTERVAL, TCP_KEEPALIVE_RETRIES,
};
use crate::log_limit::LogLimit;
use crate::write_deadline::WriteDeadline;

/// The first wait after a failed accept; doubled on each failure in a row, up to
/// [`MAX_ACCEPT_BACKOFF`].
const FIRST_ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
const MAX_ACCEPT_BACKOFF: Duration = Duration::from_secs(1);

/// Accept failures come every backoff while the limit lasts: one line a second says so.
static ACCEPT_FAILURES: LogLimit = LogLimit::per_second(1);

/// Accept connections and serve `app` on each until `shutdown`; then tell every connection
/// still on HTTP to finish (upgraded ones belong to their sessions by then).
pub(crate) async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    peers: PeerLimits,
    shutdown: CancellationToken,
    connections: TaskTracker,
) {
    let mut backoff = FIRST_ACCEPT_BACKOFF;
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((tcp, peer)) => {
                backoff = FIRST_ACCEPT_BACKOFF;
                configure(&tcp);
                connections.spawn(serve_connection(
                    tcp,
                    tls.clone(),
                    peer,
                    app.clone(),
                    peers,
                    shutdown.clone(),
                ));
            }
            // The peer gave up before we took its connection: nothing to wait for.
            Err(error) if is_connection_error(&error) => {}
            Err(error) => {
                // Out of file descriptors, most likely: take no more until some close.
                ACCEPT_FAILURES.log(|suppressed| {
                    tracing::warn!(%error, retry_ms = backoff.as_millis() as u64, suppressed, "cannot accept connections; existing sessions carry on")
                });
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(MAX_ACCEPT_BACKOFF);
            }
        }
    }
}

fn is_connection_error(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// Signaling frames are small and latency-bound: send each at once (no Nagle delay). TCP
/// keepalive finds peers that vanished without closing.
fn configure(tcp: &TcpStream) {
    if let Err(error) = tcp.set_nodelay(true) {
        tracing::debug!(%error, "cannot set TCP_NODELAY");
    }
    let keepalive = socket2::TcpKeepalive::new()
        .with_time(TCP_KEEPALIVE_IDLE)
        .with_interval(TCP_KEEPALIVE_INTERVAL);
    #[cfg(any(target_os = "linux", target_os = "macos", target_os = "freebsd"))]
    let keepalive = keepalive.with_retries(TCP_KEEPALIVE_RETRIES);
    if let Err(error) = socket2::SockRef::from(tcp).set_tcp_keepalive(&keepalive) {
        tracing::debug!(%error, "cannot set TCP keepalive");
    }
}

async fn serve_connection(
    tcp: TcpStream,
    tls: Option<TlsAcceptor>,
    peer: SocketAddr,
    app: Router,
    peers: PeerLimits,
    shutdown: CancellationToken,
) {
    let socket = WriteDeadline::new(tcp, peers.write_timeout);
    let Some(tls) = tls else {
        return serve_http(socket, peer, app, peers, shutdown).await;
    };
    // The handshake has the header timeout too: a peer that opens a socket and never finishes
    // the handshake holds it no longer than one that never finishes its request.
    let handshake = tokio::select! {
        handshake = tokio::time::timeout(peers.http_header_timeout, tls.accept(socket)) => handshake,
        _ = shutdown.cancelled() => return,
    };
    match handshake {
        Ok(Ok(stream)) => serve_http(stream, peer, app, peers, shutdown).await,
        Ok(Err(error)) => {
            tracing::debug!(%peer, %error, "TLS handshake failed; connection closed")
        }
        Err(_) => tracing::debug!(%peer, "TLS handshake not finished in time; connection closed"),
    }
}

/// HTTP/1.1 (and WebSocket upgrades) on one connection, plain or TLS.
async fn serve_http<S>(
    socket: S,
    peer: SocketAddr,
    app: Router,
    peers: PeerLimits,
    shutdown: CancellationToken,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    // Handlers learn the peer's address (for the log) the way axum's own serve tells them.
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(request)
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(peers.http_header_timeout)
        .keep_alive(true);
    let connection = http
        .serve_connection(TokioIo::new(socket), service)
        .with_upgrades();
    tokio::pin!(connection);
    let served = tokio::select! {
        served = connection.as_mut() => served,
        _ = shutdown.cancelled() => {
            // Finish the request in flight, then close; an upgrade already made is unaffected.
            connection.as_mut().graceful_shutdown();
            connection.as_mut().await
        }
    };
    if let Err(error) = served {
        if error.is_timeout() {
            tracing::debug!(%peer, "HTTP request headers not received in time; connection closed");
        } else {
            tracing::debug!(%peer, %error, "HTTP connection ended with an error");
        }
    }
}
