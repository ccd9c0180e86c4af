//! The blocking [`Users`] and [`ListUsers`], and [`Iter`]: a stream read one item per call.

use super::runtime::Runtime;
use crate::error::Result;
use crate::models::{CreatedUser, UpdatedUser, User, UserRoles, UserSummary, UsersPage};
use crate::response::Response;
use crate::users::{NewUser, UserUpdate};
use futures::{Stream, StreamExt};
use parchment_api::Role;
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;

/// The users of one organization: [`crate::Users`], blocking. From
/// [`Organization::users`](super::Organization::users).
#[derive(Clone, Debug)]
pub struct Users {
    inner: crate::Users,
    runtime: Arc<Runtime>,
}

impl Users {
    pub(super) fn new(inner: crate::Users, runtime: Arc<Runtime>) -> Self {
        Self { inner, runtime }
    }

    /// See [`crate::Users::fresh`].
    pub fn fresh(&self) -> Users {
        Self::new(self.inner.fresh(), self.runtime.clone())
    }

    /// Lists users, one page at a time or as an iterator: see [`ListUsers`].
    pub fn list(&self) -> ListUsers {
        ListUsers {
            inner: self.inner.list(),
            runtime: self.runtime.clone(),
        }
    }

    /// See [`crate::Users::get`].
    pub fn get(&self, user_id: &str) -> Result<Response<User>> {
        self.runtime.block_on(self.inner.get(user_id))
    }

    /// See [`crate::Users::create`].
    pub fn create(&self, user: NewUser) -> Result<Response<CreatedUser>> {
        self.runtime.block_on(self.inner.create(user))
    }

    /// See [`crate::Users::update`].
    pub fn update(&self, user_id: &str, update: UserUpdate) -> Result<Response<UpdatedUser>> {
        self.runtime.block_on(self.inner.update(user_id, update))
    }

    /// See [`crate::Users::set_roles`].
    pub fn set_roles(
        &self,
        user_id: &str,
        roles: impl IntoIterator<Item = Role>,
    ) -> Result<Response<UserRoles>> {
        self.runtime.block_on(self.inner.set_roles(user_id, roles))
    }

    /// See [`crate::Users::grant_roles`].
    pub fn grant_roles(
        &self,
        user_id: &str,
        roles: impl IntoIterator<Item = Role>,
    ) -> Result<Response<UserRoles>> {
        self.runtime
            .block_on(self.inner.grant_roles(user_id, roles))
    }

    /// See [`crate::Users::revoke_roles`].
    pub fn revoke_roles(
        &self,
        user_id: &str,
        roles: impl IntoIterator<Item = Role>,
    ) -> Result<Response<UserRoles>> {
        self.runtime
            .block_on(self.inner.revoke_roles(user_id, roles))
    }

    /// See [`crate::Users::disable`].
    pub fn disable(&self, user_id: &str) -> Result<Response<UpdatedUser>> {
        self.runtime.block_on(self.inner.disable(user_id))
    }

    /// See [`crate::Users::enable`].
    pub fn enable(&self, user_id: &str) -> Result<Response<UpdatedUser>> {
        self.runtime.block_on(self.inner.enable(user_id))
    }

    /// See [`crate::Users::enable_with_roles`].
    pub fn enable_with_roles(
        &self,
        user_id: &str,
        roles: impl IntoIterator<Item = Role>,
    ) -> Result<Response<UserRoles>> {
        self.runtime
            .block_on(self.inner.enable_with_roles(user_id, roles))
    }

    /// See [`crate::Users::find_by_email`].
    pub fn find_by_email(&self, email: &str) -> Result<Option<UserSummary>> {
        self.runtime.block_on(self.inner.find_by_email(email))
    }

    /// See [`crate::Users::find_by_external_id`].
    pub fn find_by_external_id(&self, external_id: &str) -> Result<Option<UserSummary>> {
        self.runtime
            .block_on(self.inner.find_by_external_id(external_id))
    }

    /// Every user in full, up to `concurrency` reads at a time: see [`crate::Users::read_all`].
    pub fn read_all(&self, concurrency: usize) -> Iter<User> {
        Iter::new(self.inner.read_all(concurrency), self.runtime.clone())
    }
}

/// Lists an organization's users: [`crate::ListUsers`], blocking. From [`Users::list`].
#[derive(Clone, Debug)]
#[must_use]
pub struct ListUsers {
    inner: crate::ListUsers,
    runtime: Arc<Runtime>,
}

impl ListUsers {
    /// See [`crate::ListUsers::limit`].
    pub fn limit(self, limit: u32) -> Self {
        self.map(|inner| inner.limit(limit))
    }

    /// See [`crate::ListUsers::last_key`].
    pub fn last_key(self, last_key: impl Into<String>) -> Self {
        self.map(|inner| inner.last_key(last_key))
    }

    /// See [`crate::ListUsers::max_items`].
    pub fn max_items(self, max_items: usize) -> Self {
        self.map(|inner| inner.max_items(max_items))
    }

    /// See [`crate::ListUsers::fresh`].
    pub fn fresh(self) -> Self {
        self.map(crate::ListUsers::fresh)
    }

    /// Fetches one page (see [`crate::ListUsers::send`]).
    pub fn send(self) -> Result<Response<UsersPage>> {
        self.runtime.block_on(self.inner.send())
    }

    /// Every page, fetched as the iterator is advanced (see [`crate::ListUsers::pages`]).
    pub fn pages(self) -> Iter<Response<UsersPage>> {
        Iter::new(self.inner.pages(), self.runtime)
    }

    /// Every user of every page, each page fetched when the previous one is used up (see
    /// [`crate::ListUsers::stream`]).
    pub fn iter(self) -> Iter<UserSummary> {
        Iter::new(self.inner.stream(), self.runtime)
    }

    fn map(self, f: impl FnOnce(crate::ListUsers) -> crate::ListUsers) -> Self {
        Self {
            inner: f(self.inner),
            runtime: self.runtime,
        }
    }
}

/// An async stream of the SDK read one item per [`next`](Iterator::next), on the client's
/// runtime. Ends after the first error (the stream's own rule); advanced inside an async
/// runtime, it yields the refusal ([`Configuration`](crate::ErrorKind::Configuration)) and
/// ends.
#[must_use]
pub struct Iter<T> {
    stream: Option<Pin<Box<dyn Stream<Item = Result<T>> + Send>>>,
    runtime: Arc<Runtime>,
}

impl<T> Iter<T> {
    fn new(stream: impl Stream<Item = Result<T>> + Send + 'static, runtime: Arc<Runtime>) -> Self {
        Self {
            stream: Some(Box::pin(stream)),
            runtime,
        }
    }
}

impl<T> Iterator for Iter<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        let stream = self.stream.as_mut()?;
        let next = self
            .runtime
            .block_on(async { Ok(stream.next().await) })
            .transpose()
            .map(|item| item.and_then(|item| item));
        if matches!(next, None | Some(Err(_))) {
            self.stream = None;
        }
        next
    }
}

impl<T> fmt::Debug for Iter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("ended", &self.stream.is_none())
            .finish()
    }
}
