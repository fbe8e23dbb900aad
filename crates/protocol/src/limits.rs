//! The bounds both sides hold each other to: how large a frame may be, how many members a room
//! may list, and which heartbeat and rate figures a server may announce. A server refuses a
//! configuration outside them; a client clamps what a server announces into them, so a broken
//! or hostile server cannot make it ping every millisecond or queue without end.

use std::ops::RangeInclusive;
use std::time::Duration;

/// Largest frame a client may send. Real ones are under 2 KiB (a custom message of 1 KiB is
/// 1.4 KiB in base64); the bound keeps a peer from making the server parse megabytes.
pub const MAX_CLIENT_FRAME_BYTES: usize = 16 * 1024;

/// Largest frame a server may send, and the largest a client accepts: an `entered` answer
/// listing [`MAX_MEMBERS_PER_ROOM`] members and a room's worth of member data fits in it.
pub const MAX_SERVER_FRAME_BYTES: usize = 2 * 1024 * 1024;

/// Largest member data (`userData`) one member may give, in bytes of its JSON text: room for
/// a display name, an avatar URL and a few flags (Qiniu's userData, LiveKit's metadata).
pub const MAX_USER_DATA_BYTES: usize = 4096;

/// Member data a room holds for each member it may hold, on average (see
/// [`room_user_data_bytes`]): a display name and an avatar URL take ~100.
pub const ROOM_USER_DATA_BYTES_PER_MEMBER: usize = 512;

/// Member data any room may hold, at least and at most (see [`room_user_data_bytes`]).
pub const ROOM_USER_DATA_BYTES: RangeInclusive<usize> = 64 * 1024..=1024 * 1024;

/// Most member data a room of `max_members` holds, in bytes as the wire carries it (the JSON
/// text as a JSON string): [`ROOM_USER_DATA_BYTES_PER_MEMBER`] for each member it may hold,
/// within [`ROOM_USER_DATA_BYTES`]. Every entrant is sent all of it in its `entered` answer,
/// so this bounds that answer (without it, 10,000 members of 4 KiB would make a 40 MB frame),
/// and a room of the default 300 members stays within a connection's 256 KiB write buffer.
pub const fn room_user_data_bytes(max_members: usize) -> usize {
    let bytes = max_members.saturating_mul(ROOM_USER_DATA_BYTES_PER_MEMBER);
    if bytes < *ROOM_USER_DATA_BYTES.start() {
        *ROOM_USER_DATA_BYTES.start()
    } else if bytes > *ROOM_USER_DATA_BYTES.end() {
        *ROOM_USER_DATA_BYTES.end()
    } else {
        bytes
    }
}

/// Most members a room may be configured to hold. The `entered` answer lists every anchor, so
/// this bounds the largest frame a server writes.
pub const MAX_MEMBERS_PER_ROOM: usize = 10_000;

/// Most bytes one member takes in a member list besides its member data
/// (`{"userId":"<32 bytes>","audio":false,"video":false,"userData":""},`), pinned by a test.
pub const MAX_MEMBER_STATE_BYTES: usize = 96;

/// Bytes of an `entered` answer besides its member list (the frame's type, id, heartbeat,
/// resume token and limits), with room to spare.
pub const ENTERED_FRAME_OVERHEAD_BYTES: usize = 1024;

/// The largest `entered` answer for a room of `members`, their member data included.
pub const fn entered_frame_bytes(members: usize) -> usize {
    ENTERED_FRAME_OVERHEAD_BYTES + members * MAX_MEMBER_STATE_BYTES + room_user_data_bytes(members)
}

/// Session timeouts a server may use and announce. A client silent this long is dropped; the
/// lower end is what tests of reconnection use, the upper a day.
pub const SESSION_TIMEOUT: RangeInclusive<Duration> =
    Duration::from_millis(300)..=Duration::from_secs(24 * 3600);

/// Ping intervals a client uses, whatever a server announces (a third of its session
/// timeout). A server that announces 1 ms gets 100 ms: a client never floods a server with
/// pings, nor times a connection out after a few milliseconds of quiet. One that announces
/// hours gets a ping a minute, so a frozen server is noticed within two minutes (pinging
/// more often than asked costs the server nothing).
pub const PING_INTERVAL: RangeInclusive<Duration> =
    Duration::from_millis(100)..=Duration::from_secs(60);

/// Custom messages per second a server may allow one member (TRTC's is 30).
pub const CUSTOM_MESSAGES_PER_SECOND: RangeInclusive<u32> = 1..=100_000;

/// Bytes of custom messages per second a server may allow one member (TRTC's is 8 KiB).
pub const CUSTOM_BYTES_PER_SECOND: RangeInclusive<u32> = 1..=100 * 1024 * 1024;

/// `value` moved into `range`.
pub fn clamp<T: PartialOrd + Copy>(value: T, range: &RangeInclusive<T>) -> T {
    if value < *range.start() {
        *range.start()
    } else if value > *range.end() {
        *range.end()
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MemberState, Publishing, UserData, UserId};

    #[test]
    fn the_longest_member_entry_fits_its_bound() {
        let mut member = MemberState::new(
            UserId::parse(&"u".repeat(crate::ids::MAX_USER_ID_BYTES)).unwrap(),
            Publishing {
                audio: false,
                video: false,
            },
        );
        member.user_data = Some(UserData::parse("0").unwrap());
        // The comma that separates it from the next; the data's own bytes are counted apart.
        let data_bytes = member.user_data.as_ref().map_or(0, UserData::wire_bytes);
        let bytes = serde_json::to_string(&member).unwrap().len() + 1 - data_bytes;
        assert!(bytes <= MAX_MEMBER_STATE_BYTES, "{bytes}");
        assert!(entered_frame_bytes(MAX_MEMBERS_PER_ROOM) <= MAX_SERVER_FRAME_BYTES);
    }

    #[test]
    fn clamping_keeps_values_inside() {
        let range = PING_INTERVAL;
        assert_eq!(clamp(Duration::from_millis(1), &range), *range.start());
        assert_eq!(
            clamp(Duration::from_secs(10), &range),
            Duration::from_secs(10)
        );
        assert_eq!(clamp(Duration::MAX, &range), *range.end());
    }
}
