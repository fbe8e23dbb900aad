//! Room events from the server, turned into the app's events and the member view.

use openroom_protocol::{ExitReason, RoomEvent};

use crate::events::Event;

use super::Session;

impl Session {
    /// Relay one room event; returns the exit reason when the server ended the session.
    pub(super) fn on_room_event(&mut self, seq: u64, event: RoomEvent) -> Option<ExitReason> {
        let expected = self.last_seq.wrapping_add(1);
        if seq != expected {
            tracing::warn!(expected, got = seq, "room event sequence gap");
        }
        self.last_seq = seq;
        self.relay(event)
    }

    /// Tell the app about one room event, keeping the view of the members up to date; returns
    /// the exit reason when the server ended the session.
    pub(super) fn relay(&mut self, event: RoomEvent) -> Option<ExitReason> {
        match event {
            RoomEvent::MemberEntered { user_id, user_data } => {
                self.members.arrived(user_id.clone(), user_data.clone());
                self.emit(Event::RemoteUserEnterRoom { user_id, user_data })
            }
            RoomEvent::MemberUpdated { user_id, user_data } => {
                self.members.updated(&user_id, user_data.clone());
                self.emit(Event::RemoteUserDataUpdated { user_id, user_data })
            }
            RoomEvent::MemberLeft { user_id, reason } => {
                self.members.left(&user_id);
                self.emit(Event::RemoteUserLeaveRoom { user_id, reason })
            }
            RoomEvent::AudioAvailable { user_id, available } => {
                if let Some(publishing) = self.members.publishing(&user_id) {
                    publishing.audio = available;
                }
                self.emit(Event::UserAudioAvailable { user_id, available })
            }
            RoomEvent::VideoAvailable { user_id, available } => {
                if let Some(publishing) = self.members.publishing(&user_id) {
                    publishing.video = available;
                }
                self.emit(Event::UserVideoAvailable { user_id, available })
            }
            RoomEvent::Ejected { reason } => return Some(reason),
            RoomEvent::CustomMessage {
                user_id,
                cmd_id,
                seq,
                data,
            } => self.emit(Event::RecvCustomCmdMsg {
                user_id,
                cmd_id,
                seq,
                data,
            }),
            RoomEvent::MissedMessages {
                user_id,
                cmd_id,
                missed,
            } => self.emit(Event::MissCustomCmdMsg {
                user_id,
                cmd_id,
                missed,
            }),
            RoomEvent::Unknown => tracing::debug!("unknown room event skipped"),
        }
        None
    }
}
