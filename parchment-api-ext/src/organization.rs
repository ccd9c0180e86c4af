//! [`Organization`]: one clinic's handle, and the one place calls are executed.

use crate::auth::scope::ScopeSet;
use crate::auth::token_cache::TokenKey;
use crate::auth::{
    Auth, ORGANIZATION_SECRET, OrganizationCredentials, TokenRequest, request_token,
    sensitive_header,
};
use crate::client::Client;
use crate::envelope::{GeneratedError, into_error, into_response};
use crate::error::{Error, ErrorKind, FieldError, Result};
use crate::operation::Operation;
use crate::response::Response;
use crate::retry::{CallState, Decision, RetryPolicy};
use crate::users::Users;
use crate::validate;
use futures::FutureExt;
use parchment_api::{CallOptions, ResponseValue};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use secrecy::ExposeSecret;
use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// One organization (clinic) of the partner, with the credentials its calls carry.
#[derive(Clone)]
pub struct Organization {
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
}

/// The token a call was made with, to drop it if the server refuses it.
struct TokenUsed {
    key: TokenKey,
    serial: u64,
    reused: bool,
}

impl Organization {
    pub(crate) fn new(client: Client, id: String) -> Self {
        Self {
            client,
            id,
            secret: None,
            acting_user: None,
            scopes: None,
            retry_policy: None,
        }
    }

    /// This organization with its own credentials (see [`OrganizationCredentials`]).
    pub fn with_credentials(mut self, credentials: OrganizationCredentials) -> Result<Self> {
        self.secret = Some(sensitive_header(
            credentials.secret.expose_secret(),
            "organization secret",
        )?);
        self.acting_user = credentials.acting_user.or(self.acting_user);
        if let Some(scopes) = &credentials.scopes {
            if scopes.is_empty() {
                return Err(Error::configuration(
                    "no scopes to request: OrganizationCredentials::scopes was given none",
                ));
            }
            self.scopes = Some(ScopeSet::new(scopes));
        }
        Ok(self)
    }

    /// This organization with its own retry policy, for the calls made through it (and its
    /// [`Users`]).
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// The organization's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The organization's users.
    pub fn users(&self) -> Users {
        Users::new(self.clone())
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
        Ok(into_response(value, |data| data.validated))
    }

    pub(crate) fn api(&self) -> &parchment_api::Client {
        self.client.low_level()
    }

    /// What is wrong with the organization id and the given user id, if anything.
    pub(crate) fn id_errors(&self, user_id: Option<&str>) -> Vec<FieldError> {
        std::iter::once(validate::id("organization_id", &self.id))
            .chain(user_id.map(|user_id| validate::id("user_id", user_id)))
            .flatten()
            .collect()
    }

    /// The headers one call carries: credentials (a cached or new token with partner
    /// credentials) and the user agent.
    async fn authorize(&self) -> Result<(HeaderMap, Option<TokenUsed>)> {
        let inner = self.client.inner();
        let secret = self.secret.as_ref().or(inner.organization_secret.as_ref()).ok_or_else(|| {
            Error::configuration(format!(
                "no organization secret for organization {}: set ClientBuilder::organization_secret \
                 or use Client::organization_with",
                self.id
            ))
        })?;
        let mut headers = HeaderMap::with_capacity(3);
        headers.insert(ORGANIZATION_SECRET, secret.clone());
        headers.insert(USER_AGENT, inner.user_agent.clone());
        let token_used = match &inner.auth {
            Auth::Static { authorization } => {
                headers.insert(AUTHORIZATION, authorization.clone());
                None
            }
            Auth::Partner(partner) => {
                let acting_user = self
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
                    organization_id: self.id.clone(),
                    acting_user: acting_user.clone(),
                    scopes: self
                        .scopes
                        .clone()
                        .unwrap_or_else(|| partner.scopes.clone()),
                };
                let fetch = |serial| {
                    let (client, partner, key, secret) = (
                        self.client.clone(),
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
                headers.insert(AUTHORIZATION, obtained.token.authorization);
                Some(TokenUsed {
                    key,
                    serial: obtained.token.serial,
                    reused: obtained.reused,
                })
            }
        };
        Ok((headers, token_used))
    }

    /// Runs one operation: `call` makes the generated request, and is called again for each
    /// retry (see [`RetryPolicy`](crate::RetryPolicy)) and after a refused cached token. Logs
    /// ids, status, attempt, timing, waits and request id; never a body or a credential.
    pub(crate) async fn execute<E, Fut>(
        &self,
        operation: Operation,
        user_id: Option<&str>,
        call: impl Fn() -> Fut,
    ) -> Result<ResponseValue<E>>
    where
        Fut: Future<Output = std::result::Result<ResponseValue<E>, GeneratedError>>,
    {
        let span = tracing::debug_span!(
            "parchment_call",
            operation = operation.name,
            organization_id = %self.id,
            user_id
        );
        self.run(operation, call).instrument(span).await
    }

    async fn run<E, Fut>(
        &self,
        operation: Operation,
        call: impl Fn() -> Fut,
    ) -> Result<ResponseValue<E>>
    where
        Fut: Future<Output = std::result::Result<ResponseValue<E>, GeneratedError>>,
    {
        let inner = self.client.inner();
        let policy = self.retry_policy.as_ref().unwrap_or(&inner.retry_policy);
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
            let failure = match self.attempt(operation, &call, time_left()).await {
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
    ) -> std::result::Result<ResponseValue<E>, Failure>
    where
        Fut: Future<Output = std::result::Result<ResponseValue<E>, GeneratedError>>,
    {
        let inner = self.client.inner();
        let work = async {
            let (headers, token_used) = self.authorize().await.map_err(|error| Failure {
                error,
                token_used: None,
                // Obtaining a token is a POST.
                idempotent: Operation::CREATE_TOKEN.idempotent,
            })?;
            let mut options = CallOptions::new(headers);
            options.max_response_bytes = inner.max_response_bytes;
            let (result, meta) = parchment_api::call_scope(options, call()).await;
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
        f.debug_struct("Organization")
            .field("id", &self.id)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .field("acting_user", &self.acting_user)
            .field("scopes", &self.scopes)
            .field("retry_policy", &self.retry_policy)
            .finish()
    }
}
