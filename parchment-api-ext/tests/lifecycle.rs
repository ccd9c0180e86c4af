//! A user's life through the public client: the organization validated, the user created (and
//! every rule checked before that), disabled, enabled, and given roles again.

mod support;

use chrono::NaiveDate;
use httpmock::prelude::*;
use httpmock::{Mock, MockServer};
use parchment_api_ext::{Error, ErrorKind, NewUser, PrescriberType, Role, Sex, Users};
use serde_json::{Value, json};
use support::{ORG, ORG_SECRET, TOKEN, envelope, error_envelope};

const USERS_PATH: &str = "/v1/organizations/org_7f3a/users";
const USER_ID: &str = "usr_abc123def456";

fn users(server: &MockServer) -> Users {
    support::client(&server.base_url())
        .organization(ORG)
        .users()
}

/// A success envelope with a 201 status in its body, as create user answers.
fn created(data: Value) -> Value {
    let mut body = envelope(data);
    body["statusCode"] = json!(201);
    body["code"] = json!("USER_CREATED");
    body
}

/// `POST .../users` expecting exactly `body`, answering 201 with `data`.
async fn create_mock(server: &MockServer, body: Value, data: Value) -> Mock<'_> {
    server
        .mock_async(move |when, then| {
            when.method(POST)
                .path(USERS_PATH)
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("x-organization-secret", ORG_SECRET)
                .header("content-type", "application/json")
                .json_body(body);
            then.status(201).json_body(created(data));
        })
        .await
}

/// A bodiless `PUT .../users/{USER_ID}/{action}` answering `status` (with `{user_id}` on 200).
async fn status_mock<'a>(server: &'a MockServer, action: &str, status: u16) -> Mock<'a> {
    let path = format!("{USERS_PATH}/{USER_ID}/{action}");
    server
        .mock_async(move |when, then| {
            when.method(PUT)
                .path(path)
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("x-organization-secret", ORG_SECRET)
                .header_missing("content-type")
                .body("");
            if status == 200 {
                then.status(200)
                    .json_body(envelope(json!({ "user_id": USER_ID })));
            } else {
                then.status(status).json_body(error_envelope(
                    status,
                    "internal-error",
                    "Internal Server Error",
                    "Something went wrong",
                ));
            }
        })
        .await
}

/// `PUT .../users/{USER_ID}/roles` expecting exactly `roles`, answering `status`.
async fn roles_mock<'a>(server: &'a MockServer, roles: Value, status: u16) -> Mock<'a> {
    server
        .mock_async(move |when, then| {
            when.method(PUT)
                .path(format!("{USERS_PATH}/{USER_ID}/roles"))
                .header("authorization", format!("Bearer {TOKEN}"))
                .json_body(json!({ "access_roles": roles.clone() }));
            if status == 200 {
                then.status(200).json_body(envelope(
                    json!({ "user_id": USER_ID, "access_roles": roles }),
                ));
            } else {
                then.status(status).json_body(error_envelope(
                    status,
                    "internal-error",
                    "Internal Server Error",
                    "Something went wrong",
                ));
            }
        })
        .await
}

/// Answers any request (so that a sent request would be seen): what refused calls must not
/// reach.
async fn catch_all(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|_when, then| {
            then.status(500);
        })
        .await
}

// ---------------------------------------------------------------------------------------------
// Validate the organization
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn validate_gets_the_validate_path_and_reads_validated() {
    for validated in [true, false] {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/v1/organizations/org_7f3a/validate")
                    .header("authorization", format!("Bearer {TOKEN}"))
                    .header("x-organization-secret", ORG_SECRET)
                    .header_missing("x-partner-secret");
                then.status(200)
                    .json_body(envelope(json!({ "validated": validated })));
            })
            .await;

        let response = support::client(&server.base_url())
            .organization(ORG)
            .validate()
            .await
            .expect("the organization answers");

        mock.assert_async().await;
        assert_eq!(response.request_id(), Some("req_1705312200000_abc123"));
        assert_eq!(response.into_inner(), validated);
    }
}

// ---------------------------------------------------------------------------------------------
// Create
// ---------------------------------------------------------------------------------------------

/// A provider with every field the API takes.
fn full_provider() -> NewUser {
    NewUser::new("Darlene", "Cameron", "darlene.cameron@example.com")
        .partner_user_id("USER_12345")
        .title("Dr")
        .phone("0412345678")
        .roles([Role::Provider, Role::Admin])
        .date_of_birth(NaiveDate::from_ymd_opt(1969, 10, 2).expect("a real date"))
        .sex(Sex::Female)
        .hpii_number("8003614900029560")
        .prescriber_type(PrescriberType::Medical)
        .prescriber_number("1234567")
        .qualifications("MBBS")
        .provider_number("123456AB")
        .ahpra_number("MED0001234567")
        .hospital_provider_number("HPN-42")
}

#[tokio::test]
async fn creating_a_receptionist_sends_only_the_fields_given() {
    let server = MockServer::start_async().await;
    let mock = create_mock(
        &server,
        json!({
            "given_name": "Riley",
            "family_name": "Nguyen",
            "email": "riley.nguyen@example.com",
            "partner_user_id": "USER_67890",
            "access_roles": ["receptionist"]
        }),
        json!({ "user_id": "usr_new789xyz012" }),
    )
    .await;

    let created = users(&server)
        .create(
            NewUser::new("Riley", "Nguyen", "riley.nguyen@example.com")
                .partner_user_id("USER_67890")
                .roles([Role::Receptionist]),
        )
        .await
        .expect("the receptionist is created");

    mock.assert_async().await;
    assert_eq!(created.user_id, "usr_new789xyz012");
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(created.code(), Some("USER_CREATED"));
}

#[tokio::test]
async fn creating_a_user_without_roles_sends_no_roles() {
    let server = MockServer::start_async().await;
    let mock = create_mock(
        &server,
        json!({
            "given_name": "Riley",
            "family_name": "Nguyen",
            "email": "riley.nguyen@example.com"
        }),
        json!({ "user_id": "usr_new789xyz012" }),
    )
    .await;

    users(&server)
        .create(NewUser::new("Riley", "Nguyen", "riley.nguyen@example.com"))
        .await
        .expect("the user is created");

    mock.assert_async().await;
}

#[tokio::test]
async fn creating_a_full_provider_sends_every_field_and_the_date_as_yyyy_mm_dd() {
    let server = MockServer::start_async().await;
    let mock = create_mock(
        &server,
        json!({
            "given_name": "Darlene",
            "family_name": "Cameron",
            "email": "darlene.cameron@example.com",
            "partner_user_id": "USER_12345",
            "title": "Dr",
            "phone": "0412345678",
            "access_roles": ["provider", "admin"],
            "date_of_birth": "1969-10-02",
            "sex": "F",
            "hpii_number": "8003614900029560",
            "prescriber_type": "M",
            "prescriber_number": "1234567",
            "qualifications": "MBBS",
            "provider_number": "123456AB",
            "ahpra_number": "MED0001234567",
            "hospital_provider_number": "HPN-42"
        }),
        json!({ "user_id": "usr_new789xyz012" }),
    )
    .await;

    let created = users(&server)
        .create(full_provider())
        .await
        .expect("the provider is created");

    mock.assert_async().await;
    assert_eq!(created.user_id, "usr_new789xyz012");
}

#[tokio::test]
async fn both_documented_201_shapes_give_the_new_user_id() {
    let server = MockServer::start_async().await;
    let user = || NewUser::new("Riley", "Nguyen", "riley.nguyen@example.com");
    let body = json!({
        "given_name": "Riley",
        "family_name": "Nguyen",
        "email": "riley.nguyen@example.com"
    });

    let short = create_mock(&server, body.clone(), json!({ "user_id": "usr_short1" })).await;
    let created = users(&server).create(user()).await.expect("created");
    assert_eq!(created.user_id, "usr_short1");
    assert_eq!(created.external_user_id, None);
    short.delete_async().await;

    let long = create_mock(
        &server,
        body,
        json!({
            "external_user_id": "PARTNER#USER_67890",
            "parchment_user_id": "usr_long2",
            "url": "https://portal.parchmenthealth.io/users/usr_long2"
        }),
    )
    .await;
    let created = users(&server).create(user()).await.expect("created");
    long.assert_async().await;
    assert_eq!(created.user_id, "usr_long2");
    assert_eq!(
        created.external_user_id.as_deref(),
        Some("PARTNER#USER_67890")
    );
    assert_eq!(
        created.url.as_deref(),
        Some("https://portal.parchmenthealth.io/users/usr_long2")
    );
}

#[tokio::test]
async fn a_201_naming_no_user_id_is_a_decode_error() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(USERS_PATH);
            then.status(201).json_body(created(json!({
                "external_user_id": "PARTNER#USER_67890",
                "url": "https://portal.parchmenthealth.io/users/unknown"
            })));
        })
        .await;

    let error = users(&server)
        .create(NewUser::new("Riley", "Nguyen", "riley.nguyen@example.com"))
        .await
        .expect_err("no id, no created user");

    mock.assert_async().await;
    assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    assert_eq!(error.operation(), "create user");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(201));
    assert_eq!(error.request_id(), Some("req_1705312200000_abc123"));
}

#[tokio::test]
async fn a_duplicate_user_is_a_conflict_with_its_code() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(USERS_PATH);
            let mut body = error_envelope(
                409,
                "resource-conflict",
                "Conflict",
                "A user with this email already exists in the organization",
            );
            body["code"] = json!("USER_ALREADY_EXISTS");
            then.status(409).json_body(body);
        })
        .await;

    let error = users(&server)
        .create(NewUser::new("Riley", "Nguyen", "riley.nguyen@example.com"))
        .await
        .expect_err("the user exists");

    assert_eq!(mock.calls_async().await, 1, "a 409 is not retried");
    assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
    assert_eq!(error.code(), Some("USER_ALREADY_EXISTS"));
    assert_eq!(error.operation(), "create user");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(409));
    assert_eq!(error.request_id(), Some("req_1705312200000_e409"));
}

// ---------------------------------------------------------------------------------------------
// Create: what is refused before sending
// ---------------------------------------------------------------------------------------------

/// Creates `user` against a server that answers anything; asserts it was refused, sent nothing,
/// and named every field of `fields` (and returns the fields named).
async fn refused_fields(user: NewUser, fields: &[&str]) -> Vec<String> {
    let server = MockServer::start_async().await;
    let everything = catch_all(&server).await;
    let error: Error = users(&server)
        .create(user)
        .await
        .expect_err("the new user must be refused");
    assert_eq!(
        everything.calls_async().await,
        0,
        "a refused create sends nothing"
    );
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    assert_eq!(error.operation(), "create user");
    assert_eq!(error.status(), None);
    let named: Vec<String> = error
        .field_errors()
        .iter()
        .map(|e| e.field.clone())
        .collect();
    for field in fields {
        assert!(
            named.iter().any(|n| n == field),
            "expected a field error on {field}, got {named:?}"
        );
    }
    named
}

#[tokio::test]
async fn names_and_email_are_required_and_must_not_be_blank() {
    for blank in ["", "   "] {
        refused_fields(
            NewUser::new(blank, "Nguyen", "riley.nguyen@example.com"),
            &["given_name"],
        )
        .await;
        refused_fields(
            NewUser::new("Riley", blank, "riley.nguyen@example.com"),
            &["family_name"],
        )
        .await;
        refused_fields(NewUser::new("Riley", "Nguyen", blank), &["email"]).await;
    }
    let all = refused_fields(
        NewUser::new("", " ", ""),
        &["given_name", "family_name", "email"],
    )
    .await;
    assert_eq!(all.len(), 3, "{all:?}");
}

#[tokio::test]
async fn an_email_without_an_at_sign_is_refused() {
    refused_fields(
        NewUser::new("Riley", "Nguyen", "riley.nguyen.example.com"),
        &["email"],
    )
    .await;
}

/// A provider with every required field but `omitted`.
fn provider_without(omitted: &str) -> NewUser {
    let mut user = NewUser::new("Darlene", "Cameron", "darlene.cameron@example.com")
        .roles([Role::Provider])
        .prescriber_number("1234567");
    if omitted != "date_of_birth" {
        user = user.date_of_birth(NaiveDate::from_ymd_opt(1969, 10, 2).expect("a real date"));
    }
    if omitted != "sex" {
        user = user.sex(Sex::Female);
    }
    if omitted != "hpii_number" {
        user = user.hpii_number("8003614900029560");
    }
    if omitted != "prescriber_type" {
        user = user.prescriber_type(PrescriberType::Medical);
    }
    if omitted != "qualifications" {
        user = user.qualifications("MBBS");
    }
    user
}

#[tokio::test]
async fn a_provider_needs_each_provider_field() {
    for field in [
        "date_of_birth",
        "sex",
        "hpii_number",
        "prescriber_type",
        "qualifications",
    ] {
        let named = refused_fields(provider_without(field), &[field]).await;
        assert!(
            named.iter().all(|n| n == field),
            "only {field} is missing, got {named:?}"
        );
    }
}

#[tokio::test]
async fn a_missing_provider_field_is_reported_once() {
    let named = refused_fields(provider_without("qualifications"), &["qualifications"]).await;
    assert_eq!(named, ["qualifications"]);
}

#[tokio::test]
async fn a_provider_missing_every_provider_field_hears_of_all_at_once() {
    let named = refused_fields(
        NewUser::new("Darlene", "Cameron", "darlene.cameron@example.com").roles([Role::Provider]),
        &[
            "date_of_birth",
            "sex",
            "hpii_number",
            "prescriber_type",
            "qualifications",
        ],
    )
    .await;
    assert_eq!(named.len(), 5, "{named:?}");
}

#[tokio::test]
async fn a_prescriber_number_is_required_unless_the_type_is_t() {
    for prescriber_type in [
        PrescriberType::Medical,
        PrescriberType::Nurse,
        PrescriberType::Dentist,
    ] {
        let user = NewUser::new("Darlene", "Cameron", "darlene.cameron@example.com")
            .roles([Role::Provider])
            .date_of_birth(NaiveDate::from_ymd_opt(1969, 10, 2).expect("a real date"))
            .sex(Sex::Female)
            .hpii_number("8003614900029560")
            .prescriber_type(prescriber_type)
            .qualifications("MBBS");
        let named = refused_fields(user, &["prescriber_number"]).await;
        assert_eq!(named, ["prescriber_number"]);
    }

    // A podiatrist needs none: the user is sent, without a prescriber number.
    let server = MockServer::start_async().await;
    let mock = create_mock(
        &server,
        json!({
            "given_name": "Pat",
            "family_name": "Lee",
            "email": "pat.lee@example.com",
            "access_roles": ["provider"],
            "date_of_birth": "1980-01-31",
            "sex": "N",
            "hpii_number": "8003614900029561",
            "prescriber_type": "T",
            "qualifications": "BPod"
        }),
        json!({ "user_id": "usr_pod1" }),
    )
    .await;
    let created = users(&server)
        .create(
            NewUser::new("Pat", "Lee", "pat.lee@example.com")
                .roles([Role::Provider])
                .date_of_birth(NaiveDate::from_ymd_opt(1980, 1, 31).expect("a real date"))
                .sex(Sex::NotStated)
                .hpii_number("8003614900029561")
                .prescriber_type(PrescriberType::Podiatrist)
                .qualifications("BPod"),
        )
        .await
        .expect("a podiatrist without a prescriber number is valid");
    mock.assert_async().await;
    assert_eq!(created.user_id, "usr_pod1");
}

#[tokio::test]
async fn roles_must_be_assignable_and_not_empty() {
    let user = || NewUser::new("Riley", "Nguyen", "riley.nguyen@example.com");
    let named = refused_fields(user().roles([Role::Owner]), &["access_roles[0]"]).await;
    assert_eq!(named, ["access_roles[0]"]);
    for not_assignable in [Role::Owner, Role::Support, Role::Member] {
        refused_fields(
            user().roles([Role::Receptionist, not_assignable]),
            &["access_roles[1]"],
        )
        .await;
    }
    let named = refused_fields(user().roles([]), &["access_roles"]).await;
    assert_eq!(named, ["access_roles"]);
}

#[tokio::test]
async fn sex_o_is_refused_on_create() {
    let user = full_provider().sex(Sex::Other);
    let named = refused_fields(user, &["sex"]).await;
    assert_eq!(named, ["sex"]);
}

// ---------------------------------------------------------------------------------------------
// Disable, enable, and roles again
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn disable_puts_without_a_body_and_can_be_repeated() {
    let server = MockServer::start_async().await;
    let disable = status_mock(&server, "disable", 200).await;
    let users = users(&server);

    for _ in 0..2 {
        let disabled = users.disable(USER_ID).await.expect("disabled");
        assert_eq!(disabled.user_id, USER_ID);
    }

    assert_eq!(disable.calls_async().await, 2, "each call is sent");
}

#[tokio::test]
async fn enable_puts_without_a_body_and_can_be_repeated() {
    let server = MockServer::start_async().await;
    let enable = status_mock(&server, "enable", 200).await;
    let users = users(&server);

    for _ in 0..2 {
        let enabled = users.enable(USER_ID).await.expect("enabled");
        assert_eq!(enabled.user_id, USER_ID);
    }

    assert_eq!(enable.calls_async().await, 2, "each call is sent");
}

#[tokio::test]
async fn enable_with_roles_enables_then_replaces_the_roles() {
    let server = MockServer::start_async().await;
    let enable = status_mock(&server, "enable", 200).await;
    let roles = roles_mock(&server, json!(["admin"]), 200).await;

    let result = users(&server)
        .enable_with_roles(USER_ID, [Role::Admin])
        .await
        .expect("enabled, with roles");

    enable.assert_async().await;
    roles.assert_async().await;
    assert_eq!(result.user_id, USER_ID);
    assert_eq!(result.roles, [Role::Admin]);
}

#[tokio::test]
async fn enable_with_roles_sends_no_roles_when_enable_fails() {
    let server = MockServer::start_async().await;
    let enable = status_mock(&server, "enable", 404).await;
    let roles = roles_mock(&server, json!(["admin"]), 200).await;

    let error = users(&server)
        .enable_with_roles(USER_ID, [Role::Admin])
        .await
        .expect_err("enable failed");

    assert_eq!(error.operation(), "enable user");
    assert_eq!(error.kind(), ErrorKind::NotFound, "{error}");
    assert_eq!(enable.calls_async().await, 1);
    assert_eq!(roles.calls_async().await, 0, "roles come after enable");
}

#[tokio::test]
async fn enable_with_roles_checks_the_roles_before_sending_anything() {
    let server = MockServer::start_async().await;
    let everything = catch_all(&server).await;
    let users = users(&server);

    for roles in [vec![Role::Owner], vec![Role::Admin, Role::Support], vec![]] {
        let error = users
            .enable_with_roles(USER_ID, roles.clone())
            .await
            .expect_err("the roles are refused");
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{roles:?}: {error}");
        assert!(
            error
                .field_errors()
                .iter()
                .any(|e| e.field.starts_with("access_roles")),
            "{roles:?}: {error:?}"
        );
    }

    assert_eq!(everything.calls_async().await, 0, "not even the enable");
}

#[tokio::test]
async fn a_failed_role_replacement_after_enable_names_the_roles_operation() {
    let server = MockServer::start_async().await;
    let enable = status_mock(&server, "enable", 200).await;
    let roles = roles_mock(&server, json!(["admin"]), 500).await;

    let error = users(&server)
        .enable_with_roles(USER_ID, [Role::Admin])
        .await
        .expect_err("the roles could not be set");

    assert_eq!(error.operation(), "replace user roles");
    assert_eq!(error.kind(), ErrorKind::Server, "{error}");
    assert_eq!(enable.calls_async().await, 1, "enable was sent once");
    // The replacement is idempotent and may be retried by the client's policy.
    assert!(roles.calls_async().await >= 1);
}
