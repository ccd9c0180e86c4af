//! `ActingUser::sso_link` on the wire: the five partner headers and no bearer token, the body
//! `{redirect_path}`, the link with its expiry; refusals (bad ids, a static-token client) send
//! nothing; a failed call is not repeated; nothing secret shows in Debug or Display.

mod support;

use httpmock::prelude::*;
use parchment_api_ext::{
    Client, Clock, ErrorKind, PartnerCredentials, RetryPolicy, SsoTarget, testing::ManualClock,
};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::{ORG, ORG_SECRET, envelope};

const PARTNER_ID: &str = "partner_1";
const PARTNER_SECRET: &str = "partner-secret-c41d9e7f5a2b8c6d";
const USER: &str = "usr_abc123def456";
const SSO_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.sso-token-3e9d1c7b";
const REDIRECT_URL: &str =
    "https://portal.parchment.health/auth/sso?token=eyJhbGciOiJSUzI1NiJ9.sso-token-3e9d1c7b";

fn partner_client(server: &MockServer, clock: Arc<ManualClock>) -> Client {
    Client::builder()
        .retry_policy(RetryPolicy::default())
        .base_url(server.base_url())
        .partner_credentials(PartnerCredentials::new(PARTNER_ID, PARTNER_SECRET))
        .organization_secret(ORG_SECRET)
        .acting_user("usr_token_actor")
        .clock(clock)
        .build()
        .expect("a valid partner client")
}

fn secrets_absent(what: &str, text: &str) {
    for secret in [
        PARTNER_SECRET,
        ORG_SECRET,
        SSO_TOKEN,
        "sso-token-3e9d1c7b",
        REDIRECT_URL,
    ] {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
    }
}

#[tokio::test]
async fn sends_the_five_partner_headers_and_the_path_and_returns_the_link() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/sso")
                .header("x-partner-id", PARTNER_ID)
                .header("x-partner-secret", PARTNER_SECRET)
                .header("x-organization-id", ORG)
                .header("x-organization-secret", ORG_SECRET)
                .header("x-user-id", USER)
                .header_missing("authorization")
                .json_body(json!({"redirect_path": "/dashboard/patients/pat_123"}));
            then.status(200).json_body(envelope(json!({
                "sso_token": SSO_TOKEN,
                "redirect_url": REDIRECT_URL,
                "expires_in": 300
            })));
        })
        .await;
    let clock = Arc::new(ManualClock::new());
    let client = partner_client(&server, clock.clone());
    let before = clock.now();
    let target = SsoTarget::patient_profile("pat_123").expect("a valid id");
    let response = client
        .organization(ORG)
        .acting_as(USER)
        .sso_link(&target)
        .await
        .expect("a link");
    mock.assert_async().await;
    assert_eq!(response.request_id(), Some("req_1705312200000_abc123"));
    let link = response.into_inner();
    assert_eq!(link.expose_token(), SSO_TOKEN);
    assert_eq!(link.expose_redirect_url(), REDIRECT_URL);
    assert_eq!(link.expires_in(), Duration::from_secs(300));
    assert_eq!(link.expires_at(), before + Duration::from_secs(300));
    secrets_absent("the link's Debug", &format!("{link:?}"));
}

#[tokio::test]
async fn a_static_token_client_is_refused_and_sends_nothing() {
    let server = MockServer::start_async().await;
    let catch_all = server
        .mock_async(|_when, then| {
            then.status(500);
        })
        .await;
    let client = support::client(&server.base_url());
    let target = SsoTarget::embed_approvals();
    let error = client
        .organization(ORG)
        .acting_as(USER)
        .sso_link(&target)
        .await
        .expect_err("no partner credentials");
    assert_eq!(error.kind(), ErrorKind::Configuration, "{error}");
    assert!(error.to_string().contains("partner credentials"), "{error}");
    assert_eq!(catch_all.calls_async().await, 0);
}

#[tokio::test]
async fn bad_ids_are_refused_and_send_nothing() {
    let server = MockServer::start_async().await;
    let catch_all = server
        .mock_async(|_when, then| {
            then.status(500);
        })
        .await;
    let client = partner_client(&server, Arc::new(ManualClock::new()));
    let target = SsoTarget::embed_approvals();
    for (org, user, field) in [
        ("org_7f3a", "usr/../x", "user_id"),
        ("", USER, "organization_id"),
    ] {
        let error = client
            .organization(org)
            .acting_as(user)
            .sso_link(&target)
            .await
            .expect_err("a bad id");
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
        assert!(
            error.field_errors().iter().any(|e| e.field == field),
            "{field}: {error}"
        );
    }
    assert_eq!(catch_all.calls_async().await, 0);
}

#[tokio::test]
async fn a_server_error_is_not_repeated_and_errors_show_no_secret() {
    let server = MockServer::start_async().await;
    // A 503 whose body is not the envelope, yet echoes what a link would hold.
    let failing = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/sso");
            then.status(503).body(format!(
                "<html>{SSO_TOKEN} {REDIRECT_URL} {PARTNER_SECRET}</html>"
            ));
        })
        .await;
    let client = partner_client(&server, Arc::new(ManualClock::new()));
    let error = client
        .organization(ORG)
        .acting_as(USER)
        .sso_link(&SsoTarget::embed_approvals())
        .await
        .expect_err("a 503");
    // Not idempotent: a POST that reached the server is sent once, whatever the policy.
    assert_eq!(failing.calls_async().await, 1);
    assert_eq!(error.body_snippet(), None);
    secrets_absent("the error", &format!("{error} {error:?}"));

    // A 200 whose link is empty is a decode error, with no snippet either.
    failing.delete_async().await;
    let empty = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/sso");
            then.status(200).json_body(envelope(
                json!({"sso_token": "", "redirect_url": REDIRECT_URL}),
            ));
        })
        .await;
    let error = client
        .organization(ORG)
        .acting_as(USER)
        .sso_link(&SsoTarget::embed_approvals())
        .await
        .expect_err("an empty token");
    assert_eq!(empty.calls_async().await, 1);
    assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    secrets_absent("the decode error", &format!("{error} {error:?}"));
}
