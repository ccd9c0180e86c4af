//! What a service sees of [`parchment_api_ext::Error`] when Parchment (or a gateway in front of
//! it) answers badly: the kind decided by the HTTP status, the request id to quote to support,
//! the problem details, the server's field errors, `Retry-After`, whether a retry may help, and
//! a Display that says all of it without printing a body.

mod support;

use httpmock::Method::{GET, PUT};
use httpmock::{MockServer, Then};
use parchment_api_ext::{Error, ErrorKind, FieldError, UserUpdate};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

/// Where read user and update user of `usr_1` in [`support::ORG`] go.
const USER_PATH: &str = "/v1/organizations/org_7f3a/users/usr_1";

/// Serves one answer to `GET USER_PATH`, reads the user through the public client, and returns
/// the error it fails with (after checking the request did reach the mock).
async fn read_user_error(respond: impl FnOnce(Then) -> Then) -> Error {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path(USER_PATH);
            let _configured = respond(then);
        })
        .await;
    let error = support::client(&server.base_url())
        .organization(support::ORG)
        .users()
        .get("usr_1")
        .await
        .expect_err("the mock answers with a failure");
    mock.assert_async().await;
    error
}

/// Like [`read_user_error`], for `PUT USER_PATH` (update user, a name change).
async fn update_user_error(respond: impl FnOnce(Then) -> Then) -> Error {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT).path(USER_PATH);
            let _configured = respond(then);
        })
        .await;
    let error = support::client(&server.base_url())
        .organization(support::ORG)
        .users()
        .update("usr_1", UserUpdate::new().full_name("Darlene Scott"))
        .await
        .expect_err("the mock answers with a failure");
    mock.assert_async().await;
    error
}

/// The documented envelope of `status`, as `support::error_envelope` builds it.
fn envelope_error(status: u16, kind: &str, title: &str, detail: &str) -> impl FnOnce(Then) -> Then {
    let body = support::error_envelope(status, kind, title, detail);
    move |then: Then| then.status(status).json_body(body)
}

fn status(code: u16) -> Option<StatusCode> {
    Some(StatusCode::from_u16(code).expect("a valid status code"))
}

// ---------------------------------------------------------------------------------------------
// Documented error statuses
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn each_documented_error_status_maps_to_its_kind_with_the_envelope_details() {
    let cases = [
        (
            400,
            ErrorKind::BadRequest,
            "bad-request",
            "Bad request",
            "The limit must be a number",
        ),
        (
            401,
            ErrorKind::Unauthorized,
            "authentication-required",
            "Authentication required",
            "The access token is missing or invalid",
        ),
        (
            403,
            ErrorKind::Forbidden,
            "insufficient-scope",
            "Forbidden",
            "Missing read:user scope",
        ),
        (
            404,
            ErrorKind::NotFound,
            "user-not-found",
            "Not found",
            "User not found",
        ),
        (
            409,
            ErrorKind::Conflict,
            "resource-conflict",
            "Conflict",
            "The user was changed concurrently",
        ),
        (
            422,
            ErrorKind::Validation,
            "validation-error",
            "Validation failed",
            "There were some problems with your input.",
        ),
        (
            429,
            ErrorKind::RateLimited,
            "rate-limit",
            "Rate limit exceeded",
            "Too many requests. Please try again later.",
        ),
        (
            500,
            ErrorKind::Server,
            "internal-error",
            "Internal server error",
            "An unexpected error occurred",
        ),
        (
            503,
            ErrorKind::Server,
            "service-unavailable",
            "Service unavailable",
            "The service is temporarily unavailable",
        ),
    ];
    for (code, kind, problem_type, title, detail) in cases {
        let error = read_user_error(envelope_error(code, problem_type, title, detail)).await;
        assert_eq!(error.kind(), kind, "HTTP {code}: {error:?}");
        assert_eq!(error.operation(), "read user", "HTTP {code}");
        assert_eq!(error.status(), status(code), "HTTP {code}");
        assert_eq!(
            error.body_status_code(),
            Some(i64::from(code)),
            "HTTP {code}"
        );
        let expected_request_id = format!("req_1705312200000_e{code}");
        assert_eq!(
            error.request_id(),
            Some(expected_request_id.as_str()),
            "HTTP {code}"
        );
        let problem = error.problem().expect("the envelope's `error` is kept");
        let expected_type = format!("https://parchment.health/errors/{problem_type}");
        assert_eq!(
            problem.problem_type.as_deref(),
            Some(expected_type.as_str()),
            "HTTP {code}"
        );
        assert_eq!(problem.title.as_deref(), Some(title), "HTTP {code}");
        assert_eq!(problem.detail.as_deref(), Some(detail), "HTTP {code}");
        assert_eq!(
            error.code(),
            None,
            "HTTP {code}: no top-level code was sent"
        );
        assert!(error.field_errors().is_empty(), "HTTP {code}");
        assert_eq!(
            error.body_snippet(),
            None,
            "HTTP {code}: an envelope is decoded, not kept as a snippet"
        );
    }
}

#[tokio::test]
async fn a_conflict_keeps_the_top_level_code() {
    let error = update_user_error(|then| {
        then.status(409).json_body(json!({
            "success": false,
            "statusCode": 409,
            "code": "USER_ALREADY_EXISTS",
            "error": {
                "type": "https://parchment.health/errors/resource-conflict",
                "title": "Conflict",
                "detail": "A user with this email already exists"
            },
            "timestamp": "2024-01-15T10:30:00.000Z",
            "requestId": "req_1705312200000_cnf409"
        }))
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert_eq!(error.operation(), "update user");
    assert_eq!(error.status(), status(409));
    assert_eq!(error.code(), Some("USER_ALREADY_EXISTS"));
    assert_eq!(error.request_id(), Some("req_1705312200000_cnf409"));
    assert_eq!(
        error.problem().and_then(|p| p.detail.as_deref()),
        Some("A user with this email already exists")
    );
    assert!(
        error.to_string().contains("USER_ALREADY_EXISTS"),
        "the code is worth showing: {error}"
    );
}

#[tokio::test]
async fn the_seed_422_of_update_user_lists_the_servers_field_errors() {
    // Seed 003, "Validation Error (422 Unprocessable Entity)", verbatim.
    let error = update_user_error(|then| {
        then.status(422).json_body(json!({
            "success": false,
            "statusCode": 422,
            "error": {
                "type": "https://parchment.health/errors/validation-error",
                "title": "Validation failed",
                "detail": "There were some problems with your input.",
                "validation": [
                    {
                        "field": "date_of_birth",
                        "message": "Invalid date",
                        "code": "VALIDATION_ERROR"
                    },
                    {
                        "field": "provider_details",
                        "message": "When providing provider_details with prescriber_type, qualifications and prescriber_number (if not podiatrist) are required",
                        "code": "VALIDATION_ERROR"
                    }
                ]
            },
            "timestamp": "2024-01-15T10:30:00.000Z",
            "requestId": "req_1705312200000_def456"
        }))
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::Validation);
    assert_eq!(error.status(), status(422));
    assert_eq!(error.request_id(), Some("req_1705312200000_def456"));
    assert_eq!(
        error.field_errors(),
        [
            FieldError::new("date_of_birth", "VALIDATION_ERROR", "Invalid date"),
            FieldError::new(
                "provider_details",
                "VALIDATION_ERROR",
                "When providing provider_details with prescriber_type, qualifications and \
                 prescriber_number (if not podiatrist) are required",
            ),
        ]
    );
    let problem = error.problem().expect("the envelope's `error` is kept");
    assert_eq!(
        problem.problem_type.as_deref(),
        Some("https://parchment.health/errors/validation-error")
    );
    assert_eq!(problem.title.as_deref(), Some("Validation failed"));
    assert!(!error.is_retryable());
    let shown = error.to_string();
    assert!(
        shown.contains("date_of_birth") && shown.contains("provider_details"),
        "the failing fields are named: {shown}"
    );
}

#[tokio::test]
async fn the_http_status_wins_over_the_bodys_status_code() {
    // The reference's own "403" example says 401 in its body.
    let error = read_user_error(|then| {
        then.status(403).json_body(support::error_envelope(
            401,
            "insufficient-scope",
            "Forbidden",
            "Insufficient permissions",
        ))
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::Forbidden);
    assert_eq!(error.status(), status(403));
    assert_eq!(error.body_status_code(), Some(401));
    assert!(
        error.to_string().contains("HTTP 403"),
        "Display shows the real status: {error}"
    );
}

// ---------------------------------------------------------------------------------------------
// Request id
// ---------------------------------------------------------------------------------------------

/// An error envelope without `requestId`.
fn envelope_without_request_id(status: u16) -> serde_json::Value {
    let mut body = support::error_envelope(status, "not-found", "Not found", "User not found");
    body.as_object_mut()
        .expect("the envelope is an object")
        .remove("requestId");
    body
}

#[tokio::test]
async fn the_bodys_request_id_wins_over_the_headers() {
    let error = read_user_error(|then| {
        then.status(404)
            .header("x-request-id", "hdr-req-1")
            .header("x-amzn-requestid", "amzn-req-1")
            .json_body(support::error_envelope(
                404,
                "not-found",
                "Not found",
                "User not found",
            ))
    })
    .await;
    assert_eq!(error.request_id(), Some("req_1705312200000_e404"));
}

#[tokio::test]
async fn without_a_body_request_id_x_request_id_is_used() {
    let error = read_user_error(|then| {
        then.status(404)
            .header("x-request-id", "hdr-req-1")
            .header("x-amzn-requestid", "amzn-req-1")
            .json_body(envelope_without_request_id(404))
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(error.request_id(), Some("hdr-req-1"));
}

#[tokio::test]
async fn without_a_body_request_id_nor_x_request_id_x_amzn_requestid_is_used() {
    let error = read_user_error(|then| {
        then.status(404)
            .header("x-amzn-requestid", "1-68d1b225-2a98f1c34b5e6d7f8a9b0c1d")
            .json_body(envelope_without_request_id(404))
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(
        error.request_id(),
        Some("1-68d1b225-2a98f1c34b5e6d7f8a9b0c1d")
    );
}

#[tokio::test]
async fn without_any_request_id_there_is_none() {
    let error =
        read_user_error(|then| then.status(404).json_body(envelope_without_request_id(404))).await;
    assert_eq!(error.request_id(), None);
    assert!(
        !error.to_string().contains("request id"),
        "no empty request id is shown: {error}"
    );
}

// ---------------------------------------------------------------------------------------------
// Bodies that are not the envelope
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_html_502_from_a_gateway_keeps_status_and_header_request_id() {
    let error = read_user_error(|then| {
        then.status(502)
            .header("content-type", "text/html")
            .header("x-amzn-requestid", "gw-502-abc")
            .body("<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>")
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(error.status(), status(502));
    assert_eq!(error.request_id(), Some("gw-502-abc"));
    assert_eq!(error.problem(), None);
    assert_eq!(error.body_status_code(), None);
    let snippet = error
        .body_snippet()
        .expect("a non-envelope body leaves a snippet");
    assert!(snippet.starts_with("<html"), "{snippet}");
    assert!(error.is_retryable());
    let shown = error.to_string();
    assert!(
        !shown.contains("<html"),
        "Display never prints a body: {shown}"
    );
    assert!(shown.contains("502"), "{shown}");
    assert!(shown.contains("gw-502-abc"), "{shown}");
    let debug = format!("{error:?}");
    assert!(
        !debug.contains("<html"),
        "Debug never prints a body: {debug}"
    );
}

#[tokio::test]
async fn an_empty_503_is_a_retryable_server_error() {
    let error = read_user_error(|then| then.status(503).header("x-request-id", "lb-503")).await;
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(error.status(), status(503));
    assert_eq!(error.request_id(), Some("lb-503"));
    assert_eq!(error.problem(), None);
    assert_eq!(error.body_snippet(), None, "an empty body has no snippet");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn truncated_json_on_a_500_is_a_server_error_with_a_snippet() {
    let error = read_user_error(|then| {
        then.status(500)
            .header("content-type", "application/json")
            .body(r#"{"success":false,"statusCode":500,"error":{"title":"Internal"#)
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(error.status(), status(500));
    assert_eq!(error.problem(), None);
    let snippet = error
        .body_snippet()
        .expect("a truncated body leaves a snippet");
    assert!(snippet.starts_with(r#"{"success":false"#), "{snippet}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn an_html_200_is_a_decode_error() {
    let error = read_user_error(|then| {
        then.status(200)
            .header("content-type", "text/html")
            .header("x-request-id", "cdn-200")
            .body("<html><body>Maintenance</body></html>")
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.status(), status(200));
    assert_eq!(error.request_id(), Some("cdn-200"));
    assert!(
        error
            .body_snippet()
            .is_some_and(|snippet| snippet.starts_with("<html")),
        "{:?}",
        error.body_snippet()
    );
    assert!(!error.is_retryable());
    assert!(!error.to_string().contains("<html"), "{error}");
}

#[tokio::test]
async fn an_error_envelope_under_200_is_a_decode_error_with_its_request_id() {
    let error = read_user_error(|then| {
        then.status(200).json_body(support::error_envelope(
            404,
            "user-not-found",
            "Not found",
            "User not found",
        ))
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.status(), status(200));
    assert_eq!(error.request_id(), Some("req_1705312200000_e404"));
    assert_eq!(error.body_status_code(), Some(404));
    assert_eq!(
        error.problem().and_then(|p| p.detail.as_deref()),
        Some("User not found")
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn json_of_the_wrong_shape_under_200_is_a_decode_error() {
    let error = read_user_error(|then| {
        then.status(200)
            .header("x-request-id", "shape-200")
            .json_body(json!({ "data": 42 }))
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.status(), status(200));
    assert_eq!(error.request_id(), Some("shape-200"));
    assert!(!error.is_retryable());
    assert!(!error.to_string().contains("42"), "{error}");
}

#[tokio::test]
async fn a_decode_error_keeps_the_bodys_personal_data_out_of_debug() {
    // A proxy or a server change that flattens `data` into a string: the body does not decode,
    // and what it holds (a practitioner's name and date of birth) must not be logged.
    let error = read_user_error(|then| {
        then.status(200)
            .json_body(support::envelope(json!("Jane Citizen, born 1969-10-02")))
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::Decode);
    let mut printed = format!("{error}\n{error:?}\n");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        printed.push_str(&format!("{cause}\n{cause:?}\n"));
        source = cause.source();
    }
    assert!(
        !printed.contains("Jane Citizen") && !printed.contains("1969-10-02"),
        "{printed}"
    );
}

#[tokio::test]
async fn a_bodyless_429_from_a_gateway_still_says_how_long_to_wait() {
    let error = read_user_error(|then| {
        then.status(429)
            .header("retry-after", "12")
            .header("x-amzn-requestid", "gw-429")
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.status(), status(429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(12)));
    assert_eq!(error.request_id(), Some("gw-429"));
    assert!(error.is_retryable());
}

#[tokio::test]
async fn an_undocumented_418_is_an_unexpected_status() {
    let error = read_user_error(|then| {
        then.status(418).json_body(support::error_envelope(
            418,
            "teapot",
            "I'm a teapot",
            "Short and stout",
        ))
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::UnexpectedStatus);
    assert_eq!(error.status(), status(418));
    assert_eq!(error.request_id(), Some("req_1705312200000_e418"));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_redirect_is_reported_and_not_followed() {
    let server = MockServer::start_async().await;
    let elsewhere = server
        .mock_async(|when, then| {
            when.path("/elsewhere");
            then.status(200)
                .json_body(support::envelope(json!({ "user_id": "usr_1" })));
        })
        .await;
    let location = server.url("/elsewhere");
    let redirect = server
        .mock_async(|when, then| {
            when.method(GET).path(USER_PATH);
            then.status(302)
                .header("location", location)
                .header("x-request-id", "redir-302");
        })
        .await;
    let error = support::client(&server.base_url())
        .organization(support::ORG)
        .users()
        .get("usr_1")
        .await
        .expect_err("a redirect is not a success");
    redirect.assert_async().await;
    assert_eq!(
        elsewhere.calls_async().await,
        0,
        "credentials must not follow a redirect"
    );
    assert_eq!(error.kind(), ErrorKind::UnexpectedStatus);
    assert_eq!(error.status(), status(302));
    assert_eq!(error.request_id(), Some("redir-302"));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_fastapi_detail_list_under_422_is_a_validation_error() {
    // Seed 004's error shape (another vendor's), which the decoder must survive.
    let error = read_user_error(|then| {
        then.status(422).json_body(json!({
            "detail": [{
                "loc": ["path", "organization_id"],
                "msg": "field required",
                "type": "value_error.missing"
            }]
        }))
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::Validation);
    assert_eq!(error.status(), status(422));
    assert_eq!(error.request_id(), None);
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("HTTP 422"), "{error}");
}

// ---------------------------------------------------------------------------------------------
// Retrying
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn retry_after_in_seconds_is_read_from_a_429() {
    let error = read_user_error(|then| {
        then.status(429)
            .header("retry-after", "7")
            .json_body(support::error_envelope(
                429,
                "rate-limit",
                "Rate limit exceeded",
                "Too many requests. Please try again later.",
            ))
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
    assert!(error.is_retryable());
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_read_relative_to_now() {
    let in_30_s = chrono::Utc::now() + chrono::Duration::seconds(30);
    let date = in_30_s.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let error = read_user_error(move |then| {
        then.status(429)
            .header("retry-after", date)
            .json_body(support::error_envelope(
                429,
                "rate-limit",
                "Rate limit exceeded",
                "Too many requests. Please try again later.",
            ))
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    let wait = error.retry_after().expect("an HTTP-date is a wait");
    // The date has whole seconds and the call takes a moment: allow for both.
    assert!(
        wait >= Duration::from_secs(20) && wait <= Duration::from_secs(30),
        "{wait:?}"
    );
}

#[tokio::test]
async fn no_retry_after_header_means_no_wait_is_known() {
    let error = read_user_error(envelope_error(
        429,
        "rate-limit",
        "Rate limit exceeded",
        "Too many requests.",
    ))
    .await;
    assert_eq!(error.retry_after(), None);
}

#[tokio::test]
async fn rate_limits_and_server_failures_are_retryable() {
    for code in [429, 500, 502, 503, 504] {
        let error = read_user_error(envelope_error(
            code,
            "server",
            "Try again",
            "Try again later",
        ))
        .await;
        assert_eq!(error.status(), status(code));
        assert!(error.is_retryable(), "HTTP {code}: {error:?}");
    }
}

#[tokio::test]
async fn client_errors_are_not_retryable() {
    for code in [400, 401, 403, 404, 409, 422] {
        let error = read_user_error(envelope_error(
            code,
            "client",
            "Do not retry",
            "Fix the call",
        ))
        .await;
        assert_eq!(error.status(), status(code));
        assert!(!error.is_retryable(), "HTTP {code}: {error:?}");
    }
}

#[tokio::test]
async fn a_refused_connection_is_a_retryable_transport_error() {
    let port = {
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port to bind");
        listener
            .local_addr()
            .expect("a bound listener has an address")
            .port()
    };
    let error = support::client(&format!("http://127.0.0.1:{port}"))
        .organization(support::ORG)
        .users()
        .get("usr_1")
        .await
        .expect_err("nothing listens on the port");
    assert_eq!(error.kind(), ErrorKind::Transport, "{error:?}");
    assert_eq!(error.status(), None);
    assert_eq!(error.request_id(), None);
    assert!(error.is_retryable());
    assert_eq!(error.operation(), "read user");
}

// ---------------------------------------------------------------------------------------------
// Display
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn display_names_the_operation_status_problem_and_request_id() {
    let error = read_user_error(|then| {
        then.status(404).json_body(json!({
            "success": false,
            "statusCode": 404,
            "error": {
                "type": "https://parchment.health/errors/user-not-found",
                "title": "Not found",
                "detail": "User usr_1 not found"
            },
            "timestamp": "2024-01-15T10:30:00.000Z",
            "requestId": "req_1705312200000_ghi789"
        }))
    })
    .await;
    let shown = error.to_string();
    for part in [
        "read user",
        "404",
        "Not found",
        "User usr_1 not found",
        "req_1705312200000_ghi789",
    ] {
        assert!(shown.contains(part), "{part:?} missing from {shown:?}");
    }
}

#[tokio::test]
async fn server_text_with_control_characters_prints_escaped() {
    let error = read_user_error(|then| {
        then.status(400).json_body(json!({
            "success": false,
            "statusCode": 400,
            "code": "BAD\r\nCODE",
            "requestId": "req\n1",
            "error": {
                "type": "bad-request",
                "title": "Bad\nFAKE LOG LINE level=error",
                "detail": "red \u{1b}[31mALERT\u{1b}[0m",
            }
        }))
    })
    .await;
    let printed = error.to_string();
    assert!(
        !printed.contains(['\n', '\r', '\u{1b}']),
        "raw control characters in {printed:?}"
    );
    assert!(
        printed.contains(r"Bad\nFAKE LOG LINE level=error"),
        "{printed}"
    );
    assert!(
        printed.contains(r"red \u{1b}[31mALERT\u{1b}[0m"),
        "{printed}"
    );
    assert!(printed.contains(r"[BAD\r\nCODE]"), "{printed}");
    assert!(printed.contains(r"(request id req\n1)"), "{printed}");
    // The values themselves stay as the server sent them.
    assert_eq!(error.request_id(), Some("req\n1"));
}

#[tokio::test]
async fn a_json_success_body_of_another_shape_keeps_no_snippet() {
    for body in [
        r#"["Jane Citizen", "1969-10-02"]"#,
        r#"{"success":true,"data":{"full_name":"Jane Citizen","date_of_bi"#,
    ] {
        let error = read_user_error(|then| {
            then.status(200)
                .header("content-type", "application/json")
                .body(body)
        })
        .await;
        assert_eq!(error.kind(), ErrorKind::Decode, "{body}");
        assert_eq!(error.body_snippet(), None, "{body}");
    }
}

#[tokio::test]
async fn a_snippet_masks_the_credentials_sent_even_short_ones() {
    // A gateway page echoing the request's headers. This secret is made of short runs, which
    // the token-like masking alone would let through.
    const SECRET: &str = "pw!s3cr3t";
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(USER_PATH);
            then.status(502).body(format!("<p>secret: {SECRET}</p>"));
        })
        .await;
    let error = parchment_api_ext::Client::builder()
        .retry_policy(parchment_api_ext::RetryPolicy::never())
        .base_url(server.base_url())
        .access_token(support::TOKEN)
        .organization_secret(SECRET)
        .build()
        .expect("a valid client")
        .organization(support::ORG)
        .users()
        .get("usr_1")
        .await
        .expect_err("a 502");
    let snippet = error.body_snippet().expect("an HTML body keeps a snippet");
    assert_eq!(snippet, "<p>secret: [redacted]</p>");
}
