//! [`ClientBuilder`]: the async builder's settings, building a blocking client.

use super::Client;
use super::runtime::Runtime;
use crate::error::Result;
use crate::{Clock, Environment, PartnerCredentials, RetryPolicy, Scope};
use std::sync::Arc;
use std::time::Duration;

/// Builds a blocking [`Client`]: each setting is [`crate::ClientBuilder`]'s, documented there.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    inner: crate::ClientBuilder,
}

/// Setters that hand their argument to the async builder's setter of the same name.
macro_rules! forward {
    ($($name:ident($value:ty)),+ $(,)?) => {$(
        #[doc = concat!("See [`crate::ClientBuilder::", stringify!($name), "`].")]
        pub fn $name(self, value: $value) -> Self {
            Self { inner: self.inner.$name(value) }
        }
    )+};
}

impl ClientBuilder {
    /// Starts from an async builder's settings (such as
    /// [`FakeParchment::client_builder`](crate::testing::FakeParchment::client_builder) in
    /// tests).
    pub fn from_async(builder: crate::ClientBuilder) -> Self {
        Self { inner: builder }
    }

    forward!(
        environment(Environment),
        partner_credentials(PartnerCredentials),
        token_renewal_margin(Duration),
        clock(Arc<dyn Clock>),
        connect_timeout(Duration),
        timeout(Duration),
        allow_insecure_http(bool),
        retry_policy(RetryPolicy),
        attempt_timeout(Duration),
        call_deadline(Duration),
        rate_limit(f64),
        max_response_bytes(Option<usize>),
        token_timeout(Duration),
    );

    /// See [`crate::ClientBuilder::base_url`].
    pub fn base_url(self, base_url: impl Into<String>) -> Self {
        Self::from_async(self.inner.base_url(base_url))
    }

    /// See [`crate::ClientBuilder::access_token`].
    pub fn access_token(self, token: impl Into<String>) -> Self {
        Self::from_async(self.inner.access_token(token))
    }

    /// See [`crate::ClientBuilder::acting_user`].
    pub fn acting_user(self, user_id: impl Into<String>) -> Self {
        Self::from_async(self.inner.acting_user(user_id))
    }

    /// See [`crate::ClientBuilder::scopes`].
    pub fn scopes<'a>(self, scopes: impl IntoIterator<Item = &'a Scope>) -> Self {
        Self::from_async(self.inner.scopes(scopes))
    }

    /// See [`crate::ClientBuilder::organization_secret`].
    pub fn organization_secret(self, secret: impl Into<String>) -> Self {
        Self::from_async(self.inner.organization_secret(secret))
    }

    /// See [`crate::ClientBuilder::default_organization`].
    pub fn default_organization(self, organization_id: impl Into<String>) -> Self {
        Self::from_async(self.inner.default_organization(organization_id))
    }

    /// See [`crate::ClientBuilder::user_agent`].
    pub fn user_agent(self, user_agent: impl Into<String>) -> Self {
        Self::from_async(self.inner.user_agent(user_agent))
    }

    /// See [`crate::ClientBuilder::read_cache`].
    #[cfg(feature = "read-cache")]
    #[cfg_attr(docsrs, doc(cfg(feature = "read-cache")))]
    pub fn read_cache(self, config: crate::ReadCacheConfig) -> Self {
        Self::from_async(self.inner.read_cache(config))
    }

    /// Checks the settings (as [`crate::ClientBuilder::build`] does), builds the client's
    /// runtime and the client on it. Inside an async runtime it refuses with
    /// [`Configuration`](crate::ErrorKind::Configuration).
    pub fn build(self) -> Result<Client> {
        let runtime = Runtime::new()?;
        let inner = runtime.enter(|| self.inner.build())?;
        Ok(Client {
            inner,
            runtime: Arc::new(runtime),
        })
    }
}
