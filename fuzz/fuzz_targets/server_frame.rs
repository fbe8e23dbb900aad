//! What a client reads from a server: any text, in whatever shape, is a frame, a known error,
//! or skipped; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openroom_protocol::channel::{ordinary_frame_channel, ChannelTag};
use openroom_protocol::ServerFrame;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = ordinary_frame_channel(text);
    let _ = ChannelTag::of(text);
    if let Ok(frame) = ServerFrame::from_json(text) {
        // What reads as a frame writes back as one that reads the same.
        let again = serde_json::to_string(&frame).unwrap();
        assert_eq!(ServerFrame::from_json(&again).unwrap(), frame);
    }
});
