//! A REST call's body, for every action: a typed request or a refusal naming the field;
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openroom_server::testing::{parse, Action};
use openroom_server::RoomLimits;

fuzz_target!(|data: &[u8]| {
    for (_, action) in Action::ALL {
        let _ = parse(action, data, 1_400_000_001, &RoomLimits::default());
    }
});
