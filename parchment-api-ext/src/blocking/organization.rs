//! The blocking [`Organization`]: one clinic's handle, its calls run on the client's runtime.

use super::Users;
use super::runtime::Runtime;
use crate::error::Result;
use crate::response::Response;
use std::sync::Arc;

/// One organization (clinic): [`crate::Organization`], blocking. From
/// [`Client::organization`](super::Client::organization).
#[derive(Clone, Debug)]
pub struct Organization {
    inner: crate::Organization,
    runtime: Arc<Runtime>,
}

impl Organization {
    pub(super) fn new(inner: crate::Organization, runtime: Arc<Runtime>) -> Self {
        Self { inner, runtime }
    }

    /// The organization's id.
    pub fn id(&self) -> &str {
        self.inner.id()
    }

    /// See [`crate::Organization::validate`].
    pub fn validate(&self) -> Result<Response<bool>> {
        self.runtime.block_on(self.inner.validate())
    }

    /// The organization's users.
    pub fn users(&self) -> Users {
        Users::new(self.inner.users(), self.runtime.clone())
    }

    /// This organization with its own retry policy (see
    /// [`crate::Organization::with_retry_policy`]).
    pub fn with_retry_policy(self, policy: crate::RetryPolicy) -> Self {
        Self {
            inner: self.inner.with_retry_policy(policy),
            runtime: self.runtime,
        }
    }
}
