//! Why a webhook delivery was refused.
//!
//! Each refusal names the check that failed. Messages carry only what the SDK itself knows
//! (positions, ages, counts); never the secret, the body, or the header's signature values.

use std::fmt;
use std::time::Duration;

/// Which check refused a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WebhookErrorKind {
    /// There was no `X-Webhook-Signature` header.
    MissingSignature,
    /// The header is not `t=<unix seconds>,v1=<hex>` (no `t`, two `t`, no `v1`, bad hex, too
    /// long, not text).
    MalformedSignature,
    /// No `v1` value matches the body under any configured secret: the body was changed, the
    /// secret is wrong, or the delivery is forged.
    BadSignature,
    /// The signature holds but its timestamp is further in the past than the tolerance: a
    /// replay, or a clock out of sync.
    Stale,
    /// The signature holds but its timestamp is further in the future than the tolerance: a
    /// clock out of sync.
    Future,
    /// The signature holds but the body is not a webhook event.
    InvalidEvent,
}

impl WebhookErrorKind {
    /// A short name of the check, for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingSignature => "missing_signature",
            Self::MalformedSignature => "malformed_signature",
            Self::BadSignature => "bad_signature",
            Self::Stale => "stale",
            Self::Future => "future",
            Self::InvalidEvent => "invalid_event",
        }
    }
}

impl fmt::Display for WebhookErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A webhook delivery that was refused, and which check refused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookError {
    kind: WebhookErrorKind,
    detail: String,
    skew: Option<Duration>,
}

impl WebhookError {
    pub(crate) fn new(kind: WebhookErrorKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            skew: None,
        }
    }

    pub(crate) fn out_of_window(
        kind: WebhookErrorKind,
        skew: Duration,
        tolerance: Duration,
    ) -> Self {
        let direction = if kind == WebhookErrorKind::Future {
            "ahead of"
        } else {
            "behind"
        };
        let mut error = Self::new(
            kind,
            format!(
                "the signature's timestamp is {} s {direction} this clock, more than the {} s \
                 tolerance",
                skew.as_secs(),
                tolerance.as_secs()
            ),
        );
        error.skew = Some(skew);
        error
    }

    /// Which check failed.
    pub fn kind(&self) -> WebhookErrorKind {
        self.kind
    }

    /// For [`Stale`](WebhookErrorKind::Stale) and [`Future`](WebhookErrorKind::Future): how far
    /// the signature's timestamp is from this clock.
    pub fn skew(&self) -> Option<Duration> {
        self.skew
    }

    /// The HTTP status a receiver should answer with: 400 when the request is not what
    /// Parchment sends (a malformed header, a body that is not an event), 401 when it is not
    /// authentic (no signature, a wrong one, or outside the time window). Either way Parchment
    /// does not retry a 4xx (only 408 and 429).
    pub fn status_code(&self) -> u16 {
        match self.kind {
            WebhookErrorKind::MalformedSignature | WebhookErrorKind::InvalidEvent => 400,
            WebhookErrorKind::MissingSignature
            | WebhookErrorKind::BadSignature
            | WebhookErrorKind::Stale
            | WebhookErrorKind::Future => 401,
        }
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "webhook delivery refused ({}): {}",
            self.kind, self.detail
        )
    }
}

impl std::error::Error for WebhookError {}
