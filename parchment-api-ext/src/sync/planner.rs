//! Planning one organization: read its users, match them to the roster, decide each change,
//! and apply the safety rules.
//!
//! Parchment reports no "enabled" flag: a disabled user is one whose roles dropped to
//! `member`. So a user holding nothing but `member` (or no role) counts as disabled; enabling
//! them is `enable` followed by their roles, and is never destructive.

use super::options::SyncOptions;
use super::plan::{
    Action, ActionKind, Change, DisableReason, NameChange, OrganizationPlan, OrganizationStatus,
    Refusal, Skip, SkipReason, Subject,
};
use super::report::Failure;
use super::roster::{Person, ProviderProfile};
use crate::models::{ProviderDetails, User, UserSummary};
use crate::organization::Organization;
use crate::users::find::{email_key, is_partner_id};
use futures::{StreamExt, TryStreamExt, stream};
use parchment_api::Role;
use std::collections::HashMap;

/// Users read one by one at once within an organization.
const READS_AT_ONCE: usize = 4;

/// A Parchment user as the plan sees them.
struct Current {
    summary: UserSummary,
    /// The full read, when the list lacked something.
    full: Option<User>,
}

impl Current {
    fn roles(&self) -> &[Role] {
        match (&self.full, &self.summary.roles) {
            (Some(user), _) => &user.roles,
            (None, Some(roles)) => roles,
            (None, None) => &[],
        }
    }

    fn email(&self) -> Option<&str> {
        self.full
            .as_ref()
            .and_then(|user| user.email.as_deref())
            .or(self.summary.email.as_deref())
    }

    fn external_user_id(&self) -> Option<&str> {
        self.full
            .as_ref()
            .and_then(|user| user.external_user_id.as_deref())
            .or(self.summary.external_user_id.as_deref())
    }

    fn full_name(&self) -> Option<&str> {
        self.full
            .as_ref()
            .and_then(|user| user.full_name.as_deref())
            .or(self.summary.full_name.as_deref())
    }

    /// Disabled (or never given a role): nothing but `member`.
    fn is_active(&self) -> bool {
        self.roles().iter().any(|role| *role != Role::Member)
    }

    /// `owner`, `support` and roles the SDK does not know: the API cannot write them back.
    fn protected_roles(&self) -> Vec<Role> {
        self.roles()
            .iter()
            .filter(|role| !role.is_assignable() && **role != Role::Member)
            .cloned()
            .collect()
    }

    fn subject(&self) -> Subject {
        Subject {
            user_id: Some(self.summary.user_id.clone()),
            email: self.email().map(str::to_owned),
            full_name: self.full_name().map(str::to_owned),
        }
    }
}

/// Reads the organization's users and plans its changes. A read that fails makes the
/// organization unreadable: planning on partial knowledge could break the admin rule.
pub(crate) async fn plan_organization(
    organization: &Organization,
    people: &[Person],
    options: &SyncOptions,
) -> OrganizationPlan {
    let organization_id = organization.id().to_owned();
    let unreadable = |error: &crate::Error, listed: usize, read: usize| OrganizationPlan {
        organization_id: organization_id.clone(),
        status: OrganizationStatus::Unreadable {
            failure: Failure::from(error),
        },
        actions: Vec::new(),
        skipped: Vec::new(),
        unchanged: 0,
        unmanaged: 0,
        users_listed: listed,
        users_read: read,
    };
    let users = organization.users();
    let summaries: Vec<UserSummary> = match users
        .list()
        .limit(options.page_size)
        .fresh()
        .stream()
        .try_collect()
        .await
    {
        Ok(summaries) => summaries,
        Err(error) => return unreadable(&error, 0, 0),
    };
    let listed = summaries.len();
    let mut current: Vec<Current> = summaries
        .into_iter()
        .map(|summary| Current {
            summary,
            full: None,
        })
        .collect();

    // Matching needs every user's email and roles; a sparse list item is read in full.
    let sparse: Vec<usize> = (0..current.len())
        .filter(|&index| {
            let summary = &current[index].summary;
            summary.email.is_none() || summary.roles.is_none()
        })
        .collect();
    let mut read = 0;
    if let Err(error) = read_full(&users, &mut current, &sparse, &mut read).await {
        return unreadable(&error, listed, read);
    }

    let matches = match_people(people, &current);
    // A matched person whose comparison needs more than the list gave: the name, or provider
    // details (which lists never carry).
    let needs_read: Vec<usize> = people
        .iter()
        .zip(&matches)
        .filter_map(|(person, found)| match found {
            Found::User(index) => Some((person, *index)),
            _ => None,
        })
        .filter(|(person, index)| {
            let user = &current[*index];
            user.full.is_none()
                && ((person.desired_full_name().is_some() && user.full_name().is_none())
                    || wants_provider_details(person))
        })
        .map(|(_, index)| index)
        .collect();
    if let Err(error) = read_full(&users, &mut current, &needs_read, &mut read).await {
        return unreadable(&error, listed, read);
    }

    let mut planner = Planner {
        options,
        actions: Vec::new(),
        skipped: Vec::new(),
        unchanged: 0,
        unmanaged: 0,
    };
    // Users a roster entry points at, even one held back, are never "not in the roster".
    let mut claimed = vec![false; current.len()];
    for (person, found) in people.iter().zip(&matches) {
        match found {
            Found::User(index) => {
                claimed[*index] = true;
                planner.matched(person, &current[*index]);
            }
            Found::Nobody => planner.unmatched(person),
            Found::Skip(subject, reason, indexes) => {
                for index in indexes {
                    claimed[*index] = true;
                }
                planner.skipped.push(Skip {
                    subject: subject.clone(),
                    wanted: None,
                    reason: reason.clone(),
                });
            }
        }
    }
    for (index, user) in current.iter().enumerate() {
        if !claimed[index] {
            planner.not_in_roster(user);
        }
    }
    planner.finish(organization_id, &current, listed, read)
}

fn wants_provider_details(person: &Person) -> bool {
    person.enabled
        && person.roles.contains(&Role::Provider)
        && person
            .provider
            .as_ref()
            .is_some_and(|profile| !profile.is_empty())
}

/// Reads the users at `indexes` in full, a few at a time.
async fn read_full(
    users: &crate::Users,
    current: &mut [Current],
    indexes: &[usize],
    read: &mut usize,
) -> crate::Result<()> {
    let users = users.fresh();
    let ids: Vec<(usize, String)> = indexes
        .iter()
        .map(|&index| (index, current[index].summary.user_id.clone()))
        .collect();
    let mut reads = stream::iter(ids)
        .map(|(index, id)| {
            let users = users.clone();
            async move { (index, users.get(&id).await) }
        })
        .buffered(READS_AT_ONCE);
    while let Some((index, result)) = reads.next().await {
        *read += 1;
        current[index].full = Some(result?.into_inner());
    }
    Ok(())
}

/// How a roster person matched.
enum Found {
    User(usize),
    Nobody,
    /// Held back, naming the users involved.
    Skip(Subject, SkipReason, Vec<usize>),
}

/// Matches each person: by partner id first, else by email (case-insensitive). A user matched
/// by two people, or a person matching two users, is skipped with both named.
fn match_people(people: &[Person], current: &[Current]) -> Vec<Found> {
    let mut by_email: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, user) in current.iter().enumerate() {
        if let Some(email) = user.email() {
            by_email.entry(email_key(email)).or_default().push(index);
        }
    }
    let person_subject = |person: &Person| Subject {
        user_id: None,
        email: Some(person.email.clone()),
        full_name: person.desired_full_name(),
    };
    let ambiguous = |person: &Person, indexes: &[usize]| {
        Found::Skip(
            person_subject(person),
            SkipReason::AmbiguousMatch {
                user_ids: indexes
                    .iter()
                    .map(|&index| current[index].summary.user_id.clone())
                    .collect(),
            },
            indexes.to_vec(),
        )
    };
    let mut found: Vec<Found> = people
        .iter()
        .map(|person| {
            if let Some(partner_id) = &person.partner_user_id {
                let by_partner: Vec<usize> = (0..current.len())
                    .filter(|&index| {
                        current[index]
                            .external_user_id()
                            .is_some_and(|external| is_partner_id(external, partner_id))
                    })
                    .collect();
                match by_partner.as_slice() {
                    [index] => return Found::User(*index),
                    [] => {}
                    several => return ambiguous(person, several),
                }
            }
            let email = person.email_key();
            if email.is_empty() {
                return Found::Nobody;
            }
            match by_email.get(&email).map(Vec::as_slice) {
                None | Some([]) => Found::Nobody,
                Some([index]) => {
                    let user = &current[*index];
                    match (&person.partner_user_id, user.external_user_id()) {
                        (Some(partner_id), Some(external))
                            if !is_partner_id(external, partner_id) =>
                        {
                            Found::Skip(
                                user.subject(),
                                SkipReason::PartnerIdMismatch {
                                    external_user_id: external.to_owned(),
                                },
                                vec![*index],
                            )
                        }
                        _ => Found::User(*index),
                    }
                }
                Some(several) => ambiguous(person, several),
            }
        })
        .collect();
    // Two people on one user: neither is applied.
    let mut owners: HashMap<usize, Vec<usize>> = HashMap::new();
    for (person, found) in found.iter().enumerate() {
        if let Found::User(index) = found {
            owners.entry(*index).or_default().push(person);
        }
    }
    for (index, claimants) in owners {
        if claimants.len() > 1 {
            for person in claimants {
                found[person] = Found::Skip(
                    current[index].subject(),
                    SkipReason::AmbiguousMatch {
                        user_ids: vec![current[index].summary.user_id.clone()],
                    },
                    vec![index],
                );
            }
        }
    }
    found
}

/// The roster's roles, compared as a set with the assignable roles a user holds.
fn same_roles(held: &[Role], wanted: &[Role]) -> bool {
    let assignable: Vec<&Role> = held.iter().filter(|role| role.is_assignable()).collect();
    assignable.iter().all(|role| wanted.contains(role))
        && wanted.iter().all(|role| assignable.contains(&role))
}

/// The provider fields of `wanted` that differ from what Parchment has, plus what a changed
/// prescriber type must be sent with; `None` when nothing differs.
fn provider_changes(
    wanted: &ProviderProfile,
    held: Option<&ProviderDetails>,
) -> Option<ProviderProfile> {
    let mut changes = ProviderProfile::new();
    macro_rules! compare {
        ($($field:ident),+) => {$(
            if let Some(value) = &wanted.$field
                && held.and_then(|held| held.$field.as_ref()) != Some(value)
            {
                changes.$field = Some(value.clone());
            }
        )+};
    }
    compare!(
        date_of_birth,
        sex,
        phone,
        hpii_number,
        prescriber_type,
        prescriber_number,
        qualifications,
        provider_number,
        ahpra_number,
        hospital_provider_number
    );
    if changes.is_empty() {
        return None;
    }
    // Parchment refuses a prescriber type without its qualifications (and prescriber number).
    if changes.prescriber_type.is_some() {
        changes.qualifications = wanted.qualifications.clone();
        changes.prescriber_number = wanted.prescriber_number.clone();
    }
    Some(changes)
}

/// The decisions for one organization, as they accumulate.
struct Planner<'a> {
    options: &'a SyncOptions,
    actions: Vec<Action>,
    skipped: Vec<Skip>,
    unchanged: usize,
    unmanaged: usize,
}

impl Planner<'_> {
    fn act(&mut self, subject: Subject, change: Change) {
        self.actions.push(Action { subject, change });
    }

    fn skip(&mut self, subject: Subject, wanted: ActionKind, reason: SkipReason) {
        self.skipped.push(Skip {
            subject,
            wanted: Some(wanted),
            reason,
        });
    }

    /// A change to a protected user, held back unless allowed: `Some(reason)` to skip.
    fn protection(&self, user: &Current) -> Option<SkipReason> {
        let roles = user.protected_roles();
        (!roles.is_empty() && !self.options.allow_protected)
            .then_some(SkipReason::ProtectedUser { roles })
    }

    /// A disable, if the rules allow it.
    fn disable(&mut self, user: &Current, reason: DisableReason) {
        let subject = user.subject();
        let refusal = self
            .protection(user)
            .or_else(|| {
                self.options
                    .acting_users
                    .contains(&user.summary.user_id)
                    .then_some(SkipReason::ActingUser)
            })
            .or_else(|| (!self.options.prune).then_some(SkipReason::PruningOff));
        match refusal {
            Some(why) => self.skip(subject, ActionKind::Disable, why),
            None => self.act(
                subject,
                Change::Disable {
                    reason,
                    roles: user.roles().to_vec(),
                },
            ),
        }
    }

    fn matched(&mut self, person: &Person, user: &Current) {
        let before = (self.actions.len(), self.skipped.len());
        if !person.enabled {
            if user.is_active() {
                self.disable(user, DisableReason::RosterSaysDisabled);
            }
        } else {
            self.details(person, user);
            if !user.is_active() {
                self.act(
                    user.subject(),
                    Change::Enable {
                        roles: person.roles.clone(),
                    },
                );
            } else if !same_roles(user.roles(), &person.roles) {
                let protected = user.protected_roles();
                if let Some(why) = self.protection(user) {
                    self.skip(user.subject(), ActionKind::SetRoles, why);
                } else if !protected.is_empty() {
                    self.skip(
                        user.subject(),
                        ActionKind::SetRoles,
                        SkipReason::WouldDropProtectedRole { roles: protected },
                    );
                } else {
                    self.act(
                        user.subject(),
                        Change::SetRoles {
                            from: user.roles().to_vec(),
                            to: person.roles.clone(),
                        },
                    );
                }
            }
        }
        if (self.actions.len(), self.skipped.len()) == before {
            self.unchanged += 1;
        }
    }

    /// The display name and provider details, where they differ.
    fn details(&mut self, person: &Person, user: &Current) {
        let full_name = person.desired_full_name().and_then(|wanted| {
            (user.full_name().map(str::trim) != Some(wanted.as_str())).then(|| NameChange {
                from: user.full_name().map(str::to_owned),
                to: wanted,
            })
        });
        let provider = match (&person.provider, wants_provider_details(person)) {
            (Some(profile), true) => provider_changes(
                profile,
                user.full
                    .as_ref()
                    .and_then(|full| full.provider_details.as_ref()),
            )
            .map(Box::new),
            _ => None,
        };
        if full_name.is_none() && provider.is_none() {
            return;
        }
        match self.protection(user) {
            Some(why) => self.skip(user.subject(), ActionKind::UpdateDetails, why),
            None => self.act(
                user.subject(),
                Change::UpdateDetails {
                    full_name,
                    provider,
                },
            ),
        }
    }

    fn unmatched(&mut self, person: &Person) {
        if !person.enabled {
            // Not in Parchment and not wanted there: as the roster says.
            self.unchanged += 1;
            return;
        }
        let subject = Subject {
            user_id: None,
            email: Some(person.email.trim().to_owned()),
            full_name: person.desired_full_name(),
        };
        let missing = person.missing_for_create();
        if missing.is_empty() {
            self.act(
                subject,
                Change::Create {
                    person: Box::new(person.clone()),
                },
            );
        } else {
            self.skip(
                subject,
                ActionKind::Create,
                SkipReason::MissingFields {
                    fields: missing.into_iter().map(str::to_owned).collect(),
                },
            );
        }
    }

    fn not_in_roster(&mut self, user: &Current) {
        if !user.is_active() {
            return;
        }
        if self.options.prune {
            self.disable(user, DisableReason::NotInRoster);
        } else {
            self.unmanaged += 1;
        }
    }

    /// Sorts the actions into apply order and applies the organization-wide rules.
    fn finish(
        mut self,
        organization_id: String,
        current: &[Current],
        listed: usize,
        read: usize,
    ) -> OrganizationPlan {
        self.actions.sort_by(|a, b| {
            (a.kind(), a.subject.sort_key()).cmp(&(b.kind(), b.subject.sort_key()))
        });
        self.skipped.sort_by(|a, b| {
            (a.wanted, a.subject.sort_key()).cmp(&(b.wanted, b.subject.sort_key()))
        });
        let mut refusals = Vec::new();
        let mut overridden = Vec::new();
        let destructive = self
            .actions
            .iter()
            .filter(|action| action.is_destructive())
            .count();
        if destructive > self.options.max_destructive {
            let refusal = Refusal::TooManyDestructive {
                count: destructive,
                max: self.options.max_destructive,
            };
            if self.options.force {
                overridden.push(refusal);
            } else {
                refusals.push(refusal);
            }
        }
        if leaves_no_admin(current, &self.actions) {
            refusals.push(Refusal::NoAdminLeft);
        }
        let status = if !refusals.is_empty() {
            OrganizationStatus::Refused { refusals }
        } else if !overridden.is_empty() {
            OrganizationStatus::Forced { overridden }
        } else {
            OrganizationStatus::Ready
        };
        OrganizationPlan {
            organization_id,
            status,
            actions: self.actions,
            skipped: self.skipped,
            unchanged: self.unchanged,
            unmanaged: self.unmanaged,
            users_listed: listed,
            users_read: read,
        }
    }
}

/// Whether the organization has an enabled admin now and would have none after `actions`.
fn leaves_no_admin(current: &[Current], actions: &[Action]) -> bool {
    let is_admin = |roles: &[Role]| roles.contains(&Role::Admin);
    let admins_now = current
        .iter()
        .filter(|user| user.is_active() && is_admin(user.roles()))
        .count();
    if admins_now == 0 {
        return false;
    }
    let mut after: HashMap<&str, bool> = current
        .iter()
        .map(|user| {
            (
                user.summary.user_id.as_str(),
                user.is_active() && is_admin(user.roles()),
            )
        })
        .collect();
    let mut created_admins = 0;
    for action in actions {
        let user_id = action.subject.user_id.as_deref().unwrap_or_default();
        match &action.change {
            Change::Create { person } => created_admins += usize::from(is_admin(&person.roles)),
            Change::Enable { roles } | Change::SetRoles { to: roles, .. } => {
                after.insert(user_id, is_admin(roles));
            }
            Change::Disable { .. } => {
                after.insert(user_id, false);
            }
            Change::UpdateDetails { .. } => {}
        }
    }
    created_admins == 0 && !after.values().any(|&admin| admin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, roles: &[Role]) -> Current {
        Current {
            summary: UserSummary {
                user_id: id.into(),
                email: Some(format!("{id}@example.com")),
                external_user_id: None,
                full_name: None,
                roles: Some(roles.to_vec()),
            },
            full: None,
        }
    }

    fn set_roles(id: &str, from: &[Role], to: &[Role]) -> Action {
        Action {
            subject: user(id, from).subject(),
            change: Change::SetRoles {
                from: from.to_vec(),
                to: to.to_vec(),
            },
        }
    }

    #[test]
    fn the_admin_rule_counts_enabled_admins_after_the_plan() {
        let current = [
            user("a", &[Role::Admin]),
            user("b", &[Role::Member]),
            user("c", &[Role::Receptionist]),
        ];
        let demote = set_roles("a", &[Role::Admin], &[Role::Receptionist]);
        assert!(leaves_no_admin(&current, std::slice::from_ref(&demote)));
        // Someone else promoted, or created as admin: fine.
        let promote = set_roles("c", &[Role::Receptionist], &[Role::Admin]);
        assert!(!leaves_no_admin(&current, &[demote.clone(), promote]));
        let create = Action {
            subject: user("new", &[]).subject(),
            change: Change::Create {
                person: Box::new(Person::new("new@example.com").roles([Role::Admin])),
            },
        };
        assert!(!leaves_no_admin(&current, &[demote, create]));
        // A disabled admin (member only) is no admin: an organization with none now is not
        // the plan's doing.
        let no_admin_now = [user("b", &[Role::Member]), user("c", &[Role::Receptionist])];
        assert!(!leaves_no_admin(&no_admin_now, &[]));
    }

    #[test]
    fn only_member_counts_as_disabled_and_protected_roles_are_found() {
        assert!(!user("b", &[Role::Member]).is_active());
        assert!(!user("b", &[]).is_active());
        assert!(user("o", &[Role::Owner]).is_active());
        let unknown: Role = "billing_manager".into();
        assert_eq!(
            user(
                "o",
                &[Role::Owner, Role::Admin, unknown.clone(), Role::Member]
            )
            .protected_roles(),
            [Role::Owner, unknown]
        );
    }

    #[test]
    fn roles_compare_as_sets_ignoring_what_cannot_be_written() {
        assert!(same_roles(&[Role::Owner, Role::Admin], &[Role::Admin]));
        assert!(same_roles(
            &[Role::Provider, Role::Admin],
            &[Role::Admin, Role::Provider]
        ));
        assert!(!same_roles(&[Role::Admin], &[Role::Admin, Role::Provider]));
    }
}
