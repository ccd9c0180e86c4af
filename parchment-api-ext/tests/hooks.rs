//! Per-client hooks: headers added to every request, observers of every attempt.

mod support;

use httpmock::prelude::*;
use parchment_api_ext::{AttemptOutcome, Client, ClientBuilder, ErrorKind, NewUser, RetryPolicy};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::scripted::{Reply, Scripted};
use support::{ORG, ORG_SECRET, TOKEN, envelope};

/// What an observer saw of one attempt, copied out of the event.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    operation: &'static str,
    organization_id: String,
    attempt: u32,
    status: Option<u16>,
    outcome: AttemptOutcome,
    request_id: Option<String>,
    error_kind: Option<ErrorKind>,
    debug: String,
}

fn observed(builder: ClientBuilder) -> (ClientBuilder, Arc<Mutex<Vec<Seen>>>) {
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let sink = seen.clone();
    let builder = builder.on_attempt(move |event| {
        assert!(event.duration() < Duration::from_secs(10));
        sink.lock().expect("the record is not poisoned").push(Seen {
            operation: event.operation(),
            organization_id: event.organization_id().to_owned(),
            attempt: event.attempt(),
            status: event.status().map(|status| status.as_u16()),
            outcome: event.outcome(),
            request_id: event.request_id().map(str::to_owned),
            error_kind: event.error_kind(),
            debug: format!("{event:?}"),
        });
    });
    (builder, seen)
}

fn builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .access_token(TOKEN)
        .organization_secret(ORG_SECRET)
        .retry_policy(
            RetryPolicy::new()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(5)),
        )
}

fn unavailable() -> Reply {
    Reply::json(
        503,
        &support::error_envelope(503, "service-unavailable", "Unavailable", "try later"),
    )
}

fn user() -> Reply {
    Reply::json(
        200,
        &envelope(json!({"user_id": "usr_1", "first_name": "Alexandra", "email": "a@x.test"})),
    )
}

#[tokio::test]
async fn default_headers_go_on_the_wire_beside_the_credentials() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/organizations/{ORG}/users/usr_1"))
                .header(
                    "traceparent",
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                )
                .header("x-audit-id", "batch-42")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("x-organization-secret", ORG_SECRET);
            then.status(200)
                .json_body(envelope(json!({"user_id": "usr_1"})));
        })
        .await;
    let client = builder(&server.base_url())
        .default_header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .default_header("X-Audit-Id", "batch-42")
        .build()
        .expect("valid headers");
    client
        .organization(ORG)
        .users()
        .get("usr_1")
        .await
        .expect("the mock matches only with every header");
    mock.assert_async().await;
}

#[tokio::test]
async fn every_attempt_of_a_retried_call_carries_the_headers() {
    let server = Scripted::start(|n, _| if n < 1 { unavailable() } else { user() }).await;
    let client = builder(&server.base_url())
        .default_header("x-audit-id", "batch-42")
        .build()
        .expect("a client");
    client
        .organization(ORG)
        .users()
        .get("usr_1")
        .await
        .expect("the retry succeeds");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.header("x-audit-id"), Some("batch-42"));
    }
}

#[test]
fn credential_headers_cannot_be_added_and_the_value_is_not_echoed() {
    for name in [
        "authorization",
        "x-organization-secret",
        "x-partner-secret",
        "x-user-id",
    ] {
        let error = builder("http://127.0.0.1:1")
            .default_header(name, "hunter2-value")
            .build()
            .expect_err("a credential header is refused");
        assert_eq!(error.kind(), ErrorKind::Configuration);
        let text = format!("{error} {error:?}");
        assert!(text.contains(name), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }
}

#[tokio::test]
async fn the_observer_sees_each_attempt_with_its_decision() {
    let server = Scripted::start(|n, _| if n < 2 { unavailable() } else { user() }).await;
    let (builder, seen) = observed(builder(&server.base_url()));
    let client = builder.build().expect("a client");
    client
        .organization(ORG)
        .users()
        .get("usr_1")
        .await
        .expect("the third attempt succeeds");
    let seen = seen.lock().expect("the record is not poisoned").clone();
    assert_eq!(seen.len(), 3, "{seen:#?}");
    for (index, event) in seen.iter().enumerate() {
        assert_eq!(event.operation, "read user");
        assert_eq!(event.organization_id, ORG);
        assert_eq!(
            event.attempt,
            u32::try_from(index).expect("a small index") + 1
        );
    }
    for failed in &seen[..2] {
        assert_eq!(failed.status, Some(503));
        assert_eq!(failed.error_kind, Some(ErrorKind::Server));
        assert_eq!(failed.request_id.as_deref(), Some("req_1705312200000_e503"));
        assert!(
            matches!(failed.outcome, AttemptOutcome::RetryAfter(wait) if wait <= Duration::from_millis(5)),
            "{failed:?}"
        );
    }
    assert_eq!(seen[2].status, Some(200));
    assert_eq!(seen[2].outcome, AttemptOutcome::Succeeded);
    assert_eq!(seen[2].error_kind, None);
    assert_eq!(
        seen[2].request_id.as_deref(),
        Some("req_1705312200000_abc123")
    );
    for event in &seen {
        for secret in [TOKEN, ORG_SECRET, "Alexandra", "a@x.test", "try later"] {
            assert!(!event.debug.contains(secret), "{}", event.debug);
        }
    }
}

#[tokio::test]
async fn the_observer_sees_the_last_attempt_give_up() {
    let server = Scripted::start(|_, _| unavailable()).await;
    let (builder, seen) = observed(
        builder(&server.base_url()).retry_policy(
            RetryPolicy::new()
                .max_attempts(2)
                .initial_backoff(Duration::from_millis(1)),
        ),
    );
    let client = builder.build().expect("a client");
    let error = client
        .organization(ORG)
        .users()
        .get("usr_1")
        .await
        .expect_err("every attempt fails");
    assert_eq!(error.attempts(), 2);
    let outcomes: Vec<_> = seen
        .lock()
        .expect("the record is not poisoned")
        .iter()
        .map(|e| e.outcome)
        .collect();
    assert_eq!(outcomes.len(), 2);
    assert!(matches!(outcomes[0], AttemptOutcome::RetryAfter(_)));
    assert_eq!(outcomes[1], AttemptOutcome::GaveUp);
}

#[tokio::test]
async fn a_write_that_is_not_retried_is_observed_giving_up_at_once() {
    let server = Scripted::start(|_, _| unavailable()).await;
    let (builder, seen) = observed(builder(&server.base_url()));
    let client = builder.build().expect("a client");
    let new_user = NewUser::new("Alexandra", "Nguyen", "a@x.test");
    client
        .organization(ORG)
        .users()
        .create(new_user)
        .await
        .expect_err("a 503 on a create is not retried");
    let seen = seen.lock().expect("the record is not poisoned").clone();
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert_eq!(seen[0].operation, "create user");
    assert_eq!(seen[0].outcome, AttemptOutcome::GaveUp);
    assert_eq!(server.requests().len(), 1);
    for secret in [TOKEN, ORG_SECRET, "Alexandra", "Nguyen", "a@x.test"] {
        assert!(!seen[0].debug.contains(secret), "{}", seen[0].debug);
    }
}

#[tokio::test]
async fn an_attempt_without_a_response_has_no_status() {
    // Nothing listens on this port: a connection failure.
    let (builder, seen) =
        observed(builder("http://127.0.0.1:9").retry_policy(RetryPolicy::never()));
    let client = builder.build().expect("a client");
    client
        .organization(ORG)
        .users()
        .get("usr_1")
        .await
        .expect_err("no server");
    let seen = seen.lock().expect("the record is not poisoned").clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].status, None);
    assert_eq!(seen[0].error_kind, Some(ErrorKind::Transport));
    assert_eq!(seen[0].outcome, AttemptOutcome::GaveUp);
}
