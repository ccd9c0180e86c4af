//! [`Organization`]: one clinic's handle, and the one place calls are executed.

use crate::acting_user::ActingUser;
use crate::auth::scope::ScopeSet;
use crate::auth::token_cache::TokenKey;
use crate::auth::{
    Auth, ORGANIZATION_SECRET, OrganizationCredentials, TokenRequest, request_token,
    sensitive_header,
};
use crate::cache::Entry;
use crate::client::Client;
use crate::custom_drugs::OrganizationCustomDrugs;
use crate::envelope::{GeneratedError, into_error, into_response};
use crate::error::{Error, ErrorKind, FieldError, Result};
use crate::operation::Operation;
use crate::response::Response;
use crate::retry::{CallState, Decision, RetryPolicy};
use crate::users::Users;
use crate::validate;
use futures::FutureExt;
use futures::future::Either;
use parchment_api::{CallOptions, ResponseValue};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use secrecy::ExposeSecret;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// One organization (clinic) of the partner, with the credentials its calls carry. Cheap to
/// clone (one `Arc`), to hand to tasks.
#[derive(Clone)]
pub struct Organization {
    inner: Arc<Handle>,
}

#[derive(Clone)]
struct Handle {
    client: Client,
    id: String,
    /// This organization's own secret, if given; else the client's.
    secret: Option<HeaderValue>,
    /// The user this organization's tokens act for, if given; else the client's.
    acting_user: Option<String>,
    /// The scopes this organization's tokens ask for, if given; else the client's.
    scopes: Option<ScopeSet>,
    /// The retry policy of this handle's calls, if given; else the client's.
    retry_policy: Option<RetryPolicy>,
    /// With a static token: every call's headers, built once.
    static_headers: Option<Arc<HeaderMap>>,
    /// What is wrong with `id`, checked once: every call reports it and sends nothing.
    id_problem: Option<FieldError>,
    /// With a read cache: a fingerprint of the credentials this handle's calls carry, so that
    /// entries are never shared across credentials (computed with the headers).
    #[cfg(feature = "read-cache")]
    cache_credentials: u64,
}

impl Handle {
    /// The organization secret calls send: the handle's own, else the client's.
    fn secret(&self) -> Result<&HeaderValue> {
        self.secret.as_ref().or(self.client.inner().organization_secret.as_ref()).ok_or_else(|| {
            Error::configuration(format!(
                "no organization secret for organization {}: set ClientBuilder::organization_secret \
                 or use Client::organization_with",
                self.id
            ))
        })
    }

    /// Derives what the handle's settings imply, once: the static-token headers (when the
    /// secret is known) and the cache fingerprint of the credentials.
    fn with_derived_state(mut self) -> Self {
        let inner = self.client.inner();
        #[cfg(feature = "read-cache")]
        if let Some(cache) = &inner.read_cache {
            let secret = self.secret().ok();
            self.cache_credentials = match &inner.auth {
                Auth::Static { authorization } => cache.fingerprint((secret, authorization)),
                Auth::Partner(partner) => cache.fingerprint((
                    secret,
                    &partner.partner_id,
                    self.acting_user.as_ref().or(partner.acting_user.as_ref()),
                    self.scopes.as_ref().unwrap_or(&partner.scopes),
                )),
            };
        }
        self.static_headers = match (&inner.auth, self.secret()) {
            (Auth::Static { authorization }, Ok(secret)) => {
                let mut headers = HeaderMap::with_capacity(3);
                headers.insert(ORGANIZATION_SECRET, secret.clone());
                headers.insert(USER_AGENT, inner.user_agent.clone());
                headers.insert(AUTHORIZATION, authorization.clone());
                Some(Arc::new(headers))
            }
            _ => None,
        };
        self
    }
}

/// A read going through the cache (boxed: moka's loading future is kilobytes).
pub(crate) type CacheLoad<'a, T> =
    std::pin::Pin<Box<dyn Future<Output = Result<Response<T>>> + Send + 'a>>;

/// The token a call was made with, to drop it if the server refuses it.
struct TokenUsed {
    key: TokenKey,
    serial: u64,
    reused: bool,
}

impl Organization {
    pub(crate) fn new(client: Client, id: String) -> Self {
        let handle = Handle {
            client,
            id_problem: validate::id("organization_id", &id),
            id,
            #[cfg(feature = "read-cache")]
            cache_credentials: 0,
            secret: None,
            acting_user: None,
            scopes: None,
            retry_policy: None,
            static_headers: None,
        };
        Self {
            inner: Arc::new(handle.with_derived_state()),
        }
    }

    /// This organization with its own credentials (see [`OrganizationCredentials`]).
    pub fn with_credentials(self, credentials: OrganizationCredentials) -> Result<Self> {
        let mut handle = Arc::unwrap_or_clone(self.inner);
        handle.secret = Some(sensitive_header(
            credentials.secret.expose_secret(),
            "organization secret",
        )?);
        handle.acting_user = credentials.acting_user.or(handle.acting_user);
        if let Some(scopes) = &credentials.scopes {
            if scopes.is_empty() {
                return Err(Error::configuration(
                    "no scopes to request: OrganizationCredentials::scopes was given none",
                ));
            }
            handle.scopes = Some(ScopeSet::new(scopes));
        }
        Ok(Self {
            inner: Arc::new(handle.with_derived_state()),
        })
    }

    /// This organization with its own retry policy, for the calls made through it (and its
    /// [`Users`]).
    pub fn with_retry_policy(self, policy: RetryPolicy) -> Self {
        let mut handle = Arc::unwrap_or_clone(self.inner);
        handle.retry_policy = Some(policy);
        Self {
            inner: Arc::new(handle),
        }
    }

    /// The organization's id.
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// The organization's users.
    pub fn users(&self) -> Users {
        Users::new(self.clone())
    }

    /// Calls on behalf of one of the organization's users (usually the prescriber): patients,
    /// prescriptions and that user's custom drugs. The id is checked on every call made through
    /// the handle, like every id.
    pub fn acting_as(&self, user_id: impl Into<String>) -> ActingUser {
        ActingUser::new(self.clone(), user_id.into())
    }

    /// The organization's own custom-drug catalogue.
    pub fn custom_drugs(&self) -> OrganizationCustomDrugs {
        OrganizationCustomDrugs::new(self.clone())
    }

    /// Checks the credentials against the organization and marks it as integrated with the
    /// partner (`GET .../validate`); call it once per organization you connect. The data is
    /// whether Parchment reports it validated.
    pub async fn validate(&self) -> Result<Response<bool>> {
        const OPERATION: Operation = Operation::VALIDATE_ORGANIZATION;
        let errors = self.id_errors(None);
        if !errors.is_empty() {
            return Err(Error::invalid_input(OPERATION.name, errors));
        }
        let api = self.api();
        let value = self
            .execute(OPERATION, None, || api.validate_organization(self.id()))
            .await?;
        Ok(into_response(*value, |data| data.validated))
    }

    /// `fetch`'s response, or the read cache's for `entry` (made only when there is a cache)
    /// when the client has one.
    ///
    /// Not an `async fn`: the cache's loading future (moka's, kilobytes) is boxed here, so that
    /// a read with the cache off carries only `fetch`.
    pub(crate) fn cached_read<'a, T, F>(
        &'a self,
        entry: impl FnOnce() -> Entry,
        fresh: bool,
        fetch: F,
    ) -> Either<CacheLoad<'a, T>, F>
    where
        T: Clone + Send + Sync + 'static,
        F: Future<Output = Result<Response<T>>> + Send + 'a,
    {
        #[cfg(feature = "read-cache")]
        {
            let handle = &*self.inner;
            if let Some(cache) = &handle.client.inner().read_cache {
                let credentials = handle.cache_credentials;
                return Either::Left(Box::pin(cache.get_or_fetch(
                    &handle.id,
                    credentials,
                    entry(),
                    fresh,
                    fetch,
                )));
            }
        }
        let _uncached = (entry, fresh); // nothing to key or refresh without a cache
        Either::Right(fetch)
    }

    pub(crate) fn api(&self) -> &parchment_api::Client {
        self.inner.client.low_level()
    }

    /// What is wrong with the organization id and the given user id, if anything.
    pub(crate) fn id_errors(&self, user_id: Option<&str>) -> Vec<FieldError> {
        std::iter::once(self.inner.id_problem.clone())
            .chain(user_id.map(|user_id| validate::id("user_id", user_id)))
            .flatten()
            .collect()
    }

    /// The headers one call carries: credentials (a cached or new token with partner
    /// credentials) and the user agent.
    async fn authorize(&self) -> Result<(Arc<HeaderMap>, Option<TokenUsed>)> {
        let handle = &*self.inner;
        if let Some(headers) = &handle.static_headers {
            return Ok((headers.clone(), None));
        }
        let inner = handle.client.inner();
        let secret = handle.secret()?;
        let Auth::Partner(partner) = &inner.auth else {
            // Static headers are built whenever the secret is known, and the secret is known.
            return Err(Error::configuration("no credentials for this organization"));
        };
        let acting_user = handle
            .acting_user
            .as_ref()
            .or(partner.acting_user.as_ref())
            .ok_or_else(|| {
                Error::configuration(
                    "no acting user for tokens: set ClientBuilder::acting_user or \
                     OrganizationCredentials::acting_user",
                )
            })?;
        let key = TokenKey {
            organization_id: handle.id.clone(),
            acting_user: acting_user.clone(),
            scopes: handle
                .scopes
                .clone()
                .unwrap_or_else(|| partner.scopes.clone()),
        };
        let fetch = |serial| {
            let (client, partner, key, secret) = (
                handle.client.clone(),
                partner.clone(),
                key.clone(),
                secret.clone(),
            );
            async move {
                let inner = client.inner();
                let request = TokenRequest {
                    organization_id: &key.organization_id,
                    organization_secret: &secret,
                    acting_user: &key.acting_user,
                    scopes: &key.scopes,
                    user_agent: &inner.user_agent,
                };
                let issued_at = inner.clock.now();
                request_token(&inner.api, &partner, request, issued_at, serial).await
            }
            .boxed()
        };
        let obtained = partner.cache.get(&key, inner.clock.now(), fetch).await?;
        let mut headers = HeaderMap::with_capacity(3);
        headers.insert(ORGANIZATION_SECRET, secret.clone());
        headers.insert(USER_AGENT, inner.user_agent.clone());
        headers.insert(AUTHORIZATION, obtained.token.authorization);
        let used = TokenUsed {
            key,
            serial: obtained.token.serial,
            reused: obtained.reused,
        };
        Ok((Arc::new(headers), Some(used)))
    }

    /// Runs one operation: `call` makes the generated request, and is called again for each
    /// retry (see [`RetryPolicy`](crate::RetryPolicy)) and after a refused cached token. Logs
    /// ids, status, attempt, timing, waits and request id; never a body or a credential.
    pub(crate) async fn execute<E, Fut>(
        &self,
        operation: Operation,
        user_id: Option<&str>,
        call: impl Fn() -> Fut,
    ) -> Result<Box<ResponseValue<E>>>
    where
        Fut: Future<Output = std::result::Result<ResponseValue<E>, GeneratedError>>,
    {
        // Built only when someone listens: a disabled span still costs its `log` bridge.
        let span = if tracing::enabled!(tracing::Level::DEBUG) {
            tracing::debug_span!(
                "parchment_call",
                operation = operation.name,
                organization_id = %self.inner.id,
                user_id
            )
        } else {
            tracing::Span::none()
        };
        // Whatever the outcome (a failed write may still have been applied, and a cancelled one
        // may have reached Parchment), reads cached before a write are not served after it.
        #[cfg(feature = "read-cache")]
        let _invalidate = match &self.inner.client.inner().read_cache {
            Some(cache) if operation.writes => Some(cache.invalidate_when_done(&self.inner.id)),
            _ => None,
        };
        self.run(operation, call).instrument(span).await
    }

    async fn run<E, Fut>(
        &self,
        operation: Operation,
        call: impl Fn() -> Fut,
    ) -> Result<Box<ResponseValue<E>>>
    where
        Fut: Future<Output = std::result::Result<ResponseValue<E>, GeneratedError>>,
    {
        let inner = self.inner.client.inner();
        let policy = self
            .inner
            .retry_policy
            .as_ref()
            .unwrap_or(&inner.retry_policy);
        let deadline = inner
            .call_deadline
            .map(|deadline| Instant::now() + deadline);
        let time_left =
            || deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
        let mut token_refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            if let Some(limiter) = &inner.rate_limiter {
                limiter.acquire().await;
            }
            let started = Instant::now();
            // Boxed: an attempt (credentials, time limit, the scoped call) is kilobytes, and
            // every caller's future would otherwise carry and copy it.
            let failure = match Box::pin(self.attempt(operation, &call, time_left())).await {
                Ok(value) => {
                    inner.retry_budget.refund();
                    tracing::debug!(
                        attempt,
                        status = value.status().as_u16(),
                        elapsed_ms = millis(started.elapsed()),
                        "parchment call succeeded"
                    );
                    return Ok(value);
                }
                Err(failure) => failure,
            };
            let error = failure.error;
            tracing::debug!(
                attempt,
                status = error.status().map(|s| s.as_u16()),
                kind = ?error.kind(),
                request_id = error.request_id(),
                elapsed_ms = millis(started.elapsed()),
                "parchment attempt failed"
            );
            // A cached token the server no longer accepts (revoked, or expired early) is
            // dropped and the call made once more with a new one, outside the retry policy.
            if let (ErrorKind::Unauthorized, Some(used), false) =
                (error.kind(), &failure.token_used, token_refreshed)
                && used.reused
                && let Auth::Partner(partner) = &inner.auth
            {
                partner.cache.discard(&used.key, used.serial);
                token_refreshed = true;
                tracing::info!(
                    request_id = error.request_id(),
                    "cached token refused; retrying once with a new one"
                );
                continue;
            }
            let state = CallState {
                number: attempt,
                idempotent: failure.idempotent,
                time_left: time_left(),
                budget: &inner.retry_budget,
            };
            match policy.decide(&error, state) {
                Decision::RetryAfter(wait) => {
                    tracing::info!(
                        attempt,
                        status = error.status().map(|s| s.as_u16()),
                        kind = ?error.kind(),
                        request_id = error.request_id(),
                        wait_ms = millis(wait),
                        "retrying parchment call"
                    );
                    tokio::time::sleep(wait).await;
                }
                Decision::GiveUp(reason) => {
                    tracing::info!(
                        attempt,
                        status = error.status().map(|s| s.as_u16()),
                        kind = ?error.kind(),
                        request_id = error.request_id(),
                        reason,
                        "parchment call failed"
                    );
                    return Err(error.with_attempts(attempt));
                }
            }
        }
    }

    /// One attempt: credentials, then the request, within the attempt's time limit.
    async fn attempt<E, Fut>(
        &self,
        operation: Operation,
        call: &impl Fn() -> Fut,
        time_left: Option<Duration>,
    ) -> std::result::Result<Box<ResponseValue<E>>, Failure>
    where
        Fut: Future<Output = std::result::Result<ResponseValue<E>, GeneratedError>>,
    {
        let inner = self.inner.client.inner();
        let work = async {
            let (headers, token_used) = self.authorize().await.map_err(|error| Failure {
                error,
                token_used: None,
                // Obtaining a token is a POST.
                idempotent: Operation::CREATE_TOKEN.idempotent,
            })?;
            let mut options = CallOptions::new(headers);
            options.max_response_bytes = inner.max_response_bytes;
            // The generated call's state and its decoded response are each about a kilobyte:
            // boxed where they are made, every layer above moves a pointer instead of copying
            // them (measured: a third of the SDK's own cost per call).
            let call = Box::pin(async { call().await.map(Box::new) });
            let (result, meta) = parchment_api::call_scope(options, call).await;
            match result {
                Ok(value) => Ok(value),
                Err(generated) => Err(Failure {
                    error: into_error(operation.name, generated, meta).await,
                    token_used,
                    idempotent: operation.idempotent,
                }),
            }
        };
        let (limit, what) = match (inner.attempt_timeout, time_left) {
            (Some(attempt), Some(left)) if left < attempt => {
                (Some(left), "the call's deadline passed")
            }
            (Some(attempt), _) => (Some(attempt), "no response within the attempt's time limit"),
            (None, Some(left)) => (Some(left), "the call's deadline passed"),
            (None, None) => (None, ""),
        };
        match limit {
            None => work.await,
            Some(limit) => tokio::time::timeout(limit, work)
                .await
                .unwrap_or_else(|_elapsed| {
                    Err(Failure {
                        error: Error::new(ErrorKind::Timeout, operation.name, what),
                        token_used: None,
                        idempotent: operation.idempotent,
                    })
                }),
        }
    }
}

/// A failed attempt, and what the retry logic needs to know of it.
struct Failure {
    error: Error,
    token_used: Option<TokenUsed>,
    /// Whether the failed step may be repeated (the token request is a POST).
    idempotent: bool,
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl fmt::Debug for Organization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let handle = &*self.inner;
        f.debug_struct("Organization")
            .field("id", &handle.id)
            .field("secret", &handle.secret.as_ref().map(|_| "[redacted]"))
            .field("acting_user", &handle.acting_user)
            .field("scopes", &handle.scopes)
            .field("retry_policy", &handle.retry_policy)
            .finish()
    }
}
