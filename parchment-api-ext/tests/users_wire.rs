//! The four user operations through the public client: what goes on the wire, what comes back.

mod support;

use chrono::NaiveDate;
use futures::TryStreamExt;
use httpmock::prelude::*;
use parchment_api_ext::testing::mocks::MockServerExt;
use parchment_api_ext::{ErrorKind, PrescriberType, ProviderDetailsUpdate, Role, Sex, UserUpdate};
use serde_json::json;
use support::{ORG, ORG_SECRET, TOKEN, envelope};

const USERS_PATH: &str = "/v1/organizations/org_7f3a/users";

#[tokio::test]
async fn list_sends_limit_and_key_with_both_credentials_and_normalizes_the_object_shape() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(USERS_PATH)
                .query_param("limit", "50")
                .query_param("lastKey", "eyJrIjoxfQ==")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("x-organization-secret", ORG_SECRET)
                .header(
                    "user-agent",
                    concat!("parchment-rs/", env!("CARGO_PKG_VERSION")),
                )
                .header_missing("api-version");
            then.status(200).json_body(envelope(json!({
                "users": [{
                    "user_id": "usr_abc123def456",
                    "external_user_id": "PARTNER#USER_12345",
                    "full_name": "John Doe",
                    "access_roles": ["provider", "admin"]
                }],
                "pagination": {"total": 1, "limit": 50, "lastKey": null}
            })));
        })
        .await;

    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();
    let page = users
        .list()
        .limit(50)
        .last_key("eyJrIjoxfQ==")
        .send()
        .await
        .expect("a page");

    mock.assert_async().await;
    assert_eq!(page.users.len(), 1);
    assert_eq!(page.users[0].user_id, "usr_abc123def456");
    assert_eq!(page.users[0].roles, Some(vec![Role::Provider, Role::Admin]));
    assert_eq!(page.next_key, None);
    assert_eq!(page.total, Some(1));
    assert_eq!(page.request_id(), Some("req_1705312200000_abc123"));
}

#[tokio::test]
async fn list_normalizes_the_array_shape_and_a_top_level_pagination() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(USERS_PATH)
                .query_param_missing("limit")
                .query_param_missing("lastKey");
            let mut body = envelope(json!([
                {"user_id": "usr_1", "email": "one@example.com"},
                {"user_id": "usr_2", "email": "two@example.com"}
            ]));
            body["pagination"] =
                json!({"count": 2, "hasNext": true, "limit": 2, "offset": 0, "lastKey": "k2"});
            then.status(200).json_body(body);
        })
        .await;

    let page = support::client(&server.base_url())
        .organization(ORG)
        .users()
        .list()
        .send()
        .await
        .expect("a page");

    let ids: Vec<_> = page.users.iter().map(|u| u.user_id.as_str()).collect();
    assert_eq!(ids, ["usr_1", "usr_2"]);
    assert_eq!(page.users[0].email.as_deref(), Some("one@example.com"));
    assert_eq!(
        page.users[0].roles, None,
        "a sparse item reports no roles rather than empty roles"
    );
    assert_eq!(page.next_key.as_deref(), Some("k2"));
    assert_eq!(page.total, Some(2));
}

/// Registers page `n` of a paginated list: served when `lastKey` is `key` (or absent).
async fn page<'a>(
    server: &'a MockServer,
    key: Option<&str>,
    ids: &[&str],
    next: Option<&str>,
) -> httpmock::Mock<'a> {
    let users: Vec<_> = ids.iter().map(|id| json!({"user_id": id})).collect();
    let body = envelope(json!({"users": users, "pagination": {"limit": 2, "lastKey": next}}));
    let key = key.map(str::to_owned);
    server
        .mock_async(move |when, then| {
            let when = when.method(GET).path(USERS_PATH).query_param("limit", "2");
            match key {
                Some(key) => when.query_param("lastKey", key),
                None => when.query_param_missing("lastKey"),
            };
            then.status(200).json_body(body);
        })
        .await
}

#[tokio::test]
async fn stream_follows_last_key_until_it_is_null() {
    let server = MockServer::start_async().await;
    let first = page(&server, None, &["u1", "u2"], Some("k1")).await;
    let second = page(&server, Some("k1"), &["u3", "u4"], Some("k2")).await;
    let last = page(&server, Some("k2"), &["u5"], None).await;

    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();
    let all: Vec<_> = users
        .list()
        .limit(2)
        .stream()
        .try_collect()
        .await
        .expect("every user");

    let ids: Vec<_> = all.iter().map(|u| u.user_id.as_str()).collect();
    assert_eq!(ids, ["u1", "u2", "u3", "u4", "u5"]);
    first.assert_async().await;
    second.assert_async().await;
    last.assert_async().await;
}

#[tokio::test]
async fn stream_is_lazy_and_max_items_fetches_no_page_beyond_need() {
    let server = MockServer::start_async().await;
    let first = page(&server, None, &["u1", "u2"], Some("k1")).await;
    let second = page(&server, Some("k1"), &["u3", "u4"], Some("k2")).await;
    let third = page(&server, Some("k2"), &["u5"], None).await;

    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();
    let some: Vec<_> = users
        .list()
        .limit(2)
        .max_items(3)
        .stream()
        .try_collect()
        .await
        .expect("three users");

    assert_eq!(some.len(), 3);
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(second.calls_async().await, 1);
    assert_eq!(
        third.calls_async().await,
        0,
        "the third page was never needed"
    );
}

#[tokio::test]
async fn a_repeated_key_ends_the_stream_with_a_pagination_loop_error() {
    let server = MockServer::start_async().await;
    page(&server, None, &["u1", "u2"], Some("k1")).await;
    let looping = page(&server, Some("k1"), &["u3", "u4"], Some("k1")).await;

    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();
    let mut stream = Box::pin(users.list().limit(2).pages());
    let mut pages = 0;
    let error = loop {
        match stream.try_next().await {
            Ok(Some(_)) => pages += 1,
            Ok(None) => panic!("the stream ended without reporting the loop"),
            Err(error) => break error,
        }
    };
    assert_eq!(pages, 2, "both good pages are delivered before the error");
    assert_eq!(error.kind(), ErrorKind::PaginationLoop);
    assert_eq!(
        looping.calls_async().await,
        1,
        "the repeated key is not followed"
    );
    assert!(
        stream.try_next().await.expect("no further error").is_none(),
        "the stream ends after the error"
    );
}

#[tokio::test]
async fn get_reads_a_provider_with_a_timestamp_date_of_birth() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/organizations/org_7f3a/users/usr_abc123def456");
            then.status(200).json_body(envelope(json!({
                "user_id": "usr_abc123def456",
                "email": "darlene.cameron@example.com",
                "full_name": "Dr Darlene Cameron",
                "access_roles": ["admin", "provider"],
                "provider_details": {
                    "title": "Dr",
                    "prescriber_type": "M",
                    "prescriber_number": "1234567",
                    "date_of_birth": "1969-10-02T00:00:00.000Z",
                    "sex": "F",
                    "australian_address": {"suburb": "Melbourne", "state": "VIC", "postcode": "3000"}
                }
            })));
        })
        .await;

    let user = support::client(&server.base_url())
        .organization(ORG)
        .users()
        .get("usr_abc123def456")
        .await
        .expect("the user");

    mock.assert_async().await;
    assert!(user.has_role(&Role::Provider));
    let details = user.provider_details.as_ref().expect("provider details");
    assert_eq!(details.date_of_birth, NaiveDate::from_ymd_opt(1969, 10, 2));
    assert_eq!(details.date_of_birth_unparsed, None);
    assert_eq!(details.sex, Some(Sex::Female));
    assert_eq!(details.prescriber_type, Some(PrescriberType::Medical));
    let address = details.australian_address.as_ref().expect("an address");
    assert_eq!(address.postcode.as_deref(), Some("3000"));
}

#[tokio::test]
async fn get_reads_plain_dates_null_details_and_unknown_values() {
    let server = MockServer::start_async().await;
    server.read_user(|when, then| {
        when.organization_id(ORG).user_id("usr_plain");
        then.into_inner().status(200).json_body(envelope(json!({
            "user_id": "usr_plain",
            "access_roles": ["owner", "chief_pharmacist"],
            "provider_details": null,
            "surprise": {"added": "later"}
        })));
    });
    server.read_user(|when, then| {
        when.organization_id(ORG).user_id("usr_dob");
        then.into_inner().status(200).json_body(envelope(json!({
            "user_id": "usr_dob",
            "access_roles": ["provider"],
            "provider_details": {"date_of_birth": "1980-02-29", "sex": "O", "prescriber_type": "Z"}
        })));
    });
    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();

    let plain = users
        .get("usr_plain")
        .await
        .expect("a user with unknown fields");
    assert_eq!(plain.roles, [Role::Owner, Role::from("chief_pharmacist")]);
    assert_eq!(plain.provider_details, None);

    let dob = users
        .get("usr_dob")
        .await
        .expect("a user with a plain date");
    let details = dob.provider_details.as_ref().expect("details");
    assert_eq!(details.date_of_birth, NaiveDate::from_ymd_opt(1980, 2, 29));
    assert_eq!(details.sex, Some(Sex::Other));
    assert_eq!(details.prescriber_type, Some(PrescriberType::from("Z")));
}

#[tokio::test]
async fn an_unreadable_date_of_birth_is_kept_not_lost() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/organizations/org_7f3a/users/usr_1");
            then.status(200).json_body(envelope(json!({
                "user_id": "usr_1",
                "provider_details": {"date_of_birth": "02/10/1969"}
            })));
        })
        .await;
    let user = support::client(&server.base_url())
        .organization(ORG)
        .users()
        .get("usr_1")
        .await
        .expect("the user");
    let details = user.provider_details.as_ref().expect("details");
    assert_eq!(details.date_of_birth, None);
    assert_eq!(
        details.date_of_birth_unparsed.as_deref(),
        Some("02/10/1969")
    );
}

#[tokio::test]
async fn update_sends_only_the_fields_set() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/v1/organizations/org_7f3a/users/usr_abc123def456")
                .header("content-type", "application/json")
                .json_body(json!({"full_name": "Darlene Scott"}));
            then.status(200)
                .json_body(envelope(json!({"user_id": "usr_abc123def456"})));
        })
        .await;

    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();
    let updated = users
        .update(
            "usr_abc123def456",
            UserUpdate::new().full_name("Darlene Scott"),
        )
        .await
        .expect("the update");

    mock.assert_async().await;
    assert_eq!(updated.user_id, "usr_abc123def456");
}

#[tokio::test]
async fn update_sends_provider_details_with_an_iso_date() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/v1/organizations/org_7f3a/users/usr_1")
                .json_body(json!({
                    "full_name": "Darlene Scott",
                    "provider_details": {
                        "given_name": "Darlene",
                        "family_name": "Cameron",
                        "date_of_birth": "1969-10-02",
                        "sex": "F",
                        "title": "Dr",
                        "prescriber_type": "M",
                        "prescriber_number": "1234567",
                        "qualifications": "MBBS, FRACGP",
                        "ahpra_number": "MED0001234567",
                        "hospital_provider_number": "H123456"
                    }
                }));
            then.status(200)
                .json_body(envelope(json!({"user_id": "usr_1"})));
        })
        .await;

    let details = ProviderDetailsUpdate::new()
        .given_name("Darlene")
        .family_name("Cameron")
        .date_of_birth(NaiveDate::from_ymd_opt(1969, 10, 2).expect("a real date"))
        .sex(Sex::Female)
        .title("Dr")
        .prescriber_type(PrescriberType::Medical)
        .prescriber_number("1234567")
        .qualifications("MBBS, FRACGP")
        .ahpra_number("MED0001234567")
        .hospital_provider_number("H123456");
    let update = UserUpdate::new()
        .full_name("Darlene Scott")
        .provider_details(details);
    support::client(&server.base_url())
        .organization(ORG)
        .users()
        .update("usr_1", update)
        .await
        .expect("the update");

    mock.assert_async().await;
}

#[tokio::test]
async fn a_podiatrist_needs_no_prescriber_number() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/v1/organizations/org_7f3a/users/usr_1")
                .json_body(json!({
                    "provider_details": {"prescriber_type": "T", "qualifications": "BPod"}
                }));
            then.status(200)
                .json_body(envelope(json!({"user_id": "usr_1"})));
        })
        .await;
    let details = ProviderDetailsUpdate::new()
        .prescriber_type(PrescriberType::Podiatrist)
        .qualifications("BPod");
    support::client(&server.base_url())
        .organization(ORG)
        .users()
        .update("usr_1", UserUpdate::new().provider_details(details))
        .await
        .expect("accepted without a prescriber number");
    mock.assert_async().await;
}

#[tokio::test]
async fn set_roles_replaces_with_the_distinct_roles_given() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/v1/organizations/org_7f3a/users/usr_1/roles")
                .json_body(json!({"access_roles": ["admin", "provider"]}));
            then.status(200).json_body(envelope(
                json!({"user_id": "usr_1", "access_roles": ["admin", "provider"]}),
            ));
        })
        .await;

    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();
    let roles = users
        .set_roles("usr_1", [Role::Admin, Role::Provider, Role::Admin])
        .await
        .expect("roles replaced");

    mock.assert_async().await;
    assert_eq!(roles.roles, [Role::Admin, Role::Provider]);
    assert_eq!(roles.user_id, "usr_1");
}

/// Serves read-user for `usr_1` with `roles`, and accepts any role replacement of `usr_1`.
async fn user_with_roles<'a>(
    server: &'a MockServer,
    roles: serde_json::Value,
) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/organizations/org_7f3a/users/usr_1");
            then.status(200)
                .json_body(envelope(json!({"user_id": "usr_1", "access_roles": roles})));
        })
        .await
}

#[tokio::test]
async fn grant_roles_reads_then_writes_the_union() {
    let server = MockServer::start_async().await;
    let read = user_with_roles(&server, json!(["receptionist"])).await;
    let write = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/v1/organizations/org_7f3a/users/usr_1/roles")
                .json_body(json!({"access_roles": ["receptionist", "rx_reader"]}));
            then.status(200).json_body(envelope(
                json!({"user_id": "usr_1", "access_roles": ["receptionist", "rx_reader"]}),
            ));
        })
        .await;

    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();
    let roles = users
        .grant_roles("usr_1", [Role::RxReader])
        .await
        .expect("granted");

    read.assert_async().await;
    write.assert_async().await;
    assert_eq!(roles.roles, [Role::Receptionist, Role::RxReader]);
}

#[tokio::test]
async fn grant_roles_replaces_member_and_skips_a_write_that_changes_nothing() {
    let server = MockServer::start_async().await;
    user_with_roles(&server, json!(["member"])).await;
    let write = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/v1/organizations/org_7f3a/users/usr_1/roles")
                .json_body(json!({"access_roles": ["provider"]}));
            then.status(200).json_body(envelope(
                json!({"user_id": "usr_1", "access_roles": ["provider"]}),
            ));
        })
        .await;
    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();
    users
        .grant_roles("usr_1", [Role::Provider])
        .await
        .expect("member replaced");
    write.assert_async().await;

    let server = MockServer::start_async().await;
    user_with_roles(&server, json!(["admin", "provider"])).await;
    let any_write = server
        .mock_async(|when, then| {
            when.method(PUT);
            then.status(500);
        })
        .await;
    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();
    let roles = users
        .grant_roles("usr_1", [Role::Admin])
        .await
        .expect("nothing to change");
    assert_eq!(roles.roles, [Role::Admin, Role::Provider]);
    assert_eq!(any_write.calls_async().await, 0);
}

#[tokio::test]
async fn grant_and_revoke_refuse_to_drop_an_unwritable_role() {
    let server = MockServer::start_async().await;
    user_with_roles(&server, json!(["owner", "admin"])).await;
    let any_write = server
        .mock_async(|when, then| {
            when.method(PUT);
            then.status(500);
        })
        .await;
    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();

    let error = users
        .grant_roles("usr_1", [Role::Provider])
        .await
        .expect_err("owner would be dropped");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(error.field_errors()[0].code, "not_writable");
    let error = users
        .revoke_roles("usr_1", [Role::Admin])
        .await
        .expect_err("owner would be dropped");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(any_write.calls_async().await, 0);
}

#[tokio::test]
async fn revoking_every_role_is_refused() {
    let server = MockServer::start_async().await;
    user_with_roles(&server, json!(["admin"])).await;
    let any_write = server
        .mock_async(|when, then| {
            when.method(PUT);
            then.status(500);
        })
        .await;
    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();
    let error = users
        .revoke_roles("usr_1", [Role::Admin])
        .await
        .expect_err("no role would remain");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(error.field_errors()[0].field, "access_roles");
    assert_eq!(any_write.calls_async().await, 0);
}

#[tokio::test]
async fn a_missing_user_is_not_found_with_its_request_id() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/organizations/org_7f3a/users/missing");
            then.status(404).json_body(support::error_envelope(
                404,
                "user-not-found",
                "User not found",
                "User not found",
            ));
        })
        .await;
    let result = support::client(&server.base_url())
        .organization(ORG)
        .users()
        .get("missing")
        .await;
    let error = result.expect_err("404");
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(error.request_id(), Some("req_1705312200000_e404"));
}

#[tokio::test]
async fn ids_are_percent_encoded_into_one_path_segment() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/organizations/org_7f3a/users/PARTNER%20USER%25");
            then.status(200)
                .json_body(envelope(json!({"user_id": "PARTNER USER%"})));
        })
        .await;
    let user = support::client(&server.base_url())
        .organization(ORG)
        .users()
        .get("PARTNER USER%")
        .await
        .expect("encoded");
    mock.assert_async().await;
    assert_eq!(user.user_id, "PARTNER USER%");
}

#[tokio::test]
async fn grant_and_revoke_refuse_when_the_read_did_not_report_roles() {
    // Before, a read without `access_roles` counted as "no roles": the grant replaced every
    // role the user held with the granted one.
    for roles in [json!(null), json!("absent")] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/v1/organizations/org_7f3a/users/usr_1");
                let user = if roles.is_null() {
                    json!({"user_id": "usr_1", "access_roles": null})
                } else {
                    json!({"user_id": "usr_1"})
                };
                then.status(200).json_body(envelope(user));
            })
            .await;
        let any_write = server
            .mock_async(|when, then| {
                when.method(PUT);
                then.status(500);
            })
            .await;
        let users = support::client(&server.base_url())
            .organization(ORG)
            .users();
        let user = users.get("usr_1").await.expect("read");
        assert!(!user.roles_reported && user.roles.is_empty());

        let error = users
            .grant_roles("usr_1", [Role::Provider])
            .await
            .expect_err("roles not reported");
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert_eq!(error.field_errors()[0].code, "not_reported");
        let error = users
            .revoke_roles("usr_1", [Role::Admin])
            .await
            .expect_err("roles not reported");
        assert_eq!(error.field_errors()[0].code, "not_reported");
        assert_eq!(any_write.calls_async().await, 0, "nothing written");
    }
}

#[tokio::test]
async fn a_revoke_the_server_did_not_apply_is_a_conflict() {
    let server = MockServer::start_async().await;
    user_with_roles(&server, json!(["admin", "provider"])).await;
    server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/v1/organizations/org_7f3a/users/usr_1/roles")
                .json_body(json!({"access_roles": ["provider"]}));
            then.status(200)
                .header("x-request-id", "req-revoke")
                .json_body(envelope(
                    json!({"user_id": "usr_1", "access_roles": ["admin", "provider"]}),
                ));
        })
        .await;
    let users = support::client(&server.base_url())
        .organization(ORG)
        .users();
    let error = users
        .revoke_roles("usr_1", [Role::Admin])
        .await
        .expect_err("admin is still held");
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
}
