//! The documented envelopes around every answer: `{success, statusCode, message, data,
//! timestamp, requestId}` (+ `code`, `pagination`) on success, `{success: false, statusCode,
//! error {type, title, detail, validation?}, timestamp, requestId}` on error, and a gateway's
//! HTML page for the fault that imitates one.

use super::error::ApiError;
use super::success::Success;
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Method, Response, StatusCode};
use serde_json::{Value, json};

/// What the fake answers.
pub(super) type Reply = Response<Full<Bytes>>;

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
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-request-id", value);
    }
    reply
}

pub(super) fn success_reply(success: Success) -> Reply {
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
    if let Some(pagination) = success.pagination {
        body["pagination"] = pagination;
    }
    let mut reply = json_reply(success.status, &request_id, &body);
    if let Some(location) = success.location
        && let Ok(value) = HeaderValue::from_str(&location)
    {
        reply.headers_mut().insert(hyper::header::LOCATION, value);
    }
    reply
}

pub(super) fn error_reply(error: &ApiError) -> Reply {
    let request_id = request_id();
    let mut problem = json!({
        "type": error.problem_type,
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

/// 405 with `Allow`, for a known path and a method it does not serve.
pub(super) fn method_not_allowed(allowed: &[&Method]) -> Reply {
    let mut reply = error_reply(&ApiError::method_not_allowed());
    let allow = allowed
        .iter()
        .map(|method| method.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if let Ok(value) = HeaderValue::from_str(&allow) {
        reply.headers_mut().insert(hyper::header::ALLOW, value);
    }
    reply
}

/// A gateway's HTML error page: not the API's envelope.
pub(super) fn html_reply(status: u16) -> Reply {
    let page = format!(
        "<html><head><title>{status}</title></head><body><h1>{status} Bad Gateway</h1></body></html>"
    );
    let mut reply = Response::new(Full::new(Bytes::from(page)));
    *reply.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    reply
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    reply
}
