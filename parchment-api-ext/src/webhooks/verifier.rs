//! Verifying a delivery: signature first, then the time window, then the event.
//!
//! The signature is checked before the timestamp so that `Stale` and `Future` are only ever
//! said of deliveries Parchment really signed (a clock problem worth an alert), while anything
//! forged is `BadSignature`, whatever its timestamp. JSON is never parsed before both hold.

use super::clock::{SystemWallClock, WallClock};
use super::error::{WebhookError, WebhookErrorKind};
use super::event::WebhookEvent;
use super::secret::WebhookSecret;
use super::signature::SignatureHeader;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

/// How far a delivery's timestamp may be from now, by default (Parchment's documented window).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// Verifies webhook deliveries against one or more secrets.
///
/// Framework-agnostic: give it the raw body bytes (exactly as received, never re-serialized
/// JSON) and the `X-Webhook-Signature` header value. Cheap to clone and share.
#[derive(Clone)]
#[must_use]
pub struct WebhookVerifier {
    secrets: Arc<[WebhookSecret]>,
    tolerance: Duration,
    clock: Arc<dyn WallClock>,
}

impl WebhookVerifier {
    /// A verifier for deliveries signed with `secret`, with the default tolerance and the
    /// system clock.
    pub fn new(secret: WebhookSecret) -> Self {
        Self {
            secrets: Arc::from([secret]),
            tolerance: DEFAULT_TOLERANCE,
            clock: Arc::new(SystemWallClock),
        }
    }

    /// Also accepts deliveries signed with `secret`: during a rotation, configure the new and
    /// the old secret until Parchment has switched.
    pub fn also_accept(mut self, secret: WebhookSecret) -> Self {
        let mut secrets = self.secrets.to_vec();
        secrets.push(secret);
        self.secrets = secrets.into();
        self
    }

    /// How far a delivery's timestamp may be from now, either way (default
    /// [`DEFAULT_TOLERANCE`], five minutes).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The clock timestamps are checked against (default: the system's wall clock).
    pub fn wall_clock(mut self, clock: Arc<dyn WallClock>) -> Self {
        self.clock = clock;
        self
    }

    /// Verifies a delivery and decodes its event.
    ///
    /// `signature_header` is the `X-Webhook-Signature` value, `None` when the request had none
    /// (`headers.get(SIGNATURE_HEADER)` with the `http` crate's `HeaderMap` fits as is).
    pub fn verify<H>(
        &self,
        body: &[u8],
        signature_header: Option<&H>,
    ) -> Result<WebhookEvent, WebhookError>
    where
        H: AsRef<[u8]> + ?Sized,
    {
        self.verify_signature(body, signature_header)?;
        WebhookEvent::from_body(body).map_err(|error| {
            WebhookError::new(WebhookErrorKind::InvalidEvent, decode_detail(&error))
        })
    }

    /// Verifies a delivery's signature and timestamp only, for callers that decode the body
    /// themselves.
    pub fn verify_signature<H>(
        &self,
        body: &[u8],
        signature_header: Option<&H>,
    ) -> Result<(), WebhookError>
    where
        H: AsRef<[u8]> + ?Sized,
    {
        let Some(value) = signature_header else {
            return Err(WebhookError::new(
                WebhookErrorKind::MissingSignature,
                "no X-Webhook-Signature header",
            ));
        };
        let header = SignatureHeader::parse(value.as_ref())?;
        if !header.matches(&self.secrets, body) {
            return Err(WebhookError::new(
                WebhookErrorKind::BadSignature,
                "no v1 signature matches the body under the configured secrets",
            ));
        }
        let signed_at = UNIX_EPOCH + Duration::from_secs(header.timestamp);
        let now = self.clock.now();
        match now.duration_since(signed_at) {
            Ok(age) if age > self.tolerance => Err(WebhookError::out_of_window(
                WebhookErrorKind::Stale,
                age,
                self.tolerance,
            )),
            Ok(_) => Ok(()),
            Err(ahead) if ahead.duration() > self.tolerance => Err(WebhookError::out_of_window(
                WebhookErrorKind::Future,
                ahead.duration(),
                self.tolerance,
            )),
            Err(_) => Ok(()),
        }
    }
}

/// What went wrong decoding a body, without a word of the body: serde_json's messages can quote
/// values (`invalid type: string "…"`), so only missing fields (named by the SDK) and the
/// position are kept.
fn decode_detail(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let what = match message.strip_prefix("missing field `") {
        Some(rest) => match rest.split_once('`') {
            Some((field, _)) => format!("missing field `{field}`"),
            None => "missing field".to_owned(),
        },
        None => match error.classify() {
            serde_json::error::Category::Io => "unreadable".to_owned(),
            serde_json::error::Category::Syntax => "not JSON".to_owned(),
            serde_json::error::Category::Eof => "truncated JSON".to_owned(),
            serde_json::error::Category::Data => "not a webhook event".to_owned(),
        },
    };
    format!(
        "the body is {}at line {} column {}",
        if what.starts_with("missing") {
            format!("not an event ({what}) ")
        } else {
            format!("{what} ")
        },
        error.line(),
        error.column()
    )
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.secrets.len()),
            )
            .field("tolerance", &self.tolerance)
            .field("clock", &self.clock)
            .finish()
    }
}
