//! Fixtures for the patient, prescription and custom-drug operations, in the API's own types:
//! patients with valid Medicare card numbers (check digit) and IHI-style numbers, prescriptions
//! in each status, custom drugs, and their envelopes. Re-exported from
//! [`fixtures`](super::fixtures).

use super::fixtures::{REQUEST_ID, TIMESTAMP};
use super::identifiers;
use parchment_api::types::{
    BulkCreateCustomDrugsResponse, BulkCreateFailure, BulkCreateResult, CreatePatientRequest,
    CreatePatientResponse, CreatedPatient, CustomDrug, CustomDrugListResponse, CustomDrugResponse,
    ListPrescriptionsResponse, Pagination, PatientAddress, Prescriber, Prescription,
    PrescriptionDetail, PrescriptionError, PrescriptionPatient, PrescriptionsPage,
    ReadPrescriptionResponse,
};
use parchment_api::{
    AustralianState, DvaCardColor, IndigenousType, LenientDate, NumericText, PrescriptionStatus,
    PrescriptionType, Sex, Timestamp,
};

/// Every prescription status the SDK knows, for tests that cover each.
pub const PRESCRIPTION_STATUSES: &[PrescriptionStatus] = PrescriptionStatus::KNOWN;

/// Patient `n`'s Parchment id.
pub fn patient_id(n: u64) -> String {
    format!("pat_{n:012}")
}

/// Patient `n`'s Medicare card number (10 digits, valid check digit).
pub fn medicare_card_number(n: u64) -> String {
    identifiers::medicare_card_number(n)
}

/// Patient `n`'s IHI-style number (16 digits, prefix 800360, valid Luhn digit).
pub fn ihi_number(n: u64) -> String {
    identifiers::ihi(n)
}

fn date_of_birth(n: u64) -> LenientDate {
    identifiers::date_of_birth(n)
        .parse()
        .unwrap_or_else(|_| unreachable!("identifiers::date_of_birth writes real dates"))
}

fn sex(n: u64) -> Sex {
    Sex::from(identifiers::sex(n))
}

/// Patient `n` as a create sends them: names, date of birth, sex, a mobile number, a Medicare
/// card with a valid check digit, and for every third patient a DVA gold card.
pub fn new_patient_request(n: u64) -> CreatePatientRequest {
    let (given, family) = identifiers::names(n + 7);
    let (suburb, state, postcode, street_number) = identifiers::address(n);
    let veteran = n.is_multiple_of(3);
    CreatePatientRequest {
        given_name: given.try_into().expect("a non-empty name"),
        family_name: family.try_into().expect("a non-empty name"),
        date_of_birth: Some(date_of_birth(n)),
        sex: Some(sex(n)),
        partner_patient_id: Some(format!("{}", 10_000 + n)),
        partner_id: Some("PARTNER".into()),
        email: Some(format!("patient{n}@example.com")),
        phone: Some(identifiers::phone(n).try_into().expect("a documented form")),
        medicare_card_number: Some(medicare_card_number(n)),
        medicare_irn: Some(format!("{}", 1 + n % 9).try_into().expect("digits")),
        medicare_valid_to: Some(
            "2028-06-30"
                .parse()
                .unwrap_or_else(|_| unreachable!("a real date")),
        ),
        dva_file_number: veteran.then(|| format!("NX{:06}", n % 1_000_000)),
        dva_card_color: veteran.then_some(DvaCardColor::Gold),
        concession_pension_number: None,
        entitlement_number: None,
        racf_id: None,
        ctg_eligible: Some(false),
        indigenous_type: n.is_multiple_of(5).then_some(IndigenousType::Aboriginal),
        australian_street_address: Some(PatientAddress {
            street_number: street_number.try_into().expect("at most 5 characters"),
            street_name: "Collins Street".try_into().expect("a short name"),
            suburb: suburb.try_into().expect("a short suburb"),
            state: AustralianState::from(state),
            postcode: postcode.try_into().expect("a postcode"),
        }),
    }
}

/// Patient `n` as prescription responses show them.
pub fn patient(n: u64) -> PrescriptionPatient {
    let (given, family) = identifiers::names(n + 7);
    PrescriptionPatient {
        patient_id: Some(patient_id(n)),
        partner_patient_id: Some(format!("{}", 10_000 + n)),
        given_name: Some(given.into()),
        family_name: Some(family.into()),
        date_of_birth: Some(date_of_birth(n)),
        sex: Some(sex(n)),
    }
}

/// The create-patient envelope: 201 `Patient created successfully`, or with `conflicts` the
/// 202 `Conflict Detected` (ids of the new record in both).
pub fn created_patient_response(n: u64, conflicts: bool) -> CreatePatientResponse {
    CreatePatientResponse {
        success: Some(true),
        status_code: Some(if conflicts { 202 } else { 201 }),
        message: Some(
            if conflicts {
                "Conflict Detected"
            } else {
                "Patient created successfully"
            }
            .into(),
        ),
        code: None,
        data: Some(CreatedPatient {
            external_patient_id: Some(format!("PARTNER#{}", 10_000 + n)),
            parchment_patient_id: Some(patient_id(n)),
            patient_id: None,
            url: Some(format!(
                "https://app.parchment.health/dashboard/patients/{}",
                patient_id(n)
            )),
        }),
        pagination: None,
        meta: None,
        timestamp: Some(TIMESTAMP.into()),
        request_id: Some(REQUEST_ID.into()),
    }
}

/// The prescriber of the fixtures' prescriptions (provider number `n` of
/// [`provider`](super::fixtures::provider)).
pub fn prescriber(n: u64) -> Prescriber {
    let (given, family) = identifiers::names(n);
    Prescriber {
        title: Some("Dr".into()),
        given_name: Some(given.into()),
        family_name: Some(family.into()),
        user_id: Some(format!("usr_{n:012}")),
    }
}

/// Prescription `n` in `status`: an electronic script with a Script ID, a zone-less
/// `created_date`, an item, and (in status `Error`) its error description.
pub fn prescription(n: u64, status: PrescriptionStatus) -> Prescription {
    const ITEMS: &[(&str, &str, &str)] = &[
        ("Amoxicillin 500 mg capsule", "500 mg", "Capsule"),
        ("Paracetamol 500 mg tablet", "500 mg", "Tablet"),
        ("Salbutamol 100 mcg inhaler", "100 mcg", "Inhalation"),
    ];
    let (item, strength, form) = ITEMS[(n % ITEMS.len() as u64) as usize];
    let scid = format!("2F3WFX8J{:010}", n);
    let error = (status == PrescriptionStatus::Error).then(|| PrescriptionError {
        description: Some("The prescription could not be sent to the exchange".into()),
    });
    Prescription {
        prescription_type: Some(PrescriptionType::Electronic),
        url: Some(format!(
            "https://egw-etp-int-qrcode-web-au-se.azurewebsites.net/scripts/{scid}"
        )),
        created_date: Some(
            format!("2025-06-{:02}T{:02}:11:22", 1 + n % 28, n % 24)
                .parse::<Timestamp>()
                .unwrap_or_else(|_| unreachable!("a zone-less timestamp")),
        ),
        scid: Some(scid),
        status: Some(status),
        item_name: Some(item.into()),
        item_strength: Some(strength.into()),
        item_form: Some(form.into()),
        route_administration: Some("Oral".into()),
        quantity: Some(NumericText::from("20")),
        number_of_repeats_authorised: Some(NumericText::from("0")),
        schedule_number: Some("S4".into()),
        error,
        ..Prescription::default()
    }
}

/// One prescription of each known status, numbered from `first`.
pub fn prescriptions_in_every_status(first: u64) -> Vec<Prescription> {
    PRESCRIPTION_STATUSES
        .iter()
        .zip(first..)
        .map(|(status, n)| prescription(n, status.clone()))
        .collect()
}

/// A list-prescriptions page for patient `n` written by prescriber `n`, with `next_key` as
/// its `lastKey` (`None`: the last page).
pub fn prescriptions_page(
    n: u64,
    prescriptions: Vec<Prescription>,
    next_key: Option<&str>,
) -> ListPrescriptionsResponse {
    let count = i64::try_from(prescriptions.len()).ok();
    ListPrescriptionsResponse {
        success: Some(true),
        status_code: Some(200),
        message: Some("Patient prescriptions retrieved successfully".into()),
        code: None,
        data: PrescriptionsPage {
            patient: Some(patient(n)),
            prescriber: Some(Prescriber {
                title: None,
                ..prescriber(n)
            }),
            prescriptions,
        },
        pagination: Some(Pagination {
            count,
            has_next: Some(next_key.is_some()),
            limit: count,
            offset: Some(0),
            last_key: next_key.map(str::to_owned),
            ..Pagination::default()
        }),
        meta: None,
        timestamp: Some(TIMESTAMP.into()),
        request_id: Some(REQUEST_ID.into()),
    }
}

/// The read-prescription envelope as documented (`message`, `code: SUCCESS`, `data`), the
/// prescriber inside the prescription.
pub fn read_prescription_response(
    n: u64,
    mut prescription: Prescription,
) -> ReadPrescriptionResponse {
    prescription.prescriber = Some(prescriber(n));
    ReadPrescriptionResponse {
        success: None,
        status_code: None,
        message: Some("Prescriptions retrieved successfully".into()),
        code: Some("SUCCESS".into()),
        data: PrescriptionDetail {
            patient: Some(patient(n)),
            prescription,
        },
        pagination: None,
        meta: None,
        timestamp: None,
        request_id: None,
    }
}

/// Custom drug `n` as read back, with the seven required fields (optional ones left out, as
/// Parchment does when they are unset; every other drug has a brand name).
pub fn custom_drug(n: u64) -> CustomDrug {
    const DRUGS: &[(&str, &str, &str, &str)] = &[
        ("Amoxicillin", "500mg", "Capsule", "S4"),
        ("Paracetamol", "500mg", "Tablet", "S2"),
        ("Hydrocortisone", "1%", "Cream", "S3"),
    ];
    let (name, strength, form, class) = DRUGS[(n % DRUGS.len() as u64) as usize];
    CustomDrug {
        custom_drug_id: Some(format!("6f1c2b9e-3d4a-4e5f-8a7b-{n:012}")),
        item_generic_name: Some(name.into()),
        item_strength: Some(strength.into()),
        item_form: Some(form.into()),
        route_of_administration: Some(if form == "Cream" { "Topical" } else { "Oral" }.into()),
        quantity: Some(NumericText::from("20")),
        max_repeats: Some(NumericText::from(u32::try_from(n % 3).unwrap_or(0))),
        poison_class: Some(class.into()),
        brand_name: (n % 2 == 1).then(|| format!("Brand {n}")),
        ..CustomDrug::default()
    }
}

/// The envelope of one custom drug (create, update).
pub fn custom_drug_response(drug: CustomDrug) -> CustomDrugResponse {
    CustomDrugResponse {
        success: Some(true),
        status_code: Some(200),
        message: Some("Custom drug retrieved successfully".into()),
        code: Some("SUCCESS".into()),
        data: drug,
        pagination: None,
        meta: None,
        timestamp: Some(TIMESTAMP.into()),
        request_id: Some(REQUEST_ID.into()),
    }
}

/// The envelope of a list of custom drugs.
pub fn custom_drug_list_response(drugs: Vec<CustomDrug>) -> CustomDrugListResponse {
    CustomDrugListResponse {
        success: Some(true),
        status_code: Some(200),
        message: Some(format!(
            "Retrieved {} custom drugs successfully",
            drugs.len()
        )),
        code: Some("SUCCESS".into()),
        data: drugs,
        pagination: None,
        meta: None,
        timestamp: Some(TIMESTAMP.into()),
        request_id: Some(REQUEST_ID.into()),
    }
}

/// The bulk-create envelope for `total` items of which those at the 1-based `failed`
/// positions failed (all listed: no truncation).
pub fn bulk_create_response(total: u64, failed: &[u64]) -> BulkCreateCustomDrugsResponse {
    let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    BulkCreateCustomDrugsResponse {
        success: Some(true),
        status_code: Some(200),
        message: Some(format!("Processed {total} custom drugs")),
        code: Some("SUCCESS".into()),
        data: BulkCreateResult {
            total: Some(as_i64(total)),
            success_count: Some(as_i64(total.saturating_sub(failed.len() as u64))),
            failure_count: Some(as_i64(failed.len() as u64)),
            failures: Some(
                failed
                    .iter()
                    .map(|&index| BulkCreateFailure {
                        index: Some(as_i64(index)),
                        error: Some("item_generic_name is required".into()),
                    })
                    .collect(),
            ),
        },
        pagination: None,
        meta: None,
        timestamp: Some(TIMESTAMP.into()),
        request_id: Some(REQUEST_ID.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_patients_pass_the_clients_own_rules() {
        for n in 0..12 {
            let body = new_patient_request(n);
            let phone = body
                .phone
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default();
            assert_eq!(crate::patients::rules::phone("phone", &phone), None);
            assert_eq!(
                body.dva_card_color.is_some(),
                body.dva_file_number.is_some()
            );
            assert_eq!(ihi_number(n).len(), 16);
        }
    }

    #[test]
    fn there_is_a_prescription_in_each_status_and_errors_say_why() {
        let prescriptions = prescriptions_in_every_status(1);
        assert_eq!(prescriptions.len(), PRESCRIPTION_STATUSES.len());
        for prescription in &prescriptions {
            let is_error = prescription.status == Some(PrescriptionStatus::Error);
            assert_eq!(prescription.error.is_some(), is_error);
        }
    }
}
