//! Regressions: each of these once failed (a cancelled write, a stale read-change-write, a
//! 404 contradicted by the cache, a panic on a very long time to live).

use crate::support::{ORG_SECRET, TOKEN, envelope};
use crate::{ORG_A, USER, UserRead, Write, cached_users, user_path, write_mocks};
use httpmock::prelude::*;
use parchment_api_ext::{Client, ErrorKind, ReadCacheConfig, Role};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_write_cancelled_after_it_was_sent_still_invalidates() {
    let server = MockServer::start_async().await;
    let read = UserRead::new(ORG_A, USER).mock(&server).await;
    let update = write_mocks(&server, ORG_A, 200, Some(Duration::from_millis(300))).await;
    let (_client, _clock, users) = cached_users(&server);
    users.get(USER).await.expect("the user");

    let outcome =
        tokio::time::timeout(Duration::from_millis(100), Write::Update.perform(&users)).await;
    assert!(outcome.is_err(), "the caller gave up before the answer");
    assert_eq!(
        update[0].calls_async().await,
        1,
        "the update reached Parchment"
    );

    let after = users.get(USER).await.expect("the user");
    assert!(
        !after.is_from_cache(),
        "the update may have been applied, yet the pre-write user is served from the cache"
    );
    assert_eq!(read.calls_async().await, 2);
}

#[tokio::test]
async fn grant_roles_computes_the_union_from_the_current_roles() {
    let server = MockServer::start_async().await;
    UserRead::new(ORG_A, USER)
        .roles(json!(["receptionist"]))
        .times(1)
        .mock(&server)
        .await;
    // Meanwhile the user was made an admin elsewhere (the portal, another service).
    UserRead::new(ORG_A, USER)
        .roles(json!(["receptionist", "admin"]))
        .mock(&server)
        .await;
    let roles_path = format!("{}/roles", user_path(ORG_A, USER));
    let union = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path(roles_path.clone())
                .json_body(json!({"access_roles": ["receptionist", "admin", "rx_reader"]}));
            then.status(200).json_body(envelope(json!({
                "user_id": USER,
                "access_roles": ["receptionist", "admin", "rx_reader"]
            })));
        })
        .await;
    let any_other = server
        .mock_async(|when, then| {
            when.method(PUT).path(roles_path.clone());
            then.status(200).json_body(envelope(json!({
                "user_id": USER,
                "access_roles": ["receptionist", "rx_reader"]
            })));
        })
        .await;
    let (_client, _clock, users) = cached_users(&server);
    users.get(USER).await.expect("the user, cached");

    let roles = users
        .grant_roles(USER, [Role::RxReader])
        .await
        .expect("granted");

    assert_eq!(
        any_other.calls_async().await,
        0,
        "admin was dropped: the union was computed from the cached read"
    );
    assert_eq!(union.calls_async().await, 1);
    assert_eq!(
        roles.roles,
        [Role::Receptionist, Role::Admin, Role::RxReader]
    );
}

#[tokio::test]
async fn a_fresh_read_that_finds_the_user_gone_is_not_contradicted_by_the_cache() {
    let server = MockServer::start_async().await;
    UserRead::new(ORG_A, USER).times(1).mock(&server).await;
    let gone = UserRead::new(ORG_A, USER).status(404).mock(&server).await;
    let (_client, _clock, users) = cached_users(&server);
    users.get(USER).await.expect("the user, cached");

    let error = users.fresh().get(USER).await.expect_err("the user is gone");
    assert_eq!(error.kind(), ErrorKind::NotFound);
    let next = users.get(USER).await;

    assert_eq!(
        next.map(|user| user.is_from_cache()).map_err(|e| e.kind()),
        Err(ErrorKind::NotFound),
        "the cache still serves the deleted user"
    );
    assert_eq!(gone.calls_async().await, 2);
}

#[test]
fn a_time_to_live_of_a_thousand_years_or_more_builds_without_panicking() {
    let built = std::panic::catch_unwind(|| {
        Client::builder()
            .base_url("http://127.0.0.1:1")
            .access_token(TOKEN)
            .organization_secret(ORG_SECRET)
            .read_cache(ReadCacheConfig::new(Duration::MAX))
            .build()
            .map(|_| ())
            .map_err(|error| error.kind())
    });
    let built = built.expect("build returns rather than panics");
    // The cache keeps the configured time to live on its own clock; only moka's real-time
    // bound on memory is capped.
    assert_eq!(built, Ok(()));
}
