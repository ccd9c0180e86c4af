//! `Client::from_vars`: the shapes of configuration a partner sets in its environment, and the
//! errors naming each missing or malformed variable (never echoing a secret). No test touches
//! the process environment.

mod support;

use httpmock::prelude::*;
use parchment_api_ext::testing::fixtures;
use parchment_api_ext::{Client, ErrorKind, env_vars};
use serde_json::json;
use std::collections::HashMap;
use support::envelope;
use support::scripted::{Reply, Scripted};

const PARTNER_SECRET: &str = "partner-secret-1b2c3d4e5f";
const CLINIC_A_SECRET: &str = "clinic-a-secret-8f7e6d5c";
const CLINIC_B_SECRET: &str = "clinic-b-secret-4a3b2c1d";

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

fn partner(base_url: &str) -> Vec<(&'static str, String)> {
    vec![
        (env_vars::BASE_URL, base_url.to_owned()),
        (env_vars::PARTNER_ID, "partner_1".to_owned()),
        (env_vars::PARTNER_SECRET, PARTNER_SECRET.to_owned()),
    ]
}

fn with<'a>(
    base: &'a [(&'static str, String)],
    more: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    base.iter()
        .map(|(k, v)| (*k, v.as_str()))
        .chain(more.iter().copied())
        .collect()
}

fn named() -> Vec<(&'static str, &'static str)> {
    vec![
        (env_vars::ORGANIZATIONS, "clinic_a, CLINIC_B"),
        ("PARCHMENT_ORG_CLINIC_A_ID", "org_a"),
        ("PARCHMENT_ORG_CLINIC_A_SECRET", CLINIC_A_SECRET),
        ("PARCHMENT_ORG_CLINIC_A_USER_ID", "usr_a"),
        ("PARCHMENT_ORG_CLINIC_B_ID", "org_b"),
        ("PARCHMENT_ORG_CLINIC_B_SECRET", CLINIC_B_SECRET),
        ("PARCHMENT_ORG_CLINIC_B_USER_ID", "usr_b"),
    ]
}

fn assert_names(error: &parchment_api_ext::Error, name: &str) {
    assert_eq!(error.kind(), ErrorKind::Configuration);
    let text = format!("{error} {error:?}");
    assert!(text.contains(name), "{text} should name {name}");
    for secret in [PARTNER_SECRET, CLINIC_A_SECRET, CLINIC_B_SECRET] {
        assert!(!text.contains(secret), "{text}");
    }
}

#[test]
fn partner_credentials_need_no_single_organization() {
    let base = partner("http://127.0.0.1:1");
    let client = Client::from_vars(vars(&with(&base, &[(env_vars::USER_ID, "usr_1")])))
        .expect("partner credentials alone make a client");
    let error = client.default_organization().expect_err("none configured");
    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert_eq!(client.organization_names().count(), 0);
}

#[test]
fn named_organizations_are_reached_by_name_in_any_case() {
    let base = partner("http://127.0.0.1:1");
    // Every named organization acts as its own user: no client-wide user is needed.
    let client = Client::from_vars(vars(&with(&base, &named()))).expect("named organizations");
    assert_eq!(
        client.organization_names().collect::<Vec<_>>(),
        ["CLINIC_A", "CLINIC_B"]
    );
    assert_eq!(
        client.named_organization("clinic_a").expect("named").id(),
        "org_a"
    );
    assert_eq!(
        client.named_organization("CLINIC_B").expect("named").id(),
        "org_b"
    );
    let error = client
        .named_organization("clinic_c")
        .expect_err("not configured");
    assert_names(&error, "CLINIC_C");
}

#[tokio::test]
async fn a_named_organization_requests_tokens_with_its_own_secret_and_user() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/token")
                .header("x-partner-id", "partner_1")
                .header("x-partner-secret", PARTNER_SECRET)
                .header("x-organization-id", "org_b")
                .header("x-organization-secret", CLINIC_B_SECRET)
                .header("x-user-id", "usr_b");
            then.status(200)
                .json_body_obj(&fixtures::token_response("token-b", 3600));
        })
        .await;
    let read = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/organizations/org_b/users/usr_1")
                .header("authorization", "Bearer token-b")
                .header("x-organization-secret", CLINIC_B_SECRET);
            then.status(200)
                .json_body(envelope(json!({"user_id": "usr_1"})));
        })
        .await;
    let base = partner(&server.base_url());
    let client = Client::from_vars(vars(&with(&base, &named()))).expect("named organizations");
    client
        .named_organization("clinic_b")
        .expect("the test set this up")
        .users()
        .get("usr_1")
        .await
        .expect("the token and the read match their mocks");
    token.assert_async().await;
    read.assert_async().await;
}

#[test]
fn each_missing_named_variable_is_named() {
    let base = partner("http://127.0.0.1:1");
    for missing in ["PARCHMENT_ORG_CLINIC_A_ID", "PARCHMENT_ORG_CLINIC_B_SECRET"] {
        let pairs: Vec<_> = named().into_iter().filter(|(k, _)| *k != missing).collect();
        let error =
            Client::from_vars(vars(&with(&base, &pairs))).expect_err("a variable is missing");
        assert_names(&error, missing);
    }
    // A named organization without its own user, and no client-wide one.
    let pairs: Vec<_> = named()
        .into_iter()
        .filter(|(k, _)| *k != "PARCHMENT_ORG_CLINIC_A_USER_ID")
        .collect();
    let error = Client::from_vars(vars(&with(&base, &pairs))).expect_err("no acting user");
    assert_names(&error, env_vars::USER_ID);
    let error = Client::from_vars(vars(&with(&base, &[(env_vars::ORGANIZATIONS, "clinic-a")])))
        .expect_err("a bad name");
    assert_names(&error, env_vars::ORGANIZATIONS);
}

#[test]
fn an_organization_secret_without_its_id_is_refused() {
    let base = partner("http://127.0.0.1:1");
    let error = Client::from_vars(vars(&with(
        &base,
        &[
            (env_vars::USER_ID, "usr_1"),
            (env_vars::ORGANIZATION_SECRET, CLINIC_A_SECRET),
        ],
    )))
    .expect_err("a secret bound to nothing");
    assert_names(&error, env_vars::ORGANIZATION_ID);
    let error = Client::from_vars(vars(&with(
        &base,
        &[
            (env_vars::USER_ID, "usr_1"),
            (env_vars::ORGANIZATION_ID, "org_a"),
        ],
    )))
    .expect_err("an id without its secret");
    assert_names(&error, env_vars::ORGANIZATION_SECRET);
}

#[test]
fn malformed_settings_are_named_without_their_value() {
    let base = partner("http://127.0.0.1:1");
    for (name, value) in [
        (env_vars::TIMEOUT_SECS, "thirty"),
        (env_vars::CONNECT_TIMEOUT_SECS, "-1"),
        (env_vars::ATTEMPT_TIMEOUT_SECS, "0"),
        (env_vars::CALL_DEADLINE_SECS, "inf"),
        (env_vars::MAX_ATTEMPTS, "0"),
        (env_vars::MAX_ATTEMPTS, "2.5"),
        (env_vars::RATE_LIMIT, "NaN"),
    ] {
        let error = Client::from_vars(vars(&with(
            &base,
            &[(env_vars::USER_ID, "usr_1"), (name, value)],
        )))
        .expect_err("a malformed setting");
        assert_names(&error, name);
    }
    Client::from_vars(vars(&with(
        &base,
        &[
            (env_vars::USER_ID, "usr_1"),
            (env_vars::TIMEOUT_SECS, "2.5"),
            (env_vars::CONNECT_TIMEOUT_SECS, "1"),
            (env_vars::ATTEMPT_TIMEOUT_SECS, "1"),
            (env_vars::CALL_DEADLINE_SECS, "10"),
            (env_vars::MAX_ATTEMPTS, "3"),
            (env_vars::RATE_LIMIT, "20"),
        ],
    )))
    .expect("well-formed settings");
}

#[tokio::test]
async fn max_attempts_from_the_environment_bounds_retries() {
    let server = Scripted::start(|_, _| {
        Reply::json(
            503,
            &support::error_envelope(503, "service-unavailable", "Unavailable", "later"),
        )
    })
    .await;
    let client = Client::from_vars(vars(&[
        (env_vars::BASE_URL, &server.base_url()),
        (env_vars::ACCESS_TOKEN, support::TOKEN),
        (env_vars::ORGANIZATION_SECRET, support::ORG_SECRET),
        (env_vars::ORGANIZATION_ID, support::ORG),
        (env_vars::MAX_ATTEMPTS, "2"),
    ]))
    .expect("a client");
    let error = client
        .default_organization()
        .expect("the test set this up")
        .users()
        .get("usr_1")
        .await
        .expect_err("every attempt fails");
    assert_eq!(error.attempts(), 2);
    assert_eq!(server.requests().len(), 2);
}
