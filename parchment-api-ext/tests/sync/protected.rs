//! Users the fake cannot hold (an owner, a support user, a role this SDK does not know), on
//! httpmock: left alone by default; with `allow_protected`, given details but never stripped
//! of their roles.

use crate::support::{ORG, client, envelope};
use crate::{kinds, organization, role, skip_reasons};
use httpmock::Method::{GET, PUT};
use httpmock::MockServer;
use parchment_api_ext::Role;
use parchment_api_ext::sync::{ActionKind, Person, Roster, RosterSync, SkipReason, SyncOptions};
use serde_json::json;

/// An organization whose list shows an owner, a support user, a user with an unknown role,
/// and an admin.
async fn server() -> MockServer {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/organizations/{ORG}/users"));
            then.status(200).json_body(envelope(json!({
                "users": [
                    {"user_id": "usr_owner", "email": "owner@example.com", "full_name": "Olive Owner",
                     "access_roles": ["owner", "admin"]},
                    {"user_id": "usr_support", "email": "support@parchment.example", "full_name": "Parchment Support",
                     "access_roles": ["support"]},
                    {"user_id": "usr_new_role", "email": "billing@example.com", "full_name": "Bill Ing",
                     "access_roles": ["billing_manager", "receptionist"]},
                    {"user_id": "usr_admin", "email": "admin@example.com", "full_name": "Ada Admin",
                     "access_roles": ["admin"]}
                ],
                "pagination": {"lastKey": null}
            })));
        })
        .await;
    server
}

/// Answers every write, to count them.
async fn writes_mock(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(PUT);
            then.status(200)
                .json_body(envelope(json!({"user_id": "usr_x"})));
        })
        .await
}

fn roster() -> Roster {
    Roster::new()
        // The owner: same admin role (owner kept, no drift), a new name.
        .person(
            ORG,
            Person::new("owner@example.com")
                .full_name("Olive Owner-Smith")
                .roles([Role::Admin]),
        )
        // The unknown role's holder: roles would change.
        .person(
            ORG,
            Person::new("billing@example.com").roles([Role::RxReader]),
        )
        .person(ORG, Person::new("admin@example.com").roles([Role::Admin]))
    // support@ is not in the roster: pruning would disable them.
}

#[tokio::test]
async fn protected_users_are_left_alone_by_default() {
    let server = server().await;
    let writes = writes_mock(&server).await;
    let sync = RosterSync::new(client(&server.base_url())).options(SyncOptions::new().prune(true));

    let plan = sync.plan(&roster()).await.expect("valid");

    assert!(!plan.has_drift(), "{plan}");
    let reasons = skip_reasons(&plan, ORG);
    assert_eq!(
        reasons,
        [
            SkipReason::ProtectedUser {
                roles: vec![Role::Owner]
            },
            SkipReason::ProtectedUser {
                roles: vec![role("billing_manager")]
            },
            SkipReason::ProtectedUser {
                roles: vec![Role::Support]
            },
        ]
    );
    let wanted: Vec<_> = organization(&plan, ORG)
        .skipped
        .iter()
        .map(|skip| skip.wanted)
        .collect();
    assert_eq!(
        wanted,
        [
            Some(ActionKind::UpdateDetails),
            Some(ActionKind::SetRoles),
            Some(ActionKind::Disable)
        ]
    );
    assert!(
        plan.to_string()
            .contains("holds owner; such users are left alone unless allow_protected")
    );
    sync.apply(&plan, |_| {}).await;
    writes.assert_calls_async(0).await;
}

#[tokio::test]
async fn allowed_protected_users_get_details_but_never_lose_their_roles() {
    let server = server().await;
    let writes = writes_mock(&server).await;
    let sync = RosterSync::new(client(&server.base_url()))
        .options(SyncOptions::new().prune(true).allow_protected(true));

    let plan = sync.plan(&roster()).await.expect("valid");

    assert_eq!(
        kinds(&plan, ORG),
        [ActionKind::UpdateDetails, ActionKind::Disable]
    );
    assert_eq!(
        skip_reasons(&plan, ORG),
        [SkipReason::WouldDropProtectedRole {
            roles: vec![role("billing_manager")]
        }]
    );
    let report = sync.apply(&plan, |_| {}).await;
    assert_eq!(report.total().done, 2, "{report}");
    writes.assert_calls_async(2).await;
}
