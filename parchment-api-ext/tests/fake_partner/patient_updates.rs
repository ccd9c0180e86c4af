//! Updating patients: only what is sent changes, `null` clears what may be cleared and is
//! refused elsewhere, the rules hold on the record after the write, and a changed name moves
//! the demographic match.

use crate::fake_and_api;
use crate::fake_wire::patient;
use serde_json::json;

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
