//! The partner fixtures through the typed mocks: what a service's own tests would write.

mod support;

use futures::TryStreamExt;
use parchment_api_ext::testing::{fixtures, mocks::MockServerExt};
use parchment_api_ext::{PatientCreated, PrescriptionStatus};
use support::ORG;

#[tokio::test]
async fn fixture_prescriptions_in_every_status_stream_through_the_typed_mocks() {
    let server = httpmock::MockServer::start_async().await;
    let prescriptions = fixtures::prescriptions_in_every_status(1);
    let (first, rest) = prescriptions.split_at(3);
    let patient = fixtures::patient_id(4);
    server.list_prescriptions(|when, then| {
        when.patient_id(&fixtures::literal(&patient)).last_key(None);
        then.ok(&fixtures::prescriptions_page(4, first.to_vec(), Some("k1")));
    });
    server.list_prescriptions(|when, then| {
        when.patient_id(&fixtures::literal(&patient))
            .last_key(Some("k1"));
        then.ok(&fixtures::prescriptions_page(4, rest.to_vec(), None));
    });
    let statuses: Vec<_> = support::client(&server.base_url())
        .organization(ORG)
        .acting_as("usr_000000000004")
        .prescriptions(patient.as_str())
        .list()
        .stream()
        .map_ok(|p| p.status)
        .try_collect()
        .await
        .expect("every page");
    let expected: Vec<_> = fixtures::PRESCRIPTION_STATUSES
        .iter()
        .cloned()
        .map(Some)
        .collect();
    assert_eq!(statuses, expected);
    assert!(statuses.contains(&Some(PrescriptionStatus::Error)));
}

#[tokio::test]
async fn the_202_fixture_reads_as_accepted() {
    let server = httpmock::MockServer::start_async().await;
    server.create_patient(|_when, then| {
        then.accepted(&fixtures::created_patient_response(3, true));
    });
    let created = support::client(&server.base_url())
        .organization(ORG)
        .acting_as("usr_1")
        .patients()
        .create(parchment_api_ext::NewPatient::new("Jane", "Citizen"))
        .await
        .expect("a 202 is a success");
    assert!(matches!(&*created, PatientCreated::Accepted { .. }));
    assert_eq!(
        created.patient().patient_id.as_deref(),
        Some(fixtures::patient_id(3).as_str())
    );
}

#[test]
fn fixture_patients_carry_valid_medicare_and_ihi_numbers() {
    for n in [0, 1, 2, 3, 99] {
        let medicare = fixtures::medicare_card_number(n);
        let weights = [1, 3, 7, 9, 1, 3, 7, 9];
        let sum: u32 = medicare[..8]
            .chars()
            .zip(weights)
            .map(|(c, w)| c.to_digit(10).expect("a digit") * w)
            .sum();
        assert_eq!(medicare[8..9].parse::<u32>().expect("a digit"), sum % 10);
        let ihi = fixtures::ihi_number(n);
        assert!(ihi.starts_with("800360") && ihi.len() == 16, "{ihi}");
        assert_eq!(
            fixtures::new_patient_request(n).medicare_card_number,
            Some(medicare)
        );
    }
}
