//! Per-client hooks: headers added to every request, and observers told of every attempt.
//!
//! Both are set on the [`ClientBuilder`](crate::ClientBuilder) and shared by every clone of
//! the client and every organization it addresses; the token request (`POST /v1/token`) goes
//! through the same engine, so it carries the headers and is observed too (its operation is
//! `create token`).
//!
//! - [`ClientBuilder::default_header`](crate::ClientBuilder::default_header) adds a header to
//!   every request: a `traceparent`, an audit id. Credential headers (and the headers the SDK
//!   sets itself) are refused when the client is built, so that a hook can neither leak nor
//!   replace a credential.
//! - [`ClientBuilder::on_attempt`](crate::ClientBuilder::on_attempt) calls a function after
//!   every attempt with an [`AttemptEvent`]: operation, organization id, attempt number, status,
//!   duration, what happens next ([`AttemptOutcome`]), request id and error kind. Never a body,
//!   a header or a credential: enough for OpenTelemetry or a metrics crate.
//!
//! Counting attempts by status, the way a metrics exporter would:
//!
//! ```
//! use parchment_api_ext::{AttemptEvent, Client};
//! use std::collections::BTreeMap;
//! use std::sync::{Arc, Mutex};
//!
//! let by_status: Arc<Mutex<BTreeMap<u16, u64>>> = Arc::default();
//! let counts = by_status.clone();
//! let client = Client::builder()
//!     .access_token("token")
//!     .organization_secret("secret")
//!     .default_header("x-audit-id", "batch-2026-12-02")
//!     .on_attempt(move |event: &AttemptEvent<'_>| {
//!         // 0: no response (a connection failure or a time-out).
//!         let status = event.status().map_or(0, |status| status.as_u16());
//!         *counts.lock().unwrap().entry(status).or_default() += 1;
//!     })
//!     .build()?;
//! # drop(client);
//! # Ok::<(), parchment_api_ext::Error>(())
//! ```
//!
//! Observers run on the caller's task, inline, after each attempt: keep them cheap (increment
//! a counter, record a span event), never block, and never panic (a panic unwinds through the
//! call that made the attempt).

use crate::error::{Error, ErrorKind, Result};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// What the engine does after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttemptOutcome {
    /// The attempt succeeded: the call returns its response.
    Succeeded,
    /// The attempt failed and the call is retried after this wait.
    RetryAfter(Duration),
    /// The server refused a cached token: it is dropped and the call made once more with a new
    /// one, at once and outside the retry policy.
    RetryWithNewToken,
    /// The attempt failed and the call gives up: it returns this attempt's error.
    GaveUp,
}

/// One attempt of one call, as [`ClientBuilder::on_attempt`](crate::ClientBuilder::on_attempt)
/// observers see it. Carries ids, status and timing only: never a body, a header or a
/// credential.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AttemptEvent<'a> {
    pub(crate) operation: &'static str,
    pub(crate) organization_id: &'a str,
    pub(crate) attempt: u32,
    pub(crate) status: Option<StatusCode>,
    pub(crate) duration: Duration,
    pub(crate) outcome: AttemptOutcome,
    pub(crate) request_id: Option<&'a str>,
    pub(crate) error_kind: Option<ErrorKind>,
}

impl<'a> AttemptEvent<'a> {
    /// The operation, as errors and logs name it (`read user`, `create token`).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The organization the call is made for.
    pub fn organization_id(&self) -> &'a str {
        self.organization_id
    }

    /// The attempt's number within its call, from 1.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The HTTP status of the response; `None` when there was none (a connection failure, a
    /// time-out, credentials that could not be obtained).
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// How long the attempt took, credentials included, rate-limit wait excluded.
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// What the engine does next.
    pub fn outcome(&self) -> AttemptOutcome {
        self.outcome
    }

    /// The request id Parchment gave the response, if any.
    pub fn request_id(&self) -> Option<&'a str> {
        self.request_id
    }

    /// The error's kind when the attempt failed; `None` on success.
    pub fn error_kind(&self) -> Option<ErrorKind> {
        self.error_kind
    }

    /// Whether the attempt succeeded.
    pub fn succeeded(&self) -> bool {
        self.outcome == AttemptOutcome::Succeeded
    }
}

/// An attempt observer, as the builder stores it.
pub(crate) type Observer = Arc<dyn Fn(&AttemptEvent<'_>) + Send + Sync>;

/// The hooks as the builder collects them; checked by [`HookSettings::build`].
#[derive(Clone, Default)]
pub(crate) struct HookSettings {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) observers: Vec<Observer>,
}

impl HookSettings {
    /// Checks the header names and values (refusing credential headers) and freezes them.
    pub(crate) fn build(&self) -> Result<Hooks> {
        let mut headers = HeaderMap::with_capacity(self.headers.len());
        for (name, value) in &self.headers {
            let header = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
                Error::configuration(format!(
                    "default header {name:?} is not a valid header name"
                ))
            })?;
            if is_reserved(&header) {
                return Err(Error::configuration(format!(
                    "default header {header} is refused: credentials and the headers the SDK \
                     sets itself cannot be added by a hook"
                )));
            }
            // The value is not echoed: a caller may have put something sensitive in it.
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::configuration(format!(
                    "the value of default header {header} holds characters a header cannot carry"
                ))
            })?;
            headers.append(header, value);
        }
        Ok(Hooks {
            headers,
            observers: self.observers.clone(),
        })
    }
}

impl fmt::Debug for HookSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Hooks")
            .field("default_headers", &names)
            .field("attempt_observers", &self.observers.len())
            .finish()
    }
}

/// The hooks of one client, checked.
#[derive(Default)]
pub(crate) struct Hooks {
    /// Added to every request, after the credentials (whose names they never share).
    pub(crate) headers: HeaderMap,
    pub(crate) observers: Vec<Observer>,
}

impl Hooks {
    /// The request headers: the credentials' alone when no header hook is set (no copy).
    pub(crate) fn headers(&self, credentials: Arc<HeaderMap>) -> Arc<HeaderMap> {
        if self.headers.is_empty() {
            return credentials;
        }
        let mut headers = Arc::unwrap_or_clone(credentials);
        headers.reserve(self.headers.len());
        for (name, value) in &self.headers {
            headers.append(name.clone(), value.clone());
        }
        Arc::new(headers)
    }

    /// Tells every observer of `event`.
    pub(crate) fn observe<'a>(&self, event: impl FnOnce() -> AttemptEvent<'a>) {
        if self.observers.is_empty() {
            return;
        }
        let event = event();
        for observer in &self.observers {
            observer(&event);
        }
    }
}

/// Credential headers, and those the SDK or the HTTP layer set: a hook may not add them.
fn is_reserved(name: &HeaderName) -> bool {
    const RESERVED: &[&str] = &[
        "authorization",
        "proxy-authorization",
        "cookie",
        "x-partner-id",
        "x-partner-secret",
        "x-organization-id",
        "x-organization-secret",
        "x-user-id",
        "user-agent",
        "host",
        "content-type",
        "content-length",
        "transfer-encoding",
        "connection",
    ];
    let name = name.as_str();
    RESERVED.contains(&name)
        || ["secret", "token", "password", "api-key", "apikey"]
            .iter()
            .any(|word| name.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> HookSettings {
        HookSettings {
            headers: pairs
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect(),
            observers: Vec::new(),
        }
    }

    #[test]
    fn credential_headers_are_refused_by_name_without_their_value() {
        for name in [
            "Authorization",
            "x-organization-secret",
            "X-Partner-Secret",
            "x-partner-id",
            "x-user-id",
            "x-organization-id",
            "cookie",
            "x-session-token",
            "user-agent",
        ] {
            let Err(error) = settings(&[(name, "hunter2")]).build() else {
                panic!("{name}: a credential header is refused");
            };
            assert_eq!(error.kind(), ErrorKind::Configuration);
            let text = error.to_string();
            assert!(text.contains(&name.to_ascii_lowercase()), "{text}");
            assert!(!text.contains("hunter2"), "{text}");
        }
    }

    #[test]
    fn bad_names_and_values_are_refused_without_echoing_the_value() {
        assert!(settings(&[("bad name", "x")]).build().is_err());
        let Err(error) = settings(&[("x-audit-id", "line\nbreak-hunter2")]).build() else {
            panic!("a newline in a value is refused");
        };
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }

    #[test]
    fn headers_are_added_after_the_credentials() {
        let hooks = settings(&[("traceparent", "00-abc-def-01"), ("x-audit-id", "7")])
            .build()
            .expect("valid headers");
        let mut credentials = HeaderMap::new();
        credentials.insert("authorization", HeaderValue::from_static("Bearer t"));
        let headers = hooks.headers(Arc::new(credentials));
        assert_eq!(headers.len(), 3);
        assert_eq!(headers["traceparent"], "00-abc-def-01");
        assert_eq!(headers["authorization"], "Bearer t");
    }
}
