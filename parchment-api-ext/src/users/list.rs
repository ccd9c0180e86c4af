//! [`ListUsers`]: one page, every page, or every user, following `lastKey`.

use crate::cache::Entry;
use crate::engine::{Api, Call, Normalized, Sent};
use crate::error::{Error, Result};
use crate::models::{UserSummary, UsersPage};
use crate::operation::Operation;
use crate::organization::Organization;
use crate::pagination::{self, Paged};
use crate::response::Response;
use crate::validate;
use futures::{Stream, StreamExt, TryStreamExt, stream};
use parchment_api::types;
use std::num::NonZeroU32;

const OPERATION: Operation = ListUsersPage::OPERATION;

/// Lists an organization's users. From [`Users::list`](crate::Users::list).
///
/// [`send`](Self::send) fetches one page; [`pages`](Self::pages) and [`stream`](Self::stream)
/// follow `lastKey` lazily (a page is fetched when the previous one has been consumed) until the
/// server stops returning one.
#[derive(Debug, Clone)]
#[must_use]
pub struct ListUsers {
    organization: Organization,
    limit: Option<u32>,
    last_key: Option<String>,
    max_items: Option<usize>,
    fresh: bool,
}

impl ListUsers {
    pub(crate) fn new(organization: Organization) -> Self {
        Self {
            organization,
            limit: None,
            last_key: None,
            max_items: None,
            fresh: false,
        }
    }

    /// Page size, 1 to 100 (the server's default is 20). Checked before sending.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Starts after this key (a previous [`UsersPage`]'s `next_key`).
    pub fn last_key(mut self, last_key: impl Into<String>) -> Self {
        self.last_key = Some(last_key.into());
        self
    }

    /// [`stream`](Self::stream) stops after this many users (no page beyond is fetched).
    pub fn max_items(mut self, max_items: usize) -> Self {
        self.max_items = Some(max_items);
        self
    }

    /// Reads past the client's read cache (and refreshes it with what comes back).
    pub fn fresh(self) -> Self {
        self.fresh_if(true)
    }

    pub(crate) fn fresh_if(mut self, fresh: bool) -> Self {
        self.fresh |= fresh;
        self
    }

    /// Fetches one page.
    pub async fn send(self) -> Result<Response<UsersPage>> {
        fetch_page(
            &self.organization,
            self.limit,
            self.last_key.as_deref(),
            self.fresh,
        )
        .await
    }

    /// Every page, lazily. Ends after the page without a next key; a key the server already
    /// returned ends it with [`ErrorKind::PaginationLoop`] rather than loop forever. After an
    /// error the stream ends.
    ///
    /// [`ErrorKind::PaginationLoop`]: crate::ErrorKind::PaginationLoop
    pub fn pages(self) -> impl Stream<Item = Result<Response<UsersPage>>> + Send + 'static {
        let (organization, limit, fresh) = (self.organization, self.limit, self.fresh);
        pagination::pages(OPERATION.name, self.last_key, move |key| {
            let organization = organization.clone();
            async move { fetch_page(&organization, limit, key.as_deref(), fresh).await }
        })
    }

    /// Every user of every page, lazily, up to [`max_items`](Self::max_items).
    pub fn stream(self) -> impl Stream<Item = Result<UserSummary>> + Send + 'static {
        let max_items = self.max_items.unwrap_or(usize::MAX);
        self.pages()
            .map_ok(|page| stream::iter(page.into_inner().users.into_iter().map(Ok)))
            .try_flatten()
            .take(max_items)
    }
}

/// One page, through the client's read cache when it has one.
async fn fetch_page(
    organization: &Organization,
    limit: Option<u32>,
    last_key: Option<&str>,
    fresh: bool,
) -> Result<Response<UsersPage>> {
    let mut errors = organization.id_errors(None);
    errors.extend(limit.and_then(validate::limit));
    errors.extend(validate::last_key(last_key));
    if !errors.is_empty() {
        return Err(Error::invalid_input(OPERATION.name, errors));
    }
    let entry = || Entry::Page {
        limit,
        last_key: last_key.map(str::to_owned),
    };
    let call = ListUsersPage {
        limit: limit.and_then(NonZeroU32::new),
        last_key,
    };
    if let Some(cached) = organization.cached(&call, entry, fresh) {
        return cached.await;
    }
    organization.run(&call).await
}

/// `GET /v1/organizations/{organization_id}/users?limit=..&lastKey=..`.
struct ListUsersPage<'a> {
    limit: Option<NonZeroU32>,
    last_key: Option<&'a str>,
}

impl Call for ListUsersPage<'_> {
    const OPERATION: Operation = Operation::LIST_USERS;
    type Envelope = types::ListUsersResponse;
    type Output = UsersPage;

    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
        api.list_users(organization_id, self.last_key, self.limit)
    }

    fn normalize(
        (data, pagination): (parchment_api::UsersPage, Option<types::Pagination>),
    ) -> Normalized<UsersPage> {
        Ok(UsersPage::from_wire(data, pagination))
    }
}

impl Paged for UsersPage {
    fn next_key(&self) -> Option<&str> {
        self.next_key.as_deref()
    }

    fn is_empty(&self) -> bool {
        self.users.is_empty()
    }
}
