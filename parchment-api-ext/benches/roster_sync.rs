//! Roster sync at scale against FakeParchment: plan and apply a roster for many organizations
//! with a little drift, then compare the requests made with the fewest the job needs (list
//! pages plus one write per change) and the wall time with what the client's rate limit
//! allows. Prints one JSON document on stdout.
//!
//! ```sh
//! cargo bench -p parchment-api-ext --features testing,sync --bench roster_sync -- \
//!     --orgs 100 --users 200 --drift 0.05 --rate 200 --concurrency 8
//! ```
//!
//! Defaults are the issue's scenario (100 organizations × 200 users, 5% drift); `--rate 0`
//! turns the rate limit off.

use futures::TryStreamExt;
use parchment_api_ext::sync::{ActionKind, Person, Roster, RosterSync, SyncOptions};
use parchment_api_ext::testing::{FakeConfig, FakeParchment, LoggedRequest};
use parchment_api_ext::{Client, Organization, OrganizationCredentials, Role, UserSummary};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Instant;

struct Args {
    orgs: usize,
    users: usize,
    drift: f64,
    rate: f64,
    concurrency: usize,
}

fn args() -> Args {
    let mut args = Args {
        orgs: 100,
        users: 200,
        drift: 0.05,
        rate: 200.0,
        concurrency: 8,
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let mut value = || given.next().unwrap_or_default();
        match flag.as_str() {
            "--orgs" => args.orgs = value().parse().unwrap_or(args.orgs),
            "--users" => args.users = value().parse().unwrap_or(args.users),
            "--drift" => args.drift = value().parse().unwrap_or(args.drift),
            "--rate" => args.rate = value().parse().unwrap_or(args.rate),
            "--concurrency" => args.concurrency = value().parse().unwrap_or(args.concurrency),
            // `cargo bench` passes `--bench`; other flags are ignored.
            _ => {}
        }
    }
    args
}

/// The person the roster says `user` is now: same email, same roles.
fn as_is(user: &UserSummary) -> Person {
    let roles: Vec<Role> = user
        .roles
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(Role::is_assignable)
        .collect();
    Person::new(user.email.clone().unwrap_or_default()).roles(roles)
}

/// Organization `n`'s roster with `changes` differences, cycling through: a role added, a new
/// display name, a new person, a person left (pruned). Returns the changes made.
fn drifted(users: &[UserSummary], admin: &str, changes: usize, n: usize) -> (Vec<Person>, usize) {
    let mut people: Vec<Person> = users.iter().map(as_is).collect();
    let mut made = 0;
    let mut remove = Vec::new();
    // Skip the administrator (index 0): the acting user, and the one admin.
    let mut candidates = (1..people.len()).filter(|&i| users[i].user_id != admin);
    while made < changes {
        let Some(index) = candidates.next() else {
            break;
        };
        match made % 4 {
            0 => {
                let mut roles = people[index].roles.clone();
                roles.push(Role::RxQueueManager);
                people[index] = people[index].clone().roles(roles);
            }
            1 => {
                people[index] = people[index]
                    .clone()
                    .full_name(format!("Renamed {n}-{index}"))
            }
            2 => people.push(
                Person::new(format!("hire.{made}@org-{n}.example.com"))
                    .name("New", format!("Hire{made}"))
                    .roles([Role::Receptionist]),
            ),
            _ => remove.push(index),
        }
        made += 1;
    }
    remove.sort_unstable();
    for index in remove.into_iter().rev() {
        people.remove(index);
    }
    (people, made)
}

fn count(requests: &[LoggedRequest], pick: impl Fn(&LoggedRequest) -> bool) -> usize {
    requests.iter().filter(|request| pick(request)).count()
}

#[tokio::main]
async fn main() {
    let args = args();
    let fake = FakeParchment::start_with(FakeConfig::default().seed_users(0)).await;
    let mut builder = fake.client_builder();
    if args.rate > 0.0 {
        builder = builder.rate_limit(args.rate);
    }
    let client: Client = builder.build().expect("the fake's settings make a client");

    let mut handles: Vec<(Organization, String)> = Vec::with_capacity(args.orgs);
    for n in 0..args.orgs {
        let id = format!("org-{n:03}");
        let secret = format!("secret-{n:03}");
        let admin = fake.add_organization(&id, &secret);
        fake.seed_users(&id, args.users);
        let handle = client
            .organization_with(
                &id,
                OrganizationCredentials::new(&secret).acting_user(&admin),
            )
            .expect("a valid secret");
        handles.push((handle, admin));
    }

    // The roster, from what the fake holds (outside the measurement; tokens get cached here).
    let changes_per_org = ((args.users as f64) * args.drift).round() as usize;
    let mut roster = Roster::new();
    let mut changes = 0;
    for (n, (handle, admin)) in handles.iter().enumerate() {
        let users: Vec<UserSummary> = handle
            .users()
            .list()
            .limit(100)
            .stream()
            .try_collect()
            .await
            .expect("the fake lists");
        let (people, made) = drifted(&users, admin, changes_per_org, n);
        changes += made;
        for person in people {
            roster.add(handle.id(), person);
        }
    }

    let mut options = SyncOptions::new().prune(true).concurrency(args.concurrency);
    let mut sync = RosterSync::new(client.clone());
    for (handle, admin) in &handles {
        options = options.acting_user(admin);
        sync = sync.organization(handle.clone());
    }
    let sync = sync.options(options);

    let before = fake.requests().len();
    let started = Instant::now();
    let plan = sync.plan(&roster).await.expect("a valid roster");
    let planned = started.elapsed();
    let report = sync.apply(&plan, |_| {}).await;
    let elapsed = started.elapsed();
    let requests = fake.requests()[before..].to_vec();
    let converged = !sync
        .plan(&roster)
        .await
        .expect("a valid roster")
        .has_drift();

    let mut actions: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, action) in plan.actions() {
        *actions.entry(action.kind().as_str()).or_default() += 1;
    }
    let enables = actions
        .get(ActionKind::Enable.as_str())
        .copied()
        .unwrap_or(0);
    let users_per_org = args.users + 1;
    let pages_per_org = users_per_org.div_ceil(100).max(1);
    let minimum = args.orgs * pages_per_org + plan.actions().count() + enables;
    let made = count(&requests, |request| request.path != "/v1/token");
    let rate_floor = if args.rate > 0.0 {
        (made.saturating_sub(1)) as f64 / args.rate
    } else {
        0.0
    };
    let total = report.total();
    let result = json!({
        "scenario": "roster_sync",
        "organizations": args.orgs,
        "users_per_organization": users_per_org,
        "drift": args.drift,
        "changes_made_to_roster": changes,
        "concurrency": args.concurrency,
        "rate_limit_per_second": if args.rate > 0.0 { json!(args.rate) } else { json!(null) },
        "actions_planned": actions,
        "outcomes": {"done": total.done, "skipped": total.skipped, "failed": total.failed},
        "converged": converged,
        "requests": {
            "made": made,
            "minimum": minimum,
            "ratio": made as f64 / minimum.max(1) as f64,
            "list_pages": count(&requests, |r| r.method == "GET" && r.path.ends_with("/users")),
            "user_reads": count(&requests, |r| r.method == "GET" && !r.path.ends_with("/users")),
            "writes": count(&requests, |r| r.method != "GET" && r.path != "/v1/token"),
            "token_requests": count(&requests, |r| r.path == "/v1/token"),
        },
        "seconds": {
            "plan": planned.as_secs_f64(),
            "apply": (elapsed - planned).as_secs_f64(),
            "total": elapsed.as_secs_f64(),
            "rate_limit_floor": rate_floor,
            "ratio_to_floor": if rate_floor > 0.0 { json!(elapsed.as_secs_f64() / rate_floor) } else { json!(null) },
        },
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&result).expect("JSON values serialize")
    );
}
