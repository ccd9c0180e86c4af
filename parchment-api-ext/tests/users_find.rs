//! The user finders against the fake: a match stops the listing at its page, a miss reads every
//! page, matching follows the documented rules, and `read_all` keeps to its concurrency.

use futures::{StreamExt, TryStreamExt};
use parchment_api_ext::ErrorKind;
use parchment_api_ext::testing::{FakeConfig, FakeParchment, Fault};
use std::time::{Duration, Instant};

/// 250 users (the administrator and 249 seeded): three pages of 100.
async fn fake_with_three_pages() -> FakeParchment {
    FakeParchment::start_with(FakeConfig::default().seed_users(249)).await
}

/// How many list-users pages the fake has served.
fn list_requests(fake: &FakeParchment) -> usize {
    fake.requests()
        .iter()
        .filter(|request| request.method == "GET" && request.path.ends_with("/users"))
        .count()
}

#[tokio::test]
async fn a_user_on_the_second_page_is_found_by_email_without_reading_the_third() {
    let fake = fake_with_three_pages().await;
    let users = fake
        .client()
        .default_organization()
        .expect("succeeds")
        .users();
    let everyone: Vec<_> = users
        .list()
        .limit(100)
        .stream()
        .try_collect()
        .await
        .expect("succeeds");
    assert_eq!(everyone.len(), 250);
    let wanted = &everyone[150];
    let email = wanted.email.clone().expect("the fake lists emails");
    let before = list_requests(&fake);

    let found = users
        .find_by_email(&format!("  {} ", email.to_uppercase()))
        .await
        .expect("succeeds")
        .expect("the user is found");

    assert_eq!(found.user_id, wanted.user_id);
    assert_eq!(list_requests(&fake) - before, 2, "pages 1 and 2, not 3");
}

#[tokio::test]
async fn an_email_nobody_has_reads_every_page_and_finds_none() {
    let fake = fake_with_three_pages().await;
    let users = fake
        .client()
        .default_organization()
        .expect("succeeds")
        .users();

    let found = users
        .find_by_email("nobody@example.com")
        .await
        .expect("succeeds");

    assert_eq!(found, None);
    assert_eq!(list_requests(&fake), 3);
}

#[tokio::test]
async fn a_partner_id_matches_with_or_without_the_prefix_and_stops_at_its_page() {
    let fake = fake_with_three_pages().await;
    let users = fake
        .client()
        .default_organization()
        .expect("succeeds")
        .users();
    let everyone: Vec<_> = users
        .list()
        .limit(100)
        .stream()
        .try_collect()
        .await
        .expect("succeeds");
    let wanted = &everyone[42];
    let external = wanted
        .external_user_id
        .clone()
        .expect("the fake lists partner ids");
    let (_, bare) = external
        .split_once('#')
        .expect("the fake prefixes partner ids");
    let before = list_requests(&fake);

    let by_bare = users
        .find_by_external_id(bare)
        .await
        .expect("the search succeeds")
        .expect("the user is found");
    let by_prefixed = users
        .find_by_external_id(&external)
        .await
        .expect("the search succeeds")
        .expect("the user is found");

    assert_eq!(by_bare.user_id, wanted.user_id);
    assert_eq!(by_prefixed.user_id, wanted.user_id);
    assert_eq!(list_requests(&fake) - before, 2, "one page each");
    // A longer id that merely starts with the wanted one is not a match.
    let missing = users
        .find_by_external_id(&format!("{bare}99999"))
        .await
        .expect("succeeds");
    assert_eq!(missing, None);
}

#[tokio::test]
async fn empty_search_terms_and_zero_concurrency_are_refused_before_sending() {
    let fake = FakeParchment::start().await;
    let users = fake
        .client()
        .default_organization()
        .expect("succeeds")
        .users();

    let email = users.find_by_email("   ").await.expect_err("refused");
    let external = users.find_by_external_id("").await.expect_err("refused");
    let all: Vec<_> = users.read_all(0).collect().await;

    assert_eq!(email.kind(), ErrorKind::InvalidInput);
    assert_eq!(external.kind(), ErrorKind::InvalidInput);
    assert_eq!(all.len(), 1);
    assert_eq!(
        all[0].as_ref().expect_err("refused").kind(),
        ErrorKind::InvalidInput
    );
    assert!(fake.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn read_all_reads_every_user_in_full_in_list_order() {
    let fake = FakeParchment::start_with(FakeConfig::default().seed_users(11)).await;
    let users = fake
        .client()
        .default_organization()
        .expect("succeeds")
        .users();

    let all: Vec<_> = users.read_all(4).try_collect().await.expect("succeeds");

    let ids: Vec<_> = all.iter().map(|user| user.user_id.clone()).collect();
    assert_eq!(ids, fake.user_ids(&fake.credentials().organization_id, 100));
    let reads = fake
        .requests()
        .iter()
        .filter(|request| request.method == "GET" && request.path.contains("/users/"))
        .count();
    assert_eq!(reads, 12, "one read per user");
}

#[tokio::test]
async fn read_all_keeps_at_most_its_concurrency_of_reads_in_flight() {
    const LATENCY: Duration = Duration::from_millis(150);
    let fake = FakeParchment::start_with(FakeConfig::default().seed_users(11)).await;
    let users = fake
        .client()
        .default_organization()
        .expect("succeeds")
        .users();
    // Every request, the token and the list included, waits LATENCY.
    fake.inject(Fault::Latency(LATENCY), 1_000);

    let started = Instant::now();
    let all: Vec<_> = users.read_all(3).try_collect().await.expect("succeeds");
    let elapsed = started.elapsed();

    assert_eq!(all.len(), 12);
    // Twelve reads, three at a time: at least four rounds, whatever the machine's speed.
    assert!(
        elapsed >= LATENCY * 4,
        "too fast for 3 at a time: {elapsed:?}"
    );
    // And they did overlap: one at a time would take twelve rounds (plus token and list).
    assert!(elapsed < LATENCY * 12, "reads did not overlap: {elapsed:?}");
}
