//! Token failures: a refused token request fails the call and is not cached, callers waiting on
//! one failing request all fail with it, a response without a usable token is a decode error,
//! and an absurd expiry neither panics nor leaves the cache unusable.

use crate::support::{ORG, ORG_SECRET};
use crate::{
    TOKEN_1, failing_token_mock, partner_client, resource_catch_all, token_mock, token_mock_after,
    validate, validate_mock,
};
use httpmock::MockServer;
use parchment_api_ext::{ErrorKind, Organization};
use std::time::Duration;

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
