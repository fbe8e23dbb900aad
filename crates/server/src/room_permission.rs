//! Who may enter and open which room: TRTC's privateMapKey, checked at enter and switch.
//!
//! A key, when given, is always checked (a bad one is refused even where none is required);
//! with `require_private_map_key` a session without one for the room is refused too. A key
//! must grant entering (bit 2); a room that does not exist yet also needs creating (bit 1).

use openroom_protocol::messages::ErrorBody;
use openroom_protocol::private_map_key::{
    verify_private_map_key, Grant, PrivateMapKeyError, Privileges,
};
use openroom_protocol::{ErrorCode, RoomId, UserId};

use crate::auth::unix_now;
use crate::config::ServerConfig;
use crate::registry::Registry;

/// What a session may do in the room it is entering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// No key given and none required: what any valid UserSig may do.
    Unrestricted,
    /// What the session's key grants.
    Granted(Privileges),
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
            Admission::Granted(privileges) => privileges.contains(Privileges::CREATE_ROOM),
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
    Ok(Admission::Granted(grant.privileges))
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
