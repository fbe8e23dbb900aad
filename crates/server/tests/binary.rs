//! The `openroom-server` binary: dev mode warns, the port serves signaling, and SIGTERM closes
//! every session (clients get WebSocket close 1001) and exits 0.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;

/// Kills the server if the test fails before it exits, so a failing run leaves no process.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A server started from the binary, with the URL it printed and the rest of its stdout.
struct Launched {
    server: KillOnDrop,
    stdout: BufReader<std::process::ChildStdout>,
    url: String,
}

/// Start `command` (the server binary with its flags) and read the URL from its first line.
fn launch(command: &mut Command) -> Launched {
    let mut child = command
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let server = KillOnDrop(child);
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|word| word.starts_with("ws://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    Launched {
        server,
        stdout,
        url,
    }
}

#[cfg(unix)]
#[tokio::test]
async fn dev_mode_serves_and_sigterm_shuts_down_cleanly() {
    let mut launched = launch(
        Command::new(env!("CARGO_BIN_EXE_openroom-server"))
            .args(["--listen", "127.0.0.1:0"])
            .env_remove("OPENROOM_SECRET_KEY"),
    );
    let (server, url) = (&mut launched.server.0, launched.url.clone());

    let (mut socket, _) = tokio_tungstenite::connect_async(format!("{url}/ws"))
        .await
        .unwrap();
    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let close = tokio::time::timeout(Duration::from_secs(5), socket.next())
        .await
        .expect("the server closed the session");
    match close {
        Some(Ok(Message::Close(Some(frame)))) => assert_eq!(u16::from(frame.code), 1001),
        other => panic!("expected a close frame, got {other:?}"),
    }
    let exit = server.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    let mut logs = String::new();
    std::io::Read::read_to_string(&mut server.stderr.take().unwrap(), &mut logs).unwrap();
    assert!(logs.contains("DEV MODE"), "{logs}");
    assert!(logs.contains("dev sdkAppId: 1400000001"), "{logs}");
}

#[test]
fn a_bad_flag_fails_with_a_usage_message() {
    let output = Command::new(env!("CARGO_BIN_EXE_openroom-server"))
        .args(["--listen", "not-an-address"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--listen"), "{stderr}");
}

#[test]
fn a_session_timeout_out_of_range_is_refused() {
    for value in ["0", "86401", "soon"] {
        let output = Command::new(env!("CARGO_BIN_EXE_openroom-server"))
            .args(["--listen", "127.0.0.1:0", "--session-timeout", value])
            .output()
            .unwrap();
        assert!(!output.status.success(), "{value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--session-timeout"), "{stderr}");
    }
}

#[test]
fn a_secret_key_without_its_sdk_app_id_is_refused() {
    let output = Command::new(env!("CARGO_BIN_EXE_openroom-server"))
        .args(["--listen", "127.0.0.1:0", "--secret-key", "real-secret"])
        .env_remove("OPENROOM_SDK_APP_ID")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("sdkAppId") && stderr.contains("--sdk-app-id"),
        "{stderr}"
    );
}

/// The secret key never reaches the log, at the most verbose level, through any path that
/// touches it: a refused UserSig, an accepted one, a refused and an accepted REST call.
#[cfg(unix)]
#[tokio::test]
async fn the_secret_key_never_appears_in_the_log() {
    use futures_util::SinkExt;
    const SECRET: &str = "s3cret-that-must-not-be-logged-9f2c";
    const APP: u32 = 1400055555;
    let mut launched = launch(
        Command::new(env!("CARGO_BIN_EXE_openroom-server"))
            .args(["--listen", "127.0.0.1:0", "--sdk-app-id", &APP.to_string()])
            .env("OPENROOM_SECRET_KEY", SECRET)
            .env("OPENROOM_LOG", "trace"),
    );
    let (server, url, stdout) = (
        &mut launched.server.0,
        launched.url.clone(),
        &mut launched.stdout,
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let sig = |user: &str, key: &str| {
        openroom_protocol::usersig::gen_user_sig(APP.into(), key, user, 600, now)
    };

    let (mut socket, _) = tokio_tungstenite::connect_async(format!("{url}/ws"))
        .await
        .unwrap();
    for (id, user_sig) in [(1, sig("eve", "guessed")), (2, sig("ann", SECRET))] {
        let enter = serde_json::json!({"id": id, "type": "enter", "protocol": openroom_protocol::PROTOCOL_VERSION,
            "sdkAppId": APP, "userId": if id == 1 { "eve" } else { "ann" }, "userSig": user_sig,
            "room": {"roomId": 5}, "role": 20, "scene": 0});
        socket.send(Message::text(enter.to_string())).await.unwrap();
        let answer = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("an answer");
        assert!(matches!(answer, Some(Ok(Message::Text(_)))), "{answer:?}");
    }
    let address = url.trim_start_matches("ws://").to_owned();
    for (authorization, expected) in [
        (sig("administrator", "guessed"), "401"),
        (sig("administrator", SECRET), "200"),
    ] {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let body = format!("{{\"SdkAppId\":{APP}}}");
        let request = format!(
            "POST /v1/ListRooms HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
             Authorization: Bearer {authorization}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let mut tcp = tokio::net::TcpStream::connect(&address).await.unwrap();
        tcp.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut answer))
            .await
            .expect("an answer")
            .unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {expected}")),
            "{answer}"
        );
    }
    drop(socket);
    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    server.wait().unwrap();
    let mut logs = String::new();
    std::io::Read::read_to_string(&mut server.stderr.take().unwrap(), &mut logs).unwrap();
    std::io::Read::read_to_string(stdout.get_mut(), &mut logs).unwrap();
    // The log was the verbose one, and saw the refusal.
    assert!(logs.contains("TRACE") || logs.contains("DEBUG"), "{logs}");
    assert!(logs.to_lowercase().contains("sig"), "{logs}");
    assert!(
        !logs.contains(SECRET),
        "the secret key is in the log:\n{logs}"
    );
}
