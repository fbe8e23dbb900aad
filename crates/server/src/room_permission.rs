//! Who may enter and open which room: TRTC's privateMapKey, checked at enter and switch.
//!
//! A key, when given, is always checked (a bad one is refused even where none is required);
//! with `require_private_map_key` a session without one for the room is refused too. A key
//! must grant entering (bit 2); a room that does not exist yet also needs creating (bit 1).
//! What a member publishes is held to sending audio (bit 4) and sending video (bit 16) by
//! [`PublishGate`]. The receiving bits (8, 32, 128) and sending sub video (64) are carried
//! and have nothing to govern here: OpenRoom relays no media, and has no sub stream.

use openroom_protocol::messages::ErrorBody;
use openroom_protocol::private_map_key::{
    verify_private_map_key, Grant, PrivateMapKeyError, Privileges,
};
use openroom_protocol::{ErrorCode, Publishing, RoomId, UserId};

use crate::auth::unix_now;
use crate::config::ServerConfig;
use crate::registry::Registry;

/// What a session may do in the room it is entering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// No key given and none required: what any valid UserSig may do.
    Unrestricted,
    /// What the session's key grants, until when (Unix seconds).
    Granted {
        privileges: Privileges,
        expires_at: u64,
    },
}

impl Admission {
    /// Whether entering `room` may open it (the request's `create_if_missing`, which the
    /// server's own policy can still forbid). Without the create privilege a room that does
    /// not exist is refused here, whatever the server's policy: its code says why.
    pub fn may_open(
        &self,
        registry: &Registry,
        room: &RoomId,
        create_if_missing: bool,
    ) -> Result<bool, ErrorBody> {
        let granted = match self {
            Admission::Unrestricted => true,
            Admission::Granted { privileges, .. } => privileges.contains(Privileges::CREATE_ROOM),
        };
        if granted {
            return Ok(create_if_missing);
        }
        if registry.get(room).is_none() {
            return Err(ErrorBody::new(
                ErrorCode::ServerCenterNoPrivilegeCreateRoom,
                format!(
                    "{room} does not exist, and the privateMapKey does not grant creating rooms (1); issue one with bit 1 set, or create the room first"
                ),
            ));
        }
        // It exists now; should it close before the enter reaches it, it is not reopened.
        Ok(false)
    }

    /// Err when the key behind this admission has expired by `now` (a resume after a long
    /// loss: the key is not presented again, its expiry was kept).
    pub fn still_valid(&self, now: u64) -> Result<(), ErrorBody> {
        match self {
            Admission::Granted { expires_at, .. } if *expires_at < now => Err(ErrorBody::new(
                ErrorCode::ServerInfoPrivilegeFlagError,
                format!("the privateMapKey this session entered with expired at {expires_at} (now {now}) while the client was away: issue a new one and enter again"),
            )),
            _ => Ok(()),
        }
    }
}

/// What a session may publish under its key, what its client asked to publish, and which
/// refusals the client was told of (so a state stated again after a reconnection is not
/// refused to the app twice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishGate {
    allowed: Publishing,
    asked: Publishing,
    told: Publishing,
}

impl Default for PublishGate {
    fn default() -> Self {
        PublishGate {
            allowed: Publishing {
                audio: true,
                video: true,
            },
            asked: Publishing::NOTHING,
            told: Publishing::NOTHING,
        }
    }
}

impl PublishGate {
    /// The gate under `admission` (entering or switching rooms, or a key presented again).
    pub fn under(self, admission: &Admission) -> PublishGate {
        let allowed = match admission {
            Admission::Unrestricted => PublishGate::default().allowed,
            Admission::Granted { privileges, .. } => Publishing {
                audio: privileges.contains(Privileges::SEND_AUDIO),
                video: privileges.contains(Privileges::SEND_VIDEO),
            },
        };
        PublishGate { allowed, ..self }
    }

    /// The client asks to publish `asked`: what the room is shown (what the key allows of
    /// it), and a refusal for the client when this withholds something it was not yet told of.
    pub fn pass(&mut self, asked: Publishing) -> (Publishing, Option<ErrorBody>) {
        self.asked = asked;
        let shown = Publishing {
            audio: asked.audio && self.allowed.audio,
            video: asked.video && self.allowed.video,
        };
        let withheld = Publishing {
            audio: asked.audio && !shown.audio,
            video: asked.video && !shown.video,
        };
        // News: something withheld that the client was not told of (withholding less is not).
        let news = (withheld.audio && !self.told.audio) || (withheld.video && !self.told.video);
        self.told = withheld;
        (shown, news.then(|| refusal(withheld)))
    }

    /// [`PublishGate::pass`] for what the client asked last (after the key changed).
    pub fn pass_again(&mut self) -> (Publishing, Option<ErrorBody>) {
        self.pass(self.asked)
    }
}

fn refusal(withheld: Publishing) -> ErrorBody {
    if withheld.video {
        let also = if withheld.audio {
            " (nor sending audio, bit 4)"
        } else {
            ""
        };
        return ErrorBody::new(
            ErrorCode::ServerCenterNoPrivilegePushVideo,
            format!("the privateMapKey does not grant sending video (16){also}: the others do not see it published; issue a key with the bit set"),
        );
    }
    ErrorBody::new(
        ErrorCode::ServerInfoPrivilegeFlagError,
        "the privateMapKey does not grant sending audio (4): the others do not see it published; issue a key with the bit set",
    )
}

/// Decide whether `user_id` may enter `room` with `key` (None or empty: no key given).
pub fn admit(
    config: &ServerConfig,
    user_id: &UserId,
    room: &RoomId,
    key: Option<&str>,
) -> Result<Admission, ErrorBody> {
    // An empty key is no key, as in TRTCSwitchRoomParam's default.
    let Some(key) = key.filter(|key| !key.is_empty()) else {
        if config.require_private_map_key {
            return Err(ErrorBody::new(
                ErrorCode::ServerInfoPrivilegeFlagError,
                format!(
                    "this server requires a privateMapKey to enter {room}; sign one with genPrivateMapKey() and set TRTCParams.privateMapKey"
                ),
            ));
        }
        return Ok(Admission::Unrestricted);
    };
    let grant = verify(config, user_id, key)?;
    grant.check_room(room).map_err(flag_error)?;
    grant
        .check_privilege(Privileges::ENTER_ROOM)
        .map_err(|error| {
            ErrorBody::new(
                ErrorCode::ServerCenterNoPrivilegeEnterRoom,
                error.to_string(),
            )
        })?;
    Ok(Admission::Granted {
        privileges: grant.privileges,
        expires_at: grant.expires_at,
    })
}

fn verify(config: &ServerConfig, user_id: &UserId, key: &str) -> Result<Grant, ErrorBody> {
    verify_private_map_key(
        key,
        u64::from(config.sdk_app_id),
        &config.secret_key,
        user_id.as_str(),
        unix_now(),
    )
    .map_err(flag_error)
}

fn flag_error(error: PrivateMapKeyError) -> ErrorBody {
    ErrorBody::new(ErrorCode::ServerInfoPrivilegeFlagError, error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUDIO: Publishing = Publishing {
        audio: true,
        video: false,
    };
    const BOTH: Publishing = Publishing {
        audio: true,
        video: true,
    };

    fn granted(bits: u32) -> Admission {
        Admission::Granted {
            privileges: Privileges(bits),
            expires_at: u64::MAX,
        }
    }

    fn code(refusal: Option<ErrorBody>) -> Option<i32> {
        refusal.map(|body| body.code)
    }

    #[test]
    fn the_gate_shows_what_the_key_grants_and_tells_each_refusal_once() {
        let video_only = granted(2 | 16);
        let mut gate = PublishGate::default().under(&video_only);
        let (shown, refused) = gate.pass(BOTH);
        assert_eq!(
            shown,
            Publishing {
                audio: false,
                video: true
            }
        );
        assert_eq!(code(refused), Some(-100006));
        // Stated again (after a reconnection): withheld still, but not told again.
        assert_eq!(
            gate.pass(BOTH),
            (
                Publishing {
                    audio: false,
                    video: true
                },
                None
            )
        );
        assert_eq!(gate.pass(Publishing::NOTHING), (Publishing::NOTHING, None));
        assert_eq!(code(gate.pass(AUDIO).1), Some(-100006));

        let audio_only = granted(2 | 4);
        let mut gate = PublishGate::default().under(&audio_only);
        let (shown, refused) = gate.pass(BOTH);
        assert_eq!(shown, AUDIO);
        assert_eq!(code(refused), Some(-102013));
        // A key for a room that grants both: the asked state is shown whole.
        assert_eq!(
            gate.under(&Admission::Unrestricted).pass_again(),
            (BOTH, None)
        );
    }
}
