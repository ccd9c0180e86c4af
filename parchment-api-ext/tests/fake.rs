//! FakeParchment through the public client, as a service's tests would use it: state that
//! later reads and lists show, generated users with realistic identifiers, pagination with an
//! opaque `lastKey`, every auth check (secrets, tokens that expire, scopes, organizations kept
//! apart), injected faults, a request log without secrets, and shutdown.

use chrono::NaiveDate;
use futures::TryStreamExt;
use parchment_api_ext::testing::{FakeConfig, FakeParchment, Fault, LoggedRequest};
use parchment_api_ext::{
    Client, ErrorKind, NewUser, OrganizationCredentials, PartnerCredentials, PrescriberType,
    ProviderDetailsUpdate, RetryPolicy, Role, Scope, Sex, User, UserSummary, UserUpdate, Users,
};
use std::collections::HashSet;
use std::time::Duration;

/// The default organization's users, through the fake's own client (partner credentials).
fn users(fake: &FakeParchment) -> Users {
    users_of(&fake.client())
}

fn users_of(client: &Client) -> Users {
    client
        .default_organization()
        .expect("the fake's client has a default organization")
        .users()
}

/// A client with the fake's static token (no token requests), built from `retry_policy`.
fn static_client(fake: &FakeParchment, retry_policy: RetryPolicy) -> Client {
    let credentials = fake.credentials();
    Client::builder()
        .base_url(fake.base_url())
        .access_token(credentials.static_token.clone())
        .organization_secret(credentials.organization_secret.clone())
        .default_organization(credentials.organization_id.clone())
        .retry_policy(retry_policy)
        .build()
        .expect("a loopback base URL and both credentials make a valid client")
}

/// The default retry policy (3 attempts) with backoffs short enough for tests.
fn quick_retries() -> RetryPolicy {
    RetryPolicy::new()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

fn users_path(fake: &FakeParchment) -> String {
    format!(
        "/v1/organizations/{}/users",
        fake.credentials().organization_id
    )
}

fn user_path(fake: &FakeParchment, user_id: &str) -> String {
    format!("{}/{user_id}", users_path(fake))
}

/// The logged requests for `method` and `path`, from index `from` of the log on.
fn logged(fake: &FakeParchment, from: usize, method: &str, path: &str) -> Vec<LoggedRequest> {
    fake.requests()
        .into_iter()
        .skip(from)
        .filter(|request| request.method == method && request.path == path)
        .collect()
}

fn statuses(requests: &[LoggedRequest]) -> Vec<u16> {
    requests.iter().map(|request| request.status).collect()
}

/// Every user of the organization, 100 a page.
async fn all_users(users: &Users) -> Vec<UserSummary> {
    users
        .list()
        .limit(100)
        .stream()
        .try_collect()
        .await
        .expect("every page lists")
}

/// The first user of the first page holding `role`.
async fn first_with_role(users: &Users, role: Role) -> UserSummary {
    let page = users.list().limit(100).send().await.expect("a page lists");
    page.users
        .iter()
        .find(|user| {
            user.roles
                .as_ref()
                .is_some_and(|roles| roles.contains(&role))
        })
        .cloned()
        .expect("the seeded users include this role")
}

async fn read(users: &Users, user_id: &str) -> User {
    users
        .get(user_id)
        .await
        .expect("the user reads")
        .into_inner()
}

/// Whether `roles` holds exactly `expected`, in any order.
fn same_roles(roles: &[Role], expected: &[Role]) -> bool {
    roles.len() == expected.len() && expected.iter().all(|role| roles.contains(role))
}

/// `req_<epoch ms>_<6 chars>`.
fn is_parchment_request_id(id: &str) -> bool {
    let Some((digits, suffix)) = id
        .strip_prefix("req_")
        .and_then(|rest| rest.split_once('_'))
    else {
        return false;
    };
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && suffix.len() == 6
        && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The Luhn check over every digit (the last one is the check digit).
fn luhn_valid(number: &str) -> bool {
    let digits: Option<Vec<u32>> = number.chars().map(|c| c.to_digit(10)).collect();
    let Some(digits) = digits else {
        return false;
    };
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| match (i % 2, d * 2) {
            (1, doubled) if doubled > 9 => doubled - 9,
            (1, doubled) => doubled,
            _ => d,
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A Medicare provider number: six-digit stem, practice location character, check character.
fn medicare_provider_number_valid(number: &str) -> bool {
    const LOCATIONS: &str = "0123456789ABCDEFGHJKLMNPQRTUVWXY";
    const CHECKS: &[u8] = b"YXWTLKJHFBA";
    const WEIGHTS: [usize; 6] = [3, 5, 8, 4, 2, 1];
    let bytes = number.as_bytes();
    if bytes.len() != 8 || !bytes[..6].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let Some(location) = LOCATIONS.find(char::from(bytes[6])) else {
        return false;
    };
    let sum: usize = bytes[..6]
        .iter()
        .zip(WEIGHTS)
        .map(|(digit, weight)| usize::from(digit - b'0') * weight)
        .sum::<usize>()
        + location * 6;
    CHECKS[sum % 11] == bytes[7]
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a real date")
}

// ---------------------------------------------------------------------------------------------
// State: writes show in later reads and lists.
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Generated users.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_seeded_provider_reads_with_a_date_of_birth_and_valid_identifiers() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let page = users.list().limit(100).send().await.expect("listed");
    let providers: Vec<&UserSummary> = page
        .users
        .iter()
        .filter(|user| {
            user.roles
                .as_ref()
                .is_some_and(|roles| roles.contains(&Role::Provider))
        })
        .collect();
    assert!(
        !providers.is_empty(),
        "every third seeded user is a provider"
    );

    for provider in providers {
        let user = read(&users, &provider.user_id).await;
        assert!(user.has_role(&Role::Provider));
        let details = user
            .provider_details
            .unwrap_or_else(|| panic!("{} has no provider details", provider.user_id));
        let born = details
            .date_of_birth
            .unwrap_or_else(|| panic!("unparsed: {:?}", details.date_of_birth_unparsed));
        assert_eq!(details.date_of_birth_unparsed, None);
        assert!(
            born > date(1900, 1, 1) && born < date(2010, 1, 1),
            "{born} is a plausible date of birth for a practitioner"
        );

        let hpii = details.hpii_number.as_deref().expect("an HPI-I");
        assert_eq!(hpii.len(), 16, "{hpii}");
        assert!(hpii.starts_with("800361"), "{hpii}");
        assert!(luhn_valid(hpii), "{hpii} fails the Luhn check");

        let provider_number = details.provider_number.as_deref().expect("a provider no.");
        assert_eq!(provider_number.len(), 8, "{provider_number}");
        assert!(
            provider_number.chars().all(|c| c.is_ascii_alphanumeric()),
            "{provider_number}"
        );
        assert!(
            medicare_provider_number_valid(provider_number),
            "{provider_number} has a wrong check character"
        );

        let prescriber_number = details.prescriber_number.as_deref().expect("a number");
        assert!(
            (1..=10).contains(&prescriber_number.len()),
            "{prescriber_number}"
        );
        assert!(details.prescriber_type.is_some());
        assert!(details.qualifications.is_some());
        assert!(details.sex.is_some());
        assert!(details.australian_address.is_some());
    }
}

#[tokio::test]
async fn a_non_provider_has_no_provider_details() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let receptionist = first_with_role(&users, Role::Receptionist).await;
    let user = read(&users, &receptionist.user_id).await;
    assert!(!user.has_role(&Role::Provider));
    assert_eq!(user.provider_details, None);

    let admin = read(&users, &fake.credentials().acting_user).await;
    assert_eq!(admin.roles, [Role::Admin]);
    assert_eq!(admin.provider_details, None);
}

// ---------------------------------------------------------------------------------------------
// Pagination.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn ten_thousand_users_stream_in_101_pages_each_once() {
    let fake = FakeParchment::start_with(FakeConfig::default().seed_users(10_000)).await;
    let organization = fake.credentials().organization_id.clone();
    assert_eq!(fake.user_count(&organization), 10_001);
    let users = users(&fake);

    let first = users.list().limit(100).send().await.expect("a page");
    assert_eq!(first.users.len(), 100);
    assert_eq!(first.total, Some(10_001));
    assert_eq!(first.limit, Some(100));
    assert!(first.next_key.is_some());
    let start = fake.requests().len();

    let listed = all_users(&users).await;
    assert_eq!(listed.len(), 10_001, "the administrator and 10,000 users");
    let ids: HashSet<&str> = listed.iter().map(|user| user.user_id.as_str()).collect();
    assert_eq!(ids.len(), 10_001, "every id once");
    assert!(ids.contains(fake.credentials().acting_user.as_str()));
    assert_eq!(
        listed[..100],
        first.users[..],
        "the stream starts at page 1"
    );

    let pages = logged(&fake, start, "GET", &users_path(&fake));
    assert_eq!(
        pages.len(),
        101,
        "100 full pages and one with the last user"
    );
    assert!(pages.iter().all(|request| request.status == 200));
    assert_eq!(
        fake.requests().len() - start,
        101,
        "no token request: the cached one serves every page"
    );
}

#[tokio::test]
async fn a_full_last_page_ends_the_stream_without_an_empty_page() {
    // The administrator and 99 users: exactly one page of 100, two of 50.
    let fake = FakeParchment::start_with(FakeConfig::default().seed_users(99)).await;
    let users = users(&fake);
    for (limit, expected_pages) in [(100, 1), (50, 2)] {
        let start = fake.requests().len();
        let listed: Vec<UserSummary> = users
            .list()
            .limit(limit)
            .stream()
            .try_collect()
            .await
            .expect("listed");
        assert_eq!(listed.len(), 100);
        let pages = logged(&fake, start, "GET", &users_path(&fake));
        assert_eq!(pages.len(), expected_pages, "limit {limit}");
    }
}

#[tokio::test]
async fn the_next_key_resumes_where_a_page_ended() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let first = users.list().limit(5).send().await.expect("page 1");
    let key = first.next_key.clone().expect("more than 5 users");
    let second = users
        .list()
        .limit(5)
        .last_key(key)
        .send()
        .await
        .expect("page 2");
    assert_eq!(second.users.len(), 5);
    let all = all_users(&users).await;
    let expected: Vec<&str> = all[5..10].iter().map(|u| u.user_id.as_str()).collect();
    let got: Vec<&str> = second.users.iter().map(|u| u.user_id.as_str()).collect();
    assert_eq!(got, expected);

    // Without a limit, the server's default page size applies.
    let default_page = users.list().send().await.expect("default page");
    assert_eq!(
        default_page.users.len(),
        13,
        "12 seeded and the admin: under 20"
    );
    assert_eq!(default_page.next_key, None);
}

#[tokio::test]
async fn a_limit_out_of_range_is_refused_before_sending() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    users
        .get(&fake.credentials().acting_user)
        .await
        .expect("warm-up");
    let before = fake.requests().len();
    for limit in [0, 101] {
        let error = users.list().limit(limit).send().await.expect_err("refused");
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "limit {limit}");
        assert!(
            error.field_errors().iter().any(|e| e.field == "limit"),
            "{:?}",
            error.field_errors()
        );
        let streamed: Result<Vec<UserSummary>, _> =
            users.list().limit(limit).stream().try_collect().await;
        assert_eq!(
            streamed.expect_err("refused").kind(),
            ErrorKind::InvalidInput
        );
    }
    assert_eq!(fake.requests().len(), before, "nothing was sent");
}

#[tokio::test]
async fn a_tampered_last_key_is_a_bad_request_from_the_fake() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    for key in ["garbage", "eyJ1c2VyX2lkIjo0Mn0", "%%%"] {
        let start = fake.requests().len();
        let error = users
            .list()
            .last_key(key)
            .send()
            .await
            .expect_err("a key the fake never returned");
        assert_eq!(error.kind(), ErrorKind::BadRequest, "{key}: {error}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
        assert_eq!(error.attempts(), 1, "a 400 is not retried");
        assert_eq!(
            statuses(&logged(&fake, start, "GET", &users_path(&fake))),
            [400],
            "{key}: the fake answered it"
        );
    }
}

#[tokio::test]
async fn max_items_stops_the_stream_after_two_list_requests() {
    let fake = FakeParchment::start_with(FakeConfig::default().seed_users(1_000)).await;
    let users = users(&fake);
    let listed: Vec<UserSummary> = users
        .list()
        .limit(100)
        .max_items(150)
        .stream()
        .try_collect()
        .await
        .expect("listed");
    assert_eq!(listed.len(), 150);
    let pages = logged(&fake, 0, "GET", &users_path(&fake));
    assert_eq!(pages.len(), 2, "no third page is fetched");
}

// ---------------------------------------------------------------------------------------------
// Auth.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_static_token_client_works_without_token_requests() {
    let fake = FakeParchment::start().await;
    let credentials = fake.credentials().clone();
    let client = Client::builder()
        .base_url(fake.base_url())
        .access_token(credentials.static_token.clone())
        .organization_secret(credentials.organization_secret.clone())
        .build()
        .expect("valid");
    let users = client.organization(&credentials.organization_id).users();
    let admin = read(&users, &credentials.acting_user).await;
    assert_eq!(admin.roles, [Role::Admin]);
    let page = users.list().limit(3).send().await.expect("listed");
    assert_eq!(page.users.len(), 3);
    users
        .set_roles(&page.users[1].user_id, [Role::RxReader])
        .await
        .expect("the static token may write");
    assert_eq!(fake.tokens_issued(), 0);
    assert!(fake.requests().iter().all(|r| r.path != "/v1/token"));
}

#[tokio::test]
async fn a_wrong_organization_secret_is_unauthorized() {
    let fake = FakeParchment::start().await;
    let credentials = fake.credentials().clone();
    // With a static token: the resource call is refused.
    let client = Client::builder()
        .base_url(fake.base_url())
        .access_token(credentials.static_token.clone())
        .organization_secret("not-the-org-secret")
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("valid");
    let error = client
        .organization(&credentials.organization_id)
        .users()
        .get(&credentials.acting_user)
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
    assert_eq!(error.operation(), "read user");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));

    // With partner credentials: the token request is refused.
    let client = fake
        .client_builder()
        .organization_secret("not-the-org-secret")
        .build()
        .expect("valid");
    let error = users_of(&client)
        .get(&credentials.acting_user)
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
    assert_eq!(error.operation(), "create token");
    assert_eq!(fake.tokens_issued(), 0);
}

#[tokio::test]
async fn a_wrong_static_token_is_unauthorized() {
    let fake = FakeParchment::start().await;
    let credentials = fake.credentials().clone();
    let client = Client::builder()
        .base_url(fake.base_url())
        .access_token("not-the-static-token")
        .organization_secret(credentials.organization_secret.clone())
        .build()
        .expect("valid");
    let error = client
        .organization(&credentials.organization_id)
        .users()
        .get(&credentials.acting_user)
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
    assert_eq!(
        error.attempts(),
        1,
        "a 401 with a static token is not retried"
    );
    let path = user_path(&fake, &credentials.acting_user);
    assert_eq!(statuses(&logged(&fake, 0, "GET", &path)), [401]);
}

#[tokio::test]
async fn a_wrong_partner_secret_fails_the_token_request() {
    let fake = FakeParchment::start().await;
    let credentials = fake.credentials().clone();
    let client = fake
        .client_builder()
        .partner_credentials(PartnerCredentials::new(
            &credentials.partner_id,
            "not-the-partner-secret",
        ))
        .build()
        .expect("valid");
    let error = users_of(&client)
        .get(&credentials.acting_user)
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
    assert_eq!(error.operation(), "create token");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(fake.tokens_issued(), 0);
    let requests = fake.requests();
    assert_eq!(requests.len(), 1, "only the token request: {requests:?}");
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("POST", "/v1/token")
    );
    assert_eq!(requests[0].status, 401);
}

#[tokio::test]
async fn an_acting_user_who_does_not_exist_gets_no_token() {
    let fake = FakeParchment::start().await;
    let client = fake
        .client_builder()
        .acting_user("usr_nobody")
        .build()
        .expect("valid");
    let error = users_of(&client)
        .get(&fake.credentials().acting_user)
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
    assert_eq!(error.operation(), "create token");
    assert_eq!(fake.tokens_issued(), 0);
}

#[tokio::test]
async fn a_disabled_acting_user_gets_no_new_token() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let created = users
        .create(NewUser::new("Acting", "Admin", "acting.admin@example.com"))
        .await
        .expect("created");
    users
        .set_roles(&created.user_id, [Role::Admin])
        .await
        .expect("an administrator");
    let acting = fake
        .client_builder()
        .acting_user(&created.user_id)
        .build()
        .expect("valid");
    users_of(&acting)
        .get(&created.user_id)
        .await
        .expect("an enabled user may act");
    users.disable(&created.user_id).await.expect("disabled");

    let fresh = fake
        .client_builder()
        .acting_user(&created.user_id)
        .build()
        .expect("valid");
    let error = users_of(&fresh)
        .get(&created.user_id)
        .await
        .expect_err("a disabled user may not act");
    assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
    assert_eq!(error.operation(), "create token");
}

#[tokio::test]
async fn a_read_user_token_reads_but_cannot_write_or_list() {
    let fake = FakeParchment::start().await;
    let client = fake
        .client_builder()
        .scopes(&[Scope::ReadUser])
        .build()
        .expect("valid");
    let users = users_of(&client);
    let admin_id = fake.credentials().acting_user.clone();
    let admin = read(&users, &admin_id).await;
    assert_eq!(admin.user_id, admin_id);

    let error = users
        .set_roles(&admin_id, [Role::Admin, Role::Provider])
        .await
        .expect_err("update:user is missing");
    assert_eq!(error.kind(), ErrorKind::Forbidden, "{error}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(error.operation(), "replace user roles");
    assert_eq!(
        error.problem().and_then(|p| p.problem_type.as_deref()),
        Some("https://parchment.health/errors/insufficient-scope")
    );

    let error = users
        .list()
        .send()
        .await
        .expect_err("read:users is missing");
    assert_eq!(error.kind(), ErrorKind::Forbidden, "{error}");

    assert_eq!(
        read(&users, &admin_id).await.roles,
        [Role::Admin],
        "unchanged"
    );
    assert_eq!(fake.tokens_issued(), 1, "a 403 does not renew the token");
}

#[tokio::test]
async fn an_expired_token_is_refused_then_renewed_once() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let admin_id = fake.credentials().acting_user.clone();
    read(&users, &admin_id).await;
    assert_eq!(fake.tokens_issued(), 1);
    read(&users, &admin_id).await;
    assert_eq!(fake.tokens_issued(), 1, "the token is cached");

    fake.advance_clock(Duration::from_secs(3601));
    let start = fake.requests().len();
    let user = read(&users, &admin_id).await;
    assert_eq!(user.user_id, admin_id);
    assert_eq!(fake.tokens_issued(), 2);

    let after: Vec<(String, String, u16)> = fake.requests()[start..]
        .iter()
        .map(|r| (r.method.clone(), r.path.clone(), r.status))
        .collect();
    let read_path = user_path(&fake, &admin_id);
    assert_eq!(
        after,
        [
            ("GET".to_owned(), read_path.clone(), 401),
            ("POST".to_owned(), "/v1/token".to_owned(), 200),
            ("GET".to_owned(), read_path, 200),
        ]
    );

    read(&users, &admin_id).await;
    assert_eq!(fake.tokens_issued(), 2, "the new token is cached");
}

#[tokio::test]
async fn an_expired_token_is_renewed_even_with_retries_off() {
    let fake = FakeParchment::start().await;
    let client = fake
        .client_builder()
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("valid");
    let users = users_of(&client);
    let admin_id = fake.credentials().acting_user.clone();
    read(&users, &admin_id).await;
    fake.advance_clock(Duration::from_secs(3601));
    read(&users, &admin_id).await;
    assert_eq!(fake.tokens_issued(), 2);
}

#[tokio::test]
async fn concurrent_calls_after_expiry_share_one_new_token() {
    let fake = FakeParchment::start().await;
    let users = users(&fake);
    let page = users.list().limit(10).send().await.expect("listed");
    assert_eq!(fake.tokens_issued(), 1);

    fake.advance_clock(Duration::from_secs(3601));
    let reads = page.users.iter().map(|user| users.get(&user.user_id));
    for result in futures::future::join_all(reads).await {
        result.expect("each read succeeds after one renewal");
    }
    assert_eq!(fake.tokens_issued(), 2, "one renewal for all ten calls");
}

#[tokio::test]
async fn a_configured_token_lifetime_ends_on_the_fakes_clock() {
    let fake =
        FakeParchment::start_with(FakeConfig::default().token_lifetime(Duration::from_secs(120)))
            .await;
    let users = users(&fake);
    let admin_id = fake.credentials().acting_user.clone();
    read(&users, &admin_id).await;
    // The client would renew at half of 120 s by its own clock, which has not moved; the
    // fake's has, so the cached token is refused, and renewed once.
    fake.advance_clock(Duration::from_secs(121));
    read(&users, &admin_id).await;
    assert_eq!(fake.tokens_issued(), 2);
    let path = user_path(&fake, &admin_id);
    assert_eq!(statuses(&logged(&fake, 0, "GET", &path)), [200, 401, 200]);
}

#[tokio::test]
async fn a_second_organization_is_isolated_from_the_first() {
    let fake = FakeParchment::start().await;
    let client = fake.client();
    let first_users = users_of(&client);
    let first = all_users(&first_users).await;
    assert_eq!(first.len(), 13);

    let admin_b = fake.add_organization("org_b", "secret-b");
    assert_eq!(fake.user_count("org_b"), 1);
    let org_b = client
        .organization_with(
            "org_b",
            OrganizationCredentials::new("secret-b").acting_user(&admin_b),
        )
        .expect("valid credentials");
    let users_b = org_b.users();

    let listed_b = all_users(&users_b).await;
    assert_eq!(
        listed_b.len(),
        1,
        "only org_b's administrator: {listed_b:?}"
    );
    assert_eq!(listed_b[0].user_id, admin_b);
    let emails_a: HashSet<Option<&str>> = first.iter().map(|u| u.email.as_deref()).collect();
    assert!(
        listed_b
            .iter()
            .all(|user| !emails_a.contains(&user.email.as_deref())),
        "org_b lists none of the first organization's users"
    );

    // A user of the first organization is not found through org_b.
    let seeded_a = first
        .iter()
        .find(|u| u.user_id != admin_b)
        .expect("a first-organization user");
    let error = users_b
        .get(&seeded_a.user_id)
        .await
        .expect_err("not in org_b");
    assert_eq!(error.kind(), ErrorKind::NotFound, "{error}");

    // A user created in org_b stays in org_b.
    let created = users_b
        .create(NewUser::new("Bea", "Smith", "bea@org-b.example.com"))
        .await
        .expect("created in org_b");
    assert_eq!(all_users(&users_b).await.len(), 2);
    assert_eq!(all_users(&first_users).await.len(), 13);
    if let Ok(user) = first_users.get(&created.user_id).await {
        assert_ne!(
            user.email.as_deref(),
            Some("bea@org-b.example.com"),
            "org_b's user is not visible in the first organization"
        );
    }

    // Each organization took its own token; the client's secret belongs to its default
    // organization, so addressing org_b without its own credentials is a configuration error
    // (nothing sent), not an "unauthorized" from the server.
    assert_eq!(fake.tokens_issued(), 2);
    let error = client
        .organization("org_b")
        .users()
        .list()
        .send()
        .await
        .expect_err("no credentials of its own for org_b");
    assert_eq!(error.kind(), ErrorKind::Configuration, "{error}");
    assert!(error.to_string().contains("organization_with"), "{error}");
    assert_eq!(fake.tokens_issued(), 2);
}

#[tokio::test]
async fn the_first_organizations_acting_user_is_no_user_of_a_second() {
    let fake = FakeParchment::start().await;
    let admin_b = fake.add_organization("org_b", "secret-b");
    // Without its own acting user, org_b's tokens act for the client's: the first
    // organization's administrator, who is not a user of org_b.
    let org_b = fake
        .client()
        .organization_with("org_b", OrganizationCredentials::new("secret-b"))
        .expect("valid credentials");
    let error = org_b
        .users()
        .list()
        .send()
        .await
        .expect_err("the acting user is not in org_b");
    assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error}");
    assert_eq!(error.operation(), "create token");
    assert_ne!(admin_b, fake.credentials().acting_user, "distinct users");
}

// ---------------------------------------------------------------------------------------------
// Faults.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn two_503s_then_the_third_attempt_succeeds() {
    let fake = FakeParchment::start().await;
    let client = fake
        .client_builder()
        .retry_policy(quick_retries())
        .build()
        .expect("valid");
    let users = users_of(&client);
    let admin_id = fake.credentials().acting_user.clone();
    read(&users, &admin_id).await; // the token, so that the faults hit the read

    let start = fake.requests().len();
    fake.inject(
        Fault::Status {
            status: 503,
            retry_after: None,
        },
        2,
    );
    let user = read(&users, &admin_id).await;
    assert_eq!(user.user_id, admin_id);
    let path = user_path(&fake, &admin_id);
    assert_eq!(
        statuses(&logged(&fake, start, "GET", &path)),
        [503, 503, 200]
    );
    assert_eq!(fake.requests().len() - start, 3);
}

#[tokio::test]
async fn three_503s_exhaust_the_default_attempts() {
    let fake = FakeParchment::start().await;
    let client = fake
        .client_builder()
        .retry_policy(quick_retries())
        .build()
        .expect("valid");
    let users = users_of(&client);
    let admin_id = fake.credentials().acting_user.clone();
    read(&users, &admin_id).await;

    fake.inject(
        Fault::Status {
            status: 503,
            retry_after: None,
        },
        3,
    );
    let error = users.get(&admin_id).await.expect_err("every attempt fails");
    assert_eq!(error.kind(), ErrorKind::Server, "{error}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.attempts(), 3);
    assert!(
        error.request_id().is_some_and(is_parchment_request_id),
        "{:?}",
        error.request_id()
    );
    assert_eq!(
        error.problem().and_then(|p| p.problem_type.as_deref()),
        Some("https://parchment.health/errors/service-unavailable")
    );
    read(&users, &admin_id).await; // the queue is empty again
}

#[tokio::test]
async fn a_503_on_the_token_request_is_retried() {
    // Faults apply to whatever request comes next: for a fresh partner client, the token POST,
    // which the client repeats like an idempotent call (a second token is harmless).
    let fake = FakeParchment::start().await;
    let client = fake
        .client_builder()
        .retry_policy(quick_retries())
        .build()
        .expect("valid");
    fake.inject(
        Fault::Status {
            status: 503,
            retry_after: None,
        },
        1,
    );
    users_of(&client)
        .get(&fake.credentials().acting_user)
        .await
        .expect("the token request succeeded on its second attempt");
    assert_eq!(fake.tokens_issued(), 1);
}

#[tokio::test]
async fn a_429_with_retry_after_zero_is_retried_at_once() {
    let fake = FakeParchment::start().await;
    let client = fake
        .client_builder()
        .retry_policy(quick_retries())
        .build()
        .expect("valid");
    let users = users_of(&client);
    let admin_id = fake.credentials().acting_user.clone();
    read(&users, &admin_id).await;

    let start = fake.requests().len();
    fake.inject(
        Fault::Status {
            status: 429,
            retry_after: Some(0),
        },
        1,
    );
    read(&users, &admin_id).await;
    let path = user_path(&fake, &admin_id);
    assert_eq!(statuses(&logged(&fake, start, "GET", &path)), [429, 200]);

    // Retries off: the 429 comes back with its Retry-After.
    let no_retries = static_client(&fake, RetryPolicy::never());
    fake.inject(
        Fault::Status {
            status: 429,
            retry_after: Some(0),
        },
        1,
    );
    let error = users_of(&no_retries)
        .get(&admin_id)
        .await
        .expect_err("rate limited");
    assert_eq!(error.kind(), ErrorKind::RateLimited, "{error}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::ZERO));
    assert!(error.is_retryable());
}

#[tokio::test]
async fn an_html_502_without_retries_is_a_server_error_with_a_snippet() {
    let fake = FakeParchment::start().await;
    let users = users_of(&static_client(&fake, RetryPolicy::never()));
    fake.inject(Fault::Html { status: 502 }, 1);
    let error = users
        .get(&fake.credentials().acting_user)
        .await
        .expect_err("the gateway failed");
    assert_eq!(error.kind(), ErrorKind::Server, "{error}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(error.attempts(), 1);
    let snippet = error.body_snippet().expect("a snippet of the HTML");
    assert!(snippet.starts_with("<html"), "{snippet}");
    assert!(!error.to_string().contains("<html"), "no body in Display");
}

#[tokio::test]
async fn latency_beyond_the_attempt_timeout_is_a_timeout() {
    let fake = FakeParchment::start().await;
    let credentials = fake.credentials().clone();
    // A static token, so that the delayed request is the read itself.
    let client = Client::builder()
        .base_url(fake.base_url())
        .access_token(credentials.static_token.clone())
        .organization_secret(credentials.organization_secret.clone())
        .retry_policy(RetryPolicy::never())
        .attempt_timeout(Duration::from_millis(50))
        .build()
        .expect("valid");
    let users = client.organization(&credentials.organization_id).users();
    fake.inject(Fault::Latency(Duration::from_millis(300)), 1);
    let started = std::time::Instant::now();
    let error = users
        .get(&credentials.acting_user)
        .await
        .expect_err("too slow");
    let elapsed = started.elapsed();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert_eq!(error.operation(), "read user");
    assert!(elapsed < Duration::from_millis(250), "{elapsed:?}");

    // Without a time limit, latency is only a delay.
    let patient = users_of(&static_client(&fake, RetryPolicy::never()));
    fake.inject(Fault::Latency(Duration::from_millis(20)), 1);
    let started = std::time::Instant::now();
    read(&patient, &credentials.acting_user).await;
    assert!(started.elapsed() >= Duration::from_millis(20));
}

// ---------------------------------------------------------------------------------------------
// The request log, and shutdown.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_request_log_holds_no_secret_or_token() {
    let fake = FakeParchment::start().await;
    let credentials = fake.credentials().clone();
    let admin_b = fake.add_organization("org_b", "secret-b-7c1e");

    // Successes, failures and faults of every kind, with every credential in play.
    let client = fake.client();
    let users = users_of(&client);
    users.list().limit(5).send().await.expect("listed");
    read(&users, &credentials.acting_user).await;
    let _ = users.list().last_key("garbage").send().await;
    let _ = users.get("usr_doesnotexist").await;
    users
        .create(NewUser::new("Log", "Test", "log.test@example.com"))
        .await
        .expect("created");
    fake.inject(Fault::Html { status: 502 }, 1);
    let _ = users_of(&static_client(&fake, RetryPolicy::never()))
        .get(&credentials.acting_user)
        .await;
    let _ = users_of(&static_client(&fake, RetryPolicy::never()))
        .get(&credentials.acting_user)
        .await;
    let wrong = fake
        .client_builder()
        .organization_secret("wrong-org-secret")
        .build()
        .expect("valid");
    let _ = users_of(&wrong).get(&credentials.acting_user).await;
    let org_b = client
        .organization_with(
            "org_b",
            OrganizationCredentials::new("secret-b-7c1e").acting_user(&admin_b),
        )
        .expect("valid");
    org_b.users().list().send().await.expect("org_b lists");
    fake.advance_clock(Duration::from_secs(3601));
    read(&users, &credentials.acting_user).await;
    assert!(fake.tokens_issued() >= 3);

    let requests = fake.requests();
    assert!(requests.len() >= 12, "{}", requests.len());
    let secrets = [
        credentials.partner_secret.as_str(),
        credentials.organization_secret.as_str(),
        credentials.static_token.as_str(),
        "secret-b-7c1e",
        "wrong-org-secret",
        "fake_tok_",
        "Bearer",
    ];
    for request in &requests {
        for field in [&request.method, &request.path] {
            for secret in secrets {
                assert!(!field.contains(secret), "{request:?} holds {secret:?}");
            }
        }
        assert!(!request.path.contains('?'), "no query: {request:?}");
        let printed = format!("{request:?}");
        for secret in secrets {
            assert!(!printed.contains(secret), "{printed} holds {secret:?}");
        }
    }
    for printed in [
        format!("{fake:?}"),
        format!("{credentials:?}"),
        format!("{:?}", FakeConfig::default()),
        format!("{client:?}"),
    ] {
        for secret in secrets {
            assert!(!printed.contains(secret), "{printed} holds {secret:?}");
        }
    }
}

#[tokio::test]
async fn after_shutdown_calls_fail_with_transport() {
    let fake = FakeParchment::start().await;
    let credentials = fake.credentials().clone();
    let client = fake
        .client_builder()
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("valid");
    let users = users_of(&client);
    read(&users, &credentials.acting_user).await;
    let fresh = fake
        .client_builder()
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("valid");

    fake.shutdown().await;

    // The client with a cached token (and perhaps a pooled connection).
    let error = users
        .get(&credentials.acting_user)
        .await
        .expect_err("the fake is gone");
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert_eq!(error.status(), None);
    // A fresh client: its token request cannot connect.
    let error = users_of(&fresh)
        .get(&credentials.acting_user)
        .await
        .expect_err("the fake is gone");
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert_eq!(error.operation(), "create token");
    assert!(error.is_connect(), "{error}");
}
