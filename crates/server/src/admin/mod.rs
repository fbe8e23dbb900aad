//! The REST admin API, with TRTC's action names and Tencent Cloud API 3.0 shapes:
//! `POST /v1/<Action>` with a JSON body, answered `{"Response":{"RequestId":…}}` or
//! `{"Response":{"Error":{"Code":…,"Message":…},"RequestId":…}}` with a fitting HTTP status.
//!
//! Every call is authorised by a UserSig of the reserved identifier `administrator` in
//! `Authorization: Bearer <sig>`, checked before the body is read (and the body is bounded),
//! so an unauthorised caller learns nothing, changes nothing and costs little.

mod request;

pub use request::{parse, Action, Request};

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine as _;
use openroom_protocol::usersig::SigError;
use openroom_protocol::{Role, RoomId, UserId, ADMIN_IDENTIFIER};
use serde_json::{json, Map, Value};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use crate::auth;
use crate::config::{millis, MAX_ADMIN_BODY_BYTES};
use crate::log_limit::LogLimit;
use crate::registry::CreateRefused;
use crate::room::{list, NamedUsersRefused, RoomHandle};
use crate::room::{RoomClosed, RoomSettings, RoomSnapshot};
use crate::signaling::SessionContext;

/// Every action at `POST /v1/<Action>`.
pub fn router() -> Router<SessionContext> {
    Action::ALL
        .iter()
        .fold(Router::new(), |router, (name, action)| {
            let action = *action;
            router.route(
                &format!("/v1/{name}"),
                post(
                    move |State(ctx): State<SessionContext>,
                          ConnectInfo(peer): ConnectInfo<SocketAddr>,
                          headers: HeaderMap,
                          body: Body| async move {
                        let answer = call(&ctx, action, &headers, body).await;
                        logged(peer, name, answer)
                    },
                ),
            )
        })
}

/// Authorise, read and parse the call, then do it.
async fn call(
    ctx: &SessionContext,
    action: Action,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    authorise(ctx, headers)?;
    let body = read_body(ctx, body).await?;
    let request = parse(action, &body, ctx.config.sdk_app_id, ctx.registry.limits())?;
    match request {
        Request::RemoveUser { room, user_ids } => remove(ctx, room, user_ids).await,
        Request::DismissRoom { room } => dismiss(ctx, room).await,
        Request::CreateRoom {
            room,
            max_members,
            empty_timeout,
        } => create(ctx, room, max_members, empty_timeout).await,
        Request::DescribeRoom { room } => describe(ctx, room).await,
        Request::SendCustomMessage {
            room,
            cmd_id,
            data,
            to,
        } => send_message(ctx, room, cmd_id, data, to).await,
        Request::ListRooms { offset, limit } => list_rooms(ctx, offset, limit).await,
    }
}

/// Refused REST calls are logged (a few a second at most), with the caller's address.
static REFUSED_CALLS: LogLimit = LogLimit::per_second(10);

/// A call's answer, its refusal logged.
fn logged(
    peer: SocketAddr,
    action: &str,
    answer: Result<Response, ApiError>,
) -> Result<Response, ApiError> {
    if let Err(error) = &answer {
        REFUSED_CALLS.log(|suppressed| {
            tracing::info!(%peer, action, status = error.status.as_u16(), code = error.code, suppressed, "REST call refused")
        });
    }
    answer
}

/// A refused admin call: an HTTP status, a Tencent error code and a message.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// The Tencent error code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    fn room_not_exist(room: &RoomId) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "FailedOperation.RoomNotExist",
            format!("{room} is not open (it never was, or it closed after its last member left)"),
        )
    }

    /// The answer for an action called with another method than POST.
    pub fn method_not_allowed() -> Self {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "UnsupportedOperation.Method",
            "actions take POST with a JSON body",
        )
    }

    /// The answer for a path that is not an action of this API.
    pub fn unknown_action(path: &str) -> Self {
        let actions: Vec<String> = Action::ALL
            .iter()
            .map(|(name, _)| format!("/v1/{name}"))
            .collect();
        ApiError::new(
            StatusCode::NOT_FOUND,
            "InvalidAction",
            format!("{path} is not an action; use POST {}", actions.join(", ")),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"Response": {
            "Error": {"Code": self.code, "Message": self.message},
            "RequestId": request_id(),
        }});
        (self.status, Json(body)).into_response()
    }
}

fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn success() -> Response {
    success_with(Map::new())
}

/// `{"Response": {…fields, "RequestId": …}}`.
fn success_with(mut fields: Map<String, Value>) -> Response {
    fields.insert("RequestId".into(), Value::String(request_id()));
    Json(json!({ "Response": fields })).into_response()
}

/// A room id as the API names it: `{"RoomId": 123}` or `{"StrRoomId": "lobby"}`.
fn room_id_fields(room_id: &RoomId) -> Map<String, Value> {
    let mut fields = Map::new();
    match room_id {
        RoomId::RoomId(n) => fields.insert("RoomId".into(), json!(n)),
        RoomId::StrRoomId(s) => fields.insert("StrRoomId".into(), json!(s)),
    };
    fields
}

async fn remove(
    ctx: &SessionContext,
    room_id: RoomId,
    user_ids: Vec<UserId>,
) -> Result<Response, ApiError> {
    on_room(ctx, &room_id, |room| {
        let user_ids = user_ids.clone();
        let room_id = &room_id;
        async move {
            match room.remove(user_ids).await {
                Ok(()) => Ok(Some(success())),
                Err(NamedUsersRefused::NotInRoom(absent)) => Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "FailedOperation.UserNotInRoom",
                    format!("{} not in {room_id}; nobody was removed", list(&absent)),
                )),
                Err(NamedUsersRefused::Closed(_)) => Ok(None),
            }
        }
    })
    .await
}

/// SendCustomMessage: a custom message from `administrator` to the room's members (or the
/// `UserIds` given), with the limits of a client's: CmdId 1–10, at most 1 KB.
async fn send_message(
    ctx: &SessionContext,
    room_id: RoomId,
    cmd_id: u8,
    data: Vec<u8>,
    to: Option<Vec<UserId>>,
) -> Result<Response, ApiError> {
    let data = base64::engine::general_purpose::STANDARD.encode(data);
    on_room(ctx, &room_id, |room| {
        let (data, to, room_id) = (data.clone(), to.clone(), &room_id);
        async move {
            match room.send_admin_message(cmd_id, data, to).await {
                Ok(seq) => {
                    let mut fields = Map::new();
                    fields.insert("Seq".into(), seq.into());
                    Ok(Some(success_with(fields)))
                }
                Err(NamedUsersRefused::NotInRoom(absent)) => Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "FailedOperation.UserNotInRoom",
                    format!(
                        "{} not in {room_id}; the message was sent to nobody",
                        list(&absent)
                    ),
                )),
                Err(NamedUsersRefused::Closed(_)) => Ok(None),
            }
        }
    })
    .await
}

async fn dismiss(ctx: &SessionContext, room_id: RoomId) -> Result<Response, ApiError> {
    on_room(ctx, &room_id, |room| async move {
        Ok(room.dismiss().await.ok().map(|()| success()))
    })
    .await
}

async fn create(
    ctx: &SessionContext,
    room_id: RoomId,
    max_members: usize,
    empty_timeout: Duration,
) -> Result<Response, ApiError> {
    let settings = RoomSettings {
        max_members,
        empty_timeout,
        first_member_timeout: ctx.registry.limits().created_room_timeout,
    };
    for _ in 0..ROOM_ATTEMPTS {
        let existing = match ctx.registry.create(&room_id, settings) {
            Ok(_) => return Ok(created(&room_id, settings)),
            Err(CreateRefused::Limit(limit)) => {
                return Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "LimitExceeded.RoomCount",
                    limit.to_string(),
                ))
            }
            Err(CreateRefused::Exists) => match ctx.registry.get(&room_id) {
                Some(existing) => existing,
                None => continue, // it closed meanwhile: create it afresh
            },
        };
        // Open but empty (waiting out its empty-room timeout): it takes the new settings, as
        // if created now. With members it keeps its own.
        match existing.reconfigure(settings).await {
            Ok(Ok(())) => return Ok(created(&room_id, settings)),
            Ok(Err(occupied)) => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "FailedOperation.RoomAlreadyExists",
                    format!(
                        "{room_id} already exists: {occupied}; DescribeRoom shows its settings"
                    ),
                ))
            }
            Err(RoomClosed) => continue,
        }
    }
    Err(ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "FailedOperation.RoomClosing",
        format!("{room_id} kept closing while being created; try again"),
    ))
}

fn created(room_id: &RoomId, settings: RoomSettings) -> Response {
    tracing::info!(room = %room_id, max_members = settings.max_members, "room created");
    let mut fields = room_id_fields(room_id);
    fields.insert("MaxMembers".into(), json!(settings.max_members));
    fields.insert(
        "EmptyRoomTimeoutMs".into(),
        json!(millis(settings.empty_timeout)),
    );
    success_with(fields)
}

async fn describe(ctx: &SessionContext, room_id: RoomId) -> Result<Response, ApiError> {
    on_room(ctx, &room_id, |room| {
        let room_id = &room_id;
        async move {
            let Ok(snapshot) = room.describe().await else {
                return Ok(None);
            };
            let mut fields = room_id_fields(room_id);
            insert_counts(&mut fields, &snapshot);
            fields.insert(
                "Members".into(),
                json!(snapshot
                    .members
                    .iter()
                    .map(|member| json!({
                        "UserId": member.user_id,
                        "Role": member.role.value(),
                        "Audio": member.publishing.audio,
                        "Video": member.publishing.video,
                        // Checked JSON when it was given, so it always reads back.
                        "UserData": member
                            .user_data
                            .as_ref()
                            .and_then(|data| serde_json::from_str::<serde_json::Value>(data.as_str()).ok()),
                    }))
                    .collect::<Vec<_>>()),
            );
            fields.insert("MaxMembers".into(), json!(snapshot.max_members));
            fields.insert(
                "EmptyRoomTimeoutMs".into(),
                json!(millis(snapshot.empty_timeout)),
            );
            Ok(Some(success_with(fields)))
        }
    })
    .await
}

/// MemberCount, and how many of them are anchors and audience members (audience members are
/// not announced to the room, so this is where they are counted).
fn insert_counts(fields: &mut Map<String, Value>, snapshot: &RoomSnapshot) {
    let audience = snapshot
        .members
        .iter()
        .filter(|member| member.role == Role::Audience)
        .count();
    fields.insert("MemberCount".into(), json!(snapshot.members.len()));
    fields.insert(
        "AnchorCount".into(),
        json!(snapshot.members.len() - audience),
    );
    fields.insert("AudienceCount".into(), json!(audience));
}

async fn list_rooms(ctx: &SessionContext, offset: u64, limit: u64) -> Result<Response, ApiError> {
    let rooms = ctx.registry.list();
    let total = rooms.len();
    let page = rooms
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0));
    // Ask the page's rooms at once; a room that closed meanwhile is left out.
    let described = futures_util::future::join_all(page.map(|(id, room)| async move {
        room.describe().await.ok().map(|snapshot| (id, snapshot))
    }))
    .await;
    let listed: Vec<Value> = described
        .into_iter()
        .flatten()
        .map(|(id, snapshot)| {
            let mut fields = room_id_fields(&id);
            insert_counts(&mut fields, &snapshot);
            Value::Object(fields)
        })
        .collect();
    let mut fields = Map::new();
    fields.insert("Total".into(), json!(total));
    fields.insert("Offset".into(), json!(offset));
    fields.insert("Limit".into(), json!(limit));
    fields.insert("Rooms".into(), Value::Array(listed));
    Ok(success_with(fields))
}

/// Attempts at reaching a room whose actor closes under us: the registry may already hold a
/// newer actor for the same id (someone entered again), which the next attempt finds.
const ROOM_ATTEMPTS: usize = 3;

/// Run `operation` on the room's actor; `Ok(None)` from it means the actor was closing.
async fn on_room<F, Fut>(
    ctx: &SessionContext,
    room_id: &RoomId,
    operation: F,
) -> Result<Response, ApiError>
where
    F: Fn(RoomHandle) -> Fut,
    Fut: Future<Output = Result<Option<Response>, ApiError>>,
{
    for _ in 0..ROOM_ATTEMPTS {
        let room = ctx
            .registry
            .get(room_id)
            .ok_or_else(|| ApiError::room_not_exist(room_id))?;
        if let Some(response) = operation(room).await? {
            return Ok(response);
        }
    }
    Err(ApiError::room_not_exist(room_id))
}

/// Check the caller's administrator UserSig (before the body is read, so an unauthorised
/// caller costs little).
fn authorise(ctx: &SessionContext, headers: &HeaderMap) -> Result<(), ApiError> {
    // Two headers are ambiguous (a proxy added one, or a caller hopes one of them is judged):
    // refused rather than judged by either.
    let given = headers.get_all(header::AUTHORIZATION).iter().count();
    if given > 1 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "AuthFailure.InvalidAuthorization",
            format!("send exactly one Authorization header; this request has {given}"),
        ));
    }
    let sig = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "AuthFailure.InvalidAuthorization",
                format!("send the header Authorization: Bearer <UserSig of identifier {ADMIN_IDENTIFIER:?}>"),
            )
        })?;
    auth::check(&ctx.config, ADMIN_IDENTIFIER, sig.trim()).map_err(|error| {
        let code = match error {
            SigError::Expired { .. } => "AuthFailure.SignatureExpire",
            _ => "AuthFailure.SignatureFailure",
        };
        ApiError::new(StatusCode::UNAUTHORIZED, code, error.to_string())
    })?;
    Ok(())
}

/// The body, bounded in size and in time: a caller that never finishes it holds nothing long.
async fn read_body(ctx: &SessionContext, body: Body) -> Result<axum::body::Bytes, ApiError> {
    let within = ctx.config.peers.http_body_timeout;
    tokio::time::timeout(within, axum::body::to_bytes(body, MAX_ADMIN_BODY_BYTES))
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "RequestTimeout",
                format!(
                    "the body did not arrive within {} ms; send it whole, at once",
                    within.as_millis()
                ),
            )
        })?
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "InvalidParameter",
                format!("the body is larger than {MAX_ADMIN_BODY_BYTES} bytes"),
            )
        })
}
