//! Every number the API hands to an app: error codes (TRTC's `TXLiteAVError` values) and the
//! reasons carried by `onExitRoom` and `onRemoteUserLeaveRoom`. One enum per meaning, so a
//! path that ends a session has to name why.

use serde::{Deserialize, Deserializer};
use serde_repr::{Deserialize_repr, Serialize_repr};

/// Declares a code enum whose variants each write their doc, value and JS name once, and
/// derives from that one list `ALL` (every code, for the JS tables) and the name function.
macro_rules! codes {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $repr:ident, $name_fn:ident,
            $name_doc:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => $js:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[repr($repr)]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $value, )*
        }

        impl $name {
            /// Every code, in order, for tables and for the JS objects.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            #[doc = $name_doc]
            pub fn $name_fn(self) -> &'static str {
                match self {
                    $($name::$variant => $js,)*
                }
            }
        }
    };
}

codes! {
    /// Error codes with trtc-electron-sdk's names and values, so an app's existing error
    /// handling keeps working.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize_repr, Deserialize_repr)]
    pub enum ErrorCode: i32, trtc_name,
        "The constant's name in trtc-electron-sdk's `TXLiteAVError`." {
        /// Entering failed: the server is unreachable or refused; the message says why.
        RoomEnterFail = -3301 => "ERR_ROOM_ENTER_FAIL",
        /// The server did not answer the enter request in time.
        RoomRequestEnterRoomTimeout = -3308 => "ERR_ROOM_REQUEST_ENTER_ROOM_TIMEOUT",
        /// `enterRoom` was called without params.
        EnterRoomParamNull = -3316 => "ERR_ENTER_ROOM_PARAM_NULL",
        /// `sdkAppId` is missing, not a positive integer, or not the server's.
        SdkAppIdInvalid = -3317 => "ERR_SDK_APPID_INVALID",
        /// Neither a valid `roomId` nor a valid `strRoomId` was given.
        RoomIdInvalid = -3318 => "ERR_ROOM_ID_INVALID",
        /// `userId` is missing or breaks the id rules.
        UserIdInvalid = -3319 => "ERR_USER_ID_INVALID",
        /// The UserSig is missing, forged, expired, or signed for another user or app.
        UserSigInvalid = -3320 => "ERR_USER_SIG_INVALID",
        /// The privateMapKey is forged, expired, signed for another user or app, or for another
        /// room; or the server requires one and none was given.
        ServerInfoPrivilegeFlagError = -100006 => "ERR_SERVER_INFO_PRIVILEGE_FLAG_ERROR",
        /// The privateMapKey does not grant creating rooms (bit 1) and the room does not exist.
        ServerCenterNoPrivilegeCreateRoom = -102010 => "ERR_SERVER_CENTER_NO_PRIVILEDGE_CREATE_ROOM",
        /// The privateMapKey does not grant entering the room (bit 2).
        ServerCenterNoPrivilegeEnterRoom = -102011 => "ERR_SERVER_CENTER_NO_PRIVILEDGE_ENTER_ROOM",
        /// The privateMapKey does not grant sending video (bit 16): the camera stays unpublished
        /// and the others see nothing. (Sending audio without bit 4 is refused with
        /// `ServerInfoPrivilegeFlagError`: trtc_code.js has no code of its own for it.)
        ServerCenterNoPrivilegePushVideo = -102013 => "ERR_SERVER_CENTER_NO_PRIVILEDGE_PUSH_VIDEO",
        /// OpenRoom's: the room has as many members as its limit allows. (TRTC has no such code;
        /// -7000 and below are OpenRoom's own, clear of TRTC's ranges.)
        RoomFull = -7001 => "ERR_ROOM_FULL",
        /// OpenRoom's: the server has as many rooms open as its limit allows.
        ServerRoomLimit = -7002 => "ERR_SERVER_ROOM_LIMIT",
        /// OpenRoom's: the server no longer holds the session a client asked to resume (it timed
        /// out, or the server restarted); the client enters the room again.
        SessionExpired = -7003 => "ERR_SESSION_EXPIRED",
        /// OpenRoom's: the connection was lost and every reconnection attempt failed (or
        /// reconnection is off); the room was left.
        ReconnectFailed = -7004 => "ERR_RECONNECT_FAILED",
        /// OpenRoom's: the room does not exist and may not be created by entering it (the request
        /// said `createIfMissing: false`, or the server creates rooms only through CreateRoom).
        RoomNotFound = -7005 => "ERR_ROOM_NOT_FOUND",
        /// OpenRoom's: the errCode of onMissCustomCmdMsg: unreliable custom messages were dropped
        /// because this member fell behind.
        CustomCmdMissed = -7006 => "ERR_CUSTOM_CMD_MISSED",
        /// OpenRoom's: switchRole in a scene without roles (VideoCall, AudioCall: everyone is an
        /// anchor there).
        RoleNotSupported = -7007 => "ERR_ROLE_NOT_SUPPORTED",
        /// OpenRoom's: switchRole with a value that is not a TRTCRoleType (20 or 21).
        RoleInvalid = -7008 => "ERR_ROLE_INVALID",
        /// OpenRoom's: a call that needs a room (switchRole) made outside one.
        NotInRoom = -7009 => "ERR_NOT_IN_ROOM",
        /// OpenRoom's: too many requests of one kind in a short time (rooms opened by one user,
        /// state changes by one session); nothing changed. Try again in a second.
        RateLimited = -7010 => "ERR_RATE_LIMITED",
        /// OpenRoom's: member data (`userData`) that is not JSON, is larger than
        /// [`crate::limits::MAX_USER_DATA_BYTES`], or would take the room past
        /// its budget of member data ([`crate::limits::room_user_data_bytes`]); nothing changed.
        UserDataInvalid = -7011 => "ERR_USER_DATA_INVALID",
        /// OpenRoom's: a resume that does not prove it comes from the client that entered (no
        /// proof, a bad signature, or a counter already used: a recorded frame played again). The
        /// session is untouched.
        ResumeRefused = -7012 => "ERR_RESUME_REFUSED",
    }
}

impl ErrorCode {
    /// The numeric value an app sees.
    pub fn value(self) -> i32 {
        self as i32
    }
}

codes! {
    /// Warning codes: `onWarning(code, message)` says something the app asked for did not happen,
    /// though nothing is broken (TRTC passes its warnings the same way). OpenRoom's own are 7101
    /// and up, clear of TRTC's ranges.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize_repr, Deserialize_repr)]
    pub enum WarningCode: i32, name,
        "The constant's name in the JS `TXLiteAVWarning` object." {
        /// sendCustomCmdMsg outside a room.
        CustomCmdNotInRoom = 7101 => "WARNING_CUSTOM_CMD_NOT_IN_ROOM",
        /// sendCustomCmdMsg with a cmdId outside 1–10, or data that is not a string or bytes.
        CustomCmdInvalid = 7102 => "WARNING_CUSTOM_CMD_INVALID",
        /// sendCustomCmdMsg with more than 1 KB of data.
        CustomCmdTooLarge = 7103 => "WARNING_CUSTOM_CMD_TOO_LARGE",
        /// More than 30 custom messages in one second.
        CustomCmdRateLimited = 7104 => "WARNING_CUSTOM_CMD_RATE_LIMITED",
        /// More than 8 KB of custom messages in one second.
        CustomCmdBandwidthLimited = 7105 => "WARNING_CUSTOM_CMD_BANDWIDTH_LIMITED",
        /// sendCustomCmdMsg from an audience member (LIVE, VoiceChatRoom): only anchors send, as in
        /// TRTC; the others do not see audience members.
        CustomCmdAudience = 7106 => "WARNING_CUSTOM_CMD_AUDIENCE",
        /// sendCustomCmdMsg while [`crate::custom::MAX_UNACKNOWLEDGED_MESSAGES`] messages wait for
        /// the server to take them (it is slow, or the connection is down): this one was not
        /// accepted, so nothing accepted is ever dropped. Try again after a moment.
        CustomCmdSendBufferFull = 7107 => "WARNING_CUSTOM_CMD_SEND_BUFFER_FULL",
        /// The server sent a frame this client cannot read (a newer or broken server); it was
        /// skipped.
        ServerFrameUnreadable = 7108 => "WARNING_SERVER_FRAME_UNREADABLE",
        /// The connection was lost and the server no longer held the session: custom messages
        /// written just before the loss, that the server had not yet said it took, may not have
        /// reached the room. The message says how many.
        CustomCmdUnconfirmed = 7109 => "WARNING_CUSTOM_CMD_UNCONFIRMED",
    }
}

impl WarningCode {
    pub fn value(self) -> i32 {
        self as i32
    }
}

/// Why this client left a room: the argument of `onExitRoom(reason)` (TRTC's values). A
/// reason this build does not know (from a newer server) reads as `Removed`: the server ended
/// the session, which is all a client can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize_repr)]
#[repr(u8)]
pub enum ExitReason {
    /// The app called `exitRoom()` (or `destroy()`).
    Exited = 0,
    /// The server removed this user (REST `RemoveUser`).
    Removed = 1,
    /// The room was dismissed (REST `DismissRoom`).
    Dismissed = 2,
    /// Another login of the same userId entered this room (another device); the newer one
    /// wins. ZIM's KickedOutByOtherDevice, LiveKit's DUPLICATE_IDENTITY.
    Replaced = 3,
}

/// Why another member left: the second argument of `onRemoteUserLeaveRoom(userId, reason)`
/// (TRTC's values). A reason this build does not know (from a newer server) reads as
/// `ConnectionLost`: the member is gone, for a reason this client cannot name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize_repr)]
#[repr(u8)]
pub enum LeaveReason {
    /// The member called `exitRoom()`, or closed its connection cleanly.
    Exited = 0,
    /// The member's connection was lost without a goodbye.
    ConnectionLost = 1,
    /// The server removed the member (REST `RemoveUser`).
    Removed = 2,
    /// The anchor switched to audience (switchRole): still in the room, no longer seen.
    SwitchedToAudience = 3,
}

impl ExitReason {
    pub const ALL: [ExitReason; 4] = [
        ExitReason::Exited,
        ExitReason::Removed,
        ExitReason::Dismissed,
        ExitReason::Replaced,
    ];

    /// The name in the JS API's `ExitRoomReason`.
    pub fn name(self) -> &'static str {
        match self {
            ExitReason::Exited => "Exited",
            ExitReason::Removed => "Removed",
            ExitReason::Dismissed => "Dismissed",
            ExitReason::Replaced => "Replaced",
        }
    }
}

impl LeaveReason {
    pub const ALL: [LeaveReason; 4] = [
        LeaveReason::Exited,
        LeaveReason::ConnectionLost,
        LeaveReason::Removed,
        LeaveReason::SwitchedToAudience,
    ];

    /// The name in the JS API's `RemoteLeaveReason`.
    pub fn name(self) -> &'static str {
        match self {
            LeaveReason::Exited => "Exited",
            LeaveReason::ConnectionLost => "ConnectionLost",
            LeaveReason::Removed => "Removed",
            LeaveReason::SwitchedToAudience => "SwitchedToAudience",
        }
    }
}

impl<'de> Deserialize<'de> for ExitReason {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match u8::deserialize(deserializer)? {
            0 => ExitReason::Exited,
            2 => ExitReason::Dismissed,
            3 => ExitReason::Replaced,
            _ => ExitReason::Removed,
        })
    }
}

impl<'de> Deserialize<'de> for LeaveReason {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match u8::deserialize(deserializer)? {
            0 => LeaveReason::Exited,
            2 => LeaveReason::Removed,
            3 => LeaveReason::SwitchedToAudience,
            _ => LeaveReason::ConnectionLost,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each table the JS API is built from lists every variant: a match with no wildcard
    /// stops compiling when a variant is added, and the count must then be raised with it.
    #[test]
    fn the_tables_list_every_variant_once() {
        fn exits(reason: ExitReason) -> usize {
            match reason {
                ExitReason::Exited
                | ExitReason::Removed
                | ExitReason::Dismissed
                | ExitReason::Replaced => 4,
            }
        }
        fn leaves(reason: LeaveReason) -> usize {
            match reason {
                LeaveReason::Exited
                | LeaveReason::ConnectionLost
                | LeaveReason::Removed
                | LeaveReason::SwitchedToAudience => 4,
            }
        }
        let distinct = |values: Vec<u32>| {
            values
                .iter()
                .collect::<std::collections::HashSet<_>>()
                .len()
        };
        assert_eq!(ExitReason::ALL.len(), exits(ExitReason::Exited));
        assert_eq!(LeaveReason::ALL.len(), leaves(LeaveReason::Exited));
        assert_eq!(
            distinct(ExitReason::ALL.iter().map(|r| *r as u32).collect()),
            4
        );
        assert_eq!(
            distinct(LeaveReason::ALL.iter().map(|r| *r as u32).collect()),
            4
        );
        let codes: Vec<u32> = ErrorCode::ALL.iter().map(|c| c.value() as u32).collect();
        assert_eq!(distinct(codes), ErrorCode::ALL.len());
    }

    #[test]
    fn reasons_of_a_newer_server_read_as_the_nearest_known_one() {
        let exit = |text: &str| serde_json::from_str::<ExitReason>(text).unwrap();
        let leave = |text: &str| serde_json::from_str::<LeaveReason>(text).unwrap();
        assert_eq!(
            [exit("0"), exit("1"), exit("2"), exit("3"), exit("9")],
            [
                ExitReason::Exited,
                ExitReason::Removed,
                ExitReason::Dismissed,
                ExitReason::Replaced,
                ExitReason::Removed
            ]
        );
        assert_eq!(
            [leave("0"), leave("1"), leave("2"), leave("3"), leave("200")],
            [
                LeaveReason::Exited,
                LeaveReason::ConnectionLost,
                LeaveReason::Removed,
                LeaveReason::SwitchedToAudience,
                LeaveReason::ConnectionLost
            ]
        );
        // Not a number at all is still an error.
        assert!(serde_json::from_str::<ExitReason>("\"gone\"").is_err());
        assert!(serde_json::from_str::<LeaveReason>("-1").is_err());
    }
}
