//! What the generated client puts on the wire for each operation (method, path, query, the two
//! credentials from its `CallContext`, the exact JSON body, no `api-version`), and what the
//! context records when a response body is not the documented JSON.

use httpmock::Method::{GET, PUT};
use httpmock::MockServer;
use parchment_api::types::{
    ListUsersResponse, ReadUserResponse, ReplaceUserRolesRequest, ReplaceUserRolesResponse,
    UpdateProviderDetails, UpdateUserRequest, UpdateUserResponse,
};
use parchment_api::{
    CallContext, Client, Error, PrescriberType, ResponseMeta, Role, Sex, UsersPage,
};
use parchment_api_ext::testing::mocks::MockServerExt;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde_json::json;
use std::num::NonZeroU32;

const TOKEN: &str = "tok-7f3a9c";
const SECRET: &str = "org-secret-51d2";

/// The per-call credentials, as a service puts them in a `CallContext`.
fn credentials() -> HeaderMap {
    let mut headers = HeaderMap::new();
    let mut bearer =
        HeaderValue::from_str(&format!("Bearer {TOKEN}")).expect("a token is a valid header value");
    bearer.set_sensitive(true);
    headers.insert(AUTHORIZATION, bearer);
    let mut secret = HeaderValue::from_static(SECRET);
    secret.set_sensitive(true);
    headers.insert("x-organization-secret", secret);
    headers
}

/// The matchers every authenticated request must satisfy.
fn authenticated(when: httpmock::When) -> httpmock::When {
    when.header("authorization", format!("Bearer {TOKEN}"))
        .header("x-organization-secret", SECRET)
        .header_missing("api-version")
}

/// A client whose requests carry the credentials, explicitly.
fn authorized(base_url: &str) -> Client {
    Client::bare(base_url).with_context(CallContext::new(credentials()))
}

fn limit(value: u32) -> Option<NonZeroU32> {
    NonZeroU32::new(value)
}

fn meta_of(meta: Option<ResponseMeta>) -> ResponseMeta {
    meta.expect("the context records the metadata of the response it saw")
}

#[tokio::test]
async fn list_users_first_page_sends_credentials_and_no_query() {
    let server = MockServer::start_async().await;
    let body: ListUsersResponse = serde_json::from_value(json!({
        "success": true,
        "data": [{ "user_id": "usr_1", "email": "a@example.com" }]
    }))
    .expect("a valid page");
    let mock = server.list_users(|when, then| {
        let when = when
            .organization_id("org1")
            .limit(None)
            .last_key(None)
            .into_inner();
        authenticated(when.path("/v1/organizations/org1/users"));
        then.ok(&body)
            .into_inner()
            .header("x-request-id", "req-list-1");
    });

    let client = authorized(&server.base_url());
    let (result, meta) = (
        client.list_users("org1", None, None).await,
        client.context().take_response(),
    );

    mock.assert_async().await;
    let page = result.expect("the mock answers 200").into_inner();
    let UsersPage::Array(users) = page.data else {
        panic!(
            "the array page must come back as an array, got {:?}",
            page.data
        );
    };
    assert_eq!(users[0].user_id, "usr_1");
    let meta = meta_of(meta);
    assert_eq!(meta.status, 200);
    assert_eq!(
        meta.request_id,
        Some(HeaderValue::from_static("req-list-1"))
    );
}

#[tokio::test]
async fn list_users_next_page_sends_limit_and_last_key_intact() {
    let server = MockServer::start_async().await;
    // An opaque key with the characters base64 and JSON keys carry: `+`, `/`, `=`, `"`, space.
    let last_key = r#"eyJwayI6Im9yZzEifQ==+/ "x""#;
    let body: ListUsersResponse = serde_json::from_value(json!({
        "data": { "users": [], "pagination": { "limit": 50, "lastKey": null } }
    }))
    .expect("a valid page");
    let mock = server.list_users(|when, then| {
        let when = when
            .organization_id("org1")
            .limit(limit(50))
            .last_key(last_key)
            .into_inner();
        authenticated(when.path("/v1/organizations/org1/users"));
        then.ok(&body);
    });

    let client = authorized(&server.base_url());
    let (result, _) = (
        client.list_users("org1", Some(last_key), limit(50)).await,
        client.context().take_response(),
    );

    mock.assert_async().await;
    let page = result.expect("the mock answers 200").into_inner();
    let UsersPage::UsersPageObject(object) = page.data else {
        panic!(
            "the object page must come back as an object, got {:?}",
            page.data
        );
    };
    assert_eq!(object.pagination.and_then(|p| p.last_key), None);
}

#[tokio::test]
async fn list_users_sends_only_the_query_parameters_given() {
    let server = MockServer::start_async().await;
    let body: ListUsersResponse =
        serde_json::from_value(json!({ "data": [] })).expect("a valid page");
    let mock = server.list_users(|when, then| {
        let when = when
            .organization_id("org1")
            .limit(limit(5))
            .last_key(None)
            .into_inner();
        authenticated(when.path("/v1/organizations/org1/users"));
        then.ok(&body);
    });

    let client = authorized(&server.base_url());
    let (result, _) = (
        client.list_users("org1", None, limit(5)).await,
        client.context().take_response(),
    );

    mock.assert_async().await;
    assert_eq!(
        result.expect("the mock answers 200").into_inner().data,
        UsersPage::Array(Vec::new())
    );
}

#[tokio::test]
async fn read_user_gets_the_user_path_with_credentials() {
    let server = MockServer::start_async().await;
    let body: ReadUserResponse = serde_json::from_value(json!({
        "success": true,
        "data": {
            "user_id": "usr_abc123",
            "access_roles": ["provider", "owner"],
            "provider_details": { "prescriber_type": "M", "sex": "O" }
        }
    }))
    .expect("a valid user");
    let mock = server.read_user(|when, then| {
        let when = when
            .organization_id("org1")
            .user_id("usr_abc123")
            .into_inner();
        authenticated(when.path("/v1/organizations/org1/users/usr_abc123"))
            .query_param_count(".*", ".*", 0);
        then.ok(&body)
            .into_inner()
            .header("x-request-id", "req-read-1");
    });

    let client = authorized(&server.base_url());
    let (result, meta) = (
        client.read_user("org1", "usr_abc123").await,
        client.context().take_response(),
    );

    mock.assert_async().await;
    let user = result.expect("the mock answers 200").into_inner().data;
    assert_eq!(user.access_roles, Some(vec![Role::Provider, Role::Owner]));
    let details = user.provider_details.expect("provider details came back");
    assert_eq!(details.prescriber_type, Some(PrescriberType::Medical));
    assert_eq!(details.sex, Some(Sex::Other));
    assert_eq!(
        meta_of(meta).request_id,
        Some(HeaderValue::from_static("req-read-1"))
    );
}

#[tokio::test]
async fn a_metadata_only_context_keeps_the_metadata_and_drops_the_header_copy() {
    let server = MockServer::start_async().await;
    let body: ReadUserResponse = serde_json::from_value(json!({
        "success": true, "data": { "user_id": "usr_abc123" }
    }))
    .expect("a valid user");
    server.read_user(|when, then| {
        when.organization_id("org1").user_id("usr_abc123");
        then.ok(&body)
            .into_inner()
            .header("x-request-id", "req-meta-1")
            .header("retry-after", "3");
    });
    let full = authorized(&server.base_url());
    let lean = Client::bare(&server.base_url())
        .with_context(CallContext::new(credentials()).metadata_only());

    let kept = full.read_user("org1", "usr_abc123").await.expect("200");
    let dropped = lean.read_user("org1", "usr_abc123").await.expect("200");

    assert_eq!(kept.headers()["x-request-id"], "req-meta-1");
    assert!(dropped.headers().is_empty(), "{:?}", dropped.headers());
    assert_eq!(dropped.into_inner().data.user_id, "usr_abc123");
    let meta = meta_of(lean.context().take_response());
    assert_eq!(meta.request_id_text(), Some("req-meta-1"));
    assert_eq!(meta.retry_after, Some(HeaderValue::from_static("3")));
}

#[tokio::test]
async fn update_user_with_only_a_name_sends_exactly_that_name() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        authenticated(
            when.method(PUT)
                .path("/v1/organizations/org1/users/usr_abc123")
                .header("content-type", "application/json")
                .json_body(json!({ "full_name": "Darlene Scott" })),
        );
        then.status(200)
            .header("content-type", "application/json")
            .json_body(json!({ "success": true, "data": { "user_id": "usr_abc123" } }));
    });
    let update = UpdateUserRequest {
        full_name: Some("Darlene Scott".to_owned()),
        ..Default::default()
    };

    let client = authorized(&server.base_url());
    let (result, _) = (
        client.update_user("org1", "usr_abc123", &update).await,
        client.context().take_response(),
    );

    mock.assert_async().await;
    let response: UpdateUserResponse = result.expect("the mock answers 200").into_inner();
    assert_eq!(response.data.user_id, "usr_abc123");
}

#[tokio::test]
async fn update_user_provider_details_send_the_birth_date_as_a_plain_date() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        authenticated(
            when.method(PUT)
                .path("/v1/organizations/org1/users/usr_abc123")
                .header("content-type", "application/json")
                .json_body(json!({
                    "provider_details": {
                        "date_of_birth": "1969-10-02",
                        "sex": "F",
                        "prescriber_type": "M",
                        "prescriber_number": "1234567",
                        "qualifications": "MBBS"
                    }
                })),
        );
        then.status(200)
            .header("content-type", "application/json")
            .json_body(json!({ "data": { "user_id": "usr_abc123" } }));
    });
    let update = UpdateUserRequest {
        provider_details: Some(UpdateProviderDetails {
            date_of_birth: chrono::NaiveDate::from_ymd_opt(1969, 10, 2),
            sex: Some(Sex::Female),
            prescriber_type: Some(PrescriberType::Medical),
            prescriber_number: Some("1234567".parse().expect("7 characters fit")),
            qualifications: Some("MBBS".to_owned()),
            ..Default::default()
        }),
        ..Default::default()
    };

    let client = authorized(&server.base_url());
    let (result, _) = (
        client.update_user("org1", "usr_abc123", &update).await,
        client.context().take_response(),
    );

    mock.assert_async().await;
    result.expect("the mock answers 200");
}

#[tokio::test]
async fn replace_user_roles_puts_exactly_the_roles_to_the_roles_path() {
    let server = MockServer::start_async().await;
    let response: ReplaceUserRolesResponse = serde_json::from_value(json!({
        "data": { "user_id": "usr_abc123", "access_roles": ["admin", "provider"] }
    }))
    .expect("a valid response");
    let mock = server.replace_user_roles(|when, then| {
        let when = when
            .organization_id("org1")
            .user_id("usr_abc123")
            .into_inner();
        authenticated(
            when.method(PUT)
                .path("/v1/organizations/org1/users/usr_abc123/roles")
                .header("content-type", "application/json")
                .json_body(json!({ "access_roles": ["admin", "provider"] })),
        );
        then.ok(&response);
    });
    let roles = ReplaceUserRolesRequest {
        access_roles: vec![Role::Admin, Role::Provider],
    };

    let client = authorized(&server.base_url());
    let (result, _) = (
        client
            .replace_user_roles("org1", "usr_abc123", &roles)
            .await,
        client.context().take_response(),
    );

    mock.assert_async().await;
    assert_eq!(
        result
            .expect("the mock answers 200")
            .into_inner()
            .data
            .access_roles,
        [Role::Admin, Role::Provider]
    );
}

#[tokio::test]
async fn a_bare_client_sends_no_credential_and_no_api_version() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.method(GET)
            .path("/v1/organizations/org1/users/usr_1")
            .header_missing("authorization")
            .header_missing("x-organization-secret")
            .header_missing("api-version");
        then.status(401)
            .header("content-type", "application/json")
            .json_body(json!({ "success": false, "statusCode": 401 }));
    });

    let client = Client::bare(&server.base_url());
    let result = client.read_user("org1", "usr_1").await;

    mock.assert_async().await;
    match result {
        Err(Error::ErrorResponse(error)) => {
            assert_eq!(error.status(), 401);
            assert_eq!(error.into_inner().status_code, Some(401));
        }
        other => panic!("a documented 401 is an ErrorResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn html_502_and_empty_503_are_errors_and_the_context_keeps_status_and_request_id() {
    let server = MockServer::start_async().await;
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let bad_gateway = server.mock(|when, then| {
        authenticated(
            when.method(GET)
                .path("/v1/organizations/org1/users/usr_502"),
        );
        then.status(502)
            .header("content-type", "text/html")
            .header("x-request-id", "req-502")
            .body(html);
    });
    let unavailable = server.mock(|when, then| {
        authenticated(
            when.method(GET)
                .path("/v1/organizations/org1/users/usr_503"),
        );
        then.status(503).header("x-request-id", "req-503");
    });
    let client = authorized(&server.base_url());

    let (result, meta) = (
        client.read_user("org1", "usr_502").await,
        client.context().take_response(),
    );
    bad_gateway.assert_async().await;
    // 502 is not a documented status: progenitor hands back the raw response.
    match result {
        Err(Error::UnexpectedResponse(response)) => assert_eq!(response.status(), 502),
        other => panic!("an undocumented 502 is an UnexpectedResponse, got {other:?}"),
    }
    let meta = meta_of(meta);
    assert_eq!(meta.status, 502);
    assert_eq!(meta.request_id, Some(HeaderValue::from_static("req-502")));
    assert_eq!(
        meta.content_type,
        Some(HeaderValue::from_static("text/html"))
    );

    let (result, meta) = (
        client.read_user("org1", "usr_503").await,
        client.context().take_response(),
    );
    unavailable.assert_async().await;
    // 503 is documented with a JSON body: an empty body fails to decode and the status is lost
    // from the error itself, which is why the context records it.
    match result {
        Err(error @ Error::InvalidResponsePayload(..)) => assert_eq!(error.status(), None),
        other => panic!("an empty documented 503 is an InvalidResponsePayload, got {other:?}"),
    }
    let meta = meta_of(meta);
    assert_eq!(meta.status, 503);
    assert_eq!(meta.request_id, Some(HeaderValue::from_static("req-503")));
}
