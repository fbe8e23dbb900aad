//! privateMapKey: TRTC's room permission ticket, byte-compatible with Tencent's TLSSigAPIv2
//! `genPrivateMapKey` / `genPrivateMapKeyWithStringRoomID`, so an app's existing signing
//! backend keeps working against an OpenRoom server.
//!
//! A privateMapKey is a UserSig (see [`crate::usersig`]) whose signed `TLS.userbuf` is a
//! grant: which room the user may use, what they may do there, and until when. The userbuf
//! is big-endian binary:
//!
//! | bytes | field |
//! |---|---|
//! | 1 | version: 0 names a numeric room, 1 a string room |
//! | 2 + n | length of the userId, then its bytes |
//! | 4 | sdkAppId |
//! | 4 | numeric room id (0 in version 1) |
//! | 4 | expiry, as unix time (issue time + validity) |
//! | 4 | privilege map (the `Privileges` bits) |
//! | 4 | account type (always 0) |
//! | 2 + n | version 1 only: length of the string room id, then its bytes |

use std::fmt;

use crate::ids::RoomId;
use crate::usersig::{gen_user_sig_with_userbuf, verify_user_sig_with_userbuf, SigError};

/// The permitted actions, TRTC's privilege bits. 255 grants everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Privileges(pub u32);

impl Privileges {
    pub const CREATE_ROOM: Privileges = Privileges(1);
    pub const ENTER_ROOM: Privileges = Privileges(2);
    pub const SEND_AUDIO: Privileges = Privileges(4);
    pub const RECEIVE_AUDIO: Privileges = Privileges(8);
    pub const SEND_VIDEO: Privileges = Privileges(16);
    pub const RECEIVE_VIDEO: Privileges = Privileges(32);
    pub const SEND_SUB_VIDEO: Privileges = Privileges(64);
    pub const RECEIVE_SUB_VIDEO: Privileges = Privileges(128);
    pub const ALL: Privileges = Privileges(255);

    /// Whether every bit of `wanted` is granted.
    pub fn contains(self, wanted: Privileges) -> bool {
        self.0 & wanted.0 == wanted.0
    }

    /// The name of a single privilege bit, for messages.
    fn name(self) -> &'static str {
        match self.0 {
            1 => "create room (1)",
            2 => "enter room (2)",
            4 => "send audio (4)",
            8 => "receive audio (8)",
            16 => "send video (16)",
            32 => "receive video (32)",
            64 => "send sub video (64)",
            128 => "receive sub video (128)",
            _ => "several privileges",
        }
    }
}

impl fmt::Display for Privileges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a verified privateMapKey permits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The one room the key is for.
    pub room: RoomId,
    pub privileges: Privileges,
    /// Unix time after which the grant is void.
    pub expires_at: u64,
}

impl Grant {
    /// Ok when the grant is for `room`.
    pub fn check_room(&self, room: &RoomId) -> Result<(), PrivateMapKeyError> {
        if self.room == *room {
            return Ok(());
        }
        Err(PrivateMapKeyError::WrongRoom {
            granted: self.room.clone(),
            wanted: room.clone(),
        })
    }

    /// Ok when the grant includes `needed` (one bit).
    pub fn check_privilege(&self, needed: Privileges) -> Result<(), PrivateMapKeyError> {
        if self.privileges.contains(needed) {
            return Ok(());
        }
        Err(PrivateMapKeyError::MissingPrivilege {
            needed,
            granted: self.privileges.0,
        })
    }
}

/// Why a privateMapKey was refused. Each message names the check that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrivateMapKeyError {
    #[error("privateMapKey is not valid: {0} (a privateMapKey is a UserSig carrying a room grant; sign it with genPrivateMapKey())")]
    Sig(#[from] SigError),
    #[error("privateMapKey carries no room grant (TLS.userbuf); it looks like a plain UserSig: sign one with genPrivateMapKey() or TLSSigAPIv2's genPrivateMapKey")]
    NoGrant,
    #[error("privateMapKey's room grant is malformed ({0}); sign it with genPrivateMapKey() or TLSSigAPIv2's genPrivateMapKey")]
    MalformedGrant(String),
    #[error("privateMapKey's room grant names {field} {in_grant}, but the key is signed for {in_sig}; sign it with genPrivateMapKey()")]
    GrantDisagrees {
        field: &'static str,
        in_grant: String,
        in_sig: String,
    },
    #[error("privateMapKey expired at unix time {expired_at} (now {now}); issue a new one")]
    Expired { expired_at: u64, now: u64 },
    #[error("privateMapKey is for {granted}, not {wanted}; issue one for the room being entered")]
    WrongRoom { granted: RoomId, wanted: RoomId },
    #[error("privateMapKey does not grant {needed} (its privilege map is {granted}); issue one with that bit set")]
    MissingPrivilege { needed: Privileges, granted: u32 },
}

/// Sign a privateMapKey for `user_id` in `room`, valid from `now` for `expire_seconds`.
/// Numeric rooms give a version 0 grant (`genPrivateMapKey`), string rooms a version 1 grant
/// (`genPrivateMapKeyWithStringRoomID`). The grant stores sdkAppId and expiry in 32 bits, as
/// TRTC's does; TRTC's sdkAppIds fit.
pub fn gen_private_map_key(
    sdk_app_id: u32,
    secret_key: &str,
    user_id: &str,
    room: &RoomId,
    privileges: Privileges,
    expire_seconds: u64,
    now: u64,
) -> String {
    // TLSSigAPIv2 wraps the 32-bit expiry; saturating instead keeps a too-long validity valid.
    let expires_at = u32::try_from(now.saturating_add(expire_seconds)).unwrap_or(u32::MAX);
    let userbuf = encode_grant(sdk_app_id, user_id, room, privileges, expires_at);
    gen_user_sig_with_userbuf(
        u64::from(sdk_app_id),
        secret_key,
        user_id,
        expire_seconds,
        now,
        Some(&userbuf),
    )
}

/// Check a privateMapKey for `user_id` on an app with `sdk_app_id` at unix time `now`: the
/// signature, sdkAppId, userId, and both expiries (the UserSig's and the grant's). Returns
/// the grant; whether it is for the right room and action is [`Grant`]'s to check.
pub fn verify_private_map_key(
    key: &str,
    sdk_app_id: u64,
    secret_key: &str,
    user_id: &str,
    now: u64,
) -> Result<Grant, PrivateMapKeyError> {
    let userbuf = verify_user_sig_with_userbuf(key, sdk_app_id, secret_key, user_id, now)?
        .ok_or(PrivateMapKeyError::NoGrant)?;
    let decoded = decode_grant(&userbuf)?;
    if decoded.user_id != user_id {
        return Err(PrivateMapKeyError::GrantDisagrees {
            field: "userId",
            in_grant: format!("{:?}", decoded.user_id),
            in_sig: format!("{user_id:?}"),
        });
    }
    if u64::from(decoded.sdk_app_id) != sdk_app_id {
        return Err(PrivateMapKeyError::GrantDisagrees {
            field: "sdkAppId",
            in_grant: decoded.sdk_app_id.to_string(),
            in_sig: sdk_app_id.to_string(),
        });
    }
    let expired_at = u64::from(decoded.expires_at);
    if expired_at < now {
        return Err(PrivateMapKeyError::Expired { expired_at, now });
    }
    Ok(Grant {
        room: decoded.room,
        privileges: Privileges(decoded.privileges),
        expires_at: expired_at,
    })
}

/// The userbuf's fields, before they are checked against the signature.
struct DecodedGrant {
    user_id: String,
    sdk_app_id: u32,
    room: RoomId,
    expires_at: u32,
    privileges: u32,
}

fn encode_grant(
    sdk_app_id: u32,
    user_id: &str,
    room: &RoomId,
    privileges: Privileges,
    expires_at: u32,
) -> Vec<u8> {
    let (version, numeric_room, string_room) = match room {
        RoomId::RoomId(n) => (0u8, *n, None),
        RoomId::StrRoomId(s) => (1u8, 0, Some(s.as_bytes())),
    };
    let mut buf = vec![version];
    put_bytes16(&mut buf, user_id.as_bytes());
    for field in [sdk_app_id, numeric_room, expires_at, privileges.0, 0] {
        buf.extend_from_slice(&field.to_be_bytes());
    }
    if let Some(room) = string_room {
        put_bytes16(&mut buf, room);
    }
    buf
}

/// A length-prefixed byte string; user and room ids are far below the 16-bit limit.
fn put_bytes16(buf: &mut Vec<u8>, bytes: &[u8]) {
    let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
    buf.extend_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(&bytes[..usize::from(len)]);
}

fn decode_grant(buf: &[u8]) -> Result<DecodedGrant, PrivateMapKeyError> {
    let mut reader = Reader { rest: buf };
    let version = reader.take(1, "version")?[0];
    if version > 1 {
        return Err(malformed(format!("version {version}; only 0 and 1 exist")));
    }
    let user_id = reader.string16("userId")?;
    let sdk_app_id = reader.u32("sdkAppId")?;
    let numeric_room = reader.u32("room id")?;
    let expires_at = reader.u32("expiry")?;
    let privileges = reader.u32("privilege map")?;
    let _account_type = reader.u32("account type")?;
    let room = if version == 1 {
        let name = reader.string16("string room id")?;
        RoomId::string(&name)
    } else {
        RoomId::numeric(u64::from(numeric_room))
    }
    .map_err(|e| malformed(format!("it names no valid room: {e}")))?;
    if !reader.rest.is_empty() {
        return Err(malformed(format!(
            "{} bytes after the last field",
            reader.rest.len()
        )));
    }
    Ok(DecodedGrant {
        user_id,
        sdk_app_id,
        room,
        expires_at,
        privileges,
    })
}

fn malformed(what: String) -> PrivateMapKeyError {
    PrivateMapKeyError::MalformedGrant(what)
}

/// Reads the userbuf front to back; every read names its field, so a short buffer says
/// where it ended.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &str) -> Result<&'a [u8], PrivateMapKeyError> {
        if self.rest.len() < n {
            return Err(malformed(format!("it ends inside the {field}")));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn u32(&mut self, field: &str) -> Result<u32, PrivateMapKeyError> {
        let bytes = self.take(4, field)?;
        Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn string16(&mut self, field: &str) -> Result<String, PrivateMapKeyError> {
        let len = self.take(2, field)?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        let bytes = self.take(len, field)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| malformed(format!("the {field} is not UTF-8")))
    }
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;

    use super::*;
    use crate::usersig::{gen_user_sig, gen_user_sig_with_userbuf, MAX_CLOCK_SKEW_SECS};

    const APP: u32 = 1400000000;
    const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
    const T0: u64 = 1_700_000_000;

    /// Made by Tencent's reference implementation (TLSSigAPIv2.py from
    /// github.com/tencentyun/tls-sig-api-v2-python at 5326113; PyPI's 1.1 predates
    /// privateMapKeys): `TLSSigAPIv2(1400000000, KEY).genPrivateMapKey("xiaojun", 86400,
    /// 10000, 255)` with `time.time` returning T0.
    const TENCENT_NUMERIC: &str = "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkKjIT87NK82CSxSnZiQUFmSlAKUMTAyiAyqVWFGQWpQJlLMxM4IIlmbkgIUNzNMWlxalFSaVpICscHR09Ut1zMpKMCgyTcvwqQ9KBIs7JgVFhYc4gpmOABYh0hLshMx2kLdc0PMDHKcAkqsA3I8tVX9s9uCrXI9DVO8nHt6K4LDwzw7A0wysk0KA4oNxWqRYAOOdEog__";
    /// The same with `genPrivateMapKeyWithStringRoomID("xiaojun", 86400, "adbjkl", 42)`.
    const TENCENT_STRING: &str = "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkKjIT87NK82CSxSnZiQUFmSlAKUMTAyiAyqVWFGQWpQJlLMxM4IIlmbkgIUNzNMWlxalFSaVpICscAx09Ut1zMpKMCgyTcvwqQ9IdwSAqLMwZzHTOd4SKZES5exUmGpXbwt2TmQ4yorjIOztI28XSPcsw3MwzKrfU2d3F163UKz8gxN09O9E41bHUsrLSLdwjxMJWqRYAk-dIFw__";
    /// `_gen_userbuf` of the two calls above, in hex.
    const TENCENT_NUMERIC_USERBUF: &str =
        "0000077869616f6a756e53724e000000271065554280000000ff00000000";
    const TENCENT_STRING_USERBUF: &str =
        "0100077869616f6a756e53724e0000000000655542800000002a0000000000066164626a6b6c";
    /// Tencent's npm `tls-sig-api-v2` 1.0.2 `genPrivateMapKeyWithStringRoomID` for the same
    /// inputs: another JSON layout, the same signature.
    const TENCENT_NODE_STRING: &str = "eJxVjssOgjAURP-lbjVE0Cg2YdFgrOIjPhpM2JVQ8Io8LFYhxn83QVw4q5lzNvMCvj4aD6mAgGUMoN9ujGR*xxhbXKMoLjrvVBWloiwxAmKOBl2*5o6ZBGJO-qmsS1QSiD0e-ZCupAp1DAToni4ku55DqzTD67bhCW0T*L7bVregHTkHzLsJ6*n8fmACBCq1Sg*92ZRdzNN4GWTaZbPNXHvFjjOWiqGketo089OC2w68Pz0JRnc_";

    fn numeric() -> RoomId {
        RoomId::numeric(10000).unwrap()
    }

    fn string_room() -> RoomId {
        RoomId::string("adbjkl").unwrap()
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The signed userbuf and signature field of a key, to compare with Tencent's.
    fn signed_parts(key: &str) -> (String, String) {
        let doc = crate::usersig::tests_support::decode_fields(key);
        (doc.0, doc.1)
    }

    #[test]
    fn keys_from_tencents_reference_implementation_verify() {
        let grant =
            verify_private_map_key(TENCENT_NUMERIC, APP.into(), KEY, "xiaojun", T0 + 60).unwrap();
        assert_eq!(
            grant,
            Grant {
                room: numeric(),
                privileges: Privileges::ALL,
                expires_at: T0 + 86400
            }
        );
        for key in [TENCENT_STRING, TENCENT_NODE_STRING] {
            let grant = verify_private_map_key(key, APP.into(), KEY, "xiaojun", T0 + 60).unwrap();
            assert_eq!(
                grant,
                Grant {
                    room: string_room(),
                    privileges: Privileges(42),
                    expires_at: T0 + 86400
                }
            );
        }
    }

    #[test]
    fn our_userbuf_and_signature_match_tencents_byte_for_byte() {
        assert_eq!(
            hex(&encode_grant(
                APP,
                "xiaojun",
                &numeric(),
                Privileges::ALL,
                1_700_086_400
            )),
            TENCENT_NUMERIC_USERBUF
        );
        assert_eq!(
            hex(&encode_grant(
                APP,
                "xiaojun",
                &string_room(),
                Privileges(42),
                1_700_086_400
            )),
            TENCENT_STRING_USERBUF
        );
        let ours = gen_private_map_key(APP, KEY, "xiaojun", &numeric(), Privileges::ALL, 86400, T0);
        assert_eq!(signed_parts(&ours), signed_parts(TENCENT_NUMERIC));
        let ours = gen_private_map_key(
            APP,
            KEY,
            "xiaojun",
            &string_room(),
            Privileges(42),
            86400,
            T0,
        );
        assert_eq!(signed_parts(&ours), signed_parts(TENCENT_STRING));
        assert_eq!(signed_parts(&ours), signed_parts(TENCENT_NODE_STRING));
    }

    #[test]
    fn grant_checks_room_and_privileges() {
        let key = gen_private_map_key(APP, KEY, "alice", &numeric(), Privileges(2 | 4), 60, T0);
        let grant = verify_private_map_key(&key, APP.into(), KEY, "alice", T0).unwrap();
        assert_eq!(grant.check_room(&numeric()), Ok(()));
        // Numeric 10000 and string "10000" are different rooms.
        let look_alike = RoomId::string("10000").unwrap();
        let err = grant.check_room(&look_alike).unwrap_err();
        assert!(err.to_string().contains("not strRoomId \"10000\""), "{err}");
        assert_eq!(grant.check_privilege(Privileges::ENTER_ROOM), Ok(()));
        assert_eq!(grant.check_privilege(Privileges::SEND_AUDIO), Ok(()));
        let err = grant.check_privilege(Privileges::CREATE_ROOM).unwrap_err();
        assert_eq!(
            err.to_string(),
            "privateMapKey does not grant create room (1) (its privilege map is 6); issue one with that bit set"
        );
    }

    #[test]
    fn signed_with_another_key_is_refused() {
        let key = gen_private_map_key(
            APP,
            "not-the-key",
            "alice",
            &numeric(),
            Privileges::ALL,
            60,
            T0,
        );
        assert_eq!(
            verify_private_map_key(&key, APP.into(), KEY, "alice", T0),
            Err(PrivateMapKeyError::Sig(SigError::SignatureMismatch))
        );
    }

    #[test]
    fn another_user_or_app_is_refused() {
        let key = gen_private_map_key(APP, KEY, "alice", &numeric(), Privileges::ALL, 60, T0);
        assert!(matches!(
            verify_private_map_key(&key, APP.into(), KEY, "bob", T0),
            Err(PrivateMapKeyError::Sig(SigError::IdentifierMismatch { .. }))
        ));
        assert!(matches!(
            verify_private_map_key(&key, u64::from(APP) + 1, KEY, "alice", T0),
            Err(PrivateMapKeyError::Sig(SigError::SdkAppIdMismatch { .. }))
        ));
    }

    #[test]
    fn expired_is_refused() {
        let key = gen_private_map_key(APP, KEY, "alice", &numeric(), Privileges::ALL, 60, T0);
        assert!(verify_private_map_key(&key, APP.into(), KEY, "alice", T0 + 60).is_ok());
        assert!(matches!(
            verify_private_map_key(&key, APP.into(), KEY, "alice", T0 + 61),
            Err(PrivateMapKeyError::Sig(SigError::Expired { .. }))
        ));
    }

    #[test]
    fn grant_expiry_is_checked_on_its_own() {
        // A correctly signed sig valid for a day whose grant expired an hour after issue.
        let userbuf = encode_grant(
            APP,
            "alice",
            &numeric(),
            Privileges::ALL,
            (T0 + 3600) as u32,
        );
        let key = gen_user_sig_with_userbuf(APP.into(), KEY, "alice", 86400, T0, Some(&userbuf));
        let err = verify_private_map_key(&key, APP.into(), KEY, "alice", T0 + 3601).unwrap_err();
        assert_eq!(
            err,
            PrivateMapKeyError::Expired {
                expired_at: T0 + 3600,
                now: T0 + 3601
            }
        );
        assert!(err.to_string().contains("issue a new one"), "{err}");
    }

    #[test]
    fn issued_too_far_in_the_future_is_refused() {
        let ahead = T0 + MAX_CLOCK_SKEW_SECS + 1;
        let key = gen_private_map_key(APP, KEY, "alice", &numeric(), Privileges::ALL, 60, ahead);
        assert!(matches!(
            verify_private_map_key(&key, APP.into(), KEY, "alice", T0),
            Err(PrivateMapKeyError::Sig(SigError::IssuedInTheFuture { .. }))
        ));
        let within = T0 + MAX_CLOCK_SKEW_SECS;
        let key = gen_private_map_key(APP, KEY, "alice", &numeric(), Privileges::ALL, 60, within);
        assert!(verify_private_map_key(&key, APP.into(), KEY, "alice", T0).is_ok());
    }

    #[test]
    fn tampered_grant_is_refused() {
        // Swap the signed userbuf for one granting another room, keeping the signature.
        let key = gen_private_map_key(APP, KEY, "alice", &numeric(), Privileges(2), 60, T0);
        let other = encode_grant(
            APP,
            "alice",
            &string_room(),
            Privileges::ALL,
            (T0 + 60) as u32,
        );
        let forged = crate::usersig::tests_support::replace_userbuf(&key, &STANDARD.encode(other));
        assert_eq!(
            verify_private_map_key(&forged, APP.into(), KEY, "alice", T0),
            Err(PrivateMapKeyError::Sig(SigError::SignatureMismatch))
        );
    }

    #[test]
    fn a_plain_user_sig_is_not_a_private_map_key() {
        let sig = gen_user_sig(APP.into(), KEY, "alice", 60, T0);
        let err = verify_private_map_key(&sig, APP.into(), KEY, "alice", T0).unwrap_err();
        assert_eq!(err, PrivateMapKeyError::NoGrant);
        assert!(err.to_string().contains("genPrivateMapKey"), "{err}");
    }

    #[test]
    fn a_grant_for_someone_else_inside_a_valid_sig_is_refused() {
        let userbuf = encode_grant(
            APP,
            "mallory",
            &numeric(),
            Privileges::ALL,
            (T0 + 60) as u32,
        );
        let key = gen_user_sig_with_userbuf(APP.into(), KEY, "alice", 60, T0, Some(&userbuf));
        assert!(matches!(
            verify_private_map_key(&key, APP.into(), KEY, "alice", T0),
            Err(PrivateMapKeyError::GrantDisagrees {
                field: "userId",
                ..
            })
        ));
        let userbuf = encode_grant(
            APP + 1,
            "alice",
            &numeric(),
            Privileges::ALL,
            (T0 + 60) as u32,
        );
        let key = gen_user_sig_with_userbuf(APP.into(), KEY, "alice", 60, T0, Some(&userbuf));
        assert!(matches!(
            verify_private_map_key(&key, APP.into(), KEY, "alice", T0),
            Err(PrivateMapKeyError::GrantDisagrees {
                field: "sdkAppId",
                ..
            })
        ));
    }

    #[test]
    fn malformed_grants_are_refused_not_a_panic() {
        let good = encode_grant(
            APP,
            "alice",
            &string_room(),
            Privileges::ALL,
            (T0 + 60) as u32,
        );
        let mut cases: Vec<Vec<u8>> = (0..good.len()).map(|n| good[..n].to_vec()).collect();
        cases.push([good.clone(), vec![0]].concat());
        let mut bad_version = good.clone();
        bad_version[0] = 2;
        cases.push(bad_version);
        // Version 0 with room 0: no room at all.
        let mut room_zero = encode_grant(APP, "alice", &numeric(), Privileges::ALL, 0);
        room_zero[12..16].copy_from_slice(&[0; 4]);
        cases.push(room_zero);
        for userbuf in cases {
            let key = gen_user_sig_with_userbuf(APP.into(), KEY, "alice", 60, T0, Some(&userbuf));
            assert!(
                matches!(
                    verify_private_map_key(&key, APP.into(), KEY, "alice", T0),
                    Err(PrivateMapKeyError::MalformedGrant(_))
                ),
                "{}",
                hex(&userbuf)
            );
        }
    }
}
