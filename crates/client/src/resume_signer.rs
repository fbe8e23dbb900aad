//! The key pair a session proves itself with when it resumes (see
//! [`openroom_protocol::resume_proof`]): made when the session starts, its public half given
//! at enter, its private half never leaving the process.

use base64::Engine as _;
use openroom_protocol::resume_proof;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair as _};

pub(crate) struct ResumeSigner {
    pair: Ed25519KeyPair,
    /// The counter of the last resume signed: each one is one more, so the server, which
    /// takes every counter once, never refuses the session's own resumes as replays.
    counter: u64,
}

impl ResumeSigner {
    /// A fresh key pair; None where the system cannot supply randomness (the session then
    /// resumes by its token alone, as a protocol 4 client does).
    pub(crate) fn generate() -> Option<ResumeSigner> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).ok()?;
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).ok()?;
        Some(ResumeSigner { pair, counter: 0 })
    }

    /// The public half, as `resumeKey` carries it.
    pub(crate) fn public_key(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.pair.public_key())
    }

    /// The next counter and its proof for resuming the session behind `token`.
    pub(crate) fn sign(&mut self, token: &str) -> (u64, String) {
        self.counter += 1;
        let signature = self
            .pair
            .sign(&resume_proof::signed_message(token, self.counter));
        let proof = base64::engine::general_purpose::STANDARD.encode(signature.as_ref());
        (self.counter, proof)
    }
}
