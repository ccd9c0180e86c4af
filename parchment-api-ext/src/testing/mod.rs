//! Test helpers for services that use this SDK (feature `testing`).
//!
//! - [`mocks`]: typed [`httpmock`] helpers generated from the spec, one `When`/`Then` pair per
//!   operation, so a test states a request and a response in the API's own types.
//! - [`ManualClock`]: time under the test's control, for token expiry.

mod clock;

pub use clock::ManualClock;

/// Typed httpmock helpers generated from `openapi/parchment.yaml`.
///
/// `MockServerExt::list_users(|when, then| ...)` and friends register a mock for one operation;
/// `when.organization_id(..)`, `then.ok(&body)` and the like are typed after the spec.
#[rustfmt::skip]
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::unwrap_used)]
#[path = "generated_mocks.rs"]
pub mod mocks;
