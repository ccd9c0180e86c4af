//! Creating patients: a valid body and the minimal one, every rule refused with a 400 naming the
//! field and nothing stored, the documented phone forms and edge lengths accepted, unknown
//! members and non-JSON refused, 409 on a duplicate partner id, 202 on a demographic match,
//! and a path user that must exist in the organization.

use crate::fake_wire::patient;
use crate::{fake_and_api, org};
use serde_json::{Value, json};

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
