//! A room event as the members' queues carry it: serialized once for all of them.
//!
//! A custom message in a room of 500 is 499 deliveries. Cloning the event for each member,
//! serializing it in each session and copying the frame into each replay buffer made three
//! allocations and a serialization per delivery; now the room serializes once, each queue and
//! replay buffer holds a reference, and a session only wraps the shared JSON in its frame
//! (the one part that differs per member: the sequence number).

use std::fmt::Write;
use std::sync::Arc;

use openroom_protocol::RoomEvent;

/// The JSON of one [`RoomEvent`], shared. Cloning is a reference count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedEvent(Arc<str>);

impl SharedEvent {
    pub fn new(event: &RoomEvent) -> SharedEvent {
        let json = serde_json::to_string(event).expect("room events always serialize");
        SharedEvent(json.into())
    }

    /// The frame that delivers it as event number `seq`: the wire form of
    /// [`openroom_protocol::ServerFrame::Event`], with `"type"` first as every frame has it.
    pub fn frame(&self, seq: u64) -> String {
        const HEAD: &str = r#"{"type":"event","seq":"#;
        const SEQ_DIGITS: usize = 20;
        const EVENT: &str = r#","event":"#;
        let capacity = HEAD.len() + SEQ_DIGITS + EVENT.len() + self.0.len() + 1;
        let mut frame = String::with_capacity(capacity);
        frame.push_str(HEAD);
        let _ = write!(frame, "{seq}");
        frame.push_str(EVENT);
        frame.push_str(&self.0);
        frame.push('}');
        frame
    }

    /// The event again, parsed from its JSON (for tests and diagnostics: the server itself
    /// only sends it on).
    pub fn decode(&self) -> RoomEvent {
        serde_json::from_str(&self.0).expect("made from a RoomEvent")
    }

    /// Bytes of the JSON (what a replay buffer accounts for).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<RoomEvent> for SharedEvent {
    fn from(event: RoomEvent) -> Self {
        SharedEvent::new(&event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openroom_protocol::{channel, LeaveReason, ServerFrame, UserId};

    #[test]
    fn frames_are_what_the_protocol_serializes() {
        let user_id = UserId::parse("alice").unwrap();
        let events = [
            RoomEvent::MemberLeft {
                user_id: user_id.clone(),
                reason: LeaveReason::Exited,
            },
            RoomEvent::CustomMessage {
                user_id,
                cmd_id: 3,
                seq: 7,
                data: "aGk=\"\\".into(),
            },
        ];
        for event in events {
            for seq in [0, 1, u64::MAX] {
                let frame = SharedEvent::new(&event).frame(seq);
                let expected = ServerFrame::Event {
                    seq,
                    event: event.clone(),
                };
                assert_eq!(frame, serde_json::to_string(&expected).unwrap());
                assert_eq!(SharedEvent::new(&event).decode(), event);
                // Clients route it without parsing it.
                assert_eq!(channel::ordinary_frame_channel(&frame), Some(0));
            }
        }
    }
}
