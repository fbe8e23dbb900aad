//! `switchRoom`: the switch exchange, relaying the old room's last events until the answer.

use openroom_protocol::messages::{Outcome, Reply};
use openroom_protocol::{ClientRequest, ErrorCode, ExitReason};
use tokio::time::Instant;

use crate::connection::Connection;
use crate::events::Event;
use crate::params;
use crate::slot::Phase;

use super::{Exchange, Session};

impl Session {
    /// Move to another room. Ok(None): done, one way or the other (onSwitchRoom says which);
    /// Ok(Some(reason)): the server ended the session meanwhile; Err: the connection is lost.
    pub(super) async fn switch(
        &mut self,
        connection: &mut Connection,
        params: &serde_json::Value,
    ) -> Result<Option<ExitReason>, String> {
        let request = match params::switch_request(params, &self.request.user_sig) {
            Ok(request) => request,
            Err(error) => {
                self.emit(Event::SwitchRoom {
                    code: error.code.value(),
                    message: error.message,
                });
                return Ok(None);
            }
        };
        self.slot.set_phase(Phase::Switching);
        let room = request.room.clone();
        let user_sig = request.user_sig.clone();
        let private_map_key = request.private_map_key.clone();
        let deadline = Instant::now() + self.config.enter_timeout;
        let outcome = self.switch_exchange(connection, request, deadline).await;
        self.slot.set_phase(Phase::InRoom);
        let outcome = match outcome {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(reason)) => return Ok(Some(reason)),
            Err(message) => {
                // Whether the server moved us is unknown: the resume names the room the app
                // was told it is in, and the server puts the session back there if need be.
                self.emit(Event::SwitchRoom {
                    code: ErrorCode::RoomEnterFail.value(),
                    message: format!("the connection was lost during switchRoom: {message}"),
                });
                return Err(message);
            }
        };
        match outcome {
            Outcome::Ok(Reply::Switched { members }) => {
                self.slot.set_room(room.clone());
                self.request.room = room;
                self.request.user_sig = user_sig;
                // Entering again after a lost session needs the key for the room it is in now.
                self.request.private_map_key = private_map_key;
                // onSwitchRoom first (as onEnterRoom is), then the old room's members leave and
                // the new room's arrive, with nothing in between.
                self.emit(Event::SwitchRoom {
                    code: 0,
                    message: String::new(),
                });
                self.report_member_changes(Vec::new());
                self.report_member_changes(members);
            }
            Outcome::Error(body) => self.emit(Event::SwitchRoom {
                code: body.code,
                message: body.message,
            }),
            Outcome::Ok(other) => self.emit(Event::SwitchRoom {
                code: ErrorCode::RoomEnterFail.value(),
                message: format!("the server answered switch with {other:?}"),
            }),
        }
        Ok(None)
    }

    /// Send the switch request and read until its answer, relaying the old room's events that
    /// arrive first. Ok(Err(reason)): the server ended the session meanwhile.
    async fn switch_exchange(
        &mut self,
        connection: &mut Connection,
        request: openroom_protocol::SwitchRequest,
        deadline: Instant,
    ) -> Result<Result<Outcome, ExitReason>, String> {
        let request_id = connection.send(ClientRequest::Switch(request));
        // exitRoom() does not wait for the switch: the exit that follows leaves whichever
        // room the server put this member in.
        let exiting = self.exiting.clone();
        match self
            .relay_until_answer(connection, request_id, deadline, Some(&exiting))
            .await
        {
            Exchange::Answered(result) => Ok(Ok(result)),
            Exchange::Ended(reason) => Ok(Err(reason)),
            Exchange::Cancelled => Ok(Ok(Outcome::Error(
                openroom_protocol::messages::ErrorBody::new(
                    ErrorCode::RoomEnterFail,
                    "exitRoom() was called before the room server answered switchRoom",
                ),
            ))),
            Exchange::TimedOut => Err(format!(
                "the room server did not answer switchRoom within {} ms",
                self.config.enter_timeout.as_millis()
            )),
            Exchange::Broken(error) => Err(error.to_string()),
        }
    }
}
