//! Isolation: organizations, clients and credentials never share an entry, and a client
//! with a cache prints no token or secret.

use crate::support::{ORG_SECRET, TOKEN};
use crate::{
    ORG_A, ORG_B, Page, SECRET_ONE, SECRET_TWO, TTL, USER, UserRead, cached, cached_builder, stats,
};
use httpmock::prelude::*;
use parchment_api_ext::{Client, OrganizationCredentials, PartnerCredentials, ReadCacheConfig};

#[tokio::test]
async fn two_organizations_never_share_an_entry() {
    let server = MockServer::start_async().await;
    let read_a = UserRead::new(ORG_A, USER)
        .name("Alice of A")
        .request_id("req_a")
        .mock(&server)
        .await;
    let read_b = UserRead::new(ORG_B, USER)
        .name("Bob of B")
        .request_id("req_b")
        .mock(&server)
        .await;
    let page_a = Page::new(ORG_A).ids(&["usr_in_a"]).mock(&server).await;
    let page_b = Page::new(ORG_B).ids(&["usr_in_b"]).mock(&server).await;
    let (client, _clock) = cached(&server.base_url());
    let users_a = client.organization(ORG_A).users();
    let users_b = client.organization(ORG_B).users();

    for round in 0..2 {
        let from_cache = round == 1;
        let a = users_a.get(USER).await.expect("org_a's user");
        let b = users_b.get(USER).await.expect("org_b's user");
        assert_eq!(a.full_name.as_deref(), Some("Alice of A"), "round {round}");
        assert_eq!(a.request_id(), Some("req_a"));
        assert_eq!(a.is_from_cache(), from_cache, "round {round}");
        assert_eq!(b.full_name.as_deref(), Some("Bob of B"), "round {round}");
        assert_eq!(b.request_id(), Some("req_b"));
        assert_eq!(b.is_from_cache(), from_cache, "round {round}");

        let page_of_a = users_a.list().send().await.expect("org_a's page");
        let page_of_b = users_b.list().send().await.expect("org_b's page");
        assert_eq!(page_of_a.users[0].user_id, "usr_in_a");
        assert_eq!(page_of_b.users[0].user_id, "usr_in_b");
        assert_eq!(page_of_a.is_from_cache(), from_cache);
        assert_eq!(page_of_b.is_from_cache(), from_cache);
    }

    assert_eq!(read_a.calls_async().await, 1);
    assert_eq!(read_b.calls_async().await, 1);
    assert_eq!(page_a.calls_async().await, 1);
    assert_eq!(page_b.calls_async().await, 1);
    assert_eq!(stats(&client), (4, 4));
}

#[tokio::test]
async fn two_clients_never_share_an_entry() {
    let server = MockServer::start_async().await;
    let read = UserRead::new(ORG_A, USER).mock(&server).await;
    let (one, clock) = cached(&server.base_url());
    let two = cached_builder(&server.base_url(), &clock)
        .build()
        .expect("a valid client");

    let first = one.organization(ORG_A).users().get(USER).await;
    let second = two.organization(ORG_A).users().get(USER).await;
    assert!(!first.expect("through one").is_from_cache());
    assert!(!second.expect("through two").is_from_cache());
    assert_eq!(read.calls_async().await, 2, "each client asked once");

    for client in [&one, &two] {
        let again = client.organization(ORG_A).users().get(USER).await;
        assert!(again.expect("the user").is_from_cache());
        assert_eq!(stats(client), (1, 1), "each client counts its own");
    }
    assert_eq!(read.calls_async().await, 2);
}

#[tokio::test]
async fn two_credentials_of_one_organization_never_share_an_entry() {
    let server = MockServer::start_async().await;
    let read_one = UserRead::new(ORG_A, USER)
        .secret(SECRET_ONE)
        .name("Seen with one")
        .request_id("req_one")
        .mock(&server)
        .await;
    let read_two = UserRead::new(ORG_A, USER)
        .secret(SECRET_TWO)
        .name("Seen with two")
        .request_id("req_two")
        .mock(&server)
        .await;
    let page_one = Page::new(ORG_A)
        .secret(SECRET_ONE)
        .ids(&["usr_seen_with_one"])
        .mock(&server)
        .await;
    let page_two = Page::new(ORG_A)
        .secret(SECRET_TWO)
        .ids(&["usr_seen_with_two"])
        .mock(&server)
        .await;
    let (client, _clock) = cached(&server.base_url());
    let with = |secret: &str| {
        client
            .organization_with(ORG_A, OrganizationCredentials::new(secret))
            .expect("valid credentials")
            .users()
    };
    let (one, two) = (with(SECRET_ONE), with(SECRET_TWO));

    for round in 0..2 {
        let from_cache = round == 1;
        let seen_one = one.get(USER).await.expect("with secret one");
        let seen_two = two.get(USER).await.expect("with secret two");
        assert_eq!(seen_one.full_name.as_deref(), Some("Seen with one"));
        assert_eq!(seen_one.request_id(), Some("req_one"));
        assert_eq!(seen_one.is_from_cache(), from_cache, "round {round}");
        assert_eq!(seen_two.full_name.as_deref(), Some("Seen with two"));
        assert_eq!(seen_two.request_id(), Some("req_two"));
        assert_eq!(seen_two.is_from_cache(), from_cache, "round {round}");

        let listed_one = one.list().send().await.expect("with secret one");
        let listed_two = two.list().send().await.expect("with secret two");
        assert_eq!(listed_one.users[0].user_id, "usr_seen_with_one");
        assert_eq!(listed_two.users[0].user_id, "usr_seen_with_two");
    }

    assert_eq!(
        read_one.calls_async().await,
        1,
        "one request with secret one"
    );
    assert_eq!(
        read_two.calls_async().await,
        1,
        "one request with secret two"
    );
    assert_eq!(page_one.calls_async().await, 1);
    assert_eq!(page_two.calls_async().await, 1);
    // A fresh handle with the same credentials shares the entry.
    let same = with(SECRET_ONE).get(USER).await.expect("with secret one");
    assert!(same.is_from_cache());
    assert_eq!(same.full_name.as_deref(), Some("Seen with one"));
}

#[tokio::test]
async fn debug_output_with_a_cache_shows_no_token_or_secret() {
    const PARTNER_SECRET: &str = "partner-secret-6e1f0a9b2c";
    let server = MockServer::start_async().await;
    UserRead::new(ORG_A, USER).mock(&server).await;
    Page::new(ORG_A).mock(&server).await;
    let (client, _clock) = cached(&server.base_url());
    let organization = client
        .organization_with(ORG_A, OrganizationCredentials::new(SECRET_ONE))
        .expect("valid credentials");
    let users = organization.users();
    // Entries and stats to show.
    users.get(USER).await.expect("the user");
    users.get(USER).await.expect("the user again");
    users.list().send().await.expect("a page");
    let partner = Client::builder()
        .base_url(server.base_url())
        .partner_credentials(PartnerCredentials::new("partner_1", PARTNER_SECRET))
        .acting_user("usr_actor")
        .organization_secret(ORG_SECRET)
        .read_cache(ReadCacheConfig::new(TTL))
        .build()
        .expect("a valid partner client");

    let shown = format!(
        "{client:?}\n{client:#?}\n{organization:?}\n{users:?}\n{:?}\n{partner:?}\n{:?}",
        users.list(),
        client.cache_stats(),
    );

    assert!(shown.contains("read_cache"), "{shown}");
    for secret in [TOKEN, ORG_SECRET, SECRET_ONE, PARTNER_SECRET] {
        assert!(!shown.contains(secret), "{secret} shown in {shown}");
    }
}
