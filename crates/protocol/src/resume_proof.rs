//! How a client proves, when it resumes a session, that it is the client that entered.
//!
//! A resume token alone is a bearer secret: whoever reads it off a clear-text connection
//! could take the session over. So a client makes an Ed25519 key pair and gives only the
//! public half at enter (`resumeKey`). Each resume then names the session (its token, which
//! is now just an identifier), a counter higher than any the server took for that session,
//! and a signature over both. A recorded resume frame is worthless once used (its counter is
//! spent), and nothing that crosses the wire lets anyone sign a new one.
//!
//! What the signature cannot stop is an attacker in the path that can hold frames back or
//! change them: one that swaps the key at enter, or that keeps a resume from reaching the
//! server and plays it itself first. Against an active attacker, TLS is the answer.

/// Bytes of an Ed25519 public key (`resumeKey`, before base64).
pub const KEY_BYTES: usize = 32;

/// Bytes of an Ed25519 signature (`proof`, before base64).
pub const PROOF_BYTES: usize = 64;

/// What a resume's `proof` signs: a domain label (so a signature made for anything else never
/// passes), the session's token and the counter, NUL-separated. A token never contains a NUL:
/// the server makes it from hexadecimal digits.
pub fn signed_message(token: &str, counter: u64) -> Vec<u8> {
    let mut message = Vec::with_capacity(32 + token.len());
    message.extend_from_slice(b"openroom-resume-v1\0");
    message.extend_from_slice(token.as_bytes());
    message.push(0);
    message.extend_from_slice(counter.to_string().as_bytes());
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_the_token_and_the_counter() {
        assert_eq!(
            signed_message("ab12", 7),
            b"openroom-resume-v1\0ab12\x007".to_vec()
        );
        assert_ne!(signed_message("ab1", 27), signed_message("ab12", 7));
    }
}
