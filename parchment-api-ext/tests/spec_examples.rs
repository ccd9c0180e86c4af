//! Every example body in `openapi/parchment.yaml` is a fixture: each one must decode into the
//! generated type its operation and status promise, without losing a member, and the variants
//! the reference documents must come out as the typed values a service will match on.

use parchment_api::types::{
    CreateSsoLinkRequest, CreateSsoLinkResponse, CreateUserRequest, CreateUserResponse,
    ErrorResponse, ListUsersResponse, ReadUserResponse, ReplaceUserRolesRequest,
    ReplaceUserRolesResponse, TokenRequest, TokenResponse, UpdateUserRequest, UpdateUserResponse,
    UserStatusResponse, ValidateOrganizationResponse,
};
use parchment_api::{PrescriberType, Role, Sex, UsersPage};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const SPEC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/parchment.yaml");

/// The operationIds of the spec; `check` maps each to its generated request and success types.
const OPERATIONS: &[&str] = &[
    "create_token",
    "validate_organization",
    "list_users",
    "create_user",
    "read_user",
    "update_user",
    "replace_user_roles",
    "disable_user",
    "enable_user",
    "create_sso_link",
];

/// How many distinct examples the spec holds today (request bodies, 200s and errors, each
/// shared `components/responses` example once). Adding examples is fine; losing some is not.
const MIN_DISTINCT_EXAMPLES: usize = 37;
/// How many decodes that makes once each operation's `$ref`'d error examples count per use.
const MIN_DECODES: usize = 52;

fn spec() -> Value {
    let text = std::fs::read_to_string(SPEC_PATH).expect("openapi/parchment.yaml is readable");
    // Through serde_yaml's own value first, so that an unquoted status key (`200:`) still becomes
    // the string "200" instead of failing the parse.
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("the spec is valid YAML");
    serde_json::to_value(yaml).expect("the spec converts to JSON")
}

/// One example the walk reached: where it lives (a JSON pointer into the spec, after following
/// `$ref`s), what it is for, and its value.
#[derive(Debug, Clone)]
struct Example {
    pointer: String,
    operation_id: String,
    /// `"request"` for a request-body example, else the response status.
    status: String,
    name: String,
    value: Value,
}

fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Follows a local `$ref` (once per hop) and returns the target with its pointer.
fn resolve<'a>(doc: &'a Value, pointer: String, node: &'a Value) -> (String, &'a Value) {
    let mut pointer = pointer;
    let mut node = node;
    while let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        let target = reference.strip_prefix('#').unwrap_or_else(|| {
            panic!("{pointer}: only local $refs are supported, got {reference}")
        });
        node = doc
            .pointer(target)
            .unwrap_or_else(|| panic!("{pointer}: $ref {reference} points nowhere"));
        pointer = target.to_owned();
    }
    (pointer, node)
}

/// The examples of one `content` map (`example` and every entry of `examples`).
fn content_examples(
    doc: &Value,
    content_pointer: &str,
    content: &Value,
    operation_id: &str,
    status: &str,
    out: &mut Vec<Example>,
) {
    let Some(media_types) = content.as_object() else {
        return;
    };
    for (media_type, media) in media_types {
        let media_pointer = format!("{content_pointer}/{}", escape_pointer(media_type));
        let has_examples = media.get("example").is_some() || media.get("examples").is_some();
        assert!(
            !has_examples || media_type == "application/json",
            "{media_pointer}: examples of a non-JSON media type cannot be checked here"
        );
        if let Some(value) = media.get("example") {
            out.push(Example {
                pointer: format!("{media_pointer}/example"),
                operation_id: operation_id.to_owned(),
                status: status.to_owned(),
                name: "example".to_owned(),
                value: value.clone(),
            });
        }
        if let Some(examples) = media.get("examples").and_then(Value::as_object) {
            for (name, entry) in examples {
                let entry_pointer = format!("{media_pointer}/examples/{}", escape_pointer(name));
                let (_, entry) = resolve(doc, entry_pointer.clone(), entry);
                assert!(
                    entry.get("externalValue").is_none(),
                    "{entry_pointer}: external example values cannot be checked here"
                );
                let value = entry
                    .get("value")
                    .unwrap_or_else(|| panic!("{entry_pointer}: an example without a value"));
                out.push(Example {
                    pointer: entry_pointer,
                    operation_id: operation_id.to_owned(),
                    status: status.to_owned(),
                    name: name.clone(),
                    value: value.clone(),
                });
            }
        }
    }
}

/// Every request-body and response example of every operation, following `$ref`s to
/// `components/responses` (a shared example appears once per operation that uses it).
fn operation_examples(doc: &Value) -> Vec<Example> {
    let mut out = Vec::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .expect("the spec has paths");
    for (path, item) in paths {
        let path_pointer = format!("/paths/{}", escape_pointer(path));
        for method in [
            "get", "put", "post", "patch", "delete", "head", "options", "trace",
        ] {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let op_pointer = format!("{path_pointer}/{method}");
            let operation_id = operation
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{op_pointer}: an operation without operationId"));
            if let Some(body) = operation.get("requestBody") {
                let (body_pointer, body) = resolve(doc, format!("{op_pointer}/requestBody"), body);
                if let Some(content) = body.get("content") {
                    let content_pointer = format!("{body_pointer}/content");
                    content_examples(
                        doc,
                        &content_pointer,
                        content,
                        operation_id,
                        "request",
                        &mut out,
                    );
                }
            }
            let responses = operation
                .get("responses")
                .and_then(Value::as_object)
                .unwrap_or_else(|| panic!("{op_pointer}: an operation without responses"));
            for (status, response) in responses {
                let response_pointer = format!("{op_pointer}/responses/{}", escape_pointer(status));
                let (response_pointer, response) = resolve(doc, response_pointer, response);
                if let Some(content) = response.get("content") {
                    let content_pointer = format!("{response_pointer}/content");
                    content_examples(
                        doc,
                        &content_pointer,
                        content,
                        operation_id,
                        status,
                        &mut out,
                    );
                }
            }
        }
    }
    out
}

/// The examples of the operations this file checks (the token, validate and user ones).
fn users_and_auth(examples: Vec<Example>) -> Vec<Example> {
    examples
        .into_iter()
        .filter(|example| OPERATIONS.contains(&example.operation_id.as_str()))
        .collect()
}

/// Where every `example`/`examples` member of the whole document sits, wherever it is, so that
/// an example the walk above does not reach makes the test fail instead of going unchecked.
fn every_example_pointer(node: &Value, pointer: &str, out: &mut BTreeSet<String>) {
    match node {
        Value::Object(members) => {
            for (key, child) in members {
                let child_pointer = format!("{pointer}/{}", escape_pointer(key));
                match (key.as_str(), child) {
                    ("example", _) => {
                        out.insert(child_pointer);
                    }
                    ("examples", Value::Object(entries)) => {
                        for name in entries.keys() {
                            out.insert(format!("{child_pointer}/{}", escape_pointer(name)));
                        }
                    }
                    _ => every_example_pointer(child, &child_pointer, out),
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                every_example_pointer(item, &format!("{pointer}/{index}"), out);
            }
        }
        _ => {}
    }
}

/// `value` with every `null` object member removed: absent and `null` are the same `None` in the
/// generated types, which do not write `None` back.
fn without_null_members(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(_, member)| !member.is_null())
                .map(|(key, member)| (key.clone(), without_null_members(member)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_null_members).collect()),
        other => other.clone(),
    }
}

/// JSON equality where `42` and `42.0` are the same number (an `f64` field writes `42.0`).
fn same_json(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(l), Value::Number(r)) => l.as_f64() == r.as_f64(),
        (Value::Array(l), Value::Array(r)) => {
            l.len() == r.len() && l.iter().zip(r).all(|(l, r)| same_json(l, r))
        }
        (Value::Object(l), Value::Object(r)) => {
            l.len() == r.len()
                && l.iter()
                    .all(|(key, l)| r.get(key).is_some_and(|r| same_json(l, r)))
        }
        (l, r) => l == r,
    }
}

/// Decodes `example` into `T` and checks that writing it back gives the example again (minus
/// `null`s), so that a member the type does not know (a typo in the spec, a renamed field) is
/// caught, not silently dropped. This matters most for `ErrorResponse`, whose fields are all
/// optional: any JSON object decodes into it.
fn decode_losslessly<T: DeserializeOwned + Serialize>(example: &Example) -> Result<T, String> {
    let typed: T = serde_json::from_value(example.value.clone()).map_err(|error| {
        format!(
            "does not decode into {}: {error}",
            std::any::type_name::<T>()
        )
    })?;
    let written =
        serde_json::to_value(&typed).map_err(|error| format!("does not encode: {error}"))?;
    let expected = without_null_members(&example.value);
    if !same_json(&written, &expected) {
        return Err(format!(
            "loses or changes members when decoded into {}:\n  spec:    {expected}\n  decoded: {written}",
            std::any::type_name::<T>()
        ));
    }
    Ok(typed)
}

/// Decodes one example into the type its operation and status promise.
fn check(example: &Example) -> Result<(), String> {
    let status = example.status.as_str();
    let operation = example.operation_id.as_str();
    let is_error = status.starts_with('4') || status.starts_with('5');
    match (operation, status) {
        ("update_user", "request") => decode_losslessly::<UpdateUserRequest>(example).map(drop),
        ("replace_user_roles", "request") => {
            decode_losslessly::<ReplaceUserRolesRequest>(example).map(drop)
        }
        ("create_token", "request") => decode_losslessly::<TokenRequest>(example).map(drop),
        ("create_user", "request") => decode_losslessly::<CreateUserRequest>(example).map(drop),
        ("create_token", "200") => decode_losslessly::<TokenResponse>(example).map(drop),
        ("validate_organization", "200") => {
            decode_losslessly::<ValidateOrganizationResponse>(example).map(drop)
        }
        ("create_user", "201") => decode_losslessly::<CreateUserResponse>(example).map(drop),
        ("disable_user" | "enable_user", "200") => {
            decode_losslessly::<UserStatusResponse>(example).map(drop)
        }
        ("list_users", "200") => decode_losslessly::<ListUsersResponse>(example).map(drop),
        ("read_user", "200") => decode_losslessly::<ReadUserResponse>(example).map(drop),
        ("update_user", "200") => decode_losslessly::<UpdateUserResponse>(example).map(drop),
        ("replace_user_roles", "200") => {
            decode_losslessly::<ReplaceUserRolesResponse>(example).map(drop)
        }
        ("create_sso_link", "request") => {
            decode_losslessly::<CreateSsoLinkRequest>(example).map(drop)
        }
        ("create_sso_link", "200") => decode_losslessly::<CreateSsoLinkResponse>(example).map(drop),
        (_, _) if is_error => decode_losslessly::<ErrorResponse>(example).map(drop),
        (operation, status) => Err(format!(
            "no generated type is mapped for {operation} {status}: extend `check` in this test"
        )),
    }
}

#[test]
fn every_spec_example_decodes_into_its_generated_type() {
    let doc = spec();
    let reached = operation_examples(&doc);
    // The partner resources' examples are checked by tests/spec_examples_partner.rs.
    let examples = users_and_auth(reached.clone());

    let failures: Vec<String> = examples
        .iter()
        .filter_map(|example| {
            check(example).err().map(|why| {
                format!(
                    "{} {} example `{}` ({}) {why}",
                    example.operation_id, example.status, example.name, example.pointer
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "spec examples that fail:\n{}",
        failures.join("\n")
    );

    let distinct: BTreeSet<String> = examples.iter().map(|e| e.pointer.clone()).collect();
    assert!(
        examples.len() >= MIN_DECODES && distinct.len() >= MIN_DISTINCT_EXAMPLES,
        "expected at least {MIN_DECODES} decodes of {MIN_DISTINCT_EXAMPLES} distinct examples, \
         found {} of {}: were examples lost from the spec or is the walk broken?",
        examples.len(),
        distinct.len()
    );

    let mut everywhere = BTreeSet::new();
    every_example_pointer(&doc, "", &mut everywhere);
    let reached: BTreeSet<String> = reached.iter().map(|e| e.pointer.clone()).collect();
    let unreached: Vec<&String> = everywhere.difference(&reached).collect();
    assert!(
        unreached.is_empty(),
        "examples in the spec that no operation decodes (unused, or somewhere this test does not \
         look): {unreached:#?}"
    );
}

#[test]
fn every_operation_has_request_success_and_error_examples() {
    let examples = users_and_auth(operation_examples(&spec()));
    let has = |operation: &str, wanted: &dyn Fn(&str) -> bool| {
        examples
            .iter()
            .any(|e| e.operation_id == operation && wanted(&e.status))
    };
    let seen: BTreeSet<&str> = examples.iter().map(|e| e.operation_id.as_str()).collect();
    assert_eq!(
        seen,
        OPERATIONS.iter().copied().collect(),
        "operations with examples"
    );
    for operation in OPERATIONS {
        assert!(
            has(operation, &|s| s == "200" || s == "201"),
            "{operation} has no success example"
        );
        assert!(
            has(operation, &|s| s == "401"),
            "{operation} has no 401 example"
        );
        assert!(
            has(operation, &|s| s == "403"),
            "{operation} has no 403 example"
        );
    }
    for operation in ["update_user", "replace_user_roles"] {
        assert!(
            has(operation, &|s| s == "request"),
            "{operation} has no request example"
        );
    }
}

#[test]
fn an_example_the_types_cannot_hold_is_reported() {
    // The checker itself must be able to fail: a typo'd member and a wrong shape.
    let typo = Example {
        pointer: "/test/typo".to_owned(),
        operation_id: "list_users".to_owned(),
        status: "500".to_owned(),
        name: "typo".to_owned(),
        value: json!({ "success": false, "statuscode": 500 }),
    };
    assert!(
        check(&typo).is_err(),
        "a misspelt member must not pass as an ErrorResponse"
    );

    let wrong_shape = Example {
        status: "200".to_owned(),
        operation_id: "read_user".to_owned(),
        value: json!({ "data": [] }),
        ..typo.clone()
    };
    assert!(check(&wrong_shape).is_err(), "a list is not a user");

    let unmapped = Example {
        status: "201".to_owned(),
        ..typo
    };
    assert!(
        check(&unmapped).is_err(),
        "a status without a mapped type must fail"
    );
}

// ---- The documented variants, as typed values -------------------------------------------------

/// The value of one named example of `operation_id` at `status` (`"request"` for a request body).
fn example(operation_id: &str, status: &str, name: &str) -> Value {
    operation_examples(&spec())
        .into_iter()
        .find(|e| e.operation_id == operation_id && e.status == status && e.name == name)
        .unwrap_or_else(|| panic!("the spec has no {operation_id} {status} example `{name}`"))
        .value
}

fn decode<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("the example decodes")
}

#[test]
fn list_users_object_page_keeps_users_and_pagination_and_null_last_key_is_the_last_page() {
    let page: ListUsersResponse = decode(example("list_users", "200", "paged_object"));
    let UsersPage::UsersPageObject(object) = page.data else {
        panic!(
            "the object form must decode as UsersPageObject, got {:?}",
            page.data
        );
    };
    assert_eq!(object.users.len(), 1);
    let user = &object.users[0];
    assert_eq!(user.user_id, "usr_abc123def456");
    assert_eq!(user.external_user_id.as_deref(), Some("PARTNER#USER_12345"));
    assert_eq!(user.full_name.as_deref(), Some("John Doe"));
    assert_eq!(user.access_roles, Some(vec![Role::Provider, Role::Admin]));
    assert_eq!(user.email, None);
    let pagination = object
        .pagination
        .expect("the object form carries pagination");
    assert_eq!(pagination.total, Some(1));
    assert_eq!(pagination.limit, Some(20));
    assert_eq!(
        pagination.last_key, None,
        "lastKey: null means no next page"
    );
    assert_eq!(
        page.pagination, None,
        "pagination sits inside data here, not beside it"
    );
    assert_eq!(page.request_id.as_deref(), Some("req_1705312200000_abc123"));
}

#[test]
fn list_users_plain_array_page_keeps_sparse_users() {
    let page: ListUsersResponse = decode(example("list_users", "200", "plain_array"));
    let UsersPage::Array(users) = page.data else {
        panic!(
            "the array form must decode as UsersPage::Array, got {:?}",
            page.data
        );
    };
    let ids: Vec<&str> = users.iter().map(|u| u.user_id.as_str()).collect();
    assert_eq!(
        ids,
        ["usr_abc123def456", "usr_def456ghi789", "usr_ghi789jkl012"]
    );
    assert_eq!(users[1].email.as_deref(), Some("jane.smith@example.com"));
    assert!(
        users
            .iter()
            .all(|u| u.full_name.is_none() && u.access_roles.is_none()),
        "sparse items carry only user_id and email"
    );
    assert_eq!(page.status_code, Some(200));
}

#[test]
fn list_users_empty_organization_is_an_empty_array() {
    let page: ListUsersResponse = decode(example("list_users", "200", "empty_organization"));
    assert_eq!(page.data, UsersPage::Array(Vec::new()));
    assert_eq!(
        page.message.as_deref(),
        Some("Retrieved 0 users successfully")
    );
}

#[test]
fn read_user_provider_full_has_typed_prescriber_and_address_and_keeps_timestamp_birth_date() {
    let read: ReadUserResponse = decode(example("read_user", "200", "provider_full"));
    let user = read.data;
    assert_eq!(user.email.as_deref(), Some("darlene.cameron@example.com"));
    assert_eq!(user.access_roles, Some(vec![Role::Admin, Role::Provider]));
    let details = user
        .provider_details
        .expect("a provider has provider_details");
    assert_eq!(details.prescriber_type, Some(PrescriberType::Medical));
    assert_eq!(details.sex, Some(Sex::Female));
    assert_eq!(details.title.as_deref(), Some("Dr"));
    assert_eq!(details.hpii_number.as_deref(), Some("8003614900029560"));
    assert_eq!(details.prescriber_number.as_deref(), Some("1234567"));
    assert_eq!(details.provider_number.as_deref(), Some("123456"));
    assert_eq!(details.qualifications.as_deref(), Some("MBBS"));
    assert_eq!(details.hospital_provider_number.as_deref(), Some("H123456"));
    assert_eq!(details.phone.as_deref(), Some("0412345678"));
    assert_eq!(
        details.date_of_birth.as_deref(),
        Some("1969-10-02T00:00:00.000Z"),
        "the timestamp form of the birth date is kept exactly as the server sent it"
    );
    let address = details
        .australian_address
        .expect("the full example has an address");
    assert_eq!(address.street_number.as_deref(), Some("1"));
    assert_eq!(address.street_name.as_deref(), Some("Collins Street"));
    assert_eq!(address.suburb.as_deref(), Some("Melbourne"));
    assert_eq!(address.state.as_deref(), Some("VIC"));
    assert_eq!(address.postcode.as_deref(), Some("3000"));
}

#[test]
fn read_user_provider_short_is_a_medical_prescriber_without_address() {
    let read: ReadUserResponse = decode(example("read_user", "200", "provider_short"));
    let details = read
        .data
        .provider_details
        .expect("a provider has provider_details");
    assert_eq!(details.prescriber_type, Some(PrescriberType::Medical));
    assert_eq!(details.ahpra_number.as_deref(), Some("MED0001234567"));
    assert_eq!(details.australian_address, None);
    assert_eq!(details.date_of_birth, None);
}

#[test]
fn read_user_non_provider_has_no_provider_details() {
    let read: ReadUserResponse = decode(example("read_user", "200", "non_provider"));
    assert_eq!(read.data.user_id, "usr_def456ghi789");
    assert_eq!(read.data.access_roles, Some(vec![Role::Admin]));
    assert_eq!(read.data.provider_details, None);
    assert_eq!(read.data.details, None);
}

#[test]
fn read_user_variants_null_provider_details_owner_role_and_top_level_fields() {
    let read: ReadUserResponse = decode(example("read_user", "200", "variants"));
    let user = read.data;
    assert_eq!(
        user.provider_details, None,
        "provider_details: null decodes as None"
    );
    assert_eq!(user.email, None, "email: null decodes as None");
    assert_eq!(
        user.access_roles,
        Some(vec![Role::Owner, Role::Provider]),
        "owner, a role writes refuse, is still a known role on reads"
    );
    assert!(!Role::Owner.is_unknown() && !Role::Owner.is_assignable());
    assert_eq!(user.title.as_deref(), Some("Dr"));
    assert_eq!(user.erx_entity_id.as_deref(), Some("F3WFX"));
    let details = user
        .details
        .expect("the variants example carries free-form details");
    assert_eq!(details.get("department"), Some(&json!("General practice")));
    assert_eq!(
        read.request_id.as_deref(),
        Some("1-68d1b225-2a98c1d2e3f4a5b6c7d8e9f0"),
        "an X-Ray style request id is kept as given"
    );
}

#[test]
fn read_user_sex_o_and_plain_birth_date_and_meta() {
    let read: ReadUserResponse = decode(example("read_user", "200", "sex_o_date_only"));
    let details = read
        .data
        .provider_details
        .expect("a provider has provider_details");
    assert_eq!(
        details.sex,
        Some(Sex::Other),
        "sex O is a known read-only value"
    );
    assert!(!Sex::Other.is_writable());
    assert_eq!(details.date_of_birth.as_deref(), Some("1980-02-29"));
    assert_eq!(details.prescriber_type, Some(PrescriberType::Podiatrist));
    assert_eq!(
        details.prescriber_number, None,
        "a podiatrist needs no prescriber number"
    );
    let meta = read.meta.expect("this example carries meta");
    assert_eq!(meta.api_version.as_deref(), Some("v1"));
    assert_eq!(meta.response_time, Some(42.0));
}

#[test]
fn a_role_no_version_knows_is_kept_not_rejected() {
    let read: ReadUserResponse = decode(json!({
        "success": true,
        "data": { "user_id": "usr_1", "access_roles": ["clinic_manager", "admin"] }
    }));
    let roles = read.data.access_roles.expect("roles are present");
    assert_eq!(roles, [Role::from("clinic_manager"), Role::Admin]);
    assert!(roles[0].is_unknown() && !roles[0].is_assignable());

    let list: ListUsersResponse = decode(json!({
        "data": [{ "user_id": "usr_1", "access_roles": ["clinic_manager"] }]
    }));
    let UsersPage::Array(users) = list.data else {
        panic!("an array page decodes as Array");
    };
    assert_eq!(
        users[0].access_roles,
        Some(vec![Role::from("clinic_manager")])
    );

    let replaced: ReplaceUserRolesResponse = decode(json!({
        "data": { "user_id": "usr_1", "access_roles": ["clinic_manager"] }
    }));
    assert_eq!(replaced.data.access_roles, [Role::from("clinic_manager")]);
    assert_eq!(
        serde_json::to_value(&replaced.data.access_roles).expect("roles encode"),
        json!(["clinic_manager"]),
        "an unknown role is written back with its own spelling"
    );
}

#[test]
fn insufficient_scope_403_example_says_401_in_its_body() {
    // The shared InsufficientScope response, as list_users uses it for 403.
    let error: ErrorResponse = decode(example(
        "list_users",
        "403",
        "insufficient_scope_body_says_401",
    ));
    assert_eq!(
        error.status_code,
        Some(401),
        "the body's statusCode disagrees with the HTTP 403"
    );
    assert_eq!(error.success, Some(false));
    let problem = error.error.expect("the example carries a problem");
    assert_eq!(problem.detail.as_deref(), Some("Insufficient scope"));
    assert_eq!(
        problem.type_.as_deref(),
        Some("https://parchment.health/errors/authentication-required")
    );
    assert_eq!(
        error.request_id.as_deref(),
        Some("req_1706171700000_mno345")
    );

    // update_user documents its own 403, whose body agrees with the status.
    let own: ErrorResponse = decode(example("update_user", "403", "insufficient_scope"));
    assert_eq!(own.status_code, Some(403));
}

#[test]
fn validation_422_example_names_both_fields() {
    let error: ErrorResponse = decode(example("update_user", "422", "validation_failed"));
    assert_eq!(error.status_code, Some(422));
    let problem = error.error.expect("the example carries a problem");
    assert_eq!(problem.title.as_deref(), Some("Validation failed"));
    let validation = problem
        .validation
        .expect("the example lists the failed fields");
    assert_eq!(validation.len(), 2);
    assert_eq!(validation[0].field.as_deref(), Some("date_of_birth"));
    assert_eq!(validation[0].message.as_deref(), Some("Invalid date"));
    assert_eq!(validation[0].code.as_deref(), Some("VALIDATION_ERROR"));
    assert_eq!(validation[1].field.as_deref(), Some("provider_details"));
    assert!(
        validation[1]
            .message
            .as_deref()
            .is_some_and(|m| m.contains("qualifications and prescriber_number")),
        "got {:?}",
        validation[1].message
    );
    assert_eq!(validation[1].code.as_deref(), Some("VALIDATION_ERROR"));
}

#[test]
fn error_bodies_of_other_shapes_still_decode_as_error_response() {
    // FastAPI-style validation body: no member the envelope knows.
    let fastapi: ErrorResponse = serde_json::from_value(json!({
        "detail": [{ "loc": ["path", "x"], "msg": "m", "type": "t" }]
    }))
    .expect("an error body with unknown members must still decode");
    assert_eq!(fastapi, ErrorResponse::default());

    // API Gateway's own body.
    let gateway: ErrorResponse =
        serde_json::from_value(json!({ "message": "Internal server error" }))
            .expect("a gateway body must still decode");
    assert_eq!(gateway, ErrorResponse::default());

    // The known members are kept beside unknown ones, at both levels.
    let mixed: ErrorResponse = serde_json::from_value(json!({
        "statusCode": 409,
        "code": "USER_ALREADY_EXISTS",
        "path": "/v1/organizations/org1/users",
        "error": { "title": "Conflict", "errors": [{ "reason": "duplicate" }] }
    }))
    .expect("extra members must not fail the decode");
    assert_eq!(mixed.status_code, Some(409));
    assert_eq!(mixed.code.as_deref(), Some("USER_ALREADY_EXISTS"));
    assert_eq!(
        mixed.error.and_then(|e| e.title).as_deref(),
        Some("Conflict")
    );
}

#[test]
fn update_request_examples_decode_to_the_typed_request() {
    let basic: UpdateUserRequest = decode(example("update_user", "request", "basic"));
    assert_eq!(basic.full_name.as_deref(), Some("Darlene Scott"));
    assert_eq!(basic.provider_details, None);

    let both: UpdateUserRequest = decode(example("update_user", "request", "both"));
    assert_eq!(both.full_name.as_deref(), Some("Darlene Scott"));
    let details = both
        .provider_details
        .expect("`both` updates provider details");
    assert_eq!(
        details.date_of_birth,
        chrono::NaiveDate::from_ymd_opt(1969, 10, 2),
        "a write's birth date is a date"
    );
    assert_eq!(details.sex, Some(Sex::Female));
    assert_eq!(details.prescriber_type, Some(PrescriberType::Medical));
    assert_eq!(
        details.prescriber_number.as_deref().map(String::as_str),
        Some("1234567")
    );
    assert_eq!(details.qualifications.as_deref(), Some("MBBS, FRACGP"));

    let provider: UpdateUserRequest = decode(example("update_user", "request", "provider_details"));
    assert_eq!(provider.full_name, None);
    let details = provider
        .provider_details
        .expect("provider details are updated");
    assert_eq!(
        details.provider_number.as_deref().map(String::as_str),
        Some("123456789")
    );
}

#[test]
fn replace_roles_request_examples_decode_to_assignable_roles() {
    let both: ReplaceUserRolesRequest = decode(example(
        "replace_user_roles",
        "request",
        "admin_and_provider",
    ));
    assert_eq!(both.access_roles, [Role::Admin, Role::Provider]);
    let single: ReplaceUserRolesRequest =
        decode(example("replace_user_roles", "request", "single_role"));
    assert_eq!(single.access_roles, [Role::Receptionist]);
    assert!(
        both.access_roles
            .iter()
            .chain(&single.access_roles)
            .all(Role::is_assignable),
        "request examples hold only roles the API accepts"
    );
}
