//! Telling the members: events to all but their subject, custom messages with the
//! slow-member rule (an unreliable one is dropped for a member three quarters full, and the
//! count told later), and members dropped for a full queue, told from a worklist.

use openroom_protocol::{presence_change, LeaveReason, RoomEvent, UserId, View};

use crate::shared_event::SharedEvent;

use super::actor::{Member, Room};
use super::Presence;

impl Room {
    /// Tell every member but `user_id` that their view of it went from `before` to `after`
    /// (see [`presence_change()`](openroom_protocol::presence_change())).
    pub(super) fn announce(
        &mut self,
        user_id: &UserId,
        before: Option<View>,
        after: Option<View>,
        reason: LeaveReason,
    ) {
        let present = self.position(user_id).is_some();
        for event in presence_change(user_id, before.as_ref(), after.as_ref(), reason) {
            self.broadcast_except(user_id, event);
            // Telling the others can drop a slow member, and with it this one (its own queue
            // full): the room has told its departure, so nothing more is said of it.
            if present && self.position(user_id).is_none() {
                return;
            }
        }
    }

    /// `user_id` (with `presence`) is no longer a member: the others see its streams end, then
    /// it leave (if they saw it at all).
    pub(super) fn tell_others_left(
        &mut self,
        user_id: &UserId,
        presence: Presence,
        reason: LeaveReason,
    ) {
        tracing::debug!(room = %self.id, user = %user_id, ?reason, "member left");
        // Messages of theirs a member missed are told now, before they leave: no later
        // message of theirs will carry the count.
        for member in &mut self.members {
            let counts: Vec<(UserId, u8)> = member
                .missed
                .keys()
                .filter(|(sender, _)| sender == user_id)
                .cloned()
                .collect();
            for key in counts {
                if let Some(missed) = member.missed.remove(&key) {
                    let missed = RoomEvent::MissedMessages {
                        user_id: key.0,
                        cmd_id: key.1,
                        missed,
                    };
                    let _ = member.events.try_send(missed.into());
                }
            }
        }
        self.announce(user_id, presence.view(), None, reason);
    }

    /// A custom message to every member but its sender (see [`RoomHandle::send_message`](super::RoomHandle::send_message)), or
    /// only to `to`.
    pub(super) fn deliver(
        &mut self,
        from: &UserId,
        message: RoomEvent,
        reliable: bool,
        to: Option<&[UserId]>,
    ) {
        let RoomEvent::CustomMessage { cmd_id, .. } = &message else {
            return;
        };
        let key = (from.clone(), *cmd_id);
        let shared = SharedEvent::new(&message);
        let mut dropped = Vec::new();
        let addressed = |member: &Member| {
            &member.user_id != from && to.is_none_or(|to| to.contains(&member.user_id))
        };
        for member in self.members.iter_mut().filter(|m| addressed(m)) {
            let bound = member.events.capacity().unwrap_or(usize::MAX);
            let free = bound.saturating_sub(member.events.len());
            if !reliable && free <= bound / 4 {
                *member.missed.entry(key.clone()).or_default() += 1;
                continue;
            }
            let queue = |event: SharedEvent| member.events.try_send(event).is_ok();
            let told = match member.missed.remove(&key) {
                Some(missed) => queue(
                    RoomEvent::MissedMessages {
                        user_id: from.clone(),
                        cmd_id: *cmd_id,
                        missed,
                    }
                    .into(),
                ),
                None => true,
            };
            if !(told && queue(shared.clone())) {
                dropped.push(member.user_id.clone());
            }
        }
        for user_id in dropped {
            if let Some(index) = self.position(&user_id) {
                let member = self.members.remove(index);
                self.dropped.push_back((user_id, member.presence));
            }
        }
        self.tell_dropped();
    }

    /// Push an event to every member but `subject` (whom it is about). A member whose queue
    /// is full is too slow to follow the room: it is dropped (its session sees its queue close
    /// and hangs up) and the others are told it left, so nobody's view of the room goes
    /// silently wrong.
    fn broadcast_except(&mut self, subject: &UserId, event: RoomEvent) {
        let event = SharedEvent::new(&event);
        let dropped = &mut self.dropped;
        self.members.retain(|member| {
            if &member.user_id == subject || member.events.try_send(event.clone()).is_ok() {
                return true;
            }
            dropped.push_back((member.user_id.clone(), member.presence.clone()));
            false
        });
        self.tell_dropped();
    }

    /// Tell the others of each dropped member's departure, in the order they were dropped,
    /// including those dropped while telling. Only the outermost call does the telling: a
    /// nested one (a departure that dropped another member) leaves it queued, so each
    /// departure is told whole (its streams ending, then its leaving) before the next begins.
    /// Every member still sees the one order the room tells.
    fn tell_dropped(&mut self) {
        if self.telling_dropped {
            return;
        }
        self.telling_dropped = true;
        while let Some((user_id, presence)) = self.dropped.pop_front() {
            tracing::warn!(room = %self.id, user = %user_id, "member dropped: its connection is gone or cannot keep up");
            self.tell_others_left(&user_id, presence, LeaveReason::ConnectionLost);
        }
        self.telling_dropped = false;
    }
}
