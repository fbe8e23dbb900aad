//! OpenRoom's shared vocabulary: what crosses the wire between the client engine and the
//! room server, which ids are valid, what every error code means, and how a UserSig (and
//! a privateMapKey, its room-permission variant) is signed and checked. No I/O and no
//! runtime here, so every rule is testable on its own.

pub mod channel;
pub mod codes;
pub mod custom;
pub mod ids;
pub mod limits;
pub mod messages;
pub mod presence;
pub mod presence_change;
pub mod private_map_key;
pub mod resume_proof;
pub mod user_data;
pub mod usersig;

pub use codes::{ErrorCode, ExitReason, LeaveReason, WarningCode};
pub use ids::{IdError, RoomId, UserId};
pub use messages::{
    ClientFrame, ClientRequest, EnterRequest, MessageRequest, ResumeRequest, RoomEvent,
    ServerFrame, SetUserDataRequest, SwitchRequest, SwitchRoleRequest,
};
pub use presence::{MemberState, Publishing, Role, Scene, View};
pub use presence_change::presence_change;
pub use user_data::{UserData, UserDataError};

/// Version of the signaling protocol spoken over the WebSocket. The client sends it with
/// `enter`; a server that does not speak it refuses with a message naming both versions.
/// Raised whenever a change would break an older peer: 2 made pings mandatory (a version 1
/// client would be dropped as silent) and added exit reason 3; 3 made `members` objects with
/// what each publishes, and added roles and publishing; 4 added member data (`userData`,
/// `setUserData`, `memberUpdated`) and server frames of up to 2 MiB; 5 added signed resumes
/// (`resumeKey` at enter; `counter`, `proof` and the credentials again at resume) and
/// refusals of publishing that a privateMapKey does not grant.
pub const PROTOCOL_VERSION: u32 = 5;

/// The oldest version a server still serves: a version 3 client reads a version 4 server's
/// frames (it skips `memberUpdated` and the `userData` fields) and sends nothing new.
pub const OLDEST_PROTOCOL_VERSION: u32 = 3;

/// Sessions one connection may carry (a TRTCCloud and its sub-clouds; ZIM allows 5 rooms at
/// once). A client opens another connection for more; the server refuses a channel beyond it.
pub const MAX_CHANNELS_PER_CONNECTION: usize = 16;

/// Path of the WebSocket signaling endpoint on the server's one port.
pub const SIGNALING_PATH: &str = "/ws";

/// The identity whose UserSig authorises the REST admin API (as in Tencent IM's REST API).
pub const ADMIN_IDENTIFIER: &str = "administrator";
