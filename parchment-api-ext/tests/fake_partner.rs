//! FakeParchment's patient, prescription and custom-drug routes over HTTP with raw JSON (the
//! typed operations come with the client): every rule refused with a 400 listing the field
//! and nothing stored, 409 on a duplicate partner id, 202 on a demographic match, partial
//! updates (absent unchanged, `null` clears), prescriptions a test writes and reads back page
//! by page, both drug catalogues, scopes, 405, and a request log without bodies.

mod fake_wire;

use fake_wire::{ALL_SCOPES, Api, drug, patient};
use parchment_api_ext::testing::{
    FakeConfig, FakeParchment, FakePrescription, FakeWriteError, SAMPLE_DRUG_ID, SAMPLE_PATIENT_ID,
    SAMPLE_SCID,
};
use reqwest::Method;
use serde_json::{Value, json};

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

#[tokio::test]
async fn a_valid_patient_is_created_with_its_ids() {
    let (fake, api) = fake_and_api().await;
    let created = api.create_patient(patient("P-1")).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["success"], json!(true));
    let data = &created.body["data"];
    assert_eq!(data["external_patient_id"], json!("CLINIKO#P-1"));
    let id = data["parchment_patient_id"].as_str().unwrap_or_default();
    assert_eq!(id.len(), 36, "UUID-shaped: {id}");
    assert!(data["url"].as_str().unwrap_or_default().ends_with(id));
    assert_eq!(fake.patient_count(&org(&fake)), 1);
}

#[tokio::test]
async fn the_minimal_body_is_names_only() {
    let (fake, api) = fake_and_api().await;
    let created = api
        .create_patient(json!({"given_name": "Li", "family_name": "Wei"}))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(fake.patient_count(&org(&fake)), 1);
}

/// Each broken body, and the field its 400 names.
fn broken_patients() -> Vec<(&'static str, Value, &'static str)> {
    let with = |field: &str, value: Value| {
        let mut body = patient("P-bad");
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = patient("P-bad");
        body.as_object_mut().map(|o| o.remove(field));
        body
    };
    let address = |part: &str, value: Value| {
        let mut body = patient("P-bad");
        body["australian_street_address"][part] = value;
        body
    };
    let address_without = |part: &str| {
        let mut body = patient("P-bad");
        body["australian_street_address"]
            .as_object_mut()
            .map(|o| o.remove(part));
        body
    };
    vec![
        ("no family name", without("family_name"), "family_name"),
        ("no given name", without("given_name"), "given_name"),
        (
            "empty family name",
            with("family_name", json!(" ")),
            "family_name",
        ),
        ("phone 01", with("phone", json!("0112345678")), "phone"),
        (
            "phone 11 digits",
            with("phone", json!("04123456789")),
            "phone",
        ),
        ("phone 9 digits", with("phone", json!("041234567")), "phone"),
        (
            "phone separators",
            with("phone", json!("04-1234-5678")),
            "phone",
        ),
        ("phone +1", with("phone", json!("+14155550100")), "phone"),
        (
            "irn letters",
            with("medicare_irn", json!("1a")),
            "medicare_irn",
        ),
        ("irn empty", with("medicare_irn", json!("")), "medicare_irn"),
        (
            "dva colour alone",
            without("dva_file_number"),
            "dva_file_number",
        ),
        (
            "dva colour word",
            with("dva_card_color", json!("purple")),
            "dva_card_color",
        ),
        ("sex X", with("sex", json!("X")), "sex"),
        ("sex O", with("sex", json!("O")), "sex"),
        (
            "30 February",
            with("date_of_birth", json!("2023-02-30")),
            "date_of_birth",
        ),
        (
            "timestamp date",
            with("date_of_birth", json!("1990-01-15T00:00:00Z")),
            "date_of_birth",
        ),
        (
            "valid-to month 13",
            with("medicare_valid_to", json!("2027-13-01")),
            "medicare_valid_to",
        ),
        ("email", with("email", json!("not-an-email")), "email"),
        (
            "number as name",
            with("given_name", json!(42)),
            "given_name",
        ),
        (
            "ctg not bool",
            with("ctg_eligible", json!("yes")),
            "ctg_eligible",
        ),
        ("null name", with("given_name", Value::Null), "given_name"),
        (
            "street number 6",
            address("street_number", json!("123456")),
            "australian_street_address.street_number",
        ),
        (
            "street name 101",
            address("street_name", json!("x".repeat(101))),
            "australian_street_address.street_name",
        ),
        (
            "suburb 101",
            address("suburb", json!("y".repeat(101))),
            "australian_street_address.suburb",
        ),
        (
            "no postcode",
            address_without("postcode"),
            "australian_street_address.postcode",
        ),
        (
            "no state",
            address_without("state"),
            "australian_street_address.state",
        ),
        (
            "address not an object",
            with("australian_street_address", json!("12 Collins St")),
            "australian_street_address",
        ),
    ]
}

#[tokio::test]
async fn every_patient_rule_is_a_400_naming_the_field_and_stores_nothing() {
    let (fake, api) = fake_and_api().await;
    for (case, body, field) in broken_patients() {
        let refused = api.create_patient(body).await;
        assert_eq!(refused.status, 400, "{case}: {:?}", refused.body);
        assert_eq!(refused.body["success"], json!(false), "{case}");
        assert!(
            refused.fields().iter().any(|f| f == field),
            "{case}: {:?}",
            refused.fields()
        );
        let first = &refused.body["error"]["validation"][0];
        assert_eq!(first["code"], json!("VALIDATION_ERROR"), "{case}");
        assert!(first["message"].is_string(), "{case}");
        assert!(refused.body["requestId"].is_string(), "{case}");
    }
    assert_eq!(fake.patient_count(&org(&fake)), 0);
}

#[tokio::test]
async fn the_documented_phone_forms_and_edge_lengths_are_accepted() {
    let (fake, api) = fake_and_api().await;
    let forms = [
        "0298765432",
        "0312345678",
        "0712345678",
        "0812345678",
        "61412345678",
        "+61312345678",
    ];
    for (n, phone) in forms.iter().enumerate() {
        let mut body = patient(&format!("P-{n}"));
        body["phone"] = json!(phone);
        body["australian_street_address"]["street_number"] = json!("12345");
        body["australian_street_address"]["street_name"] = json!("s".repeat(100));
        body["date_of_birth"] = json!(format!("1990-0{}-15", n + 1));
        let created = api.create_patient(body).await;
        assert_eq!(created.status, 201, "{phone}: {:?}", created.body);
    }
    assert_eq!(fake.patient_count(&org(&fake)), forms.len());
}

#[tokio::test]
async fn unknown_members_and_non_json_are_refused() {
    let (fake, api) = fake_and_api().await;
    let mut body = patient("P-x");
    body["favourite_colour"] = json!("blue");
    assert_eq!(api.create_patient(body).await.status, 400);
    // The update's address key is not the create's.
    let mut body = patient("P-y");
    body["australian_address"] = body["australian_street_address"].clone();
    assert_eq!(api.create_patient(body).await.status, 400);
    assert_eq!(api.create_patient(json!([1, 2])).await.status, 400);
    assert_eq!(fake.patient_count(&org(&fake)), 0);
}

#[tokio::test]
async fn a_duplicate_partner_patient_id_is_a_409_and_not_stored() {
    let (fake, api) = fake_and_api().await;
    api.new_patient("P-dup").await;
    let mut again = patient("P-dup");
    again["given_name"] = json!("Someone");
    again["family_name"] = json!("Else");
    let refused = api.create_patient(again).await;
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    assert_eq!(
        refused.body["error"]["type"],
        json!("https://parchment.health/errors/resource-conflict")
    );
    assert_eq!(fake.patient_count(&org(&fake)), 1);
}

#[tokio::test]
async fn a_demographic_match_is_a_202_conflict_and_still_created() {
    let (fake, api) = fake_and_api().await;
    let first = api.new_patient("P-a").await;
    let mut twin = patient("P-b");
    twin["family_name"] = patient("P-a")["family_name"].clone();
    // Names match whatever their case and outer spaces.
    twin["given_name"] = json!(" AROHA ");
    let accepted = api.create_patient(twin.clone()).await;
    assert_eq!(accepted.status, 202, "{:?}", accepted.body);
    assert_eq!(accepted.body["success"], json!(true));
    assert_eq!(accepted.body["message"], json!("Conflict Detected"));
    let second = accepted.body["data"]["parchment_patient_id"]
        .as_str()
        .unwrap_or_default();
    assert_ne!(second, first);
    assert_eq!(
        accepted.body["data"]["external_patient_id"],
        json!("CLINIKO#P-b")
    );
    assert_eq!(fake.patient_count(&org(&fake)), 2);
    // Another date of birth is no match.
    twin["partner_patient_id"] = json!("P-c");
    twin["date_of_birth"] = json!("1984-07-22");
    assert_eq!(api.create_patient(twin).await.status, 201);
}

#[tokio::test]
async fn the_paths_user_must_exist_in_the_organization() {
    let (fake, api) = fake_and_api().await;
    let refused = api.post("/users/usr_nobody/patients", patient("P-1")).await;
    assert_eq!(refused.status, 404, "{:?}", refused.body);
    let other_admin = fake.add_organization("org_other", "other-secret");
    let refused = api
        .post(&format!("/users/{other_admin}/patients"), patient("P-1"))
        .await;
    assert_eq!(refused.status, 404);
    assert_eq!(fake.patient_count(&org(&fake)), 0);
}

#[tokio::test]
async fn an_update_changes_what_it_sends_and_null_clears() {
    let (_fake, api) = fake_and_api().await;
    let id = api.new_patient("P-1").await;
    let path = api.mine(&format!("/patients/{id}"));

    let updated = api.put(&path, json!({"phone": "+61298765432"})).await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    let data = &updated.body["data"];
    assert_eq!(data["patient_id"], json!(id));
    assert_eq!(data["phone"], json!("+61298765432"));
    // Absent: unchanged.
    assert_eq!(data["given_name"], json!("Aroha"));
    assert_eq!(data["date_of_birth"], json!("1984-07-21"));
    assert_eq!(data["email"], json!("aroha@example.com"));

    // The DVA rule holds on the record after the write: clearing the file number alone
    // leaves a colour without one.
    let refused = api.put(&path, json!({"dva_file_number": null})).await;
    assert_eq!(refused.status, 400, "{:?}", refused.body);
    assert_eq!(refused.fields(), ["dva_file_number"]);
    // Clearing both is fine; afterwards a colour alone is refused: the number really is gone.
    let cleared = api
        .put(
            &path,
            json!({"dva_file_number": null, "dva_card_color": null}),
        )
        .await;
    assert_eq!(cleared.status, 200, "{:?}", cleared.body);
    let refused = api.put(&path, json!({"dva_card_color": "W"})).await;
    assert_eq!(refused.status, 400);
    let set = api
        .put(
            &path,
            json!({"dva_card_color": "W", "dva_file_number": "QX1"}),
        )
        .await;
    assert_eq!(set.status, 200);

    for nullable in ["medicare_card_number", "medicare_irn", "medicare_valid_to"] {
        let cleared = api.put(&path, json!({ nullable: null })).await;
        assert_eq!(cleared.status, 200, "{nullable}: {:?}", cleared.body);
    }
    for not_nullable in ["given_name", "phone", "sex", "australian_address"] {
        let refused = api.put(&path, json!({ not_nullable: null })).await;
        assert_eq!(refused.status, 400, "{not_nullable}");
    }
    let address = json!({"street_number": "1", "street_name": "George Street",
        "suburb": "Sydney", "state": "NSW", "postcode": "2000"});
    assert_eq!(
        api.put(&path, json!({"australian_address": address}))
            .await
            .status,
        200
    );
    // The create's key is not the update's.
    assert_eq!(
        api.put(&path, json!({"australian_street_address": {}}))
            .await
            .status,
        400
    );
    assert_eq!(
        api.put(&path, json!({"ihi_number": "8003608166690503"}))
            .await
            .status,
        200
    );
    assert_eq!(
        api.put(&path, json!({"ihi_number": "800360"})).await.status,
        400
    );
    assert_eq!(
        api.put(&path, json!({"sex": "I", "is_inpatient": true}))
            .await
            .status,
        200
    );
    assert_eq!(api.put(&path, json!({})).await.status, 200);

    let missing = api
        .put(&api.mine("/patients/nope"), json!({"phone": "0412345678"}))
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn a_changed_name_moves_the_demographic_match() {
    let (_fake, api) = fake_and_api().await;
    let id = api.new_patient("P-1").await;
    let path = api.mine(&format!("/patients/{id}"));
    assert_eq!(
        api.put(&path, json!({"family_name": "Renamed"}))
            .await
            .status,
        200
    );
    let mut same_as_before = patient("P-2");
    same_as_before["family_name"] = patient("P-1")["family_name"].clone();
    assert_eq!(api.create_patient(same_as_before).await.status, 201);
    let mut same_as_now = patient("P-3");
    same_as_now["family_name"] = json!("renamed");
    assert_eq!(api.create_patient(same_as_now).await.status, 202);
}

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
async fn a_prescribers_own_drugs_are_created_listed_and_updated() {
    let (fake, api) = fake_and_api().await;
    let org = org(&fake);
    let mut body = drug("Paracetamol");
    body["quantity"] = json!(20);
    body["brand_name"] = json!("Panadol");
    let created = api.post(&api.mine("/custom-drugs"), body).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["code"], json!("SUCCESS"));
    let data = &created.body["data"];
    let id = data["custom_drug_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(id.len(), 36);
    assert_eq!(
        data["quantity"],
        json!("20"),
        "a number is coerced to a string"
    );
    assert_eq!(data["brand_name"], json!("Panadol"));
    assert!(
        data.get("description").is_none(),
        "unset optional fields are left out"
    );

    let org_drugs = api.post("/custom-drugs", json!([drug("Shared")])).await;
    assert_eq!(org_drugs.status, 200);
    let listed = api.get(&api.mine("/custom-drugs")).await;
    let names: Vec<&str> = listed.body["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["item_generic_name"].as_str())
        .collect();
    assert_eq!(names, ["Shared", "Paracetamol"]);
    assert_eq!(fake.drug_count(&org, Some(&api.user)), 2);
    let other = fake.user_ids(&org, 2)[1].clone();
    let theirs = api.get(&format!("/users/{other}/custom-drugs")).await;
    assert_eq!(theirs.body["data"].as_array().map(Vec::len), Some(1));

    let path = api.mine(&format!("/custom-drugs/{id}"));
    let updated = api
        .put(
            &path,
            json!({"item_strength": "1g", "brand_name": null, "max_repeats": 5}),
        )
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    let data = &updated.body["data"];
    assert_eq!(data["item_strength"], json!("1g"));
    assert_eq!(data["item_generic_name"], json!("Paracetamol"));
    assert_eq!(data["max_repeats"], json!("5"));
    assert!(data.get("brand_name").is_none());
    assert_eq!(api.put(&path, json!({"item_form": null})).await.status, 400);
    assert_eq!(
        api.put(&path, json!({"poison_class": "S44"})).await.status,
        400
    );
    // Another user's, and an organization drug, are not this user's to update.
    let other_path = format!("/users/{other}/custom-drugs/{id}");
    assert_eq!(
        api.put(&other_path, json!({"item_strength": "2g"}))
            .await
            .status,
        404
    );
    let shared_id = api.get("/custom-drugs").await.body["data"][0]["custom_drug_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let shared_path = api.mine(&format!("/custom-drugs/{shared_id}"));
    assert_eq!(
        api.put(&shared_path, json!({"item_strength": "2g"}))
            .await
            .status,
        404
    );
    assert_eq!(api.get("/users/usr_nobody/custom-drugs").await.status, 404);
}

#[tokio::test]
async fn every_drug_rule_is_a_400_naming_the_field() {
    let (fake, api) = fake_and_api().await;
    let required = [
        "item_generic_name",
        "item_strength",
        "item_form",
        "route_of_administration",
        "quantity",
        "max_repeats",
        "poison_class",
    ];
    for field in required {
        let mut body = drug("X");
        body.as_object_mut().map(|o| o.remove(field));
        let refused = api.post(&api.mine("/custom-drugs"), body).await;
        assert_eq!(refused.status, 400, "{field}");
        assert_eq!(refused.fields(), [field]);
    }
    let limits = [
        ("item_generic_name", 280),
        ("item_strength", 100),
        ("item_form", 50),
        ("route_of_administration", 50),
        ("poison_class", 2),
        ("item_trade_name", 280),
        ("brand_name", 100),
        ("custom_product_id", 50),
        ("description", 280),
        ("patient_instructions", 250),
        ("doctor_instructions", 50),
    ];
    for (field, max) in limits {
        let mut body = drug("X");
        body[field] = json!("a".repeat(max));
        assert_eq!(
            api.post(&api.mine("/custom-drugs"), body.clone())
                .await
                .status,
            201,
            "{field} at {max}"
        );
        body[field] = json!("a".repeat(max + 1));
        let refused = api.post(&api.mine("/custom-drugs"), body).await;
        assert_eq!(refused.status, 400, "{field} over {max}");
        assert_eq!(refused.fields(), [field]);
    }
    let mut unknown = drug("X");
    unknown["colour"] = json!("red");
    assert_eq!(
        api.post(&api.mine("/custom-drugs"), unknown).await.status,
        400
    );
    assert_eq!(fake.drug_count(&org(&fake), Some(&api.user)), limits.len());
}

#[tokio::test]
async fn bulk_create_reports_each_item_and_refuses_when_all_fail() {
    let (fake, api) = fake_and_api().await;
    let org = org(&fake);
    let mut bad = drug("Bad");
    bad.as_object_mut().map(|o| o.remove("item_form"));
    let mixed = api
        .post(
            "/custom-drugs",
            json!([drug("A"), bad.clone(), drug("B"), bad.clone()]),
        )
        .await;
    assert_eq!(mixed.status, 200, "{:?}", mixed.body);
    let data = &mixed.body["data"];
    assert_eq!(data["total"], json!(4));
    assert_eq!(data["successCount"], json!(2));
    assert_eq!(data["failureCount"], json!(2));
    let indexes: Vec<u64> = data["failures"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["index"].as_u64())
        .collect();
    assert_eq!(indexes, [2, 4], "1-based");
    assert!(
        data["failures"][0]["error"]
            .as_str()
            .unwrap_or("")
            .contains("item_form")
    );
    assert_eq!(fake.drug_count(&org, None), 2);

    let all_bad = api
        .post("/custom-drugs", json!([bad.clone(), bad.clone()]))
        .await;
    assert_eq!(all_bad.status, 400);
    assert_eq!(all_bad.body["success"], json!(false));
    assert_eq!(api.post("/custom-drugs", json!([])).await.status, 400);
    assert_eq!(
        api.post("/custom-drugs", drug("NotAList")).await.status,
        400
    );
    assert_eq!(fake.drug_count(&org, None), 2);

    let mut many: Vec<Value> = vec![bad; 60];
    many.push(drug("Good"));
    let truncated = api.post("/custom-drugs", Value::Array(many)).await;
    assert_eq!(truncated.status, 200);
    assert_eq!(truncated.body["data"]["failureCount"], json!(60));
    assert_eq!(
        truncated.body["data"]["failures"].as_array().map(Vec::len),
        Some(50)
    );
    let listed = api.get("/custom-drugs").await;
    assert_eq!(listed.body["data"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn delete_all_needs_confirm_true_and_keeps_users_drugs() {
    let (fake, api) = fake_and_api().await;
    let org = org(&fake);
    api.post("/custom-drugs", json!([drug("A"), drug("B")]))
        .await;
    api.post(&api.mine("/custom-drugs"), drug("Mine")).await;
    for query in ["", "?confirm=false", "?confirm=TRUE", "?confirm="] {
        let refused = api
            .call(Method::DELETE, &format!("/custom-drugs{query}"), None)
            .await;
        assert_eq!(refused.status, 400, "{query}");
    }
    assert_eq!(fake.drug_count(&org, None), 2, "nothing deleted");
    let deleted = api
        .call(Method::DELETE, "/custom-drugs?confirm=true", None)
        .await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body["data"], json!({}));
    assert_eq!(fake.drug_count(&org, None), 0);
    assert_eq!(fake.drug_count(&org, Some(&api.user)), 1);
}

#[tokio::test]
async fn each_route_needs_its_scope() {
    let fake = empty_fake().await;
    let weak = Api::new(&fake, &["read:users"]).await;
    let strong = Api::new(&fake, ALL_SCOPES).await;
    let id = strong.new_patient("P-1").await;
    let cases = [
        (
            Method::POST,
            weak.mine("/patients"),
            Some(patient("P-2")),
            "create:patient",
        ),
        (
            Method::PUT,
            weak.mine(&format!("/patients/{id}")),
            Some(json!({})),
            "update:patient",
        ),
        (
            Method::GET,
            weak.mine(&format!("/patients/{id}/prescriptions")),
            None,
            "read:patient_prescription",
        ),
        (
            Method::GET,
            weak.mine(&format!("/patients/{id}/prescriptions/X")),
            None,
            "read:patient_prescription",
        ),
        (
            Method::POST,
            weak.mine("/custom-drugs"),
            Some(drug("A")),
            "create:custom_drug",
        ),
        (
            Method::GET,
            weak.mine("/custom-drugs"),
            None,
            "read:custom_drug",
        ),
        (
            Method::PUT,
            weak.mine("/custom-drugs/x"),
            Some(json!({})),
            "update:custom_drug",
        ),
        (
            Method::POST,
            "/custom-drugs".to_owned(),
            Some(json!([drug("A")])),
            "create:custom_drug",
        ),
        (
            Method::GET,
            "/custom-drugs".to_owned(),
            None,
            "read:custom_drug",
        ),
        (
            Method::DELETE,
            "/custom-drugs?confirm=true".to_owned(),
            None,
            "delete:custom_drug",
        ),
    ];
    for (method, path, body, scope) in cases {
        let refused = weak.call(method.clone(), &path, body).await;
        assert_eq!(refused.status, 403, "{method} {path}");
        assert!(
            refused.body["error"]["detail"]
                .as_str()
                .unwrap_or("")
                .contains(scope),
            "{method} {path}: {:?}",
            refused.body
        );
    }
    assert_eq!(fake.patient_count(&fake.credentials().organization_id), 1);
    // The custom-drug scopes are granted when asked for.
    let token = fake_wire::http()
        .post(format!("{}/v1/token", fake.base_url()))
        .header("x-partner-id", &fake.credentials().partner_id)
        .header("x-partner-secret", &fake.credentials().partner_secret)
        .header("x-organization-id", &fake.credentials().organization_id)
        .header("x-organization-secret", &fake.credentials().organization_secret)
        .header("x-user-id", &fake.credentials().acting_user)
        .json(&json!({"grantType": "client_credentials", "scope": ["create:custom_drug", "read:custom_drug", "update:custom_drug", "delete:custom_drug"]}))
        .send()
        .await
        .expect("answered");
    let token = fake_wire::answer(token).await;
    assert_eq!(
        token.body["data"]["scope"],
        json!([
            "create:custom_drug",
            "delete:custom_drug",
            "read:custom_drug",
            "update:custom_drug"
        ])
    );
    // Without the organization secret nothing is served.
    let mut no_secret = Api::new(&fake, ALL_SCOPES).await;
    no_secret.secret = "wrong".into();
    assert_eq!(no_secret.get("/custom-drugs").await.status, 401);
}

#[tokio::test]
async fn a_known_path_with_another_method_is_a_405_with_allow() {
    let (_fake, api) = fake_and_api().await;
    let id = api.new_patient("P-1").await;
    let cases = [
        (Method::DELETE, api.mine(&format!("/patients/{id}")), "PUT"),
        (Method::GET, api.mine("/patients"), "POST"),
        (Method::DELETE, api.mine("/custom-drugs"), "POST, GET"),
        (Method::PUT, "/custom-drugs".to_owned(), "POST, GET, DELETE"),
    ];
    for (method, path, allow) in cases {
        let refused = api.call(method.clone(), &path, None).await;
        assert_eq!(refused.status, 405, "{method} {path}");
        assert_eq!(
            refused.headers.get("allow").and_then(|v| v.to_str().ok()),
            Some(allow),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn the_request_log_has_method_path_status_only() {
    let (fake, api) = fake_and_api().await;
    let id = api.new_patient("P-secret-partner-id").await;
    api.put(
        &api.mine(&format!("/patients/{id}")),
        json!({"phone": "0298765432"}),
    )
    .await;
    api.get(&api.mine(&format!("/patients/{id}/prescriptions?limit=5")))
        .await;
    let log = format!("{:?}", fake.requests());
    for private in [
        "Aroha",
        "0412345678",
        "0298765432",
        "1984-07-21",
        "2953701831",
        "NX123456",
        "limit=5",
        &api.token,
        &api.secret,
    ] {
        assert!(!log.contains(private), "{private} in {log}");
    }
    let last = fake.requests().pop().expect("logged");
    assert_eq!(last.method, "GET");
    assert_eq!(last.status, 200);
    assert!(last.path.ends_with("/prescriptions"));
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
