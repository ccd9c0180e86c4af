//! The optional read cache through the public client: off by default; hits and misses for users
//! and list pages; time to live on the client's clock; invalidation by writes (failed ones
//! too); isolation across organizations, clients and credentials; one request for concurrent
//! misses; errors never cached; `fresh` reads; no secret in `Debug`.

mod support;

use futures::TryStreamExt;
use httpmock::Mock;
use httpmock::prelude::*;
use parchment_api_ext::testing::ManualClock;
use parchment_api_ext::{
    Client, ClientBuilder, ErrorKind, NewUser, OrganizationCredentials, PartnerCredentials,
    ReadCacheConfig, RetryPolicy, Role, UserUpdate, Users,
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

// ---------------------------------------------------------------------------------------------
// Set-up
// ---------------------------------------------------------------------------------------------

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
                let mut then = then.status(self.status).json_body(body);
                if let Some(delay) = self.delay {
                    then = then.delay(delay);
                }
                if let Some(times) = self.times {
                    then.up_to_n_times(times);
                }
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
                match self.key {
                    Some(key) => when.query_param("lastKey", key),
                    None => when.query_param_missing("lastKey"),
                };
                let mut then = then.status(200).json_body(body);
                if let Some(delay) = self.delay {
                    then = then.delay(delay);
                }
                if let Some(times) = self.times {
                    then.up_to_n_times(times);
                }
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

// ---------------------------------------------------------------------------------------------
// Off by default
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_cache_is_off_by_default() {
    let server = MockServer::start_async().await;
    let read = UserRead::new(support::ORG, USER).mock(&server).await;
    let page = Page::new(support::ORG).mock(&server).await;
    let client = support::client(&server.base_url());
    let users = client.organization(support::ORG).users();

    for _ in 0..2 {
        let user = users.get(USER).await.expect("the user");
        assert!(!user.is_from_cache());
        let listed = users.list().send().await.expect("a page");
        assert!(!listed.is_from_cache());
    }

    assert_eq!(read.calls_async().await, 2, "each read is a request");
    assert_eq!(page.calls_async().await, 2, "each page is a request");
    assert_eq!(client.cache_stats(), None);
}

// ---------------------------------------------------------------------------------------------
// Hits and misses
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_second_read_of_a_user_is_a_hit_with_the_first_request_id() {
    let server = MockServer::start_async().await;
    let first = UserRead::new(ORG_A, USER)
        .request_id("req_first")
        .times(1)
        .mock(&server)
        .await;
    let later = UserRead::new(ORG_A, USER)
        .request_id("req_later")
        .mock(&server)
        .await;
    let (client, _clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();

    let fetched = users.get(USER).await.expect("the user");
    let again = users.get(USER).await.expect("the user again");

    assert!(!fetched.is_from_cache());
    assert_eq!(fetched.request_id(), Some("req_first"));
    assert!(again.is_from_cache());
    assert_eq!(again.request_id(), Some("req_first"));
    assert_eq!(again.user_id, USER);
    assert_eq!(again.full_name, fetched.full_name);
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(
        later.calls_async().await,
        0,
        "the second read made no request"
    );
    assert_eq!(stats(&client), (1, 1));
}

#[tokio::test]
async fn another_user_is_a_miss() {
    let server = MockServer::start_async().await;
    let one = UserRead::new(ORG_A, "usr_1").mock(&server).await;
    let two = UserRead::new(ORG_A, "usr_2").mock(&server).await;
    let (client, _clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();

    assert!(!users.get("usr_1").await.expect("usr_1").is_from_cache());
    let other = users.get("usr_2").await.expect("usr_2");

    assert!(!other.is_from_cache());
    assert_eq!(other.user_id, "usr_2");
    assert_eq!(one.calls_async().await, 1);
    assert_eq!(two.calls_async().await, 1);
    assert_eq!(stats(&client), (0, 2));
}

#[tokio::test]
async fn list_pages_are_cached_per_limit_and_last_key() {
    let server = MockServer::start_async().await;
    let mocks = [
        Page::new(ORG_A)
            .limit(2)
            .request_id("req_limit_2")
            .mock(&server)
            .await,
        Page::new(ORG_A)
            .limit(3)
            .request_id("req_limit_3")
            .mock(&server)
            .await,
        Page::new(ORG_A)
            .limit(2)
            .key("k1")
            .request_id("req_k1")
            .mock(&server)
            .await,
        Page::new(ORG_A)
            .limit(2)
            .key("k2")
            .request_id("req_k2")
            .mock(&server)
            .await,
        Page::new(ORG_A)
            .request_id("req_default")
            .mock(&server)
            .await,
    ];
    let (client, _clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();
    let queries = || {
        [
            users.list().limit(2),
            users.list().limit(3),
            users.list().limit(2).last_key("k1"),
            users.list().limit(2).last_key("k2"),
            users.list(),
        ]
    };
    let expected_ids = [
        "req_limit_2",
        "req_limit_3",
        "req_k1",
        "req_k2",
        "req_default",
    ];

    for (query, request_id) in queries().into_iter().zip(expected_ids) {
        let page = query.send().await.expect("a page");
        assert!(!page.is_from_cache(), "{request_id}: first read is a miss");
        assert_eq!(page.request_id(), Some(request_id));
    }
    for (query, request_id) in queries().into_iter().zip(expected_ids) {
        let page = query.send().await.expect("a page");
        assert!(page.is_from_cache(), "{request_id}: same page is a hit");
        assert_eq!(page.request_id(), Some(request_id));
    }

    for mock in &mocks {
        assert_eq!(mock.calls_async().await, 1);
    }
    assert_eq!(stats(&client), (5, 5));
}

#[tokio::test]
async fn a_cached_two_page_stream_makes_no_request_the_second_time() {
    let server = MockServer::start_async().await;
    let first = Page::new(ORG_A)
        .limit(2)
        .ids(&["u1", "u2"])
        .next("k1")
        .mock(&server)
        .await;
    let second = Page::new(ORG_A)
        .limit(2)
        .key("k1")
        .ids(&["u3"])
        .mock(&server)
        .await;
    let (client, _clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();

    for round in 0..2 {
        let all: Vec<_> = users
            .list()
            .limit(2)
            .stream()
            .try_collect()
            .await
            .expect("every user");
        let ids: Vec<_> = all.iter().map(|u| u.user_id.as_str()).collect();
        assert_eq!(ids, ["u1", "u2", "u3"], "round {round}");
    }

    assert_eq!(first.calls_async().await, 1);
    assert_eq!(second.calls_async().await, 1);
    assert_eq!(stats(&client), (2, 2));
}

// ---------------------------------------------------------------------------------------------
// Time to live
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_entry_is_a_hit_until_the_time_to_live_passes_on_the_client_clock() {
    let server = MockServer::start_async().await;
    let first = UserRead::new(ORG_A, USER)
        .request_id("req_first")
        .times(1)
        .mock(&server)
        .await;
    let second = UserRead::new(ORG_A, USER)
        .request_id("req_second")
        .mock(&server)
        .await;
    let (client, clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();

    users.get(USER).await.expect("the user");
    clock.advance(TTL - Duration::from_millis(1));
    let young = users.get(USER).await.expect("just before the TTL");
    assert!(young.is_from_cache());
    assert_eq!(young.request_id(), Some("req_first"));
    assert_eq!(second.calls_async().await, 0);

    clock.advance(Duration::from_millis(2));
    let expired = users.get(USER).await.expect("just past the TTL");
    assert!(
        !expired.is_from_cache(),
        "an entry older than the TTL is a miss"
    );
    assert_eq!(expired.request_id(), Some("req_second"));
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(second.calls_async().await, 1);

    let refilled = users.get(USER).await.expect("the refreshed entry");
    assert!(refilled.is_from_cache());
    assert_eq!(refilled.request_id(), Some("req_second"));
    assert_eq!(stats(&client), (2, 2));
}

#[tokio::test]
async fn a_list_page_is_a_hit_until_the_time_to_live_passes() {
    let server = MockServer::start_async().await;
    let first = Page::new(ORG_A)
        .request_id("req_first")
        .times(1)
        .mock(&server)
        .await;
    let second = Page::new(ORG_A)
        .request_id("req_second")
        .mock(&server)
        .await;
    let (client, clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();

    users.list().send().await.expect("a page");
    clock.advance(TTL - Duration::from_millis(1));
    assert!(users.list().send().await.expect("a page").is_from_cache());
    clock.advance(Duration::from_millis(2));
    let expired = users.list().send().await.expect("a page");

    assert!(!expired.is_from_cache());
    assert_eq!(expired.request_id(), Some("req_second"));
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(second.calls_async().await, 1);
}

// ---------------------------------------------------------------------------------------------
// Invalidation by writes
// ---------------------------------------------------------------------------------------------

/// Reads `USER` and the first page twice (the second time from the cache), runs `write`, then
/// checks that the next read of each is a request.
async fn assert_write_invalidates(
    users: &Users,
    read: &Mock<'_>,
    page: &Mock<'_>,
    write: Write,
    expect_write_ok: bool,
) {
    users.get(USER).await.expect("the user");
    users.list().send().await.expect("a page");
    let (reads, pages) = (read.calls_async().await, page.calls_async().await);
    assert!(
        users.get(USER).await.expect("the user").is_from_cache(),
        "{write:?}: the user is cached before the write"
    );
    assert!(
        users.list().send().await.expect("a page").is_from_cache(),
        "{write:?}: the page is cached before the write"
    );

    let outcome = write.perform(users).await;
    assert_eq!(outcome.is_ok(), expect_write_ok, "{write:?}: {outcome:?}");

    let user = users.get(USER).await.expect("the user");
    let listed = users.list().send().await.expect("a page");
    assert!(!user.is_from_cache(), "{write:?}: the user is read again");
    assert!(!listed.is_from_cache(), "{write:?}: the page is read again");
    assert_eq!(read.calls_async().await, reads + 1, "{write:?}");
    assert_eq!(page.calls_async().await, pages + 1, "{write:?}");
}

#[tokio::test]
async fn every_write_sends_the_next_read_of_the_user_and_of_a_page_to_the_server() {
    let server = MockServer::start_async().await;
    let read = UserRead::new(ORG_A, USER).mock(&server).await;
    let page = Page::new(ORG_A).mock(&server).await;
    let writes = write_mocks(&server, ORG_A, 200, None).await;
    let (client, _clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();

    for write in Write::ALL {
        assert_write_invalidates(&users, &read, &page, write, true).await;
    }
    for mock in &writes {
        assert_eq!(mock.calls_async().await, 1, "each write was sent once");
    }
}

#[tokio::test]
async fn a_failed_write_still_invalidates() {
    let server = MockServer::start_async().await;
    let read = UserRead::new(ORG_A, USER).mock(&server).await;
    let page = Page::new(ORG_A).mock(&server).await;
    let writes = write_mocks(&server, ORG_A, 500, None).await;
    let (client, _clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();

    for write in Write::ALL {
        assert_write_invalidates(&users, &read, &page, write, false).await;
    }
    for mock in &writes {
        assert_eq!(mock.calls_async().await, 1, "each write was sent once");
    }
}

#[tokio::test]
async fn a_write_that_times_out_in_the_client_still_invalidates() {
    let server = MockServer::start_async().await;
    let read = UserRead::new(ORG_A, USER).mock(&server).await;
    let page = Page::new(ORG_A).mock(&server).await;
    let update = write_mocks(&server, ORG_A, 200, Some(Duration::from_millis(300))).await;
    let clock = Arc::new(ManualClock::new());
    let client = cached_builder(&server.base_url(), &clock)
        .attempt_timeout(Duration::from_millis(100))
        .build()
        .expect("a valid client");
    let users = client.organization(ORG_A).users();

    users.get(USER).await.expect("the user");
    let error = Write::Update
        .perform(&users)
        .await
        .expect_err("the update outlives the attempt's time limit");
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(update[0].calls_async().await, 1, "the update was sent");

    let after = users.get(USER).await.expect("the user");
    assert!(!after.is_from_cache(), "a timed-out write may have applied");
    assert_eq!(read.calls_async().await, 2);
    assert_eq!(page.calls_async().await, 0);
}

#[tokio::test]
async fn a_write_in_another_organization_does_not_invalidate_this_one() {
    let server = MockServer::start_async().await;
    let read = UserRead::new(ORG_A, USER).mock(&server).await;
    let page = Page::new(ORG_A).mock(&server).await;
    let writes = write_mocks(&server, ORG_B, 200, None).await;
    let (client, _clock) = cached(&server.base_url());
    let users_a = client.organization(ORG_A).users();
    let users_b = client.organization(ORG_B).users();

    users_a.get(USER).await.expect("the user");
    users_a.list().send().await.expect("a page");
    for write in Write::ALL {
        write.perform(&users_b).await.expect("the write in org_b");
        assert!(
            users_a.get(USER).await.expect("the user").is_from_cache(),
            "{write:?} in org_b left org_a's user cached"
        );
        assert!(
            users_a.list().send().await.expect("a page").is_from_cache(),
            "{write:?} in org_b left org_a's page cached"
        );
    }

    assert_eq!(read.calls_async().await, 1);
    assert_eq!(page.calls_async().await, 1);
    for mock in &writes {
        assert_eq!(mock.calls_async().await, 1);
    }
}

#[tokio::test]
async fn a_write_through_other_credentials_of_the_organization_invalidates_it() {
    let server = MockServer::start_async().await;
    let read = UserRead::new(ORG_A, USER).mock(&server).await;
    write_mocks(&server, ORG_A, 200, None).await;
    let (client, _clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();
    let other = client
        .organization_with(ORG_A, OrganizationCredentials::new(SECRET_ONE))
        .expect("valid credentials")
        .users();

    users.get(USER).await.expect("the user");
    assert!(users.get(USER).await.expect("the user").is_from_cache());
    Write::Update.perform(&other).await.expect("the update");
    let after = users.get(USER).await.expect("the user");

    assert!(!after.is_from_cache());
    assert_eq!(read.calls_async().await, 2);
}

// ---------------------------------------------------------------------------------------------
// Isolation
// ---------------------------------------------------------------------------------------------

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
    let page_one = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(users_path(ORG_A))
                .header("x-organization-secret", SECRET_ONE);
            then.status(200).json_body(envelope(json!({
                "users": [{"user_id": "usr_seen_with_one"}],
                "pagination": {"lastKey": null}
            })));
        })
        .await;
    let page_two = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(users_path(ORG_A))
                .header("x-organization-secret", SECRET_TWO);
            then.status(200).json_body(envelope(json!({
                "users": [{"user_id": "usr_seen_with_two"}],
                "pagination": {"lastKey": null}
            })));
        })
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

// ---------------------------------------------------------------------------------------------
// Single flight
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn a_hundred_concurrent_misses_of_one_user_make_one_request() {
    let server = MockServer::start_async().await;
    let read = UserRead::new(ORG_A, USER)
        .request_id("req_only")
        .delay(Duration::from_millis(200))
        .mock(&server)
        .await;
    let (client, _clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();

    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let users = users.clone();
            tokio::spawn(async move { users.get(USER).await })
        })
        .collect();
    let mut fetched = 0;
    for task in tasks {
        let user = task
            .await
            .expect("the task ran to the end")
            .expect("every caller gets the user");
        assert_eq!(user.user_id, USER);
        assert_eq!(user.request_id(), Some("req_only"));
        if !user.is_from_cache() {
            fetched += 1;
        }
    }

    assert_eq!(read.calls_async().await, 1, "one request for 100 callers");
    assert_eq!(fetched, 1, "the others were served the one response");
    assert_eq!(stats(&client), (99, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_misses_of_one_page_make_one_request() {
    let server = MockServer::start_async().await;
    let page = Page::new(ORG_A)
        .limit(2)
        .delay(Duration::from_millis(200))
        .mock(&server)
        .await;
    let (client, _clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();

    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let users = users.clone();
            tokio::spawn(async move { users.list().limit(2).send().await })
        })
        .collect();
    for task in tasks {
        let listed = task.await.expect("the task ran").expect("a page");
        assert_eq!(listed.users[0].user_id, USER);
    }

    assert_eq!(page.calls_async().await, 1);
    assert_eq!(stats(&client), (49, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_misses_after_expiry_make_one_request() {
    let server = MockServer::start_async().await;
    let first = UserRead::new(ORG_A, USER)
        .request_id("req_first")
        .times(1)
        .mock(&server)
        .await;
    let second = UserRead::new(ORG_A, USER)
        .request_id("req_second")
        .delay(Duration::from_millis(200))
        .mock(&server)
        .await;
    let (client, clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();
    users.get(USER).await.expect("the user");
    clock.advance(TTL + Duration::from_secs(1));

    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let users = users.clone();
            tokio::spawn(async move { users.get(USER).await })
        })
        .collect();
    for task in tasks {
        let user = task.await.expect("the task ran").expect("the user");
        assert_eq!(
            user.request_id(),
            Some("req_second"),
            "no expired entry served"
        );
    }

    assert_eq!(first.calls_async().await, 1);
    assert_eq!(second.calls_async().await, 1);
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_error_is_not_cached() {
    for (status, kind) in [(404, ErrorKind::NotFound), (500, ErrorKind::Server)] {
        let server = MockServer::start_async().await;
        let failing = UserRead::new(ORG_A, USER)
            .status(status)
            .times(1)
            .mock(&server)
            .await;
        let ok = UserRead::new(ORG_A, USER)
            .request_id("req_ok")
            .mock(&server)
            .await;
        let (client, _clock) = cached(&server.base_url());
        let users = client.organization(ORG_A).users();

        let error = users.get(USER).await.expect_err("the error answer");
        assert_eq!(error.kind(), kind);
        let user = users.get(USER).await.expect("the next answer");
        assert!(!user.is_from_cache(), "{status}: the error was not kept");
        assert_eq!(user.request_id(), Some("req_ok"));
        assert!(users.get(USER).await.expect("cached").is_from_cache());

        assert_eq!(failing.calls_async().await, 1);
        assert_eq!(ok.calls_async().await, 1);
        assert_eq!(stats(&client), (1, 2), "{status}");
    }
}

#[tokio::test]
async fn a_failed_page_is_not_cached() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path(users_path(ORG_A));
            then.status(503)
                .json_body(error_envelope(
                    503,
                    "unavailable",
                    "Unavailable",
                    "Try later",
                ))
                .up_to_n_times(1);
        })
        .await;
    let ok = Page::new(ORG_A).mock(&server).await;
    let (client, _clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();

    let error = users.list().send().await.expect_err("503");
    assert_eq!(error.kind(), ErrorKind::Server);
    let listed = users.list().send().await.expect("a page");
    assert!(!listed.is_from_cache());
    assert_eq!(failing.calls_async().await, 1);
    assert_eq!(ok.calls_async().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn callers_waiting_on_a_failing_fetch_all_get_the_error() {
    let server = MockServer::start_async().await;
    let failing = UserRead::new(ORG_A, USER)
        .status(500)
        .delay(Duration::from_millis(200))
        .times(1)
        .mock(&server)
        .await;
    let ok = UserRead::new(ORG_A, USER).mock(&server).await;
    let (client, _clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();

    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let users = users.clone();
            tokio::spawn(async move { users.get(USER).await })
        })
        .collect();
    for task in tasks {
        let error = task
            .await
            .expect("the task ran")
            .expect_err("every waiting caller gets the one failure");
        assert_eq!(error.kind(), ErrorKind::Server);
        assert_eq!(error.request_id(), Some("req_1705312200000_e500"));
    }
    assert_eq!(failing.calls_async().await, 1, "one request for 50 callers");
    assert_eq!(ok.calls_async().await, 0);

    let user = users.get(USER).await.expect("the next read succeeds");
    assert!(!user.is_from_cache());
    assert_eq!(ok.calls_async().await, 1);
    assert_eq!(stats(&client), (0, 2));
}

// ---------------------------------------------------------------------------------------------
// Fresh reads
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_fresh_get_bypasses_a_valid_entry_and_refreshes_it() {
    let server = MockServer::start_async().await;
    let first = UserRead::new(ORG_A, USER)
        .request_id("req_first")
        .times(1)
        .mock(&server)
        .await;
    let fresh = UserRead::new(ORG_A, USER)
        .name("Darlene Scott")
        .request_id("req_fresh")
        .times(1)
        .mock(&server)
        .await;
    let later = UserRead::new(ORG_A, USER)
        .request_id("req_later")
        .mock(&server)
        .await;
    let (client, _clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();

    users.get(USER).await.expect("the user");
    let current = users.fresh().get(USER).await.expect("the fresh user");
    assert!(!current.is_from_cache());
    assert_eq!(current.request_id(), Some("req_fresh"));
    assert_eq!(current.full_name.as_deref(), Some("Darlene Scott"));

    let next = users.get(USER).await.expect("the refreshed entry");
    assert!(next.is_from_cache());
    assert_eq!(next.request_id(), Some("req_fresh"));
    assert_eq!(next.full_name.as_deref(), Some("Darlene Scott"));
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(fresh.calls_async().await, 1);
    assert_eq!(later.calls_async().await, 0);
}

#[tokio::test]
async fn a_fresh_list_bypasses_a_valid_page_and_refreshes_it() {
    let server = MockServer::start_async().await;
    let first = Page::new(ORG_A)
        .limit(2)
        .request_id("req_first")
        .times(1)
        .mock(&server)
        .await;
    let by_list = Page::new(ORG_A)
        .limit(2)
        .request_id("req_fresh_list")
        .times(1)
        .mock(&server)
        .await;
    let by_users = Page::new(ORG_A)
        .limit(2)
        .request_id("req_fresh_users")
        .times(1)
        .mock(&server)
        .await;
    let later = Page::new(ORG_A)
        .limit(2)
        .request_id("req_later")
        .mock(&server)
        .await;
    let (client, _clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();

    users.list().limit(2).send().await.expect("a page");

    let current = users.list().limit(2).fresh().send().await.expect("fresh");
    assert!(!current.is_from_cache());
    assert_eq!(current.request_id(), Some("req_fresh_list"));
    let next = users.list().limit(2).send().await.expect("refreshed");
    assert!(next.is_from_cache());
    assert_eq!(next.request_id(), Some("req_fresh_list"));

    let current = users.fresh().list().limit(2).send().await.expect("fresh");
    assert!(!current.is_from_cache());
    assert_eq!(current.request_id(), Some("req_fresh_users"));
    let next = users.list().limit(2).send().await.expect("refreshed");
    assert!(next.is_from_cache());
    assert_eq!(next.request_id(), Some("req_fresh_users"));

    for mock in [&first, &by_list, &by_users] {
        assert_eq!(mock.calls_async().await, 1);
    }
    assert_eq!(later.calls_async().await, 0);
}

// ---------------------------------------------------------------------------------------------
// No secret shown
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Regressions: each of these once failed (a cancelled write, a stale read-change-write, a 404
// contradicted by the cache, a panic on a very long time to live)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_write_cancelled_after_it_was_sent_still_invalidates() {
    let server = MockServer::start_async().await;
    let read = UserRead::new(ORG_A, USER).mock(&server).await;
    let update = write_mocks(&server, ORG_A, 200, Some(Duration::from_millis(300))).await;
    let (client, _clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();
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
    let (client, _clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();
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
    let (client, _clock) = cached(&server.base_url());
    let users = client.organization(ORG_A).users();
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
