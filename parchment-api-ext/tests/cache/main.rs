//! The optional read cache through the public client: off by default; hits and misses for users
//! and list pages; time to live on the client's clock; invalidation by writes (failed ones
//! too); isolation across organizations, clients and credentials; one request for concurrent
//! misses; errors never cached; `fresh` reads; no secret in `Debug`.
//!
//! One binary, split by concern; the mocked reads, pages and writes every concern builds on are
//! here.

mod fresh;
mod hits;
mod invalidation;
mod isolation;
mod regressions;
mod single_flight;
#[path = "../support/mod.rs"]
mod support;

use httpmock::prelude::*;
use httpmock::{Mock, Then};
use parchment_api_ext::testing::ManualClock;
use parchment_api_ext::{
    Client, ClientBuilder, NewUser, ReadCacheConfig, RetryPolicy, Role, UserUpdate, Users,
};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use support::{ORG_SECRET, TOKEN, envelope, error_envelope};

const TTL: Duration = Duration::from_secs(60);
const ORG_A: &str = "org_a";
const ORG_B: &str = "org_b";
const USER: &str = "usr_1";
/// Two organization secrets of one organization, distinct from the client's.
const SECRET_ONE: &str = "org-secret-one-3c9d1e7f";
const SECRET_TWO: &str = "org-secret-two-8b2a6f0c";

/// A static-token client for `base_url` with a read cache of `TTL` on `clock`, no retries.
fn cached_builder(base_url: &str, clock: &Arc<ManualClock>) -> ClientBuilder {
    Client::builder()
        .retry_policy(RetryPolicy::never())
        .base_url(base_url)
        .access_token(TOKEN)
        .organization_secret(ORG_SECRET)
        .read_cache(ReadCacheConfig::new(TTL).max_entries(1_000))
        .clock(clock.clone())
}

/// A client with a read cache, and the manual clock its entries age on.
fn cached(base_url: &str) -> (Client, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    let client = cached_builder(base_url, &clock)
        .build()
        .expect("a loopback base URL and both credentials make a valid client");
    (client, clock)
}

/// [`cached`] for the mock server, with the users of `ORG_A` every concern reads through.
fn cached_users(server: &MockServer) -> (Client, Arc<ManualClock>, Users) {
    let (client, clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();
    (client, clock, users)
}

fn users_path(org: &str) -> String {
    format!("/v1/organizations/{org}/users")
}

fn user_path(org: &str, user: &str) -> String {
    format!("/v1/organizations/{org}/users/{user}")
}

fn with_request_id(mut body: Value, request_id: &str) -> Value {
    body["requestId"] = json!(request_id);
    body
}

/// `then` answering after `delay` and at most `times` times, when given.
fn paced(then: Then, delay: Option<Duration>, times: Option<usize>) {
    let then = match delay {
        Some(delay) => then.delay(delay),
        None => then,
    };
    if let Some(times) = times {
        then.up_to_n_times(times);
    }
}

/// (hits, misses) of the client's read cache.
fn stats(client: &Client) -> (u64, u64) {
    let stats = client.cache_stats().expect("the client has a read cache");
    (stats.hits, stats.misses)
}

/// A mocked read-user: `GET .../users/{user}` answering `status` (a user named `name` with
/// `request_id` on 200, an error envelope otherwise).
struct UserRead {
    org: &'static str,
    user: &'static str,
    name: &'static str,
    request_id: &'static str,
    roles: Value,
    status: u16,
    secret: Option<&'static str>,
    delay: Option<Duration>,
    times: Option<usize>,
}

impl UserRead {
    fn new(org: &'static str, user: &'static str) -> Self {
        Self {
            org,
            user,
            name: "Darlene Cameron",
            request_id: "req_read",
            roles: json!(["provider"]),
            status: 200,
            secret: None,
            delay: None,
            times: None,
        }
    }

    fn name(mut self, name: &'static str) -> Self {
        self.name = name;
        self
    }

    fn request_id(mut self, request_id: &'static str) -> Self {
        self.request_id = request_id;
        self
    }

    fn roles(mut self, roles: Value) -> Self {
        self.roles = roles;
        self
    }

    fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Matches only requests carrying this organization secret.
    fn secret(mut self, secret: &'static str) -> Self {
        self.secret = Some(secret);
        self
    }

    fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Serves at most `times` requests; later ones fall through to mocks made after it.
    fn times(mut self, times: usize) -> Self {
        self.times = Some(times);
        self
    }

    async fn mock(self, server: &MockServer) -> Mock<'_> {
        let path = user_path(self.org, self.user);
        let body = if self.status == 200 {
            with_request_id(
                envelope(json!({
                    "user_id": self.user,
                    "full_name": self.name,
                    "access_roles": self.roles,
                })),
                self.request_id,
            )
        } else {
            error_envelope(self.status, "error", "Error", "Something went wrong")
        };
        server
            .mock_async(move |when, then| {
                let when = when.method(GET).path(path);
                if let Some(secret) = self.secret {
                    when.header("x-organization-secret", secret);
                }
                paced(
                    then.status(self.status).json_body(body),
                    self.delay,
                    self.times,
                );
            })
            .await
    }
}

/// A mocked list page: `GET .../users` with exactly this `limit` and `lastKey` (absent when
/// `None`), answering 200 with `ids` and `next`.
struct Page {
    org: &'static str,
    limit: Option<u32>,
    key: Option<&'static str>,
    ids: &'static [&'static str],
    next: Option<&'static str>,
    request_id: &'static str,
    secret: Option<&'static str>,
    delay: Option<Duration>,
    times: Option<usize>,
}

impl Page {
    fn new(org: &'static str) -> Self {
        Self {
            org,
            limit: None,
            key: None,
            ids: &[USER],
            next: None,
            request_id: "req_page",
            secret: None,
            delay: None,
            times: None,
        }
    }

    fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    fn key(mut self, key: &'static str) -> Self {
        self.key = Some(key);
        self
    }

    fn ids(mut self, ids: &'static [&'static str]) -> Self {
        self.ids = ids;
        self
    }

    fn next(mut self, next: &'static str) -> Self {
        self.next = Some(next);
        self
    }

    fn request_id(mut self, request_id: &'static str) -> Self {
        self.request_id = request_id;
        self
    }

    /// Matches only requests carrying this organization secret.
    fn secret(mut self, secret: &'static str) -> Self {
        self.secret = Some(secret);
        self
    }

    fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    fn times(mut self, times: usize) -> Self {
        self.times = Some(times);
        self
    }

    async fn mock(self, server: &MockServer) -> Mock<'_> {
        let users: Vec<Value> = self.ids.iter().map(|id| json!({"user_id": id})).collect();
        let body = with_request_id(
            envelope(json!({
                "users": users,
                "pagination": {"limit": self.limit.unwrap_or(20), "lastKey": self.next}
            })),
            self.request_id,
        );
        let path = users_path(self.org);
        server
            .mock_async(move |when, then| {
                let when = when.method(GET).path(path);
                let when = match self.limit {
                    Some(limit) => when.query_param("limit", limit.to_string()),
                    None => when.query_param_missing("limit"),
                };
                let when = match self.key {
                    Some(key) => when.query_param("lastKey", key),
                    None => when.query_param_missing("lastKey"),
                };
                if let Some(secret) = self.secret {
                    when.header("x-organization-secret", secret);
                }
                paced(then.status(200).json_body(body), self.delay, self.times);
            })
            .await
    }
}

/// The writes a client makes.
#[derive(Debug, Clone, Copy)]
enum Write {
    Update,
    SetRoles,
    Create,
    Disable,
    Enable,
}

impl Write {
    const ALL: [Self; 5] = [
        Self::Update,
        Self::SetRoles,
        Self::Create,
        Self::Disable,
        Self::Enable,
    ];

    async fn perform(self, users: &Users) -> parchment_api_ext::Result<()> {
        match self {
            Self::Update => users
                .update(USER, UserUpdate::new().full_name("Darlene Scott"))
                .await
                .map(|_| ()),
            Self::SetRoles => users.set_roles(USER, [Role::Admin]).await.map(|_| ()),
            Self::Create => users
                .create(NewUser::new("Riley", "Nguyen", "riley.nguyen@example.com"))
                .await
                .map(|_| ()),
            Self::Disable => users.disable(USER).await.map(|_| ()),
            Self::Enable => users.enable(USER).await.map(|_| ()),
        }
    }
}

/// Mocks every write of `USER` in `org` (and create), answering `status` (success bodies on
/// 200), after `delay` when given. In `Write::ALL`'s order: `[0]` is the update.
async fn write_mocks<'a>(
    server: &'a MockServer,
    org: &str,
    status: u16,
    delay: Option<Duration>,
) -> Vec<Mock<'a>> {
    let user = user_path(org, USER);
    // (is it the create, path, success data)
    let writes = [
        (false, user.clone(), json!({"user_id": USER})),
        (
            false,
            format!("{user}/roles"),
            json!({"user_id": USER, "access_roles": ["admin"]}),
        ),
        (true, users_path(org), json!({"user_id": "usr_new"})),
        (false, format!("{user}/disable"), json!({"user_id": USER})),
        (false, format!("{user}/enable"), json!({"user_id": USER})),
    ];
    let mut mocks = Vec::new();
    for (created, path, data) in writes {
        let method = if created { POST } else { PUT };
        let mock = server
            .mock_async(move |when, then| {
                when.method(method).path(path);
                let then = match (status, created) {
                    (200, true) => {
                        let mut body = envelope(data);
                        body["statusCode"] = json!(201);
                        then.status(201).json_body(body)
                    }
                    (200, false) => then.status(200).json_body(envelope(data)),
                    _ => then.status(status).json_body(error_envelope(
                        status,
                        "internal-error",
                        "Internal Server Error",
                        "Something went wrong",
                    )),
                };
                if let Some(delay) = delay {
                    then.delay(delay);
                }
            })
            .await;
        mocks.push(mock);
    }
    mocks
}
