//! The REST fuzzer's corpus (`fuzz/corpus/rest_body`), replayed on stable in every test run:
//! every body the fuzzer kept, for every action, is a typed request or a refusal.

use std::path::PathBuf;

use openroom_server::testing::{parse, Action};
use openroom_server::RoomLimits;

#[test]
fn rest_bodies_of_the_corpus_are_parsed_or_refused() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/rest_body");
    let mut parsed = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let body = std::fs::read(entry.unwrap().path()).unwrap();
        for (_, action) in Action::ALL {
            parsed +=
                usize::from(parse(action, &body, 1_400_000_001, &RoomLimits::default()).is_ok());
        }
    }
    // The seeds include a valid body for several actions.
    assert!(parsed > 0);
}
