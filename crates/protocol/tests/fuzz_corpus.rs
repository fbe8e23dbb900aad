//! The fuzzers' corpus (`fuzz/corpus/`), replayed on stable in every test run: each input
//! the fuzzers kept, through the same decoders, must neither panic nor read back differently.
//! The fuzzers themselves (`cargo +nightly fuzz run <target>`) grow the corpus.

use std::path::PathBuf;

use openroom_protocol::channel::{acknowledgements, ordinary_frame_channel, ChannelTag};
use openroom_protocol::usersig::verify_user_sig;
use openroom_protocol::{ClientFrame, ServerFrame};

/// Every input of one target's corpus.
fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let inputs: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .collect();
    assert!(!inputs.is_empty(), "{} is empty", dir.display());
    inputs
}

#[test]
fn server_frames_of_the_corpus_read_back_the_same() {
    for input in corpus("server_frame") {
        let Ok(text) = std::str::from_utf8(&input) else {
            continue;
        };
        let _ = ordinary_frame_channel(text);
        let _ = ChannelTag::of(text);
        if let Ok(frame) = ServerFrame::from_json(text) {
            let again = serde_json::to_string(&frame).unwrap();
            assert_eq!(ServerFrame::from_json(&again).unwrap(), frame, "{text}");
        }
    }
}

#[test]
fn client_frames_of_the_corpus_read_back_the_same() {
    for input in corpus("client_frame") {
        let _ = acknowledgements(&input);
        let Ok(text) = std::str::from_utf8(&input) else {
            continue;
        };
        let _ = ChannelTag::of(text);
        if let Ok(frame) = serde_json::from_str::<ClientFrame>(text) {
            let again = serde_json::to_string(&frame).unwrap();
            assert_eq!(
                serde_json::from_str::<ClientFrame>(&again).unwrap(),
                frame,
                "{text}"
            );
        }
    }
}

#[test]
fn user_sigs_of_the_corpus_are_checked_without_a_panic() {
    for input in corpus("user_sig") {
        if let Ok(sig) = std::str::from_utf8(&input) {
            let _ = verify_user_sig(sig, 1_400_000_001, "fuzz-secret", "alice", 1_800_000_000);
        }
    }
}
