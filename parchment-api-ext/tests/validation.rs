//! Every rule checked before sending: a typed refusal, in the server's field-error shape, and not
//! one request on the wire.

mod support;

use httpmock::prelude::*;
use parchment_api_ext::{
    Error, ErrorKind, PrescriberType, ProviderDetailsUpdate, Role, Sex, UserUpdate,
};
use support::ORG;

/// A mock server that answers anything (so a sent request would be seen), and its catch-all.
async fn server_counting_requests() -> (MockServer, usize) {
    let server = MockServer::start_async().await;
    let id = server
        .mock_async(|_when, then| {
            then.status(500);
        })
        .await
        .id();
    (server, id)
}

/// Asserts `result` is an InvalidInput refusal naming `field`, and that nothing was sent.
async fn assert_refused<T: std::fmt::Debug>(
    server: &MockServer,
    catch_all: usize,
    result: Result<T, Error>,
    field: &str,
) -> Error {
    let error = result.expect_err("the call must be refused");
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    let fields: Vec<_> = error
        .field_errors()
        .iter()
        .map(|e| e.field.as_str())
        .collect();
    assert!(
        fields.contains(&field),
        "expected a field error on {field}, got {fields:?}"
    );
    assert_eq!(error.status(), None);
    let calls = httpmock::Mock::new(catch_all, server).calls_async().await;
    assert_eq!(calls, 0, "a refused call must send nothing");
    error
}

#[tokio::test]
async fn ids_that_would_change_the_requested_path_are_refused() {
    let (server, catch_all) = server_counting_requests().await;
    let client = support::client(&server.base_url());
    for bad in [
        "",
        ".",
        "..",
        "usr/1",
        "usr\\1",
        "usr?x=1",
        "usr#1",
        "usr\n1",
        "usr\u{0}1",
    ] {
        let users = client.organization(ORG).users();
        assert_refused(&server, catch_all, users.get(bad).await, "user_id").await;
        assert_refused(
            &server,
            catch_all,
            users.update(bad, UserUpdate::new().full_name("x")).await,
            "user_id",
        )
        .await;
        assert_refused(
            &server,
            catch_all,
            users.set_roles(bad, [Role::Admin]).await,
            "user_id",
        )
        .await;
        assert_refused(
            &server,
            catch_all,
            users.grant_roles(bad, [Role::Admin]).await,
            "user_id",
        )
        .await;
        assert_refused(
            &server,
            catch_all,
            users.revoke_roles(bad, [Role::Admin]).await,
            "user_id",
        )
        .await;

        let org_users = client.organization(bad).users();
        assert_refused(
            &server,
            catch_all,
            org_users.list().send().await,
            "organization_id",
        )
        .await;
        assert_refused(
            &server,
            catch_all,
            org_users.get("usr_1").await,
            "organization_id",
        )
        .await;
    }
}

#[tokio::test]
async fn a_limit_outside_1_to_100_is_refused() {
    let (server, catch_all) = server_counting_requests().await;
    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();
    for limit in [0, 101, 1000] {
        assert_refused(
            &server,
            catch_all,
            users.list().limit(limit).send().await,
            "limit",
        )
        .await;
    }
    let mut stream = Box::pin(users.list().limit(0).stream());
    let first = futures::StreamExt::next(&mut stream)
        .await
        .expect("one item");
    assert_refused(&server, catch_all, first, "limit").await;
}

#[tokio::test]
async fn an_empty_last_key_is_refused() {
    let (server, catch_all) = server_counting_requests().await;
    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();
    assert_refused(
        &server,
        catch_all,
        users.list().last_key("").send().await,
        "lastKey",
    )
    .await;
}

#[tokio::test]
async fn roles_must_be_non_empty_and_assignable() {
    let (server, catch_all) = server_counting_requests().await;
    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();
    assert_refused(
        &server,
        catch_all,
        users.set_roles("usr_1", []).await,
        "access_roles",
    )
    .await;
    for not_assignable in [
        Role::Owner,
        Role::Support,
        Role::Member,
        Role::from("superuser"),
    ] {
        let error = assert_refused(
            &server,
            catch_all,
            users
                .set_roles("usr_1", [Role::Admin, not_assignable.clone()])
                .await,
            "access_roles[1]",
        )
        .await;
        assert_eq!(error.field_errors()[0].code, "not_assignable");
        assert!(
            error.to_string().contains(not_assignable.as_str()),
            "{error}"
        );
    }
}

/// Refuses `details` as an update of `usr_1`, naming `field`.
async fn assert_details_refused(details: ProviderDetailsUpdate, field: &str) {
    let (server, catch_all) = server_counting_requests().await;
    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();
    let result = users
        .update("usr_1", UserUpdate::new().provider_details(details))
        .await;
    assert_refused(&server, catch_all, result, field).await;
}

#[tokio::test]
async fn a_prescriber_type_needs_qualifications() {
    let details = ProviderDetailsUpdate::new()
        .prescriber_type(PrescriberType::Medical)
        .prescriber_number("1234567");
    assert_details_refused(details, "provider_details.qualifications").await;
}

#[tokio::test]
async fn a_prescriber_type_other_than_t_needs_a_prescriber_number() {
    for prescriber_type in [
        PrescriberType::Medical,
        PrescriberType::Nurse,
        PrescriberType::LegacyN,
    ] {
        let details = ProviderDetailsUpdate::new()
            .prescriber_type(prescriber_type)
            .qualifications("MBBS");
        assert_details_refused(details, "provider_details.prescriber_number").await;
    }
}

#[tokio::test]
async fn numbers_longer_than_10_or_empty_are_refused() {
    assert_details_refused(
        ProviderDetailsUpdate::new().prescriber_number("12345678901"),
        "provider_details.prescriber_number",
    )
    .await;
    assert_details_refused(
        ProviderDetailsUpdate::new().prescriber_number(""),
        "provider_details.prescriber_number",
    )
    .await;
    assert_details_refused(
        ProviderDetailsUpdate::new().provider_number("12345678901"),
        "provider_details.provider_number",
    )
    .await;
    assert_details_refused(
        ProviderDetailsUpdate::new().provider_number(""),
        "provider_details.provider_number",
    )
    .await;
}

#[tokio::test]
async fn a_provider_number_must_be_alphanumeric() {
    for bad in ["1234-567", "12 34567", "123456é"] {
        assert_details_refused(
            ProviderDetailsUpdate::new().provider_number(bad),
            "provider_details.provider_number",
        )
        .await;
    }
}

#[tokio::test]
async fn sex_on_write_is_m_f_i_or_n() {
    assert_details_refused(
        ProviderDetailsUpdate::new().sex(Sex::Other),
        "provider_details.sex",
    )
    .await;
    assert_details_refused(
        ProviderDetailsUpdate::new().sex(Sex::from("X")),
        "provider_details.sex",
    )
    .await;
}

#[tokio::test]
async fn an_unknown_prescriber_type_is_refused() {
    let details = ProviderDetailsUpdate::new()
        .prescriber_type(PrescriberType::from("Z"))
        .prescriber_number("1234567")
        .qualifications("MBBS");
    assert_details_refused(details, "provider_details.prescriber_type").await;
}

#[tokio::test]
async fn every_broken_rule_is_reported_at_once() {
    let (server, catch_all) = server_counting_requests().await;
    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();
    let details = ProviderDetailsUpdate::new()
        .prescriber_type(PrescriberType::Medical)
        .sex(Sex::Other)
        .provider_number("x-1");
    let error = assert_refused(
        &server,
        catch_all,
        users
            .update("..", UserUpdate::new().provider_details(details))
            .await,
        "user_id",
    )
    .await;
    let fields: Vec<_> = error
        .field_errors()
        .iter()
        .map(|e| e.field.as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "user_id",
            "provider_details.sex",
            "provider_details.qualifications",
            "provider_details.prescriber_number",
            "provider_details.provider_number"
        ]
    );
}

#[tokio::test]
async fn ids_longer_than_256_bytes_are_refused_everywhere() {
    let (server, catch_all) = server_counting_requests().await;
    let client = support::client(&server.base_url());
    let long = "i".repeat(257);
    let fits = "i".repeat(256);
    let users = client.organization(ORG).users();
    assert_refused(&server, catch_all, users.get(&long).await, "user_id").await;
    assert_refused(
        &server,
        catch_all,
        client.organization(&long).users().get("usr_1").await,
        "organization_id",
    )
    .await;
    let acting = client.organization(ORG).acting_as(&long);
    assert_refused(
        &server,
        catch_all,
        acting.custom_drugs().list().await,
        "user_id",
    )
    .await;
    let acting = client.organization(ORG).acting_as("usr_1");
    assert_refused(
        &server,
        catch_all,
        acting
            .patients()
            .update(&long, parchment_api_ext::PatientUpdate::new())
            .await,
        "patient_id",
    )
    .await;
    assert_refused(
        &server,
        catch_all,
        acting.prescriptions("pat_1").get(&long).await,
        "scid",
    )
    .await;
    assert_refused(
        &server,
        catch_all,
        acting
            .custom_drugs()
            .update(&long, parchment_api_ext::CustomDrugUpdate::new())
            .await,
        "drug_id",
    )
    .await;
    // 256 bytes still passes the check (the mock's 500 proves it was sent).
    let sent = users.get(&fits).await.expect_err("the mock answers 500");
    assert_eq!(sent.kind(), ErrorKind::Server, "{sent}");
}

#[tokio::test]
async fn a_last_key_longer_than_4_kib_is_refused_on_both_lists() {
    let (server, catch_all) = server_counting_requests().await;
    let client = support::client(&server.base_url());
    let long = "k".repeat(4 * 1024 + 1);
    assert_refused(
        &server,
        catch_all,
        client
            .organization(ORG)
            .users()
            .list()
            .last_key(&long)
            .send()
            .await,
        "lastKey",
    )
    .await;
    assert_refused(
        &server,
        catch_all,
        client
            .organization(ORG)
            .acting_as("usr_1")
            .prescriptions("pat_1")
            .list()
            .last_key(&long)
            .send()
            .await,
        "lastKey",
    )
    .await;
}
