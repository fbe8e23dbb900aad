//! A socket whose writes have a deadline. hyper has a timer for reading a request's headers
//! but none for writing: a client that sends requests and never reads the answers (pipelined,
//! with a small receive window) would hold its connection, and its file, forever. Every write
//! to a peer, HTTP or (after the upgrade) WebSocket, that makes no progress for the write
//! timeout fails with `TimedOut`, which ends the connection.
//!
//! The timer exists only while a write waits: an idle connection costs nothing for it.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{sleep, Sleep};

pub(crate) struct WriteDeadline<S> {
    inner: S,
    limit: Duration,
    /// Armed when a write first waits; gone once one makes progress.
    waiting: Option<Pin<Box<Sleep>>>,
}

impl<S> WriteDeadline<S> {
    pub(crate) fn new(inner: S, limit: Duration) -> Self {
        WriteDeadline {
            inner,
            limit,
            waiting: None,
        }
    }

    /// A write (or flush) made no progress: wait no longer than the limit for it.
    fn still_waiting<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let limit = self.limit;
        let deadline = self.waiting.get_or_insert_with(|| Box::pin(sleep(limit)));
        ready!(deadline.as_mut().poll(cx));
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "the peer took nothing for {} ms: it has stopped reading",
                limit.as_millis()
            ),
        )))
    }

    fn progressed<T>(&mut self, outcome: io::Result<T>) -> Poll<io::Result<T>> {
        self.waiting = None;
        Poll::Ready(outcome)
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteDeadline<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Ready(outcome) => self.progressed(outcome),
            Poll::Pending => self.still_waiting(cx),
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write_vectored(cx, bufs) {
            Poll::Ready(outcome) => self.progressed(outcome),
            Poll::Pending => self.still_waiting(cx),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.inner).poll_flush(cx) {
            Poll::Ready(outcome) => self.progressed(outcome),
            Poll::Pending => self.still_waiting(cx),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.inner).poll_shutdown(cx) {
            Poll::Ready(outcome) => self.progressed(outcome),
            Poll::Pending => self.still_waiting(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn a_write_that_waits_past_the_limit_fails_and_one_that_progresses_does_not() {
        // A pipe whose reader never reads: once its 64 bytes are full, writes wait.
        let (writer, mut reader) = tokio::io::duplex(64);
        let mut writer = WriteDeadline::new(writer, Duration::from_millis(100));
        writer.write_all(&[0; 64]).await.unwrap();
        let started = std::time::Instant::now();
        let error = writer.write_all(&[0; 1]).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(100));
        // Reading makes room: the next write goes through, and the timer starts afresh.
        let mut sink = [0u8; 64];
        tokio::io::AsyncReadExt::read(&mut reader, &mut sink)
            .await
            .unwrap();
        writer.write_all(&[0; 10]).await.unwrap();
    }
}
