//! Resilience on the wire: retries and what is never retried, Retry-After, time limits, the
//! retry budget, the rate limit, bounded bodies, redirects. Every server is a scripted one on
//! loopback; waits are tiny except where `Retry-After`'s one-second granularity forces one.

mod support;

use parchment_api_ext::{Client, ClientBuilder, ErrorKind, NewUser, RetryPolicy};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::scripted::{Body, Reply, Scripted};
use support::{ORG, ORG_SECRET, TOKEN, envelope};

/// A builder for `server` with fast retries (backoff 1–10 ms).
fn builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .access_token(TOKEN)
        .organization_secret(ORG_SECRET)
        .retry_policy(fast_retries())
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::new()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(10))
}

fn user() -> Reply {
    Reply::json(200, &envelope(json!({"user_id": "usr_1"})))
}

fn unavailable() -> Reply {
    Reply::json(
        503,
        &support::error_envelope(503, "service-unavailable", "Unavailable", "try later"),
    )
}

async fn read_user(
    client: &Client,
) -> parchment_api_ext::Result<parchment_api_ext::Response<parchment_api_ext::User>> {
    client.organization(ORG).users().get("usr_1").await
}

#[tokio::test]
async fn two_503s_then_a_200_succeeds_on_the_third_attempt() {
    let server = Scripted::start(|n, _| if n < 2 { unavailable() } else { user() }).await;
    let client = builder(&server.base_url()).build().expect("a client");
    let user = read_user(&client)
        .await
        .expect("the third attempt succeeds");
    assert_eq!(user.user_id, "usr_1");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn three_503s_fail_after_three_attempts() {
    let server = Scripted::start(|_, _| unavailable()).await;
    let client = builder(&server.base_url()).build().expect("a client");
    let error = read_user(&client).await.expect_err("every attempt fails");
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(error.attempts(), 3);
    assert!(error.to_string().contains("after 3 attempts"), "{error}");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn other_client_errors_are_never_retried() {
    for status in [400, 401, 403, 404, 409, 422] {
        let server = Scripted::start(move |_, _| {
            Reply::json(status, &support::error_envelope(status, "x", "Nope", "no"))
        })
        .await;
        let client = builder(&server.base_url()).build().expect("a client");
        read_user(&client).await.expect_err("a client error");
        assert_eq!(server.requests().len(), 1, "{status} must not be retried");
    }
}

#[tokio::test]
async fn retry_after_in_seconds_is_waited_for() {
    let server = Scripted::start(|n, _| {
        if n == 0 {
            Reply::json(429, &json!({})).header("retry-after", "1")
        } else {
            user()
        }
    })
    .await;
    let client = builder(&server.base_url()).build().expect("a client");
    let started = Instant::now();
    read_user(&client).await.expect("the retry succeeds");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_waited_for() {
    let server = Scripted::start(|n, _| {
        if n == 0 {
            let at = chrono::Utc::now() + chrono::Duration::seconds(2);
            Reply::json(503, &json!({})).header(
                "retry-after",
                &at.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
            )
        } else {
            user()
        }
    })
    .await;
    let client = builder(&server.base_url()).build().expect("a client");
    let started = Instant::now();
    read_user(&client).await.expect("the retry succeeds");
    // The date has one-second resolution: the wait is between one and two seconds.
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_returns_at_once_with_the_wait() {
    let server =
        Scripted::start(|_, _| Reply::json(429, &json!({})).header("retry-after", "120")).await;
    let client = builder(&server.base_url())
        .retry_policy(fast_retries().max_retry_after(Duration::from_secs(30)))
        .build()
        .expect("a client");
    let started = Instant::now();
    let error = read_user(&client)
        .await
        .expect_err("the server asks for two minutes");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_slow_server_times_each_attempt_out() {
    let server = Scripted::start(|_, _| user().delay(Duration::from_millis(500))).await;
    let client = builder(&server.base_url())
        .attempt_timeout(Duration::from_millis(50))
        .build()
        .expect("a client");
    let started = Instant::now();
    let error = read_user(&client).await.expect_err("too slow");
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(error.attempts(), 3);
    assert!(
        started.elapsed() < Duration::from_millis(450),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_call_deadline_bounds_retries_and_waits() {
    let server = Scripted::start(|_, _| unavailable().delay(Duration::from_millis(120))).await;
    let client = builder(&server.base_url())
        .retry_policy(fast_retries().max_attempts(10))
        .call_deadline(Duration::from_millis(300))
        .build()
        .expect("a client");
    let started = Instant::now();
    let error = read_user(&client).await.expect_err("past the deadline");
    assert!(
        started.elapsed() < Duration::from_millis(450),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(error.kind(), ErrorKind::Timeout | ErrorKind::Server),
        "{error}"
    );
    assert!(
        server.requests().len() <= 3,
        "{} requests",
        server.requests().len()
    );
}

/// A loopback port with nothing listening.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    listener.local_addr().expect("its address").port()
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_a_create() {
    let client = builder(&format!("http://127.0.0.1:{}", closed_port()))
        .build()
        .expect("a client");
    let error = read_user(&client).await.expect_err("nothing listens");
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert!(error.is_connect());
    assert_eq!(error.attempts(), 3);

    let create = client
        .organization(ORG)
        .users()
        .create(NewUser::new("Riley", "Nguyen", "riley@example.com"))
        .await;
    let error = create.expect_err("nothing listens");
    assert!(error.is_connect());
    assert_eq!(
        error.attempts(),
        3,
        "a request that never left may be sent again"
    );
}

#[tokio::test]
async fn a_create_that_reached_the_server_is_never_retried() {
    let server = Scripted::start(|_, _| unavailable()).await;
    let client = builder(&server.base_url()).build().expect("a client");
    let error = client
        .organization(ORG)
        .users()
        .create(NewUser::new("Riley", "Nguyen", "riley@example.com"))
        .await
        .expect_err("503");
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(error.attempts(), 1);
    assert_eq!(
        server.requests().len(),
        1,
        "the user may have been created: no second POST"
    );
}

#[tokio::test]
async fn a_body_announced_larger_than_the_limit_is_refused_unread() {
    let server = Scripted::start(|_, _| {
        Reply::raw(200, vec![b'{'; 1024]).body(Body::Truncated {
            declared: 10 * 1024 * 1024,
            sent: vec![b' '; 1024],
        })
    })
    .await;
    let client = builder(&server.base_url())
        .max_response_bytes(Some(64 * 1024))
        .build()
        .expect("a client");
    let error = read_user(&client).await.expect_err("too large");
    assert_eq!(error.kind(), ErrorKind::ResponseTooLarge);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(
        error.attempts(),
        1,
        "a body that large will not shrink on retry"
    );
}

#[tokio::test]
async fn a_streamed_body_past_the_limit_is_cut_off() {
    let server = Scripted::start(|_, _| {
        Reply::raw(200, Vec::new()).body(Body::Chunked {
            total: 8 * 1024 * 1024,
        })
    })
    .await;
    let client = builder(&server.base_url())
        .max_response_bytes(Some(256 * 1024))
        .build()
        .expect("a client");
    let error = read_user(&client).await.expect_err("too large");
    assert_eq!(error.kind(), ErrorKind::ResponseTooLarge);
}

#[tokio::test]
async fn a_truncated_body_is_a_transport_error_and_retried() {
    let server = Scripted::start(|n, _| {
        if n == 0 {
            Reply::raw(200, Vec::new()).body(Body::Truncated {
                declared: 500,
                sent: br#"{"data": {"user_id""#.to_vec(),
            })
        } else {
            user()
        }
    })
    .await;
    let client = builder(&server.base_url()).build().expect("a client");
    read_user(&client).await.expect("the retry succeeds");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_redirect_to_another_host_receives_no_credential() {
    let elsewhere = Scripted::start_on("127.0.0.2", |_, _| user()).await;
    let location = format!(
        "http://127.0.0.2:{}/v1/organizations/{ORG}/users/usr_1",
        elsewhere.port()
    );
    let server =
        Scripted::start(move |_, _| Reply::raw(302, Vec::new()).header("location", &location))
            .await;
    let client = builder(&server.base_url()).build().expect("a client");
    let error = read_user(&client)
        .await
        .expect_err("a redirect is not followed");
    assert_eq!(error.kind(), ErrorKind::UnexpectedStatus);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(302));
    assert!(
        elsewhere.requests().is_empty(),
        "the other host received nothing"
    );
    let sent = &server.requests()[0];
    assert!(
        sent.header("x-organization-secret").is_some(),
        "the origin did get its credentials"
    );
}

#[tokio::test]
async fn a_sustained_outage_spends_the_retry_budget_instead_of_tripling_traffic() {
    let server = Scripted::start(|_, _| unavailable()).await;
    let client = builder(&server.base_url()).build().expect("a client");
    let calls = 200;
    for _ in 0..calls {
        read_user(&client).await.expect_err("down");
    }
    let requests = server.requests().len();
    // 500 tokens at 5 a retry: 100 retries, then every call is a single attempt.
    assert_eq!(
        requests,
        calls + 100,
        "{requests} requests for {calls} calls"
    );
}

#[tokio::test]
async fn the_rate_limit_spaces_requests_across_clones() {
    let server = Scripted::start(|_, _| user()).await;
    let client = builder(&server.base_url())
        .rate_limit(20.0)
        .build()
        .expect("a client");
    let started = Instant::now();
    let calls: Vec<_> = (0..6)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { read_user(&client).await.map(|_| ()) })
        })
        .collect();
    for call in calls {
        call.await.expect("ran").expect("succeeded");
    }
    // Six requests 50 ms apart: the last leaves 250 ms after the first.
    assert!(
        started.elapsed() >= Duration::from_millis(240),
        "{:?}",
        started.elapsed()
    );
}

/// 2,000 calls, one request in five answered 503 or 429: every call ends in success or a typed
/// error, nothing panics, and no call makes more requests than the policy allows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_2000_calls_with_20_percent_injected_failures() {
    let server = Scripted::start(|n, _| match n % 10 {
        3 => unavailable(),
        7 => Reply::json(429, &json!({})).header("retry-after", "0"),
        _ => user(),
    })
    .await;
    let client = builder(&server.base_url()).build().expect("a client");
    let succeeded = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let max_attempts = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..20)
        .map(|_| {
            let (client, succeeded, failed, max_attempts) = (
                client.clone(),
                succeeded.clone(),
                failed.clone(),
                max_attempts.clone(),
            );
            tokio::spawn(async move {
                for _ in 0..100 {
                    match read_user(&client).await {
                        Ok(_) => succeeded.fetch_add(1, Ordering::Relaxed),
                        Err(error) => {
                            assert!(
                                matches!(error.kind(), ErrorKind::Server | ErrorKind::RateLimited),
                                "{error}"
                            );
                            max_attempts.fetch_max(error.attempts() as usize, Ordering::Relaxed);
                            failed.fetch_add(1, Ordering::Relaxed)
                        }
                    };
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("no worker panicked");
    }
    let (succeeded, failed) = (
        succeeded.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
    );
    assert_eq!(succeeded + failed, 2000);
    // A call fails only when all three of its attempts meet an injected failure (about 1%).
    assert!(succeeded >= 1900, "{succeeded} succeeded, {failed} failed");
    assert!(max_attempts.load(Ordering::Relaxed) <= 3);
    let requests = server.requests().len();
    assert!((2000..=2000 * 3).contains(&requests), "{requests} requests");
}
