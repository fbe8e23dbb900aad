//! UserSig, byte-compatible with Tencent's TLSSigAPIv2, so an app's existing UserSig backend
//! keeps working against an OpenRoom server.
//!
//! A UserSig is a JSON document `{"TLS.ver":"2.0","TLS.identifier":…,"TLS.sdkappid":…,
//! "TLS.expire":…,"TLS.time":…,"TLS.sig":…}`, zlib-deflated, base64-encoded, then made
//! URL-safe with `+`→`*`, `/`→`-`, `=`→`_`. `TLS.sig` is base64(HMAC-SHA256(secretKey,
//! content)), where content is the lines `TLS.identifier:`, `TLS.sdkappid:`, `TLS.time:`,
//! `TLS.expire:` (and `TLS.userbuf:` when a userbuf is present), each ending in `\n`.

use std::io::{Read, Write};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Largest decompressed UserSig accepted: real ones are a few hundred bytes; the bound stops
/// a zlib bomb sent by an unauthenticated peer.
const MAX_DECODED_BYTES: u64 = 16 * 1024;

/// How far ahead of the checking clock a UserSig's issue time (`TLS.time`) may be: clocks of
/// signing backends drift, but a signature from the future is either a broken clock or an
/// attempt to outlive the expiry the signer meant.
pub const MAX_CLOCK_SKEW_SECS: u64 = 300;

/// Why a UserSig was refused. Each message names the check that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    #[error("UserSig is malformed ({0}); generate it with TLSSigAPIv2 or genUserSig()")]
    Malformed(String),
    #[error("UserSig was issued for sdkAppId {found}, but this server's sdkAppId is {expected}")]
    SdkAppIdMismatch { expected: u64, found: u64 },
    #[error("UserSig was issued for userId {found:?}, not {expected:?}")]
    IdentifierMismatch { expected: String, found: String },
    #[error("UserSig expired at unix time {expired_at} (now {now}); issue a new one")]
    Expired { expired_at: u64, now: u64 },
    #[error("UserSig was issued at unix time {issued_at}, {} s ahead of this server's clock (now {now}); at most {MAX_CLOCK_SKEW_SECS} s is allowed: check the clock of the machine that signs it", issued_at - now)]
    IssuedInTheFuture { issued_at: u64, now: u64 },
    #[error("UserSig signature does not match; it was not signed with this server's secret key")]
    SignatureMismatch,
}

/// The decoded document; field names as TLSSigAPIv2 writes them.
#[derive(Serialize, Deserialize)]
struct SigDocument {
    #[serde(rename = "TLS.ver")]
    ver: String,
    #[serde(rename = "TLS.identifier")]
    identifier: String,
    #[serde(rename = "TLS.sdkappid")]
    sdk_app_id: u64,
    #[serde(rename = "TLS.expire")]
    expire: u64,
    #[serde(rename = "TLS.time")]
    time: u64,
    #[serde(
        rename = "TLS.userbuf",
        skip_serializing_if = "Option::is_none",
        default
    )]
    userbuf: Option<String>,
    #[serde(rename = "TLS.sig")]
    sig: String,
}

/// Sign a UserSig for `identifier`, valid from `now` for `expire_seconds`.
pub fn gen_user_sig(
    sdk_app_id: u64,
    secret_key: &str,
    identifier: &str,
    expire_seconds: u64,
    now: u64,
) -> String {
    gen_user_sig_with_userbuf(
        sdk_app_id,
        secret_key,
        identifier,
        expire_seconds,
        now,
        None,
    )
}

/// [`gen_user_sig`] with TLSSigAPIv2's optional userbuf (privilege bits some apps carry).
pub fn gen_user_sig_with_userbuf(
    sdk_app_id: u64,
    secret_key: &str,
    identifier: &str,
    expire_seconds: u64,
    now: u64,
    userbuf: Option<&[u8]>,
) -> String {
    let userbuf = userbuf.map(|buf| STANDARD.encode(buf));
    let sig = sign(
        secret_key,
        identifier,
        sdk_app_id,
        now,
        expire_seconds,
        userbuf.as_deref(),
    );
    let doc = SigDocument {
        ver: "2.0".into(),
        identifier: identifier.into(),
        sdk_app_id,
        expire: expire_seconds,
        time: now,
        userbuf,
        sig,
    };
    let json = serde_json::to_vec(&doc).expect("a SigDocument always serializes");
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(&json)
        .and_then(|_| encoder.finish())
        .map(|deflated| to_url_safe(&STANDARD.encode(deflated)))
        .expect("deflating into memory cannot fail")
}

/// Check a UserSig for `identifier` on an app with `sdk_app_id`, at unix time `now`.
pub fn verify_user_sig(
    user_sig: &str,
    sdk_app_id: u64,
    secret_key: &str,
    identifier: &str,
    now: u64,
) -> Result<(), SigError> {
    verify_user_sig_with_userbuf(user_sig, sdk_app_id, secret_key, identifier, now).map(|_| ())
}

/// [`verify_user_sig`] that also says when the UserSig expires (`TLS.time + TLS.expire`,
/// Unix seconds): what a server keeps to judge a session that comes back later.
pub fn verify_user_sig_until(
    user_sig: &str,
    sdk_app_id: u64,
    secret_key: &str,
    identifier: &str,
    now: u64,
) -> Result<u64, SigError> {
    verify(user_sig, sdk_app_id, secret_key, identifier, now).map(|(_, expires_at)| expires_at)
}

/// [`verify_user_sig`] that also hands back the signed userbuf, decoded from base64, or
/// `None` when the sig carries none. Only a userbuf covered by a valid signature comes back.
pub fn verify_user_sig_with_userbuf(
    user_sig: &str,
    sdk_app_id: u64,
    secret_key: &str,
    identifier: &str,
    now: u64,
) -> Result<Option<Vec<u8>>, SigError> {
    verify(user_sig, sdk_app_id, secret_key, identifier, now).map(|(userbuf, _)| userbuf)
}

/// The checks of [`verify_user_sig_with_userbuf`]; Ok with the userbuf and the expiry.
fn verify(
    user_sig: &str,
    sdk_app_id: u64,
    secret_key: &str,
    identifier: &str,
    now: u64,
) -> Result<(Option<Vec<u8>>, u64), SigError> {
    let doc = decode(user_sig)?;
    if doc.sdk_app_id != sdk_app_id {
        return Err(SigError::SdkAppIdMismatch {
            expected: sdk_app_id,
            found: doc.sdk_app_id,
        });
    }
    if doc.identifier != identifier {
        return Err(SigError::IdentifierMismatch {
            expected: identifier.into(),
            found: doc.identifier,
        });
    }
    let expired_at = doc.time.saturating_add(doc.expire);
    if expired_at < now {
        return Err(SigError::Expired { expired_at, now });
    }
    if doc.time > now.saturating_add(MAX_CLOCK_SKEW_SECS) {
        return Err(SigError::IssuedInTheFuture {
            issued_at: doc.time,
            now,
        });
    }
    let claimed = STANDARD
        .decode(&doc.sig)
        .map_err(|e| SigError::Malformed(format!("TLS.sig is not base64: {e}")))?;
    mac(
        secret_key,
        &content(
            &doc.identifier,
            doc.sdk_app_id,
            doc.time,
            doc.expire,
            doc.userbuf.as_deref(),
        ),
    )
    .verify_slice(&claimed)
    .map_err(|_| SigError::SignatureMismatch)?;
    let userbuf = doc
        .userbuf
        .map(|userbuf| {
            STANDARD
                .decode(userbuf)
                .map_err(|e| SigError::Malformed(format!("TLS.userbuf is not base64: {e}")))
        })
        .transpose()?;
    Ok((userbuf, expired_at))
}

fn decode(user_sig: &str) -> Result<SigDocument, SigError> {
    let deflated = STANDARD
        .decode(from_url_safe(user_sig.trim()))
        .map_err(|e| SigError::Malformed(format!("not base64: {e}")))?;
    let mut json = Vec::new();
    ZlibDecoder::new(deflated.as_slice())
        .take(MAX_DECODED_BYTES)
        .read_to_end(&mut json)
        .map_err(|e| SigError::Malformed(format!("not zlib data: {e}")))?;
    serde_json::from_slice(&json).map_err(|e| SigError::Malformed(format!("bad document: {e}")))
}

fn content(
    identifier: &str,
    sdk_app_id: u64,
    time: u64,
    expire: u64,
    userbuf: Option<&str>,
) -> String {
    let mut content = format!(
        "TLS.identifier:{identifier}\nTLS.sdkappid:{sdk_app_id}\nTLS.time:{time}\nTLS.expire:{expire}\n"
    );
    if let Some(userbuf) = userbuf {
        content.push_str(&format!("TLS.userbuf:{userbuf}\n"));
    }
    content
}

fn mac(secret_key: &str, content: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret_key.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(content.as_bytes());
    mac
}

fn sign(
    secret_key: &str,
    identifier: &str,
    sdk_app_id: u64,
    time: u64,
    expire: u64,
    userbuf: Option<&str>,
) -> String {
    let content = content(identifier, sdk_app_id, time, expire, userbuf);
    STANDARD.encode(mac(secret_key, &content).finalize().into_bytes())
}

fn to_url_safe(b64: &str) -> String {
    b64.replace('+', "*").replace('/', "-").replace('=', "_")
}

fn from_url_safe(sig: &str) -> String {
    sig.replace('*', "+").replace('-', "/").replace('_', "=")
}

/// Helpers for other modules' tests that take a UserSig apart.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// `(TLS.userbuf, TLS.sig)` of a sig; the userbuf is empty when there is none.
    pub(crate) fn decode_fields(user_sig: &str) -> (String, String) {
        let doc = decode(user_sig).expect("a decodable sig");
        (doc.userbuf.unwrap_or_default(), doc.sig)
    }

    /// The sig re-packed with another userbuf (base64) and its original signature.
    pub(crate) fn replace_userbuf(user_sig: &str, userbuf: &str) -> String {
        let mut doc = decode(user_sig).expect("a decodable sig");
        doc.userbuf = Some(userbuf.into());
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
        encoder
            .write_all(&serde_json::to_vec(&doc).expect("serializes"))
            .expect("in memory");
        to_url_safe(&STANDARD.encode(encoder.finish().expect("in memory")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: u64 = 1400000000;
    const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
    const T0: u64 = 1_700_000_000;

    /// Made by Tencent's reference implementation (PyPI `tls-sig-api-v2` 1.1,
    /// `TLSSigAPIv2(1400000000, KEY).gen_sig("xiaojun", 86400)` with the clock at T0).
    const TENCENT_SIG: &str = "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkKjIT87NK82CSxSnZiQUFmSlAKUMTAyiAyqVWFGQWpQJlLMxM4IIlmbkgIUNzNMXFmekg44P93EzccsOcA0qT8yOKnfwLksLcjNPcnNNMzb0Ccg1Sq6IMs1LDPH1ywpJtlWoBk68y0A__";
    /// The same with `gen_sig_with_userbuf("xiaojun", 86400, b"abc")`.
    const TENCENT_SIG_USERBUF: &str = "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkKjIT87NK82CSxSnZiQUFmSlAKUMTAyiAyqVWFGQWpQJlLMxM4IIlmbkgIUNzNMWlxalFSaVpICsiw72y4OZnpoOE-BOTjMsi0nMiTUwDkiuqtIODszJSKpzCSzNCHCvCMioifdLKwrLcM-y9DGyVagF2rTqB";

    #[test]
    fn round_trip() {
        let sig = gen_user_sig(APP, KEY, "alice", 3600, T0);
        assert_eq!(verify_user_sig(&sig, APP, KEY, "alice", T0 + 10), Ok(()));
        let with_buf = gen_user_sig_with_userbuf(APP, KEY, "alice", 3600, T0, Some(b"\x01\x02"));
        assert_eq!(verify_user_sig(&with_buf, APP, KEY, "alice", T0), Ok(()));
    }

    #[test]
    fn sigs_from_tencents_reference_implementation_verify() {
        assert_eq!(
            verify_user_sig(TENCENT_SIG, APP, KEY, "xiaojun", T0 + 60),
            Ok(())
        );
        assert_eq!(
            verify_user_sig(TENCENT_SIG_USERBUF, APP, KEY, "xiaojun", T0 + 60),
            Ok(())
        );
    }

    #[test]
    fn our_signature_field_matches_tencents_byte_for_byte() {
        let ours = decode(&gen_user_sig(APP, KEY, "xiaojun", 86400, T0)).unwrap();
        let theirs = decode(TENCENT_SIG).unwrap();
        assert_eq!(ours.sig, theirs.sig);
        assert_eq!(
            (ours.time, ours.expire, ours.ver),
            (theirs.time, theirs.expire, theirs.ver)
        );
    }

    #[test]
    fn expired() {
        let sig = gen_user_sig(APP, KEY, "alice", 60, T0);
        assert_eq!(verify_user_sig(&sig, APP, KEY, "alice", T0 + 60), Ok(()));
        assert_eq!(
            verify_user_sig_until(&sig, APP, KEY, "alice", T0),
            Ok(T0 + 60)
        );
        let err = verify_user_sig(&sig, APP, KEY, "alice", T0 + 61).unwrap_err();
        assert_eq!(
            err,
            SigError::Expired {
                expired_at: T0 + 60,
                now: T0 + 61
            }
        );
        assert!(err.to_string().contains("expired"));
    }

    #[test]
    fn issued_too_far_in_the_future() {
        // Ten years ahead, valid for a day: refused, though it has not expired.
        let ten_years = 10 * 365 * 24 * 3600;
        let sig = gen_user_sig(APP, KEY, "alice", 86_400, T0 + ten_years);
        let err = verify_user_sig(&sig, APP, KEY, "alice", T0).unwrap_err();
        assert_eq!(
            err,
            SigError::IssuedInTheFuture {
                issued_at: T0 + ten_years,
                now: T0
            }
        );
        assert!(
            err.to_string().contains("ahead of this server's clock"),
            "{err}"
        );
        // Within the skew a clock running ahead is forgiven; one second past it is not.
        let ahead = gen_user_sig(APP, KEY, "alice", 60, T0 + MAX_CLOCK_SKEW_SECS);
        assert_eq!(verify_user_sig(&ahead, APP, KEY, "alice", T0), Ok(()));
        let past = gen_user_sig(APP, KEY, "alice", 60, T0 + MAX_CLOCK_SKEW_SECS + 1);
        assert!(verify_user_sig(&past, APP, KEY, "alice", T0).is_err());
    }

    #[test]
    fn forged_with_another_key() {
        let sig = gen_user_sig(APP, "not-the-key", "alice", 3600, T0);
        assert_eq!(
            verify_user_sig(&sig, APP, KEY, "alice", T0),
            Err(SigError::SignatureMismatch)
        );
    }

    #[test]
    fn tampered_document_is_refused() {
        // Re-pack a genuine document with a longer expiry but the original signature.
        let mut doc = decode(&gen_user_sig(APP, KEY, "alice", 60, T0)).unwrap();
        doc.expire = 999_999;
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
        encoder
            .write_all(&serde_json::to_vec(&doc).unwrap())
            .unwrap();
        let forged = to_url_safe(&STANDARD.encode(encoder.finish().unwrap()));
        assert_eq!(
            verify_user_sig(&forged, APP, KEY, "alice", T0 + 1000),
            Err(SigError::SignatureMismatch)
        );
    }

    #[test]
    fn wrong_sdk_app_id() {
        let sig = gen_user_sig(APP + 1, KEY, "alice", 3600, T0);
        assert_eq!(
            verify_user_sig(&sig, APP, KEY, "alice", T0),
            Err(SigError::SdkAppIdMismatch {
                expected: APP,
                found: APP + 1
            })
        );
    }

    #[test]
    fn wrong_identifier() {
        let sig = gen_user_sig(APP, KEY, "alice", 3600, T0);
        let err = verify_user_sig(&sig, APP, KEY, "bob", T0).unwrap_err();
        assert_eq!(
            err,
            SigError::IdentifierMismatch {
                expected: "bob".into(),
                found: "alice".into()
            }
        );
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for junk in ["", "!!!", "aGVsbG8_", "eJzLSM3JyQcABiwCFQ__"] {
            assert!(
                matches!(
                    verify_user_sig(junk, APP, KEY, "alice", T0),
                    Err(SigError::Malformed(_))
                ),
                "{junk:?}"
            );
        }
    }
}
