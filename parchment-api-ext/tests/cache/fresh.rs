//! Fresh reads bypass a valid entry and refresh it.

use crate::{ORG_A, Page, USER, UserRead, cached_users};
use httpmock::prelude::*;

#[tokio::test]
async fn a_fresh_get_bypasses_a_valid_entry_and_refreshes_it() {
    let server = MockServer::start_async().await;
    let first = UserRead::new(ORG_A, USER)
        .request_id("req_first")
        .times(1)
        .mock(&server)
        .await;
    let fresh = UserRead::new(ORG_A, USER)
        .name("Darlene Scott")
        .request_id("req_fresh")
        .times(1)
        .mock(&server)
        .await;
    let later = UserRead::new(ORG_A, USER)
        .request_id("req_later")
        .mock(&server)
        .await;
    let (_client, _clock, users) = cached_users(&server);

    users.get(USER).await.expect("the user");
    let current = users.fresh().get(USER).await.expect("the fresh user");
    assert!(!current.is_from_cache());
    assert_eq!(current.request_id(), Some("req_fresh"));
    assert_eq!(current.full_name.as_deref(), Some("Darlene Scott"));

    let next = users.get(USER).await.expect("the refreshed entry");
    assert!(next.is_from_cache());
    assert_eq!(next.request_id(), Some("req_fresh"));
    assert_eq!(next.full_name.as_deref(), Some("Darlene Scott"));
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(fresh.calls_async().await, 1);
    assert_eq!(later.calls_async().await, 0);
}

#[tokio::test]
async fn a_fresh_list_bypasses_a_valid_page_and_refreshes_it() {
    let server = MockServer::start_async().await;
    let first = Page::new(ORG_A)
        .limit(2)
        .request_id("req_first")
        .times(1)
        .mock(&server)
        .await;
    let by_list = Page::new(ORG_A)
        .limit(2)
        .request_id("req_fresh_list")
        .times(1)
        .mock(&server)
        .await;
    let by_users = Page::new(ORG_A)
        .limit(2)
        .request_id("req_fresh_users")
        .times(1)
        .mock(&server)
        .await;
    let later = Page::new(ORG_A)
        .limit(2)
        .request_id("req_later")
        .mock(&server)
        .await;
    let (_client, _clock, users) = cached_users(&server);

    users.list().limit(2).send().await.expect("a page");

    let current = users.list().limit(2).fresh().send().await.expect("fresh");
    assert!(!current.is_from_cache());
    assert_eq!(current.request_id(), Some("req_fresh_list"));
    let next = users.list().limit(2).send().await.expect("refreshed");
    assert!(next.is_from_cache());
    assert_eq!(next.request_id(), Some("req_fresh_list"));

    let current = users.fresh().list().limit(2).send().await.expect("fresh");
    assert!(!current.is_from_cache());
    assert_eq!(current.request_id(), Some("req_fresh_users"));
    let next = users.list().limit(2).send().await.expect("refreshed");
    assert!(next.is_from_cache());
    assert_eq!(next.request_id(), Some("req_fresh_users"));

    for mock in [&first, &by_list, &by_users] {
        assert_eq!(mock.calls_async().await, 1);
    }
    assert_eq!(later.calls_async().await, 0);
}
