//! [`Client`]: one connection pool and one set of credentials, shared by every clone.

use crate::config::ClientBuilder;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::organization::Organization;
use std::fmt;
use std::sync::Arc;

/// A client of the Parchment partner API.
///
/// Cheap to clone (one `Arc`) and safe to share across tasks: clones share the connection pool.
/// Address an organization with [`Client::organization`], then its users with
/// [`Organization::users`].
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    api: parchment_api::Client,
    credentials: Credentials,
    default_organization: Option<String>,
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Builds a client from `PARCHMENT_*` environment variables (see
    /// [`env_vars`](crate::env_vars)). A missing or empty variable is a
    /// [`Configuration`](crate::ErrorKind::Configuration) error naming it (never its value).
    pub fn from_env() -> Result<Self> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Like [`Client::from_env`], reading variables through `lookup` (a map in tests, a secret
    /// store in production).
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        ClientBuilder::from_vars(lookup)?.build()
    }

    pub(crate) fn new(
        base_url: String,
        http: reqwest::Client,
        credentials: Credentials,
        default_organization: Option<String>,
    ) -> Self {
        let api = parchment_api::Client::new_with_client(&base_url, http);
        Self {
            inner: Arc::new(Inner {
                api,
                credentials,
                default_organization,
            }),
        }
    }

    /// The organization `organization_id`, with this client's credentials. The id is checked
    /// when a call is made: a bad one fails that call with
    /// [`InvalidInput`](crate::ErrorKind::InvalidInput) and sends nothing.
    pub fn organization(&self, organization_id: impl Into<String>) -> Organization {
        Organization::new(
            self.clone(),
            organization_id.into(),
            self.inner.credentials.clone(),
        )
    }

    /// The organization set by [`ClientBuilder::default_organization`] or
    /// `PARCHMENT_ORGANIZATION_ID`.
    pub fn default_organization(&self) -> Result<Organization> {
        match &self.inner.default_organization {
            Some(id) => Ok(self.organization(id.clone())),
            None => Err(Error::configuration(
                "no default organization: call ClientBuilder::default_organization",
            )),
        }
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &str {
        parchment_api::ClientInfo::baseurl(&self.inner.api)
    }

    /// The generated low-level client, for operations this crate does not wrap yet. It sends no
    /// credentials by itself: wrap calls in [`parchment_api::call_scope`].
    pub fn low_level(&self) -> &parchment_api::Client {
        &self.inner.api
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("credentials", &self.inner.credentials)
            .field("default_organization", &self.inner.default_organization)
            .finish()
    }
}
