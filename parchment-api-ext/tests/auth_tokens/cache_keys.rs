//! One cache entry per organization, acting user and scope set: each organization its own token
//! with its own credentials, two scope sets two token requests, and the same scopes in another
//! order one token.

use crate::support::{ORG, ORG_SECRET};
use crate::{
    ACTING_USER, DEFAULT_SCOPES, ORG_A, ORG_B, PARTNER_ID, PARTNER_SECRET, SECRET_A, SECRET_B,
    TOKEN_1, TOKEN_2, partner_client, scoped_token_mock, token_mock, validate, validate_mock,
};
use httpmock::prelude::*;
use parchment_api_ext::testing::fixtures;
use parchment_api_ext::{OrganizationCredentials, Scope};

#[tokio::test]
async fn each_organization_gets_its_own_token_with_its_own_credentials() {
    let server = MockServer::start_async().await;
    let token_for = |org: &'static str, secret: &'static str, user: &'static str, token| {
        let body = fixtures::token_response(token, 3600);
        server.mock_async(move |when, then| {
            when.method(POST)
                .path("/v1/token")
                .header("x-partner-id", PARTNER_ID)
                .header("x-partner-secret", PARTNER_SECRET)
                .header("x-organization-id", org)
                .header("x-organization-secret", secret)
                .header("x-user-id", user);
            then.status(200).json_body_obj(&body);
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
    let narrow_token = scoped_token_mock(&server, &["read:user"], TOKEN_2).await;
    let default_token = scoped_token_mock(&server, &DEFAULT_SCOPES, TOKEN_1).await;
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
