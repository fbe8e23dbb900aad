//! The REST admin API, with TRTC's action names and Tencent Cloud API 3.0 shapes:
//! `POST /v1/<Action>` with a JSON body, answered `{"Response":{"RequestId":…}}` or
//! `{"Response":{"Error":{"Code":…,"Message":…},"RequestId":…}}` with a fitting HTTP status.
//!
//! Every call is authorised by a UserSig of the reserved identifier `administrator` in
//! `Authorization: Bearer <sig>`, checked before the body is read (and the body is bounded),
//! so an unauthorised caller learns nothing, changes nothing and costs little.

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, MethodRouter};
use axum::{Json, Router};
use openroom_protocol::usersig::SigError;
use openroom_protocol::{Role, RoomId, UserId, ADMIN_IDENTIFIER};
use serde_json::{json, Map, Value};
use std::future::Future;
use std::net::SocketAddr;

use crate::auth;
use crate::config::{millis, MAX_ADMIN_BODY_BYTES, MAX_EMPTY_ROOM_TIMEOUT};
use crate::log_limit::LogLimit;
use crate::registry::CreateRefused;
use crate::room::{list, RemoveRefused, RoomHandle};
use crate::room::{RoomClosed, RoomSettings, RoomSnapshot};
use crate::signaling::SessionContext;
use base64::Engine as _;
use openroom_protocol::custom;
use openroom_protocol::WarningCode;
use std::time::Duration;

/// TRTC's limit on UserIds in one RemoveUser call.
const MAX_USER_IDS: usize = 10;

pub fn router() -> Router<SessionContext> {
    Router::new()
        .route("/v1/RemoveUser", action(remove, RoomIdForm::Numeric))
        .route(
            "/v1/RemoveUserByStrRoomId",
            action(remove, RoomIdForm::String),
        )
        .route("/v1/CreateRoom", action(create, RoomIdForm::Numeric))
        .route(
            "/v1/CreateRoomByStrRoomId",
            action(create, RoomIdForm::String),
        )
        .route("/v1/DescribeRoom", action(describe, RoomIdForm::Numeric))
        .route(
            "/v1/DescribeRoomByStrRoomId",
            action(describe, RoomIdForm::String),
        )
        .route(
            "/v1/ListRooms",
            post(
                |State(ctx): State<SessionContext>,
                 ConnectInfo(peer): ConnectInfo<SocketAddr>,
                 headers: HeaderMap,
                 body: Body| async move {
                    let answer = async {
                        let body = authorised_body(&ctx, &headers, body).await?;
                        list_rooms(ctx, body).await
                    };
                    logged(peer, "ListRooms", answer.await)
                },
            ),
        )
        .route(
            "/v1/SendCustomMessage",
            action(send_message, RoomIdForm::Numeric),
        )
        .route(
            "/v1/SendCustomMessageByStrRoomId",
            action(send_message, RoomIdForm::String),
        )
        .route("/v1/DismissRoom", action(dismiss, RoomIdForm::Numeric))
        .route(
            "/v1/DismissRoomByStrRoomId",
            action(dismiss, RoomIdForm::String),
        )
}

/// A POST handler running `operation` for the RoomId form the action takes.
fn action<F, Fut>(operation: F, form: RoomIdForm) -> MethodRouter<SessionContext>
where
    F: Fn(SessionContext, Map<String, Value>, RoomIdForm) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Response, ApiError>> + Send + 'static,
{
    post(
        move |State(ctx): State<SessionContext>,
              ConnectInfo(peer): ConnectInfo<SocketAddr>,
              uri: Uri,
              headers: HeaderMap,
              body: Body| async move {
            let answer = async {
                let body = authorised_body(&ctx, &headers, body).await?;
                operation(ctx, body, form).await
            };
            logged(peer, uri.path(), answer.await)
        },
    )
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

    fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
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
        ApiError::new(
            StatusCode::NOT_FOUND,
            "InvalidAction",
            format!("{path} is not an action; use POST /v1/RemoveUser, /v1/RemoveUserByStrRoomId, /v1/DismissRoom, /v1/DismissRoomByStrRoomId, /v1/CreateRoom, /v1/CreateRoomByStrRoomId, /v1/DescribeRoom, /v1/DescribeRoomByStrRoomId, /v1/SendCustomMessage, /v1/SendCustomMessageByStrRoomId or /v1/ListRooms"),
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

/// The longest page ListRooms returns.
const MAX_PAGE: u64 = 100;
const DEFAULT_PAGE: u64 = 20;

/// Which form of RoomId an action takes.
#[derive(Clone, Copy)]
enum RoomIdForm {
    Numeric,
    String,
}

async fn remove(
    ctx: SessionContext,
    body: Map<String, Value>,
    form: RoomIdForm,
) -> Result<Response, ApiError> {
    let room_id = room_id(&body, form)?;
    let user_ids = user_ids(&body)?;
    on_room(&ctx, &room_id, |room| {
        let user_ids = user_ids.clone();
        let room_id = &room_id;
        async move {
            match room.remove(user_ids).await {
                Ok(()) => Ok(Some(success())),
                Err(RemoveRefused::NotInRoom(absent)) => Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "FailedOperation.UserNotInRoom",
                    format!("{} not in {room_id}; nobody was removed", list(&absent)),
                )),
                Err(RemoveRefused::Closed(_)) => Ok(None),
            }
        }
    })
    .await
}

/// SendCustomMessage: a custom message from `administrator` to the room's members (or the
/// `UserIds` given), with the limits of a client's: CmdId 1–10, at most 1 KB. `Data` is
/// base64, `Text` a UTF-8 string; exactly one of them.
async fn send_message(
    ctx: SessionContext,
    body: Map<String, Value>,
    form: RoomIdForm,
) -> Result<Response, ApiError> {
    let room_id = room_id(&body, form)?;
    let cmd_id = match body.get("CmdId") {
        Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64().unwrap_or(0),
        Some(other) => {
            return Err(ApiError::invalid(
                "InvalidParameter.CmdId",
                format!("CmdId must be an integer from 1 to 10, got {other}"),
            ))
        }
        None => {
            return Err(ApiError::invalid(
                "InvalidParameter.CmdId",
                "CmdId is missing: give an integer from 1 to 10",
            ))
        }
    };
    let data = message_data(&body)?;
    let cmd_id = custom::check_message(cmd_id, data.len()).map_err(|refusal| {
        let code = match refusal.code {
            WarningCode::CustomCmdTooLarge => "InvalidParameter.Data",
            _ => "InvalidParameter.CmdId",
        };
        ApiError::invalid(code, refusal.message)
    })?;
    let to = match body.get("UserIds") {
        Some(_) => Some(user_ids(&body)?),
        None => None,
    };
    let data = base64::engine::general_purpose::STANDARD.encode(data);
    on_room(&ctx, &room_id, |room| {
        let (data, to, room_id) = (data.clone(), to.clone(), &room_id);
        async move {
            match room.send_admin_message(cmd_id, data, to).await {
                Ok(seq) => {
                    let mut fields = Map::new();
                    fields.insert("Seq".into(), seq.into());
                    Ok(Some(success_with(fields)))
                }
                Err(RemoveRefused::NotInRoom(absent)) => Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "FailedOperation.UserNotInRoom",
                    format!(
                        "{} not in {room_id}; the message was sent to nobody",
                        list(&absent)
                    ),
                )),
                Err(RemoveRefused::Closed(_)) => Ok(None),
            }
        }
    })
    .await
}

/// The bytes of a SendCustomMessage: `Data` (base64) or `Text` (UTF-8), exactly one.
fn message_data(body: &Map<String, Value>) -> Result<Vec<u8>, ApiError> {
    let invalid = |message: String| ApiError::invalid("InvalidParameter.Data", message);
    match (body.get("Data"), body.get("Text")) {
        (Some(Value::String(data)), None) => base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|error| invalid(format!("Data must be base64: {error}"))),
        (None, Some(Value::String(text))) => Ok(text.clone().into_bytes()),
        (None, None) => Err(invalid(
            "give the message as Data (base64) or Text (a string)".into(),
        )),
        (Some(_), Some(_)) => Err(invalid("give Data or Text, not both".into())),
        _ => Err(invalid("Data and Text must be strings".into())),
    }
}

async fn dismiss(
    ctx: SessionContext,
    body: Map<String, Value>,
    form: RoomIdForm,
) -> Result<Response, ApiError> {
    let room_id = room_id(&body, form)?;
    on_room(&ctx, &room_id, |room| async move {
        Ok(room.dismiss().await.ok().map(|()| success()))
    })
    .await
}

async fn create(
    ctx: SessionContext,
    body: Map<String, Value>,
    form: RoomIdForm,
) -> Result<Response, ApiError> {
    let room_id = room_id(&body, form)?;
    let limits = *ctx.registry.limits();
    let max_members = bounded_field(
        &body,
        Field::MaxMembers,
        1..=limits.max_members_per_room as u64,
        limits.max_members_per_room as u64,
    )? as usize;
    let most = millis(MAX_EMPTY_ROOM_TIMEOUT);
    let empty_timeout = Duration::from_millis(bounded_field(
        &body,
        Field::EmptyRoomTimeoutMs,
        0..=most,
        millis(limits.empty_room_timeout),
    )?);
    let settings = RoomSettings {
        max_members,
        empty_timeout,
        first_member_timeout: limits.created_room_timeout,
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

async fn describe(
    ctx: SessionContext,
    body: Map<String, Value>,
    form: RoomIdForm,
) -> Result<Response, ApiError> {
    let room_id = room_id(&body, form)?;
    on_room(&ctx, &room_id, |room| {
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

async fn list_rooms(ctx: SessionContext, body: Map<String, Value>) -> Result<Response, ApiError> {
    let offset = bounded_field(&body, Field::Offset, 0..=u64::from(u32::MAX), 0)?;
    let limit = bounded_field(&body, Field::Limit, 1..=MAX_PAGE, DEFAULT_PAGE)?;
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

/// Check the caller's administrator UserSig, then parse the body as a JSON object whose
/// `SdkAppId` is this server's.
async fn authorised_body(
    ctx: &SessionContext,
    headers: &HeaderMap,
    body: Body,
) -> Result<Map<String, Value>, ApiError> {
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

    // Bounded in size and in time: a caller that never finishes its body holds nothing long.
    let within = ctx.config.peers.http_body_timeout;
    let body = tokio::time::timeout(within, axum::body::to_bytes(body, MAX_ADMIN_BODY_BYTES))
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
        })?;
    let body: Map<String, Value> = match serde_json::from_slice(&body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => {
            return Err(ApiError::invalid(
                "InvalidParameter",
                "the body must be a JSON object",
            ))
        }
        Err(error) => {
            return Err(ApiError::invalid(
                "InvalidParameter",
                format!("the body is not JSON: {error}"),
            ))
        }
    };
    let expected = ctx.config.sdk_app_id;
    match body.get("SdkAppId").and_then(Value::as_u64) {
        Some(found) if found == u64::from(expected) => Ok(body),
        Some(found) => Err(ApiError::invalid(
            "InvalidParameter.SdkAppId",
            format!("SdkAppId {found} is not served here; this server's is {expected}"),
        )),
        None => Err(ApiError::invalid(
            "InvalidParameter.SdkAppId",
            format!("SdkAppId is missing or not a positive integer; this server's is {expected}"),
        )),
    }
}

/// The optional integer fields of the API, each with its own error code.
#[derive(Clone, Copy)]
enum Field {
    Offset,
    Limit,
    MaxMembers,
    EmptyRoomTimeoutMs,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Offset => "Offset",
            Field::Limit => "Limit",
            Field::MaxMembers => "MaxMembers",
            Field::EmptyRoomTimeoutMs => "EmptyRoomTimeoutMs",
        }
    }

    fn error_code(self) -> &'static str {
        match self {
            Field::Offset => "InvalidParameter.Offset",
            Field::Limit => "InvalidParameter.Limit",
            Field::MaxMembers => "InvalidParameter.MaxMembers",
            Field::EmptyRoomTimeoutMs => "InvalidParameter.EmptyRoomTimeoutMs",
        }
    }
}

/// An optional integer field: `default` when absent, else an integer within `range`.
fn bounded_field(
    body: &Map<String, Value>,
    field: Field,
    range: std::ops::RangeInclusive<u64>,
    default: u64,
) -> Result<u64, ApiError> {
    let Some(value) = body.get(field.name()) else {
        return Ok(default);
    };
    value.as_u64().filter(|n| range.contains(n)).ok_or_else(|| {
        ApiError::invalid(
            field.error_code(),
            format!(
                "{} must be an integer from {} to {}, got {value}",
                field.name(),
                range.start(),
                range.end()
            ),
        )
    })
}

fn room_id(body: &Map<String, Value>, form: RoomIdForm) -> Result<RoomId, ApiError> {
    let value = body.get("RoomId");
    let parsed = match (form, value) {
        (_, None) => Err("RoomId is missing".to_owned()),
        (RoomIdForm::Numeric, Some(Value::Number(n))) => match n.as_u64() {
            Some(n) => RoomId::numeric(n).map_err(|e| e.to_string()),
            None => Err(format!("RoomId {n} is not a positive integer")),
        },
        (RoomIdForm::Numeric, Some(_)) => {
            Err("RoomId must be a number here; for a string room id use the ByStrRoomId action".to_owned())
        }
        (RoomIdForm::String, Some(Value::String(s))) => RoomId::string(s).map_err(|e| e.to_string()),
        (RoomIdForm::String, Some(_)) => {
            Err("RoomId must be a string here; for a numeric room id use the action without ByStrRoomId".to_owned())
        }
    };
    parsed.map_err(|message| ApiError::invalid("InvalidParameter.RoomId", message))
}

fn user_ids(body: &Map<String, Value>) -> Result<Vec<UserId>, ApiError> {
    let invalid = |message: String| ApiError::invalid("InvalidParameter.UserIds", message);
    let Some(Value::Array(items)) = body.get("UserIds") else {
        return Err(invalid(format!(
            "UserIds must be an array of 1 to {MAX_USER_IDS} userIds"
        )));
    };
    if items.is_empty() || items.len() > MAX_USER_IDS {
        return Err(invalid(format!(
            "UserIds has {} entries; give 1 to {MAX_USER_IDS}",
            items.len()
        )));
    }
    items
        .iter()
        .map(|item| match item {
            Value::String(s) => UserId::parse(s).map_err(|e| invalid(e.to_string())),
            other => Err(invalid(format!("UserIds entry {other} is not a string"))),
        })
        .collect()
}
