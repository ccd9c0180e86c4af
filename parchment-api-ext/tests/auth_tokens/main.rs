//! Partner credentials exchanged for tokens: what `POST /v1/token` receives, how the token is
//! cached (per organization, acting user and scope set), renewed before it expires, fetched once
//! however many calls need it, dropped after a 401, and kept out of every printout and log.
//!
//! One binary, split by concern (the log capture sets its subscriber as this binary's tests
//! run); the credentials, the mocked token endpoint and resource, and the check that nothing
//! printed shows a credential, which every concern uses, are here.

mod cache_keys;
mod failures;
mod logs;
mod redaction;
mod refused;
mod renewal;
#[path = "../support/mod.rs"]
mod support;
mod wire;

use httpmock::prelude::*;
use httpmock::{Mock, MockServer};
use parchment_api_ext::testing::{ManualClock, fixtures};
use parchment_api_ext::{Client, ClientBuilder, Error, Organization, PartnerCredentials};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use support::{ORG, ORG_SECRET, envelope, error_envelope};

const PARTNER_ID: &str = "partner_1";
const PARTNER_SECRET: &str = "partner-secret-c41d9e7f5a2b8c6d";
const ACTING_USER: &str = "usr_actor";
/// Tokens the fake token endpoint issues (long enough to be told apart in any printout).
const TOKEN_1: &str = "issued-token-one-7d2e9c4b1a3f5e6d";
const TOKEN_2: &str = "issued-token-two-4f8a6b2c9e1d7a3b";
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

/// `POST /v1/token` (any credentials) answering `token`, valid `expires_in` seconds, after
/// `delay`.
async fn token_mock_after<'a>(
    server: &'a MockServer,
    token: &str,
    expires_in: i64,
    delay: Duration,
) -> Mock<'a> {
    let body = fixtures::token_response(token, expires_in);
    server
        .mock_async(move |when, then| {
            when.method(POST).path("/v1/token");
            then.status(200).delay(delay).json_body_obj(&body);
        })
        .await
}

/// `POST /v1/token` (any credentials) answering `token`, valid for an hour.
async fn token_mock<'a>(server: &'a MockServer, token: &str) -> Mock<'a> {
    token_mock_after(server, token, 3600, Duration::ZERO).await
}

/// `POST /v1/token` asking for exactly `scopes` (in this order), answering `token`, valid for
/// an hour.
async fn scoped_token_mock<'a>(server: &'a MockServer, scopes: &[&str], token: &str) -> Mock<'a> {
    let request = json!({"grantType": "client_credentials", "scope": scopes});
    let body = fixtures::token_response(token, 3600);
    server
        .mock_async(move |when, then| {
            when.method(POST).path("/v1/token").json_body(request);
            then.status(200).json_body_obj(&body);
        })
        .await
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
            then.status(401).json_body(invalid_token_envelope());
        })
        .await
}

/// `GET .../validate` of [`ORG`] refusing `token` alone with a 401, as it refuses a revoked
/// token.
async fn revoked_token_mock<'a>(server: &'a MockServer, token: &str) -> Mock<'a> {
    let bearer = format!("Bearer {token}");
    server
        .mock_async(move |when, then| {
            when.method(GET)
                .path(format!("/v1/organizations/{ORG}/validate"))
                .header("authorization", bearer);
            then.status(401).json_body(invalid_token_envelope());
        })
        .await
}

/// The 401 a resource answers a token it does not accept with.
fn invalid_token_envelope() -> Value {
    error_envelope(
        401,
        "authentication-required",
        "Authentication required",
        "Invalid or expired access token",
    )
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
