//! Single sign-on into Parchment's own UI: where a link leads, and the link itself.
//!
//! Prescribing happens in Parchment's UI. A partner's backend asks `POST /v1/sso` for a
//! short-lived link that signs a Parchment user into one page, opened in a new tab or as an
//! iframe's `src`. [`SsoTarget`] builds the `redirect_path` from typed targets (every id
//! checked and percent-encoded, query parameters encoded, never concatenated raw) or checks a
//! custom path; [`ActingUser::sso_link`](crate::ActingUser::sso_link) asks for a link; [`SsoLink`] is the answer, a credential whose token and URL never appear in
//! `Debug`, `Display` or logs.

mod link;
mod request;
mod target;

pub use link::{DEFAULT_SSO_LINK_LIFETIME, SsoLink};
pub use target::{FormQuery, SsoTarget, SsoTargetKind};
