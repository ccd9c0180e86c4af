//! Pagination: every user once over many pages, an opaque `lastKey` that resumes and
//! refuses tampering, limits checked before sending, `max_items`.

use crate::support::fake::{all_users, logged, statuses, users};
use crate::users_path;
use futures::TryStreamExt;
use parchment_api_ext::testing::{FakeConfig, FakeParchment};
use parchment_api_ext::{ErrorKind, UserSummary};
use std::collections::HashSet;

#[tokio::test]
async fn ten_thousand_users_stream_in_101_pages_each_once() {
    let fake = FakeParchment::start_with(FakeConfig::default().seed_users(10_000)).await;
    let organization = fake.credentials().organization_id.clone();
    assert_eq!(fake.user_count(&organization), 10_001);
    let users = users(&fake);

    let first = users.list().limit(100).send().await.expect("a page");
    assert_eq!(first.users.len(), 100);
    assert_eq!(first.total, Some(10_001));
    assert_eq!(first.limit, Some(100));
    assert!(first.next_key.is_some());
    let start = fake.requests().len();

    let listed = all_users(&users).await;
    assert_eq!(listed.len(), 10_001, "the administrator and 10,000 users");
    let ids: HashSet<&str> = listed.iter().map(|user| user.user_id.as_str()).collect();
    assert_eq!(ids.len(), 10_001, "every id once");
    assert!(ids.contains(fake.credentials().acting_user.as_str()));
    assert_eq!(
        listed[..100],
        first.users[..],
        "the stream starts at page 1"
    );

    let pages = logged(&fake, start, "GET", &users_path(&fake));
    assert_eq!(
        pages.len(),
        101,
        "100 full pages and one with the last user"
    );
    assert!(pages.iter().all(|request| request.status == 200));
    assert_eq!(
        fake.requests().len() - start,
        101,
        "no token request: the cached one serves every page"
    );
}

#[tokio::test]
async fn a_full_last_page_ends_the_stream_without_an_empty_page() {
    // The administrator and 99 users: exactly one page of 100, two of 50.
    let fake = FakeParchment::start_with(FakeConfig::default().seed_users(99)).await;
    let users = users(&fake);
    for (limit, expected_pages) in [(100, 1), (50, 2)] {
        let start = fake.requests().len();
        let listed: Vec<UserSummary> = users
            .list()
            .limit(limit)
            .stream()
            .try_collect()
            .await
            .expect("listed");
        assert_eq!(listed.len(), 100);
        let pages = logged(&fake, start, "GET", &users_path(&fake));
        assert_eq!(pages.len(), expected_pages, "limit {limit}");
    }
}

#[tokio::test]
async fn the_next_key_resumes_where_a_page_ended() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let first = users.list().limit(5).send().await.expect("page 1");
    let key = first.next_key.clone().expect("more than 5 users");
    let second = users
        .list()
        .limit(5)
        .last_key(key)
        .send()
        .await
        .expect("page 2");
    assert_eq!(second.users.len(), 5);
    let all = all_users(&users).await;
    let expected: Vec<&str> = all[5..10].iter().map(|u| u.user_id.as_str()).collect();
    let got: Vec<&str> = second.users.iter().map(|u| u.user_id.as_str()).collect();
    assert_eq!(got, expected);

    // Without a limit, the server's default page size applies.
    let default_page = users.list().send().await.expect("default page");
    assert_eq!(
        default_page.users.len(),
        13,
        "12 seeded and the admin: under 20"
    );
    assert_eq!(default_page.next_key, None);
}

#[tokio::test]
async fn a_limit_out_of_range_is_refused_before_sending() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    users
        .get(&fake.credentials().acting_user)
        .await
        .expect("warm-up");
    let before = fake.requests().len();
    for limit in [0, 101] {
        let error = users.list().limit(limit).send().await.expect_err("refused");
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "limit {limit}");
        assert!(
            error.field_errors().iter().any(|e| e.field == "limit"),
            "{:?}",
            error.field_errors()
        );
        let streamed: Result<Vec<UserSummary>, _> =
            users.list().limit(limit).stream().try_collect().await;
        assert_eq!(
            streamed.expect_err("refused").kind(),
            ErrorKind::InvalidInput
        );
    }
    assert_eq!(fake.requests().len(), before, "nothing was sent");
}

#[tokio::test]
async fn a_tampered_last_key_is_a_bad_request_from_the_fake() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    for key in ["garbage", "eyJ1c2VyX2lkIjo0Mn0", "%%%"] {
        let start = fake.requests().len();
        let error = users
            .list()
            .last_key(key)
            .send()
            .await
            .expect_err("a key the fake never returned");
        assert_eq!(error.kind(), ErrorKind::BadRequest, "{key}: {error}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
        assert_eq!(error.attempts(), 1, "a 400 is not retried");
        assert_eq!(
            statuses(&logged(&fake, start, "GET", &users_path(&fake))),
            [400],
            "{key}: the fake answered it"
        );
    }
}

#[tokio::test]
async fn max_items_stops_the_stream_after_two_list_requests() {
    let fake = FakeParchment::start_with(FakeConfig::default().seed_users(1_000)).await;
    let users = users(&fake);
    let listed: Vec<UserSummary> = users
        .list()
        .limit(100)
        .max_items(150)
        .stream()
        .try_collect()
        .await
        .expect("listed");
    assert_eq!(listed.len(), 150);
    let pages = logged(&fake, 0, "GET", &users_path(&fake));
    assert_eq!(pages.len(), 2, "no third page is fetched");
}
