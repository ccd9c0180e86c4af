//! Applying one organization's plan: each action once, in plan order, through the public
//! user operations (the client's rate limit and retries underneath).

use super::plan::{Action, Change, OrganizationPlan, OrganizationStatus};
use super::report::{ActionOutcome, Failure, OrganizationReport, Outcome, Progress};
use super::roster::{Person, ProviderProfile};
use crate::organization::Organization;
use crate::users::{NewUser, ProviderDetailsUpdate, UserUpdate, Users};
use std::sync::atomic::{AtomicUsize, Ordering};

/// What every organization's apply shares: the progress callback and counter.
pub(crate) struct ApplyRun<'a, F> {
    pub(crate) progress: &'a F,
    pub(crate) completed: AtomicUsize,
    pub(crate) total: usize,
}

impl<F: Fn(Progress<'_>) + Send + Sync> ApplyRun<'_, F> {
    fn report(&self, organization_id: &str, action: &Action, outcome: &Outcome) {
        let completed = self.completed.fetch_add(1, Ordering::Relaxed) + 1;
        (self.progress)(Progress {
            organization_id,
            action,
            outcome,
            completed,
            total: self.total,
        });
    }

    /// Applies `plan`'s actions one after the other (so that grants come before removals),
    /// or skips them all when the plan is refused.
    pub(crate) async fn organization(
        &self,
        organization: &Organization,
        plan: &OrganizationPlan,
    ) -> OrganizationReport {
        let refused = match &plan.status {
            OrganizationStatus::Refused { refusals } => Some(format!(
                "the organization's plan is refused: {}",
                refusals
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
            _ => None,
        };
        let users = organization.users();
        let mut outcomes = Vec::with_capacity(plan.actions.len());
        for action in &plan.actions {
            let outcome = match &refused {
                Some(reason) => Outcome::Skipped {
                    reason: reason.clone(),
                },
                None => apply_action(&users, action).await,
            };
            self.report(&plan.organization_id, action, &outcome);
            tracing::debug!(
                organization_id = %plan.organization_id,
                user_id = action.subject.user_id.as_deref().unwrap_or("(new)"),
                kind = action.kind().as_str(),
                outcome = match &outcome {
                    Outcome::Done { .. } => "done",
                    Outcome::Skipped { .. } => "skipped",
                    Outcome::Failed { .. } => "failed",
                },
                "sync action"
            );
            outcomes.push(ActionOutcome {
                action: action.clone(),
                outcome,
            });
        }
        OrganizationReport::new(plan.organization_id.clone(), outcomes)
    }
}

/// Makes the one call (two for an enable: enable, then roles) an action needs.
async fn apply_action(users: &Users, action: &Action) -> Outcome {
    let user_id = action.subject.user_id.as_deref().unwrap_or_default();
    let done = |request_id: Option<&str>, created: Option<String>| Outcome::Done {
        request_id: request_id.map(str::to_owned),
        created_user_id: created,
    };
    let result = match &action.change {
        Change::Create { person } => create(users, person)
            .await
            .map(|(request_id, user_id)| done(request_id.as_deref(), Some(user_id))),
        Change::Enable { roles } => users
            .enable_with_roles(user_id, roles.iter().cloned())
            .await
            .map(|response| done(response.request_id(), None)),
        Change::UpdateDetails {
            full_name,
            provider,
        } => {
            let mut update = UserUpdate::new();
            if let Some(name) = full_name {
                update = update.full_name(name.to.clone());
            }
            if let Some(profile) = provider {
                update = update.provider_details(details_update(profile));
            }
            users
                .update(user_id, update)
                .await
                .map(|response| done(response.request_id(), None))
        }
        Change::SetRoles { to, .. } => users
            .set_roles(user_id, to.iter().cloned())
            .await
            .map(|response| done(response.request_id(), None)),
        Change::Disable { .. } => users
            .disable(user_id)
            .await
            .map(|response| done(response.request_id(), None)),
    };
    result.unwrap_or_else(|error| Outcome::Failed {
        failure: Failure::from(&error),
    })
}

/// Creates the person; then sets their display name when the roster's is not "given family"
/// (a create takes no display name), so that the next plan finds nothing to change.
async fn create(users: &Users, person: &Person) -> crate::Result<(Option<String>, String)> {
    let created = users.create(new_user(person)).await?;
    let user_id = created.user_id.clone();
    let mut request_id = created.request_id().map(str::to_owned);
    let default_name = format!(
        "{} {}",
        person.given_name.as_deref().unwrap_or_default().trim(),
        person.family_name.as_deref().unwrap_or_default().trim()
    );
    if let Some(full_name) = person.desired_full_name()
        && full_name != default_name
    {
        let updated = users
            .update(&user_id, UserUpdate::new().full_name(full_name))
            .await?;
        request_id = updated.request_id().map(str::to_owned);
    }
    Ok((request_id, user_id))
}

fn new_user(person: &Person) -> NewUser {
    let text = |value: &Option<String>| value.as_deref().unwrap_or_default().trim().to_owned();
    let mut user = NewUser::new(
        text(&person.given_name),
        text(&person.family_name),
        person.email.trim(),
    )
    .roles(person.roles.iter().cloned());
    if let Some(id) = &person.partner_user_id {
        user = user.partner_user_id(id.clone());
    }
    if let Some(title) = &person.title {
        user = user.title(title.clone());
    }
    let Some(profile) = &person.provider else {
        return user;
    };
    if let Some(date) = profile.date_of_birth {
        user = user.date_of_birth(date);
    }
    if let Some(sex) = &profile.sex {
        user = user.sex(sex.clone());
    }
    if let Some(kind) = &profile.prescriber_type {
        user = user.prescriber_type(kind.clone());
    }
    macro_rules! copy_text {
        ($($field:ident),+) => {$(
            if let Some(value) = &profile.$field {
                user = user.$field(value.clone());
            }
        )+};
    }
    copy_text!(
        phone,
        hpii_number,
        prescriber_number,
        qualifications,
        provider_number,
        ahpra_number,
        hospital_provider_number
    );
    user
}

fn details_update(profile: &ProviderProfile) -> ProviderDetailsUpdate {
    let mut update = ProviderDetailsUpdate::new();
    if let Some(date) = profile.date_of_birth {
        update = update.date_of_birth(date);
    }
    if let Some(sex) = &profile.sex {
        update = update.sex(sex.clone());
    }
    if let Some(kind) = &profile.prescriber_type {
        update = update.prescriber_type(kind.clone());
    }
    macro_rules! copy_text {
        ($($field:ident),+) => {$(
            if let Some(value) = &profile.$field {
                update = update.$field(value.clone());
            }
        )+};
    }
    copy_text!(
        phone,
        hpii_number,
        prescriber_number,
        qualifications,
        provider_number,
        ahpra_number,
        hospital_provider_number
    );
    update
}
