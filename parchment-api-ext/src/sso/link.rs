//! [`SsoLink`]: a short-lived sign-in link, and a credential.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::time::{Duration, Instant, SystemTime};

/// How long a link lives when the response does not say (Parchment documents 300 s).
pub const DEFAULT_SSO_LINK_LIFETIME: Duration = Duration::from_secs(300);

/// A link that signs a Parchment user into one page of Parchment's UI.
///
/// Whoever holds the token or the URL is signed in as that user until it expires, so both are
/// secrets: `Debug` redacts them, there is no `Display`, and the SDK never logs or caches them.
/// Ask for a new link for every sign-in attempt, and hand only
/// [`expose_redirect_url`](Self::expose_redirect_url) to the browser (as a new tab or an
/// iframe's `src`).
#[derive(Clone)]
pub struct SsoLink {
    token: SecretString,
    redirect_url: SecretString,
    expires_in: Duration,
    expires_at: Instant,
    expires_at_wall: SystemTime,
}

impl SsoLink {
    /// The link from `POST /v1/sso`'s `data`, received at `received_at` (monotonic) and
    /// `received_at_wall` (wall clock). A missing or negative `expires_in` counts as the
    /// documented 300 s.
    pub(crate) fn from_wire(
        sso_token: String,
        redirect_url: String,
        expires_in: Option<i64>,
        received_at: Instant,
        received_at_wall: SystemTime,
    ) -> Self {
        let expires_in = expires_in
            .and_then(|seconds| u64::try_from(seconds).ok())
            .map_or(DEFAULT_SSO_LINK_LIFETIME, Duration::from_secs);
        Self {
            token: SecretString::from(sso_token),
            redirect_url: SecretString::from(redirect_url),
            expires_in,
            expires_at: received_at + expires_in,
            expires_at_wall: received_at_wall + expires_in,
        }
    }

    /// The SSO token (a JWT). A credential: do not log it or send it to a browser.
    pub fn expose_token(&self) -> &str {
        self.token.expose_secret()
    }

    /// The URL to send the browser to. A credential until it is used or expires: do not log it.
    pub fn expose_redirect_url(&self) -> &str {
        self.redirect_url.expose_secret()
    }

    /// How long the link was issued for.
    pub fn expires_in(&self) -> Duration {
        self.expires_in
    }

    /// When the link expires, on the monotonic clock.
    pub fn expires_at(&self) -> Instant {
        self.expires_at
    }

    /// When the link expires, on the wall clock (to tell a browser, say).
    pub fn expires_at_wall(&self) -> SystemTime {
        self.expires_at_wall
    }

    /// Whether the link has expired at `now` (monotonic).
    pub fn is_expired_at(&self, now: Instant) -> bool {
        now >= self.expires_at
    }
}

impl fmt::Debug for SsoLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoLink")
            .field("token", &"[redacted]")
            .field("redirect_url", &"[redacted]")
            .field("expires_in", &self.expires_in)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_token_and_url_and_expiry_is_kept() {
        let now = Instant::now();
        let wall = SystemTime::now();
        let link = SsoLink::from_wire(
            "eyJhbGciOiJSUzI1NiJ9.sso-token-secret".into(),
            "https://portal.parchment.health/auth/sso?token=eyJhbGciOiJSUzI1NiJ9.sso-token-secret"
                .into(),
            Some(300),
            now,
            wall,
        );
        let debug = format!("{link:?}");
        assert!(!debug.contains("sso-token-secret"), "{debug}");
        assert!(!debug.contains("portal.parchment.health"), "{debug}");
        assert_eq!(link.expires_in(), Duration::from_secs(300));
        assert_eq!(link.expires_at(), now + Duration::from_secs(300));
        assert_eq!(link.expires_at_wall(), wall + Duration::from_secs(300));
        assert!(!link.is_expired_at(now + Duration::from_secs(299)));
        assert!(link.is_expired_at(now + Duration::from_secs(300)));
        assert!(link.expose_redirect_url().starts_with("https://portal."));
        assert!(link.expose_token().ends_with("sso-token-secret"));
    }

    #[test]
    fn a_missing_or_negative_lifetime_is_the_documented_300_s() {
        let now = Instant::now();
        let wall = SystemTime::now();
        for expires_in in [None, Some(-5)] {
            let link = SsoLink::from_wire("t".into(), "u".into(), expires_in, now, wall);
            assert_eq!(link.expires_in(), DEFAULT_SSO_LINK_LIFETIME);
        }
    }
}
