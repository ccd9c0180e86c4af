//! Auth: static tokens, wrong secrets and tokens, acting users that do not exist or are
//! disabled, scopes, expiry on the fake's clock, and organizations kept apart.

use crate::support::fake::{
    all_users, logged, static_builder, static_client, statuses, users, users_of,
};
use crate::{read, user_path};
use parchment_api_ext::testing::{FakeConfig, FakeParchment};
use parchment_api_ext::{
    Client, Error, ErrorKind, NewUser, OrganizationCredentials, PartnerCredentials, RetryPolicy,
    Role, Scope,
};
use std::collections::HashSet;
use std::time::Duration;

/// Reads `user_id` through `client`'s default organization and checks that it fails at the
/// token request, refused as unauthorized; the error, for more checks.
async fn refused_a_token(client: &Client, user_id: &str) -> Error {
    let error = users_of(client)
        .get(user_id)
        .await
        .expect_err("the token request is refused");
    assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
    assert_eq!(error.operation(), "create token");
    error
}

#[tokio::test]
async fn a_static_token_client_works_without_token_requests() {
    let fake = FakeParchment::start().await;
    let credentials = fake.credentials().clone();
    let client = static_client(&fake, RetryPolicy::default());
    let users = client.organization(&credentials.organization_id).users();
    let admin = read(&users, &credentials.acting_user).await;
    assert_eq!(admin.roles, [Role::Admin]);
    let page = users.list().limit(3).send().await.expect("listed");
    assert_eq!(page.users.len(), 3);
    users
        .set_roles(&page.users[1].user_id, [Role::RxReader])
        .await
        .expect("the static token may write");
    assert_eq!(fake.tokens_issued(), 0);
    assert!(fake.requests().iter().all(|r| r.path != "/v1/token"));
}

#[tokio::test]
async fn a_wrong_organization_secret_is_unauthorized() {
    let fake = FakeParchment::start().await;
    let credentials = fake.credentials().clone();
    // With a static token: the resource call is refused.
    let client = static_builder(&fake)
        .organization_secret("not-the-org-secret")
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("valid");
    let error = client
        .organization(&credentials.organization_id)
        .users()
        .get(&credentials.acting_user)
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
    assert_eq!(error.operation(), "read user");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));

    // With partner credentials: the token request is refused.
    let client = fake
        .client_builder()
        .organization_secret("not-the-org-secret")
        .build()
        .expect("valid");
    refused_a_token(&client, &credentials.acting_user).await;
    assert_eq!(fake.tokens_issued(), 0);
}

#[tokio::test]
async fn a_wrong_static_token_is_unauthorized() {
    let fake = FakeParchment::start().await;
    let credentials = fake.credentials().clone();
    let client = static_builder(&fake)
        .access_token("not-the-static-token")
        .build()
        .expect("valid");
    let error = client
        .organization(&credentials.organization_id)
        .users()
        .get(&credentials.acting_user)
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
    assert_eq!(
        error.attempts(),
        1,
        "a 401 with a static token is not retried"
    );
    let path = user_path(&fake, &credentials.acting_user);
    assert_eq!(statuses(&logged(&fake, 0, "GET", &path)), [401]);
}

#[tokio::test]
async fn a_wrong_partner_secret_fails_the_token_request() {
    let fake = FakeParchment::start().await;
    let credentials = fake.credentials().clone();
    let client = fake
        .client_builder()
        .partner_credentials(PartnerCredentials::new(
            &credentials.partner_id,
            "not-the-partner-secret",
        ))
        .build()
        .expect("valid");
    let error = refused_a_token(&client, &credentials.acting_user).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(fake.tokens_issued(), 0);
    let requests = fake.requests();
    assert_eq!(requests.len(), 1, "only the token request: {requests:?}");
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("POST", "/v1/token")
    );
    assert_eq!(requests[0].status, 401);
}

#[tokio::test]
async fn an_acting_user_who_does_not_exist_gets_no_token() {
    let fake = FakeParchment::start().await;
    let client = fake
        .client_builder()
        .acting_user("usr_nobody")
        .build()
        .expect("valid");
    refused_a_token(&client, &fake.credentials().acting_user).await;
    assert_eq!(fake.tokens_issued(), 0);
}

#[tokio::test]
async fn a_disabled_acting_user_gets_no_new_token() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let created = users
        .create(NewUser::new("Acting", "Admin", "acting.admin@example.com"))
        .await
        .expect("created");
    users
        .set_roles(&created.user_id, [Role::Admin])
        .await
        .expect("an administrator");
    let acting = fake
        .client_builder()
        .acting_user(&created.user_id)
        .build()
        .expect("valid");
    users_of(&acting)
        .get(&created.user_id)
        .await
        .expect("an enabled user may act");
    users.disable(&created.user_id).await.expect("disabled");

    let fresh = fake
        .client_builder()
        .acting_user(&created.user_id)
        .build()
        .expect("valid");
    refused_a_token(&fresh, &created.user_id).await;
}

#[tokio::test]
async fn a_read_user_token_reads_but_cannot_write_or_list() {
    let fake = FakeParchment::start().await;
    let client = fake
        .client_builder()
        .scopes(&[Scope::ReadUser])
        .build()
        .expect("valid");
    let users = users_of(&client);
    let admin_id = fake.credentials().acting_user.clone();
    let admin = read(&users, &admin_id).await;
    assert_eq!(admin.user_id, admin_id);

    let error = users
        .set_roles(&admin_id, [Role::Admin, Role::Provider])
        .await
        .expect_err("update:user is missing");
    assert_eq!(error.kind(), ErrorKind::Forbidden, "{error}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(error.operation(), "replace user roles");
    assert_eq!(
        error.problem().and_then(|p| p.problem_type.as_deref()),
        Some("https://parchment.health/errors/insufficient-scope")
    );

    let error = users
        .list()
        .send()
        .await
        .expect_err("read:users is missing");
    assert_eq!(error.kind(), ErrorKind::Forbidden, "{error}");

    assert_eq!(
        read(&users, &admin_id).await.roles,
        [Role::Admin],
        "unchanged"
    );
    assert_eq!(fake.tokens_issued(), 1, "a 403 does not renew the token");
}

#[tokio::test]
async fn an_expired_token_is_refused_then_renewed_once() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let admin_id = fake.credentials().acting_user.clone();
    read(&users, &admin_id).await;
    assert_eq!(fake.tokens_issued(), 1);
    read(&users, &admin_id).await;
    assert_eq!(fake.tokens_issued(), 1, "the token is cached");

    fake.advance_clock(Duration::from_secs(3601));
    let start = fake.requests().len();
    let user = read(&users, &admin_id).await;
    assert_eq!(user.user_id, admin_id);
    assert_eq!(fake.tokens_issued(), 2);

    let after: Vec<(String, String, u16)> = fake.requests()[start..]
        .iter()
        .map(|r| (r.method.clone(), r.path.clone(), r.status))
        .collect();
    let read_path = user_path(&fake, &admin_id);
    assert_eq!(
        after,
        [
            ("GET".to_owned(), read_path.clone(), 401),
            ("POST".to_owned(), "/v1/token".to_owned(), 200),
            ("GET".to_owned(), read_path, 200),
        ]
    );

    read(&users, &admin_id).await;
    assert_eq!(fake.tokens_issued(), 2, "the new token is cached");
}

#[tokio::test]
async fn an_expired_token_is_renewed_even_with_retries_off() {
    let fake = FakeParchment::start().await;
    let client = fake
        .client_builder()
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("valid");
    let users = users_of(&client);
    let admin_id = fake.credentials().acting_user.clone();
    read(&users, &admin_id).await;
    fake.advance_clock(Duration::from_secs(3601));
    read(&users, &admin_id).await;
    assert_eq!(fake.tokens_issued(), 2);
}

#[tokio::test]
async fn concurrent_calls_after_expiry_share_one_new_token() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let page = users.list().limit(10).send().await.expect("listed");
    assert_eq!(fake.tokens_issued(), 1);

    fake.advance_clock(Duration::from_secs(3601));
    let reads = page.users.iter().map(|user| users.get(&user.user_id));
    for result in futures::future::join_all(reads).await {
        result.expect("each read succeeds after one renewal");
    }
    assert_eq!(fake.tokens_issued(), 2, "one renewal for all ten calls");
}

#[tokio::test]
async fn a_configured_token_lifetime_ends_on_the_fakes_clock() {
    let fake =
        FakeParchment::start_with(FakeConfig::default().token_lifetime(Duration::from_secs(120)))
            .await;
    let users = users(&fake);
    let admin_id = fake.credentials().acting_user.clone();
    read(&users, &admin_id).await;
    // The client would renew at half of 120 s by its own clock, which has not moved; the
    // fake's has, so the cached token is refused, and renewed once.
    fake.advance_clock(Duration::from_secs(121));
    read(&users, &admin_id).await;
    assert_eq!(fake.tokens_issued(), 2);
    let path = user_path(&fake, &admin_id);
    assert_eq!(statuses(&logged(&fake, 0, "GET", &path)), [200, 401, 200]);
}

#[tokio::test]
async fn a_second_organization_is_isolated_from_the_first() {
    let fake = FakeParchment::start().await;
    let client = fake.client();
    let first_users = users_of(&client);
    let first = all_users(&first_users).await;
    assert_eq!(first.len(), 13);

    let admin_b = fake.add_organization("org_b", "secret-b");
    assert_eq!(fake.user_count("org_b"), 1);
    let org_b = client
        .organization_with(
            "org_b",
            OrganizationCredentials::new("secret-b").acting_user(&admin_b),
        )
        .expect("valid credentials");
    let users_b = org_b.users();

    let listed_b = all_users(&users_b).await;
    assert_eq!(
        listed_b.len(),
        1,
        "only org_b's administrator: {listed_b:?}"
    );
    assert_eq!(listed_b[0].user_id, admin_b);
    let emails_a: HashSet<Option<&str>> = first.iter().map(|u| u.email.as_deref()).collect();
    assert!(
        listed_b
            .iter()
            .all(|user| !emails_a.contains(&user.email.as_deref())),
        "org_b lists none of the first organization's users"
    );

    // A user of the first organization is not found through org_b.
    let seeded_a = first
        .iter()
        .find(|u| u.user_id != admin_b)
        .expect("a first-organization user");
    let error = users_b
        .get(&seeded_a.user_id)
        .await
        .expect_err("not in org_b");
    assert_eq!(error.kind(), ErrorKind::NotFound, "{error}");

    // A user created in org_b stays in org_b.
    let created = users_b
        .create(NewUser::new("Bea", "Smith", "bea@org-b.example.com"))
        .await
        .expect("created in org_b");
    assert_eq!(all_users(&users_b).await.len(), 2);
    assert_eq!(all_users(&first_users).await.len(), 13);
    if let Ok(user) = first_users.get(&created.user_id).await {
        assert_ne!(
            user.email.as_deref(),
            Some("bea@org-b.example.com"),
            "org_b's user is not visible in the first organization"
        );
    }

    // Each organization took its own token; the client's secret belongs to its default
    // organization, so addressing org_b without its own credentials is a configuration error
    // (nothing sent), not an "unauthorized" from the server.
    assert_eq!(fake.tokens_issued(), 2);
    let error = client
        .organization("org_b")
        .users()
        .list()
        .send()
        .await
        .expect_err("no credentials of its own for org_b");
    assert_eq!(error.kind(), ErrorKind::Configuration, "{error}");
    assert!(error.to_string().contains("organization_with"), "{error}");
    assert_eq!(fake.tokens_issued(), 2);
}

#[tokio::test]
async fn the_first_organizations_acting_user_is_no_user_of_a_second() {
    let fake = FakeParchment::start().await;
    let admin_b = fake.add_organization("org_b", "secret-b");
    // Without its own acting user, org_b's tokens act for the client's: the first
    // organization's administrator, who is not a user of org_b.
    let org_b = fake
        .client()
        .organization_with("org_b", OrganizationCredentials::new("secret-b"))
        .expect("valid credentials");
    let error = org_b
        .users()
        .list()
        .send()
        .await
        .expect_err("the acting user is not in org_b");
    assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
    assert_eq!(error.operation(), "create token");
    assert_ne!(admin_b, fake.credentials().acting_user, "distinct users");
}
