//! Prescriptions a test writes and reads back: pages by `limit` and `lastKey`, the list of the
//! path's prescriber, one prescription by SCID with its prescriber and error, writes for unknown
//! records refused, ten thousand seeded cheaply, and the sample records a fake starts with.

use crate::fake_wire::{ALL_SCOPES, Api};
use crate::{empty_fake, fake_and_api, org};
use parchment_api_ext::testing::{
    FakeParchment, FakePrescription, FakeWriteError, SAMPLE_DRUG_ID, SAMPLE_PATIENT_ID, SAMPLE_SCID,
};
use serde_json::{Value, json};

#[tokio::test]
async fn written_prescriptions_page_by_limit_and_last_key() {
    let (fake, api) = fake_and_api().await;
    let id = api.new_patient("P-rx").await;
    let org = org(&fake);
    fake.seed_prescriptions(&org, &api.user, &id, &FakePrescription::active(), 45)
        .expect("the patient exists");
    assert_eq!(fake.prescription_count(&org, &id), 45);
    let path = api.mine(&format!("/patients/{id}/prescriptions"));

    let first = api.get(&path).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let page = &first.body["pagination"];
    assert_eq!(page["count"], json!(20), "the default limit is 20");
    assert_eq!(page["limit"], json!(20));
    assert_eq!(page["offset"], json!(0));
    assert_eq!(page["hasNext"], json!(true));
    let data = &first.body["data"];
    assert_eq!(data["patient"]["patient_id"], json!(id));
    assert_eq!(data["patient"]["partner_patient_id"], json!("P-rx"));
    assert_eq!(data["prescriber"]["user_id"], json!(api.user));
    assert_eq!(data["prescriber"]["given_name"], json!("Practice"));
    let item = &data["prescriptions"][0];
    assert_eq!(item["status"], json!("Active"));
    assert_eq!(item["prescription_type"], json!("ELECTRONIC"));
    assert_eq!(item["quantity"], json!("20"));
    assert_eq!(item["error"], Value::Null);
    let created = item["created_date"].as_str().unwrap_or_default();
    assert!(
        chrono::NaiveDateTime::parse_from_str(created, "%Y-%m-%dT%H:%M:%S").is_ok(),
        "no zone: {created}"
    );

    let mut seen: Vec<String> = Vec::new();
    let mut key: Option<String> = None;
    let mut offsets = Vec::new();
    loop {
        let url = match &key {
            None => format!("{path}?limit=20"),
            Some(key) => format!("{path}?limit=20&lastKey={key}"),
        };
        let answer = api.get(&url).await;
        assert_eq!(answer.status, 200);
        offsets.push(answer.body["pagination"]["offset"].as_u64().unwrap_or(999));
        for item in answer.body["data"]["prescriptions"]
            .as_array()
            .into_iter()
            .flatten()
        {
            seen.push(item["scid"].as_str().unwrap_or_default().to_owned());
        }
        match answer.body["pagination"]["lastKey"].as_str() {
            Some(next) => {
                assert_eq!(answer.body["pagination"]["hasNext"], json!(true));
                key = Some(next.to_owned());
            }
            None => {
                assert_eq!(answer.body["pagination"]["hasNext"], json!(false));
                assert_eq!(answer.body["pagination"]["count"], json!(5));
                break;
            }
        }
    }
    assert_eq!(offsets, [0, 20, 40]);
    let distinct: std::collections::HashSet<&String> = seen.iter().collect();
    assert_eq!((seen.len(), distinct.len()), (45, 45));

    let all = api.get(&format!("{path}?limit=50")).await;
    assert_eq!(all.body["pagination"]["count"], json!(45));
    assert_eq!(all.body["pagination"]["lastKey"], Value::Null);
    for bad in [
        "limit=0",
        "limit=51",
        "limit=ten",
        "lastKey=not-a-key",
        "lastKey=eyJ4IjoxfQ",
    ] {
        let refused = api.get(&format!("{path}?{bad}")).await;
        assert_eq!(refused.status, 400, "{bad}");
    }
}

#[tokio::test]
async fn the_list_shows_what_the_paths_prescriber_wrote() {
    let (fake, api) = fake_and_api().await;
    let org = org(&fake);
    let id = api.new_patient("P-1").await;
    let other = fake.user_ids(&org, 2)[1].clone();
    fake.write_prescription(&org, &other, &id).expect("written");
    let mine = api
        .get(&api.mine(&format!("/patients/{id}/prescriptions")))
        .await;
    assert_eq!(mine.body["pagination"]["count"], json!(0));
    let theirs = api
        .get(&format!("/users/{other}/patients/{id}/prescriptions"))
        .await;
    assert_eq!(theirs.body["pagination"]["count"], json!(1));
    assert_eq!(theirs.body["data"]["prescriber"]["user_id"], json!(other));
}

#[tokio::test]
async fn one_prescription_reads_by_scid_with_its_prescriber_and_error() {
    let (fake, api) = fake_and_api().await;
    let org = org(&fake);
    let id = api.new_patient("P-1").await;
    let active = fake
        .write_prescription(&org, &api.user, &id)
        .expect("written");
    let failed = fake
        .write_prescription_with(
            &org,
            &api.user,
            &id,
            &FakePrescription::error("Gateway rejected the script")
                .item("Metformin", "500mg", "Tablet")
                .quantity(60)
                .repeats(5),
        )
        .expect("written");
    assert_eq!(active.len(), 18);
    assert_ne!(active, failed);

    let read = api
        .get(&api.mine(&format!("/patients/{id}/prescriptions/{active}")))
        .await;
    assert_eq!(read.status, 200, "{:?}", read.body);
    assert_eq!(read.body["code"], json!("SUCCESS"));
    let prescription = &read.body["data"]["prescription"];
    assert_eq!(prescription["scid"], json!(active));
    assert_eq!(prescription["status"], json!("ACTIVE"));
    assert_eq!(prescription["prescriber"]["user_id"], json!(api.user));
    assert!(prescription["prescriber"]["title"].is_string());
    assert_eq!(read.body["data"]["patient"]["patient_id"], json!(id));

    let read = api
        .get(&api.mine(&format!("/patients/{id}/prescriptions/{failed}")))
        .await;
    let prescription = &read.body["data"]["prescription"];
    assert_eq!(prescription["status"], json!("ERROR"));
    assert_eq!(prescription["item_name"], json!("Metformin"));
    assert_eq!(prescription["quantity"], json!("60"));
    assert_eq!(prescription["number_of_repeats_authorised"], json!("5"));
    assert_eq!(
        prescription["error"]["description"],
        json!("Gateway rejected the script")
    );

    let missing = api
        .get(&api.mine(&format!("/patients/{id}/prescriptions/NOSUCHSCID")))
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.body["error"]["type"],
        json!("PRESCRIPTION_NOT_FOUND")
    );
    let no_patient = api
        .get(&api.mine(&format!("/patients/nobody/prescriptions/{active}")))
        .await;
    assert_eq!(no_patient.status, 404);
}

#[tokio::test]
async fn writing_for_an_unknown_record_is_refused() {
    let (fake, api) = fake_and_api().await;
    let org = org(&fake);
    let id = api.new_patient("P-1").await;
    assert_eq!(
        fake.write_prescription("org_none", &api.user, &id),
        Err(FakeWriteError::UnknownOrganization)
    );
    assert_eq!(
        fake.write_prescription(&org, "usr_none", &id),
        Err(FakeWriteError::UnknownUser)
    );
    assert_eq!(
        fake.write_prescription(&org, &api.user, "pat_none"),
        Err(FakeWriteError::UnknownPatient)
    );
    assert_eq!(fake.prescription_count(&org, &id), 0);
}

#[tokio::test]
async fn ten_thousand_prescriptions_seed_cheaply_and_page_in_two_hundred_pages() {
    let (fake, api) = fake_and_api().await;
    let org = org(&fake);
    let id = api.new_patient("P-bench").await;
    let started = std::time::Instant::now();
    fake.seed_prescriptions(&org, &api.user, &id, &FakePrescription::active(), 10_000)
        .expect("seeded");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let path = api.mine(&format!("/patients/{id}/prescriptions"));
    let (mut key, mut pages, mut items) = (None::<String>, 0, 0);
    loop {
        let url = match &key {
            None => format!("{path}?limit=50"),
            Some(key) => format!("{path}?limit=50&lastKey={key}"),
        };
        let answer = api.get(&url).await;
        pages += 1;
        items += answer.body["data"]["prescriptions"]
            .as_array()
            .map_or(0, Vec::len);
        match answer.body["pagination"]["lastKey"].as_str() {
            Some(next) => key = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!((pages, items), (200, 10_000));
}

#[tokio::test]
async fn a_fake_starts_with_sample_records_of_its_first_generated_user() {
    let fake = FakeParchment::start().await;
    let org = org(&fake);
    let user = fake.user_ids(&org, 2)[1].clone();
    let api = Api::new(&fake, ALL_SCOPES).await;
    assert_eq!(fake.patient_count(&org), 1);
    assert_eq!(fake.prescription_count(&org, SAMPLE_PATIENT_ID), 2);
    let base = format!("/users/{user}/patients/{SAMPLE_PATIENT_ID}/prescriptions");
    let listed = api.get(&base).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    let statuses: Vec<&Value> = listed.body["data"]["prescriptions"]
        .as_array()
        .map(|items| items.iter().map(|item| &item["status"]).collect())
        .unwrap_or_default();
    assert_eq!(statuses, [&json!("Active"), &json!("Error")]);
    let one = api.get(&format!("{base}/{SAMPLE_SCID}")).await;
    assert_eq!(one.status, 200, "{:?}", one.body);
    assert_eq!(one.body["data"]["prescription"]["scid"], json!(SAMPLE_SCID));
    let drugs = api.get(&format!("/users/{user}/custom-drugs")).await;
    assert_eq!(
        drugs.body["data"][0]["custom_drug_id"],
        json!(SAMPLE_DRUG_ID)
    );
    assert_eq!(
        fake.drug_count(&org, None),
        0,
        "the organization's catalogue is empty"
    );

    let empty = empty_fake().await;
    assert_eq!(empty.patient_count(&empty.credentials().organization_id), 0);
}
