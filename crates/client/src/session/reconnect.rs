//! A lost connection: the reconnect policy's attempts, each a resume (signed) or an enter
//! again; catching up afterwards; leaving properly when the app exits meanwhile.

use std::time::Duration;

use openroom_protocol::messages::{Outcome, Reply};
use openroom_protocol::{
    ClientRequest, EnterRequest, ErrorCode, ExitReason, ResumeRequest, RoomEvent, ServerFrame,
};
use tokio::time::{sleep, timeout, timeout_at, Instant};

use crate::connection::{Connection, ConnectionError, Transport};
use crate::events::ConnectionState;
use crate::events::{Event, StateChangeReason};
use crate::slot::Command;

use super::enter::Welcome;
use super::{ask, Session, CLOSE_GRACE};

/// A connection lost again within this long of its recovery continues the backoff where the
/// last reconnection left it, instead of trying again at once: a server that breaks every
/// connection soon after it is made gets attempts at a falling rate, not a storm.
pub(super) const STABLE_AFTER: Duration = Duration::from_secs(30);

/// How one reconnection attempt ended.
enum Attempt {
    /// The server handed the session over; these events were missed meanwhile.
    Resumed(Box<Connection>, Vec<(u64, RoomEvent)>, u32),
    /// The server had lost the session (or could not replay): entered the room again.
    Reentered(Box<Connection>, Welcome),
    /// The server ended the session while we were away.
    Ended(ExitReason),
    /// Entering again was refused for good (UserSig expired, room full …).
    Refused(i32, String),
    /// Worth another attempt.
    Failed(String),
}

/// One reconnection attempt: a new connection, then resume the session (with `resume`), or
/// enter the room again when the server no longer holds it.
async fn attempt_to_return(
    transport: Transport,
    url: String,
    resume: Option<ResumeRequest>,
    request: EnterRequest,
    within: Duration,
) -> Attempt {
    let deadline = Instant::now() + within;
    let mut connection = match timeout_at(deadline, transport.open(&url)).await {
        Ok(Ok(connection)) => connection,
        // The server's certificate is refused: no later attempt can fix that.
        Ok(Err(error @ ConnectionError::Certificate { .. })) => {
            return Attempt::Refused(ErrorCode::RoomEnterFail.value(), error.to_string())
        }
        Ok(Err(error)) => return Attempt::Failed(error.to_string()),
        Err(_) => return Attempt::Failed(format!("connecting to {url} timed out")),
    };
    if let Some(resume) = resume {
        match ask(&mut connection, ClientRequest::Resume(resume), deadline).await {
            Err(error) => return Attempt::Failed(error),
            Ok(Outcome::Ok(Reply::Resumed {
                replayed,
                last_message,
            })) => {
                return match read_missed(&mut connection, replayed, deadline).await {
                    Ok(missed) => Attempt::Resumed(Box::new(connection), missed, last_message),
                    Err(error) => Attempt::Failed(error),
                };
            }
            Ok(Outcome::Ok(Reply::SessionEnded { reason })) => return Attempt::Ended(reason),
            Ok(Outcome::Ok(reply)) => {
                return match Welcome::from_reply(reply) {
                    Ok(welcome) => Attempt::Reentered(Box::new(connection), welcome),
                    Err(other) => {
                        Attempt::Failed(format!("the server answered resume with {other:?}"))
                    }
                }
            }
            Ok(Outcome::Error(body))
                if body.code == ErrorCode::SessionExpired.value()
                    || body.code == ErrorCode::ResumeRefused.value() =>
            {
                tracing::debug!(message = %body.message, "session gone; entering again");
            }
            // The credentials presented again expired or no longer admit the member: entering
            // would be refused the same way, so this is final.
            Ok(Outcome::Error(body)) if is_credential_refusal(body.code) => {
                let _ = timeout(CLOSE_GRACE, connection.close()).await;
                return Attempt::Refused(body.code, body.message);
            }
            Ok(Outcome::Error(body)) => return Attempt::Failed(body.message),
        }
    }
    match ask(&mut connection, ClientRequest::Enter(request), deadline).await {
        Err(error) => Attempt::Failed(error),
        Ok(Outcome::Ok(reply)) => match Welcome::from_reply(reply) {
            Ok(welcome) => Attempt::Reentered(Box::new(connection), welcome),
            Err(other) => Attempt::Failed(format!("the server answered enter with {other:?}")),
        },
        // Worth another try: the room was closing, the server was not ready, or it holds this
        // user to a rate (a restarted server that every room of a bot comes back to at once).
        Ok(Outcome::Error(body))
            if body.code == ErrorCode::RoomEnterFail.value()
                || body.code == ErrorCode::RateLimited.value() =>
        {
            Attempt::Failed(body.message)
        }
        Ok(Outcome::Error(body)) => {
            let _ = timeout(CLOSE_GRACE, connection.close()).await;
            Attempt::Refused(body.code, body.message)
        }
    }
}

/// Whether `code` refuses the member's credentials (UserSig or privateMapKey).
fn is_credential_refusal(code: i32) -> bool {
    [
        ErrorCode::UserSigInvalid,
        ErrorCode::ServerInfoPrivilegeFlagError,
        ErrorCode::ServerCenterNoPrivilegeCreateRoom,
        ErrorCode::ServerCenterNoPrivilegeEnterRoom,
    ]
    .iter()
    .any(|refusal| refusal.value() == code)
}

/// The `count` events the server replays right after `Resumed`.
async fn read_missed(
    connection: &mut Connection,
    count: u64,
    deadline: Instant,
) -> Result<Vec<(u64, RoomEvent)>, String> {
    let mut missed = Vec::new();
    while (missed.len() as u64) < count {
        match timeout_at(deadline, connection.next_frame()).await {
            Ok(Ok(ServerFrame::Event { seq, event })) => missed.push((seq, event)),
            Ok(Ok(_)) => {}
            Ok(Err(error)) => return Err(error.to_string()),
            Err(_) => return Err("the room server did not replay the missed events in time".into()),
        }
    }
    Ok(missed)
}

/// `delay` ± 20 %, so the clients of a restarted server spread their attempts.
fn jittered(delay: Duration) -> Duration {
    if delay.is_zero() {
        return delay;
    }
    delay.mul_f64(rand::random_range(0.8..1.2))
}

impl Session {
    /// The connection is gone: tell the app, then try to get back into the room as the
    /// reconnect policy allows. Ok: a connection to go on with; Err: the room is over.
    pub(super) async fn reconnect(&mut self, message: String) -> Result<Connection, ExitReason> {
        tracing::warn!(%message, "connection to the room server lost");
        let policy = self.config.reconnect;
        if policy.attempts > 0 {
            self.set_state(
                ConnectionState::Reconnecting,
                StateChangeReason::ConnectionLost,
            );
        }
        self.emit(Event::ConnectionLost {
            message: message.clone(),
        });
        if policy.attempts == 0 {
            return Err(self.give_up(format!(
                "the connection to the room server was lost ({message}) and reconnecting is off"
            )));
        }
        // Lost again soon after the last recovery: go on from where that backoff was.
        let recently = self
            .recovered_at
            .is_some_and(|at| at.elapsed() < STABLE_AFTER);
        self.loss_streak = if recently { self.loss_streak + 1 } else { 0 };
        let mut last_error = message;
        for attempt in 1..=policy.attempts {
            let wait = jittered(policy.delay_before(attempt + self.loss_streak));
            if self.wait_while_away(sleep(wait)).await.is_none() {
                return Err(self.leave_while_away().await);
            }
            self.emit(Event::TryToReconnect { attempt });
            // Entering afresh takes the role last asked for, so a switch the server may have
            // made (or one asked for meanwhile) is not shown undone to the room in between.
            let mut request = self.request.clone();
            if let Some(&(_, role)) = self.role_switches.back() {
                request.role = role;
            }
            let sent_upto = self.unacked.back().map_or(0, |(message, _)| message.seq);
            let outcome = attempt_to_return(
                self.transport.clone(),
                self.config.server_url.clone(),
                self.resume_request(sent_upto),
                request,
                self.config.enter_timeout,
            );
            let Some(outcome) = self.wait_while_away(outcome).await else {
                return Err(self.leave_while_away().await);
            };
            match outcome {
                Attempt::Resumed(mut connection, missed, last_message) => {
                    tracing::info!(attempt, missed = missed.len(), "session resumed");
                    for (seq, event) in missed {
                        if let Some(reason) = self.on_room_event(seq, event) {
                            return Err(reason);
                        }
                    }
                    connection.set_write_timeout(self.heartbeat.silence_limit());
                    self.resend(&mut connection, Some(last_message));
                    // Whether the server got the last changes is unknown: state them again.
                    self.catch_up(&mut connection, None);
                    self.recovered_at = Some(Instant::now());
                    self.set_state(ConnectionState::Connected, StateChangeReason::Resumed);
                    self.emit(Event::ConnectionRecovery);
                    return Ok(*connection);
                }
                Attempt::Reentered(mut connection, welcome) => {
                    self.slot.set_custom_limits(welcome.custom_limits);
                    tracing::info!(attempt, "entered the room again");
                    self.resend(&mut connection, welcome.last_message);
                    self.heartbeat = welcome.heartbeat;
                    connection.set_write_timeout(self.heartbeat.silence_limit());
                    self.recovered_at = Some(Instant::now());
                    self.resume_token = welcome.resume_token;
                    self.last_seq = 0;
                    self.set_state(ConnectionState::Connected, StateChangeReason::Reentered);
                    // Entering again was accepted with the session's data.
                    self.user_data_confirmed = self.request.user_data.clone();
                    self.report_member_changes(welcome.members);
                    self.catch_up(&mut connection, None);
                    self.emit(Event::ConnectionRecovery);
                    return Ok(*connection);
                }
                Attempt::Ended(reason) => return Err(reason),
                Attempt::Refused(code, message) => {
                    self.end_reason = StateChangeReason::GaveUp;
                    self.emit(Event::Error { code, message });
                    return Err(ExitReason::Exited);
                }
                Attempt::Failed(error) => {
                    tracing::debug!(attempt, %error, "reconnection attempt failed");
                    last_error = error;
                }
            }
        }
        Err(self.give_up(format!(
            "could not reconnect to the room server in {} attempts; last error: {last_error}",
            policy.attempts
        )))
    }

    /// The app exited while the connection was down. If the server still holds the session
    /// (parked), take it over just to leave properly, so the others see this member leave with
    /// reason 0 now rather than time out later. Bounded by the exit timeout; the exit
    /// completes locally whatever happens.
    async fn leave_while_away(&mut self) -> ExitReason {
        let Some(resume) = self.resume_request(0) else {
            return ExitReason::Exited;
        };
        let resume = ClientRequest::Resume(resume);
        let url = self.config.server_url.clone();
        let transport = self.transport.clone();
        let deadline = Instant::now() + self.config.exit_timeout;
        let farewell = async {
            let mut connection = transport.open(&url).await.ok()?;
            if let Outcome::Ok(Reply::Resumed { .. } | Reply::Entered { .. }) =
                ask(&mut connection, resume, deadline).await.ok()?
            {
                let _ = ask(&mut connection, ClientRequest::Exit, deadline).await;
            }
            let _ = timeout(CLOSE_GRACE, connection.close()).await;
            Some(())
        };
        if timeout_at(deadline, farewell).await.is_err() {
            tracing::debug!("could not reach the server to leave; its session times out there");
        }
        ExitReason::Exited
    }

    /// The request that resumes this session (None: the server gave no token): signed with a
    /// fresh counter, naming the room the app was told it is in.
    fn resume_request(&mut self, sent_upto: u32) -> Option<ResumeRequest> {
        let token = self.resume_token.clone()?;
        let (counter, proof) = match &self.resume_signer {
            Some(signer) => {
                let (counter, proof) = signer.sign(&token);
                (counter, Some(proof))
            }
            None => (0, None),
        };
        Some(ResumeRequest {
            token,
            last_seq: self.last_seq,
            room: Some(self.request.room.clone()),
            sent_upto,
            counter,
            proof,
        })
    }

    /// End the room after a lost connection: `onError(ERR_RECONNECT_FAILED)`, then (from
    /// the caller) `onExitRoom(0)`.
    fn give_up(&mut self, message: String) -> ExitReason {
        self.end_reason = StateChangeReason::GaveUp;
        self.emit(Event::Error {
            code: ErrorCode::ReconnectFailed.value(),
            message,
        });
        ExitReason::Exited
    }

    /// Run `work` while away from the room, answering the app's commands meanwhile. None:
    /// the app exited (exitRoom() or destroy()), which ends the room at once.
    pub(super) async fn wait_while_away<T>(
        &mut self,
        work: impl std::future::Future<Output = T>,
    ) -> Option<T> {
        tokio::pin!(work);
        loop {
            tokio::select! {
                biased;
                command = self.commands.recv() => match command {
                    Some(Command::Switch(_)) => {
                        self.slot.request_done();
                        self.emit(Event::SwitchRoom {
                            code: ErrorCode::RoomEnterFail.value(),
                            message: "reconnecting to the room server: call switchRoom again after onConnectionRecovery".into(),
                        })
                    }
                    // Sent once the session is resumed.
                    Some(Command::Message(message)) => {
                        self.keep_for_resend(message);
                    }
                    // Both stated once back (see catch_up).
                    Some(Command::Publish(publishing)) => {
                        self.request.publishing = self.slot.publish_taken(publishing)
                    }
                    Some(Command::UserData) => self.user_data_taken(),
                    Some(Command::SwitchRole(role)) => self.role_switches.push_back((None, role)),
                    Some(Command::Exit) | None => return None,
                },
                done = &mut work => return Some(done),
            }
        }
    }
}
