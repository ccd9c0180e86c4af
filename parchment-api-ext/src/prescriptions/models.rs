//! The SDK's view of prescriptions: the page with its patient and prescriber kept beside the
//! items, one prescription with its patient, dates and counts typed. Debug prints ids, status
//! and type only: prescriptions are health data and name people.

use chrono::NaiveDate;
use parchment_api::{NumericText, PrescriptionStatus, PrescriptionType, Sex, Timestamp, types};

/// The patient a prescription response is about.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PrescriptionPatient {
    /// Parchment's id of the patient.
    pub patient_id: Option<String>,
    /// The partner's own id of the patient.
    pub partner_patient_id: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Date of birth (read from a date or a midnight timestamp).
    pub date_of_birth: Option<NaiveDate>,
    /// Sex.
    pub sex: Option<Sex>,
}

impl std::fmt::Debug for PrescriptionPatient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrescriptionPatient")
            .field("patient_id", &self.patient_id)
            .field("partner_patient_id", &self.partner_patient_id)
            .finish_non_exhaustive()
    }
}

impl From<types::PrescriptionPatient> for PrescriptionPatient {
    fn from(wire: types::PrescriptionPatient) -> Self {
        Self {
            patient_id: wire.patient_id,
            partner_patient_id: wire.partner_patient_id,
            given_name: wire.given_name,
            family_name: wire.family_name,
            date_of_birth: wire.date_of_birth.map(|date| date.date()),
            sex: wire.sex,
        }
    }
}

/// The prescriber of a prescription. `user_id` is missing from older pages.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Prescriber {
    /// Parchment's id of the prescribing user.
    pub user_id: Option<String>,
    /// Title (`Dr`), on single reads.
    pub title: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
}

impl std::fmt::Debug for Prescriber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prescriber")
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

impl From<types::Prescriber> for Prescriber {
    fn from(wire: types::Prescriber) -> Self {
        Self {
            user_id: wire.user_id,
            title: wire.title,
            given_name: wire.given_name,
            family_name: wire.family_name,
        }
    }
}

impl From<Prescriber> for types::Prescriber {
    fn from(prescriber: Prescriber) -> Self {
        Self {
            user_id: prescriber.user_id,
            title: prescriber.title,
            given_name: prescriber.given_name,
            family_name: prescriber.family_name,
        }
    }
}

/// One prescription. The list carries many fields, the single read a subset: every field is
/// optional. Every field as the wire carried it (strength, form, route, flags...) is in
/// [`Prescription::to_wire`].
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct Prescription {
    /// Script ID (`2F3WFX8J4WQH8T72X9`).
    pub scid: Option<String>,
    /// Status, read without regard to case (`Active` = `ACTIVE`).
    pub status: Option<PrescriptionStatus>,
    /// How it was issued (`ELECTRONIC`).
    pub prescription_type: Option<PrescriptionType>,
    /// When it was written; Parchment writes `created_date` without a zone.
    pub created_date: Option<Timestamp>,
    /// The eScript token link.
    pub url: Option<String>,
    /// The item prescribed.
    pub item_name: Option<String>,
    /// Quantity.
    pub quantity: Option<NumericText>,
    /// Repeats authorised.
    pub number_of_repeats_authorised: Option<NumericText>,
    /// PBS item code.
    pub pbs_code: Option<String>,
    /// The prescriber (single reads carry it inside the prescription; list pages carry it
    /// once, on the page).
    pub prescriber: Option<Prescriber>,
    /// Why it failed, when the status is `Error` (`error.description`).
    pub error_description: Option<String>,
    /// The wire value without the fields lifted above (moved out, not copied: a stream of
    /// prescriptions would otherwise copy every string twice).
    unlifted: types::Prescription,
}

impl Prescription {
    /// Every field as the wire carried it (strength, form, route, flags, instructions...), the
    /// lifted ones included: a copy.
    pub fn to_wire(&self) -> types::Prescription {
        let mut wire = self.unlifted.clone();
        wire.scid.clone_from(&self.scid);
        wire.status.clone_from(&self.status);
        wire.prescription_type.clone_from(&self.prescription_type);
        wire.created_date.clone_from(&self.created_date);
        wire.url.clone_from(&self.url);
        wire.item_name.clone_from(&self.item_name);
        wire.quantity.clone_from(&self.quantity);
        wire.number_of_repeats_authorised
            .clone_from(&self.number_of_repeats_authorised);
        wire.pbs_code.clone_from(&self.pbs_code);
        wire.prescriber = self.prescriber.clone().map(types::Prescriber::from);
        if let Some(description) = &self.error_description {
            wire.error.get_or_insert_with(Default::default).description = Some(description.clone());
        }
        wire
    }

    /// Whether the status is `Error`.
    pub fn is_error(&self) -> bool {
        self.status == Some(PrescriptionStatus::Error)
    }
}

impl std::fmt::Debug for Prescription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prescription")
            .field("scid", &self.scid)
            .field("status", &self.status)
            .field("prescription_type", &self.prescription_type)
            .field("created_date", &self.created_date)
            .finish_non_exhaustive()
    }
}

impl From<types::Prescription> for Prescription {
    fn from(mut wire: types::Prescription) -> Self {
        Self {
            scid: wire.scid.take(),
            status: wire.status.take(),
            prescription_type: wire.prescription_type.take(),
            created_date: wire.created_date.take(),
            url: wire.url.take(),
            item_name: wire.item_name.take(),
            quantity: wire.quantity.take(),
            number_of_repeats_authorised: wire.number_of_repeats_authorised.take(),
            pbs_code: wire.pbs_code.take(),
            prescriber: wire.prescriber.take().map(Prescriber::from),
            error_description: wire.error.as_mut().and_then(|e| e.description.take()),
            unlifted: wire,
        }
    }
}

/// One page of a patient's prescriptions, with the patient and the prescriber the response
/// names once beside them.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PrescriptionsPage {
    /// The prescriptions of this page, in the server's order.
    pub prescriptions: Vec<Prescription>,
    /// The patient.
    pub patient: Option<PrescriptionPatient>,
    /// The prescriber.
    pub prescriber: Option<Prescriber>,
    /// The key of the next page; `None` on the last page.
    pub next_key: Option<String>,
    /// Whether the server says there is another page.
    pub has_next: Option<bool>,
    /// The number of prescriptions in the page, as the server counts them.
    pub count: Option<u64>,
    /// The page size the server applied.
    pub limit: Option<u64>,
}

impl PrescriptionsPage {
    pub(crate) fn from_wire(
        data: types::PrescriptionsPage,
        pagination: Option<types::Pagination>,
    ) -> Self {
        let pagination = pagination.unwrap_or_default();
        let non_negative = |n: Option<i64>| n.and_then(|n| u64::try_from(n).ok());
        Self {
            prescriptions: data
                .prescriptions
                .into_iter()
                .map(Prescription::from)
                .collect(),
            patient: data.patient.map(PrescriptionPatient::from),
            prescriber: data.prescriber.map(Prescriber::from),
            // An empty key would request the first page again: treat it as the end.
            next_key: pagination.last_key.filter(|key| !key.is_empty()),
            has_next: pagination.has_next,
            count: non_negative(pagination.count.or(pagination.total)),
            limit: non_negative(pagination.limit),
        }
    }
}

/// One prescription with its patient.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PrescriptionDetail {
    /// The prescription (with its prescriber).
    pub prescription: Prescription,
    /// The patient.
    pub patient: Option<PrescriptionPatient>,
}

impl From<types::PrescriptionDetail> for PrescriptionDetail {
    fn from(wire: types::PrescriptionDetail) -> Self {
        Self {
            prescription: wire.prescription.into(),
            patient: wire.patient.map(PrescriptionPatient::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_value_comes_back_whole() {
        let wire: types::Prescription = serde_json::from_value(serde_json::json!({
            "scid": "2F3WFX8J4WQH8T72X9", "status": "Error", "prescription_type": "ELECTRONIC",
            "created_date": "2025-06-30T00:11:22", "url": "https://example.test/s",
            "item_name": "Amoxicillin 500mg capsule", "quantity": "20",
            "number_of_repeats_authorised": "1", "pbs_code": "1234K", "item_strength": "500mg",
            "prescriber": { "user_id": "usr_1", "title": "Dr" },
            "error": { "description": "rejected by the exchange" }
        }))
        .expect("a prescription");
        let prescription = Prescription::from(wire.clone());
        assert_eq!(prescription.scid.as_deref(), Some("2F3WFX8J4WQH8T72X9"));
        assert_eq!(
            prescription.error_description.as_deref(),
            Some("rejected by the exchange")
        );
        assert!(prescription.is_error());
        assert_eq!(prescription.to_wire(), wire);
    }
}
