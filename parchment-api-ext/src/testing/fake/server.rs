//! The fake's HTTP side: one hyper connection task per client, routing by path, the auth
//! checks, injected faults, the request log, and the documented envelopes.

use super::state::{ApiError, State, Success};
use super::{Fault, LoggedRequest, Shared};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;

/// The largest request body the fake reads.
const MAX_REQUEST_BYTES: usize = 1024 * 1024;

type Reply = Response<Full<Bytes>>;

/// Answers one request, applying the next injected fault first, and logs it.
pub(super) async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Reply, std::convert::Infallible> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let fault = shared.next_fault();
    let reply = match fault {
        Some(Fault::Status {
            status,
            retry_after,
        }) => {
            let mut reply = error_reply(&fault_error(status));
            if let Some(seconds) = retry_after {
                reply.headers_mut().insert("retry-after", seconds.into());
            }
            reply
        }
        Some(Fault::Html { status }) => html_reply(status),
        Some(Fault::Latency(delay)) => {
            tokio::time::sleep(delay).await;
            route(&shared, request).await
        }
        None => route(&shared, request).await,
    };
    shared.log(LoggedRequest {
        method: method.to_string(),
        path,
        status: reply.status().as_u16(),
    });
    Ok(reply)
}

/// An injected fault's error: the documented problem for its status.
fn fault_error(status: u16) -> ApiError {
    let (slug, title, detail) = crate::testing::fixtures::problem(status);
    ApiError {
        status,
        slug,
        title,
        detail: detail.into(),
        validation: Vec::new(),
        code: None,
    }
}

async fn route(shared: &Shared, request: Request<Incoming>) -> Reply {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return error_reply(&ApiError::invalid_request(
                "the request body could not be read",
            ));
        }
    };
    let segments: Vec<String> = parts
        .uri
        .path()
        .trim_start_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let query = parts.uri.query().unwrap_or("");
    if let Some(allowed) = allowed_methods(&segments)
        && !allowed.contains(&parts.method)
    {
        return method_not_allowed(allowed);
    }
    let result = match (&parts.method, segments.as_slice()) {
        (&Method::POST, ["v1", "token"]) => token(shared, &parts.headers, &body),
        (method, ["v1", "organizations", org, rest @ ..]) => {
            resource(shared, method, org, rest, &parts.headers, query, &body)
        }
        _ => Err(ApiError::route_not_found()),
    };
    match result {
        Ok(success) => success_reply(success),
        Err(error) => error_reply(&error),
    }
}

/// The methods a known path serves (`None` for an unknown path).
fn allowed_methods(segments: &[&str]) -> Option<&'static [Method]> {
    Some(match segments {
        ["v1", "token"] => &[Method::POST],
        ["v1", "organizations", _, "validate"] => &[Method::GET],
        ["v1", "organizations", _, "users"] => &[Method::GET, Method::POST],
        ["v1", "organizations", _, "users", _] => &[Method::GET, Method::PUT],
        [
            "v1",
            "organizations",
            _,
            "users",
            _,
            "roles" | "disable" | "enable",
        ] => &[Method::PUT],
        _ => return None,
    })
}

/// 405 with `Allow`, for a known path and a method it does not serve.
fn method_not_allowed(allowed: &[Method]) -> Reply {
    let error = ApiError {
        status: 405,
        slug: "method-not-allowed",
        title: "Method not allowed",
        detail: "This endpoint does not serve that method".into(),
        validation: Vec::new(),
        code: None,
    };
    let mut reply = error_reply(&error);
    let allow = allowed
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if let Ok(value) = hyper::header::HeaderValue::from_str(&allow) {
        reply.headers_mut().insert(hyper::header::ALLOW, value);
    }
    reply
}

/// The scope each resource operation needs.
fn required_scope(method: &Method, rest: &[&str]) -> Option<&'static str> {
    Some(match (method, rest) {
        (&Method::GET, ["validate"]) => "read:user",
        (&Method::GET, ["users"]) => "read:users",
        (&Method::POST, ["users"]) => "create:user",
        (&Method::GET, ["users", _]) => "read:user",
        (&Method::PUT, ["users", _] | ["users", _, "roles" | "disable" | "enable"]) => {
            "update:user"
        }
        _ => return None,
    })
}

fn resource(
    shared: &Shared,
    method: &Method,
    org_id: &str,
    rest: &[&str],
    headers: &hyper::HeaderMap,
    query: &str,
    body: &Bytes,
) -> Result<Success, ApiError> {
    let scope = required_scope(method, rest).ok_or_else(ApiError::route_not_found)?;
    let mut state = shared.state();
    authorize(&state, org_id, headers, scope)?;
    let org = state
        .orgs
        .get_mut(org_id)
        .ok_or_else(|| ApiError::unauthorized("Valid authentication token is required"))?;
    let json = || parse_json(body);
    match (method, rest) {
        (&Method::GET, ["validate"]) => Ok(org.validate()),
        (&Method::GET, ["users"]) => org.list(
            query_param(query, "limit").as_deref(),
            query_param(query, "lastKey").as_deref(),
        ),
        (&Method::POST, ["users"]) => org.create(&json()?),
        (&Method::GET, ["users", user]) => org.read(user),
        (&Method::PUT, ["users", user]) => org.update(user, &json()?),
        (&Method::PUT, ["users", user, "roles"]) => org.replace_roles(user, &json()?),
        (&Method::PUT, ["users", user, "disable"]) => org.set_enabled(user, false),
        (&Method::PUT, ["users", user, "enable"]) => org.set_enabled(user, true),
        _ => Err(ApiError::route_not_found()),
    }
}

/// The organization secret must match, and the bearer token must be the organization's static
/// token or one the fake issued for it, unexpired, with `scope`.
fn authorize(
    state: &State,
    org_id: &str,
    headers: &hyper::HeaderMap,
    scope: &str,
) -> Result<(), ApiError> {
    let refused = || ApiError::unauthorized("Valid authentication token is required");
    let org = state.orgs.get(org_id).ok_or_else(refused)?;
    let secret = headers
        .get("x-organization-secret")
        .and_then(|v| v.to_str().ok());
    if secret != Some(org.secret.as_str()) {
        return Err(refused());
    }
    let bearer = headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(refused)?;
    if bearer == org.static_token {
        return Ok(());
    }
    let token = state.tokens.get(bearer).ok_or_else(refused)?;
    if token.organization_id != org_id || token.expires_at <= state.now() {
        return Err(refused());
    }
    if !token.scopes.contains(scope) {
        return Err(ApiError::insufficient_scope(scope));
    }
    Ok(())
}

fn token(shared: &Shared, headers: &hyper::HeaderMap, body: &Bytes) -> Result<Success, ApiError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let config = &shared.config;
    if header("x-partner-id") != config.partner_id
        || header("x-partner-secret") != config.partner_secret
    {
        return Err(ApiError::unauthorized("Invalid partner credentials"));
    }
    let mut state = shared.state();
    let org_id = header("x-organization-id");
    let org = state
        .orgs
        .get(org_id)
        .ok_or_else(|| ApiError::unauthorized("Invalid organization credentials"))?;
    if header("x-organization-secret") != org.secret {
        return Err(ApiError::unauthorized("Invalid organization credentials"));
    }
    if !org
        .users
        .get(header("x-user-id"))
        .is_some_and(|user| user.enabled)
    {
        return Err(ApiError::unauthorized(
            "The user is not an active user of the organization",
        ));
    }
    let body = parse_json(body)?;
    super::rules::known_members(super::rules::object(&body)?, &["grantType", "scope"], &[])?;
    let grant = body.get("grantType").and_then(Value::as_str);
    let scopes: Option<Vec<String>> =
        body.get("scope")
            .and_then(Value::as_array)
            .and_then(|scopes| {
                scopes
                    .iter()
                    .map(|s| s.as_str().map(str::to_owned))
                    .collect()
            });
    let (Some("client_credentials"), Some(scopes)) = (grant, scopes) else {
        return Err(ApiError::invalid_request(
            "grantType must be client_credentials and scope an array of scopes",
        ));
    };
    if scopes.is_empty() {
        return Err(ApiError::invalid_request(
            "scope must name at least one scope",
        ));
    }
    let data = state.issue_token(org_id, &scopes, config.token_lifetime);
    Ok(Success {
        status: 200,
        message: "Token generated successfully",
        data,
        code: None,
    })
}

fn parse_json(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|_| ApiError::invalid_request("the request body is not valid JSON"))
}

fn query_param(query: &str, name: &str) -> Option<String> {
    // Form encoding writes a space as `+` in queries (not in paths).
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| percent_decode(&value.replace('+', " ")))
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits stays as it is.
fn percent_decode(text: &str) -> String {
    let hex = |byte: u8| (byte as char).to_digit(16).map(|d| d as u8);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(high * 16 + low);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `req_<epoch ms>_<6 chars>`, as Parchment's request ids look.
fn request_id() -> String {
    let millis = chrono::Utc::now().timestamp_millis();
    let suffix: String = (0..6)
        .map(|_| fastrand::alphanumeric().to_ascii_lowercase())
        .collect();
    format!("req_{millis}_{suffix}")
}

fn timestamp() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

fn json_reply(status: u16, request_id: &str, body: &Value) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(body.to_string())));
    *reply.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = reply.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    if let Ok(value) = hyper::header::HeaderValue::from_str(request_id) {
        headers.insert("x-request-id", value);
    }
    reply
}

fn success_reply(success: Success) -> Reply {
    let request_id = request_id();
    let mut body = json!({
        "success": true,
        "statusCode": success.status,
        "message": success.message,
        "data": success.data,
        "timestamp": timestamp(),
        "requestId": request_id,
    });
    if let Some(code) = success.code {
        body["code"] = json!(code);
    }
    json_reply(success.status, &request_id, &body)
}

pub(super) fn error_reply(error: &ApiError) -> Reply {
    let request_id = request_id();
    let mut problem = json!({
        "type": format!("https://parchment.health/errors/{}", error.slug),
        "title": error.title,
        "detail": error.detail,
    });
    if !error.validation.is_empty() {
        problem["validation"] = error
            .validation
            .iter()
            .map(|(field, message)| json!({"field": field, "message": message, "code": "VALIDATION_ERROR"}))
            .collect();
    }
    let mut body = json!({
        "success": false,
        "statusCode": error.status,
        "error": problem,
        "timestamp": timestamp(),
        "requestId": request_id,
    });
    if let Some(code) = error.code {
        body["code"] = json!(code);
    }
    json_reply(error.status, &request_id, &body)
}

/// A gateway's HTML error page: not the API's envelope.
fn html_reply(status: u16) -> Reply {
    let page = format!(
        "<html><head><title>{status}</title></head><body><h1>{status} Bad Gateway</h1></body></html>"
    );
    let mut reply = Response::new(Full::new(Bytes::from(page)));
    *reply.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    reply.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/html"),
    );
    reply
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn percent_escapes_decode() {
        assert_eq!(percent_decode("PARTNER%20USER%25"), "PARTNER USER%");
        assert_eq!(percent_decode("a%2Fb"), "a/b");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%é%"), "%é%");
        assert_eq!(percent_decode("a+b"), "a+b");
    }
}
