//! Faults the fake injects (503s, 429s, HTML 502s, latency), the request log that holds no
//! secret, and shutdown.

use crate::support::fake::{
    logged, quick_retries, static_builder, static_client, statuses, users_of,
};
use crate::{is_parchment_request_id, read, user_path};
use parchment_api_ext::testing::{FakeConfig, FakeParchment, Fault};
use parchment_api_ext::{Client, ErrorKind, NewUser, OrganizationCredentials, RetryPolicy, Users};
use std::time::Duration;

/// A partner client of `fake` with quick retries.
fn retrying_client(fake: &FakeParchment) -> Client {
    fake.client_builder()
        .retry_policy(quick_retries())
        .build()
        .expect("valid")
}

/// The users of a [`retrying_client`] whose token is already fetched (the acting admin read
/// once), so that the next injected fault hits a resource call; and the admin's id.
async fn primed_users(fake: &FakeParchment) -> (Users, String) {
    let users = users_of(&retrying_client(fake));
    let admin_id = fake.credentials().acting_user.clone();
    read(&users, &admin_id).await;
    (users, admin_id)
}

#[tokio::test]
async fn two_503s_then_the_third_attempt_succeeds() {
    let fake = FakeParchment::start().await;
    let (users, admin_id) = primed_users(&fake).await;

    let start = fake.requests().len();
    fake.inject(
        Fault::Status {
            status: 503,
            retry_after: None,
        },
        2,
    );
    let user = read(&users, &admin_id).await;
    assert_eq!(user.user_id, admin_id);
    let path = user_path(&fake, &admin_id);
    assert_eq!(
        statuses(&logged(&fake, start, "GET", &path)),
        [503, 503, 200]
    );
    assert_eq!(fake.requests().len() - start, 3);
}

#[tokio::test]
async fn three_503s_exhaust_the_default_attempts() {
    let fake = FakeParchment::start().await;
    let (users, admin_id) = primed_users(&fake).await;

    fake.inject(
        Fault::Status {
            status: 503,
            retry_after: None,
        },
        3,
    );
    let error = users.get(&admin_id).await.expect_err("every attempt fails");
    assert_eq!(error.kind(), ErrorKind::Server, "{error}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.attempts(), 3);
    assert!(
        error.request_id().is_some_and(is_parchment_request_id),
        "{:?}",
        error.request_id()
    );
    assert_eq!(
        error.problem().and_then(|p| p.problem_type.as_deref()),
        Some("https://parchment.health/errors/service-unavailable")
    );
    read(&users, &admin_id).await; // the queue is empty again
}

#[tokio::test]
async fn a_503_on_the_token_request_is_retried() {
    // Faults apply to whatever request comes next: for a fresh partner client, the token POST,
    // which the client repeats like an idempotent call (a second token is harmless).
    let fake = FakeParchment::start().await;
    let client = retrying_client(&fake);
    fake.inject(
        Fault::Status {
            status: 503,
            retry_after: None,
        },
        1,
    );
    users_of(&client)
        .get(&fake.credentials().acting_user)
        .await
        .expect("the token request succeeded on its second attempt");
    assert_eq!(fake.tokens_issued(), 1);
}

#[tokio::test]
async fn a_429_with_retry_after_zero_is_retried_at_once() {
    let fake = FakeParchment::start().await;
    let (users, admin_id) = primed_users(&fake).await;

    let start = fake.requests().len();
    fake.inject(
        Fault::Status {
            status: 429,
            retry_after: Some(0),
        },
        1,
    );
    read(&users, &admin_id).await;
    let path = user_path(&fake, &admin_id);
    assert_eq!(statuses(&logged(&fake, start, "GET", &path)), [429, 200]);

    // Retries off: the 429 comes back with its Retry-After.
    let no_retries = static_client(&fake, RetryPolicy::never());
    fake.inject(
        Fault::Status {
            status: 429,
            retry_after: Some(0),
        },
        1,
    );
    let error = users_of(&no_retries)
        .get(&admin_id)
        .await
        .expect_err("rate limited");
    assert_eq!(error.kind(), ErrorKind::RateLimited, "{error}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::ZERO));
    assert!(error.is_retryable());
}

#[tokio::test]
async fn an_html_502_without_retries_is_a_server_error_with_a_snippet() {
    let fake = FakeParchment::start().await;
    let users = users_of(&static_client(&fake, RetryPolicy::never()));
    fake.inject(Fault::Html { status: 502 }, 1);
    let error = users
        .get(&fake.credentials().acting_user)
        .await
        .expect_err("the gateway failed");
    assert_eq!(error.kind(), ErrorKind::Server, "{error}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(error.attempts(), 1);
    let snippet = error.body_snippet().expect("a snippet of the HTML");
    assert!(snippet.starts_with("<html"), "{snippet}");
    assert!(!error.to_string().contains("<html"), "no body in Display");
}

#[tokio::test]
async fn latency_beyond_the_attempt_timeout_is_a_timeout() {
    let fake = FakeParchment::start().await;
    let credentials = fake.credentials().clone();
    // A static token, so that the delayed request is the read itself.
    let client = static_builder(&fake)
        .retry_policy(RetryPolicy::never())
        .attempt_timeout(Duration::from_millis(50))
        .build()
        .expect("valid");
    let users = client.organization(&credentials.organization_id).users();
    fake.inject(Fault::Latency(Duration::from_millis(300)), 1);
    let started = std::time::Instant::now();
    let error = users
        .get(&credentials.acting_user)
        .await
        .expect_err("too slow");
    let elapsed = started.elapsed();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert_eq!(error.operation(), "read user");
    assert!(elapsed < Duration::from_millis(250), "{elapsed:?}");

    // Without a time limit, latency is only a delay.
    let patient = users_of(&static_client(&fake, RetryPolicy::never()));
    fake.inject(Fault::Latency(Duration::from_millis(20)), 1);
    let started = std::time::Instant::now();
    read(&patient, &credentials.acting_user).await;
    assert!(started.elapsed() >= Duration::from_millis(20));
}

#[tokio::test]
async fn the_request_log_holds_no_secret_or_token() {
    let fake = FakeParchment::start().await;
    let credentials = fake.credentials().clone();
    let admin_b = fake.add_organization("org_b", "secret-b-7c1e");

    // Successes, failures and faults of every kind, with every credential in play.
    let client = fake.client();
    let users = users_of(&client);
    users.list().limit(5).send().await.expect("listed");
    read(&users, &credentials.acting_user).await;
    let _ = users.list().last_key("garbage").send().await;
    let _ = users.get("usr_doesnotexist").await;
    users
        .create(NewUser::new("Log", "Test", "log.test@example.com"))
        .await
        .expect("created");
    fake.inject(Fault::Html { status: 502 }, 1);
    let _ = users_of(&static_client(&fake, RetryPolicy::never()))
        .get(&credentials.acting_user)
        .await;
    let _ = users_of(&static_client(&fake, RetryPolicy::never()))
        .get(&credentials.acting_user)
        .await;
    let wrong = fake
        .client_builder()
        .organization_secret("wrong-org-secret")
        .build()
        .expect("valid");
    let _ = users_of(&wrong).get(&credentials.acting_user).await;
    let org_b = client
        .organization_with(
            "org_b",
            OrganizationCredentials::new("secret-b-7c1e").acting_user(&admin_b),
        )
        .expect("valid");
    org_b.users().list().send().await.expect("org_b lists");
    fake.advance_clock(Duration::from_secs(3601));
    read(&users, &credentials.acting_user).await;
    assert!(fake.tokens_issued() >= 3);

    let requests = fake.requests();
    assert!(requests.len() >= 12, "{}", requests.len());
    let secrets = [
        credentials.partner_secret.as_str(),
        credentials.organization_secret.as_str(),
        credentials.static_token.as_str(),
        "secret-b-7c1e",
        "wrong-org-secret",
        "fake_tok_",
        "Bearer",
    ];
    for request in &requests {
        for field in [&request.method, &request.path] {
            for secret in secrets {
                assert!(!field.contains(secret), "{request:?} holds {secret:?}");
            }
        }
        assert!(!request.path.contains('?'), "no query: {request:?}");
        let printed = format!("{request:?}");
        for secret in secrets {
            assert!(!printed.contains(secret), "{printed} holds {secret:?}");
        }
    }
    for printed in [
        format!("{fake:?}"),
        format!("{credentials:?}"),
        format!("{:?}", FakeConfig::default()),
        format!("{client:?}"),
    ] {
        for secret in secrets {
            assert!(!printed.contains(secret), "{printed} holds {secret:?}");
        }
    }
}

#[tokio::test]
async fn after_shutdown_calls_fail_with_transport() {
    let fake = FakeParchment::start().await;
    let credentials = fake.credentials().clone();
    let client = fake
        .client_builder()
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("valid");
    let users = users_of(&client);
    read(&users, &credentials.acting_user).await;
    let fresh = fake
        .client_builder()
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("valid");

    fake.shutdown().await;

    // The client with a cached token (and perhaps a pooled connection).
    let error = users
        .get(&credentials.acting_user)
        .await
        .expect_err("the fake is gone");
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert_eq!(error.status(), None);
    // A fresh client: its token request cannot connect.
    let error = users_of(&fresh)
        .get(&credentials.acting_user)
        .await
        .expect_err("the fake is gone");
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert_eq!(error.operation(), "create token");
    assert!(error.is_connect(), "{error}");
}
