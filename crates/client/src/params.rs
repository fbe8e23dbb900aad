//! enterRoom's parameters, read from the loosely typed object an app passes (a `TRTCParams`
//! instance or a plain object) with an error code and a message for every mistake. What comes
//! out is the wire's [`EnterRequest`], valid by construction.

use openroom_protocol::{
    EnterRequest, ErrorCode, Publishing, Role, RoomId, Scene, SwitchRequest, UserData, UserId,
    PROTOCOL_VERSION,
};
use serde_json::{Map, Value};

/// A refused parameter: the TRTC error code and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParamError {
    pub code: ErrorCode,
    pub message: String,
}

fn refuse(code: ErrorCode, message: impl Into<String>) -> ParamError {
    ParamError {
        code,
        message: message.into(),
    }
}

/// Read `params` (as an app passed it) and `scene` into an enter request. Field names are
/// trtc-electron-sdk's: sdkAppId, userId, userSig, roomId, strRoomId, role.
pub fn enter_request(params: &Value, scene: &Value) -> Result<EnterRequest, ParamError> {
    let Value::Object(fields) = params else {
        return Err(refuse(
            ErrorCode::EnterRoomParamNull,
            "enterRoom needs params: a TRTCParams or {sdkAppId, userId, userSig, roomId | strRoomId}",
        ));
    };
    let sdk_app_id = match fields.get("sdkAppId").and_then(Value::as_u64) {
        Some(id) if id > 0 => u32::try_from(id).map_err(|_| {
            refuse(
                ErrorCode::SdkAppIdInvalid,
                format!("sdkAppId {id} is out of range"),
            )
        })?,
        _ => {
            return Err(refuse(
                ErrorCode::SdkAppIdInvalid,
                format!(
                    "sdkAppId must be a positive integer, got {}",
                    describe(fields.get("sdkAppId"))
                ),
            ))
        }
    };
    let user_id = match fields.get("userId") {
        Some(Value::String(raw)) => {
            UserId::parse(raw).map_err(|e| refuse(ErrorCode::UserIdInvalid, e.to_string()))?
        }
        other => {
            return Err(refuse(
                ErrorCode::UserIdInvalid,
                format!("userId must be a string, got {}", describe(other)),
            ))
        }
    };
    let user_sig = match fields.get("userSig") {
        Some(Value::String(sig)) if !sig.is_empty() => sig.clone(),
        other => {
            return Err(refuse(
                ErrorCode::UserSigInvalid,
                format!(
                    "userSig must be a non-empty string (from genUserSig or TLSSigAPIv2), got {}",
                    describe(other)
                ),
            ))
        }
    };
    let room = room(fields)?;
    let role = match fields.get("role") {
        None | Some(Value::Null) => Role::Anchor,
        Some(value) => match value.as_u64().and_then(Role::from_value) {
            Some(role) => role,
            None => {
                return Err(refuse(
                    ErrorCode::RoomEnterFail,
                    format!(
                        "role must be TRTCRoleAnchor (20) or TRTCRoleAudience (21), got {value}"
                    ),
                ))
            }
        },
    };
    let scene = match scene {
        Value::Null => Scene::VideoCall,
        value => match value.as_u64().and_then(Scene::from_value) {
            Some(scene) => scene,
            None => {
                return Err(refuse(
                    ErrorCode::RoomEnterFail,
                    format!("scene must be a TRTCAppScene (0 to 3), got {value}"),
                ))
            }
        },
    };
    Ok(EnterRequest {
        protocol: PROTOCOL_VERSION,
        sdk_app_id,
        user_id,
        user_sig,
        room,
        role,
        scene,
        // The engine fills in what is published when the session starts.
        publishing: Publishing::NOTHING,
        create_if_missing: create_if_missing(fields)?,
        user_data: user_data(fields.get("userData"))?,
        private_map_key: private_map_key(fields)?,
        resume_key: None,
    })
}

/// TRTC's `privateMapKey`: the room permission ticket, or none when missing, null or empty
/// (TRTCParams' default is null, TRTCSwitchRoomParam's an empty string).
fn private_map_key(fields: &Map<String, Value>) -> Result<Option<String>, ParamError> {
    match fields.get("privateMapKey") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(key)) if key.is_empty() => Ok(None),
        Some(Value::String(key)) => Ok(Some(key.clone())),
        Some(other) => Err(refuse(
            ErrorCode::ServerInfoPrivilegeFlagError,
            format!(
                "privateMapKey must be a string (from genPrivateMapKey or TLSSigAPIv2), got {}",
                describe(Some(other))
            ),
        )),
    }
}

/// OpenRoom's `userData`: the member's data as JSON text (the JS layer serialises the app's
/// value), or nothing.
pub fn user_data(value: Option<&Value>) -> Result<Option<UserData>, ParamError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => UserData::parse(text)
            .map(Some)
            .map_err(|error| refuse(ErrorCode::UserDataInvalid, error.to_string())),
        Some(other) => Err(refuse(
            ErrorCode::UserDataInvalid,
            format!("userData must be given as JSON text, got {other}"),
        )),
    }
}

/// OpenRoom's `createIfMissing` (ZIM's `isCreateWhenRoomNotExisted`): may entering open the
/// room? Default true, as TRTC rooms are created by their first enter.
fn create_if_missing(fields: &Map<String, Value>) -> Result<bool, ParamError> {
    match fields.get("createIfMissing") {
        None | Some(Value::Null) => Ok(true),
        Some(Value::Bool(create)) => Ok(*create),
        Some(other) => Err(refuse(
            ErrorCode::RoomEnterFail,
            format!("createIfMissing must be a boolean, got {other}"),
        )),
    }
}

/// Read switchRoom's `TRTCSwitchRoomParam` (roomId, strRoomId, userSig, privateMapKey). An
/// empty or missing userSig means the one given at enter (`current_sig`).
pub fn switch_request(params: &Value, current_sig: &str) -> Result<SwitchRequest, ParamError> {
    let Value::Object(fields) = params else {
        return Err(refuse(
            ErrorCode::EnterRoomParamNull,
            "switchRoom needs params: a TRTCSwitchRoomParam or {roomId | strRoomId, userSig}",
        ));
    };
    let room = room(fields)?;
    let user_sig = match fields.get("userSig") {
        None | Some(Value::Null) => current_sig.to_owned(),
        Some(Value::String(sig)) if sig.is_empty() => current_sig.to_owned(),
        Some(Value::String(sig)) => sig.clone(),
        Some(other) => {
            return Err(refuse(
                ErrorCode::UserSigInvalid,
                format!("userSig must be a string, got {other}"),
            ))
        }
    };
    Ok(SwitchRequest {
        room,
        user_sig,
        create_if_missing: create_if_missing(fields)?,
        private_map_key: private_map_key(fields)?,
    })
}

fn room(fields: &Map<String, Value>) -> Result<RoomId, ParamError> {
    let invalid = |message: String| refuse(ErrorCode::RoomIdInvalid, message);
    let room_id = match fields.get("roomId") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_u64() {
            Some(n) => Some(n),
            None => {
                return Err(invalid(format!(
                    "roomId {n} is not an integer from 1 to 4294967294"
                )))
            }
        },
        Some(other) => {
            return Err(invalid(format!(
                "roomId must be a number, got {}; for a string room id use strRoomId",
                describe(Some(other))
            )))
        }
    };
    let str_room_id = match fields.get("strRoomId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(other) => {
            return Err(invalid(format!(
                "strRoomId must be a string, got {}",
                describe(Some(other))
            )))
        }
    };
    RoomId::from_params(room_id, str_room_id).map_err(|e| invalid(e.to_string()))
}

/// A value as an error message shows it: its JSON, or "nothing".
fn describe(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "nothing".to_owned(),
        Some(value) => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn user_data_is_json_text_within_its_limit() {
        assert_eq!(user_data(None), Ok(None));
        let given = user_data(Some(&json!(r#"{"name":"Ann"}"#))).unwrap();
        assert_eq!(given.unwrap().as_str(), r#"{"name":"Ann"}"#);
        for bad in [
            json!("{not json"),
            json!({"name": "Ann"}),
            json!("x".repeat(5000)),
        ] {
            assert_eq!(
                user_data(Some(&bad)).unwrap_err().code,
                ErrorCode::UserDataInvalid,
                "{bad}"
            );
        }
    }

    fn code(params: Value) -> ErrorCode {
        enter_request(&params, &json!(0)).unwrap_err().code
    }

    #[test]
    fn reads_trtc_params() {
        let params = json!({"sdkAppId": 1400000001, "userId": "alice", "userSig": "s",
                            "roomId": 0, "strRoomId": "lobby", "role": 21,
                            "privateMapKey": "", "businessInfo": ""});
        let parsed = enter_request(&params, &json!(1)).unwrap();
        assert_eq!(parsed.room, RoomId::StrRoomId("lobby".into()));
        assert_eq!((parsed.role, parsed.scene), (Role::Audience, Scene::Live));
    }

    #[test]
    fn each_mistake_has_its_trtc_code() {
        assert_eq!(code(Value::Null), ErrorCode::EnterRoomParamNull);
        assert_eq!(code(json!("x")), ErrorCode::EnterRoomParamNull);
        let good = json!({"sdkAppId": 1, "userId": "a", "userSig": "s", "roomId": 1});
        let with = |key: &str, value: Value| {
            let mut p = good.clone();
            p[key] = value;
            p
        };
        assert_eq!(code(with("sdkAppId", json!(0))), ErrorCode::SdkAppIdInvalid);
        assert_eq!(
            code(with("sdkAppId", json!("1"))),
            ErrorCode::SdkAppIdInvalid
        );
        assert_eq!(
            code(with("sdkAppId", json!(1.5))),
            ErrorCode::SdkAppIdInvalid
        );
        assert_eq!(code(with("userId", json!("a b"))), ErrorCode::UserIdInvalid);
        assert_eq!(code(with("userId", json!(5))), ErrorCode::UserIdInvalid);
        assert_eq!(code(with("userSig", json!(""))), ErrorCode::UserSigInvalid);
        assert_eq!(code(with("roomId", json!(0))), ErrorCode::RoomIdInvalid);
        assert_eq!(code(with("roomId", json!("12"))), ErrorCode::RoomIdInvalid);
        assert_eq!(
            code(with("roomId", json!(4294967295u64))),
            ErrorCode::RoomIdInvalid
        );
        assert_eq!(code(with("roomId", json!(-1))), ErrorCode::RoomIdInvalid);
        assert_eq!(code(with("role", json!(7))), ErrorCode::RoomEnterFail);
        let err = enter_request(&good, &json!(9)).unwrap_err();
        assert_eq!(err.code, ErrorCode::RoomEnterFail);
        assert!(err.message.contains("scene"), "{}", err.message);
    }

    #[test]
    fn switch_params_reuse_the_enter_sig_when_none_is_given() {
        let request = switch_request(&json!({"strRoomId": "b"}), "old").unwrap();
        assert_eq!(request.room, RoomId::StrRoomId("b".into()));
        assert_eq!(request.user_sig, "old");
        let request = switch_request(&json!({"roomId": 2, "userSig": "new"}), "old").unwrap();
        assert_eq!(
            (request.room, request.user_sig.as_str()),
            (RoomId::RoomId(2), "new")
        );
        assert_eq!(
            switch_request(&json!({"roomId": 0}), "s").unwrap_err().code,
            ErrorCode::RoomIdInvalid
        );
        assert_eq!(
            switch_request(&Value::Null, "s").unwrap_err().code,
            ErrorCode::EnterRoomParamNull
        );
    }

    #[test]
    fn messages_say_what_to_fix() {
        let err = enter_request(
            &json!({"sdkAppId": 1, "userId": "a", "userSig": "s",
                                                 "roomId": "12"}),
            &json!(0),
        )
        .unwrap_err();
        assert!(err.message.contains("use strRoomId"), "{}", err.message);
    }
}
