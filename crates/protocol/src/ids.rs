//! The id rules, as TRTC defines them. A value of [`UserId`] or [`RoomId`] is valid by
//! construction: every way in (parsing, deserializing) goes through the checks here.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest userId, in bytes (TRTC's limit).
pub const MAX_USER_ID_BYTES: usize = 32;
/// Longest strRoomId, in bytes (TRTC's limit).
pub const MAX_STR_ROOM_ID_BYTES: usize = 64;
/// Largest numeric roomId; 4294967295 is reserved by TRTC.
pub const MAX_ROOM_ID: u32 = 4_294_967_294;

/// Punctuation TRTC allows in a strRoomId besides letters, digits and space.
const STR_ROOM_ID_PUNCTUATION: &str = "!#$%&()+-:;<=.>?@[]^_{}|~,";

/// Why an id was refused; the message says what a valid one looks like.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("userId is empty; give 1 to {MAX_USER_ID_BYTES} characters of A-Z a-z 0-9 _ -")]
    UserIdEmpty,
    #[error("userId is {0} bytes long; the limit is {MAX_USER_ID_BYTES}")]
    UserIdTooLong(usize),
    #[error("userId contains {0:?}; only A-Z a-z 0-9 _ - are allowed")]
    UserIdBadChar(char),
    #[error("roomId {0} is out of range; use an integer from 1 to {MAX_ROOM_ID}")]
    RoomIdOutOfRange(String),
    #[error("strRoomId is empty; give 1 to {MAX_STR_ROOM_ID_BYTES} bytes")]
    StrRoomIdEmpty,
    #[error("strRoomId is {0} bytes long; the limit is {MAX_STR_ROOM_ID_BYTES}")]
    StrRoomIdTooLong(usize),
    #[error("strRoomId contains {0:?}; allowed are letters, digits, space and {STR_ROOM_ID_PUNCTUATION}")]
    StrRoomIdBadChar(char),
    #[error("no room given; set roomId (1 to {MAX_ROOM_ID}) or strRoomId")]
    RoomIdMissing,
}

/// A member's identity within an app: 1 to 32 bytes of `[A-Za-z0-9_-]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserId(String);

impl UserId {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        if raw.is_empty() {
            return Err(IdError::UserIdEmpty);
        }
        if raw.len() > MAX_USER_ID_BYTES {
            return Err(IdError::UserIdTooLong(raw.len()));
        }
        if let Some(bad) = raw
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        {
            return Err(IdError::UserIdBadChar(bad));
        }
        Ok(UserId(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UserId {
    type Error = IdError;
    fn try_from(raw: String) -> Result<Self, IdError> {
        UserId::parse(&raw)
    }
}

impl From<UserId> for String {
    fn from(id: UserId) -> String {
        id.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A room: numeric and string ids are separate namespaces, so roomId 123 and
/// strRoomId "123" are different rooms. On the wire: `{"roomId":123}` or `{"strRoomId":"a"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "WireRoomId")]
pub enum RoomId {
    RoomId(u32),
    StrRoomId(String),
}

/// The unchecked wire form, validated on its way into a [`RoomId`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum WireRoomId {
    RoomId(u64),
    StrRoomId(String),
}

impl TryFrom<WireRoomId> for RoomId {
    type Error = IdError;
    fn try_from(raw: WireRoomId) -> Result<Self, IdError> {
        match raw {
            WireRoomId::RoomId(n) => RoomId::numeric(n),
            WireRoomId::StrRoomId(s) => RoomId::string(&s),
        }
    }
}

impl RoomId {
    /// A numeric roomId, 1 to 4294967294.
    pub fn numeric(n: u64) -> Result<Self, IdError> {
        match u32::try_from(n) {
            Ok(n) if (1..=MAX_ROOM_ID).contains(&n) => Ok(RoomId::RoomId(n)),
            _ => Err(IdError::RoomIdOutOfRange(n.to_string())),
        }
    }

    /// A string roomId: 1 to 64 bytes of letters, digits, space and TRTC's punctuation.
    pub fn string(raw: &str) -> Result<Self, IdError> {
        if raw.is_empty() {
            return Err(IdError::StrRoomIdEmpty);
        }
        if raw.len() > MAX_STR_ROOM_ID_BYTES {
            return Err(IdError::StrRoomIdTooLong(raw.len()));
        }
        if let Some(bad) = raw.chars().find(|c| {
            !(c.is_ascii_alphanumeric() || *c == ' ' || STR_ROOM_ID_PUNCTUATION.contains(*c))
        }) {
            return Err(IdError::StrRoomIdBadChar(bad));
        }
        Ok(RoomId::StrRoomId(raw.to_owned()))
    }

    /// TRTC's rule for enterRoom params: a non-zero roomId wins over strRoomId; a roomId of 0
    /// (the TRTCParams default) means "use strRoomId".
    pub fn from_params(room_id: Option<u64>, str_room_id: Option<&str>) -> Result<Self, IdError> {
        match (room_id, str_room_id) {
            (Some(n), _) if n != 0 => RoomId::numeric(n),
            (_, Some(s)) if !s.is_empty() => RoomId::string(s),
            _ => Err(IdError::RoomIdMissing),
        }
    }
}

impl fmt::Display for RoomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoomId::RoomId(n) => write!(f, "roomId {n}"),
            RoomId::StrRoomId(s) => write!(f, "strRoomId {s:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_accepts_the_allowed_alphabet_up_to_32_bytes() {
        assert!(UserId::parse("alice_01-B").is_ok());
        assert!(UserId::parse(&"a".repeat(32)).is_ok());
        assert_eq!(
            UserId::parse(&"a".repeat(33)),
            Err(IdError::UserIdTooLong(33))
        );
        assert_eq!(UserId::parse(""), Err(IdError::UserIdEmpty));
        assert_eq!(UserId::parse("al ice"), Err(IdError::UserIdBadChar(' ')));
        assert_eq!(UserId::parse("bob@x"), Err(IdError::UserIdBadChar('@')));
        assert_eq!(UserId::parse("é"), Err(IdError::UserIdBadChar('é')));
    }

    #[test]
    fn numeric_room_id_range_is_1_to_4294967294() {
        assert_eq!(RoomId::numeric(1), Ok(RoomId::RoomId(1)));
        assert_eq!(
            RoomId::numeric(4_294_967_294),
            Ok(RoomId::RoomId(4_294_967_294))
        );
        assert!(RoomId::numeric(0).is_err());
        assert!(RoomId::numeric(4_294_967_295).is_err());
        assert!(RoomId::numeric(u64::MAX).is_err());
    }

    #[test]
    fn str_room_id_allows_trtc_punctuation_and_space() {
        let all = "aZ09 !#$%&()+-:;<=.>?@[]^_{}|~,";
        assert_eq!(RoomId::string(all), Ok(RoomId::StrRoomId(all.to_owned())));
        assert!(RoomId::string(&"x".repeat(64)).is_ok());
        assert_eq!(
            RoomId::string(&"x".repeat(65)),
            Err(IdError::StrRoomIdTooLong(65))
        );
        assert_eq!(RoomId::string(""), Err(IdError::StrRoomIdEmpty));
        for bad in ['*', '/', '"', '\'', '\\', '`', '\n', '中'] {
            assert_eq!(
                RoomId::string(&format!("room{bad}")),
                Err(IdError::StrRoomIdBadChar(bad))
            );
        }
    }

    #[test]
    fn numeric_and_string_rooms_are_separate_namespaces() {
        assert_ne!(
            RoomId::numeric(123).unwrap(),
            RoomId::string("123").unwrap()
        );
    }

    #[test]
    fn non_zero_room_id_wins_over_str_room_id() {
        assert_eq!(
            RoomId::from_params(Some(7), Some("abc")),
            Ok(RoomId::RoomId(7))
        );
        assert_eq!(
            RoomId::from_params(Some(0), Some("abc")),
            Ok(RoomId::StrRoomId("abc".into()))
        );
        assert_eq!(RoomId::from_params(None, None), Err(IdError::RoomIdMissing));
        assert_eq!(
            RoomId::from_params(Some(0), Some("")),
            Err(IdError::RoomIdMissing)
        );
    }

    #[test]
    fn wire_form_round_trips_and_is_validated_on_the_way_in() {
        let room = RoomId::string("abc").unwrap();
        let json = serde_json::to_string(&room).unwrap();
        assert_eq!(json, r#"{"strRoomId":"abc"}"#);
        assert_eq!(serde_json::from_str::<RoomId>(&json).unwrap(), room);
        assert_eq!(
            serde_json::to_string(&RoomId::RoomId(9)).unwrap(),
            r#"{"roomId":9}"#
        );
        assert!(serde_json::from_str::<RoomId>(r#"{"roomId":0}"#).is_err());
        assert!(serde_json::from_str::<RoomId>(r#"{"strRoomId":"a/b"}"#).is_err());
        assert!(serde_json::from_str::<UserId>(r#""a b""#).is_err());
    }
}
