//! `wss://` end to end: a server with a certificate from a CA made for the test, and clients
//! that trust it through the `tls_ca` setting, that do not, and that reach it by a name the
//! certificate does not list. A refused certificate is a failed enter (-3301) whose message
//! says what was wrong.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{params, Recorder};
use openroom_client::{ClientConfig, Event};
use openroom_server::{ServerConfig, TlsIdentity};
use openroom_testkit::TestCa;

const WAIT: Duration = Duration::from_secs(5);

async fn tls_server(ca: &TestCa) -> openroom_server::RunningServer {
    let identity = ca.server(&["localhost"]);
    openroom_server::start(ServerConfig {
        tls: Some(TlsIdentity {
            cert_pem: Arc::from(identity.cert_pem.as_bytes()),
            key_pem: Arc::from(identity.key_pem.as_bytes()),
        }),
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap()
}

fn client(url: String, ca: Option<&TestCa>) -> Recorder {
    Recorder::new(
        ClientConfig {
            server_url: url,
            tls_ca: ca.map(|ca| Arc::from(ca.ca_pem.as_bytes())),
            ..ClientConfig::default()
        },
        WAIT,
    )
}

/// The failed enter's code and message.
async fn refusal(recorder: &mut Recorder) -> (i64, String) {
    match recorder.next().await {
        Event::EnterRoom { result, message } => (result, message),
        other => panic!("expected onEnterRoom, got {other:?}"),
    }
}

#[tokio::test]
async fn a_client_that_trusts_the_servers_ca_enters_over_wss() {
    let ca = TestCa::new("OpenRoom test CA");
    let server = tls_server(&ca).await;
    assert!(server.url().starts_with("wss://"), "{}", server.url());
    let url = format!("wss://localhost:{}", server.local_addr().port());
    let mut alice = client(url.clone(), Some(&ca));
    let mut bob = client(url.replace("wss://", "https://"), Some(&ca));
    alice.enter(&params(server.config(), "alice", 7), 0).await;
    bob.enter(&params(server.config(), "bob", 7), 0).await;
    assert_eq!(alice.next().await, common::entered("bob"));
    server.close().await;
}

#[tokio::test]
async fn a_certificate_from_an_unknown_ca_is_refused_with_what_was_wrong() {
    let ca = TestCa::new("OpenRoom test CA");
    let server = tls_server(&ca).await;
    let url = format!("wss://localhost:{}", server.local_addr().port());
    // Trusts another CA (and the system's): the server's is unknown to it.
    let stranger = TestCa::new("another CA");
    let mut eve = client(url, Some(&stranger));
    eve.start_enter(&params(server.config(), "eve", 7), 0)
        .unwrap();
    let (code, message) = refusal(&mut eve).await;
    assert_eq!(code, -3301);
    assert!(message.contains("unknown issuer"), "{message}");
    assert!(message.contains("tls.ca"), "{message}");
    server.close().await;
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused() {
    let ca = TestCa::new("OpenRoom test CA");
    let server = tls_server(&ca).await;
    // The certificate names localhost, not 127.0.0.1.
    let url = format!("wss://127.0.0.1:{}", server.local_addr().port());
    let mut eve = client(url, Some(&ca));
    eve.start_enter(&params(server.config(), "eve", 7), 0)
        .unwrap();
    let (code, message) = refusal(&mut eve).await;
    assert_eq!(code, -3301);
    assert!(
        message.contains("not valid for this host name"),
        "{message}"
    );
    server.close().await;
}

#[tokio::test]
async fn a_plain_client_cannot_speak_to_a_tls_server() {
    let ca = TestCa::new("OpenRoom test CA");
    let server = tls_server(&ca).await;
    let url = format!("ws://localhost:{}", server.local_addr().port());
    let mut eve = client(url, Some(&ca));
    eve.start_enter(&params(server.config(), "eve", 7), 0)
        .unwrap();
    let (code, _) = refusal(&mut eve).await;
    assert_eq!(code, -3301);
    server.close().await;
}

/// A certificate failure is final: reconnecting to a server whose certificate is no longer
/// trusted gives up at the first attempt instead of trying again and again.
#[tokio::test]
async fn reconnection_stops_at_a_refused_certificate() {
    let ca = TestCa::new("OpenRoom test CA");
    let first = tls_server(&ca).await;
    let addr = first.local_addr();
    let url = format!("wss://localhost:{}", addr.port());
    let mut alice = Recorder::new(
        ClientConfig {
            server_url: url,
            tls_ca: Some(Arc::from(ca.ca_pem.as_bytes())),
            reconnect: openroom_client::ReconnectPolicy {
                attempts: 200,
                interval: Duration::from_millis(20),
                max_interval: Duration::from_millis(50),
            },
            ..ClientConfig::default()
        },
        WAIT,
    );
    alice.enter(&params(first.config(), "alice", 8), 0).await;
    first.close().await;
    // The same address, now with a certificate from a CA alice does not trust.
    let stranger = TestCa::new("another CA");
    let identity = stranger.server(&["localhost"]);
    let second = openroom_server::start(ServerConfig {
        listen: addr,
        tls: Some(TlsIdentity {
            cert_pem: Arc::from(identity.cert_pem.as_bytes()),
            key_pem: Arc::from(identity.key_pem.as_bytes()),
        }),
        ..ServerConfig::dev_ephemeral()
    })
    .await
    .unwrap();
    let mut attempts = 0;
    let refusal = loop {
        match alice.next().await {
            Event::ConnectionLost { .. } => {}
            Event::TryToReconnect { .. } => attempts += 1,
            Event::Error { code, message } => break (code, message),
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(refusal.0, -3301);
    assert!(refusal.1.contains("unknown issuer"), "{}", refusal.1);
    assert_eq!(
        alice.next().await,
        common::exit(openroom_protocol::ExitReason::Exited)
    );
    // The first attempt may have met the closed port; the refused certificate ended it.
    assert!(attempts <= 2, "{attempts} attempts");
    second.close().await;
}
