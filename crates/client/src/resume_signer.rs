//! The key pair a client proves itself with when it resumes a session (see
//! [`openroom_protocol::resume_proof`]): made with the engine (so entering pays nothing for
//! it), shared with its sub-engines, its public half given at every enter, its private half
//! never leaving the process. One key serves many sessions safely: each proof names its
//! session's token.

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use openroom_protocol::resume_proof;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair as _};

pub(crate) struct ResumeSigner {
    pair: Ed25519KeyPair,
    /// The counter of the last resume signed: each one is more, so the server, which takes
    /// every counter of a session once, never refuses the client's own resumes as replays.
    counter: AtomicU64,
}

impl ResumeSigner {
    /// A fresh key pair; None where the system cannot supply randomness (the session then
    /// resumes by its token alone, as a protocol 4 client does).
    pub(crate) fn generate() -> Option<ResumeSigner> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).ok()?;
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).ok()?;
        Some(ResumeSigner {
            pair,
            counter: AtomicU64::new(0),
        })
    }

    /// The public half, as `resumeKey` carries it.
    pub(crate) fn public_key(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.pair.public_key())
    }

    /// The next counter and its proof for resuming the session behind `token`.
    pub(crate) fn sign(&self, token: &str) -> (u64, String) {
        let counter = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let signature = self
            .pair
            .sign(&resume_proof::signed_message(token, counter));
        let proof = base64::engine::general_purpose::STANDARD.encode(signature.as_ref());
        (counter, proof)
    }
}
