//! FakeParchment's patient, prescription and custom-drug routes over HTTP with raw JSON (the
//! typed operations come with the client): every rule refused with a 400 listing the field
//! and nothing stored, 409 on a duplicate partner id, 202 on a demographic match, partial
//! updates (absent unchanged, `null` clears), prescriptions a test writes and reads back page
//! by page, both drug catalogues, scopes, 405, and a request log without bodies.
//!
//! One binary, split by concern; the fake every concern starts from is here, the raw HTTP
//! caller and the valid bodies are in tests/fake_wire/, shared with tests/fake_sso_webhooks.rs.

mod drugs;
#[path = "../fake_wire/mod.rs"]
mod fake_wire;
mod patient_updates;
mod patients;
mod prescriptions;
mod routes;

use fake_wire::{ALL_SCOPES, Api};
use parchment_api_ext::testing::{FakeConfig, FakeParchment};

/// A fake without its sample records, so that counts start at zero.
async fn empty_fake() -> FakeParchment {
    FakeParchment::start_with(FakeConfig::default().sample_records(false)).await
}

async fn fake_and_api() -> (FakeParchment, Api) {
    let fake = empty_fake().await;
    let api = Api::new(&fake, ALL_SCOPES).await;
    (fake, api)
}

fn org(fake: &FakeParchment) -> String {
    fake.credentials().organization_id.clone()
}
