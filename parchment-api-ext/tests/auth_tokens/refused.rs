//! A token the server refuses: a 401 on a cached token fetches a new one and retries once, a
//! second 401 reaches the caller, and a token fetched for the call is not retried.

use crate::support::{ORG, ORG_SECRET};
use crate::{
    TOKEN_1, TOKEN_2, partner_client, refusing_validate_mock, revoked_token_mock, token_mock,
    validate, validate_mock,
};
use httpmock::MockServer;
use parchment_api_ext::ErrorKind;

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
    let refusing_first = revoked_token_mock(&server, TOKEN_1).await;
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
