//! A blocking client (feature `blocking`) for batch jobs and synchronous services: the same
//! operations under the same names as the async client, each call run to completion on a
//! runtime the client owns.
//!
//! It wraps the async client and adds no logic of its own: checks, retries, tokens and errors
//! are the async client's. The runtime is a current-thread tokio runtime built once per client
//! and shared by its clones and handles; it runs only while a call blocks.
//!
//! Use it outside any async runtime. Called (or built) on a thread that runs a tokio runtime,
//! it refuses with [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) and sends
//! nothing, rather than block that runtime's thread (or panic, as nesting runtimes would): in
//! async code use [`crate::Client`].
//!
//! ```no_run
//! # fn main() -> Result<(), parchment_api_ext::Error> {
//! use parchment_api_ext::blocking;
//!
//! let client = blocking::Client::builder()
//!     .access_token("token")
//!     .organization_secret("secret")
//!     .build()?;
//! let users = client.organization("org_123").users();
//! for user in users.list().limit(100).iter() {
//!     println!("{}", user?.user_id);
//! }
//! # Ok(())
//! # }
//! ```

mod builder;
mod organization;
mod runtime;
mod users;

pub use builder::ClientBuilder;
pub use organization::Organization;
pub use users::{Iter, ListUsers, Users};

use crate::error::Result;
use runtime::Runtime;
use std::sync::Arc;

/// A blocking client of the Parchment partner API: [`crate::Client`] with its own runtime.
///
/// Cheap to clone; clones share the connection pool, the token cache and the runtime.
#[derive(Clone, Debug)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<Runtime>,
}

impl Client {
    /// A builder with the async [`ClientBuilder`](crate::ClientBuilder)'s settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `PARCHMENT_*` environment variables, as
    /// [`crate::Client::from_env`] reads them.
    pub fn from_env() -> Result<Self> {
        let runtime = Runtime::new()?;
        let inner = runtime.enter(crate::Client::from_env)?;
        Ok(Self {
            inner,
            runtime: Arc::new(runtime),
        })
    }

    /// The organization `organization_id`, with this client's credentials (see
    /// [`crate::Client::organization`]).
    pub fn organization(&self, organization_id: impl Into<String>) -> Organization {
        Organization::new(
            self.inner.organization(organization_id),
            self.runtime.clone(),
        )
    }

    /// The organization `organization_id` with its own credentials (see
    /// [`crate::Client::organization_with`]).
    pub fn organization_with(
        &self,
        organization_id: impl Into<String>,
        credentials: crate::OrganizationCredentials,
    ) -> Result<Organization> {
        let organization = self.inner.organization_with(organization_id, credentials)?;
        Ok(Organization::new(organization, self.runtime.clone()))
    }

    /// The client's default organization (see [`crate::Client::default_organization`]).
    pub fn default_organization(&self) -> Result<Organization> {
        let organization = self.inner.default_organization()?;
        Ok(Organization::new(organization, self.runtime.clone()))
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &str {
        self.inner.base_url()
    }
}
