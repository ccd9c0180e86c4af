//! Custom drugs: a prescriber's own created, listed and updated; every rule a 400 naming the
//! field; the organization catalogue's bulk create reporting each item, and its delete-all
//! needing `confirm=true` and keeping the users' drugs.

use crate::fake_wire::drug;
use crate::{fake_and_api, org};
use reqwest::Method;
use serde_json::{Value, json};

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
