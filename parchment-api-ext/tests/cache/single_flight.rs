//! Single flight: concurrent misses of one entry make one request, and a failing fetch is
//! neither cached nor kept from its waiters.

use crate::support::error_envelope;
use crate::{ORG_A, Page, TTL, USER, UserRead, cached_users, stats, users_path};
use httpmock::prelude::*;
use parchment_api_ext::{ErrorKind, Users};
use std::future::Future;
use std::time::Duration;

/// Runs `call` on `n` tasks at once, each with its own handle on `users`, and returns what
/// each got once all have finished.
async fn concurrently<T, F, Fut>(n: usize, users: &Users, call: F) -> Vec<T>
where
    F: Fn(Users) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|_| tokio::spawn(call(users.clone()))).collect();
    let mut outcomes = Vec::with_capacity(n);
    for task in tasks {
        outcomes.push(task.await.expect("the task ran to the end"));
    }
    outcomes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn a_hundred_concurrent_misses_of_one_user_make_one_request() {
    let server = MockServer::start_async().await;
    let read = UserRead::new(ORG_A, USER)
        .request_id("req_only")
        .delay(Duration::from_millis(200))
        .mock(&server)
        .await;
    let (client, _clock, users) = cached_users(&server);

    let outcomes = concurrently(100, &users, |users| async move { users.get(USER).await }).await;
    let mut fetched = 0;
    for outcome in outcomes {
        let user = outcome.expect("every caller gets the user");
        assert_eq!(user.user_id, USER);
        assert_eq!(user.request_id(), Some("req_only"));
        if !user.is_from_cache() {
            fetched += 1;
        }
    }

    assert_eq!(read.calls_async().await, 1, "one request for 100 callers");
    assert_eq!(fetched, 1, "the others were served the one response");
    assert_eq!(stats(&client), (99, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_misses_of_one_page_make_one_request() {
    let server = MockServer::start_async().await;
    let page = Page::new(ORG_A)
        .limit(2)
        .delay(Duration::from_millis(200))
        .mock(&server)
        .await;
    let (client, _clock, users) = cached_users(&server);

    let outcomes = concurrently(50, &users, |users| async move {
        users.list().limit(2).send().await
    })
    .await;
    for outcome in outcomes {
        let listed = outcome.expect("a page");
        assert_eq!(listed.users[0].user_id, USER);
    }

    assert_eq!(page.calls_async().await, 1);
    assert_eq!(stats(&client), (49, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_misses_after_expiry_make_one_request() {
    let server = MockServer::start_async().await;
    let first = UserRead::new(ORG_A, USER)
        .request_id("req_first")
        .times(1)
        .mock(&server)
        .await;
    let second = UserRead::new(ORG_A, USER)
        .request_id("req_second")
        .delay(Duration::from_millis(200))
        .mock(&server)
        .await;
    let (_client, clock, users) = cached_users(&server);
    users.get(USER).await.expect("the user");
    clock.advance(TTL + Duration::from_secs(1));

    let outcomes = concurrently(50, &users, |users| async move { users.get(USER).await }).await;
    for outcome in outcomes {
        let user = outcome.expect("the user");
        assert_eq!(
            user.request_id(),
            Some("req_second"),
            "no expired entry served"
        );
    }

    assert_eq!(first.calls_async().await, 1);
    assert_eq!(second.calls_async().await, 1);
}

#[tokio::test]
async fn an_error_is_not_cached() {
    for (status, kind) in [(404, ErrorKind::NotFound), (500, ErrorKind::Server)] {
        let server = MockServer::start_async().await;
        let failing = UserRead::new(ORG_A, USER)
            .status(status)
            .times(1)
            .mock(&server)
            .await;
        let ok = UserRead::new(ORG_A, USER)
            .request_id("req_ok")
            .mock(&server)
            .await;
        let (client, _clock, users) = cached_users(&server);

        let error = users.get(USER).await.expect_err("the error answer");
        assert_eq!(error.kind(), kind);
        let user = users.get(USER).await.expect("the next answer");
        assert!(!user.is_from_cache(), "{status}: the error was not kept");
        assert_eq!(user.request_id(), Some("req_ok"));
        assert!(users.get(USER).await.expect("cached").is_from_cache());

        assert_eq!(failing.calls_async().await, 1);
        assert_eq!(ok.calls_async().await, 1);
        assert_eq!(stats(&client), (1, 2), "{status}");
    }
}

#[tokio::test]
async fn a_failed_page_is_not_cached() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path(users_path(ORG_A));
            then.status(503)
                .json_body(error_envelope(
                    503,
                    "unavailable",
                    "Unavailable",
                    "Try later",
                ))
                .up_to_n_times(1);
        })
        .await;
    let ok = Page::new(ORG_A).mock(&server).await;
    let (_client, _clock, users) = cached_users(&server);

    let error = users.list().send().await.expect_err("503");
    assert_eq!(error.kind(), ErrorKind::Server);
    let listed = users.list().send().await.expect("a page");
    assert!(!listed.is_from_cache());
    assert_eq!(failing.calls_async().await, 1);
    assert_eq!(ok.calls_async().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn callers_waiting_on_a_failing_fetch_all_get_the_error() {
    let server = MockServer::start_async().await;
    let failing = UserRead::new(ORG_A, USER)
        .status(500)
        .delay(Duration::from_millis(200))
        .times(1)
        .mock(&server)
        .await;
    let ok = UserRead::new(ORG_A, USER).mock(&server).await;
    let (client, _clock, users) = cached_users(&server);

    let outcomes = concurrently(50, &users, |users| async move { users.get(USER).await }).await;
    for outcome in outcomes {
        let error = outcome.expect_err("every waiting caller gets the one failure");
        assert_eq!(error.kind(), ErrorKind::Server);
        assert_eq!(error.request_id(), Some("req_1705312200000_e500"));
    }
    assert_eq!(failing.calls_async().await, 1, "one request for 50 callers");
    assert_eq!(ok.calls_async().await, 0);

    let user = users.get(USER).await.expect("the next read succeeds");
    assert!(!user.is_from_cache());
    assert_eq!(ok.calls_async().await, 1);
    assert_eq!(stats(&client), (0, 2));
}
