//! Building a [`Client`]: where to call, with which credentials, and how patiently.

use crate::auth::token_cache::TokenCache;
use crate::auth::{
    Auth, DEFAULT_TOKEN_RENEWAL_MARGIN, PartnerCredentials, Scope, sensitive_header,
};
#[cfg(feature = "read-cache")]
use crate::cache::{ReadCache, ReadCacheConfig};
use crate::client::Client;
use crate::clock::{Clock, SystemClock};
use crate::engine::Engine;
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::from_env::{NamedOrganization, check_name};
use crate::hooks::{AttemptEvent, HookSettings};
use crate::retry::{RateLimiter, RetryBudget, RetryPolicy};
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::hash::RandomState;
use std::sync::Arc;
use std::time::Duration;

/// How long to wait for a connection, by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for a whole response, by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest time limit (connect, response, attempt, call, token request) and token renewal
/// margin accepted: a day. A longer one is a mistake (a unit mix-up, `Duration::MAX`) that would
/// overflow clocks or pin callers for ever, and is refused by [`ClientBuilder::build`].
pub const MAX_TIME_LIMIT: Duration = Duration::from_secs(24 * 60 * 60);
/// The largest response body read, by default: a page of 100 users is about 50 KiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// The environment variables [`Client::from_env`] reads.
pub mod env_vars {
    /// `production`, `sandbox` or `dev`; or set [`BASE_URL`] instead.
    pub const ENVIRONMENT: &str = "PARCHMENT_ENVIRONMENT";
    /// A base URL such as `http://127.0.0.1:8080`; wins over [`ENVIRONMENT`].
    pub const BASE_URL: &str = "PARCHMENT_BASE_URL";
    /// A bearer token; or set [`PARTNER_ID`], [`PARTNER_SECRET`] and [`USER_ID`] instead.
    pub const ACCESS_TOKEN: &str = "PARCHMENT_ACCESS_TOKEN";
    /// The partner id, for tokens obtained and renewed by the client.
    pub const PARTNER_ID: &str = "PARCHMENT_PARTNER_ID";
    /// The partner secret.
    pub const PARTNER_SECRET: &str = "PARCHMENT_PARTNER_SECRET";
    /// The Parchment user the client's tokens act for.
    pub const USER_ID: &str = "PARCHMENT_USER_ID";
    /// The organization secret.
    pub const ORGANIZATION_SECRET: &str = "PARCHMENT_ORGANIZATION_SECRET";
    /// The organization [`Client::default_organization`](crate::Client::default_organization)
    /// addresses. With partner credentials it may be left out (with
    /// [`ORGANIZATION_SECRET`]): the client then serves the organizations given to
    /// [`Client::organization_with`](crate::Client::organization_with) or named by
    /// [`ORGANIZATIONS`].
    pub const ORGANIZATION_ID: &str = "PARCHMENT_ORGANIZATION_ID";
    /// Names of organizations, comma-separated (`CLINIC_A,CLINIC_B`; letters, digits and `_`),
    /// each configured by `PARCHMENT_ORG_<NAME>_ID`, `PARCHMENT_ORG_<NAME>_SECRET` and, when
    /// its tokens act for a user of its own, `PARCHMENT_ORG_<NAME>_USER_ID`; reached with
    /// [`Client::named_organization`](crate::Client::named_organization).
    pub const ORGANIZATIONS: &str = "PARCHMENT_ORGANIZATIONS";
    /// The prefix of each named organization's variables (see [`ORGANIZATIONS`]).
    pub const ORGANIZATION_PREFIX: &str = "PARCHMENT_ORG_";
    /// [`ClientBuilder::timeout`](crate::ClientBuilder::timeout), in seconds (fractions
    /// allowed).
    pub const TIMEOUT_SECS: &str = "PARCHMENT_TIMEOUT_SECS";
    /// [`ClientBuilder::connect_timeout`](crate::ClientBuilder::connect_timeout), in seconds.
    pub const CONNECT_TIMEOUT_SECS: &str = "PARCHMENT_CONNECT_TIMEOUT_SECS";
    /// [`ClientBuilder::attempt_timeout`](crate::ClientBuilder::attempt_timeout), in seconds.
    pub const ATTEMPT_TIMEOUT_SECS: &str = "PARCHMENT_ATTEMPT_TIMEOUT_SECS";
    /// [`ClientBuilder::call_deadline`](crate::ClientBuilder::call_deadline), in seconds.
    pub const CALL_DEADLINE_SECS: &str = "PARCHMENT_CALL_DEADLINE_SECS";
    /// Attempts per call, the first included (1 to 100; 1 turns retries off): the default
    /// [`RetryPolicy`](crate::RetryPolicy) with
    /// [`max_attempts`](crate::RetryPolicy::max_attempts).
    pub const MAX_ATTEMPTS: &str = "PARCHMENT_MAX_ATTEMPTS";
    /// [`ClientBuilder::rate_limit`](crate::ClientBuilder::rate_limit): requests a second.
    pub const RATE_LIMIT: &str = "PARCHMENT_RATE_LIMIT";
}

/// A caller's adjustments to the HTTP client builder (see
/// [`ClientBuilder::configure_http_client`]).
type ConfigureHttp = Arc<dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync>;

/// Builds a [`Client`]. Start from [`Client::builder`].
#[derive(Clone)]
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    access_token: Option<SecretString>,
    partner: Option<PartnerCredentials>,
    acting_user: Option<String>,
    scopes: Vec<Scope>,
    token_renewal_margin: Duration,
    clock: Arc<dyn Clock>,
    organization_secret: Option<SecretString>,
    default_organization: Option<String>,
    user_agent: String,
    connect_timeout: Duration,
    timeout: Duration,
    configure_http: Option<ConfigureHttp>,
    allow_insecure_http: bool,
    retry_policy: RetryPolicy,
    attempt_timeout: Option<Duration>,
    call_deadline: Option<Duration>,
    rate_limit: Option<f64>,
    max_response_bytes: Option<usize>,
    token_timeout: Duration,
    #[cfg(feature = "read-cache")]
    read_cache: Option<ReadCacheConfig>,
    hooks: HookSettings,
    pub(crate) named_organizations: Vec<(String, NamedOrganization)>,
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
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: Environment::Production.base_url().to_owned(),
            access_token: None,
            partner: None,
            acting_user: None,
            scopes: Scope::USER_OPERATIONS.to_vec(),
            token_renewal_margin: DEFAULT_TOKEN_RENEWAL_MARGIN,
            clock: Arc::new(SystemClock),
            organization_secret: None,
            default_organization: None,
            user_agent: concat!("parchment-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            configure_http: None,
            allow_insecure_http: false,
            retry_policy: RetryPolicy::default(),
            attempt_timeout: None,
            call_deadline: None,
            rate_limit: None,
            max_response_bytes: Some(DEFAULT_MAX_RESPONSE_BYTES),
            token_timeout: DEFAULT_TIMEOUT,
            #[cfg(feature = "read-cache")]
            read_cache: None,
            hooks: HookSettings::default(),
            named_organizations: Vec::new(),
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

    /// A bearer token to send as it is (`Authorization: Bearer ...`); the caller renews it. Or
    /// use [`Self::partner_credentials`] and let the client obtain and renew tokens.
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.access_token = Some(SecretString::from(token.into()));
        self
    }

    /// Partner credentials: the client asks `POST /v1/token` for a token per organization,
    /// caches it, and renews it before it expires (see [`Self::token_renewal_margin`]).
    pub fn partner_credentials(mut self, credentials: PartnerCredentials) -> Self {
        self.partner = Some(credentials);
        self
    }

    /// The Parchment user tokens act for (`x-user-id`), unless an organization's
    /// [`OrganizationCredentials`](crate::OrganizationCredentials) say otherwise.
    pub fn acting_user(mut self, user_id: impl Into<String>) -> Self {
        self.acting_user = Some(user_id.into());
        self
    }

    /// The scopes tokens ask for (default [`Scope::USER_OPERATIONS`]).
    pub fn scopes<'a>(mut self, scopes: impl IntoIterator<Item = &'a Scope>) -> Self {
        self.scopes = scopes.into_iter().cloned().collect();
        self
    }

    /// How long before its expiry a token is replaced (default 60 s; at most half its life; at
    /// most [`MAX_TIME_LIMIT`]).
    pub fn token_renewal_margin(mut self, margin: Duration) -> Self {
        self.token_renewal_margin = margin;
        self
    }

    /// The clock token expiry and cache ages are measured with (default: the system's). For
    /// tests.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The organization secret to send (`x-organization-secret`), for every organization
    /// without its own (see [`Client::organization_with`]).
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

    /// How long to wait for a connection (default 10 s; more than zero, at most
    /// [`MAX_TIME_LIMIT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long to wait for a whole response (default 30 s; more than zero, at most
    /// [`MAX_TIME_LIMIT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Adjusts the `reqwest::ClientBuilder` the SDK builds its HTTP client from (pool sizes,
    /// TCP keep-alive, extra root certificates, a proxy for remote hosts, local address...).
    ///
    /// The SDK starts from [`http_client_builder`](crate::http_client_builder), applies
    /// `configure`, then sets its own policies over whatever it set: redirects are never followed
    /// (reqwest drops `Authorization` on a cross-origin redirect, but not
    /// `x-organization-secret` nor `x-partner-secret`), the time limits are
    /// [`Self::connect_timeout`] and [`Self::timeout`], and a loopback base URL is called without
    /// any proxy. A ready-made `reqwest::Client` is not accepted, since none of that could be
    /// enforced on it.
    pub fn configure_http_client(
        mut self,
        configure: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        self.configure_http = Some(Arc::new(configure));
        self
    }

    /// Accepts plain `http://` to hosts other than loopback. Credentials then cross the network
    /// unencrypted: only for test networks.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// How failed attempts are retried (default [`RetryPolicy::default`]; per organization
    /// with [`Organization::with_retry_policy`](crate::Organization::with_retry_policy)).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// A time limit for each attempt (token included; more than zero, at most
    /// [`MAX_TIME_LIMIT`]); a late attempt fails with
    /// [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) and may be retried. Default: only the
    /// HTTP client's [`timeout`](Self::timeout).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// A time limit for a whole call, retries and waits included; past it the call fails with
    /// [`ErrorKind::Timeout`](crate::ErrorKind::Timeout), and no retry is started that could
    /// not finish in time. More than zero, at most [`MAX_TIME_LIMIT`].
    pub fn call_deadline(mut self, deadline: Duration) -> Self {
        self.call_deadline = Some(deadline);
        self
    }

    /// At most this many requests a second, across every clone of the client (evenly spaced;
    /// callers wait for their turn). Default: no limit. Must be a finite number above zero;
    /// below one a minute it is raised to one a minute.
    pub fn rate_limit(mut self, requests_per_second: f64) -> Self {
        self.rate_limit = Some(requests_per_second);
        self
    }

    /// The largest response body read (default 4 MiB); a larger one fails with
    /// [`ErrorKind::ResponseTooLarge`](crate::ErrorKind::ResponseTooLarge) without being read
    /// whole. `None`: no limit.
    pub fn max_response_bytes(mut self, max: Option<usize>) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// The time limit of one token request (`POST /v1/token`, retries included), default 30 s.
    /// Every call of an organization that needs a new token waits on the same request: past
    /// this limit it fails with [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) and the next
    /// call asks again, so that a hung request cannot hold them all. More than zero, at most
    /// [`MAX_TIME_LIMIT`].
    pub fn token_timeout(mut self, timeout: Duration) -> Self {
        self.token_timeout = timeout;
        self
    }

    #[cfg(feature = "read-cache")]
    #[cfg_attr(docsrs, doc(cfg(feature = "read-cache")))]
    /// Caches read-user responses and list pages for a while (off by default). Entries are
    /// kept per organization and credentials; any write made through this client (update,
    /// roles, create, disable, enable) outdates that organization's entries before it returns.
    /// [`Response::is_from_cache`](crate::Response::is_from_cache) tells a cached response;
    /// [`Users::fresh`](crate::Users::fresh) and
    /// [`ListUsers::fresh`](crate::ListUsers::fresh) skip the cache for one call.
    pub fn read_cache(mut self, config: ReadCacheConfig) -> Self {
        self.read_cache = Some(config);
        self
    }

    /// Adds this header to every request the client sends (the token request included): a
    /// `traceparent`, an audit id. Several calls add several headers (the same name twice sends
    /// both values). Credential headers (`authorization`, `x-partner-*`, `x-organization-*`,
    /// `x-user-id`, `cookie`, any name holding `secret`, `token` or `password`) and those the
    /// SDK sets itself (`user-agent`, `content-type`, ...) are refused by
    /// [`Self::build`] with a [`Configuration`](crate::ErrorKind::Configuration) error naming
    /// the header, never its value. See [the hooks](crate::AttemptEvent).
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.hooks.headers.push((name.into(), value.into()));
        self
    }

    /// Calls `observer` after every attempt of every call (the token request included) with
    /// its operation, organization id, attempt number, status, duration, what happens next,
    /// request id and error kind: never a body or a credential. Several observers are called
    /// in the order they were added. They run inline on the caller's task: keep them cheap.
    pub fn on_attempt(
        mut self,
        observer: impl Fn(&AttemptEvent<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.hooks.observers.push(Arc::new(observer));
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client> {
        let base_url = checked_base_url(&self.base_url, self.allow_insecure_http)?;
        self.check_limits()?;
        let hooks = self.hooks.build()?;
        let mut named_organizations = std::collections::BTreeMap::new();
        for (name, organization) in &self.named_organizations {
            check_name(name)?;
            if named_organizations
                .insert(name.clone(), organization.clone())
                .is_some()
            {
                return Err(Error::configuration(format!(
                    "two organizations are named {name}"
                )));
            }
        }
        let auth = match (&self.access_token, &self.partner) {
            (Some(_), Some(_)) => {
                return Err(Error::configuration(
                    "both an access token and partner credentials are set: choose one",
                ));
            }
            (Some(token), None) => {
                if self.organization_secret.is_none() {
                    return Err(Error::configuration(
                        "no organization secret: call ClientBuilder::organization_secret",
                    ));
                }
                Auth::static_token(token)?
            }
            (None, Some(partner)) => {
                if self.scopes.is_empty() {
                    return Err(Error::configuration(
                        "no scopes to request: call ClientBuilder::scopes",
                    ));
                }
                Auth::partner(
                    partner,
                    self.acting_user.clone(),
                    &self.scopes,
                    self.token_renewal_margin,
                )?
            }
            (None, None) => {
                return Err(Error::configuration(
                    "no access token: call ClientBuilder::access_token or partner_credentials",
                ));
            }
        };
        let organization_secret = self
            .organization_secret
            .as_ref()
            .map(|secret| sensitive_header(secret.expose_secret(), "organization secret"))
            .transpose()?;
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| Error::configuration("the user agent is not a valid header value"))?;
        let mut http = crate::tls::http_client_builder()?;
        if let Some(configure) = &self.configure_http {
            http = configure(http);
        }
        // Set after the caller's adjustments, so that they cannot be undone. reqwest drops
        // `Authorization` on a cross-origin redirect but not `x-organization-secret`: never
        // follow one.
        http = http
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none());
        if reqwest::Url::parse(&base_url).is_ok_and(|url| is_loopback(&url)) {
            // A system proxy (HTTP_PROXY, ALL_PROXY...) would see a plain-http loopback call's
            // credentials in clear text, and has no business with a local server anyway.
            http = http.no_proxy();
        }
        let http = http.build().map_err(|e| {
            Error::configuration("the HTTP client could not be built").with_source(e)
        })?;
        Ok(Client::from_engine(Engine {
            api: parchment_api::Client::new_with_client(
                &base_url,
                http,
                parchment_api::CallContext::bare(),
            ),
            auth,
            organization_secret,
            user_agent,
            default_organization: self.default_organization,
            retry_policy: self.retry_policy,
            retry_budget: RetryBudget::default(),
            rate_limiter: self.rate_limit.map(RateLimiter::per_second),
            attempt_timeout: self.attempt_timeout,
            call_deadline: self.call_deadline,
            max_response_bytes: self.max_response_bytes,
            token_timeout: self.token_timeout,
            tokens: TokenCache::default(),
            fingerprints: RandomState::new(),
            role_locks: Default::default(),
            #[cfg(feature = "read-cache")]
            read_cache: self
                .read_cache
                .as_ref()
                .map(|config| ReadCache::new(config, self.clock.clone())),
            clock: self.clock,
            hooks,
            named_organizations,
        }))
    }

    /// Refuses time limits and rates that would overflow a clock, never fire, or not limit.
    fn check_limits(&self) -> Result<()> {
        let limits = [
            ("connect_timeout", Some(self.connect_timeout)),
            ("timeout", Some(self.timeout)),
            ("attempt_timeout", self.attempt_timeout),
            ("call_deadline", self.call_deadline),
            ("token_timeout", Some(self.token_timeout)),
        ];
        for (name, limit) in limits {
            if let Some(limit) = limit
                && (limit.is_zero() || limit > MAX_TIME_LIMIT)
            {
                return Err(Error::configuration(format!(
                    "ClientBuilder::{name} must be more than zero and at most a day, got {limit:?}"
                )));
            }
        }
        if self.token_renewal_margin > MAX_TIME_LIMIT {
            return Err(Error::configuration(format!(
                "ClientBuilder::token_renewal_margin must be at most a day, got {:?}",
                self.token_renewal_margin
            )));
        }
        if let Some(rate) = self.rate_limit
            && !(rate.is_finite() && rate > 0.0)
        {
            return Err(Error::configuration(format!(
                "ClientBuilder::rate_limit must be a finite number of requests a second above \
                 zero, got {rate}"
            )));
        }
        Ok(())
    }

    /// Reads the settings from `lookup` (a variable's value by name): see [`env_vars`].
    pub(crate) fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        crate::from_env::builder_from_vars(lookup)
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

/// `raw` for `Debug`: any userinfo, query or fragment replaced by `[redacted]` (a base URL
/// refused by `build` may still carry a password or a signed query), an unparsable one whole.
fn redacted_url(raw: &str) -> String {
    let Ok(mut url) = reqwest::Url::parse(raw.trim()) else {
        return "[unparsable URL, redacted]".to_owned();
    };
    if !url.username().is_empty() || url.password().is_some() {
        let _ = url.set_username("[redacted]");
        let _ = url.set_password(None);
    }
    if url.query().is_some() {
        url.set_query(Some("[redacted]"));
    }
    if url.fragment().is_some() {
        url.set_fragment(Some("[redacted]"));
    }
    url.to_string()
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
            .field("base_url", &redacted_url(&self.base_url))
            .field("access_token", &redacted(self.access_token.is_some()))
            .field("partner_credentials", &self.partner)
            .field("acting_user", &self.acting_user)
            .field("scopes", &self.scopes)
            .field("token_renewal_margin", &self.token_renewal_margin)
            .field(
                "organization_secret",
                &redacted(self.organization_secret.is_some()),
            )
            .field("default_organization", &self.default_organization)
            .field("user_agent", &self.user_agent)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("configure_http_client", &self.configure_http.is_some())
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("retry_policy", &self.retry_policy)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("call_deadline", &self.call_deadline)
            .field("rate_limit", &self.rate_limit)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("token_timeout", &self.token_timeout)
            .field("hooks", &self.hooks)
            .field(
                "named_organizations",
                &self
                    .named_organizations
                    .iter()
                    .map(|(name, org)| (name, &org.organization_id))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::{checked_base_url, redacted_url};

    #[test]
    fn debug_urls_lose_userinfo_query_and_fragment() {
        let shown = redacted_url("https://me:hunter2@api.example.test/x?sig=abc123#frag");
        assert!(
            !shown.contains("me:") && !shown.contains("hunter2"),
            "{shown}"
        );
        assert!(
            !shown.contains("abc123") && !shown.contains("frag"),
            "{shown}"
        );
        assert!(shown.starts_with("https://"), "{shown}");
        assert!(shown.contains("api.example.test/x"), "{shown}");
        assert_eq!(
            redacted_url("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(redacted_url("not a url pw"), "[unparsable URL, redacted]");
    }

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
