//! The load tester against a real server on loopback: the counts it reports are the counts
//! that happened, and a failure shows in its errors and exit status.

use std::process::Output;
use std::time::Duration;

use openroom_server::{RunningServer, ServerConfig};
use serde_json::Value;

const LOADTEST: &str = env!("CARGO_BIN_EXE_openroom-loadtest");

async fn server() -> RunningServer {
    openroom_server::start(ServerConfig::dev_ephemeral())
        .await
        .unwrap()
}

/// Run the binary (off the runtime: the server lives on it) with `args`, bounded in time.
async fn loadtest(args: Vec<String>) -> (Output, Value) {
    let run = tokio::task::spawn_blocking(move || {
        std::process::Command::new(LOADTEST)
            .args(&args)
            .output()
            .unwrap()
    });
    let output = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("the load test finishes within a minute")
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output, report)
}

fn args(url: &str, extra: &[&str]) -> Vec<String> {
    let pid = std::process::id().to_string();
    let mut args: Vec<String> = [
        "--url",
        url,
        "--server-pid",
        &pid,
        "--settle",
        "0.2",
        "--join-rate",
        "200",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_message_reaches_every_other_member_and_the_figures_say_so() {
    let server = server().await;
    let (output, report) = loadtest(args(
        &server.url(),
        &[
            "--rooms",
            "3",
            "--members",
            "4",
            "--hold",
            "1.5",
            "--msg-rate",
            "10",
            "--quiet",
        ],
    ))
    .await;
    assert!(output.status.success(), "{output:?}");
    assert_eq!(report["connections"], 12);
    assert_eq!(report["joined"], 12);
    assert_eq!(report["join"]["count"], 12);
    assert_eq!(report["errors"], 0, "{report}");
    let sent = report["messages_sent"].as_u64().unwrap();
    // 10 a second in each of 3 rooms for 1.5 s: about 45.
    assert!((30..=60).contains(&sent), "{report}");
    // Each message reaches the 3 others in its room, each once.
    assert_eq!(report["expected_deliveries"].as_u64(), Some(sent * 3));
    assert_eq!(report["deliveries"].as_u64(), Some(sent * 3));
    assert_eq!(report["delivery"]["count"].as_u64(), Some(sent * 3));
    assert_eq!(report["missing_deliveries"], 0);
    let p50 = report["delivery"]["p50_ms"].as_f64().unwrap();
    let max = report["delivery"]["max_ms"].as_f64().unwrap();
    assert!(p50 > 0.0 && p50 <= max, "{report}");
    // The server here is this test process: its memory was read.
    let server_cost = &report["server"];
    assert_eq!(server_cost["pid"], std::process::id());
    assert!(
        server_cost["rss_idle_kib"].as_u64().unwrap() > 0,
        "{report}"
    );
    server.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn churned_members_leave_and_enter_again_without_errors() {
    let server = server().await;
    let (output, report) = loadtest(args(
        &server.url(),
        &[
            "--rooms",
            "2",
            "--members",
            "3",
            "--hold",
            "1.5",
            "--msg-rate",
            "4",
            "--churn",
            "10",
            "--quiet",
        ],
    ))
    .await;
    assert!(output.status.success(), "{output:?}");
    let churned = report["churned"].as_u64().unwrap();
    assert!(churned >= 5, "{report}");
    // Every enter is timed: the first ones and each churned member's.
    assert_eq!(report["join"]["count"].as_u64(), Some(6 + churned));
    assert_eq!(report["errors"], 0, "{report}");
    // With churn, a loss cannot be told from a member that rightly missed a message.
    assert_eq!(report["missing_deliveries"], Value::Null);
    assert!(report["deliveries"].as_u64().unwrap() > 0);
    server.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_enters_are_errors_and_fail_the_run() {
    let server = server().await;
    let (output, report) = loadtest(args(
        &server.url(),
        &[
            "--rooms",
            "1",
            "--members",
            "2",
            "--hold",
            "0",
            "--secret-key",
            "wrong",
            "--quiet",
        ],
    ))
    .await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(report["joined"], 0);
    assert_eq!(report["errors_by_kind"]["onError"], 2, "{report}");
    let first = report["first_errors"][0].as_str().unwrap();
    assert!(
        first.contains("-100018") || first.contains("UserSig"),
        "{first}"
    );
    server.close().await;
}

#[tokio::test]
async fn bad_flags_are_refused_with_what_to_fix() {
    let (output, _) = loadtest(vec!["--rooms".into(), "0".into()]).await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--rooms"), "{stderr}");
    let (output, _) = loadtest(vec!["--join-rate=-3".into()]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("-3 is not a number above 0"));
}
