//! What a REST call asks for, read from its body into a typed request, or refused with the
//! Tencent error code and a message naming the field. Pure: no room, no I/O, so every body a
//! caller can send is tested (and fuzzed) here on its own.

use std::time::Duration;

use axum::http::StatusCode;
use base64::Engine as _;
use openroom_protocol::custom;
use openroom_protocol::{RoomId, UserId, WarningCode};
use serde_json::{Map, Value};

use super::ApiError;
use crate::config::{millis, RoomLimits, MAX_EMPTY_ROOM_TIMEOUT};

/// TRTC's limit on UserIds in one RemoveUser call.
pub const MAX_USER_IDS: usize = 10;
/// The longest page ListRooms returns.
pub const MAX_PAGE: u64 = 100;
const DEFAULT_PAGE: u64 = 20;

/// Which form of RoomId an action takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomIdForm {
    Numeric,
    String,
}

/// The actions of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    RemoveUser(RoomIdForm),
    DismissRoom(RoomIdForm),
    CreateRoom(RoomIdForm),
    DescribeRoom(RoomIdForm),
    SendCustomMessage(RoomIdForm),
    ListRooms,
}

impl Action {
    /// Every action, as its path names it: the one list the router and the help for an
    /// unknown path both read.
    pub const ALL: [(&'static str, Action); 11] = [
        ("RemoveUser", Action::RemoveUser(RoomIdForm::Numeric)),
        (
            "RemoveUserByStrRoomId",
            Action::RemoveUser(RoomIdForm::String),
        ),
        ("DismissRoom", Action::DismissRoom(RoomIdForm::Numeric)),
        (
            "DismissRoomByStrRoomId",
            Action::DismissRoom(RoomIdForm::String),
        ),
        ("CreateRoom", Action::CreateRoom(RoomIdForm::Numeric)),
        (
            "CreateRoomByStrRoomId",
            Action::CreateRoom(RoomIdForm::String),
        ),
        ("DescribeRoom", Action::DescribeRoom(RoomIdForm::Numeric)),
        (
            "DescribeRoomByStrRoomId",
            Action::DescribeRoom(RoomIdForm::String),
        ),
        (
            "SendCustomMessage",
            Action::SendCustomMessage(RoomIdForm::Numeric),
        ),
        (
            "SendCustomMessageByStrRoomId",
            Action::SendCustomMessage(RoomIdForm::String),
        ),
        ("ListRooms", Action::ListRooms),
    ];
}

/// A call's body, checked and typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    RemoveUser {
        room: RoomId,
        user_ids: Vec<UserId>,
    },
    DismissRoom {
        room: RoomId,
    },
    CreateRoom {
        room: RoomId,
        max_members: usize,
        empty_timeout: Duration,
    },
    DescribeRoom {
        room: RoomId,
    },
    /// A custom message from `administrator`: CmdId 1–10, at most 1 KB, to every member or
    /// to `to`.
    SendCustomMessage {
        room: RoomId,
        cmd_id: u8,
        data: Vec<u8>,
        to: Option<Vec<UserId>>,
    },
    ListRooms {
        offset: u64,
        limit: u64,
    },
}

/// Read `body` as `action`'s request, for a server of `sdk_app_id` with `limits`.
pub fn parse(
    action: Action,
    body: &[u8],
    sdk_app_id: u32,
    limits: &RoomLimits,
) -> Result<Request, ApiError> {
    let body = object(body)?;
    check_sdk_app_id(&body, sdk_app_id)?;
    Ok(match action {
        Action::RemoveUser(form) => Request::RemoveUser {
            room: room_id(&body, form)?,
            user_ids: user_ids(&body)?,
        },
        Action::DismissRoom(form) => Request::DismissRoom {
            room: room_id(&body, form)?,
        },
        Action::DescribeRoom(form) => Request::DescribeRoom {
            room: room_id(&body, form)?,
        },
        Action::CreateRoom(form) => {
            let room = room_id(&body, form)?;
            let most = limits.max_members_per_room as u64;
            let max_members = bounded_field(&body, Field::MaxMembers, 1..=most, most)? as usize;
            let empty_timeout = Duration::from_millis(bounded_field(
                &body,
                Field::EmptyRoomTimeoutMs,
                0..=millis(MAX_EMPTY_ROOM_TIMEOUT),
                millis(limits.empty_room_timeout),
            )?);
            Request::CreateRoom {
                room,
                max_members,
                empty_timeout,
            }
        }
        Action::SendCustomMessage(form) => {
            let room = room_id(&body, form)?;
            let cmd_id = cmd_id(&body)?;
            let data = message_data(&body)?;
            let cmd_id = custom::check_message(cmd_id, data.len()).map_err(|refusal| {
                let code = match refusal.code {
                    WarningCode::CustomCmdTooLarge => "InvalidParameter.Data",
                    _ => "InvalidParameter.CmdId",
                };
                ApiError::invalid(code, refusal.message)
            })?;
            let to = match body.get("UserIds") {
                Some(_) => Some(user_ids(&body)?),
                None => None,
            };
            Request::SendCustomMessage {
                room,
                cmd_id,
                data,
                to,
            }
        }
        Action::ListRooms => Request::ListRooms {
            offset: bounded_field(&body, Field::Offset, 0..=u64::from(u32::MAX), 0)?,
            limit: bounded_field(&body, Field::Limit, 1..=MAX_PAGE, DEFAULT_PAGE)?,
        },
    })
}

/// The body as a JSON object.
fn object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::invalid(
            "InvalidParameter",
            "the body must be a JSON object",
        )),
        Err(error) => Err(ApiError::invalid(
            "InvalidParameter",
            format!("the body is not JSON: {error}"),
        )),
    }
}

/// The body's `SdkAppId` must be this server's.
fn check_sdk_app_id(body: &Map<String, Value>, expected: u32) -> Result<(), ApiError> {
    match body.get("SdkAppId").and_then(Value::as_u64) {
        Some(found) if found == u64::from(expected) => Ok(()),
        Some(found) => Err(ApiError::invalid(
            "InvalidParameter.SdkAppId",
            format!("SdkAppId {found} is not served here; this server's is {expected}"),
        )),
        None => Err(ApiError::invalid(
            "InvalidParameter.SdkAppId",
            format!("SdkAppId is missing or not a positive integer; this server's is {expected}"),
        )),
    }
}

/// The optional integer fields of the API, each with its own error code.
#[derive(Clone, Copy)]
enum Field {
    Offset,
    Limit,
    MaxMembers,
    EmptyRoomTimeoutMs,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Offset => "Offset",
            Field::Limit => "Limit",
            Field::MaxMembers => "MaxMembers",
            Field::EmptyRoomTimeoutMs => "EmptyRoomTimeoutMs",
        }
    }

    fn error_code(self) -> &'static str {
        match self {
            Field::Offset => "InvalidParameter.Offset",
            Field::Limit => "InvalidParameter.Limit",
            Field::MaxMembers => "InvalidParameter.MaxMembers",
            Field::EmptyRoomTimeoutMs => "InvalidParameter.EmptyRoomTimeoutMs",
        }
    }
}

/// An optional integer field: `default` when absent, else an integer within `range`.
fn bounded_field(
    body: &Map<String, Value>,
    field: Field,
    range: std::ops::RangeInclusive<u64>,
    default: u64,
) -> Result<u64, ApiError> {
    let Some(value) = body.get(field.name()) else {
        return Ok(default);
    };
    value.as_u64().filter(|n| range.contains(n)).ok_or_else(|| {
        ApiError::invalid(
            field.error_code(),
            format!(
                "{} must be an integer from {} to {}, got {value}",
                field.name(),
                range.start(),
                range.end()
            ),
        )
    })
}

fn room_id(body: &Map<String, Value>, form: RoomIdForm) -> Result<RoomId, ApiError> {
    let value = body.get("RoomId");
    let parsed = match (form, value) {
        (_, None) => Err("RoomId is missing".to_owned()),
        (RoomIdForm::Numeric, Some(Value::Number(n))) => match n.as_u64() {
            Some(n) => RoomId::numeric(n).map_err(|e| e.to_string()),
            None => Err(format!("RoomId {n} is not a positive integer")),
        },
        (RoomIdForm::Numeric, Some(_)) => {
            Err("RoomId must be a number here; for a string room id use the ByStrRoomId action".to_owned())
        }
        (RoomIdForm::String, Some(Value::String(s))) => RoomId::string(s).map_err(|e| e.to_string()),
        (RoomIdForm::String, Some(_)) => {
            Err("RoomId must be a string here; for a numeric room id use the action without ByStrRoomId".to_owned())
        }
    };
    parsed.map_err(|message| ApiError::invalid("InvalidParameter.RoomId", message))
}

fn user_ids(body: &Map<String, Value>) -> Result<Vec<UserId>, ApiError> {
    let invalid = |message: String| ApiError::invalid("InvalidParameter.UserIds", message);
    let Some(Value::Array(items)) = body.get("UserIds") else {
        return Err(invalid(format!(
            "UserIds must be an array of 1 to {MAX_USER_IDS} userIds"
        )));
    };
    if items.is_empty() || items.len() > MAX_USER_IDS {
        return Err(invalid(format!(
            "UserIds has {} entries; give 1 to {MAX_USER_IDS}",
            items.len()
        )));
    }
    items
        .iter()
        .map(|item| match item {
            Value::String(s) => UserId::parse(s).map_err(|e| invalid(e.to_string())),
            other => Err(invalid(format!("UserIds entry {other} is not a string"))),
        })
        .collect()
}

fn cmd_id(body: &Map<String, Value>) -> Result<i64, ApiError> {
    match body.get("CmdId") {
        Some(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64().unwrap_or(0)),
        Some(other) => Err(ApiError::invalid(
            "InvalidParameter.CmdId",
            format!("CmdId must be an integer from 1 to 10, got {other}"),
        )),
        None => Err(ApiError::invalid(
            "InvalidParameter.CmdId",
            "CmdId is missing: give an integer from 1 to 10",
        )),
    }
}

/// The bytes of a SendCustomMessage: `Data` (base64) or `Text` (UTF-8), exactly one.
fn message_data(body: &Map<String, Value>) -> Result<Vec<u8>, ApiError> {
    let invalid = |message: String| ApiError::invalid("InvalidParameter.Data", message);
    match (body.get("Data"), body.get("Text")) {
        (Some(Value::String(data)), None) => base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|error| invalid(format!("Data must be base64: {error}"))),
        (None, Some(Value::String(text))) => Ok(text.clone().into_bytes()),
        (None, None) => Err(invalid(
            "give the message as Data (base64) or Text (a string)".into(),
        )),
        (Some(_), Some(_)) => Err(invalid("give Data or Text, not both".into())),
        _ => Err(invalid("Data and Text must be strings".into())),
    }
}

impl ApiError {
    /// 400 with a Tencent error code.
    pub(crate) fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: u32 = 1_400_000_001;

    fn parsed(action: Action, body: Value) -> Result<Request, &'static str> {
        parse(
            action,
            body.to_string().as_bytes(),
            APP,
            &RoomLimits::default(),
        )
        .map_err(|error| error.code())
    }

    #[test]
    fn each_action_reads_its_fields() {
        let numeric = RoomIdForm::Numeric;
        assert_eq!(
            parsed(
                Action::RemoveUser(numeric),
                serde_json::json!({"SdkAppId": APP, "RoomId": 5, "UserIds": ["a", "b"]})
            ),
            Ok(Request::RemoveUser {
                room: RoomId::RoomId(5),
                user_ids: vec![UserId::parse("a").unwrap(), UserId::parse("b").unwrap()]
            })
        );
        assert_eq!(
            parsed(
                Action::SendCustomMessage(RoomIdForm::String),
                serde_json::json!({"SdkAppId": APP, "RoomId": "lobby", "CmdId": 3, "Text": "hi"})
            ),
            Ok(Request::SendCustomMessage {
                room: RoomId::string("lobby").unwrap(),
                cmd_id: 3,
                data: b"hi".to_vec(),
                to: None
            })
        );
        assert_eq!(
            parsed(Action::ListRooms, serde_json::json!({"SdkAppId": APP})),
            Ok(Request::ListRooms {
                offset: 0,
                limit: DEFAULT_PAGE
            })
        );
    }

    #[test]
    fn bad_bodies_are_refused_with_the_field_they_got_wrong() {
        let numeric = RoomIdForm::Numeric;
        for (action, body, code) in [
            (
                Action::ListRooms,
                serde_json::json!([1]),
                "InvalidParameter",
            ),
            (
                Action::ListRooms,
                serde_json::json!({}),
                "InvalidParameter.SdkAppId",
            ),
            (
                Action::ListRooms,
                serde_json::json!({"SdkAppId": APP, "Limit": 101}),
                "InvalidParameter.Limit",
            ),
            (
                Action::DismissRoom(numeric),
                serde_json::json!({"SdkAppId": APP, "RoomId": "x"}),
                "InvalidParameter.RoomId",
            ),
            (
                Action::RemoveUser(numeric),
                serde_json::json!({"SdkAppId": APP, "RoomId": 1, "UserIds": []}),
                "InvalidParameter.UserIds",
            ),
            (
                Action::CreateRoom(numeric),
                serde_json::json!({"SdkAppId": APP, "RoomId": 1, "MaxMembers": 0}),
                "InvalidParameter.MaxMembers",
            ),
            (
                Action::SendCustomMessage(numeric),
                serde_json::json!({"SdkAppId": APP, "RoomId": 1, "CmdId": 11, "Text": "x"}),
                "InvalidParameter.CmdId",
            ),
            (
                Action::SendCustomMessage(numeric),
                serde_json::json!({"SdkAppId": APP, "RoomId": 1, "CmdId": 1, "Data": "%%"}),
                "InvalidParameter.Data",
            ),
        ] {
            assert_eq!(parsed(action, body.clone()), Err(code), "{body}");
        }
        let not_json = parse(Action::ListRooms, b"{", APP, &RoomLimits::default());
        assert_eq!(not_json.map_err(|e| e.code()), Err("InvalidParameter"));
    }
}
