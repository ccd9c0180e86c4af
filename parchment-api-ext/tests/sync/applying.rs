//! Applying: a partial failure then a re-run that converges, no action applied twice under
//! injected 503s, the client's rate limit honoured, and plan and apply futures that are `Send`.

use crate::{edit, support, world_with, writes};
use parchment_api_ext::sync::{Person, Plan, Roster, RosterSync, SyncOptions};
use parchment_api_ext::testing::Fault;
use parchment_api_ext::{ErrorKind, RetryPolicy, Role};
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_partial_failure_then_a_re_run_converges() {
    let world = world_with(3, 6, |builder| builder.retry_policy(RetryPolicy::never())).await;
    let mut roster = world.mirror().await;
    for n in 0..3 {
        let id = world.org(n).id.clone();
        for k in 0..3 {
            roster.add(
                &id,
                Person::new(format!("hire.{k}@{id}.example.com"))
                    .name("New", format!("Hire{k}"))
                    .roles([Role::Receptionist]),
            );
        }
    }
    let sync = world.sync(SyncOptions::new().concurrency(1));
    let plan = sync.plan(&roster).await.expect("valid");
    assert_eq!(plan.applicable_actions(), 9);

    // The first two writes fail (no retries with this client): 500, then 503.
    world.fake.inject(
        Fault::Status {
            status: 500,
            retry_after: None,
        },
        1,
    );
    world.fake.inject(
        Fault::Status {
            status: 503,
            retry_after: None,
        },
        1,
    );
    let report = sync.apply(&plan, |_| {}).await;

    assert_eq!(
        (report.total().done, report.total().failed),
        (7, 2),
        "{report}"
    );
    let failures: Vec<_> = report
        .organizations
        .iter()
        .flat_map(|organization| organization.failures())
        .map(|(_, failure)| (failure.kind, failure.status))
        .collect();
    assert_eq!(
        failures,
        [
            (ErrorKind::Server, Some(500)),
            (ErrorKind::Server, Some(503))
        ]
    );
    assert!(report.to_string().contains("FAILED create"));

    let second = sync.plan(&roster).await.expect("valid");
    assert_eq!(second.applicable_actions(), 2, "only what failed: {second}");
    let report = sync.apply(&second, |_| {}).await;
    assert_eq!(report.total().done, 2);
    assert!(!sync.plan(&roster).await.expect("valid").has_drift());
}

#[tokio::test]
async fn no_action_is_applied_twice_under_injected_503s() {
    let world = world_with(4, 8, |builder| {
        builder.retry_policy(
            // Enough attempts that six 503s can never exhaust one action's.
            RetryPolicy::new()
                .max_attempts(8)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(5)),
        )
    })
    .await;
    let mut roster = world.mirror().await;
    for n in 0..4 {
        let id = world.org(n).id.clone();
        let users = world.users(n).await;
        for user in users
            .iter()
            .filter(|user| user.user_id != world.org(n).admin)
            .take(3)
        {
            let email = user.email.clone().expect("an email");
            edit(&mut roster, &id, &email, |person| {
                let mut roles = person.roles.clone();
                roles.push(Role::RxQueueManager);
                person.roles(roles)
            });
        }
    }
    let sync = world.sync(SyncOptions::new().concurrency(3));
    let plan = sync.plan(&roster).await.expect("valid");
    assert_eq!(plan.applicable_actions(), 12);
    let before = world.requests().len();

    // Every other write meets a 503 first (retried: PUT roles is idempotent).
    world.fake.inject(
        Fault::Status {
            status: 503,
            retry_after: None,
        },
        6,
    );
    let report = sync.apply(&plan, |_| {}).await;

    assert_eq!(report.total().done, 12, "{report}");
    let requests = world.requests()[before..].to_vec();
    let writes = writes(&requests);
    assert_eq!(
        writes
            .iter()
            .filter(|request| request.status == 503)
            .count(),
        6
    );
    let succeeded: Vec<&str> = writes
        .iter()
        .filter(|request| request.status == 200)
        .map(|request| request.path.as_str())
        .collect();
    let mut distinct = succeeded.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(succeeded.len(), 12, "one successful write per action");
    assert_eq!(distinct.len(), 12, "no action written twice");
}

#[tokio::test]
async fn the_client_rate_limit_is_honoured() {
    const PER_SECOND: f64 = 25.0;
    let world = world_with(3, 4, |builder| builder.rate_limit(PER_SECOND)).await;
    let mut roster = world.mirror().await;
    for n in 0..3 {
        let id = world.org(n).id.clone();
        for k in 0..4 {
            roster.add(
                &id,
                Person::new(format!("hire.{k}@{id}.example.com"))
                    .name("New", "Hire")
                    .roles([Role::RxReader]),
            );
        }
    }
    let sync = world.sync(SyncOptions::new().concurrency(3));
    let before = world.requests().len();
    let started = Instant::now();

    let plan = sync.plan(&roster).await.expect("valid");
    let report = sync.apply(&plan, |_| {}).await;

    let elapsed = started.elapsed();
    assert_eq!(report.total().done, 12);
    // Requests are spaced 1/25 s apart however many organizations run at once: n requests
    // take at least (n - 1) intervals.
    // Token requests ride in the slot of the call that needed them: count the calls.
    let made = world.requests()[before..]
        .iter()
        .filter(|request| request.path != "/v1/token")
        .count();
    assert!(made >= 15, "3 lists and 12 creates at least, got {made}");
    let least = Duration::from_secs_f64((made - 1) as f64 / PER_SECOND);
    assert!(
        elapsed >= least,
        "{made} requests in {elapsed:?}, faster than {least:?}"
    );
}

/// A CLI spawns these on a multi-threaded runtime.
#[test]
fn plan_and_apply_futures_are_send() {
    fn send<T: Send>(_: &T) {}
    let roster = Roster::new();
    let sync = RosterSync::new(support::client("http://127.0.0.1:9"));
    send(&sync.plan(&roster));
    send(&sync.plan_with_progress(&roster, |_| {}));
    let plan = Plan::default();
    send(&sync.apply(&plan, |_| {}));
}
