//! Building a [`Client`]: where to call, with which credentials, and how patiently.

use crate::client::Client;
use crate::credentials::Credentials;
use crate::environment::Environment;
use crate::error::{Error, Result};
use secrecy::SecretString;
use std::fmt;
use std::time::Duration;

/// How long to wait for a connection, by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for a whole response, by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The environment variables [`Client::from_env`] reads.
pub mod env_vars {
    /// `production`, `sandbox` or `dev`; or set [`BASE_URL`] instead.
    pub const ENVIRONMENT: &str = "PARCHMENT_ENVIRONMENT";
    /// A base URL such as `http://127.0.0.1:8080`; wins over [`ENVIRONMENT`].
    pub const BASE_URL: &str = "PARCHMENT_BASE_URL";
    /// The bearer token.
    pub const ACCESS_TOKEN: &str = "PARCHMENT_ACCESS_TOKEN";
    /// The organization secret.
    pub const ORGANIZATION_SECRET: &str = "PARCHMENT_ORGANIZATION_SECRET";
    /// The organization [`Client::default_organization`](crate::Client::default_organization)
    /// addresses.
    pub const ORGANIZATION_ID: &str = "PARCHMENT_ORGANIZATION_ID";
}

/// Builds a [`Client`]. Start from [`Client::builder`].
#[derive(Clone)]
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    access_token: Option<SecretString>,
    organization_secret: Option<SecretString>,
    default_organization: Option<String>,
    user_agent: String,
    connect_timeout: Duration,
    timeout: Duration,
    http_client: Option<reqwest::Client>,
    allow_insecure_http: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: Environment::Production.base_url().to_owned(),
            access_token: None,
            organization_secret: None,
            default_organization: None,
            user_agent: concat!("parchment-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            http_client: None,
            allow_insecure_http: false,
        }
    }
}

impl ClientBuilder {
    /// Calls one of Parchment's environments (the default is production).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.base_url = environment.base_url().to_owned();
        self
    }

    /// Calls this base URL instead, such as `http://127.0.0.1:8080` for a local fake. Plain
    /// `http://` is accepted only for loopback hosts unless [`Self::allow_insecure_http`].
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// The bearer token to send (`Authorization: Bearer ...`).
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.access_token = Some(SecretString::from(token.into()));
        self
    }

    /// The organization secret to send (`x-organization-secret`).
    pub fn organization_secret(mut self, secret: impl Into<String>) -> Self {
        self.organization_secret = Some(SecretString::from(secret.into()));
        self
    }

    /// The organization [`Client::default_organization`] addresses.
    pub fn default_organization(mut self, organization_id: impl Into<String>) -> Self {
        self.default_organization = Some(organization_id.into());
        self
    }

    /// The `User-Agent` to send (default `parchment-rs/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// How long to wait for a connection (default 10 s). Ignored with [`Self::http_client`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long to wait for a whole response (default 30 s). Ignored with
    /// [`Self::http_client`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Uses this `reqwest::Client` (and its connection pool, time-outs and TLS settings). Turn
    /// its redirects off: the SDK's own client never follows them, so that credentials cannot
    /// travel to another origin.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Accepts plain `http://` to hosts other than loopback. Credentials then cross the network
    /// unencrypted: only for test networks.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client> {
        let base_url = checked_base_url(&self.base_url, self.allow_insecure_http)?;
        let access_token = self.access_token.ok_or_else(|| {
            Error::configuration("no access token: call ClientBuilder::access_token")
        })?;
        let organization_secret = self.organization_secret.ok_or_else(|| {
            Error::configuration("no organization secret: call ClientBuilder::organization_secret")
        })?;
        let credentials = Credentials::new(&access_token, &organization_secret, &self.user_agent)?;
        let http = match self.http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .timeout(self.timeout)
                // reqwest drops `Authorization` on a cross-origin redirect but not
                // `x-organization-secret`: never follow one.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| {
                    Error::configuration("the HTTP client could not be built").with_source(e)
                })?,
        };
        Ok(Client::new(
            base_url,
            http,
            credentials,
            self.default_organization,
        ))
    }

    /// Reads the settings from `lookup` (a variable's value by name): see [`env_vars`].
    pub(crate) fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let non_empty = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let required = |name: &str| {
            non_empty(name)
                .ok_or_else(|| Error::configuration(format!("{name} is not set (or empty)")))
        };
        let mut builder = Client::builder()
            .access_token(required(env_vars::ACCESS_TOKEN)?)
            .organization_secret(required(env_vars::ORGANIZATION_SECRET)?)
            .default_organization(required(env_vars::ORGANIZATION_ID)?);
        builder = match (
            non_empty(env_vars::BASE_URL),
            non_empty(env_vars::ENVIRONMENT),
        ) {
            (Some(base_url), _) => builder.base_url(base_url),
            (None, Some(name)) => builder.environment(name.parse().map_err(|_| {
                Error::configuration(format!(
                    "{} must be production, sandbox or dev",
                    env_vars::ENVIRONMENT
                ))
            })?),
            (None, None) => {
                return Err(Error::configuration(format!(
                    "set {} or {}",
                    env_vars::ENVIRONMENT,
                    env_vars::BASE_URL
                )));
            }
        };
        Ok(builder)
    }
}

/// The base URL without trailing `/` (so paths never start with `//`), refusing plain `http://`
/// to anything but loopback unless allowed.
fn checked_base_url(raw: &str, allow_insecure_http: bool) -> Result<String> {
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|_| Error::configuration("the base URL is not a valid URL"))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::configuration(
            "the base URL must not have a query or fragment",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::configuration(
            "the base URL must not carry credentials",
        ));
    }
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => {
            return Err(Error::configuration(
                "plain http:// is refused for hosts other than loopback (credentials would travel \
                 unencrypted); use https:// or ClientBuilder::allow_insecure_http",
            ));
        }
        _ => {
            return Err(Error::configuration(
                "the base URL must be https:// (or http:// to loopback)",
            ));
        }
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |set: bool| if set { "[redacted]" } else { "[not set]" };
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("access_token", &redacted(self.access_token.is_some()))
            .field(
                "organization_secret",
                &redacted(self.organization_secret.is_some()),
            )
            .field("default_organization", &self.default_organization)
            .field("user_agent", &self.user_agent)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("http_client", &self.http_client.is_some())
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::checked_base_url;

    #[test]
    fn trailing_slashes_are_dropped() {
        assert_eq!(
            checked_base_url("https://api.example.test/external/", false)
                .ok()
                .as_deref(),
            Some("https://api.example.test/external")
        );
        assert_eq!(
            checked_base_url("http://127.0.0.1:8080/", false)
                .ok()
                .as_deref(),
            Some("http://127.0.0.1:8080")
        );
    }

    #[test]
    fn plain_http_is_loopback_only_unless_allowed() {
        for loopback in [
            "http://127.0.0.1:1",
            "http://127.8.9.10",
            "http://localhost:3000",
            "http://[::1]:80",
        ] {
            assert!(checked_base_url(loopback, false).is_ok(), "{loopback}");
        }
        assert!(checked_base_url("http://api.example.test", false).is_err());
        assert!(checked_base_url("http://10.0.0.8", false).is_err());
        assert!(checked_base_url("http://api.example.test", true).is_ok());
        assert!(checked_base_url("ftp://api.example.test", true).is_err());
    }
}
