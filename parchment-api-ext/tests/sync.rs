//! Roster sync against FakeParchment with many organizations (and httpmock where the fake
//! cannot hold what a test needs, such as an `owner`): plans for each kind of change, every
//! safety refusal, stable order, roster parse errors, partial failure then convergence, no
//! action applied twice under 503s, and the client's rate limit honoured.

mod support;

use futures::TryStreamExt;
use parchment_api_ext::sync::{
    ActionKind, Change, DisableReason, OrganizationStatus, Outcome, Person, Plan, ProviderProfile,
    Refusal, Roster, RosterSync, SkipReason, SyncOptions,
};
use parchment_api_ext::testing::{FakeParchment, Fault, LoggedRequest};
use parchment_api_ext::{
    Client, ClientBuilder, ErrorKind, Organization, OrganizationCredentials, RetryPolicy, Role,
    UserSummary,
};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A fake with `count` extra organizations (`org-00`, `org-01`, ...), each with its
/// administrator and `users` seeded users, and handles carrying each one's own credentials.
struct World {
    fake: FakeParchment,
    client: Client,
    orgs: Vec<Org>,
}

struct Org {
    id: String,
    admin: String,
    handle: Organization,
}

async fn world(count: usize, users: usize) -> World {
    world_with(count, users, |builder| builder).await
}

async fn world_with(
    count: usize,
    users: usize,
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> World {
    let fake = FakeParchment::start().await;
    let client = configure(fake.client_builder())
        .build()
        .expect("the fake's settings make a client");
    let orgs = (0..count)
        .map(|n| {
            let id = format!("org-{n:02}");
            let secret = format!("secret-{n:02}");
            let admin = fake.add_organization(&id, &secret);
            fake.seed_users(&id, users);
            let handle = client
                .organization_with(
                    &id,
                    OrganizationCredentials::new(&secret).acting_user(&admin),
                )
                .expect("a valid secret");
            Org { id, admin, handle }
        })
        .collect();
    World { fake, client, orgs }
}

impl World {
    fn org(&self, n: usize) -> &Org {
        &self.orgs[n]
    }

    /// A sync over every organization, with `options` plus each administrator as the acting
    /// user.
    fn sync(&self, options: SyncOptions) -> RosterSync {
        let options = self
            .orgs
            .iter()
            .fold(options, |options, org| options.acting_user(&org.admin));
        self.orgs
            .iter()
            .fold(RosterSync::new(self.client.clone()), |sync, org| {
                sync.organization(org.handle.clone())
            })
            .options(options)
    }

    async fn users(&self, n: usize) -> Vec<UserSummary> {
        self.org(n)
            .handle
            .users()
            .list()
            .limit(100)
            .stream()
            .try_collect()
            .await
            .expect("the fake lists")
    }

    /// A roster saying what Parchment holds now: each user by email, with their roles
    /// (disabled users as `enabled: false`).
    async fn mirror(&self) -> Roster {
        let mut roster = Roster::new();
        for n in 0..self.orgs.len() {
            for user in self.users(n).await {
                roster.add(&self.org(n).id, mirror_person(&user));
            }
        }
        roster
    }

    fn requests(&self) -> Vec<LoggedRequest> {
        self.fake.requests()
    }
}

fn mirror_person(user: &UserSummary) -> Person {
    let roles: Vec<Role> = user
        .roles
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(Role::is_assignable)
        .collect();
    let enabled = !roles.is_empty();
    Person::new(user.email.clone().expect("the fake lists emails"))
        .roles(roles)
        .enabled(enabled)
}

/// The writes (PUT and POST on users) among `requests`.
fn writes(requests: &[LoggedRequest]) -> Vec<&LoggedRequest> {
    requests
        .iter()
        .filter(|request| {
            (request.method == "PUT" || request.method == "POST") && request.path.contains("/users")
        })
        .collect()
}

fn role(name: &str) -> Role {
    name.parse().expect("parsing a role never fails")
}

fn kinds(plan: &Plan, organization_id: &str) -> Vec<ActionKind> {
    organization(plan, organization_id)
        .actions
        .iter()
        .map(|action| action.kind())
        .collect()
}

fn organization<'a>(
    plan: &'a Plan,
    organization_id: &str,
) -> &'a parchment_api_ext::sync::OrganizationPlan {
    plan.organizations
        .iter()
        .find(|organization| organization.organization_id == organization_id)
        .expect("the organization is in the plan")
}

fn skip_reasons(plan: &Plan, organization_id: &str) -> Vec<SkipReason> {
    organization(plan, organization_id)
        .skipped
        .iter()
        .map(|skip| skip.reason.clone())
        .collect()
}

/// Replaces the person with `email` in `organization_id`'s roster.
fn edit(
    roster: &mut Roster,
    organization_id: &str,
    email: &str,
    change: impl FnOnce(Person) -> Person,
) {
    let people = roster
        .organizations
        .get_mut(organization_id)
        .expect("the organization is in the roster");
    let index = people
        .iter()
        .position(|person| person.email == email)
        .expect("the person is in the roster");
    let person = people.remove(index);
    people.insert(index, change(person));
}

fn remove(roster: &mut Roster, organization_id: &str, email: &str) {
    roster
        .organizations
        .get_mut(organization_id)
        .expect("the organization is in the roster")
        .retain(|person| person.email != email);
}

/// The first seeded user of organization `n` holding `role` (not the administrator).
async fn first_with(world: &World, n: usize, wanted: Role) -> UserSummary {
    world
        .users(n)
        .await
        .into_iter()
        .find(|user| {
            user.user_id != world.org(n).admin
                && user
                    .roles
                    .as_deref()
                    .is_some_and(|roles| roles == [wanted.clone()])
        })
        .expect("the fake seeds every role")
}

#[tokio::test]
async fn a_roster_mirroring_parchment_plans_nothing_across_many_organizations() {
    let world = world(8, 30).await;
    let roster = world.mirror().await;
    let before = world.requests().len();

    let planned = Mutex::new(Vec::new());
    let plan = world
        .sync(SyncOptions::new().prune(true))
        .plan_with_progress(&roster, |progress| {
            let mut planned = planned.lock().expect("not poisoned");
            planned.push((
                progress.completed,
                progress.total,
                progress.organization_id.to_owned(),
            ));
        })
        .await
        .expect("valid");

    assert!(!plan.has_drift() && !plan.has_errors(), "{plan}");
    assert_eq!(plan.organizations.len(), 8);
    let mut planned = planned.into_inner().expect("not poisoned");
    planned.sort();
    assert_eq!(
        planned
            .iter()
            .map(|(n, total, _)| (*n, *total))
            .collect::<Vec<_>>(),
        (1..=8).map(|n| (n, 8)).collect::<Vec<_>>()
    );
    let mut ids: Vec<_> = planned.into_iter().map(|(_, _, id)| id).collect();
    ids.sort();
    assert_eq!(
        ids,
        world
            .orgs
            .iter()
            .map(|org| org.id.clone())
            .collect::<Vec<_>>()
    );
    for organization in &plan.organizations {
        assert_eq!(organization.status, OrganizationStatus::Ready);
        assert_eq!(
            organization.unchanged, 31,
            "the administrator and 30 seeded users"
        );
        assert_eq!(
            (organization.users_listed, organization.users_read),
            (31, 0)
        );
    }
    // One list page per organization (31 users fit in a page of 100), no read, no write.
    let requests = world.requests()[before..].to_vec();
    assert!(writes(&requests).is_empty());
    let lists = requests
        .iter()
        .filter(|request| request.method == "GET" && request.path.ends_with("/users"))
        .count();
    assert_eq!(lists, 8);
}

#[tokio::test]
async fn each_kind_of_change_is_planned_applied_and_then_in_sync() {
    let world = world(6, 12).await;
    let mut roster = world.mirror().await;
    let (a, b, c, d, e, f) = (
        world.org(0).id.clone(),
        world.org(1).id.clone(),
        world.org(2).id.clone(),
        world.org(3).id.clone(),
        world.org(4).id.clone(),
        world.org(5).id.clone(),
    );
    // org-00: a new receptionist, and a new provider with full details.
    roster.add(
        &a,
        Person::new("Riley.Nguyen@example.com")
            .name("Riley", "Nguyen")
            .partner_user_id("EMR-77")
            .roles([Role::Receptionist]),
    );
    roster.add(
        &a,
        Person::new("darlene.cameron@example.com")
            .name("Darlene", "Cameron")
            .roles([Role::Provider, Role::Admin])
            .provider(
                ProviderProfile::new()
                    .date_of_birth(chrono::NaiveDate::from_ymd_opt(1969, 10, 2).expect("a date"))
                    .sex("F".into())
                    .hpii_number("8003614900029560")
                    .prescriber_type("M".into())
                    .prescriber_number("1234567")
                    .qualifications("MBBS"),
            ),
    );
    // org-01: a receptionist also becomes rx_reader.
    let receptionist = first_with(&world, 1, Role::Receptionist).await;
    let receptionist_email = receptionist.email.clone().expect("an email");
    edit(&mut roster, &b, &receptionist_email, |person| {
        person.roles([Role::Receptionist, Role::RxReader])
    });
    // org-02: a new display name, and a provider's qualifications.
    let staff = first_with(&world, 2, Role::RxReader).await;
    let staff_email = staff.email.clone().expect("an email");
    edit(&mut roster, &c, &staff_email, |person| {
        person.full_name("Sam Renamed")
    });
    let provider = first_with(&world, 2, Role::Provider).await;
    let provider_email = provider.email.clone().expect("an email");
    edit(&mut roster, &c, &provider_email, |person| {
        person.provider(ProviderProfile::new().qualifications("MBBS, FRACGP, FACRRM"))
    });
    // org-03: a disabled user comes back as rx_reader (enable + roles).
    let returning = first_with(&world, 3, Role::Receptionist).await;
    let returning_email = returning.email.clone().expect("an email");
    world
        .org(3)
        .handle
        .users()
        .disable(&returning.user_id)
        .await
        .expect("set-up: disable");
    edit(&mut roster, &d, &returning_email, |person| {
        person.enabled(true).roles([Role::RxReader])
    });
    // org-04: the roster disables someone; org-05: someone left (pruned).
    let leaving = first_with(&world, 4, Role::RxReader).await;
    let leaving_email = leaving.email.clone().expect("an email");
    edit(&mut roster, &e, &leaving_email, |person| {
        person.enabled(false)
    });
    let gone = first_with(&world, 5, Role::Receptionist).await;
    let gone_email = gone.email.clone().expect("an email");
    remove(&mut roster, &f, &gone_email);

    let sync = world.sync(SyncOptions::new().prune(true));
    let plan = sync.plan(&roster).await.expect("valid");

    assert!(plan.has_drift());
    assert_eq!(kinds(&plan, &a), [ActionKind::Create, ActionKind::Create]);
    assert_eq!(kinds(&plan, &b), [ActionKind::SetRoles]);
    assert_eq!(
        kinds(&plan, &c),
        [ActionKind::UpdateDetails, ActionKind::UpdateDetails]
    );
    assert_eq!(kinds(&plan, &d), [ActionKind::Enable]);
    assert_eq!(kinds(&plan, &e), [ActionKind::Disable]);
    assert_eq!(kinds(&plan, &f), [ActionKind::Disable]);
    // Creates sort by email, lower case: darlene before riley.
    let creates: Vec<_> = organization(&plan, &a)
        .actions
        .iter()
        .map(|action| action.subject.email.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        creates,
        ["darlene.cameron@example.com", "Riley.Nguyen@example.com"]
    );
    match &organization(&plan, &b).actions[0].change {
        Change::SetRoles { from, to } => {
            assert_eq!(from, &[Role::Receptionist]);
            assert_eq!(to, &[Role::Receptionist, Role::RxReader]);
        }
        other => panic!("expected set roles, got {other:?}"),
    }
    assert!(
        !organization(&plan, &b).actions[0].is_destructive(),
        "adding a role takes nothing"
    );
    // Only the provider's comparison needed a read (lists never carry provider details).
    assert_eq!(organization(&plan, &c).users_read, 1);
    match &organization(&plan, &e).actions[0].change {
        Change::Disable { reason, .. } => assert_eq!(*reason, DisableReason::RosterSaysDisabled),
        other => panic!("expected disable, got {other:?}"),
    }
    match &organization(&plan, &f).actions[0].change {
        Change::Disable { reason, .. } => assert_eq!(*reason, DisableReason::NotInRoster),
        other => panic!("expected disable, got {other:?}"),
    }
    // The diff is readable, the JSON typed.
    let diff = plan.to_string();
    assert!(
        diff.contains(&format!("organization {b}: 1 action(s) (0 destructive)")),
        "{diff}"
    );
    assert!(
        diff.contains("roles [receptionist] -> [receptionist, rx_reader]"),
        "{diff}"
    );
    assert!(diff.contains("provider details: qualifications"), "{diff}");
    assert!(
        diff.contains(&format!("- disable        {gone_email}")),
        "{diff}"
    );
    assert!(
        !diff.contains("8003614900029560"),
        "provider values stay out of the diff"
    );
    let json = serde_json::to_value(&plan).expect("a plan serializes");
    assert_eq!(
        json["organizations"][3]["actions"][0]["change"]["kind"],
        "enable"
    );
    assert_eq!(json["organizations"][0]["status"]["state"], "ready");

    let progress = Mutex::new(Vec::new());
    let report = sync
        .apply(&plan, |event| {
            progress
                .lock()
                .expect("not poisoned")
                .push((event.completed, event.total));
        })
        .await;

    assert!(!report.has_failures(), "{report}");
    assert_eq!(report.total().done, 8);
    let mut events = progress.into_inner().expect("not poisoned");
    events.sort();
    assert_eq!(events, (1..=8).map(|n| (n, 8)).collect::<Vec<_>>());
    let created = report.organizations[0]
        .outcomes
        .iter()
        .find_map(|outcome| match &outcome.outcome {
            Outcome::Done {
                created_user_id, ..
            } => created_user_id.clone(),
            _ => None,
        })
        .expect("a create reports the new id");
    let read = world
        .org(0)
        .handle
        .users()
        .get(&created)
        .await
        .expect("created");
    assert_eq!(read.roles, [Role::Provider, Role::Admin]);
    let returned = world
        .org(3)
        .handle
        .users()
        .get(&returning.user_id)
        .await
        .expect("read");
    assert_eq!(returned.roles, [Role::RxReader]);
    let renamed = world
        .org(2)
        .handle
        .users()
        .get(&staff.user_id)
        .await
        .expect("read");
    assert_eq!(renamed.full_name.as_deref(), Some("Sam Renamed"));
    let qualified = world
        .org(2)
        .handle
        .users()
        .get(&provider.user_id)
        .await
        .expect("read");
    assert_eq!(
        qualified
            .provider_details
            .as_ref()
            .and_then(|d| d.qualifications.as_deref()),
        Some("MBBS, FRACGP, FACRRM")
    );
    let text = report.to_string();
    assert!(text.contains("8 done, 0 skipped, 0 failed"), "{text}");

    // Re-planning the same roster: in sync (the new user is matched by partner id or email).
    let again = sync.plan(&roster).await.expect("valid");
    assert!(!again.has_drift(), "{again}");
}

#[tokio::test]
async fn the_same_roster_gives_the_same_plan_in_the_same_order() {
    let world = world(4, 25).await;
    let mut roster = world.mirror().await;
    for n in 0..4 {
        let id = world.org(n).id.clone();
        for extra in 0..3 {
            roster.add(
                &id,
                Person::new(format!("new.{}.{n}@example.com", 3 - extra))
                    .name("New", "Person")
                    .roles([Role::RxReader]),
            );
        }
        let people = roster.organizations.get_mut(&id).expect("present");
        for person in people.iter_mut().skip(1).step_by(4) {
            person.roles = vec![Role::RxQueueManager];
        }
    }
    let sync = world.sync(SyncOptions::new().max_destructive(100));
    let first = sync.plan(&roster).await.expect("valid");

    // The roster reversed, and pages of 7 instead of 100: the same plan.
    let mut reversed = roster.clone();
    for people in reversed.organizations.values_mut() {
        people.reverse();
    }
    let second = world
        .sync(SyncOptions::new().max_destructive(100).page_size(7))
        .plan(&reversed)
        .await
        .expect("valid");

    assert!(first.has_drift());
    assert_eq!(
        serde_json::to_string(&first).expect("serializes"),
        serde_json::to_string(&second).expect("serializes")
    );
    assert_eq!(first.to_string(), second.to_string());
    let organization_ids: Vec<_> = first
        .organizations
        .iter()
        .map(|o| o.organization_id.clone())
        .collect();
    assert_eq!(organization_ids, ["org-00", "org-01", "org-02", "org-03"]);
    for organization in &first.organizations {
        let keys: Vec<_> = organization
            .actions
            .iter()
            .map(|action| (action.kind(), action.subject.email.clone()))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "apply order: kind, then email");
    }
}

#[tokio::test]
async fn without_pruning_nobody_is_disabled() {
    let world = world(2, 10).await;
    let mut roster = world.mirror().await;
    let id = world.org(0).id.clone();
    let leaving = first_with(&world, 0, Role::Receptionist).await;
    edit(
        &mut roster,
        &id,
        leaving.email.as_deref().expect("an email"),
        |person| person.enabled(false),
    );
    let gone = first_with(&world, 0, Role::RxReader).await;
    remove(&mut roster, &id, gone.email.as_deref().expect("an email"));
    let sync = world.sync(SyncOptions::new());
    let before = world.requests().len();

    let plan = sync.plan(&roster).await.expect("valid");

    assert!(!plan.has_drift(), "{plan}");
    assert_eq!(skip_reasons(&plan, &id), [SkipReason::PruningOff]);
    assert_eq!(
        organization(&plan, &id).skipped[0].wanted,
        Some(ActionKind::Disable)
    );
    assert_eq!(
        organization(&plan, &id).unmanaged,
        1,
        "the user missing from the roster"
    );
    assert!(plan.to_string().contains("skipped: disabling needs prune"));
    let report = sync.apply(&plan, |_| {}).await;
    assert_eq!(report.total().done, 0);
    assert!(writes(&world.requests()[before..]).is_empty());
}

#[tokio::test]
async fn the_acting_user_is_never_disabled() {
    let world = world(1, 3).await;
    let mut roster = world.mirror().await;
    let org = world.org(0);
    let admin_email = format!("admin@{}.example.com", org.id);
    // The roster disables the acting administrator, but gives someone else admin.
    edit(&mut roster, &org.id, &admin_email, |person| {
        person.enabled(false)
    });
    let other = first_with(&world, 0, Role::Receptionist).await;
    edit(
        &mut roster,
        &org.id,
        other.email.as_deref().expect("an email"),
        |person| person.roles([Role::Receptionist, Role::Admin]),
    );

    let plan = world
        .sync(SyncOptions::new().prune(true))
        .plan(&roster)
        .await
        .expect("valid");

    assert_eq!(kinds(&plan, &org.id), [ActionKind::SetRoles]);
    assert_eq!(skip_reasons(&plan, &org.id), [SkipReason::ActingUser]);
    let skip = &organization(&plan, &org.id).skipped[0];
    assert_eq!(skip.subject.user_id.as_deref(), Some(org.admin.as_str()));
}

#[tokio::test]
async fn a_plan_leaving_no_enabled_admin_is_refused_even_when_forced() {
    let world = world(2, 6).await;
    let mut roster = world.mirror().await;
    let org = world.org(1);
    let admin_email = format!("admin@{}.example.com", org.id);
    edit(&mut roster, &org.id, &admin_email, |person| {
        person.roles([Role::Receptionist])
    });
    let sync = world.sync(SyncOptions::new().force(true));
    let before = world.requests().len();

    let plan = sync.plan(&roster).await.expect("valid");

    assert_eq!(
        organization(&plan, &org.id).status,
        OrganizationStatus::Refused {
            refusals: vec![Refusal::NoAdminLeft]
        }
    );
    assert!(plan.has_drift(), "a refused change is still drift");
    assert_eq!(plan.applicable_actions(), 0);
    assert!(plan.to_string().contains(
        "REFUSED (nothing will be applied): the organization would be left without an enabled admin"
    ));
    let report = sync.apply(&plan, |_| {}).await;
    assert_eq!(report.total().skipped, 1);
    assert!(matches!(
        &report.organizations[0].outcomes[0].outcome,
        Outcome::Skipped { reason } if reason.contains("without an enabled admin")
    ));
    assert!(writes(&world.requests()[before..]).is_empty());
}

#[tokio::test]
async fn too_many_destructive_actions_refuse_the_organization_unless_forced() {
    let world = world(3, 12).await;
    let mut roster = world.mirror().await;
    let big = world.org(0).id.clone();
    let small = world.org(1).id.clone();
    // org-00 loses 8 users (more than the default 5); org-01 loses 2.
    let admin_email = format!("admin@{big}.example.com");
    let people = roster.organizations.get_mut(&big).expect("present");
    let mut dropped = 0;
    people.retain(|person| {
        let keep = person.email == admin_email || dropped >= 8;
        dropped += usize::from(!keep);
        keep
    });
    let admin_small = format!("admin@{small}.example.com");
    let people = roster.organizations.get_mut(&small).expect("present");
    let mut dropped = 0;
    people.retain(|person| {
        let keep = person.email == admin_small || dropped >= 2;
        dropped += usize::from(!keep);
        keep
    });

    let plan = world
        .sync(SyncOptions::new().prune(true))
        .plan(&roster)
        .await
        .expect("valid");

    assert_eq!(
        organization(&plan, &big).status,
        OrganizationStatus::Refused {
            refusals: vec![Refusal::TooManyDestructive { count: 8, max: 5 }]
        }
    );
    assert_eq!(
        organization(&plan, &small).status,
        OrganizationStatus::Ready
    );
    assert_eq!(plan.applicable_actions(), 2);

    let forced = world.sync(SyncOptions::new().prune(true).force(true));
    let plan = forced.plan(&roster).await.expect("valid");
    assert_eq!(
        organization(&plan, &big).status,
        OrganizationStatus::Forced {
            overridden: vec![Refusal::TooManyDestructive { count: 8, max: 5 }]
        }
    );
    let report = forced.apply(&plan, |_| {}).await;
    assert_eq!(report.total().done, 10, "{report}");
    assert!(!forced.plan(&roster).await.expect("valid").has_drift());
}

#[tokio::test]
async fn creates_lacking_fields_and_mismatched_partner_ids_are_skipped_with_why() {
    let world = world(1, 3).await;
    let mut roster = world.mirror().await;
    let org = world.org(0);
    roster.add(
        &org.id,
        Person::new("new.gp@example.com")
            .name("New", "Gp")
            .roles([Role::Provider]),
    );
    roster.add(
        &org.id,
        Person::new("no.name@example.com").roles([Role::RxReader]),
    );
    // A roster entry whose email is a seeded user with partner id PARTNER#USER_n, but whose own
    // partner id is another one.
    let staff = first_with(&world, 0, Role::Receptionist).await;
    let email = staff.email.clone().expect("an email");
    edit(&mut roster, &org.id, &email, |person| {
        person.partner_user_id("SOMEONE_ELSE")
    });

    let plan = world
        .sync(SyncOptions::new().prune(true))
        .plan(&roster)
        .await
        .expect("valid");

    assert!(!plan.has_drift(), "{plan}");
    let reasons = skip_reasons(&plan, &org.id);
    assert!(
        reasons.contains(&SkipReason::MissingFields {
            fields: [
                "date_of_birth",
                "sex",
                "hpii_number",
                "prescriber_type",
                "qualifications",
                "prescriber_number"
            ]
            .map(String::from)
            .to_vec()
        })
    );
    assert!(reasons.contains(&SkipReason::MissingFields {
        fields: vec!["given_name".into(), "family_name".into()]
    }));
    assert!(reasons.contains(&SkipReason::PartnerIdMismatch {
        external_user_id: staff.external_user_id.clone().expect("seeded with one")
    }));
    // The mismatched user is held back, not pruned as "not in the roster".
    assert_eq!(kinds(&plan, &org.id), Vec::<ActionKind>::new());
}

#[tokio::test]
async fn partner_ids_match_parchment_external_ids_before_emails() {
    let world = world(1, 3).await;
    let org = world.org(0);
    let staff = first_with(&world, 0, Role::RxReader).await;
    let partner_id = staff
        .external_user_id
        .as_deref()
        .and_then(|id| id.split_once('#'))
        .map(|(_, id)| id.to_owned())
        .expect("seeded as PARTNER#USER_n");
    let mut roster = world.mirror().await;
    remove(
        &mut roster,
        &org.id,
        staff.email.as_deref().expect("an email"),
    );
    // Matched by partner id alone (no email), with a new role.
    roster.add(
        &org.id,
        Person::new("")
            .partner_user_id(&partner_id)
            .roles([Role::RxQueueManager]),
    );

    let plan = world
        .sync(SyncOptions::new().prune(true))
        .plan(&roster)
        .await
        .expect("valid");

    assert_eq!(kinds(&plan, &org.id), [ActionKind::SetRoles]);
    assert_eq!(
        organization(&plan, &org.id).actions[0]
            .subject
            .user_id
            .as_deref(),
        Some(staff.user_id.as_str())
    );
}

#[tokio::test]
async fn an_unreadable_organization_is_reported_and_the_others_planned() {
    let world = world(2, 3).await;
    let mut roster = world.mirror().await;
    roster.add(
        "org-00",
        Person::new("x@example.com")
            .name("X", "Y")
            .roles([Role::Admin]),
    );
    // org-01 with a wrong secret: its token request is refused.
    let wrong = world
        .client
        .organization_with(
            &world.org(1).id,
            OrganizationCredentials::new("not-the-secret").acting_user(&world.org(1).admin),
        )
        .expect("a valid header value");

    let plan = world
        .sync(SyncOptions::new())
        .organization(wrong)
        .plan(&roster)
        .await
        .expect("valid");

    assert!(plan.has_errors(), "{plan}");
    assert_eq!(kinds(&plan, "org-00"), [ActionKind::Create]);
    match &organization(&plan, "org-01").status {
        OrganizationStatus::Unreadable { failure } => {
            assert_eq!(failure.kind, ErrorKind::Unauthorized, "{failure}");
            assert_eq!(failure.status, Some(401));
            assert!(!failure.message.contains("not-the-secret"));
        }
        other => panic!("expected unreadable, got {other:?}"),
    }
    assert!(
        plan.to_string()
            .contains("UNREADABLE (nothing planned): Unauthorized (status 401)")
    );
}

#[tokio::test]
async fn an_invalid_roster_is_refused_before_anything_is_sent() {
    let world = world(1, 1).await;
    let roster = Roster::new().person(
        &world.org(0).id,
        Person::new("someone@example.com").roles([role("owner")]),
    );
    let before = world.requests().len();

    let errors = world
        .sync(SyncOptions::new())
        .plan(&roster)
        .await
        .expect_err("owner is not assignable");

    assert_eq!(errors.len(), 1);
    assert_eq!(errors.errors()[0].field.as_deref(), Some("roles"));
    assert_eq!(world.requests().len(), before);
}

#[tokio::test]
async fn a_partial_failure_then_a_re_run_converges() {
    let world = world_with(3, 6, |builder| builder.retry_policy(RetryPolicy::never())).await;
    let mut roster = world.mirror().await;
    for n in 0..3 {
        let id = world.org(n).id.clone();
        for k in 0..3 {
            roster.add(
                &id,
                Person::new(format!("hire.{k}@{id}.example.com"))
                    .name("New", format!("Hire{k}"))
                    .roles([Role::Receptionist]),
            );
        }
    }
    let sync = world.sync(SyncOptions::new().concurrency(1));
    let plan = sync.plan(&roster).await.expect("valid");
    assert_eq!(plan.applicable_actions(), 9);

    // The first two writes fail (no retries with this client): 500, then 503.
    world.fake.inject(
        Fault::Status {
            status: 500,
            retry_after: None,
        },
        1,
    );
    world.fake.inject(
        Fault::Status {
            status: 503,
            retry_after: None,
        },
        1,
    );
    let report = sync.apply(&plan, |_| {}).await;

    assert_eq!(
        (report.total().done, report.total().failed),
        (7, 2),
        "{report}"
    );
    let failures: Vec<_> = report
        .organizations
        .iter()
        .flat_map(|organization| organization.failures())
        .map(|(_, failure)| (failure.kind, failure.status))
        .collect();
    assert_eq!(
        failures,
        [
            (ErrorKind::Server, Some(500)),
            (ErrorKind::Server, Some(503))
        ]
    );
    assert!(report.to_string().contains("FAILED create"));

    let second = sync.plan(&roster).await.expect("valid");
    assert_eq!(second.applicable_actions(), 2, "only what failed: {second}");
    let report = sync.apply(&second, |_| {}).await;
    assert_eq!(report.total().done, 2);
    assert!(!sync.plan(&roster).await.expect("valid").has_drift());
}

#[tokio::test]
async fn no_action_is_applied_twice_under_injected_503s() {
    let world = world_with(4, 8, |builder| {
        builder.retry_policy(
            // Enough attempts that six 503s can never exhaust one action's.
            RetryPolicy::new()
                .max_attempts(8)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(5)),
        )
    })
    .await;
    let mut roster = world.mirror().await;
    for n in 0..4 {
        let id = world.org(n).id.clone();
        let users = world.users(n).await;
        for user in users
            .iter()
            .filter(|user| user.user_id != world.org(n).admin)
            .take(3)
        {
            let email = user.email.clone().expect("an email");
            edit(&mut roster, &id, &email, |person| {
                let mut roles = person.roles.clone();
                roles.push(Role::RxQueueManager);
                person.roles(roles)
            });
        }
    }
    let sync = world.sync(SyncOptions::new().concurrency(3));
    let plan = sync.plan(&roster).await.expect("valid");
    assert_eq!(plan.applicable_actions(), 12);
    let before = world.requests().len();

    // Every other write meets a 503 first (retried: PUT roles is idempotent).
    world.fake.inject(
        Fault::Status {
            status: 503,
            retry_after: None,
        },
        6,
    );
    let report = sync.apply(&plan, |_| {}).await;

    assert_eq!(report.total().done, 12, "{report}");
    let requests = world.requests()[before..].to_vec();
    let writes = writes(&requests);
    assert_eq!(
        writes
            .iter()
            .filter(|request| request.status == 503)
            .count(),
        6
    );
    let succeeded: Vec<&str> = writes
        .iter()
        .filter(|request| request.status == 200)
        .map(|request| request.path.as_str())
        .collect();
    let mut distinct = succeeded.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(succeeded.len(), 12, "one successful write per action");
    assert_eq!(distinct.len(), 12, "no action written twice");
}

#[tokio::test]
async fn the_client_rate_limit_is_honoured() {
    const PER_SECOND: f64 = 25.0;
    let world = world_with(3, 4, |builder| builder.rate_limit(PER_SECOND)).await;
    let mut roster = world.mirror().await;
    for n in 0..3 {
        let id = world.org(n).id.clone();
        for k in 0..4 {
            roster.add(
                &id,
                Person::new(format!("hire.{k}@{id}.example.com"))
                    .name("New", "Hire")
                    .roles([Role::RxReader]),
            );
        }
    }
    let sync = world.sync(SyncOptions::new().concurrency(3));
    let before = world.requests().len();
    let started = Instant::now();

    let plan = sync.plan(&roster).await.expect("valid");
    let report = sync.apply(&plan, |_| {}).await;

    let elapsed = started.elapsed();
    assert_eq!(report.total().done, 12);
    // Requests are spaced 1/25 s apart however many organizations run at once: n requests
    // take at least (n - 1) intervals.
    // Token requests ride in the slot of the call that needed them: count the calls.
    let made = world.requests()[before..]
        .iter()
        .filter(|request| request.path != "/v1/token")
        .count();
    assert!(made >= 15, "3 lists and 12 creates at least, got {made}");
    let least = Duration::from_secs_f64((made - 1) as f64 / PER_SECOND);
    assert!(
        elapsed >= least,
        "{made} requests in {elapsed:?}, faster than {least:?}"
    );
}

// ------------------------------------------------------------------ users the fake cannot hold

mod protected {
    use super::support::{ORG, client, envelope};
    use super::*;
    use httpmock::Method::{GET, PUT};
    use httpmock::MockServer;
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
        let sync =
            RosterSync::new(client(&server.base_url())).options(SyncOptions::new().prune(true));

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
}

// ------------------------------------------------------------------ roster files

#[test]
fn the_sample_rosters_parse_and_agree() {
    let csv = Roster::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/roster.csv"))
        .expect("the CSV sample is valid");
    let json = Roster::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/roster.json"))
        .expect("the JSON sample is valid");
    assert_eq!(csv.len(), 6);
    assert_eq!(
        serde_json::to_value(&csv).expect("serializes"),
        serde_json::to_value(&json).expect("serializes")
    );
}

#[test]
fn csv_errors_name_the_line_and_the_field() {
    let text = "\
organization_id,email,roles,enabled,date_of_birth,sex,prescriber_type
org-a,ok@example.com,admin,,,,
org-a,bad.role@example.com,admin;owner,,,,
org-a,bad.flag@example.com,admin,maybe,,,
org-a,bad.date@example.com,provider,,02/10/1969,X,
org-a,no.roles@example.com,,,,,
,orphan@example.com,admin,,,,
org-a,short@example.com
";
    let errors = Roster::from_csv_str(text).expect_err("several problems");
    let lines: Vec<String> = errors.errors().iter().map(ToString::to_string).collect();
    let expect = [
        "line 3, organization org-a, field `roles`: `owner` cannot be assigned",
        "line 4, field `enabled`: must be true or false",
        "line 5, field `date_of_birth`: must be a date written YYYY-MM-DD",
        "line 5, organization org-a, field `provider.sex`: must be M, F, I or N",
        "line 6, organization org-a, field `roles`: an enabled person needs at least one role",
        "line 7, field `organization_id`: is required",
        "line 8: the row cannot be read: it has 2 fields where the header has 7",
    ];
    for expected in expect {
        assert!(
            lines.iter().any(|line| line.starts_with(expected)),
            "missing {expected:?} in {lines:#?}"
        );
    }
    assert_eq!(lines.len(), expect.len(), "{lines:#?}");
}

#[test]
fn csv_headers_are_checked() {
    let errors =
        Roster::from_csv_str("organization_id,mail,roles,roles\norg-a,a@example.com,admin,admin\n")
            .expect_err("bad header");
    let text = errors.to_string();
    assert!(
        text.contains("line 1, field `mail`: is not a roster column (columns: organization_id, partner_user_id, email"),
        "{text}"
    );
    assert!(
        text.contains("line 1, field `roles`: appears twice in the header"),
        "{text}"
    );
    assert!(
        text.contains("line 1, field `email`: the header lacks this column"),
        "{text}"
    );
}

#[test]
fn csv_reads_every_column_and_comments() {
    let text = "\
# staff from the EMR
Organization_ID,partner_user_id,email,given_name,family_name,roles,enabled,date_of_birth,sex,hpii_number,prescriber_type,prescriber_number,qualifications
org-a, USER_9 ,Dana@Example.com,Dana,Scott,provider|admin,yes,1980-01-31,F,8003614900029560,M,1234567,\"MBBS, FRACGP\"
";
    let roster = Roster::from_csv_str(text).expect("valid");
    let person = &roster.organizations["org-a"][0];
    assert_eq!(person.partner_user_id.as_deref(), Some("USER_9"));
    assert_eq!(person.roles, [Role::Provider, Role::Admin]);
    assert_eq!(person.desired_full_name().as_deref(), Some("Dana Scott"));
    let provider = person.provider.as_ref().expect("provider columns");
    assert_eq!(provider.qualifications.as_deref(), Some("MBBS, FRACGP"));
    assert_eq!(
        provider.date_of_birth,
        chrono::NaiveDate::from_ymd_opt(1980, 1, 31)
    );
}

#[test]
fn json_errors_name_the_line_or_the_record_and_field() {
    let syntax = Roster::from_json_str(
        "{\n  \"organizations\": {\n    \"org-a\": [\n      {\"email\": \"a@example.com\",, }\n",
    )
    .expect_err("syntax");
    assert_eq!(syntax.errors()[0].line, Some(4), "{syntax}");

    let unknown = Roster::from_json_str(r#"{"organizations": {"org-a": [{"email": "a@example.com", "roles": ["admin"], "role": "x"}]}}"#)
        .expect_err("unknown member");
    assert!(
        unknown.to_string().contains("unknown field `role`"),
        "{unknown}"
    );

    let rules = Roster::from_json_str(
        r#"{"organizations": {"org-a": [
            {"email": "a@example.com", "roles": ["admin"]},
            {"email": "b@example.com", "roles": ["provider"], "provider": {"prescriber_type": "M"}}
        ]}}"#,
    )
    .expect_err("rules");
    let text = rules.to_string();
    assert!(text.contains("organization org-a, record 2, field `provider.qualifications`: is required with a prescriber_type"), "{text}");
    assert!(
        text.contains("organization org-a, record 2, field `provider.prescriber_number`"),
        "{text}"
    );
}

#[tokio::test]
async fn the_sample_roster_plans_applies_and_checks_against_the_default_fake() {
    let fake = FakeParchment::start().await;
    let roster = Roster::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/roster.csv"))
        .expect("the CSV sample is valid");
    let sync = RosterSync::new(fake.client())
        .options(SyncOptions::new().acting_user(&fake.credentials().acting_user));
    let organization_id = &fake.credentials().organization_id;

    let plan = sync.plan(&roster).await.expect("valid");

    assert_eq!(
        kinds(&plan, organization_id),
        [ActionKind::Create, ActionKind::Create, ActionKind::SetRoles]
    );
    assert_eq!(
        skip_reasons(&plan, organization_id),
        [SkipReason::PruningOff]
    );
    // What `parchment sync plan examples/roster.csv` shows (run with --nocapture to see it).
    println!("{plan}");
    let report = sync.apply(&plan, |_| {}).await;
    println!("{report}");
    assert_eq!(report.total().done, 3, "{report}");
    let check = sync.plan(&roster).await.expect("valid");
    assert!(!check.has_drift(), "{check}");
}

/// A CLI spawns these on a multi-threaded runtime.
#[test]
fn plan_and_apply_futures_are_send() {
    fn send<T: Send>(_: &T) {}
    let roster = Roster::new();
    let sync = RosterSync::new(support::client("http://127.0.0.1:9"));
    send(&sync.plan(&roster));
    send(&sync.plan_with_progress(&roster, |_| {}));
    let plan = Plan::default();
    send(&sync.apply(&plan, |_| {}));
}

#[test]
fn errors_from_a_file_name_it() {
    let path = std::env::temp_dir().join(format!("sync-roster-{}.csv", std::process::id()));
    std::fs::write(
        &path,
        "# comment first\norganization_id,email,roles\norg-a,a@example.com,owner\n",
    )
    .expect("a temp file");
    let errors = Roster::from_path(&path).expect_err("owner");
    std::fs::remove_file(&path).expect("removed");
    let error = &errors.errors()[0];
    assert_eq!(
        error.file.as_deref(),
        Some(path.display().to_string().as_str())
    );
    assert_eq!(error.line, Some(3), "comments count as lines: {error}");
    assert!(error.to_string().starts_with(&format!(
        "{}, line 3, organization org-a, field `roles`",
        path.display()
    )));
}
