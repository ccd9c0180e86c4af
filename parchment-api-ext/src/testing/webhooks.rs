//! Signing webhook deliveries the way Parchment does, so services can test their own handler.
//!
//! - [`sign`]: the `X-Webhook-Signature` value for a body, a secret and a timestamp.
//! - [`SampleEvent`]: a `prescription.created` body (either documented revision), signed on
//!   request as a [`SignedDelivery`].
//! - [`ManualWallClock`]: wall-clock time under the test's control, for a
//!   [`WebhookVerifier`](crate::webhooks::WebhookVerifier)'s time window.

use crate::webhooks::signature::sign_hex;
use crate::webhooks::{SIGNATURE_HEADER, WallClock, WebhookSecret};
use serde_json::{Map, Value, json};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The `X-Webhook-Signature` header value Parchment would send for `body` signed with `secret`
/// at `timestamp` (Unix seconds): `t=<timestamp>,v1=<hex HMAC-SHA256 of "{t}.{body}">`.
pub fn sign(secret: &WebhookSecret, body: &[u8], timestamp: u64) -> String {
    sign_with_all(&[secret], body, timestamp)
}

/// The header value with one `v1` per secret, in order, as during a secret rotation.
pub fn sign_with_all(secrets: &[&WebhookSecret], body: &[u8], timestamp: u64) -> String {
    let t = timestamp.to_string();
    let mut header = format!("t={t}");
    for secret in secrets {
        header.push_str(",v1=");
        header.push_str(&sign_hex(secret, &t, body));
    }
    header
}

/// Unix seconds of `time` (0 before the epoch).
pub fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A body with its signature header, as a test POSTs it to a handler.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SignedDelivery {
    /// The raw body.
    pub body: Vec<u8>,
    /// The `X-Webhook-Signature` value.
    pub signature: String,
}

impl SignedDelivery {
    /// The header's name (`x-webhook-signature`).
    pub const HEADER: &'static str = SIGNATURE_HEADER;
}

/// A sample webhook event body, with documented-looking ids that a test may replace.
#[derive(Debug, Clone)]
#[must_use]
pub struct SampleEvent {
    event_type: String,
    event_id: String,
    timestamp: String,
    partner_id: String,
    organization_id: String,
    patient_id: String,
    partner_patient_id: String,
    user_id: String,
    scid: Option<String>,
    extra: Map<String, Value>,
    older_revision: bool,
}

impl SampleEvent {
    /// A `prescription.created` event in the newer documented revision.
    pub fn prescription_created() -> Self {
        Self {
            event_type: "prescription.created".into(),
            event_id: "evt_0123456789abcdef0123456789abcdef".into(),
            timestamp: "2025-12-19T04:12:45.123Z".into(),
            partner_id: "partner_sample".into(),
            organization_id: "4f1c2b9e-7a3d-4c5e-9b8a-1d2e3f4a5b6c".into(),
            patient_id: "f03b972b-1c2d-4e5f-8a9b-0c1d2e3f4a5b".into(),
            partner_patient_id: "PP-1001".into(),
            user_id: "7d9e8f10-2a3b-4c5d-9e8f-a1b2c3d4e5f6".into(),
            scid: Some("2KTX7QW9RZBD4MXJ1N".into()),
            extra: Map::new(),
            older_revision: false,
        }
    }

    /// Another event type (an unknown one, to test that a handler ignores it).
    pub fn event_type(mut self, event_type: impl Into<String>) -> Self {
        self.event_type = event_type.into();
        self
    }

    /// The `event_id`.
    pub fn event_id(mut self, event_id: impl Into<String>) -> Self {
        self.event_id = event_id.into();
        self
    }

    /// The `timestamp` (ISO 8601 text).
    pub fn timestamp(mut self, timestamp: impl Into<String>) -> Self {
        self.timestamp = timestamp.into();
        self
    }

    /// The `partner_id`.
    pub fn partner_id(mut self, partner_id: impl Into<String>) -> Self {
        self.partner_id = partner_id.into();
        self
    }

    /// The `organization_id`.
    pub fn organization_id(mut self, organization_id: impl Into<String>) -> Self {
        self.organization_id = organization_id.into();
        self
    }

    /// `data.patient_id`.
    pub fn patient_id(mut self, patient_id: impl Into<String>) -> Self {
        self.patient_id = patient_id.into();
        self
    }

    /// `data.partner_patient_id`.
    pub fn partner_patient_id(mut self, partner_patient_id: impl Into<String>) -> Self {
        self.partner_patient_id = partner_patient_id.into();
        self
    }

    /// `data.user_id`.
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = user_id.into();
        self
    }

    /// `data.scid`.
    pub fn scid(mut self, scid: impl Into<String>) -> Self {
        self.scid = Some(scid.into());
        self
    }

    /// Another field in `data`.
    pub fn data_field(mut self, name: impl Into<String>, value: Value) -> Self {
        self.extra.insert(name.into(), value);
        self
    }

    /// The older documented revision: no `partner_id`, no `metadata`, and `organization_id`
    /// inside `data`.
    pub fn older_revision(mut self) -> Self {
        self.older_revision = true;
        self
    }

    /// The body as JSON.
    pub fn to_json(&self) -> Value {
        let mut data = Map::new();
        if self.older_revision {
            data.insert("organization_id".into(), json!(self.organization_id));
        }
        data.insert("patient_id".into(), json!(self.patient_id));
        data.insert("partner_patient_id".into(), json!(self.partner_patient_id));
        data.insert("user_id".into(), json!(self.user_id));
        if let Some(scid) = &self.scid {
            data.insert("scid".into(), json!(scid));
        }
        data.extend(self.extra.clone());
        if self.older_revision {
            json!({
                "event_type": self.event_type,
                "event_id": self.event_id,
                "timestamp": self.timestamp,
                "data": data,
            })
        } else {
            json!({
                "event_type": self.event_type,
                "event_id": self.event_id,
                "timestamp": self.timestamp,
                "partner_id": self.partner_id,
                "organization_id": self.organization_id,
                "data": data,
                "metadata": {"reserved_1": null, "reserved_2": null, "reserved_3": null},
            })
        }
    }

    /// The body's bytes.
    pub fn body(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }

    /// The body signed with `secret` at `timestamp` (Unix seconds).
    pub fn signed(&self, secret: &WebhookSecret, timestamp: u64) -> SignedDelivery {
        let body = self.body();
        let signature = sign(secret, &body, timestamp);
        SignedDelivery { body, signature }
    }

    /// The body signed with `secret` now, by the system's clock.
    pub fn signed_now(&self, secret: &WebhookSecret) -> SignedDelivery {
        self.signed(secret, unix_seconds(SystemTime::now()))
    }
}

/// Wall-clock time that only moves when the test says; clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualWallClock(Arc<Mutex<SystemTime>>);

impl ManualWallClock {
    /// A clock showing `time`.
    pub fn new(time: SystemTime) -> Self {
        Self(Arc::new(Mutex::new(time)))
    }

    /// A clock showing `seconds` after the Unix epoch.
    pub fn at_unix(seconds: u64) -> Self {
        Self::new(UNIX_EPOCH + Duration::from_secs(seconds))
    }

    /// Shows `time` from now on.
    pub fn set(&self, time: SystemTime) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = time;
    }

    /// Shows `seconds` after the Unix epoch from now on.
    pub fn set_unix(&self, seconds: u64) {
        self.set(UNIX_EPOCH + Duration::from_secs(seconds));
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut time = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *time += by;
    }
}

impl WallClock for ManualWallClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
