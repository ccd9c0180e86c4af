//! Caching and renewal: a token reused until its renewal time then replaced, a custom renewal
//! margin, short-lived tokens renewed at half life, and one token request for fifty concurrent
//! calls on an empty cache.

use crate::support::{ORG, ORG_SECRET};
use crate::{
    TOKEN_1, TOKEN_2, client_with_clock, partner_builder, partner_client, token_mock,
    token_mock_after, validate, validate_mock,
};
use httpmock::MockServer;
use parchment_api_ext::testing::ManualClock;
use std::sync::Arc;
use std::time::Duration;

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
