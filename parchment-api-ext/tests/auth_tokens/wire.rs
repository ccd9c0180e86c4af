//! The wire: the token request carries the five credentials and the scopes, sorted and once
//! each, and the resource call carries the token and the organization secret alone.

use crate::support::{ORG, ORG_SECRET};
use crate::{
    ACTING_USER, DEFAULT_SCOPES, PARTNER_ID, PARTNER_SECRET, TOKEN_1, TOKEN_2, partner_builder,
    partner_client, scoped_token_mock, validate, validate_mock,
};
use httpmock::prelude::*;
use parchment_api_ext::Scope;
use parchment_api_ext::testing::fixtures;
use serde_json::json;

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
            then.status(200)
                .json_body_obj(&fixtures::token_response(TOKEN_1, 3600));
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
    let read_user_only = scoped_token_mock(&server, &["read:user"], TOKEN_1).await;
    let two_scopes = scoped_token_mock(&server, &["read:users", "update:user"], TOKEN_2).await;
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
