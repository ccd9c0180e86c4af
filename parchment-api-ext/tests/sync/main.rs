//! Roster sync against FakeParchment with many organizations (and httpmock where the fake
//! cannot hold what a test needs, such as an `owner`): plans for each kind of change, every
//! safety refusal, stable order, roster parse errors, partial failure then convergence, no
//! action applied twice under 503s, and the client's rate limit honoured.
//!
//! One binary, split by concern; the world of organizations every concern plans against, and
//! the helpers that read plans and edit rosters, are here.

mod applying;
mod changes;
mod planning;
mod protected;
mod rosters;
mod safety;
#[path = "../support/mod.rs"]
mod support;

use futures::TryStreamExt;
use parchment_api_ext::sync::{
    ActionKind, Person, Plan, Roster, RosterSync, SkipReason, SyncOptions,
};
use parchment_api_ext::testing::{FakeParchment, LoggedRequest};
use parchment_api_ext::{
    Client, ClientBuilder, Organization, OrganizationCredentials, Role, UserSummary,
};

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

    /// The plan of `roster` by a [`World::sync`] with `options`, which must succeed.
    async fn plan(&self, options: SyncOptions, roster: &Roster) -> Plan {
        self.sync(options).plan(roster).await.expect("valid")
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
