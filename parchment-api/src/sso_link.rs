//! [`SsoLink`]: the data of an SSO response, whose `Debug` prints neither the token nor the URL.
//!
//! Replaces the generated `SsoLink` type (see `xtask/src/regenerate.rs`), as [`Token`](crate::Token)
//! does for tokens: the SSO token signs a user into Parchment's portal, and the redirect URL
//! carries it, so both are credentials; `CreateSsoLinkResponse` derives `Debug` over this type.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A sign-in link into Parchment's portal.
#[derive(Deserialize, Serialize, Clone, PartialEq, schemars::JsonSchema)]
pub struct SsoLink {
    /// The single sign-on token (a JWT). A credential: never printed by `Debug`.
    pub sso_token: String,
    /// The URL to send the browser to; it carries the token. A credential: never printed by
    /// `Debug`.
    pub redirect_url: String,
    /// Seconds until the link expires (300), when the server says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i64>,
}

impl fmt::Debug for SsoLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoLink")
            .field("sso_token", &"[redacted]")
            .field("redirect_url", &"[redacted]")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}
