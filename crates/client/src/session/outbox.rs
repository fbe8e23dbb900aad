//! What the session owes the server and keeps until answered: custom messages for resending,
//! role switches, member data and publishing state to state again on a new connection; and
//! the answers that settle them.

use base64::Engine as _;
use openroom_protocol::messages::{Outcome, Reply};
use openroom_protocol::{
    ClientRequest, ErrorCode, MessageRequest, Publishing, Role, SetUserDataRequest,
    SwitchRoleRequest, WarningCode,
};

use crate::connection::Connection;
use crate::events::Event;
use crate::slot::OutgoingMessage;

use super::Session;

impl Session {
    /// setUserData's latest data becomes what the session states from now on (and enters
    /// with again after a lost session).
    pub(super) fn user_data_taken(&mut self) {
        self.request.user_data = self.slot.user_data_taken();
        self.user_data_changed = true;
    }

    /// Tell the server the session's member data; its answer is handled by on_answer.
    pub(super) fn send_user_data(&mut self, connection: &mut Connection) {
        let user_data = self.request.user_data.clone();
        let request = ClientRequest::SetUserData(SetUserDataRequest { user_data });
        self.user_data_sent = Some(connection.send(request));
    }

    /// An answer read while serving the room: to a switchRole (onSwitchRole), to a setUserData
    /// (a refusal is onError), or the server refusing a custom message (they are answered only
    /// then), which the app hears as onWarning.
    pub(super) fn on_answer(&mut self, id: u64, result: Outcome) {
        if self.user_data_sent == Some(id) {
            self.user_data_sent = None;
            match result {
                Outcome::Ok(_) => self.user_data_confirmed = self.request.user_data.clone(),
                Outcome::Error(body) => {
                    // The room keeps what it had; so does the session.
                    self.request.user_data = self.user_data_confirmed.clone();
                    self.emit(Event::Error {
                        code: body.code,
                        message: body.message,
                    });
                }
            }
            return;
        }
        if let Some(&(Some(sent), role)) = self.role_switches.front() {
            if sent == id {
                self.role_switches.pop_front();
                self.slot.request_done();
                let (code, message) = match result {
                    Outcome::Ok(Reply::RoleSwitched { .. }) => {
                        self.request.role = role;
                        self.slot.set_role(role);
                        (0, String::new())
                    }
                    Outcome::Ok(other) => (
                        ErrorCode::RoomEnterFail.value(),
                        format!("the server answered switchRole with {other:?}"),
                    ),
                    Outcome::Error(body) => (body.code, body.message),
                };
                self.emit(Event::SwitchRole { code, message });
                return;
            }
        }
        match result {
            Outcome::Error(body) if body.code < 0 => self.emit(Event::Error {
                code: body.code,
                message: body.message,
            }),
            Outcome::Error(body) => self.emit(Event::Warning {
                code: body.code,
                message: body.message,
            }),
            // A setUserData a later one replaced: the later one's answer is what counts.
            Outcome::Ok(Reply::UserDataSet) => {}
            Outcome::Ok(_) => tracing::warn!(id, "answer to no pending request; skipped"),
        }
    }

    /// switchRole: refused here in a scene without roles; else asked of the server, whose
    /// answer the serve loop hands to [`Session::on_answer`] (asked again after a reconnection
    /// if the connection breaks first).
    pub(super) fn switch_role(&mut self, connection: &mut Connection, role: Role) {
        if let Err(message) = self.request.scene.check_role_switch() {
            self.emit(Event::SwitchRole {
                code: ErrorCode::RoleNotSupported.value(),
                message,
            });
            return;
        }
        self.role_switches.push_back((None, role));
        self.send_role_switches(connection)
    }

    /// Send the switchRole requests not sent on this connection yet, in order.
    pub(super) fn send_role_switches(&mut self, connection: &mut Connection) {
        for (sent, role) in self.role_switches.iter_mut() {
            if sent.is_none() {
                let request = ClientRequest::SwitchRole(SwitchRoleRequest { role: *role });
                *sent = Some(connection.send(request));
            }
        }
    }

    /// On a new connection (or once entered): tell the server what is published, unless it is
    /// `known` to have it already, and ask again for the role switches not yet answered. If
    /// the connection breaks meanwhile, the serve loop hears of it from the next frame.
    pub(super) fn catch_up(&mut self, connection: &mut Connection, known: Option<Publishing>) {
        if known != Some(self.request.publishing) {
            connection.send(ClientRequest::Publish(self.request.publishing));
        }
        // Data set since entering may not have reached the server (a room that already has
        // it tells nobody again). An answer owed on the old connection never comes.
        if known.is_none() {
            self.user_data_sent = None;
            if self.user_data_changed {
                self.send_user_data(connection);
            }
        }
        for switch in self.role_switches.iter_mut() {
            switch.0 = None;
        }
        self.send_role_switches(connection);
    }

    /// Send again, in order, the custom messages the server did not take: those after
    /// `taken` when the server says (a resumed session), else only those never written to a
    /// connection (a new session: what the old one passed on is not sent twice).
    pub(super) fn resend(&mut self, connection: &mut Connection, taken: Option<u32>) {
        let before = self.unacked.len();
        match taken {
            Some(last) => self.unacked.retain(|(message, _)| message.seq > last),
            None => {
                self.unacked.retain(|(_, written)| !written);
                // Written before the loss, not known to have been taken, and not sent again
                // (they may have reached the room): the app hears how many.
                let unconfirmed = before - self.unacked.len();
                if unconfirmed > 0 {
                    self.emit(Event::Warning {
                        code: WarningCode::CustomCmdUnconfirmed.value(),
                        message: format!("the connection was lost and the server no longer held the session: {unconfirmed} custom messages written just before the loss may not have reached the room"),
                    });
                }
            }
        }
        self.slot.messages_done(before - self.unacked.len());
        for (message, _) in self.unacked.iter() {
            connection.send_message(message.clone());
        }
    }

    /// The lost connection had written the custom messages up to `last` to its socket.
    pub(super) fn note_written(&mut self, last: u32) {
        for (message, written) in self.unacked.iter_mut() {
            if message.seq <= last {
                *written = true;
            }
        }
    }

    /// The server took the custom messages up to `last`: they need not be kept any more.
    pub(super) fn forget_messages_up_to(&mut self, last: u32) {
        let before = self.unacked.len();
        while self
            .unacked
            .front()
            .is_some_and(|(message, _)| message.seq <= last)
        {
            self.unacked.pop_front();
        }
        self.slot.messages_done(before - self.unacked.len());
    }

    /// A custom message as it goes on the wire, kept until it can no longer be needed: after a
    /// resume the server says which it got, and the rest are sent again. It counts as written
    /// once a lost connection says it reached the socket ([`Session::note_written`]).
    pub(super) fn keep_for_resend(&mut self, message: OutgoingMessage) -> MessageRequest {
        let request = MessageRequest {
            cmd_id: message.cmd_id,
            seq: message.seq,
            data: base64::engine::general_purpose::STANDARD.encode(&message.data),
            reliable: message.reliable,
            ordered: message.ordered,
        };
        // The engine accepts no more than the server may leave unacknowledged, so nothing
        // accepted is ever dropped here to make room.
        self.unacked.push_back((request.clone(), false));
        request
    }
}
