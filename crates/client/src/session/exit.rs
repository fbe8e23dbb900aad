//! `exitRoom`: the exit exchange, bounded by the exit timeout.

use openroom_protocol::{ClientRequest, ExitReason};
use tokio::time::Instant;

use crate::connection::Connection;
use crate::slot::Phase;

use super::{Exchange, Session};

impl Session {
    /// Tell the server we leave and wait (bounded) for its acknowledgement, relaying the
    /// events that arrive before it. The exit completes locally whatever the server does.
    pub(super) async fn exit(&mut self, connection: &mut Connection) -> ExitReason {
        self.slot.set_phase(Phase::Exiting);
        let deadline = Instant::now() + self.config.exit_timeout;
        let request_id = connection.send(ClientRequest::Exit);
        match self
            .relay_until_answer(connection, request_id, deadline, None)
            .await
        {
            Exchange::Ended(reason) => return reason,
            Exchange::TimedOut => tracing::warn!(
                timeout_ms = self.config.exit_timeout.as_millis() as u64,
                "no exit acknowledgement from the server; exiting locally"
            ),
            Exchange::Answered(_) | Exchange::Cancelled | Exchange::Broken(_) => {}
        }
        ExitReason::Exited
    }
}
