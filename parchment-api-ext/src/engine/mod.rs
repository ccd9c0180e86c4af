//! The call engine: the one path every call takes, the token request included.
//!
//! ```text
//! credentials → rate limit → attempt (time limit, body limit) → decode → classify → retry
//! ```
//!
//! Handles ([`Organization`](crate::Organization), [`Users`](crate::Users), and the resources to
//! come) hold ids and credentials as a [`Target`] and describe operations as [`Call`]s; they
//! never execute them. The engine imports no handle.
//!
//! # How to add an operation
//!
//! 1. Describe it in `openapi/parchment.yaml` and run `cargo xtask regenerate` (the generated
//!    client and the typed mocks follow).
//! 2. In the resource's own file (and nowhere else), write one `Call` impl: the descriptor
//!    (`Operation::read/replace/create("name")`, or a constant of `operation.rs`), the generated
//!    envelope (declared with `crate::envelope::success_envelope!` when it is new: one line),
//!    the output, how to send the generated request, and how to normalize the success:
//!
//!    ```ignore
//!    struct ReadUser<'a> { user_id: &'a str }
//!
//!    impl Call for ReadUser<'_> {
//!        const OPERATION: Operation = Operation::READ_USER;
//!        type Envelope = types::ReadUserResponse;
//!        type Output = User;
//!        fn user_id(&self) -> Option<&str> { Some(self.user_id) }
//!        fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
//!            api.read_user(organization_id, self.user_id)
//!        }
//!        fn normalize(data: types::User) -> Normalized<User> { Ok(User::from(data)) }
//!    }
//!    ```
//!
//! 3. The handle method validates (nothing is sent on a refusal) and runs it:
//!    `organization.run(ReadUser { user_id }).await`.
//!
//! Porting an operation written as `org.execute(OPERATION, Some(user_id), || api.method(..))`
//! followed by `into_response(*value, convert)` is mechanical: the closure's body becomes `send`,
//! `convert` becomes `normalize`, and the two lines become `organization.run(call)`.
//!
//! Tracing: one `parchment_call` span per call (operation, organization id, user id) and events
//! with attempt, status, kind, timing, waits and request id; never a body or a credential.

mod call;
mod credentials;

pub(crate) use call::{Api, Call, Normalized, Sent};
pub(crate) use credentials::Credentials;

use crate::auth::Auth;
use crate::auth::token_cache::TokenCache;
use crate::cache::Entry;
#[cfg(feature = "read-cache")]
use crate::cache::ReadCache;
use crate::clock::Clock;
use crate::envelope::{decode_failure, decode_success};
use crate::error::{Error, ErrorKind, FieldError, Result};
use crate::hooks::{AttemptEvent, AttemptOutcome, Hooks};
use crate::response::Response;
use crate::retry::{CallState, Decision, RateLimiter, RetryBudget, RetryPolicy};
use credentials::TokenUsed;
use parchment_api::CallContext;
use reqwest::header::{HeaderMap, HeaderValue};
use std::future::Future;
use std::hash::RandomState;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// The runtime of one client, shared by its clones and handles: the connection pool, the
/// credentials it was built with, the token cache, retry, rate and time limits.
pub(crate) struct Engine {
    /// The generated client with a bare context: base URL and connection pool. Each attempt
    /// derives a client carrying that attempt's context from it.
    pub(crate) api: parchment_api::Client,
    pub(crate) auth: Auth,
    /// The client-wide organization secret, bound to `default_organization` when one is set.
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
    /// The time limit of one shared token fetch (retries included), whoever waits on it.
    pub(crate) token_timeout: Duration,
    pub(crate) tokens: TokenCache,
    /// The key of credential fingerprints (token cache keys): a keyed hash, not a secret.
    pub(crate) fingerprints: RandomState,
    #[cfg(feature = "read-cache")]
    pub(crate) read_cache: Option<ReadCache>,
    /// Serializes the read-change-write role helpers per (organization, user).
    pub(crate) role_locks: crate::users::RoleLocks,
    /// Headers added to every request, and the observers of every attempt.
    pub(crate) hooks: Hooks,
    /// Organizations configured under a name (`Client::named_organization`).
    pub(crate) named_organizations:
        std::collections::BTreeMap<String, crate::from_env::NamedOrganization>,
}

/// Who a call is made for and with which credentials: built once per handle.
#[derive(Clone)]
pub(crate) struct Target {
    pub(crate) organization_id: String,
    pub(crate) credentials: Credentials,
    /// The retry policy of this handle's calls, if given; else the client's.
    pub(crate) retry_policy: Option<RetryPolicy>,
    /// What is wrong with the organization id, checked once: every call reports it and sends
    /// nothing.
    pub(crate) id_problem: Option<FieldError>,
    /// With a read cache: a fingerprint of the credentials this target's calls carry, so that
    /// entries are never shared across credentials.
    #[cfg(feature = "read-cache")]
    pub(crate) cache_credentials: u64,
}

/// Held for the whole of a call: for a write with a read cache, what invalidates the
/// organization's cached reads when the call ends, whatever its outcome.
#[cfg(feature = "read-cache")]
type WriteGuard<'a> = Option<crate::cache::InvalidateOnDrop<'a>>;
#[cfg(not(feature = "read-cache"))]
type WriteGuard<'a> = std::marker::PhantomData<&'a ()>;

/// A read going through the cache (boxed: moka's loading future is kilobytes).
pub(crate) type CacheLoad<'a, T> =
    std::pin::Pin<Box<dyn Future<Output = Result<Response<T>>> + Send + 'a>>;

/// A failed attempt, and what the retry logic needs to know of it.
struct Failure {
    error: Error,
    token_used: Option<TokenUsed>,
    /// The credentials step failed: a token request that the engine already ran (and retried)
    /// as a call of its own, or missing credentials. Not retried again.
    credentials: bool,
}

impl Engine {
    /// Runs `call` for `target`: the one path of every call. Retries follow the target's
    /// [`RetryPolicy`]; a cached token the server refuses is dropped and the call made once
    /// more with a new one.
    ///
    /// Not an `async fn`, and inlined: the future returned is the retry loop itself, in its
    /// span, built where the caller awaits it. Each layer of `async`, and each by-value return
    /// of a future, copies the call's kilobytes of state once more.
    #[inline]
    pub(crate) fn run<'a, C: Call>(
        self: &'a Arc<Self>,
        target: &'a Target,
        call: &'a C,
    ) -> impl Future<Output = Result<Response<C::Output>>> + 'a {
        let (span, write_guard) = self.call_setup(target, call);
        self.retry_loop(target, call, write_guard).instrument(span)
    }

    /// The call's span, and for a write, what drops the organization's cached reads when the
    /// call ends. Kept apart so that [`Self::run`] stays small enough to inline.
    fn call_setup<'a, C: Call>(
        self: &'a Arc<Self>,
        target: &'a Target,
        call: &C,
    ) -> (tracing::Span, WriteGuard<'a>) {
        let operation = C::OPERATION;
        // Built only when someone listens: a disabled span still costs its `log` bridge.
        let span = if tracing::enabled!(tracing::Level::DEBUG) {
            tracing::debug_span!(
                "parchment_call",
                operation = operation.name,
                organization_id = %target.organization_id,
                user_id = call.user_id()
            )
        } else {
            tracing::Span::none()
        };
        // Whatever the outcome (a failed write may still have been applied, and a cancelled one
        // may have reached Parchment), reads cached before a write are not served after it.
        #[cfg(feature = "read-cache")]
        let write_guard = match &self.read_cache {
            Some(cache) if operation.writes => {
                Some(cache.invalidate_when_done(&target.organization_id))
            }
            _ => None,
        };
        #[cfg(not(feature = "read-cache"))]
        let write_guard = std::marker::PhantomData;
        (span, write_guard)
    }

    /// The read cache's answer for `call` (kept under `entry`, made only when there is a
    /// cache), or `None` when the client has no read cache: the caller then awaits
    /// [`Self::run`] itself, so that a read with the cache off carries only the call. Boxed:
    /// moka's loading future is kilobytes.
    pub(crate) fn cached<'a, C>(
        self: &'a Arc<Self>,
        target: &'a Target,
        call: &'a C,
        entry: impl FnOnce() -> Entry,
        fresh: bool,
    ) -> Option<CacheLoad<'a, C::Output>>
    where
        C: Call,
        C::Output: Clone + serde::Serialize + Send + Sync + 'static,
    {
        #[cfg(feature = "read-cache")]
        if let Some(cache) = &self.read_cache {
            return Some(Box::pin(cache.get_or_fetch(
                &target.organization_id,
                target.cache_credentials,
                entry(),
                fresh,
                self.run(target, call),
            )));
        }
        let _uncached = (target, call, entry, fresh); // nothing to key or refresh without a cache
        None
    }

    async fn retry_loop<C: Call>(
        self: &Arc<Self>,
        target: &Target,
        call: &C,
        _write_guard: WriteGuard<'_>,
    ) -> Result<Response<C::Output>> {
        let operation = C::OPERATION;
        let policy = target.retry_policy.as_ref().unwrap_or(&self.retry_policy);
        let deadline = self
            .call_deadline
            .and_then(|limit| Instant::now().checked_add(limit));
        let time_left =
            || deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
        let mut token_refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            // The wait for a rate-limit slot counts against the call's deadline: a slot after
            // it fails the call now instead of sleeping past it (and gives the slot back).
            if let Some(limiter) = &self.rate_limiter
                && let Err(late) = limiter
                    .acquire(time_left().map(|left| tokio::time::Instant::now() + left))
                    .await
            {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    operation.name,
                    format!(
                        "the call's deadline would pass waiting {} ms for a rate-limit slot",
                        millis(late.wait)
                    ),
                )
                .with_attempts(attempt - 1));
            }
            let started = Instant::now();
            let failure = match self.attempt(target, call, time_left()).await {
                Ok(response) => {
                    self.retry_budget.refund();
                    self.hooks.observe(|| AttemptEvent {
                        operation: operation.name,
                        organization_id: &target.organization_id,
                        attempt,
                        status: Some(response.status()),
                        duration: started.elapsed(),
                        outcome: AttemptOutcome::Succeeded,
                        request_id: response.request_id(),
                        error_kind: None,
                    });
                    tracing::debug!(
                        attempt,
                        status = response.status().as_u16(),
                        elapsed_ms = millis(started.elapsed()),
                        "parchment call succeeded"
                    );
                    return Ok(response);
                }
                Err(failure) => failure,
            };
            let error = failure.error;
            // Every failed attempt ends at one of the `observe_failure` calls below, with what
            // happens next.
            let duration = started.elapsed();
            let observe_failure = |outcome| {
                self.hooks.observe(|| AttemptEvent {
                    operation: operation.name,
                    organization_id: &target.organization_id,
                    attempt,
                    status: error.status(),
                    duration,
                    outcome,
                    request_id: error.request_id(),
                    error_kind: Some(error.kind()),
                });
            };
            tracing::debug!(
                attempt,
                status = error.status().map(|s| s.as_u16()),
                kind = ?error.kind(),
                request_id = error.request_id(),
                elapsed_ms = millis(started.elapsed()),
                "parchment attempt failed"
            );
            // A cached token the server no longer accepts (revoked, or expired early) is
            // dropped (that token only: the key holds every credential that obtained it) and
            // the call made once more with a new one, outside the retry policy.
            if let (ErrorKind::Unauthorized, Some(used), false) =
                (error.kind(), &failure.token_used, token_refreshed)
                && used.reused
            {
                self.tokens.discard(&used.key, used.serial);
                token_refreshed = true;
                observe_failure(AttemptOutcome::RetryWithNewToken);
                tracing::info!(
                    request_id = error.request_id(),
                    "cached token refused; retrying once with a new one"
                );
                continue;
            }
            let state = CallState {
                number: attempt,
                idempotent: operation.idempotent,
                time_left: time_left(),
                budget: &self.retry_budget,
            };
            let decision = if failure.credentials {
                Decision::GiveUp("no credentials (a token request is retried as a call of its own)")
            } else {
                policy.decide(&error, state)
            };
            match decision {
                Decision::RetryAfter(wait) => {
                    observe_failure(AttemptOutcome::RetryAfter(wait));
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
                    observe_failure(AttemptOutcome::GaveUp);
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

    /// One attempt: credentials, then the request under its own context, within the attempt's
    /// time limit, then the one decode.
    async fn attempt<C: Call>(
        self: &Arc<Self>,
        target: &Target,
        call: &C,
        time_left: Option<Duration>,
    ) -> std::result::Result<Response<C::Output>, Failure> {
        let operation = C::OPERATION;
        // Made inside the branch that awaits it: a future made before the match would be held
        // twice in the attempt's state (as itself, and moved into the time limit).
        let work = || async {
            let (headers, token_used) =
                self.credentials(target).await.map_err(|error| Failure {
                    error,
                    token_used: None,
                    credentials: true,
                })?;
            let headers = self.hooks.headers(headers);
            // The engine reads only the metadata the hook records: progenitor's copy of every
            // response's headers would be wasted work.
            let context = CallContext::new(headers.clone())
                .max_response_bytes(self.max_response_bytes)
                .metadata_only();
            let api = self.api.with_context(context);
            // Decoded where the value lands: a success is normalized at once (no state of its
            // own to copy the decoded kilobyte through). A failure's decode (which may read an
            // unexpected body) is boxed: the cold path then adds nothing to every call's state.
            // The send's result (a kilobyte) ends with the inner block, before any await: an
            // await's output cannot share the space of the future that produced it, so a result
            // still alive at the failure's await was a kilobyte more in every call's state.
            let failure = {
                let sent = call.send(&api, &target.organization_id).await;
                let meta = api.context().take_response();
                match sent {
                    Ok(value) => {
                        return decode_success(operation.name, value, meta, C::normalize).map_err(
                            |error| Failure {
                                error,
                                token_used,
                                credentials: false,
                            },
                        );
                    }
                    Err(generated) => Box::pin(decode_failure(
                        operation.name,
                        generated,
                        meta,
                        secrets_sent(&headers),
                    )),
                }
            };
            Err(Failure {
                error: failure.await,
                token_used,
                credentials: false,
            })
        };
        // One future under one time limit. (Applying a deadline to each wait instead was
        // measured: the retry loop's state grows by half, and its callers' copies of it cost
        // what was saved.)
        let (limit, what) = match (self.attempt_timeout, time_left) {
            (Some(attempt), Some(left)) if left < attempt => {
                (Some(left), "the call's deadline passed")
            }
            (Some(attempt), _) => (Some(attempt), "no response within the attempt's time limit"),
            (None, Some(left)) => (Some(left), "the call's deadline passed"),
            (None, None) => (None, ""),
        };
        match limit {
            None => work().await,
            Some(limit) => tokio::time::timeout(limit, work())
                .await
                .unwrap_or_else(|_elapsed| {
                    Err(Failure {
                        error: Error::new(ErrorKind::Timeout, operation.name, what),
                        token_used: None,
                        credentials: false,
                    })
                }),
        }
    }
}

/// The credential values `headers` carry, masked in any body snippet of a failure (a
/// gateway's page may echo request headers); the bearer token also without its `Bearer `
/// prefix.
fn secrets_sent(headers: &HeaderMap) -> Vec<&str> {
    headers
        .values()
        .filter(|value| value.is_sensitive())
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| [value, value.strip_prefix("Bearer ").unwrap_or("")])
        .collect()
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
