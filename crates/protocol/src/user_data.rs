//! Member data: what a member says about itself for the others to show (a display name, an
//! avatar URL …), as Qiniu's `userData` and LiveKit's participant metadata. Given at enter,
//! changed while in the room, seen by every member who sees its owner.
//!
//! It is JSON text, carried on the wire as a JSON string: the server relays it without
//! reading it, and the app gets back exactly the value it gave (object keys in its order).

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::limits::MAX_USER_DATA_BYTES;

/// One member's data: JSON text of at most [`MAX_USER_DATA_BYTES`]. Cheap to clone: a room
/// hands the same text to every member.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UserData(Arc<str>);

/// Why text is not member data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserDataError {
    #[error("userData is {bytes} bytes as JSON; at most {MAX_USER_DATA_BYTES} are allowed")]
    TooLarge { bytes: usize },
    #[error("userData is not JSON text: {0}")]
    NotJson(String),
}

impl UserData {
    /// Check `text` (JSON, at most [`MAX_USER_DATA_BYTES`]) and keep it.
    pub fn parse(text: &str) -> Result<UserData, UserDataError> {
        if text.len() > MAX_USER_DATA_BYTES {
            return Err(UserDataError::TooLarge { bytes: text.len() });
        }
        serde_json::from_str::<serde::de::IgnoredAny>(text)
            .map_err(|error| UserDataError::NotJson(error.to_string()))?;
        Ok(UserData(Arc::from(text)))
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Bytes it takes on the wire: the JSON text written as a JSON string (quotes and
    /// backslashes escaped). What a room's budget ([`crate::limits::room_user_data_bytes`]) counts.
    pub fn wire_bytes(&self) -> usize {
        // Each escape is two bytes: quotes and backslashes, and the only control characters
        // JSON text can hold raw (whitespace between its tokens). Plus the two quotes around.
        let escapes = self
            .0
            .bytes()
            .filter(|b| matches!(b, b'"' | b'\\' | b'\n' | b'\r' | b'\t'))
            .count();
        self.0.len() + escapes + 2
    }
}

impl fmt::Debug for UserData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for UserData {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for UserData {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        UserData::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_up_to_the_limit_is_member_data() {
        let data = UserData::parse(r#"{"name":"Ann","avatar":"https://a.example/1.png"}"#);
        assert_eq!(
            data.unwrap().as_str(),
            r#"{"name":"Ann","avatar":"https://a.example/1.png"}"#
        );
        let largest = format!("\"{}\"", "x".repeat(MAX_USER_DATA_BYTES - 2));
        assert!(UserData::parse(&largest).is_ok());
        let over = format!("\"{}\"", "x".repeat(MAX_USER_DATA_BYTES - 1));
        assert_eq!(
            UserData::parse(&over),
            Err(UserDataError::TooLarge {
                bytes: MAX_USER_DATA_BYTES + 1
            })
        );
        assert!(matches!(
            UserData::parse("{name: Ann}"),
            Err(UserDataError::NotJson(_))
        ));
        assert!(matches!(
            UserData::parse(""),
            Err(UserDataError::NotJson(_))
        ));
    }

    #[test]
    fn wire_bytes_are_what_serde_writes() {
        for text in [
            r#"{"a":"b\"c","d":"e\\f"}"#,
            "1",
            r#""\u0001\n""#,
            "[\n\t1,\r2]",
        ] {
            let data = UserData::parse(text).unwrap();
            let wire = serde_json::to_string(&data).unwrap();
            assert_eq!(data.wire_bytes(), wire.len(), "{text}");
            assert_eq!(serde_json::from_str::<UserData>(&wire).unwrap(), data);
        }
        assert!(serde_json::from_str::<UserData>(r#""not json""#).is_err());
    }
}
