//! [`Token`]: the bearer token of a token response, whose `Debug` does not print it.
//!
//! Replaces the generated `Token` type (see `xtask/src/regenerate.rs`): a derived `Debug` would
//! print the access token wherever a response is logged, and `TokenResponse` derives `Debug`
//! over this type.

use crate::types::GrantedScope;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A bearer token and how long it lasts.
#[derive(Deserialize, Serialize, Clone, PartialEq, schemars::JsonSchema)]
pub struct Token {
    /// The bearer token. A credential: never printed by `Debug`.
    #[serde(rename = "accessToken")]
    pub access_token: String,
    /// Seconds from issue until the token expires.
    #[serde(rename = "expiresIn")]
    pub expires_in: i64,
    /// The granted scopes, as a list or one space-separated string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<GrantedScope>,
    /// `Bearer`, when the server says.
    #[serde(rename = "tokenType", default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &"[redacted]")
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .field("token_type", &self.token_type)
            .finish()
    }
}
