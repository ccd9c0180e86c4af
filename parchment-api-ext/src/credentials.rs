//! The credentials a call carries, kept as secrets and sent as sensitive headers.

use crate::error::{Error, Result};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;

/// The organization secret's header.
pub(crate) const ORGANIZATION_SECRET_HEADER: HeaderName =
    HeaderName::from_static("x-organization-secret");

/// The headers every call of one organization sends, built once. Values holding a credential are
/// marked sensitive, so that `http`'s `Debug` prints `Sensitive` rather than the value.
#[derive(Clone)]
pub(crate) struct Credentials {
    headers: Arc<HeaderMap>,
}

impl Credentials {
    pub(crate) fn new(
        access_token: &SecretString,
        organization_secret: &SecretString,
        user_agent: &str,
    ) -> Result<Self> {
        let sensitive = |value: String, what: &str| {
            let mut value = HeaderValue::try_from(value).map_err(|_| {
                Error::configuration(format!("the {what} holds characters a header cannot carry"))
            })?;
            value.set_sensitive(true);
            Ok::<_, Error>(value)
        };
        let mut headers = HeaderMap::with_capacity(3);
        headers.insert(
            AUTHORIZATION,
            sensitive(
                format!("Bearer {}", access_token.expose_secret().trim()),
                "access token",
            )?,
        );
        headers.insert(
            ORGANIZATION_SECRET_HEADER,
            sensitive(
                organization_secret.expose_secret().trim().to_owned(),
                "organization secret",
            )?,
        );
        headers.insert(
            USER_AGENT,
            HeaderValue::try_from(user_agent)
                .map_err(|_| Error::configuration("the user agent is not a valid header value"))?,
        );
        Ok(Self {
            headers: Arc::new(headers),
        })
    }

    /// The headers for one call.
    pub(crate) fn headers(&self) -> HeaderMap {
        HeaderMap::clone(&self.headers)
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials { access_token: [redacted], organization_secret: [redacted] }")
    }
}
