//! Partner credentials exchanged for tokens: what `POST /v1/token` receives, how the token is
//! cached (per organization, acting user and scope set), renewed before it expires, fetched once
//! however many calls need it, dropped after a 401, and kept out of every printout and log.

mod support;

use httpmock::prelude::*;
use httpmock::{Mock, MockServer};
use parchment_api_ext::testing::ManualClock;
use parchment_api_ext::{
    Client, ClientBuilder, Error, ErrorKind, Organization, OrganizationCredentials,
    PartnerCredentials, Scope,
};
use serde_json::{Value, json};
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use support::{ORG, ORG_SECRET, envelope, error_envelope};

const PARTNER_ID: &str = "partner_1";
const PARTNER_SECRET: &str = "partner-secret-c41d9e7f5a2b8c6d";
const ACTING_USER: &str = "usr_actor";
/// Tokens the fake token endpoint issues (long enough to be told apart in any printout).
const TOKEN_1: &str = "issued-token-one-7d2e9c4b1a3f5e6d";
const TOKEN_2: &str = "issued-token-two-4f8a6b2c9e1d7a3b";
const TOKEN_REQUEST_ID: &str = "req_1705312200000_tok001";
/// Two more organizations, each with its own secret.
const ORG_A: &str = "org_a";
const ORG_B: &str = "org_b";
const SECRET_A: &str = "org-a-secret-1b2c3d4e5f6a7b8c";
const SECRET_B: &str = "org-b-secret-9f8e7d6c5b4a3f2e";
/// [`Scope::USER_OPERATIONS`] as the wire must carry it: sorted.
const DEFAULT_SCOPES: [&str; 5] = [
    "create:user",
    "delete:user",
    "read:user",
    "read:users",
    "update:user",
];

/// A builder for a partner-credentials client of the mock server.
fn partner_builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.base_url())
        .partner_credentials(PartnerCredentials::new(PARTNER_ID, PARTNER_SECRET))
        .organization_secret(ORG_SECRET)
        .acting_user(ACTING_USER)
}

fn partner_client(server: &MockServer) -> Client {
    partner_builder(server)
        .build()
        .expect("partner credentials, an organization secret and an acting user make a client")
}

/// A partner client whose token expiry is measured by the returned clock.
fn client_with_clock(server: &MockServer) -> (Client, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    let client = partner_builder(server)
        .clock(clock.clone())
        .build()
        .expect("a valid partner client");
    (client, clock)
}

/// The token endpoint's success envelope.
fn token_envelope(token: &str, expires_in: i64) -> Value {
    json!({
        "success": true,
        "statusCode": 200,
        "message": "Token generated successfully",
        "data": {
            "accessToken": token,
            "expiresIn": expires_in,
            "tokenType": "Bearer",
            "scope": DEFAULT_SCOPES
        },
        "timestamp": "2024-01-15T10:30:00.000Z",
        "requestId": TOKEN_REQUEST_ID
    })
}

/// `POST /v1/token` (any credentials) answering `token`, valid `expires_in` seconds, after
/// `delay`.
async fn token_mock_after<'a>(
    server: &'a MockServer,
    token: &str,
    expires_in: i64,
    delay: Duration,
) -> Mock<'a> {
    let body = token_envelope(token, expires_in);
    server
        .mock_async(move |when, then| {
            when.method(POST).path("/v1/token");
            then.status(200).delay(delay).json_body(body);
        })
        .await
}

/// `POST /v1/token` (any credentials) answering `token`, valid for an hour.
async fn token_mock<'a>(server: &'a MockServer, token: &str) -> Mock<'a> {
    token_mock_after(server, token, 3600, Duration::ZERO).await
}

/// `POST /v1/token` refusing the partner credentials with a 401, after `delay`.
async fn failing_token_mock(server: &MockServer, delay: Duration) -> Mock<'_> {
    server
        .mock_async(move |when, then| {
            when.method(POST).path("/v1/token");
            then.status(401).delay(delay).json_body(error_envelope(
                401,
                "authentication-required",
                "Authentication required",
                "Invalid partner credentials",
            ));
        })
        .await
}

/// `GET .../validate` of `org`, answered only when it carries `token` and `secret` (and no
/// credential meant for the token endpoint alone).
async fn validate_mock<'a>(
    server: &'a MockServer,
    org: &str,
    token: &str,
    secret: &str,
) -> Mock<'a> {
    let (path, bearer, secret) = (
        format!("/v1/organizations/{org}/validate"),
        format!("Bearer {token}"),
        secret.to_owned(),
    );
    server
        .mock_async(move |when, then| {
            when.method(GET)
                .path(path)
                .header("authorization", bearer)
                .header("x-organization-secret", secret)
                .header_missing("x-partner-secret")
                .header_missing("x-partner-id")
                .header_missing("x-organization-id")
                .header_missing("x-user-id");
            then.status(200)
                .json_body(envelope(json!({ "validated": true })));
        })
        .await
}

/// `GET .../validate` of [`ORG`] refusing whatever token it is sent with a 401.
async fn refusing_validate_mock(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/organizations/{ORG}/validate"));
            then.status(401).json_body(error_envelope(
                401,
                "authentication-required",
                "Authentication required",
                "Invalid or expired access token",
            ));
        })
        .await
}

/// Any request to an organization's resources: counts what must never be sent.
async fn resource_catch_all(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.path_prefix("/v1/organizations/");
            then.status(200)
                .json_body(envelope(json!({ "validated": true })));
        })
        .await
}

async fn validate(org: &Organization) -> Result<bool, Error> {
    org.validate().await.map(|response| response.into_inner())
}

// ---------------------------------------------------------------------------------------------
// The wire
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_token_request_carries_the_five_credentials_and_the_default_scopes_sorted() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/token")
                .header("x-partner-id", PARTNER_ID)
                .header("x-partner-secret", PARTNER_SECRET)
                .header("x-organization-id", ORG)
                .header("x-organization-secret", ORG_SECRET)
                .header("x-user-id", ACTING_USER)
                .header_missing("authorization")
                .json_body(json!({
                    "grantType": "client_credentials",
                    "scope": DEFAULT_SCOPES
                }));
            then.status(200).json_body(token_envelope(TOKEN_1, 3600));
        })
        .await;
    let resource = validate_mock(&server, ORG, TOKEN_1, ORG_SECRET).await;

    let validated = validate(&partner_client(&server).organization(ORG))
        .await
        .expect("the token is issued and the call made with it");

    assert!(validated);
    token.assert_async().await;
    resource.assert_async().await;
}

#[tokio::test]
async fn custom_scopes_are_sent_sorted_and_once_each() {
    let server = MockServer::start_async().await;
    let read_user_only = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/token").json_body(json!({
                "grantType": "client_credentials",
                "scope": ["read:user"]
            }));
            then.status(200).json_body(token_envelope(TOKEN_1, 3600));
        })
        .await;
    let two_scopes = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/token").json_body(json!({
                "grantType": "client_credentials",
                "scope": ["read:users", "update:user"]
            }));
            then.status(200).json_body(token_envelope(TOKEN_2, 3600));
        })
        .await;
    let resource_1 = validate_mock(&server, ORG, TOKEN_1, ORG_SECRET).await;
    let resource_2 = validate_mock(&server, ORG, TOKEN_2, ORG_SECRET).await;

    let narrow = partner_builder(&server)
        .scopes(&[Scope::ReadUser])
        .build()
        .expect("a valid client");
    validate(&narrow.organization(ORG))
        .await
        .expect("a read:user token");
    let unordered = partner_builder(&server)
        .scopes(&[Scope::UpdateUser, Scope::ReadUsers, Scope::UpdateUser])
        .build()
        .expect("a valid client");
    validate(&unordered.organization(ORG))
        .await
        .expect("a read:users update:user token");

    read_user_only.assert_async().await;
    two_scopes.assert_async().await;
    resource_1.assert_async().await;
    resource_2.assert_async().await;
}

// ---------------------------------------------------------------------------------------------
// Caching and renewal
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_token_is_reused_until_its_renewal_time_then_replaced() {
    let server = MockServer::start_async().await;
    let (client, clock) = client_with_clock(&server);
    let org = client.organization(ORG);
    let first_token = token_mock(&server, TOKEN_1).await;
    let with_first = validate_mock(&server, ORG, TOKEN_1, ORG_SECRET).await;
    let with_second = validate_mock(&server, ORG, TOKEN_2, ORG_SECRET).await;

    for _ in 0..3 {
        validate(&org).await.expect("a call with the first token");
    }
    assert_eq!(first_token.calls_async().await, 1, "fetched once, reused");
    assert_eq!(with_first.calls_async().await, 3);

    // Issued at t=0 for 3600 s, renewed 60 s early: still good at t=3539.
    clock.advance(Duration::from_secs(3539));
    validate(&org).await.expect("still the first token");
    assert_eq!(first_token.calls_async().await, 1);
    assert_eq!(with_first.calls_async().await, 4);

    // From now on the endpoint issues another token; t=3541 is past the renewal time.
    first_token.delete_async().await;
    let second_token = token_mock(&server, TOKEN_2).await;
    clock.advance(Duration::from_secs(2));
    validate(&org).await.expect("a call with a renewed token");
    validate(&org).await.expect("the renewed token, reused");

    assert_eq!(second_token.calls_async().await, 1);
    assert_eq!(with_first.calls_async().await, 4, "the old token is gone");
    assert_eq!(with_second.calls_async().await, 2);
}

#[tokio::test]
async fn a_custom_renewal_margin_moves_the_renewal_time() {
    let server = MockServer::start_async().await;
    let clock = Arc::new(ManualClock::new());
    let client = partner_builder(&server)
        .clock(clock.clone())
        .token_renewal_margin(Duration::from_secs(600))
        .build()
        .expect("a valid client");
    let org = client.organization(ORG);
    let first_token = token_mock(&server, TOKEN_1).await;
    let with_first = validate_mock(&server, ORG, TOKEN_1, ORG_SECRET).await;
    let with_second = validate_mock(&server, ORG, TOKEN_2, ORG_SECRET).await;

    validate(&org).await.expect("the first token");
    clock.advance(Duration::from_secs(2999));
    validate(&org).await.expect("still the first token");
    first_token.delete_async().await;
    let second_token = token_mock(&server, TOKEN_2).await;
    clock.advance(Duration::from_secs(2));
    validate(&org).await.expect("renewed 600 s before expiry");

    assert_eq!(with_first.calls_async().await, 2);
    assert_eq!(second_token.calls_async().await, 1);
    assert_eq!(with_second.calls_async().await, 1);
}

#[tokio::test]
async fn a_token_shorter_lived_than_twice_the_margin_is_renewed_at_half_life() {
    let server = MockServer::start_async().await;
    let (client, clock) = client_with_clock(&server);
    let org = client.organization(ORG);
    let first_token = token_mock_after(&server, TOKEN_1, 30, Duration::ZERO).await;
    let with_first = validate_mock(&server, ORG, TOKEN_1, ORG_SECRET).await;
    let with_second = validate_mock(&server, ORG, TOKEN_2, ORG_SECRET).await;

    validate(&org).await.expect("the first token");
    clock.advance(Duration::from_secs(14));
    validate(&org)
        .await
        .expect("a 30 s token is used, not renewed at once");
    assert_eq!(first_token.calls_async().await, 1);
    first_token.delete_async().await;
    let second_token = token_mock_after(&server, TOKEN_2, 30, Duration::ZERO).await;
    clock.advance(Duration::from_secs(2));
    validate(&org).await.expect("renewed past half its life");

    assert_eq!(with_first.calls_async().await, 2);
    assert_eq!(second_token.calls_async().await, 1);
    assert_eq!(with_second.calls_async().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_calls_on_an_empty_cache_make_one_token_request() {
    let server = MockServer::start_async().await;
    let token = token_mock_after(&server, TOKEN_1, 3600, Duration::from_millis(200)).await;
    let resource = validate_mock(&server, ORG, TOKEN_1, ORG_SECRET).await;
    let org = partner_client(&server).organization(ORG);

    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let org = org.clone();
            tokio::spawn(async move { validate(&org).await })
        })
        .collect();
    let results = futures::future::join_all(tasks).await;

    for result in results {
        let validated = result
            .expect("the task did not panic")
            .expect("every caller gets the one token");
        assert!(validated);
    }
    assert_eq!(token.calls_async().await, 1, "one token request for all");
    assert_eq!(resource.calls_async().await, 50);
}

// ---------------------------------------------------------------------------------------------
// Token failures
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_refused_token_request_fails_the_call_and_the_next_call_asks_again() {
    let server = MockServer::start_async().await;
    let refusing = failing_token_mock(&server, Duration::ZERO).await;
    let resource = resource_catch_all(&server).await;
    let org = partner_client(&server).organization(ORG);

    for attempt in 1..=2 {
        let error = validate(&org).await.expect_err("no token, no call");
        assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
        assert_eq!(error.operation(), "create token");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
        assert_eq!(error.request_id(), Some("req_1705312200000_e401"));
        assert_eq!(
            refusing.calls_async().await,
            attempt,
            "a failure is not cached"
        );
    }
    assert_eq!(
        resource.calls_async().await,
        0,
        "no resource call without a token"
    );

    // Once the endpoint issues tokens again, the next call gets one.
    refusing.delete_async().await;
    let issuing = token_mock(&server, TOKEN_1).await;
    assert!(validate(&org).await.expect("a token at last"));
    assert_eq!(issuing.calls_async().await, 1);
    assert_eq!(resource.calls_async().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_callers_waiting_on_one_failing_token_request_all_fail_with_it() {
    let server = MockServer::start_async().await;
    let refusing = failing_token_mock(&server, Duration::from_millis(200)).await;
    let resource = resource_catch_all(&server).await;
    let org = partner_client(&server).organization(ORG);

    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let org = org.clone();
            tokio::spawn(async move { validate(&org).await })
        })
        .collect();
    for result in futures::future::join_all(tasks).await {
        let error = result
            .expect("the task did not panic")
            .expect_err("the shared token request failed");
        assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
        assert_eq!(error.operation(), "create token");
        assert_eq!(error.request_id(), Some("req_1705312200000_e401"));
    }
    assert_eq!(refusing.calls_async().await, 1, "one request for the ten");
    assert_eq!(resource.calls_async().await, 0);
}

#[tokio::test]
async fn a_token_response_without_a_usable_token_is_a_decode_error() {
    for (access_token, expires_in) in [("", 3600), ("   ", 3600), (TOKEN_1, 0), (TOKEN_1, -5)] {
        let server = MockServer::start_async().await;
        let token = token_mock_after(&server, access_token, expires_in, Duration::ZERO).await;
        let resource = resource_catch_all(&server).await;

        let error = validate(&partner_client(&server).organization(ORG))
            .await
            .expect_err("an unusable token is refused");

        let case = format!("accessToken {access_token:?}, expiresIn {expires_in}");
        assert_eq!(error.kind(), ErrorKind::Decode, "{case}: {error}");
        assert_eq!(error.operation(), "create token", "{case}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(200), "{case}");
        assert_eq!(token.calls_async().await, 1, "{case}");
        assert_eq!(resource.calls_async().await, 0, "{case}");
    }
}

#[tokio::test]
async fn an_absurd_expiry_fails_no_call_by_panicking_and_leaves_the_cache_usable() {
    let server = MockServer::start_async().await;
    let absurd = token_mock_after(&server, TOKEN_1, i64::MAX, Duration::ZERO).await;
    let _resource = validate_mock(&server, ORG, TOKEN_1, ORG_SECRET).await;
    let org = partner_client(&server).organization(ORG);
    let call = |org: Organization| tokio::spawn(async move { validate(&org).await });

    let first = call(org.clone())
        .await
        .expect("a token response must not make the client panic");
    if let Err(error) = &first {
        assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
        assert_eq!(error.operation(), "create token");
    }

    absurd.delete_async().await;
    let _sane = token_mock(&server, TOKEN_1).await;
    let second = call(org)
        .await
        .expect("nor may it leave a cache entry that panics later");
    assert!(second.expect("the next call gets a token"));
}

// ---------------------------------------------------------------------------------------------
// A token the server refuses
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_401_on_a_cached_token_fetches_a_new_one_and_retries_once() {
    let server = MockServer::start_async().await;
    let org = partner_client(&server).organization(ORG);
    let first_token = token_mock(&server, TOKEN_1).await;
    let accepting_first = validate_mock(&server, ORG, TOKEN_1, ORG_SECRET).await;
    validate(&org).await.expect("the first token is accepted");
    assert_eq!(first_token.calls_async().await, 1);

    // The server revokes the first token; the token endpoint now issues a second.
    accepting_first.delete_async().await;
    first_token.delete_async().await;
    let refusing_first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/organizations/{ORG}/validate"))
                .header("authorization", format!("Bearer {TOKEN_1}"));
            then.status(401).json_body(error_envelope(
                401,
                "authentication-required",
                "Authentication required",
                "Invalid or expired access token",
            ));
        })
        .await;
    let second_token = token_mock(&server, TOKEN_2).await;
    let accepting_second = validate_mock(&server, ORG, TOKEN_2, ORG_SECRET).await;

    assert!(
        validate(&org)
            .await
            .expect("the retry with a new token succeeds")
    );
    assert_eq!(refusing_first.calls_async().await, 1);
    assert_eq!(second_token.calls_async().await, 1, "exactly one new token");
    assert_eq!(accepting_second.calls_async().await, 1, "exactly one retry");

    // The new token is cached in place of the refused one.
    validate(&org).await.expect("the second token, reused");
    assert_eq!(second_token.calls_async().await, 1);
    assert_eq!(accepting_second.calls_async().await, 2);
    assert_eq!(refusing_first.calls_async().await, 1);
}

#[tokio::test]
async fn a_second_401_after_the_retry_is_returned_to_the_caller() {
    let server = MockServer::start_async().await;
    let org = partner_client(&server).organization(ORG);
    let token = token_mock(&server, TOKEN_1).await;
    let accepting = validate_mock(&server, ORG, TOKEN_1, ORG_SECRET).await;
    validate(&org)
        .await
        .expect("the token is accepted at first");
    accepting.delete_async().await;
    let refusing = refusing_validate_mock(&server).await;

    let error = validate(&org)
        .await
        .expect_err("refused with the cached token and with the new one");

    assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
    assert_eq!(error.operation(), "validate organization");
    assert_eq!(error.request_id(), Some("req_1705312200000_e401"));
    assert_eq!(
        token.calls_async().await,
        2,
        "the first token, then one new"
    );
    assert_eq!(refusing.calls_async().await, 2, "the call, then one retry");
}

#[tokio::test]
async fn a_401_on_a_token_fetched_for_the_call_is_not_retried() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server, TOKEN_1).await;
    let refusing = refusing_validate_mock(&server).await;

    let error = validate(&partner_client(&server).organization(ORG))
        .await
        .expect_err("a brand-new token refused is not a stale token");

    assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
    assert_eq!(error.operation(), "validate organization");
    assert_eq!(token.calls_async().await, 1);
    assert_eq!(refusing.calls_async().await, 1);
}

// ---------------------------------------------------------------------------------------------
// One cache entry per organization, acting user and scope set
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn each_organization_gets_its_own_token_with_its_own_credentials() {
    let server = MockServer::start_async().await;
    let token_for = |org: &'static str, secret: &'static str, user: &'static str, token| {
        let body = token_envelope(token, 3600);
        server.mock_async(move |when, then| {
            when.method(POST)
                .path("/v1/token")
                .header("x-partner-id", PARTNER_ID)
                .header("x-partner-secret", PARTNER_SECRET)
                .header("x-organization-id", org)
                .header("x-organization-secret", secret)
                .header("x-user-id", user);
            then.status(200).json_body(body);
        })
    };
    let token_a = token_for(ORG_A, SECRET_A, "usr_a", TOKEN_1).await;
    // org_b names no acting user of its own: the client's is used.
    let token_b = token_for(ORG_B, SECRET_B, ACTING_USER, TOKEN_2).await;
    let resource_a = validate_mock(&server, ORG_A, TOKEN_1, SECRET_A).await;
    let resource_b = validate_mock(&server, ORG_B, TOKEN_2, SECRET_B).await;

    let client = partner_client(&server);
    let org_a = client
        .organization_with(
            ORG_A,
            OrganizationCredentials::new(SECRET_A).acting_user("usr_a"),
        )
        .expect("valid organization credentials");
    let org_b = client
        .organization_with(ORG_B, OrganizationCredentials::new(SECRET_B))
        .expect("valid organization credentials");
    for org in [&org_a, &org_b, &org_a, &org_b] {
        validate(org)
            .await
            .expect("each organization with its own token and secret");
    }

    assert_eq!(token_a.calls_async().await, 1);
    assert_eq!(token_b.calls_async().await, 1);
    assert_eq!(resource_a.calls_async().await, 2);
    assert_eq!(resource_b.calls_async().await, 2);
}

#[tokio::test]
async fn two_scope_sets_for_one_organization_make_two_token_requests() {
    let server = MockServer::start_async().await;
    let narrow_token = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/token")
                .json_body(json!({"grantType": "client_credentials", "scope": ["read:user"]}));
            then.status(200).json_body(token_envelope(TOKEN_2, 3600));
        })
        .await;
    let default_token = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/token").json_body(json!({
                "grantType": "client_credentials",
                "scope": DEFAULT_SCOPES
            }));
            then.status(200).json_body(token_envelope(TOKEN_1, 3600));
        })
        .await;
    let with_default = validate_mock(&server, ORG, TOKEN_1, ORG_SECRET).await;
    let with_narrow = validate_mock(&server, ORG, TOKEN_2, ORG_SECRET).await;

    let client = partner_client(&server);
    let default_scopes = client.organization(ORG);
    let narrow = client
        .organization_with(
            ORG,
            OrganizationCredentials::new(ORG_SECRET).scopes(&[Scope::ReadUser]),
        )
        .expect("valid organization credentials");
    for org in [&default_scopes, &narrow, &default_scopes, &narrow] {
        validate(org)
            .await
            .expect("a token for the handle's scopes");
    }

    assert_eq!(default_token.calls_async().await, 1);
    assert_eq!(narrow_token.calls_async().await, 1);
    assert_eq!(with_default.calls_async().await, 2);
    assert_eq!(with_narrow.calls_async().await, 2);
}

#[tokio::test]
async fn the_same_scopes_in_another_order_share_one_token() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server, TOKEN_1).await;
    let resource = validate_mock(&server, ORG, TOKEN_1, ORG_SECRET).await;
    let client = partner_client(&server);
    let handle = |scopes: &[Scope]| {
        client
            .organization_with(ORG, OrganizationCredentials::new(ORG_SECRET).scopes(scopes))
            .expect("valid organization credentials")
    };

    validate(&handle(&[Scope::ReadUser, Scope::UpdateUser]))
        .await
        .expect("a token");
    validate(&handle(&[
        Scope::UpdateUser,
        Scope::ReadUser,
        Scope::ReadUser,
    ]))
    .await
    .expect("the same token");

    assert_eq!(token.calls_async().await, 1);
    assert_eq!(resource.calls_async().await, 2);
}

// ---------------------------------------------------------------------------------------------
// Redaction
// ---------------------------------------------------------------------------------------------

/// Every credential of these tests, and the distinctive tail of each (a partial leak is a leak).
fn credentials() -> Vec<&'static str> {
    let whole = [
        PARTNER_SECRET,
        ORG_SECRET,
        SECRET_A,
        SECRET_B,
        TOKEN_1,
        TOKEN_2,
    ];
    let tails = whole.iter().map(|secret| &secret[secret.len() - 12..]);
    whole.iter().copied().chain(tails).collect()
}

fn assert_no_credential(what: &str, printed: &str) {
    for secret in credentials() {
        assert!(
            !printed.contains(secret),
            "{what} shows a credential ({secret:?}): {printed}"
        );
    }
}

/// Display (plain and alternate) and Debug (plain and pretty) of `error` and its sources.
fn everything_printed(error: &Error) -> String {
    let mut printed = format!("{error}\n{error:#}\n{error:?}\n{error:#?}\n");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        printed.push_str(&format!("{cause}\n{cause:?}\n"));
        source = cause.source();
    }
    printed
}

#[tokio::test]
async fn debug_of_the_builder_client_credentials_and_handles_shows_no_credential() {
    let server = MockServer::start_async().await;
    let _token = token_mock(&server, TOKEN_1).await;
    let _resource = validate_mock(&server, ORG_A, TOKEN_1, SECRET_A).await;
    let builder = partner_builder(&server);
    let client = builder.clone().build().expect("a valid client");
    let partner = PartnerCredentials::new(PARTNER_ID, PARTNER_SECRET);
    let org_credentials = OrganizationCredentials::new(SECRET_A)
        .acting_user("usr_a")
        .scopes(Scope::USER_OPERATIONS);
    let org_a = client
        .organization_with(ORG_A, org_credentials.clone())
        .expect("valid organization credentials");
    let org_b = client
        .organization_with(ORG_B, OrganizationCredentials::new(SECRET_B))
        .expect("valid organization credentials");
    // With a token in the cache, too.
    validate(&org_a).await.expect("a token is cached");

    for (what, printed) in [
        ("ClientBuilder", format!("{builder:?}\n{builder:#?}")),
        ("Client", format!("{client:?}\n{client:#?}")),
        ("PartnerCredentials", format!("{partner:?}\n{partner:#?}")),
        (
            "OrganizationCredentials",
            format!("{org_credentials:?}\n{org_credentials:#?}"),
        ),
        ("Organization a", format!("{org_a:?}\n{org_a:#?}")),
        ("Organization b", format!("{org_b:?}\n{org_b:#?}")),
        ("Users", format!("{:?}", client.organization(ORG).users())),
    ] {
        assert_no_credential(what, &printed);
    }
    // Not empty printouts: what is safe to show is shown.
    assert!(format!("{builder:?}").contains(PARTNER_ID));
    assert!(format!("{client:?}").contains(PARTNER_ID));
    assert!(format!("{partner:?}").contains(PARTNER_ID));
    assert!(format!("{org_credentials:?}").contains("usr_a"));
    assert!(format!("{org_a:?}").contains(ORG_A));
}

#[tokio::test]
async fn errors_from_the_token_path_show_no_credential() {
    let server = MockServer::start_async().await;
    let org = partner_client(&server).organization(ORG);
    let mut errors = Vec::new();

    let refusing = failing_token_mock(&server, Duration::ZERO).await;
    errors.push(validate(&org).await.expect_err("a refused token request"));
    refusing.delete_async().await;

    let empty = token_mock(&server, "").await;
    errors.push(validate(&org).await.expect_err("an empty token"));
    empty.delete_async().await;

    let expired = token_mock_after(&server, TOKEN_1, 0, Duration::ZERO).await;
    errors.push(
        validate(&org)
            .await
            .expect_err("a token that expires at once"),
    );
    expired.delete_async().await;

    // A 200 whose body does not decode, yet carries the token.
    let undecodable = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/token");
            then.status(200).json_body(json!({
                "success": true,
                "data": {"accessToken": TOKEN_2, "expiresIn": "an hour"}
            }));
        })
        .await;
    errors.push(
        validate(&org)
            .await
            .expect_err("an undecodable token response"),
    );
    undecodable.delete_async().await;

    // An OAuth-style gateway answer echoing the partner secret.
    let echoing = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/token");
            then.status(401).json_body(json!({
                "error": format!("invalid_client: {PARTNER_SECRET} / {ORG_SECRET}")
            }));
        })
        .await;
    errors.push(validate(&org).await.expect_err("an echoing 401"));
    echoing.assert_async().await;

    let kinds: Vec<_> = errors.iter().map(Error::kind).collect();
    assert_eq!(
        kinds,
        [
            ErrorKind::Unauthorized,
            ErrorKind::Decode,
            ErrorKind::Decode,
            ErrorKind::Decode,
            ErrorKind::Unauthorized
        ]
    );
    for error in &errors {
        assert_eq!(error.operation(), "create token");
        assert_no_credential("a token-path error", &everything_printed(error));
        if let Some(snippet) = error.body_snippet() {
            assert_no_credential("a body snippet", snippet);
        }
    }
}

/// A [`tracing::Subscriber`] that keeps, as text, every span, field and event at every level.
#[derive(Clone, Default)]
struct Capture {
    text: Arc<Mutex<String>>,
    next_span: Arc<AtomicU64>,
}

impl Capture {
    fn text(&self) -> String {
        self.text
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn write(&self, line: String) {
        let mut text = self.text.lock().unwrap_or_else(PoisonError::into_inner);
        text.push_str(&line);
        text.push('\n');
    }
}

/// Writes every field as ` name=value`, strings raw, errors with their sources.
struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }

    fn record_error(
        &mut self,
        field: &tracing::field::Field,
        value: &(dyn std::error::Error + 'static),
    ) {
        let _ = write!(self.0, " {}={value} {value:?}", field.name());
        let mut source = value.source();
        while let Some(cause) = source {
            let _ = write!(self.0, " caused by {cause} {cause:?}");
            source = cause.source();
        }
    }
}

impl tracing::Subscriber for Capture {
    fn register_callsite(
        &self,
        _metadata: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::always()
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn enabled(&self, _metadata: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let id = self.next_span.fetch_add(1, Ordering::Relaxed) + 1;
        let mut fields = Fields(format!(
            "span {id} {} {}:",
            span.metadata().target(),
            span.metadata().name()
        ));
        span.record(&mut fields);
        self.write(fields.0);
        tracing::span::Id::from_u64(id)
    }

    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut fields = Fields(format!("record {}:", span.into_u64()));
        values.record(&mut fields);
        self.write(fields.0);
    }

    fn record_follows_from(&self, _span: &tracing::span::Id, _follows: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let metadata = event.metadata();
        // The mock server's own bookkeeping (it knows the requests it received): not the client.
        if metadata.target().starts_with("httpmock") {
            return;
        }
        let mut fields = Fields(format!("{} {}:", metadata.level(), metadata.target()));
        event.record(&mut fields);
        self.write(fields.0);
    }

    fn enter(&self, _span: &tracing::span::Id) {}

    fn exit(&self, _span: &tracing::span::Id) {}
}

/// The client runs on this test's thread (a current-thread runtime), where the capture is the
/// default subscriber; the mock server answers on its own thread, and its events (which show the
/// headers it received) are left out of the capture in any case.
#[tokio::test]
async fn logs_at_trace_level_show_no_credential() {
    let capture = Capture::default();
    let _default = tracing::subscriber::set_default(capture.clone());

    let server = MockServer::start_async().await;
    let org = partner_client(&server).organization(ORG);
    let first_token = token_mock(&server, TOKEN_1).await;
    let accepting_first = validate_mock(&server, ORG, TOKEN_1, ORG_SECRET).await;
    validate(&org).await.expect("a token, then the call");
    validate(&org).await.expect("the cached token");
    // A revoked token: 401, a new token, a retry.
    accepting_first.delete_async().await;
    first_token.delete_async().await;
    let _refusing_first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/organizations/{ORG}/validate"))
                .header("authorization", format!("Bearer {TOKEN_1}"));
            then.status(401).json_body(error_envelope(
                401,
                "authentication-required",
                "Authentication required",
                "Invalid or expired access token",
            ));
        })
        .await;
    let second_token = token_mock(&server, TOKEN_2).await;
    let accepting_second = validate_mock(&server, ORG, TOKEN_2, ORG_SECRET).await;
    validate(&org).await.expect("the retry with a new token");
    accepting_second.assert_async().await;
    // A failed call, and a failed token request for another organization.
    org.users()
        .get("usr_missing")
        .await
        .expect_err("no mock for this user: 404");
    let other = partner_client(&server)
        .organization_with(ORG_A, OrganizationCredentials::new(SECRET_A))
        .expect("valid organization credentials");
    second_token.delete_async().await;
    let _refusing = failing_token_mock(&server, Duration::ZERO).await;
    validate(&other).await.expect_err("a refused token request");

    let logs = capture.text();
    assert_no_credential("the captured logs", &logs);
    // The capture did see the client at work (so the check above is not vacuous): its events,
    // the organization's id and the request id of the refused token's 401.
    for expected in ["parchment_api_ext", ORG, "req_1705312200000_e401"] {
        assert!(
            logs.contains(expected),
            "the capture misses {expected:?}:\n{logs}"
        );
    }
}
