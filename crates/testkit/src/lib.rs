//! Tools for OpenRoom's own tests.
//!
//! [`FaultProxy`] sits between clients and the server on loopback and breaks the connection
//! on command: pass traffic, blackhole it (a peer that vanished without closing), stall it (a
//! peer that froze and reads nothing), close every connection (a reset), or delay it. It also
//! records what each client sent, as a relay that reads the traffic would, for replay tests.
//! [`TestCa`] makes a throwaway certificate authority for TLS tests.

mod ca;

pub use ca::{ServerIdentity, TestCa};

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What the proxy does with traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward every byte.
    Pass,
    /// Read and drop every byte, both ways, and pass on no close either: to each side the
    /// other has gone silent, as when a machine vanishes from the network.
    Blackhole,
    /// Close every connection now and refuse new ones until the mode changes.
    Close,
    /// Forward every byte after this delay.
    Delay(Duration),
    /// Read nothing more, either way, and keep every connection open: to each side the other
    /// has frozen (a process stopped with SIGSTOP), and what it writes piles up in the
    /// kernel's buffers until its writes block.
    Stall,
}

/// A TCP proxy on 127.0.0.1 in front of `upstream`. Dropping it stops it and closes every
/// connection it carries.
pub struct FaultProxy {
    addr: SocketAddr,
    mode: watch::Sender<Fault>,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
    /// Connections carried to the server so far.
    carried: Arc<std::sync::atomic::AtomicUsize>,
    /// What each carried connection's client sent, in the order they were accepted.
    recorded: Arc<Mutex<Vec<Recording>>>,
}

/// The bytes one client sent through the proxy, the first [`RECORDED_BYTES`] of them.
type Recording = Arc<Mutex<Vec<u8>>>;

/// Bytes of each connection the proxy records.
pub const RECORDED_BYTES: usize = 64 * 1024;

impl FaultProxy {
    pub async fn start(upstream: SocketAddr) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (mode, watcher) = watch::channel(Fault::Pass);
        let tasks: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let accept_tasks = tasks.clone();
        let carried = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = carried.clone();
        let recorded: Arc<Mutex<Vec<Recording>>> = Arc::default();
        let recordings = recorded.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if *watcher.borrow() == Fault::Close {
                    continue; // dropped: refused
                }
                let Ok(server) = TcpStream::connect(upstream).await else {
                    continue;
                };
                counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                let recording = Recording::default();
                recordings
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(recording.clone());
                let mut tasks = accept_tasks.lock().unwrap_or_else(|p| p.into_inner());
                tasks.retain(|task| !task.is_finished());
                tasks.push(tokio::spawn(pipe(
                    client_read,
                    server_write,
                    watcher.clone(),
                    Some(recording),
                )));
                tasks.push(tokio::spawn(pipe(
                    server_read,
                    client_write,
                    watcher.clone(),
                    None,
                )));
            }
        });
        Ok(FaultProxy {
            addr,
            mode,
            tasks,
            accept,
            carried,
            recorded,
        })
    }

    /// What the client of each connection carried so far sent (up to [`RECORDED_BYTES`]),
    /// oldest connection first: the WebSocket upgrade, then its frames as on the wire.
    pub fn recorded(&self) -> Vec<Vec<u8>> {
        let recorded = self.recorded.lock().unwrap_or_else(|p| p.into_inner());
        recorded
            .iter()
            .map(|bytes| bytes.lock().unwrap_or_else(|p| p.into_inner()).clone())
            .collect()
    }

    /// The address clients connect to instead of the server's.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `ws://` URL of the proxy, for a client's serverUrl.
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// How many connections the proxy has carried to the server so far.
    pub fn connections(&self) -> usize {
        self.carried.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn set(&self, fault: Fault) {
        self.mode.send_replace(fault);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
        for task in self
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            task.abort();
        }
    }
}

/// Copy one direction, applying the current fault to each chunk.
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut mode: watch::Receiver<Fault>,
    recording: Option<Recording>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        // Stalled: read nothing until the mode changes.
        while *mode.borrow() == Fault::Stall {
            if mode.changed().await.is_err() {
                return;
            }
        }
        let read = tokio::select! {
            read = from.read(&mut buffer) => read,
            changed = mode.changed() => {
                if changed.is_err() || *mode.borrow() == Fault::Close {
                    return; // dropping both halves closes the connection
                }
                continue;
            }
        };
        let n = match read {
            Ok(0) | Err(_) => {
                // A vanished peer sends nothing, not even a FIN: while blackholed, keep the
                // other side open until the mode changes.
                while *mode.borrow() == Fault::Blackhole {
                    if mode.changed().await.is_err() {
                        break;
                    }
                }
                return;
            }
            Ok(n) => n,
        };
        if let Some(recording) = &recording {
            let mut bytes = recording.lock().unwrap_or_else(|p| p.into_inner());
            let room = RECORDED_BYTES.saturating_sub(bytes.len()).min(n);
            bytes.extend_from_slice(&buffer[..room]);
        }
        let fault = *mode.borrow();
        match fault {
            // A chunk read just as the stall began is still delivered, as a frozen peer's
            // kernel would have taken it.
            Fault::Pass | Fault::Stall => {}
            Fault::Blackhole => continue,
            Fault::Close => return,
            Fault::Delay(delay) => tokio::time::sleep(delay).await,
        }
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}
