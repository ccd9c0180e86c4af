//! The sample records a fake starts with (unless [`FakeConfig::sample_records()`] turns them off): one
//! patient of the first generated user, two prescriptions that user wrote for them (one
//! `Active`, one `Error`) and one custom drug of their own. Their ids are fixed, so that a
//! tool outside the process (the conformance run's pinned parameters) can name them.
//!
//! [`FakeConfig::sample_records()`]: super::FakeConfig::sample_records()

use super::prescriptions::FakePrescription;
use super::state::Org;
use serde_json::json;

/// The sample patient's id (Parchment's `patient_id`).
pub const SAMPLE_PATIENT_ID: &str = "00000000-0001-49a7-8000-000000005eed";
/// The Script ID of the sample patient's first prescription (`Active`).
pub const SAMPLE_SCID: &str = "000004SEL3N5LG6HRF";
/// The id of the sample custom drug, the first generated user's own.
pub const SAMPLE_DRUG_ID: &str = "00000000-0001-4d36-8000-000000005eed";

/// When the sample prescriptions were written (zone-less, as `created_date` is).
const WRITTEN: &str = "2025-06-30T00:11:22";

/// Adds the sample records for `user_id` to a new organization (nothing else created yet, so
/// the fixed ids above are the ones handed out). `false` when they could not all be added.
pub(super) fn seed(org: &mut Org, user_id: &str, partner_id: &str, base_url: &str) -> bool {
    let namespace = org.namespace;
    let patient = json!({
        "given_name": "Sample",
        "family_name": "Patient",
        "date_of_birth": "1985-03-14",
        "sex": "F",
        "partner_patient_id": "SAMPLE-1",
        "phone": "0412345678",
    });
    let created = org
        .patients
        .create(namespace, partner_id, base_url, &patient)
        .is_ok();
    let written = [
        FakePrescription::active(),
        FakePrescription::error("The prescription could not be sent to the exchange")
            .item("Paracetamol", "500mg", "Tablet")
            .quantity(100)
            .repeats(1),
    ]
    .iter()
    .all(|prescription| {
        org.patients
            .write(
                namespace,
                SAMPLE_PATIENT_ID,
                user_id,
                prescription,
                WRITTEN,
                1,
            )
            .is_some()
    });
    let drug = json!({
        "item_generic_name": "Compounded hydrocortisone cream",
        "item_strength": "1%",
        "item_form": "Cream",
        "route_of_administration": "Topical",
        "quantity": "1",
        "max_repeats": "2",
        "poison_class": "S3",
    });
    let drug = org.drugs.create_for_user(namespace, user_id, &drug).is_ok();
    created && written && drug
}

#[cfg(test)]
mod tests {
    use super::{Org, SAMPLE_DRUG_ID, SAMPLE_PATIENT_ID, SAMPLE_SCID, seed};

    #[test]
    fn the_fixed_ids_are_the_ones_handed_out() {
        let mut org = Org::new("secret".into(), "token".into(), 0);
        assert!(seed(&mut org, "usr_1", "partner", "http://x"));
        assert_eq!(org.patients.prescription_count(SAMPLE_PATIENT_ID), 2);
        assert!(
            org.patients
                .has_prescription(SAMPLE_PATIENT_ID, SAMPLE_SCID)
        );
        assert_eq!(org.drugs.user_drug_ids("usr_1"), [SAMPLE_DRUG_ID]);
    }
}
