//! The webhook signing secret: kept as issued, never printed.

use crate::error::{Error, FieldError, Result};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// The secret Parchment issued for a webhook endpoint (`whsec_…`).
///
/// The whole string, prefix included, is the HMAC key: Parchment's documentation says deliveries
/// are signed "using your webhook secret" and gives the secret with its `whsec_` prefix, so the
/// SDK uses it exactly as issued. `Debug` prints `[redacted]`; there is no `Display`.
#[derive(Clone)]
pub struct WebhookSecret(SecretString);

impl WebhookSecret {
    /// The secret exactly as Parchment issued it.
    ///
    /// Refused (with [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)) when empty,
    /// or when it starts or ends with whitespace or holds control characters: an unset variable
    /// or a trailing newline from a secrets file would otherwise make every delivery fail (or,
    /// for an empty key, make signatures forgeable). The error never contains the secret.
    pub fn new(secret: impl Into<String>) -> Result<Self> {
        let secret = secret.into();
        let problem = if secret.is_empty() {
            Some("must not be empty")
        } else if secret.trim() != secret {
            Some("must not start or end with whitespace (is there a trailing newline?)")
        } else if secret.chars().any(char::is_control) {
            Some("must not contain control characters")
        } else {
            None
        };
        match problem {
            Some(problem) => Err(Error::invalid_input(
                "configure webhook verification",
                vec![FieldError::new("webhook_secret", "invalid", problem)],
            )),
            None => Ok(Self(SecretString::from(secret))),
        }
    }

    /// The HMAC key bytes.
    pub(crate) fn key(&self) -> &[u8] {
        self.0.expose_secret().as_bytes()
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}
