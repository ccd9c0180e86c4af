//! Test helpers for services that use this SDK (feature `testing`).
//!
//! - [`mocks`]: typed [`httpmock`] helpers generated from the spec, one `When`/`Then` pair per
//!   operation, so a test states a request and a response in the API's own types.
//! - [`FakeParchment`]: a stateful fake of the API on loopback, with fault injection and a
//!   request log; also runnable as a process (`cargo xtask fake-server`).
//! - [`fixtures`]: realistic users, patients (valid Medicare and IHI-style numbers),
//!   prescriptions in each status, custom drugs and every documented envelope, in the API's own
//!   types, for the typed mocks.
//! - [`ManualClock`]: time under the test's control, for token expiry and cache ages.
//! - [`webhooks`]: sign deliveries like Parchment, sample events, a manual wall clock.

mod clock;
mod fake;
pub mod fixtures;
mod identifiers;
mod partner_fixtures;
pub mod webhooks;

pub use clock::ManualClock;

/// Decodes a list-users response body exactly as the client does (the generated envelope, then
/// the normalization into one page type), for the benchmarks to compare with a hand-written
/// decoder. Not part of the SDK's API.
#[doc(hidden)]
pub fn decode_users_page(body: &[u8]) -> Result<crate::UsersPage, serde_json::Error> {
    let envelope: parchment_api::types::ListUsersResponse = serde_json::from_slice(body)?;
    Ok(crate::UsersPage::from_wire(
        envelope.data,
        envelope.pagination,
    ))
}
pub use fake::{
    DeliveryOutcome, FakeConfig, FakeCredentials, FakeParchment, FakePrescription, FakeWriteError,
    Fault, LoggedRequest, SsoSignIn, WebhookDelivery, WebhookUrlError,
};

/// Typed httpmock helpers generated from `openapi/parchment.yaml`.
///
/// `MockServerExt::list_users(|when, then| ...)` and friends register a mock for one operation;
/// `when.organization_id(..)`, `then.ok(&body)` and the like are typed after the spec.
#[rustfmt::skip]
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::unwrap_used)]
#[path = "generated_mocks.rs"]
pub mod mocks;
