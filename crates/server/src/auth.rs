//! UserSig checks against this server's credentials and clock.

use std::time::{SystemTime, UNIX_EPOCH};

use openroom_protocol::usersig::{verify_user_sig_until, SigError};

use crate::config::ServerConfig;

/// Seconds since the Unix epoch; a clock before 1970 counts as 0 (every sig then looks fresh,
/// which only matters on a broken machine).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Check that `user_sig` was signed by this server's secret for `identifier` and is current;
/// Ok with when it expires (Unix seconds).
pub fn check(config: &ServerConfig, identifier: &str, user_sig: &str) -> Result<u64, SigError> {
    verify_user_sig_until(
        user_sig,
        u64::from(config.sdk_app_id),
        &config.secret_key,
        identifier,
        unix_now(),
    )
}
