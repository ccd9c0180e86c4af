//! Planning: a roster that mirrors Parchment plans nothing across many organizations, the same
//! roster gives the same plan in the same order, partner ids match before emails, an
//! unreadable organization is reported while the others are planned, and an invalid roster is
//! refused before anything is sent.

use crate::{first_with, kinds, organization, remove, role, world, writes};
use parchment_api_ext::sync::{ActionKind, OrganizationStatus, Person, Roster, SyncOptions};
use parchment_api_ext::{ErrorKind, OrganizationCredentials, Role};
use std::sync::Mutex;

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

    let plan = world.plan(SyncOptions::new().prune(true), &roster).await;

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
