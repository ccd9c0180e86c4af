//! [`Plan`]: what a sync would do to each organization, as data: actions, skips with why,
//! refusals. Printable as a diff (`Display`), serializable as JSON, and stable: the same
//! roster and the same users give the same plan in the same order.

use super::report::Failure;
use super::roster::{Person, ProviderProfile};
use parchment_api::Role;
use serde::Serialize;
use std::fmt;

/// What a sync would do, organization by organization (sorted by organization id).
///
/// Holds names and emails (it is shown to operators) but never a credential; the library never
/// logs it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Plan {
    /// One entry per organization of the roster, by organization id.
    pub organizations: Vec<OrganizationPlan>,
}

impl Plan {
    /// Whether Parchment differs from the roster: some organization has actions, planned or
    /// refused. A plan without actions is in sync (skips alone are not drift: they are
    /// changes the safety rules hold back, listed for review).
    pub fn has_drift(&self) -> bool {
        self.organizations
            .iter()
            .any(|organization| !organization.actions.is_empty())
    }

    /// Whether some organization could not be read (its drift is unknown).
    pub fn has_errors(&self) -> bool {
        self.organizations.iter().any(|organization| {
            matches!(organization.status, OrganizationStatus::Unreadable { .. })
        })
    }

    /// Every action, across organizations, in plan order.
    pub fn actions(&self) -> impl Iterator<Item = (&OrganizationPlan, &Action)> {
        self.organizations.iter().flat_map(|organization| {
            organization
                .actions
                .iter()
                .map(move |action| (organization, action))
        })
    }

    /// How many actions would be applied (those of organizations that are not refused).
    pub fn applicable_actions(&self) -> usize {
        self.organizations
            .iter()
            .filter(|organization| organization.status.is_applicable())
            .map(|organization| organization.actions.len())
            .sum()
    }
}

/// One organization's part of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct OrganizationPlan {
    /// The organization.
    pub organization_id: String,
    /// Whether its actions may be applied.
    pub status: OrganizationStatus,
    /// The actions, in the order they are applied: creates, enables, details, roles, disables;
    /// within each kind by email, then user id.
    pub actions: Vec<Action>,
    /// Changes the roster asks for that the safety rules hold back, each with why.
    pub skipped: Vec<Skip>,
    /// People of the roster already as it says.
    pub unchanged: usize,
    /// Users Parchment has that the roster does not name, left alone (pruning is off).
    pub unmanaged: usize,
    /// How many users Parchment listed.
    pub users_listed: usize,
    /// How many users had to be read one by one (the list lacked what the plan needs).
    pub users_read: usize,
}

impl OrganizationPlan {
    /// How many of the actions are destructive (disables, role removals).
    pub fn destructive_actions(&self) -> usize {
        self.actions
            .iter()
            .filter(|action| action.is_destructive())
            .count()
    }
}

/// Whether an organization's actions may be applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[non_exhaustive]
pub enum OrganizationStatus {
    /// The actions may be applied.
    Ready,
    /// The actions may be applied: a limit was overridden with
    /// [`SyncOptions::force`](super::SyncOptions::force).
    Forced {
        /// What would have refused the plan.
        overridden: Vec<Refusal>,
    },
    /// None of the actions will be applied.
    Refused {
        /// Why.
        refusals: Vec<Refusal>,
    },
    /// The organization's users could not be read; nothing is planned for it.
    Unreadable {
        /// The error.
        failure: Failure,
    },
}

impl OrganizationStatus {
    /// Whether actions in this state are applied.
    pub fn is_applicable(&self) -> bool {
        matches!(self, Self::Ready | Self::Forced { .. })
    }
}

/// Why an organization's plan is refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Refusal {
    /// More destructive actions than allowed.
    TooManyDestructive {
        /// How many the plan holds.
        count: usize,
        /// The limit ([`SyncOptions::max_destructive`](super::SyncOptions::max_destructive)).
        max: usize,
    },
    /// After the plan, no enabled user would hold `admin` (one does now).
    NoAdminLeft,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyDestructive { count, max } => write!(
                f,
                "{count} destructive actions (disables, role removals), more than the limit of \
                 {max}; raise max_destructive or force"
            ),
            Self::NoAdminLeft => f.write_str(
                "the organization would be left without an enabled admin; give someone admin in \
                 the roster",
            ),
        }
    }
}

/// Who an action or skip is about, as Parchment knows them (or the roster, for a create).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Subject {
    /// Parchment's user id (`None` for a user to create).
    pub user_id: Option<String>,
    /// The email.
    pub email: Option<String>,
    /// The display name, when known.
    pub full_name: Option<String>,
}

impl Subject {
    /// What the plan sorts by: email (lower case), then user id.
    pub(crate) fn sort_key(&self) -> (String, String) {
        (
            self.email.as_deref().unwrap_or_default().to_lowercase(),
            self.user_id.clone().unwrap_or_default(),
        )
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.email, &self.user_id) {
            (Some(email), Some(id)) => write!(f, "{email} ({id})"),
            (Some(email), None) => f.write_str(email),
            (None, Some(id)) => f.write_str(id),
            (None, None) => f.write_str("(unknown user)"),
        }
    }
}

/// One write the sync would make.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Action {
    /// Who it is about.
    pub subject: Subject,
    /// What changes.
    pub change: Change,
}

impl Action {
    /// The kind of change.
    pub fn kind(&self) -> ActionKind {
        self.change.kind()
    }

    /// Whether it takes something away: a disable, or a roles replacement that removes a role.
    pub fn is_destructive(&self) -> bool {
        match &self.change {
            Change::Disable { .. } => true,
            Change::SetRoles { from, to } => from
                .iter()
                .any(|role| role.is_assignable() && !to.contains(role)),
            _ => false,
        }
    }
}

/// The kinds of action, in the order a plan applies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ActionKind {
    /// Create a user.
    Create,
    /// Re-enable a user and give them their roles.
    Enable,
    /// Update the display name or provider details.
    UpdateDetails,
    /// Replace the roles.
    SetRoles,
    /// Disable a user.
    Disable,
}

impl ActionKind {
    /// The kind's name, as in the JSON (`set_roles`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Enable => "enable",
            Self::UpdateDetails => "update_details",
            Self::SetRoles => "set_roles",
            Self::Disable => "disable",
        }
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an action changes, with what is there now where it matters for review.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// Create the person (with their roles, and provider details for a provider); then set
    /// their display name when the roster's is not "given family" (a create takes none).
    Create {
        /// The person as the roster gives them.
        person: Box<Person>,
    },
    /// Enable the user, then set their roles (enabling brings a user back with `member` only).
    Enable {
        /// The roles to give.
        roles: Vec<Role>,
    },
    /// Update the display name and/or provider fields.
    UpdateDetails {
        /// The display name, now and wanted, when it changes.
        full_name: Option<NameChange>,
        /// The provider fields to write (the differing ones, plus what a changed prescriber
        /// type needs beside it).
        provider: Option<Box<ProviderProfile>>,
    },
    /// Replace the roles.
    SetRoles {
        /// The roles held now.
        from: Vec<Role>,
        /// The roles after.
        to: Vec<Role>,
    },
    /// Disable the user (roles drop to `member`).
    Disable {
        /// Why.
        reason: DisableReason,
        /// The roles held now.
        roles: Vec<Role>,
    },
}

impl Change {
    /// The kind of change.
    pub fn kind(&self) -> ActionKind {
        match self {
            Self::Create { .. } => ActionKind::Create,
            Self::Enable { .. } => ActionKind::Enable,
            Self::UpdateDetails { .. } => ActionKind::UpdateDetails,
            Self::SetRoles { .. } => ActionKind::SetRoles,
            Self::Disable { .. } => ActionKind::Disable,
        }
    }
}

/// A display name, now and as the roster wants it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NameChange {
    /// Now (`None` when Parchment has none).
    pub from: Option<String>,
    /// Wanted.
    pub to: String,
}

/// Why a user would be disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DisableReason {
    /// The roster does not name them (pruning).
    NotInRoster,
    /// The roster marks them `enabled: false`.
    RosterSaysDisabled,
}

/// A change the roster asks for that the safety rules hold back.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Skip {
    /// Who it is about.
    pub subject: Subject,
    /// What would have been done (`None`: the person could not be matched safely, so no
    /// change was worked out).
    pub wanted: Option<ActionKind>,
    /// Why not.
    pub reason: SkipReason,
}

/// Why a change is held back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SkipReason {
    /// The user holds `owner`, `support` or an unknown role, and
    /// [`allow_protected`](super::SyncOptions::allow_protected) is off.
    ProtectedUser {
        /// The roles that protect them.
        roles: Vec<Role>,
    },
    /// Replacing the roles would drop roles the API cannot write back.
    WouldDropProtectedRole {
        /// Those roles.
        roles: Vec<Role>,
    },
    /// Disabling needs [`prune`](super::SyncOptions::prune).
    PruningOff,
    /// The user is the one the client acts as.
    ActingUser,
    /// A create lacks required fields.
    MissingFields {
        /// The missing fields.
        fields: Vec<String>,
    },
    /// The email matches a user whose partner id is another one.
    PartnerIdMismatch {
        /// The partner id Parchment has.
        external_user_id: String,
    },
    /// Several users match, or two roster entries match the same user.
    AmbiguousMatch {
        /// The matching users' ids.
        user_ids: Vec<String>,
    },
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |roles: &[Role]| {
            roles
                .iter()
                .map(Role::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Self::ProtectedUser { roles } => write!(
                f,
                "holds {}; such users are left alone unless allow_protected",
                list(roles)
            ),
            Self::WouldDropProtectedRole { roles } => write!(
                f,
                "holds {}, which the API cannot write back: a roles replacement would drop it",
                list(roles)
            ),
            Self::PruningOff => f.write_str("disabling needs prune"),
            Self::ActingUser => f.write_str("the client acts as this user; it is never disabled"),
            Self::MissingFields { fields } => {
                write!(f, "creating needs {}", fields.join(", "))
            }
            Self::PartnerIdMismatch { external_user_id } => write!(
                f,
                "the email matches a user with another partner id ({external_user_id})"
            ),
            Self::AmbiguousMatch { user_ids } => {
                write!(f, "matches more than once ({})", user_ids.join(", "))
            }
        }
    }
}

fn roles_text(roles: &[Role]) -> String {
    let names: Vec<&str> = roles.iter().map(Role::as_str).collect();
    format!("[{}]", names.join(", "))
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Create { person } => {
                write!(f, "roles {}", roles_text(&person.roles))?;
                if let Some(name) = person.desired_full_name() {
                    write!(f, ", name {name:?}")?;
                }
                if let Some(provider) = &person.provider {
                    write!(
                        f,
                        ", provider details: {}",
                        provider.field_names().join(", ")
                    )?;
                }
                Ok(())
            }
            Self::Enable { roles } => write!(f, "enable, then roles {}", roles_text(roles)),
            Self::UpdateDetails {
                full_name,
                provider,
            } => {
                let mut parts = Vec::new();
                if let Some(name) = full_name {
                    let from = name.from.as_deref().unwrap_or("(none)");
                    parts.push(format!("name {from:?} -> {:?}", name.to));
                }
                if let Some(provider) = provider {
                    // Values are personal data (dates of birth, registration numbers): the
                    // diff names the fields; the JSON plan carries the values.
                    parts.push(format!(
                        "provider details: {}",
                        provider.field_names().join(", ")
                    ));
                }
                f.write_str(&parts.join("; "))
            }
            Self::SetRoles { from, to } => {
                write!(f, "roles {} -> {}", roles_text(from), roles_text(to))
            }
            Self::Disable { reason, roles } => {
                let why = match reason {
                    DisableReason::NotInRoster => "not in the roster",
                    DisableReason::RosterSaysDisabled => "the roster disables them",
                };
                write!(f, "{why}; holds {}", roles_text(roles))
            }
        }
    }
}

impl fmt::Display for Plan {
    /// A readable diff: per organization, `+` for additions, `~` for changes, `-` for
    /// removals, `!` for what is held back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.organizations.is_empty() {
            return writeln!(f, "no organizations in the roster");
        }
        for organization in &self.organizations {
            write!(f, "{organization}")?;
        }
        let actions: usize = self.organizations.iter().map(|o| o.actions.len()).sum();
        writeln!(
            f,
            "{} organization(s), {actions} action(s), {} to apply",
            self.organizations.len(),
            self.applicable_actions()
        )
    }
}

impl fmt::Display for OrganizationPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "organization {}: {} action(s) ({} destructive), {} skipped, {} unchanged, {} not in \
             the roster left alone",
            self.organization_id,
            self.actions.len(),
            self.destructive_actions(),
            self.skipped.len(),
            self.unchanged,
            self.unmanaged
        )?;
        match &self.status {
            OrganizationStatus::Ready => writeln!(f)?,
            OrganizationStatus::Forced { overridden } => {
                writeln!(f)?;
                for refusal in overridden {
                    writeln!(f, "  FORCED past: {refusal}")?;
                }
            }
            OrganizationStatus::Refused { refusals } => {
                writeln!(f)?;
                for refusal in refusals {
                    writeln!(f, "  REFUSED (nothing will be applied): {refusal}")?;
                }
            }
            OrganizationStatus::Unreadable { failure } => {
                writeln!(f)?;
                writeln!(f, "  UNREADABLE (nothing planned): {failure}")?;
            }
        }
        for action in &self.actions {
            let sign = match action.kind() {
                ActionKind::Create | ActionKind::Enable => '+',
                ActionKind::UpdateDetails => '~',
                ActionKind::SetRoles if action.is_destructive() => '-',
                ActionKind::SetRoles => '~',
                ActionKind::Disable => '-',
            };
            writeln!(
                f,
                "  {sign} {:<14} {}: {}",
                action.kind().as_str(),
                action.subject,
                action.change
            )?;
        }
        for skip in &self.skipped {
            writeln!(
                f,
                "  ! {:<14} {}: skipped: {}",
                skip.wanted.map_or("match", ActionKind::as_str),
                skip.subject,
                skip.reason
            )?;
        }
        Ok(())
    }
}
