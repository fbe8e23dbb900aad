//! `enter`: admitting a member (UserSig, privateMapKey, resume key) and joining its room,
//! retrying a room that is closing; the `entered` answer with the session's resume token.

use openroom_protocol::messages::{ErrorBody, Outcome, Reply};
use openroom_protocol::{
    EnterRequest, ErrorCode, RoomId, UserId, OLDEST_PROTOCOL_VERSION, PROTOCOL_VERSION,
};
use tokio::sync::oneshot;

use crate::config::{millis, MEMBER_EVENT_QUEUE};
use crate::registry::OpenRefused;
use crate::resume::ResumeKey;
use crate::room::{EnterRefused, Entrant, Presence, Present, SessionId};
use crate::room_permission::PublishGate;
use crate::{auth, room_permission};

use super::{Membership, Resumable, Session, SessionContext, ENTER_ATTEMPTS, REFUSED_SIGS};

impl Session {
    /// Log a refused UserSig (a few a second at most): who tried, from where, and why. The
    /// sig itself is never logged.
    pub(super) fn refused_sig(
        &self,
        user_id: &UserId,
        error: &openroom_protocol::usersig::SigError,
    ) {
        let peer = self.link.peer();
        REFUSED_SIGS.log(|suppressed| {
            tracing::info!(%peer, user = %user_id, code = ErrorCode::UserSigInvalid.value(), %error, suppressed, "UserSig refused")
        });
    }

    /// The answer to a successful enter: the members, the heartbeat, and a resume token for
    /// the session (listed now if it is not yet).
    pub(super) fn entered(&mut self, members: Present) -> Outcome {
        self.entered_with(members, None)
    }

    /// [`Session::entered`], telling a resumed client the last custom message taken.
    pub(super) fn entered_with(&mut self, members: Present, last_message: Option<u32>) -> Outcome {
        self.link.mark_entered();
        if let Some(last) = last_message {
            self.state.last_message_told = last;
        }
        let resumable = self.state.resumable.get_or_insert_with(|| {
            let (token, takeovers) = self.ctx.sessions.register(self.state.resume_key);
            Resumable { token, takeovers }
        });
        Outcome::Ok(Reply::Entered {
            members,
            ping_interval_ms: millis(self.ctx.config.ping_interval()),
            session_timeout_ms: millis(self.ctx.config.session_timeout),
            resume_token: Some(resumable.token.clone()),
            last_message,
            custom_limits: self.ctx.config.custom_limits,
        })
    }

    pub(super) async fn enter(&mut self, request: EnterRequest) -> Result<Present, ErrorBody> {
        if !(OLDEST_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&request.protocol) {
            return Err(ErrorBody::new(
                ErrorCode::RoomEnterFail,
                format!(
                    "protocol version {} is not supported; this server speaks {OLDEST_PROTOCOL_VERSION} to {PROTOCOL_VERSION}",
                    request.protocol
                ),
            ));
        }
        if let Some(current) = &self.state.membership {
            return Err(ErrorBody::new(
                ErrorCode::RoomEnterFail,
                format!(
                    "this connection is already in {}; exit it first",
                    current.room_id
                ),
            ));
        }
        if request.user_id.as_str() == openroom_protocol::ADMIN_IDENTIFIER {
            return Err(ErrorBody::new(
                ErrorCode::UserIdInvalid,
                "userId administrator is reserved for the server's own messages; use another",
            ));
        }
        let config = &self.ctx.config;
        if request.sdk_app_id != config.sdk_app_id {
            return Err(ErrorBody::new(
                ErrorCode::SdkAppIdInvalid,
                format!(
                    "sdkAppId {} is not served here; this server's sdkAppId is {}",
                    request.sdk_app_id, config.sdk_app_id
                ),
            ));
        }
        let user_sig_expires_at = auth::check(config, request.user_id.as_str(), &request.user_sig)
            .map_err(|error| {
                self.refused_sig(&request.user_id, &error);
                ErrorBody::new(ErrorCode::UserSigInvalid, error.to_string())
            })?;
        let resume_key = request
            .resume_key
            .as_deref()
            .map(ResumeKey::parse)
            .transpose()
            .map_err(|error| ErrorBody::new(ErrorCode::RoomEnterFail, error.to_string()))?;
        let admission = room_permission::admit(
            config,
            &request.user_id,
            &request.room,
            request.private_map_key.as_deref(),
        )?;
        let create =
            admission.may_open(&self.ctx.registry, &request.room, request.create_if_missing)?;

        let mut publish_gate = PublishGate::default().under(&admission);
        let (publishing, refusal) = publish_gate.pass(request.publishing);
        let presence = Presence {
            role: request.scene.effective_role(request.role),
            publishing,
            user_data: request.user_data,
        };
        let (membership, members) = join(
            &self.ctx,
            self.state.id,
            request.room,
            request.user_id,
            &presence,
            create,
        )
        .await?;
        self.state.scene = request.scene;
        self.state.presence = presence;
        self.state.publish_gate = publish_gate;
        self.state.resume_key = resume_key;
        self.state.admission = admission;
        self.state.user_sig_expires_at = user_sig_expires_at;
        self.state.previous = None;
        self.state.publish_refusal = refusal;
        tracing::info!(session = self.state.id, room = %membership.room_id, user = %membership.user_id, "entered");
        self.state.membership = Some(membership);
        Ok(members)
    }
}

/// Enter `room_id` as `user_id` on this session, retrying when the room was closing.
/// Opens the room when it does not exist if the request allows it (`create`) and the server
/// does. Returns the membership and the others present.
pub(super) async fn join(
    ctx: &SessionContext,
    session: SessionId,
    room_id: RoomId,
    user_id: UserId,
    presence: &Presence,
    create: bool,
) -> Result<(Membership, Present), ErrorBody> {
    join_as(
        ctx,
        session,
        room_id,
        user_id,
        presence,
        create,
        JoinMode::Enter,
    )
    .await
    .map_err(|refused| match refused {
        JoinRefused::Refused(body) => body,
        // Only a rejoin is refused these ways.
        JoinRefused::Superseded | JoinRefused::Absent => {
            ErrorBody::new(ErrorCode::RoomEnterFail, "rejoin refused")
        }
    })
}

/// Why [`join_as`] did not put the session in the room.
pub(super) enum JoinRefused {
    Refused(ErrorBody),
    /// Rejoin: another login holds the user.
    Superseded,
    /// Rejoin: the user is no longer in the room.
    Absent,
}

/// How a session joins a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum JoinMode {
    /// As a member arriving: the others are told.
    Enter,
    /// In place of the session's own membership (a resume the replay buffer could not serve):
    /// the others see nothing. Refused if the member is no longer there, or a newer login
    /// holds the user.
    Rejoin,
}

/// [`join`], or with [`JoinMode::Rejoin`] a re-entry in place of the session's own membership (see
/// [`RoomHandle::rejoin`]).
pub(super) async fn join_as(
    ctx: &SessionContext,
    session: SessionId,
    room_id: RoomId,
    user_id: UserId,
    presence: &Presence,
    create: bool,
    mode: JoinMode,
) -> Result<(Membership, Present), JoinRefused> {
    let refuse =
        |code: ErrorCode, message: String| JoinRefused::Refused(ErrorBody::new(code, message));
    let server_creates = ctx.registry.limits().auto_create;
    for _ in 0..ENTER_ATTEMPTS {
        let (events_tx, events) = flume::bounded(MEMBER_EVENT_QUEUE);
        let (ejection_tx, ejection) = oneshot::channel();
        let room = if create && server_creates {
            ctx.registry
                .get_or_open(&room_id, &user_id)
                .map_err(|refused| match refused {
                    OpenRefused::Limit(limit) => {
                        refuse(ErrorCode::ServerRoomLimit, limit.to_string())
                    }
                    OpenRefused::RateLimited(_) => {
                        refuse(ErrorCode::RateLimited, refused.to_string())
                    }
                })?
        } else {
            ctx.registry.get(&room_id).ok_or_else(|| {
                let why = if server_creates {
                    "and the request said createIfMissing: false"
                } else {
                    "and this server opens rooms only through REST CreateRoom"
                };
                refuse(
                    ErrorCode::RoomNotFound,
                    format!("{room_id} does not exist {why}; create it first"),
                )
            })?
        };
        let entrant = Entrant {
            user_id: user_id.clone(),
            session,
            presence: presence.clone(),
            events: events_tx,
            ejection: ejection_tx,
        };
        let entered = if mode == JoinMode::Rejoin {
            room.rejoin(entrant).await
        } else {
            room.enter(entrant).await
        };
        match entered {
            Ok(members) => {
                let membership = Membership {
                    room,
                    room_id,
                    user_id,
                    events,
                    ejection,
                };
                return Ok((membership, members));
            }
            Err(EnterRefused::Closed(_)) => continue,
            Err(EnterRefused::Superseded) => return Err(JoinRefused::Superseded),
            Err(EnterRefused::Absent) => return Err(JoinRefused::Absent),
            Err(refused @ EnterRefused::UserDataFull { .. }) => {
                return Err(refuse(ErrorCode::UserDataInvalid, refused.to_string()));
            }
            Err(EnterRefused::Full(limit)) => {
                return Err(refuse(
                    ErrorCode::RoomFull,
                    format!(
                        "{room_id} is full: it holds its limit of {limit} members; try again when someone leaves"
                    ),
                ));
            }
        }
    }
    Err(refuse(
        ErrorCode::RoomEnterFail,
        format!("{room_id} kept closing while entering; try again"),
    ))
}
