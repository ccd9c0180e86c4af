//! Invalidation by writes: every write, failed or timed out, sends the next read of the
//! user and of a page to the server; only the written organization is affected.

use crate::{
    ORG_A, ORG_B, Page, SECRET_ONE, USER, UserRead, Write, cached, cached_builder, cached_users,
    write_mocks,
};
use httpmock::Mock;
use httpmock::prelude::*;
use parchment_api_ext::testing::ManualClock;
use parchment_api_ext::{ErrorKind, OrganizationCredentials, Users};
use std::sync::Arc;
use std::time::Duration;

/// Reads `USER` and the first page twice (the second time from the cache), runs `write`, then
/// checks that the next read of each is a request.
async fn assert_write_invalidates(
    users: &Users,
    read: &Mock<'_>,
    page: &Mock<'_>,
    write: Write,
    expect_write_ok: bool,
) {
    users.get(USER).await.expect("the user");
    users.list().send().await.expect("a page");
    let (reads, pages) = (read.calls_async().await, page.calls_async().await);
    assert!(
        users.get(USER).await.expect("the user").is_from_cache(),
        "{write:?}: the user is cached before the write"
    );
    assert!(
        users.list().send().await.expect("a page").is_from_cache(),
        "{write:?}: the page is cached before the write"
    );

    let outcome = write.perform(users).await;
    assert_eq!(outcome.is_ok(), expect_write_ok, "{write:?}: {outcome:?}");

    let user = users.get(USER).await.expect("the user");
    let listed = users.list().send().await.expect("a page");
    assert!(!user.is_from_cache(), "{write:?}: the user is read again");
    assert!(!listed.is_from_cache(), "{write:?}: the page is read again");
    assert_eq!(read.calls_async().await, reads + 1, "{write:?}");
    assert_eq!(page.calls_async().await, pages + 1, "{write:?}");
}

/// Every write in `Write::ALL`, answered with `status`, invalidates the user and the page
/// ([`assert_write_invalidates`]), and each is sent once.
async fn assert_every_write_invalidates(status: u16, expect_write_ok: bool) {
    let server = MockServer::start_async().await;
    let read = UserRead::new(ORG_A, USER).mock(&server).await;
    let page = Page::new(ORG_A).mock(&server).await;
    let writes = write_mocks(&server, ORG_A, status, None).await;
    let (_client, _clock, users) = cached_users(&server);

    for write in Write::ALL {
        assert_write_invalidates(&users, &read, &page, write, expect_write_ok).await;
    }
    for mock in &writes {
        assert_eq!(mock.calls_async().await, 1, "each write was sent once");
    }
}

#[tokio::test]
async fn every_write_sends_the_next_read_of_the_user_and_of_a_page_to_the_server() {
    assert_every_write_invalidates(200, true).await;
}

#[tokio::test]
async fn a_failed_write_still_invalidates() {
    assert_every_write_invalidates(500, false).await;
}

#[tokio::test]
async fn a_write_that_times_out_in_the_client_still_invalidates() {
    let server = MockServer::start_async().await;
    let read = UserRead::new(ORG_A, USER).mock(&server).await;
    let page = Page::new(ORG_A).mock(&server).await;
    let update = write_mocks(&server, ORG_A, 200, Some(Duration::from_millis(300))).await;
    let clock = Arc::new(ManualClock::new());
    let client = cached_builder(&server.base_url(), &clock)
        .attempt_timeout(Duration::from_millis(100))
        .build()
        .expect("a valid client");
    let users = client.organization(ORG_A).users();

    users.get(USER).await.expect("the user");
    let error = Write::Update
        .perform(&users)
        .await
        .expect_err("the update outlives the attempt's time limit");
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(update[0].calls_async().await, 1, "the update was sent");

    let after = users.get(USER).await.expect("the user");
    assert!(!after.is_from_cache(), "a timed-out write may have applied");
    assert_eq!(read.calls_async().await, 2);
    assert_eq!(page.calls_async().await, 0);
}

#[tokio::test]
async fn a_write_in_another_organization_does_not_invalidate_this_one() {
    let server = MockServer::start_async().await;
    let read = UserRead::new(ORG_A, USER).mock(&server).await;
    let page = Page::new(ORG_A).mock(&server).await;
    let writes = write_mocks(&server, ORG_B, 200, None).await;
    let (client, _clock) = cached(&server.base_url());
    let users_a = client.organization(ORG_A).users();
    let users_b = client.organization(ORG_B).users();

    users_a.get(USER).await.expect("the user");
    users_a.list().send().await.expect("a page");
    for write in Write::ALL {
        write.perform(&users_b).await.expect("the write in org_b");
        assert!(
            users_a.get(USER).await.expect("the user").is_from_cache(),
            "{write:?} in org_b left org_a's user cached"
        );
        assert!(
            users_a.list().send().await.expect("a page").is_from_cache(),
            "{write:?} in org_b left org_a's page cached"
        );
    }

    assert_eq!(read.calls_async().await, 1);
    assert_eq!(page.calls_async().await, 1);
    for mock in &writes {
        assert_eq!(mock.calls_async().await, 1);
    }
}

#[tokio::test]
async fn a_write_through_other_credentials_of_the_organization_invalidates_it() {
    let server = MockServer::start_async().await;
    let read = UserRead::new(ORG_A, USER).mock(&server).await;
    write_mocks(&server, ORG_A, 200, None).await;
    let (client, _clock, users) = cached_users(&server);
    let other = client
        .organization_with(ORG_A, OrganizationCredentials::new(SECRET_ONE))
        .expect("valid credentials")
        .users();

    users.get(USER).await.expect("the user");
    assert!(users.get(USER).await.expect("the user").is_from_cache());
    Write::Update.perform(&other).await.expect("the update");
    let after = users.get(USER).await.expect("the user");

    assert!(!after.is_from_cache());
    assert_eq!(read.calls_async().await, 2);
}
