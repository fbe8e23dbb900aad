//! Several sessions on one WebSocket (a TRTCCloud and its sub-clouds): how a frame names its
//! channel, and how a ping acknowledges each channel's events. Both ends use these, so the
//! framing is defined once.
//!
//! A frame names its channel with a `"sub"` field; channel 0 leaves it out, so a single
//! session's frames are plain. A ping's payload acknowledges events: 8 bytes (channel 0's last
//! seq) or 12 bytes per channel (channel, then last seq; big-endian).

use serde::Deserialize;

/// What the router needs of a frame: its channel, its type, and for a `closed` frame the
/// close code and reason.
#[derive(Debug, Default, Deserialize)]
pub struct ChannelTag {
    #[serde(default)]
    pub sub: u32,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub code: Option<u16>,
    #[serde(default)]
    pub reason: Option<String>,
}

impl ChannelTag {
    /// The tag of a frame; `None` when it is not JSON.
    pub fn of(text: &str) -> Option<ChannelTag> {
        serde_json::from_str(text).ok()
    }
}

/// The channel of an ordinary server frame (an event or a response), read from its first
/// bytes without parsing it: the frame in the form the server writes it, `"sub"` first when
/// present, then its `"type"`. `None` for anything else (a control frame such as `closed`, a
/// frame in another order, one that mentions `"sub"` again): read its [`ChannelTag`] in full.
///
/// Routing is a cost of every event a member receives, so it must not parse the whole frame
/// only to parse it again where it is handled.
pub fn ordinary_frame_channel(text: &str) -> Option<u32> {
    let (sub, rest) = after_channel(text)?;
    let ordinary =
        rest.starts_with("\"type\":\"event\",") || rest.starts_with("\"type\":\"response\",");
    // JSON keys come in any order: a `"sub"` further on (a key, or a string that only looks
    // like one) is left to the full parse. Inside a string a quote is escaped, so the text
    // `"sub"` is a key or a whole string.
    (ordinary && !rest.contains("\"sub\"")).then_some(sub)
}

/// A frame in the form [`tagged`] writes it, read from its start: its channel, and the text
/// after the opening brace and the `"sub"` (`"type"…` for a server frame). `None` when the
/// frame does not start that way.
pub fn after_channel(text: &str) -> Option<(u32, &str)> {
    match text.strip_prefix("{\"sub\":") {
        Some(tagged) => {
            let digits = tagged.bytes().take_while(u8::is_ascii_digit).count();
            let sub = tagged[..digits].parse().ok()?;
            Some((sub, tagged[digits..].strip_prefix(',')?))
        }
        None => Some((0, text.strip_prefix('{')?)),
    }
}

/// A frame of channel `sub` as it goes on the wire: channel 0's unchanged, others with
/// `"sub"` first (every frame is a JSON object).
pub fn tagged(sub: u32, text: String) -> String {
    if sub == 0 {
        return text;
    }
    match text.strip_prefix('{') {
        Some(rest) => format!("{{\"sub\":{sub},{rest}"),
        None => text,
    }
}

/// A ping acknowledging channel `sub`'s events up to `seq`: 8 bytes for channel 0, else 12.
pub fn ping_payload(sub: u32, seq: u64) -> Vec<u8> {
    if sub == 0 {
        return seq.to_be_bytes().to_vec();
    }
    let mut payload = sub.to_be_bytes().to_vec();
    payload.extend(seq.to_be_bytes());
    payload
}

/// The (channel, seq) pairs a ping acknowledges.
pub fn acknowledgements(payload: &[u8]) -> Vec<(u32, u64)> {
    if let Ok(seq) = <[u8; 8]>::try_from(payload) {
        return vec![(0, u64::from_be_bytes(seq))];
    }
    payload
        .chunks_exact(12)
        .map(|entry| {
            let (sub, seq) = entry.split_at(4);
            let sub = u32::from_be_bytes(sub.try_into().unwrap_or_default());
            let seq = u64::from_be_bytes(seq.try_into().unwrap_or_default());
            (sub, seq)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_tagged_with_their_channel() {
        assert_eq!(tagged(0, r#"{"type":"x"}"#.into()), r#"{"type":"x"}"#);
        assert_eq!(
            tagged(3, r#"{"type":"x"}"#.into()),
            r#"{"sub":3,"type":"x"}"#
        );
        let tag = ChannelTag::of(&tagged(3, r#"{"type":"x"}"#.into())).unwrap();
        assert_eq!((tag.sub, tag.kind.as_deref()), (3, Some("x")));
        assert!(ChannelTag::of("not json").is_none());
    }

    #[test]
    fn ordinary_frames_are_routed_from_their_first_bytes() {
        let event = r#"{"type":"event","seq":1,"event":{"type":"memberEntered","userId":"a"}}"#;
        assert_eq!(ordinary_frame_channel(event), Some(0));
        assert_eq!(ordinary_frame_channel(&tagged(7, event.into())), Some(7));
        let response = r#"{"type":"response","id":3,"result":{"ok":{"type":"exited"}}}"#;
        assert_eq!(
            ordinary_frame_channel(&tagged(4294967295, response.into())),
            Some(u32::MAX)
        );
        // What the server really writes takes the fast path.
        let written = [
            serde_json::to_string(&crate::ServerFrame::Event {
                seq: 9,
                event: crate::RoomEvent::Ejected {
                    reason: crate::ExitReason::Removed,
                },
            }),
            serde_json::to_string(&crate::ServerFrame::Response {
                id: 9,
                result: crate::messages::Outcome::Ok(crate::messages::Reply::Exited),
            }),
        ];
        for frame in written {
            let frame = frame.unwrap();
            assert_eq!(
                ordinary_frame_channel(&tagged(5, frame.clone())),
                Some(5),
                "{frame}"
            );
        }
        // Control frames and anything unusual take the full parse.
        for other in [
            r#"{"sub":3,"type":"closed","code":1008,"reason":"x"}"#,
            r#"{"type":"close","sub":3}"#,
            r#"{"code":1011,"reason":"x","sub":3,"type":"closed"}"#,
            r#"{"sub":99999999999,"type":"event"}"#,
            r#"{"sub":,"type":"event","seq":1}"#,
            r#"{"sub":3 ,"type":"event"}"#,
            r#"{"type":"event","seq":1,"sub":3}"#,
            r#"{"sub":1,"type":"event","seq":1,"sub":3}"#,
            r#"{"type":"event","seq":1,"event":{"type":"memberEntered","userId":"sub"}}"#,
            r#"{"id":1,"type":"exit"}"#,
            r#"{"typeX":"event"}"#,
            "not json",
            "",
        ] {
            assert_eq!(ordinary_frame_channel(other), None, "{other}");
        }
    }

    #[test]
    fn pings_acknowledge_one_or_several_channels() {
        assert_eq!(acknowledgements(&7u64.to_be_bytes()), [(0, 7)]);
        let mut two = Vec::new();
        for (sub, seq) in [(0u32, 5u64), (2, 9)] {
            two.extend(sub.to_be_bytes());
            two.extend(seq.to_be_bytes());
        }
        assert_eq!(acknowledgements(&two), [(0, 5), (2, 9)]);
        assert_eq!(acknowledgements(&[]), []);
        assert_eq!(acknowledgements(&[1, 2, 3]), []);
        // What a client sends is what the server reads.
        assert_eq!(acknowledgements(&ping_payload(0, 41)), [(0, 41)]);
        assert_eq!(acknowledgements(&ping_payload(5, 41)), [(5, 41)]);
    }
}
