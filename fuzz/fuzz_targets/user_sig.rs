//! A UserSig from anyone: base64, zlib and JSON decoded within their bounds, and checked;
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openroom_protocol::usersig::verify_user_sig;

fuzz_target!(|data: &[u8]| {
    let Ok(sig) = std::str::from_utf8(data) else {
        return;
    };
    let _ = verify_user_sig(sig, 1_400_000_001, "fuzz-secret", "alice", 1_800_000_000);
});
