//! Shared set-up for the integration tests: a client pointed at a local mock server.

#![allow(dead_code)]

pub(crate) mod log_capture;

use parchment_api_ext::{Client, RetryPolicy};

/// The bearer token every test client sends.
pub(crate) const TOKEN: &str = "test-access-token-5f2c8e1a9b7d4c3e";
/// The organization secret every test client sends.
pub(crate) const ORG_SECRET: &str = "test-org-secret-9a8b7c6d5e4f3a2b";
/// The organization every test addresses.
pub(crate) const ORG: &str = "org_7f3a";

/// A client for the mock server at `base_url`, with the test credentials and no retries, so
/// that each call is exactly one request (tests/retries.rs covers retries).
pub(crate) fn client(base_url: &str) -> Client {
    Client::builder()
        .retry_policy(RetryPolicy::never())
        .base_url(base_url)
        .access_token(TOKEN)
        .organization_secret(ORG_SECRET)
        .build()
        .expect("a loopback base URL and both credentials make a valid client")
}

/// The `data` of a success envelope, wrapped as Parchment wraps it.
pub(crate) fn envelope(data: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "success": true,
        "statusCode": 200,
        "message": "OK",
        "data": data,
        "timestamp": "2024-01-15T10:30:00.000Z",
        "requestId": "req_1705312200000_abc123"
    })
}

/// An error envelope as Parchment sends it.
pub(crate) fn error_envelope(
    status: u16,
    kind: &str,
    title: &str,
    detail: &str,
) -> serde_json::Value {
    serde_json::json!({
        "success": false,
        "statusCode": status,
        "error": {
            "type": format!("https://parchment.health/errors/{kind}"),
            "title": title,
            "detail": detail
        },
        "timestamp": "2024-01-15T10:30:00.000Z",
        "requestId": format!("req_1705312200000_e{status}")
    })
}

#[cfg(feature = "cli")]
pub(crate) mod cli;
pub(crate) mod fake;
pub(crate) mod scripted;
