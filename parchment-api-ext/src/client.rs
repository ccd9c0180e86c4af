//! [`Client`]: one connection pool, one way of authenticating, one token cache; shared by every
//! clone.

use crate::auth::{Auth, OrganizationCredentials};
#[cfg(feature = "read-cache")]
use crate::cache::{CacheStats, ReadCache};
use crate::clock::Clock;
use crate::config::ClientBuilder;
use crate::error::{Error, Result};
use crate::organization::Organization;
use crate::retry::{RateLimiter, RetryBudget, RetryPolicy};
use reqwest::header::HeaderValue;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A client of the Parchment partner API.
///
/// Cheap to clone (one `Arc`) and safe to share across tasks: clones share the connection pool
/// and the token cache. Address an organization with [`Client::organization`], then its users
/// with [`Organization::users`].
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) api: parchment_api::Client,
    pub(crate) auth: Auth,
    /// The organization secret handles use unless given their own.
    pub(crate) organization_secret: Option<HeaderValue>,
    pub(crate) user_agent: HeaderValue,
    pub(crate) default_organization: Option<String>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) retry_policy: RetryPolicy,
    /// Shared by every call of the client, so that an outage does not multiply traffic.
    pub(crate) retry_budget: RetryBudget,
    pub(crate) rate_limiter: Option<RateLimiter>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) call_deadline: Option<Duration>,
    pub(crate) max_response_bytes: Option<usize>,
    #[cfg(feature = "read-cache")]
    pub(crate) read_cache: Option<ReadCache>,
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

    pub(crate) fn from_inner(inner: Inner) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    /// The organization `organization_id`, with this client's credentials. The id is checked
    /// when a call is made: a bad one fails that call with
    /// [`InvalidInput`](crate::ErrorKind::InvalidInput) and sends nothing.
    pub fn organization(&self, organization_id: impl Into<String>) -> Organization {
        Organization::new(self.clone(), organization_id.into())
    }

    /// The organization `organization_id` with its own credentials (its secret and, with
    /// partner credentials, the user its tokens act for). Tokens are cached per organization,
    /// acting user and scope set.
    pub fn organization_with(
        &self,
        organization_id: impl Into<String>,
        credentials: OrganizationCredentials,
    ) -> Result<Organization> {
        Organization::new(self.clone(), organization_id.into()).with_credentials(credentials)
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

    #[cfg(feature = "read-cache")]
    #[cfg_attr(docsrs, doc(cfg(feature = "read-cache")))]
    /// How the read cache has served so far; `None` when it is off (the default; see
    /// [`ClientBuilder::read_cache`]).
    pub fn cache_stats(&self) -> Option<CacheStats> {
        self.inner.read_cache.as_ref().map(ReadCache::stats)
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &str {
        parchment_api::ClientInfo::baseurl(&self.inner.api)
    }

    /// The generated low-level client, for operations this crate does not wrap. It sends no
    /// credentials by itself: wrap calls in [`parchment_api::call_scope`].
    pub fn low_level(&self) -> &parchment_api::Client {
        &self.inner.api
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = self
            .inner
            .organization_secret
            .as_ref()
            .map(|_| "[redacted]");
        let mut debug = f.debug_struct("Client");
        debug
            .field("base_url", &self.base_url())
            .field("auth", &self.inner.auth)
            .field("organization_secret", &secret)
            .field("default_organization", &self.inner.default_organization);
        #[cfg(feature = "read-cache")]
        debug.field("read_cache", &self.inner.read_cache);
        debug.finish()
    }
}
