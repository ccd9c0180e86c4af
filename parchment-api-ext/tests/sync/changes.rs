//! Each kind of change (create, set roles, update details, enable, disable by the roster and by
//! pruning) planned, shown in the diff and the JSON, applied, and then in sync.

use crate::{edit, first_with, kinds, organization, remove, world};
use parchment_api_ext::Role;
use parchment_api_ext::sync::{
    ActionKind, Change, DisableReason, Outcome, Person, ProviderProfile, SyncOptions,
};
use std::sync::Mutex;

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
