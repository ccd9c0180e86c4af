//! [`Client`]: one connection pool, one way of authenticating, one token cache; shared by every
//! clone. Built by [`ClientBuilder`](crate::ClientBuilder) (in `config`, which also holds
//! [`Client::builder`] and [`Client::from_env`]).

use crate::auth::OrganizationCredentials;
#[cfg(feature = "read-cache")]
use crate::cache::{CacheStats, ReadCache};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::organization::Organization;
use std::fmt;
use std::sync::Arc;

/// A client of the Parchment partner API.
///
/// Cheap to clone (one `Arc`) and safe to share across tasks: clones share the connection pool
/// and the token cache. Address an organization with [`Client::organization`], then its users
/// with [`Organization::users`].
#[derive(Clone)]
pub struct Client {
    engine: Arc<Engine>,
}

impl Client {
    pub(crate) fn from_engine(engine: Engine) -> Self {
        Self {
            engine: Arc::new(engine),
        }
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The organization `organization_id`, with this client's credentials. The id is checked
    /// when a call is made: a bad one fails that call with
    /// [`InvalidInput`](crate::ErrorKind::InvalidInput) and sends nothing.
    ///
    /// The client's organization secret
    /// ([`ClientBuilder::organization_secret`](crate::ClientBuilder::organization_secret)) is
    /// bound to its default organization when one is set: any other id needs its own
    /// credentials ([`Client::organization_with`]), and its calls fail with
    /// [`Configuration`](crate::ErrorKind::Configuration) (nothing sent) until given them.
    /// Without a default organization the client serves one organization and its secret goes
    /// with whichever id is addressed.
    pub fn organization(&self, organization_id: impl Into<String>) -> Organization {
        Organization::new(self.engine.clone(), organization_id.into())
    }

    /// The organization `organization_id` with its own credentials (its secret and, with
    /// partner credentials, the user its tokens act for). Tokens are cached per organization,
    /// acting user, scope set and credentials.
    pub fn organization_with(
        &self,
        organization_id: impl Into<String>,
        credentials: OrganizationCredentials,
    ) -> Result<Organization> {
        Organization::new(self.engine.clone(), organization_id.into()).with_credentials(credentials)
    }

    /// The organization set by [`ClientBuilder::default_organization`](crate::ClientBuilder::default_organization)
    /// or `PARCHMENT_ORGANIZATION_ID`.
    pub fn default_organization(&self) -> Result<Organization> {
        match &self.engine.default_organization {
            Some(id) => Ok(self.organization(id.clone())),
            None => Err(Error::configuration(
                "no default organization: call ClientBuilder::default_organization",
            )),
        }
    }

    #[cfg(feature = "read-cache")]
    #[cfg_attr(docsrs, doc(cfg(feature = "read-cache")))]
    /// How the read cache has served so far; `None` when it is off (the default; see
    /// [`ClientBuilder::read_cache`](crate::ClientBuilder::read_cache)).
    pub fn cache_stats(&self) -> Option<CacheStats> {
        self.engine.read_cache.as_ref().map(ReadCache::stats)
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &str {
        parchment_api::ClientInfo::baseurl(&self.engine.api)
    }

    /// The generated low-level client, for operations this crate does not wrap. It is bare: it
    /// sends no credentials and bounds no body. Give a call its own with
    /// [`parchment_api::Client::with_context`] and a [`parchment_api::CallContext`] holding the
    /// headers (mark credential values sensitive).
    pub fn low_level(&self) -> &parchment_api::Client {
        &self.engine.api
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let engine = &*self.engine;
        let secret = engine.organization_secret.as_ref().map(|_| "[redacted]");
        let mut debug = f.debug_struct("Client");
        debug
            .field("base_url", &self.base_url())
            .field("auth", &engine.auth)
            .field("tokens", &engine.tokens)
            .field("organization_secret", &secret)
            .field("default_organization", &engine.default_organization);
        #[cfg(feature = "read-cache")]
        debug.field("read_cache", &engine.read_cache);
        debug.finish()
    }
}
