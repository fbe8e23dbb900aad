//! The members a session sees, in arrival order, and how a new list (after a switch or an
//! enter again) is reported to the app as arrivals and departures.

use indexmap::IndexMap;
use openroom_protocol::{
    presence_change, LeaveReason, MemberState, Publishing, UserData, UserId, View,
};

use super::Session;

/// The members a session sees, each with what it publishes, in a map that also remembers the
/// order they arrived in. A departure is O(1) (a swap with the last entry): removing from an
/// ordered list made a whole room's exit cost N² per member.
#[derive(Default)]
pub(super) struct Members {
    by_user: IndexMap<UserId, Seen>,
    arrivals: u64,
}

#[derive(Clone)]
pub(super) struct Seen {
    arrived: u64,
    view: View,
}

impl Members {
    /// `user_id` arrived with `user_data`, publishing nothing yet (one already known keeps
    /// its place).
    pub(super) fn arrived(&mut self, user_id: UserId, user_data: Option<UserData>) {
        self.arrivals += 1;
        let arrived = self.arrivals;
        let view = View {
            publishing: Publishing::NOTHING,
            user_data,
        };
        match self.by_user.entry(user_id) {
            indexmap::map::Entry::Occupied(mut known) => known.get_mut().view = view,
            indexmap::map::Entry::Vacant(new) => {
                new.insert(Seen { arrived, view });
            }
        }
    }

    /// `user_id` changed its data.
    pub(super) fn updated(&mut self, user_id: &UserId, user_data: Option<UserData>) {
        if let Some(seen) = self.by_user.get_mut(user_id) {
            seen.view.user_data = user_data;
        }
    }

    pub(super) fn left(&mut self, user_id: &UserId) {
        self.by_user.swap_remove(user_id);
    }

    pub(super) fn get(&self, user_id: &UserId) -> Option<&View> {
        self.by_user.get(user_id).map(|seen| &seen.view)
    }

    pub(super) fn publishing(&mut self, user_id: &UserId) -> Option<&mut Publishing> {
        self.by_user
            .get_mut(user_id)
            .map(|seen| &mut seen.view.publishing)
    }

    /// Everyone, in the order they arrived.
    pub(super) fn in_arrival_order(&self) -> Vec<(&UserId, &View)> {
        let mut members: Vec<(&UserId, &Seen)> = self.by_user.iter().collect();
        members.sort_unstable_by_key(|(_, seen)| seen.arrived);
        members
            .into_iter()
            .map(|(user_id, seen)| (user_id, &seen.view))
            .collect()
    }
}

impl Session {
    /// Bring the app's view of the room to `now` (on entering, after a switch, after entering
    /// again), as if it had seen it happen: who left (their streams ending first; the reason
    /// of a departure it did not see is 0), whose streams changed, who arrived (then their
    /// streams), in the order the server listed them.
    pub(super) fn report_member_changes(&mut self, now: Vec<MemberState>) {
        let now: IndexMap<UserId, View> = now
            .into_iter()
            .map(|member| {
                let view = member.view();
                (member.user_id, view)
            })
            .collect();
        let mut events = Vec::new();
        for (user_id, view) in self.members.in_arrival_order() {
            if !now.contains_key(user_id) {
                events.extend(presence_change(
                    user_id,
                    Some(view),
                    None,
                    LeaveReason::Exited,
                ));
            }
        }
        for (user_id, view) in &now {
            let before = self.members.get(user_id);
            events.extend(presence_change(
                user_id,
                before,
                Some(view),
                LeaveReason::Exited,
            ));
        }
        for event in events {
            self.relay(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> UserId {
        UserId::parse(name).unwrap()
    }

    fn order(members: &Members) -> Vec<(String, Publishing)> {
        members
            .in_arrival_order()
            .into_iter()
            .map(|(user_id, view)| (user_id.as_str().to_owned(), view.publishing))
            .collect()
    }

    #[test]
    fn members_keep_their_arrival_order_through_departures() {
        let mut members = Members::default();
        for name in ["a", "b", "c", "d"] {
            members.arrived(user(name), None);
        }
        members.left(&user("b"));
        members.arrived(user("e"), None);
        let audio = Publishing {
            audio: true,
            video: false,
        };
        *members.publishing(&user("a")).unwrap() = audio;
        let nothing = Publishing::NOTHING;
        assert_eq!(
            order(&members),
            [
                ("a".into(), audio),
                ("c".into(), nothing),
                ("d".into(), nothing),
                ("e".into(), nothing)
            ]
        );
        // Announced again: the same place, publishing nothing until told otherwise, with the
        // data it came with.
        let data = UserData::parse(r#""A""#).unwrap();
        members.arrived(user("a"), Some(data.clone()));
        assert_eq!(order(&members)[0], ("a".into(), nothing));
        assert_eq!(members.get(&user("a")).unwrap().user_data, Some(data));
        members.updated(&user("a"), None);
        assert_eq!(members.get(&user("a")).unwrap().user_data, None);
        assert_eq!(members.get(&user("b")), None);
    }
}
