//! Credentials: a static bearer token, or partner credentials exchanged for tokens that the
//! client caches per organization and credentials and renews before they expire (the exchange
//! itself runs through the engine, like every call).

pub(crate) mod scope;
pub(crate) mod token_cache;

use crate::error::{Error, Result};
use reqwest::header::{HeaderName, HeaderValue};
use scope::ScopeSet;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use scope::Scope;

/// How long before a token's expiry it is replaced, by default.
pub const DEFAULT_TOKEN_RENEWAL_MARGIN: Duration = Duration::from_secs(60);

pub(crate) const ORGANIZATION_SECRET: HeaderName = HeaderName::from_static("x-organization-secret");

/// A partner's id and secret, issued by Parchment: what the client exchanges for tokens.
#[derive(Clone)]
pub struct PartnerCredentials {
    partner_id: String,
    partner_secret: SecretString,
}

impl PartnerCredentials {
    /// The partner's id and secret.
    pub fn new(partner_id: impl Into<String>, partner_secret: impl Into<String>) -> Self {
        Self {
            partner_id: partner_id.into(),
            partner_secret: SecretString::from(partner_secret.into()),
        }
    }
}

impl fmt::Debug for PartnerCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartnerCredentials")
            .field("partner_id", &self.partner_id)
            .field("partner_secret", &"[redacted]")
            .finish()
    }
}

/// One organization's own credentials, for partners that serve many: its secret and, with
/// partner credentials, the Parchment user its tokens act for and the scopes they ask for.
#[derive(Clone)]
#[must_use]
pub struct OrganizationCredentials {
    pub(crate) secret: SecretString,
    pub(crate) acting_user: Option<String>,
    pub(crate) scopes: Option<Vec<Scope>>,
}

impl OrganizationCredentials {
    /// The organization's secret.
    pub fn new(organization_secret: impl Into<String>) -> Self {
        Self {
            secret: SecretString::from(organization_secret.into()),
            acting_user: None,
            scopes: None,
        }
    }

    /// The Parchment user this organization's tokens act for (`x-user-id`).
    pub fn acting_user(mut self, user_id: impl Into<String>) -> Self {
        self.acting_user = Some(user_id.into());
        self
    }

    /// The scopes this organization's tokens ask for (default: the client's).
    pub fn scopes<'a>(mut self, scopes: impl IntoIterator<Item = &'a Scope>) -> Self {
        self.scopes = Some(scopes.into_iter().cloned().collect());
        self
    }
}

impl fmt::Debug for OrganizationCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OrganizationCredentials")
            .field("secret", &"[redacted]")
            .field("acting_user", &self.acting_user)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// A header value holding a credential: checked, and marked sensitive.
pub(crate) fn sensitive_header(value: &str, what: &str) -> Result<HeaderValue> {
    let mut header = HeaderValue::from_str(value.trim()).map_err(|_| {
        Error::configuration(format!("the {what} holds characters a header cannot carry"))
    })?;
    header.set_sensitive(true);
    Ok(header)
}

/// How a client authenticates its calls.
pub(crate) enum Auth {
    /// One bearer token, given by the caller.
    Static { authorization: HeaderValue },
    /// Partner credentials, exchanged for cached tokens.
    Partner(Arc<PartnerAuth>),
}

pub(crate) struct PartnerAuth {
    pub(crate) partner_id: HeaderValue,
    pub(crate) partner_secret: HeaderValue,
    pub(crate) acting_user: Option<String>,
    pub(crate) scopes: ScopeSet,
    pub(crate) renewal_margin: Duration,
}

impl Auth {
    pub(crate) fn static_token(token: &SecretString) -> Result<Self> {
        let authorization = sensitive_header(
            &format!("Bearer {}", token.expose_secret().trim()),
            "access token",
        )?;
        Ok(Self::Static { authorization })
    }

    pub(crate) fn partner(
        credentials: &PartnerCredentials,
        acting_user: Option<String>,
        scopes: &[Scope],
        renewal_margin: Duration,
    ) -> Result<Self> {
        let partner_id = HeaderValue::from_str(credentials.partner_id.trim()).map_err(|_| {
            Error::configuration("the partner id holds characters a header cannot carry")
        })?;
        Ok(Self::Partner(Arc::new(PartnerAuth {
            partner_id,
            partner_secret: sensitive_header(
                credentials.partner_secret.expose_secret(),
                "partner secret",
            )?,
            acting_user,
            scopes: ScopeSet::new(scopes),
            renewal_margin,
        })))
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Static { .. } => f.write_str("StaticToken([redacted])"),
            Auth::Partner(partner) => f
                .debug_struct("PartnerCredentials")
                .field("partner_id", &partner.partner_id)
                .field("partner_secret", &"[redacted]")
                .field("acting_user", &partner.acting_user)
                .field("scopes", &partner.scopes)
                .finish(),
        }
    }
}
