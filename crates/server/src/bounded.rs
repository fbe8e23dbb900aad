//! Waiting on a write that may never finish: the socket of a client that stopped reading, or
//! the queue in front of it. Most writes finish at once, so each is tried once before a timer
//! and a wait on the shutdown token are set up: on every frame of a fan-out those two cost
//! more than the write (`perf` in the enter storm: about a tenth of the server's CPU).

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

/// How a bounded wait ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Bounded<T> {
    Done(T),
    /// Not done within the limit.
    TimedOut,
    /// The server is shutting down; the write was not made, or not waited for.
    Shutdown,
}

/// Run `io` until it finishes, `limit` passes or `shutdown` is cancelled. After shutdown
/// nothing is started.
pub async fn within<F: Future>(
    io: F,
    limit: Duration,
    shutdown: &CancellationToken,
) -> Bounded<F::Output> {
    if shutdown.is_cancelled() {
        return Bounded::Shutdown;
    }
    let mut io = pin!(io);
    if let Poll::Ready(output) = poll_fn(|cx| Poll::Ready(io.as_mut().poll(cx))).await {
        return Bounded::Done(output);
    }
    tokio::select! {
        biased;
        _ = shutdown.cancelled() => Bounded::Shutdown,
        output = timeout(limit, io) => output.map_or(Bounded::TimedOut, Bounded::Done),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_ready_write_is_done_a_stuck_one_times_out_and_shutdown_stops_both() {
        let shutdown = CancellationToken::new();
        let limit = Duration::from_secs(5);
        assert_eq!(
            within(async { 7 }, limit, &shutdown).await,
            Bounded::Done(7)
        );
        let stuck = std::future::pending::<()>();
        assert_eq!(within(stuck, limit, &shutdown).await, Bounded::TimedOut);

        let waiting = tokio::spawn({
            let shutdown = shutdown.clone();
            async move { within(std::future::pending::<()>(), limit, &shutdown).await }
        });
        tokio::task::yield_now().await;
        shutdown.cancel();
        assert_eq!(waiting.await.ok(), Some(Bounded::Shutdown));
        assert_eq!(
            within(async { 7 }, limit, &shutdown).await,
            Bounded::Shutdown
        );
    }
}
