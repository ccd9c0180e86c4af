//! Set-up for tests that drive FakeParchment through the public client: handles on the default
//! organization's users, clients that skip the token request, and readers of the request log.
//! Kept here rather than in each binary so that every FakeParchment test builds its clients
//! and reads the log the same way.

use futures::TryStreamExt;
use parchment_api_ext::testing::{FakeParchment, LoggedRequest};
use parchment_api_ext::{Client, ClientBuilder, RetryPolicy, UserSummary, Users};
use std::time::Duration;

/// The default organization's users, through the fake's own client (partner credentials).
pub(crate) fn users(fake: &FakeParchment) -> Users {
    users_of(&fake.client())
}

/// The default organization's users, through `client`.
pub(crate) fn users_of(client: &Client) -> Users {
    client
        .default_organization()
        .expect("the fake's client has a default organization")
        .users()
}

/// A builder for a client with the fake's static token (no token requests), its organization
/// secret and its organization as the default; a test may still replace any of them.
pub(crate) fn static_builder(fake: &FakeParchment) -> ClientBuilder {
    let credentials = fake.credentials();
    Client::builder()
        .base_url(fake.base_url())
        .access_token(credentials.static_token.clone())
        .organization_secret(credentials.organization_secret.clone())
        .default_organization(credentials.organization_id.clone())
}

/// A client with the fake's static token (no token requests), built from `retry_policy`.
pub(crate) fn static_client(fake: &FakeParchment, retry_policy: RetryPolicy) -> Client {
    static_builder(fake)
        .retry_policy(retry_policy)
        .build()
        .expect("a loopback base URL and both credentials make a valid client")
}

/// The default retry policy (3 attempts) with backoffs short enough for tests.
pub(crate) fn quick_retries() -> RetryPolicy {
    RetryPolicy::new()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

/// The logged requests for `method` and `path`, from index `from` of the log on.
pub(crate) fn logged(
    fake: &FakeParchment,
    from: usize,
    method: &str,
    path: &str,
) -> Vec<LoggedRequest> {
    fake.requests()
        .into_iter()
        .skip(from)
        .filter(|request| request.method == method && request.path == path)
        .collect()
}

pub(crate) fn statuses(requests: &[LoggedRequest]) -> Vec<u16> {
    requests.iter().map(|request| request.status).collect()
}

/// Every user of the organization, 100 a page.
pub(crate) async fn all_users(users: &Users) -> Vec<UserSummary> {
    users
        .list()
        .limit(100)
        .stream()
        .try_collect()
        .await
        .expect("every page lists")
}
