//! State: creates, updates, role changes, disable and enable show in later reads and
//! lists, as a service's tests rely on.

use crate::support::fake::{all_users, logged, statuses, users};
use crate::{date, first_with_role, is_parchment_request_id, read, user_path};
use parchment_api_ext::testing::{FakeParchment, Fault};
use parchment_api_ext::{
    ErrorKind, NewUser, PrescriberType, ProviderDetailsUpdate, Role, Sex, UserUpdate,
};
use std::time::Duration;

/// Whether `roles` holds exactly `expected`, in any order.
fn same_roles(roles: &[Role], expected: &[Role]) -> bool {
    roles.len() == expected.len() && expected.iter().all(|role| roles.contains(role))
}

#[tokio::test]
async fn an_update_of_name_and_provider_details_shows_in_a_later_read_and_list() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let provider = first_with_role(&users, Role::Provider).await;
    let before = read(&users, &provider.user_id).await;
    let before_details = before.provider_details.expect("a provider has details");

    let update = UserUpdate::new()
        .full_name("Dr Darlene Scott")
        .provider_details(
            ProviderDetailsUpdate::new()
                .phone("0400111222")
                .date_of_birth(date(1969, 10, 2))
                .prescriber_type(PrescriberType::Medical)
                .prescriber_number("7654321")
                .qualifications("MBBS, FRACGP, FACRRM"),
        );
    let updated = users
        .update(&provider.user_id, update)
        .await
        .expect("the update is accepted");
    assert_eq!(updated.user_id, provider.user_id);

    let after = read(&users, &provider.user_id).await;
    assert_eq!(after.full_name.as_deref(), Some("Dr Darlene Scott"));
    let details = after.provider_details.expect("still a provider");
    assert_eq!(details.phone.as_deref(), Some("0400111222"));
    assert_eq!(details.date_of_birth, Some(date(1969, 10, 2)));
    assert_eq!(details.date_of_birth_unparsed, None);
    assert_eq!(details.prescriber_number.as_deref(), Some("7654321"));
    assert_eq!(
        details.qualifications.as_deref(),
        Some("MBBS, FRACGP, FACRRM")
    );
    // A partial update: what was not sent stays.
    assert_eq!(details.hpii_number, before_details.hpii_number);
    assert_eq!(details.provider_number, before_details.provider_number);
    assert_eq!(details.ahpra_number, before_details.ahpra_number);
    assert_eq!(after.email, before.email);
    assert_eq!(after.roles, before.roles);

    let listed = all_users(&users).await;
    let item = listed
        .iter()
        .find(|user| user.user_id == provider.user_id)
        .expect("the user is still listed");
    assert_eq!(item.full_name.as_deref(), Some("Dr Darlene Scott"));
}

#[tokio::test]
async fn set_roles_replaces_the_roles_in_read_and_list() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let receptionist = first_with_role(&users, Role::Receptionist).await;

    let replaced = users
        .set_roles(
            &receptionist.user_id,
            [Role::RxReader, Role::RxQueueManager, Role::RxReader],
        )
        .await
        .expect("the roles are replaced");
    assert!(
        same_roles(&replaced.roles, &[Role::RxReader, Role::RxQueueManager]),
        "{:?}",
        replaced.roles
    );

    let user = read(&users, &receptionist.user_id).await;
    assert!(
        same_roles(&user.roles, &[Role::RxReader, Role::RxQueueManager]),
        "{:?}",
        user.roles
    );
    assert!(!user.has_role(&Role::Receptionist), "replaced, not merged");

    let listed = all_users(&users).await;
    let item = listed
        .iter()
        .find(|user| user.user_id == receptionist.user_id)
        .expect("listed");
    let roles = item
        .roles
        .as_deref()
        .expect("the fake's list carries roles");
    assert!(
        same_roles(roles, &[Role::RxReader, Role::RxQueueManager]),
        "{roles:?}"
    );
}

#[tokio::test]
async fn a_created_user_shows_in_read_and_list() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let organization = fake.credentials().organization_id.clone();
    let count = fake.user_count(&organization);

    let created = users
        .create(
            NewUser::new("Ada", "Lovelace", "ada.lovelace@example.com")
                .partner_user_id("EXT-ADA-1"),
        )
        .await
        .expect("the user is created");
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(created.code(), Some("USER_CREATED"));
    assert!(
        created.request_id().is_some_and(is_parchment_request_id),
        "{:?}",
        created.request_id()
    );
    assert!(!created.user_id.is_empty());
    assert_eq!(fake.user_count(&organization), count + 1);

    let user = read(&users, &created.user_id).await;
    assert_eq!(user.user_id, created.user_id);
    assert_eq!(user.email.as_deref(), Some("ada.lovelace@example.com"));
    assert_eq!(user.full_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(user.roles, [Role::Member], "no roles given: member");
    assert!(
        user.external_user_id
            .as_deref()
            .is_some_and(|id| id.contains("EXT-ADA-1")),
        "{:?}",
        user.external_user_id
    );
    assert_eq!(user.provider_details, None, "not a provider");

    let listed = all_users(&users).await;
    assert_eq!(listed.len(), count + 1);
    let item = listed
        .iter()
        .find(|item| item.user_id == created.user_id)
        .expect("the new user is listed");
    assert_eq!(item.email.as_deref(), Some("ada.lovelace@example.com"));
    assert_eq!(item.full_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(item.roles.as_deref(), Some(&[Role::Member][..]));
}

#[tokio::test]
async fn a_user_created_with_roles_holds_them() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let created = users
        .create(
            NewUser::new("Mary", "Seacole", "mary.seacole@example.com")
                .roles([Role::Receptionist, Role::RxReader]),
        )
        .await
        .expect("created");
    let user = read(&users, &created.user_id).await;
    assert!(
        same_roles(&user.roles, &[Role::Receptionist, Role::RxReader]),
        "{:?}",
        user.roles
    );
}

#[tokio::test]
async fn a_created_provider_reads_back_with_its_details() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let created = users
        .create(
            NewUser::new("Grace", "Hopper", "grace.hopper@example.com")
                .roles([Role::Provider])
                .title("Dr")
                .date_of_birth(date(1969, 10, 2))
                .sex(Sex::Female)
                .hpii_number("8003610000000019")
                .prescriber_type(PrescriberType::Medical)
                .prescriber_number("1234567")
                .qualifications("MBBS")
                .provider_number("2000010Y"),
        )
        .await
        .expect("the provider is created");

    let user = read(&users, &created.user_id).await;
    assert_eq!(user.roles, [Role::Provider]);
    let details = user.provider_details.expect("a provider has details");
    assert_eq!(details.date_of_birth, Some(date(1969, 10, 2)));
    assert_eq!(details.date_of_birth_unparsed, None);
    assert_eq!(details.sex, Some(Sex::Female));
    assert_eq!(details.prescriber_type, Some(PrescriberType::Medical));
    assert_eq!(details.prescriber_number.as_deref(), Some("1234567"));
    assert_eq!(details.hpii_number.as_deref(), Some("8003610000000019"));
    assert_eq!(details.provider_number.as_deref(), Some("2000010Y"));
    assert_eq!(details.qualifications.as_deref(), Some("MBBS"));
    assert_eq!(details.given_name.as_deref(), Some("Grace"));
    assert_eq!(details.family_name.as_deref(), Some("Hopper"));
}

#[tokio::test]
async fn a_duplicate_email_is_a_conflict_with_user_already_exists() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let organization = fake.credentials().organization_id.clone();
    users
        .create(NewUser::new("Ada", "Lovelace", "ada@example.com"))
        .await
        .expect("the first one is created");
    let count = fake.user_count(&organization);

    for email in [
        "ada@example.com",
        "ADA@Example.com",
        "practice.admin@example.com",
    ] {
        let error = users
            .create(NewUser::new("Someone", "Else", email))
            .await
            .expect_err("the email is taken");
        assert_eq!(error.kind(), ErrorKind::Conflict, "{email}: {error}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(409));
        assert_eq!(error.code(), Some("USER_ALREADY_EXISTS"), "{email}");
        assert_eq!(error.operation(), "create user");
        assert_eq!(error.attempts(), 1, "a 409 on a POST is not retried");
        assert!(
            error.request_id().is_some_and(is_parchment_request_id),
            "{:?}",
            error.request_id()
        );
    }
    assert_eq!(fake.user_count(&organization), count, "nothing was added");
}

#[tokio::test]
async fn disable_drops_roles_to_member_enable_keeps_member_and_enable_with_roles_restores() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let created = users
        .create(NewUser::new("Tom", "Baker", "tom.baker@example.com"))
        .await
        .expect("created");
    let id = created.user_id.clone();
    users
        .set_roles(&id, [Role::Admin, Role::Receptionist])
        .await
        .expect("roles set");

    let disabled = users.disable(&id).await.expect("disabled");
    assert_eq!(disabled.user_id, id);
    assert_eq!(read(&users, &id).await.roles, [Role::Member]);
    users.disable(&id).await.expect("disabling twice is fine");
    assert_eq!(read(&users, &id).await.roles, [Role::Member]);
    let listed = all_users(&users).await;
    let item = listed.iter().find(|u| u.user_id == id).expect("listed");
    assert_eq!(item.roles.as_deref(), Some(&[Role::Member][..]));

    users.enable(&id).await.expect("enabled");
    assert_eq!(read(&users, &id).await.roles, [Role::Member]);
    users.enable(&id).await.expect("enabling twice is fine");
    assert_eq!(read(&users, &id).await.roles, [Role::Member]);

    users.disable(&id).await.expect("disabled again");
    let restored = users
        .enable_with_roles(&id, [Role::Admin, Role::Receptionist])
        .await
        .expect("enabled with roles");
    assert!(
        same_roles(&restored.roles, &[Role::Admin, Role::Receptionist]),
        "{:?}",
        restored.roles
    );
    let user = read(&users, &id).await;
    assert!(
        same_roles(&user.roles, &[Role::Admin, Role::Receptionist]),
        "{:?}",
        user.roles
    );
}

#[tokio::test]
async fn grant_and_revoke_roles_read_then_replace() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let receptionist = first_with_role(&users, Role::Receptionist).await;
    let id = receptionist.user_id.as_str();

    let granted = users
        .grant_roles(id, [Role::RxReader])
        .await
        .expect("granted");
    assert!(
        same_roles(&granted.roles, &[Role::Receptionist, Role::RxReader]),
        "{:?}",
        granted.roles
    );
    let revoked = users
        .revoke_roles(id, [Role::Receptionist])
        .await
        .expect("revoked");
    assert_eq!(revoked.roles, [Role::RxReader]);
    assert_eq!(read(&users, id).await.roles, [Role::RxReader]);

    // A re-enabled user holds `member`, which a grant replaces.
    users.disable(id).await.expect("disabled");
    users.enable(id).await.expect("enabled");
    let granted = users.grant_roles(id, [Role::Admin]).await.expect("granted");
    assert_eq!(granted.roles, [Role::Admin]);
    assert_eq!(read(&users, id).await.roles, [Role::Admin]);
}

#[tokio::test]
async fn a_grant_and_a_revoke_made_together_on_one_client_both_take_effect() {
    // Before the per-user lock, the grant read first (slowly), the revoke read and wrote, and
    // the grant then wrote its stale set back: the revocation was undone, both returned Ok.
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let receptionist = first_with_role(&users, Role::Receptionist).await;
    let id = receptionist.user_id.clone();
    users
        .grant_roles(&id, [Role::Admin])
        .await
        .expect("admin granted");

    fake.inject(Fault::Latency(Duration::from_millis(300)), 1); // the grant's read
    let granting = tokio::spawn({
        let (users, id) = (users.clone(), id.clone());
        async move { users.grant_roles(&id, [Role::RxReader]).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let revoked = users.revoke_roles(&id, [Role::Admin]).await;
    let granted = granting.await.expect("joined");

    granted.expect("granted");
    revoked.expect("revoked");
    let roles = read(&users, &id).await.roles;
    assert!(
        same_roles(&roles, &[Role::Receptionist, Role::RxReader]),
        "both changes applied: {roles:?}"
    );
}

#[tokio::test]
async fn a_user_id_that_needs_encoding_reaches_the_fake_as_one_path_segment() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let error = users.get("usr 1%").await.expect_err("no such user");
    assert_eq!(error.kind(), ErrorKind::NotFound, "{error}");
    let path = user_path(&fake, "usr%201%25");
    assert_eq!(statuses(&logged(&fake, 0, "GET", &path)), [404]);

    let before = fake.requests().len();
    let error = users.get("usr/../x").await.expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    assert_eq!(fake.requests().len(), before, "nothing was sent");
}

#[tokio::test]
async fn an_unknown_user_is_not_found_with_a_request_id() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    for result in [
        users.get("usr_doesnotexist").await.map(|_| ()),
        users
            .update("usr_doesnotexist", UserUpdate::new().full_name("X"))
            .await
            .map(|_| ()),
        users
            .set_roles("usr_doesnotexist", [Role::Admin])
            .await
            .map(|_| ()),
        users.disable("usr_doesnotexist").await.map(|_| ()),
        users.enable("usr_doesnotexist").await.map(|_| ()),
    ] {
        let error = result.expect_err("no such user");
        assert_eq!(error.kind(), ErrorKind::NotFound, "{error}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
        assert_eq!(error.attempts(), 1, "a 404 is not retried");
        let request_id = error
            .request_id()
            .expect("the envelope carries a request id");
        assert!(is_parchment_request_id(request_id), "{request_id}");
        let problem = error.problem().expect("problem details");
        assert_eq!(
            problem.problem_type.as_deref(),
            Some("https://parchment.health/errors/user-not-found")
        );
    }
}

#[tokio::test]
async fn validate_reports_validated_and_marks_the_organization() {
    let fake = FakeParchment::start().await;
    let organization = fake.credentials().organization_id.clone();
    assert!(!fake.is_validated(&organization));
    let validated = fake
        .client()
        .default_organization()
        .expect("default organization")
        .validate()
        .await
        .expect("validate succeeds");
    assert!(*validated);
    assert!(fake.is_validated(&organization));
    assert!(!fake.is_validated("org_unknown"));
}
