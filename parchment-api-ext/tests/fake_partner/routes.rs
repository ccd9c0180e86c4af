//! What every route shares: each needs its scope (and the organization secret), a known path
//! with another method is a 405 with `Allow`, and the request log holds method, path and status
//! only.

use crate::fake_wire::{self, ALL_SCOPES, Api, drug, patient};
use crate::{empty_fake, fake_and_api};
use reqwest::Method;
use serde_json::json;

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
