//! Raw HTTP against FakeParchment for the routes the typed client does not cover yet: a token
//! with chosen scopes, then JSON in and (status, headers, JSON) out, with reqwest.

#![allow(dead_code)]

use parchment_api_ext::testing::FakeParchment;
use reqwest::Method;
use serde_json::{Value, json};

/// Every scope the partner routes need.
pub(crate) const ALL_SCOPES: &[&str] = &[
    "create:patient",
    "update:patient",
    "read:patient_prescription",
    "create:custom_drug",
    "read:custom_drug",
    "update:custom_drug",
    "delete:custom_drug",
    "read:users",
    "read:user",
];

/// An answer: status, headers, and the body as JSON (`Null` when it is not JSON).
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
}

impl Answer {
    /// The `field`s of `error.validation`.
    pub(crate) fn fields(&self) -> Vec<String> {
        self.body["error"]["validation"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|item| item["field"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A caller of the fake's organization routes.
pub(crate) struct Api {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
    pub(crate) org: String,
    pub(crate) secret: String,
    pub(crate) token: String,
    /// The acting user (the organization's administrator).
    pub(crate) user: String,
}

/// A reqwest client that never uses a proxy or follows redirects.
pub(crate) fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a plain client builds")
}

pub(crate) async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("the body arrives");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

impl Api {
    /// A token for the fake's first organization with `scopes`.
    pub(crate) async fn new(fake: &FakeParchment, scopes: &[&str]) -> Self {
        let c = fake.credentials();
        let http = http();
        let token = http
            .post(format!("{}/v1/token", fake.base_url()))
            .header("x-partner-id", &c.partner_id)
            .header("x-partner-secret", &c.partner_secret)
            .header("x-organization-id", &c.organization_id)
            .header("x-organization-secret", &c.organization_secret)
            .header("x-user-id", &c.acting_user)
            .json(&json!({"grantType": "client_credentials", "scope": scopes}))
            .send()
            .await
            .expect("the fake answers");
        let token = answer(token).await;
        assert_eq!(token.status, 200, "{:?}", token.body);
        Self {
            http,
            base: fake.base_url().to_owned(),
            org: c.organization_id.clone(),
            secret: c.organization_secret.clone(),
            token: token.body["data"]["accessToken"]
                .as_str()
                .expect("a token")
                .to_owned(),
            user: c.acting_user.clone(),
        }
    }

    /// `method` on `{base}/v1/organizations/{org}{path}` (path and query) with `body`.
    pub(crate) async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self
            .http
            .request(
                method,
                format!("{}/v1/organizations/{}{path}", self.base, self.org),
            )
            .bearer_auth(&self.token)
            .header("x-organization-secret", &self.secret);
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.expect("the fake answers")).await
    }

    pub(crate) async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    pub(crate) async fn put(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(body)).await
    }

    /// `/users/{acting user}{rest}`.
    pub(crate) fn mine(&self, rest: &str) -> String {
        format!("/users/{}{rest}", self.user)
    }

    /// Creates `body` as a patient of the acting user; returns the answer.
    pub(crate) async fn create_patient(&self, body: Value) -> Answer {
        self.post(&self.mine("/patients"), body).await
    }

    /// Creates a valid patient and returns its id.
    pub(crate) async fn new_patient(&self, partner_patient_id: &str) -> String {
        let created = self.create_patient(patient(partner_patient_id)).await;
        assert_eq!(created.status, 201, "{:?}", created.body);
        created.body["data"]["parchment_patient_id"]
            .as_str()
            .expect("an id")
            .to_owned()
    }
}

/// A valid create-patient body with every field.
pub(crate) fn patient(partner_patient_id: &str) -> Value {
    json!({
        "given_name": "Aroha",
        "family_name": format!("Ngata-{partner_patient_id}"),
        "date_of_birth": "1984-07-21",
        "sex": "F",
        "partner_patient_id": partner_patient_id,
        "partner_id": "CLINIKO",
        "email": "aroha@example.com",
        "phone": "0412345678",
        "medicare_card_number": "2953701831",
        "medicare_irn": "1",
        "medicare_valid_to": "2027-05-31",
        "dva_file_number": "NX123456",
        "dva_card_color": "G",
        "concession_pension_number": "123456789A",
        "entitlement_number": "E123",
        "racf_id": "R1",
        "ctg_eligible": false,
        "indigenous_type": "aboriginal",
        "australian_street_address": {
            "street_number": "12", "street_name": "Collins Street",
            "suburb": "Melbourne", "state": "VIC", "postcode": "3000"
        }
    })
}

/// A valid custom drug.
pub(crate) fn drug(name: &str) -> Value {
    json!({
        "item_generic_name": name,
        "item_strength": "500mg",
        "item_form": "Tablet",
        "route_of_administration": "Oral",
        "quantity": "20",
        "max_repeats": "2",
        "poison_class": "S4"
    })
}
