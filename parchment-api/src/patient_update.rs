//! [`UpdatePatientRequest`] and [`Patch`]: the partial patient update, which must tell "leave
//! unchanged" (the member is absent) from "clear" (the member is `null`) on the wire.
//!
//! Generated types cannot: absent and `null` are both `None` there, and `None` is never
//! written. This hand-written body replaces the spec's `UpdatePatientRequest`.

use crate::types::PatientAddress;
use crate::{DvaCardColor, IndigenousType, LenientDate, Sex};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// One nullable field of a partial update.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// Not sent: the server keeps its value.
    #[default]
    Unchanged,
    /// Sent as this value.
    Set(T),
    /// Sent as `null`: the server clears the field.
    Clear,
}

impl<T> Patch<T> {
    /// Whether the field is left out of the body.
    pub fn is_unchanged(&self) -> bool {
        matches!(self, Patch::Unchanged)
    }

    /// The value to send, if one is set.
    pub fn as_set(&self) -> Option<&T> {
        match self {
            Patch::Set(value) => Some(value),
            _ => None,
        }
    }
}

/// Only the state, never the value (these fields are Medicare and DVA details).
impl<T> fmt::Debug for Patch<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Patch::Unchanged => "Unchanged",
            Patch::Set(_) => "Set([redacted])",
            Patch::Clear => "Clear",
        })
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    /// `Set(v)` as `v`, `Clear` as `null`; `Unchanged` is skipped by the containing body.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Set(value) => value.serialize(serializer),
            Patch::Clear | Patch::Unchanged => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    /// A present member: `null` is `Clear`, a value `Set` (an absent one is the default,
    /// `Unchanged`, through `#[serde(default)]`).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.map_or(Patch::Clear, Patch::Set))
    }
}

/// The body of a partial patient update. Every member is optional; the Medicare and DVA ones
/// are [`Patch`]es, so that they can be cleared.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdatePatientRequest {
    /// Family name (a change triggers demographic verification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Given name (a change triggers demographic verification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Date of birth, sent as `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<LenientDate>,
    /// Sex: `M`, `F`, `I` or `N`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Title (`Mr`, `Ms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Australian phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Closing the Gap eligibility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ctg_eligible: Option<bool>,
    /// Aboriginal and Torres Strait Islander status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indigenous_type: Option<IndigenousType>,
    /// Concession or pension card number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concession_pension_number: Option<String>,
    /// Entitlement number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entitlement_number: Option<String>,
    /// Individual Healthcare Identifier (16 digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ihi_number: Option<String>,
    /// Residential Aged Care Facility id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub racf_id: Option<String>,
    /// Whether the patient is an inpatient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_inpatient: Option<bool>,
    /// Medicare card number (clearable).
    #[serde(default, skip_serializing_if = "Patch::is_unchanged")]
    pub medicare_card_number: Patch<String>,
    /// Medicare individual reference number, digits (clearable).
    #[serde(default, skip_serializing_if = "Patch::is_unchanged")]
    pub medicare_irn: Patch<String>,
    /// Medicare card expiry (clearable).
    #[serde(default, skip_serializing_if = "Patch::is_unchanged")]
    pub medicare_valid_to: Patch<LenientDate>,
    /// DVA file number (clearable; required with a card colour).
    #[serde(default, skip_serializing_if = "Patch::is_unchanged")]
    pub dva_file_number: Patch<String>,
    /// DVA card colour (clearable).
    #[serde(default, skip_serializing_if = "Patch::is_unchanged")]
    pub dva_card_color: Patch<DvaCardColor>,
    /// Address, sent as `australian_address` (all five parts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub australian_address: Option<PatientAddress>,
}

/// Which members are set, never their values: the body is a patient's personal data.
impl fmt::Debug for UpdatePatientRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = serde_json::to_value(self).unwrap_or_default();
        let members: Vec<&str> = value
            .as_object()
            .map(|members| members.keys().map(String::as_str).collect())
            .unwrap_or_default();
        f.debug_struct("UpdatePatientRequest")
            .field("members", &members)
            .finish_non_exhaustive()
    }
}

impl schemars::JsonSchema for UpdatePatientRequest {
    fn schema_name() -> String {
        "UpdatePatientRequest".to_owned()
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::Object.into()),
            metadata: Some(Box::new(schemars::schema::Metadata {
                description: Some(
                    "A partial patient update: absent members are unchanged, null clears."
                        .to_owned(),
                ),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn absent_null_and_value_are_three_different_bodies() {
        let body = UpdatePatientRequest {
            medicare_card_number: Patch::Clear,
            dva_file_number: Patch::Set("NX123456".into()),
            phone: Some("0412345678".into()),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&body).expect("encodes"),
            json!({"phone": "0412345678", "medicare_card_number": null, "dva_file_number": "NX123456"})
        );
        let read: UpdatePatientRequest = serde_json::from_value(json!({
            "medicare_irn": null, "dva_card_color": "gold"
        }))
        .expect("decodes");
        assert_eq!(read.medicare_irn, Patch::Clear);
        assert_eq!(read.medicare_card_number, Patch::Unchanged);
        assert_eq!(read.dva_card_color, Patch::Set(DvaCardColor::Gold));
    }

    #[test]
    fn debug_names_members_but_no_values() {
        let body = UpdatePatientRequest {
            given_name: Some("Jane".into()),
            medicare_card_number: Patch::Set("2123456701".into()),
            ..Default::default()
        };
        let debug = format!("{body:?}");
        assert!(debug.contains("given_name"), "{debug}");
        assert!(
            !debug.contains("Jane") && !debug.contains("2123456701"),
            "{debug}"
        );
    }
}
