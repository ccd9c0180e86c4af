//! The typed webhook event, decoded only after its signature held.
//!
//! Two documented revisions are accepted: the newer one has `partner_id`, `metadata` and a
//! top-level `organization_id`; the older one has neither `partner_id` nor `metadata` and
//! carries `organization_id` inside `data`. Everything beyond `event_id` and `event_type` is
//! optional, unknown fields are ignored at the top level and kept in [`EventData::extra`]
//! inside `data` (later events add their own fields there).
//!
//! `Debug` prints ids and the event type only: `data`'s other fields and `metadata` may carry
//! anything a partner passed through, so they are summarised, never printed.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::fmt;

/// What happened. Open: types Parchment adds later are kept as
/// [`Unknown`](WebhookEventType::Unknown).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WebhookEventType {
    /// `prescription.created` (live): `data.scid` names the new prescription.
    PrescriptionCreated,
    /// `prescription.updated` (announced).
    PrescriptionUpdated,
    /// `prescription.ceased` (announced).
    PrescriptionCeased,
    /// `prescription.reissued` (announced).
    PrescriptionReissued,
    /// `prescription.cancelled` (announced in an older revision).
    PrescriptionCancelled,
    /// `prescription.dispensed` (announced in an older revision).
    PrescriptionDispensed,
    /// `prescription.expired` (announced in an older revision).
    PrescriptionExpired,
    /// A type this SDK does not know, kept as sent.
    Unknown(UnknownEventType),
}

/// The name of an event type the SDK does not know.
///
/// It can only be made by decoding, never from a known name, so a
/// [`WebhookEventType::Unknown`] never stands for `prescription.created` or another known type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnknownEventType(String);

impl UnknownEventType {
    /// The type as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

const KNOWN: [(&str, WebhookEventType); 7] = [
    (
        "prescription.created",
        WebhookEventType::PrescriptionCreated,
    ),
    (
        "prescription.updated",
        WebhookEventType::PrescriptionUpdated,
    ),
    ("prescription.ceased", WebhookEventType::PrescriptionCeased),
    (
        "prescription.reissued",
        WebhookEventType::PrescriptionReissued,
    ),
    (
        "prescription.cancelled",
        WebhookEventType::PrescriptionCancelled,
    ),
    (
        "prescription.dispensed",
        WebhookEventType::PrescriptionDispensed,
    ),
    (
        "prescription.expired",
        WebhookEventType::PrescriptionExpired,
    ),
];

impl WebhookEventType {
    /// The type named `name`: a known variant when the SDK knows it, else `Unknown`.
    pub fn parse(name: &str) -> Self {
        KNOWN
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, kind)| kind.clone())
            .unwrap_or_else(|| Self::Unknown(UnknownEventType(name.to_owned())))
    }

    /// The wire name (`prescription.created`).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Unknown(unknown) => unknown.as_str(),
            known => KNOWN
                .iter()
                .find(|(_, kind)| kind == known)
                .map_or("", |(name, _)| name),
        }
    }

    /// Whether this is a type the SDK does not know.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Self::Unknown(_))
    }
}

impl fmt::Display for WebhookEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for WebhookEventType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(Self::parse(&name))
    }
}

/// A verified webhook event.
///
/// Delivery is at least once: the same event may arrive more than once, so deduplicate on
/// [`event_id`](Self::event_id).
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// `evt_` and 32 hex digits; the same on every delivery attempt of one event.
    pub event_id: String,
    /// What happened.
    pub event_type: WebhookEventType,
    /// When it happened (`None` when absent or not an ISO 8601 date-time).
    pub timestamp: Option<DateTime<Utc>>,
    /// The partner the event is for (newer revision only).
    pub partner_id: Option<String>,
    /// The organization, from the top level or, in the older revision, from `data`.
    pub organization_id: Option<String>,
    /// The event's subject.
    pub data: EventData,
    /// Reserved fields (newer revision; currently always null).
    pub metadata: Option<EventMetadata>,
}

impl fmt::Debug for WebhookEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookEvent")
            .field("event_id", &self.event_id)
            .field("event_type", &self.event_type)
            .field("timestamp", &self.timestamp)
            .field("partner_id", &self.partner_id)
            .field("organization_id", &self.organization_id)
            .field("data", &self.data)
            .field("metadata", &self.metadata)
            .finish()
    }
}

/// The `data` of an event: who and what it is about.
#[derive(Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct EventData {
    /// The Parchment patient.
    #[serde(default)]
    pub patient_id: Option<String>,
    /// The partner's own id for the patient.
    #[serde(default)]
    pub partner_patient_id: Option<String>,
    /// The Parchment user (the prescriber) who triggered the event.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The prescription's Script ID (`prescription.created`): read the prescription with it.
    #[serde(default)]
    pub scid: Option<String>,
    /// Every other field of `data`, as sent. Never printed by `Debug` (only its count).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl fmt::Debug for EventData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventData")
            .field("patient_id", &self.patient_id)
            .field("partner_patient_id", &self.partner_patient_id)
            .field("user_id", &self.user_id)
            .field("scid", &self.scid)
            .field("extra", &format_args!("[{} fields]", self.extra.len()))
            .finish()
    }
}

/// The event's `metadata`: reserved for later use (possibly partner data passed through an
/// embedded form), so never printed by `Debug` (only which fields are set).
#[derive(Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct EventMetadata {
    /// `reserved_1`.
    #[serde(default)]
    pub reserved_1: Option<String>,
    /// `reserved_2`.
    #[serde(default)]
    pub reserved_2: Option<String>,
    /// `reserved_3`.
    #[serde(default)]
    pub reserved_3: Option<String>,
    /// Any other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl fmt::Debug for EventMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |v: &Option<String>| if v.is_some() { "[set]" } else { "None" };
        f.debug_struct("EventMetadata")
            .field("reserved_1", &format_args!("{}", set(&self.reserved_1)))
            .field("reserved_2", &format_args!("{}", set(&self.reserved_2)))
            .field("reserved_3", &format_args!("{}", set(&self.reserved_3)))
            .field("extra", &format_args!("[{} fields]", self.extra.len()))
            .finish()
    }
}

/// The body as sent, before the two revisions are merged.
#[derive(Deserialize)]
struct WireEvent {
    event_id: String,
    event_type: WebhookEventType,
    #[serde(default)]
    timestamp: Option<Value>,
    #[serde(default)]
    partner_id: Option<String>,
    #[serde(default)]
    organization_id: Option<String>,
    #[serde(default)]
    data: Option<WireData>,
    #[serde(default)]
    metadata: Option<EventMetadata>,
}

#[derive(Deserialize)]
struct WireData {
    #[serde(default)]
    organization_id: Option<String>,
    #[serde(flatten)]
    rest: EventData,
}

impl WebhookEvent {
    /// Decodes a body. Only called once the signature held.
    pub(crate) fn from_body(body: &[u8]) -> Result<Self, serde_json::Error> {
        let wire: WireEvent = serde_json::from_slice(body)?;
        let (data_organization_id, data) = match wire.data {
            Some(data) => (data.organization_id, data.rest),
            None => (None, EventData::default()),
        };
        let timestamp = match wire.timestamp {
            Some(Value::String(text)) => DateTime::parse_from_rfc3339(&text)
                .ok()
                .map(|t| t.with_timezone(&Utc)),
            _ => None,
        };
        Ok(Self {
            event_id: wire.event_id,
            event_type: wire.event_type,
            timestamp,
            partner_id: wire.partner_id,
            organization_id: wire.organization_id.or(data_organization_id),
            data,
            metadata: wire.metadata,
        })
    }
}
