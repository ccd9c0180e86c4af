//! Tokens across tenants and failures: keyed by every credential that obtained them, bound to
//! their organization's secret, fetched within their own time limit, renewed without dropping a
//! still-valid token, retried like an idempotent call, bounded, and never printed.

mod support;

use httpmock::prelude::*;
use httpmock::{Mock, MockServer};
use parchment_api_ext::testing::{ManualClock, fixtures};
use parchment_api_ext::{
    Client, ClientBuilder, ErrorKind, OrganizationCredentials, PartnerCredentials, RetryPolicy,
};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::{envelope, error_envelope};

const PARTNER_ID: &str = "partner_1";
const PARTNER_SECRET: &str = "partner-secret-c41d9e7f5a2b8c6d";
const ACTING_USER: &str = "usr_actor";
const ORG: &str = "org_shared";
const SECRET_A: &str = "secret-of-tenant-a-1b2c3d4e5f6a";
const SECRET_B: &str = "secret-of-tenant-b-9f8e7d6c5b4a";
const TOKEN_A: &str = "token-for-secret-a-7d2e9c4b1a3f";
const TOKEN_B: &str = "token-for-secret-b-4f8a6b2c9e1d";

fn partner_builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.base_url())
        .partner_credentials(PartnerCredentials::new(PARTNER_ID, PARTNER_SECRET))
        .acting_user(ACTING_USER)
        .retry_policy(RetryPolicy::never())
}

/// `POST /v1/token` answering `token` to requests carrying `secret`.
async fn token_for_secret<'a>(server: &'a MockServer, secret: &str, token: &str) -> Mock<'a> {
    let (secret, body) = (secret.to_owned(), fixtures::token_response(token, 3600));
    server
        .mock_async(move |when, then| {
            when.method(POST)
                .path("/v1/token")
                .header("x-organization-secret", secret);
            then.status(200).json_body_obj(&body);
        })
        .await
}

/// `GET .../validate` answering `status` to `token` with `secret`.
async fn validate_with<'a>(
    server: &'a MockServer,
    token: &str,
    secret: &str,
    status: u16,
) -> Mock<'a> {
    let (bearer, secret) = (format!("Bearer {token}"), secret.to_owned());
    let body = if status == 200 {
        envelope(json!({ "validated": true }))
    } else {
        error_envelope(status, "authentication-required", "Unauthorized", "no")
    };
    server
        .mock_async(move |when, then| {
            when.method(GET)
                .path(format!("/v1/organizations/{ORG}/validate"))
                .header("authorization", bearer)
                .header("x-organization-secret", secret);
            then.status(status).json_body(body);
        })
        .await
}

#[tokio::test]
async fn two_secrets_for_one_organization_get_two_tokens_and_a_401_evicts_only_its_own() {
    let server = MockServer::start_async().await;
    let client = partner_builder(&server).build().expect("a client");
    let tenant_a = client
        .organization_with(ORG, OrganizationCredentials::new(SECRET_A))
        .expect("tenant a");
    let tenant_b = client
        .organization_with(ORG, OrganizationCredentials::new(SECRET_B))
        .expect("tenant b");
    let token_a = token_for_secret(&server, SECRET_A, TOKEN_A).await;
    let token_b = token_for_secret(&server, SECRET_B, TOKEN_B).await;
    let good_a = validate_with(&server, TOKEN_A, SECRET_A, 200).await;
    let refused_b = validate_with(&server, TOKEN_B, SECRET_B, 401).await;

    tenant_a.validate().await.expect("tenant a with its token");
    let error = tenant_b.validate().await.expect_err("tenant b is refused");
    assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
    // The wrong-secret tenant neither reused a's token nor evicted it.
    tenant_a
        .validate()
        .await
        .expect("tenant a, still with its token");

    assert_eq!(
        token_a.calls_async().await,
        1,
        "a's token fetched once, kept"
    );
    assert!(
        token_b.calls_async().await >= 1,
        "b asked for its own token"
    );
    assert_eq!(good_a.calls_async().await, 2);
    assert!(refused_b.calls_async().await >= 1);
}

#[tokio::test]
async fn the_client_wide_secret_belongs_to_the_default_organization_only() {
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|when, then| {
            when.path_prefix("/v1/");
            then.status(200)
                .json_body(envelope(json!({ "validated": true })));
        })
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .access_token("static-token-3e4f5a6b7c8d")
        .organization_secret(SECRET_A)
        .default_organization("org_default")
        .build()
        .expect("a client");

    let error = client
        .organization("org_other")
        .validate()
        .await
        .expect_err("another organization has no secret of its own");
    assert_eq!(error.kind(), ErrorKind::Configuration, "{error}");
    assert!(error.to_string().contains("organization_with"), "{error}");
    assert_eq!(anything.calls_async().await, 0, "nothing was sent");

    client
        .default_organization()
        .expect("a default organization")
        .validate()
        .await
        .expect("the default organization uses the client's secret");
    assert_eq!(anything.calls_async().await, 1);
}

#[tokio::test]
async fn a_hung_token_request_fails_within_the_token_time_limit() {
    let server = MockServer::start_async().await;
    let _hung = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/token");
            then.status(200)
                .delay(Duration::from_secs(20))
                .json_body_obj(&fixtures::token_response(TOKEN_A, 3600));
        })
        .await;
    let client = partner_builder(&server)
        .organization_secret(SECRET_A)
        .token_timeout(Duration::from_millis(300))
        .build()
        .expect("a client");

    let outcome = tokio::time::timeout(Duration::from_secs(5), client.organization(ORG).validate())
        .await
        .expect("the token time limit ends the wait");
    let error = outcome.expect_err("no token in time");
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert_eq!(error.operation(), "create token");
}

#[tokio::test]
async fn a_failed_renewal_keeps_the_still_valid_token() {
    let server = MockServer::start_async().await;
    let clock = Arc::new(ManualClock::new());
    let client = partner_builder(&server)
        .organization_secret(SECRET_A)
        .clock(clock.clone())
        .build()
        .expect("a client");
    let org = client.organization(ORG);
    let issuing = token_for_secret(&server, SECRET_A, TOKEN_A).await;
    let resource = validate_with(&server, TOKEN_A, SECRET_A, 200).await;
    org.validate().await.expect("first token");

    // Past the renewal time (60 s before expiry) but before expiry, the endpoint fails.
    issuing.delete_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/token");
            then.status(503)
                .json_body(error_envelope(503, "unavailable", "Unavailable", "down"));
        })
        .await;
    clock.advance(Duration::from_secs(3550));
    org.validate()
        .await
        .expect("the renewal failed, and the token still works");
    assert_eq!(failing.calls_async().await, 1);
    assert_eq!(resource.calls_async().await, 2);

    // Once it has expired, the failure is the caller's.
    clock.advance(Duration::from_secs(60));
    let error = org.validate().await.expect_err("no valid token left");
    assert_eq!(error.kind(), ErrorKind::Server, "{error}");
    assert_eq!(resource.calls_async().await, 2);
}

#[tokio::test]
async fn the_token_request_is_retried_like_an_idempotent_call() {
    let server = MockServer::start_async().await;
    let unavailable = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/token");
            then.status(503)
                .json_body(error_envelope(503, "unavailable", "Unavailable", "down"));
        })
        .await;
    let client = partner_builder(&server)
        .organization_secret(SECRET_A)
        .retry_policy(
            RetryPolicy::new()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2)),
        )
        .build()
        .expect("a client");

    let error = client
        .organization(ORG)
        .validate()
        .await
        .expect_err("the endpoint stays down");
    assert_eq!(error.kind(), ErrorKind::Server, "{error}");
    assert_eq!(error.operation(), "create token");
    assert_eq!(
        unavailable.calls_async().await,
        3,
        "three attempts at the token, and no more on top of them"
    );
}

#[tokio::test]
async fn failed_token_requests_leave_nothing_in_the_token_cache() {
    let server = MockServer::start_async().await;
    let _refusing = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/token");
            then.status(401)
                .json_body(error_envelope(401, "authentication-required", "No", "no"));
        })
        .await;
    let client = partner_builder(&server)
        .organization_secret(SECRET_A)
        .build()
        .expect("a client");
    for n in 0..20 {
        let org = client.organization(format!("org_{n}"));
        org.validate().await.expect_err("refused");
    }
    let printed = format!("{client:?}");
    assert!(
        printed.contains("TokenCache { entries: 0 }"),
        "no entry per failed organization: {printed}"
    );
}

#[test]
fn the_generated_token_types_do_not_print_the_access_token() {
    let response = fixtures::token_response(TOKEN_A, 3600);
    assert_eq!(
        response.data.access_token, TOKEN_A,
        "still readable as data"
    );
    let printed = format!("{response:?} {:?}", response.data);
    assert!(!printed.contains(TOKEN_A), "{printed}");
    assert!(printed.contains("[redacted]"), "{printed}");
}
