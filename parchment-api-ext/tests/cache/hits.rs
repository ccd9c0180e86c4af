//! Off by default; once on, hits and misses of reads and list pages, and entries that age
//! out on the client's clock after their time to live.

use crate::support;
use crate::{ORG_A, Page, TTL, USER, UserRead, cached_users, stats};
use futures::TryStreamExt;
use httpmock::prelude::*;
use std::time::Duration;

#[tokio::test]
async fn the_cache_is_off_by_default() {
    let server = MockServer::start_async().await;
    let read = UserRead::new(support::ORG, USER).mock(&server).await;
    let page = Page::new(support::ORG).mock(&server).await;
    let client = support::client(&server.base_url());
    let users = client.organization(support::ORG).users();

    for _ in 0..2 {
        let user = users.get(USER).await.expect("the user");
        assert!(!user.is_from_cache());
        let listed = users.list().send().await.expect("a page");
        assert!(!listed.is_from_cache());
    }

    assert_eq!(read.calls_async().await, 2, "each read is a request");
    assert_eq!(page.calls_async().await, 2, "each page is a request");
    assert_eq!(client.cache_stats(), None);
}

#[tokio::test]
async fn a_second_read_of_a_user_is_a_hit_with_the_first_request_id() {
    let server = MockServer::start_async().await;
    let first = UserRead::new(ORG_A, USER)
        .request_id("req_first")
        .times(1)
        .mock(&server)
        .await;
    let later = UserRead::new(ORG_A, USER)
        .request_id("req_later")
        .mock(&server)
        .await;
    let (client, _clock, users) = cached_users(&server);

    let fetched = users.get(USER).await.expect("the user");
    let again = users.get(USER).await.expect("the user again");

    assert!(!fetched.is_from_cache());
    assert_eq!(fetched.request_id(), Some("req_first"));
    assert!(again.is_from_cache());
    assert_eq!(again.request_id(), Some("req_first"));
    assert_eq!(again.user_id, USER);
    assert_eq!(again.full_name, fetched.full_name);
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(
        later.calls_async().await,
        0,
        "the second read made no request"
    );
    assert_eq!(stats(&client), (1, 1));
}

#[tokio::test]
async fn another_user_is_a_miss() {
    let server = MockServer::start_async().await;
    let one = UserRead::new(ORG_A, "usr_1").mock(&server).await;
    let two = UserRead::new(ORG_A, "usr_2").mock(&server).await;
    let (client, _clock, users) = cached_users(&server);

    assert!(!users.get("usr_1").await.expect("usr_1").is_from_cache());
    let other = users.get("usr_2").await.expect("usr_2");

    assert!(!other.is_from_cache());
    assert_eq!(other.user_id, "usr_2");
    assert_eq!(one.calls_async().await, 1);
    assert_eq!(two.calls_async().await, 1);
    assert_eq!(stats(&client), (0, 2));
}

#[tokio::test]
async fn list_pages_are_cached_per_limit_and_last_key() {
    let server = MockServer::start_async().await;
    let mocks = [
        Page::new(ORG_A)
            .limit(2)
            .request_id("req_limit_2")
            .mock(&server)
            .await,
        Page::new(ORG_A)
            .limit(3)
            .request_id("req_limit_3")
            .mock(&server)
            .await,
        Page::new(ORG_A)
            .limit(2)
            .key("k1")
            .request_id("req_k1")
            .mock(&server)
            .await,
        Page::new(ORG_A)
            .limit(2)
            .key("k2")
            .request_id("req_k2")
            .mock(&server)
            .await,
        Page::new(ORG_A)
            .request_id("req_default")
            .mock(&server)
            .await,
    ];
    let (client, _clock, users) = cached_users(&server);
    let queries = || {
        [
            users.list().limit(2),
            users.list().limit(3),
            users.list().limit(2).last_key("k1"),
            users.list().limit(2).last_key("k2"),
            users.list(),
        ]
    };
    let expected_ids = [
        "req_limit_2",
        "req_limit_3",
        "req_k1",
        "req_k2",
        "req_default",
    ];

    for (query, request_id) in queries().into_iter().zip(expected_ids) {
        let page = query.send().await.expect("a page");
        assert!(!page.is_from_cache(), "{request_id}: first read is a miss");
        assert_eq!(page.request_id(), Some(request_id));
    }
    for (query, request_id) in queries().into_iter().zip(expected_ids) {
        let page = query.send().await.expect("a page");
        assert!(page.is_from_cache(), "{request_id}: same page is a hit");
        assert_eq!(page.request_id(), Some(request_id));
    }

    for mock in &mocks {
        assert_eq!(mock.calls_async().await, 1);
    }
    assert_eq!(stats(&client), (5, 5));
}

#[tokio::test]
async fn a_cached_two_page_stream_makes_no_request_the_second_time() {
    let server = MockServer::start_async().await;
    let first = Page::new(ORG_A)
        .limit(2)
        .ids(&["u1", "u2"])
        .next("k1")
        .mock(&server)
        .await;
    let second = Page::new(ORG_A)
        .limit(2)
        .key("k1")
        .ids(&["u3"])
        .mock(&server)
        .await;
    let (client, _clock, users) = cached_users(&server);

    for round in 0..2 {
        let all: Vec<_> = users
            .list()
            .limit(2)
            .stream()
            .try_collect()
            .await
            .expect("every user");
        let ids: Vec<_> = all.iter().map(|u| u.user_id.as_str()).collect();
        assert_eq!(ids, ["u1", "u2", "u3"], "round {round}");
    }

    assert_eq!(first.calls_async().await, 1);
    assert_eq!(second.calls_async().await, 1);
    assert_eq!(stats(&client), (2, 2));
}

#[tokio::test]
async fn an_entry_is_a_hit_until_the_time_to_live_passes_on_the_client_clock() {
    let server = MockServer::start_async().await;
    let first = UserRead::new(ORG_A, USER)
        .request_id("req_first")
        .times(1)
        .mock(&server)
        .await;
    let second = UserRead::new(ORG_A, USER)
        .request_id("req_second")
        .mock(&server)
        .await;
    let (client, clock, users) = cached_users(&server);

    users.get(USER).await.expect("the user");
    clock.advance(TTL - Duration::from_millis(1));
    let young = users.get(USER).await.expect("just before the TTL");
    assert!(young.is_from_cache());
    assert_eq!(young.request_id(), Some("req_first"));
    assert_eq!(second.calls_async().await, 0);

    clock.advance(Duration::from_millis(2));
    let expired = users.get(USER).await.expect("just past the TTL");
    assert!(
        !expired.is_from_cache(),
        "an entry older than the TTL is a miss"
    );
    assert_eq!(expired.request_id(), Some("req_second"));
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(second.calls_async().await, 1);

    let refilled = users.get(USER).await.expect("the refreshed entry");
    assert!(refilled.is_from_cache());
    assert_eq!(refilled.request_id(), Some("req_second"));
    assert_eq!(stats(&client), (2, 2));
}

#[tokio::test]
async fn a_list_page_is_a_hit_until_the_time_to_live_passes() {
    let server = MockServer::start_async().await;
    let first = Page::new(ORG_A)
        .request_id("req_first")
        .times(1)
        .mock(&server)
        .await;
    let second = Page::new(ORG_A)
        .request_id("req_second")
        .mock(&server)
        .await;
    let (_client, clock, users) = cached_users(&server);

    users.list().send().await.expect("a page");
    clock.advance(TTL - Duration::from_millis(1));
    assert!(users.list().send().await.expect("a page").is_from_cache());
    clock.advance(Duration::from_millis(2));
    let expired = users.list().send().await.expect("a page");

    assert!(!expired.is_from_cache());
    assert_eq!(expired.request_id(), Some("req_second"));
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(second.calls_async().await, 1);
}
