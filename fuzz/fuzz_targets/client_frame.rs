//! What a server reads from a client: any text is a request or a refusal, any ping payload a
//! list of acknowledgements; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openroom_protocol::channel::{acknowledgements, ChannelTag};
use openroom_protocol::ClientFrame;

fuzz_target!(|data: &[u8]| {
    let _ = acknowledgements(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = ChannelTag::of(text);
    if let Ok(frame) = serde_json::from_str::<ClientFrame>(text) {
        let _ = frame.request.changes_state();
        let again = serde_json::to_string(&frame).unwrap();
        assert_eq!(serde_json::from_str::<ClientFrame>(&again).unwrap(), frame);
    }
});
