//! Safety rules: no disabling without pruning, the acting user never disabled, no plan that
//! leaves no enabled admin (even forced), a cap on destructive actions unless forced, and
//! creates lacking fields or mismatched partner ids skipped with the reason.

use crate::{edit, first_with, kinds, organization, remove, skip_reasons, world, writes};
use parchment_api_ext::Role;
use parchment_api_ext::sync::{
    ActionKind, OrganizationStatus, Outcome, Person, Refusal, SkipReason, SyncOptions,
};

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

    let plan = world.plan(SyncOptions::new().prune(true), &roster).await;

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

    let plan = world.plan(SyncOptions::new().prune(true), &roster).await;

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

    let plan = world.plan(SyncOptions::new().prune(true), &roster).await;

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
