//! Roster sync (feature `sync`): make each clinic's Parchment users and roles match what the
//! partner's own system says, safely, across many organizations.
//!
//! The flow is **roster → plan → (review) → apply → report**, and a drift check:
//!
//! ```no_run
//! use parchment_api_ext::Client;
//! use parchment_api_ext::sync::{Roster, RosterSync, SyncOptions};
//!
//! # async fn nightly() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::from_env()?;
//! let roster = Roster::from_path("roster.csv")?;
//! let sync = RosterSync::new(client).options(SyncOptions::new().max_destructive(5));
//! let plan = sync.plan(&roster).await?;
//! println!("{plan}"); // a readable diff; serde_json::to_string(&plan) for machines
//! if plan.has_drift() {
//!     let report = sync
//!         .apply(&plan, |progress| eprintln!("{}/{}", progress.completed, progress.total))
//!         .await;
//!     println!("{report}");
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Matching and changes
//!
//! Each person is matched to a Parchment user by `partner_user_id` (against the user's
//! `external_user_id`, with or without the `PARTNER#` style prefix Parchment adds), else by
//! email, case-insensitively. The plan then holds, per organization, in the order they are
//! applied: **create** (a person nobody matches), **enable** (a disabled user the roster wants
//! enabled: enable, then their roles, since enabling restores `member` only), **update
//! details** (display name; provider fields the roster gives that differ), **set roles** (the
//! assignable roles differ, compared as sets) and **disable** (only with
//! [`SyncOptions::prune`]). Parchment reports no enabled flag: a user holding only `member`
//! counts as disabled.
//!
//! Planning lists each organization's users (pages of 100) and reads a user one by one only
//! when the list lacks what the comparison needs (email, roles, name, or provider details,
//! which lists never carry). A plan is data: `Display` is a diff, `Serialize` gives JSON, and
//! the same roster and users always give the same plan in the same order. It holds names and
//! emails for operators, never credentials; the library never logs it.
//!
//! # Safety rules
//!
//! Checked while planning; each held-back change is a [`Skip`] with its [`SkipReason`], each
//! organization-wide refusal a [`Refusal`]:
//!
//! - users holding `owner`, `support` or a role the SDK does not know are left alone unless
//!   [`SyncOptions::allow_protected`]; even then their roles are never replaced (the API cannot
//!   write those roles back, so a replacement would drop them), and such roles never count as
//!   drift;
//! - nobody is disabled unless [`SyncOptions::prune`];
//! - the user the client acts as ([`SyncOptions::acting_user`]) is never disabled;
//! - an organization whose plan would leave no enabled `admin` (when it has one now) is
//!   refused, even when forced;
//! - an organization with more destructive actions (disables, role removals) than
//!   [`SyncOptions::max_destructive`] (default [`DEFAULT_MAX_DESTRUCTIVE`]) is refused unless
//!   [`SyncOptions::force`].
//!
//! # Applying
//!
//! [`RosterSync::apply`] works on [`SyncOptions::concurrency`] organizations at once, each
//! organization's actions one after the other in plan order; every action is attempted at most
//! once (the client retries idempotent calls underneath, never a create), and ends
//! [`Outcome::Done`], [`Outcome::Skipped`] or [`Outcome::Failed`] with the error's kind,
//! status and request id. Nothing is stored between runs: re-planning the same roster after a
//! partial failure plans only what is still different, so runs converge.
//!
//! # CSV rosters
//!
//! One row per person and organization; a header row names the columns, in any order
//! ([`CSV_COLUMNS`]); the `organization_id`, `email` and `roles` columns are required, the
//! others may be absent; an empty cell means "not given"; lines starting with `#` are
//! comments; cells are trimmed.
//!
//! | column | meaning |
//! |---|---|
//! | `organization_id` | the organization (clinic) |
//! | `partner_user_id` | the partner's id of the person (matched first) |
//! | `email` | matched case-insensitively; needed to create; may be empty with a `partner_user_id` |
//! | `given_name`, `family_name` | needed to create; `full_name` defaults to both |
//! | `full_name`, `title` | the display name to keep; the title for a new user |
//! | `roles` | assignable roles separated by `;` (or `\|` or spaces): `admin;provider` |
//! | `enabled` | `true`/`false` (`yes`/`no`, `1`/`0`); empty means `true` |
//! | `date_of_birth` (`YYYY-MM-DD`), `sex`, `phone`, `hpii_number`, `prescriber_type`, `prescriber_number`, `qualifications`, `provider_number`, `ahpra_number`, `hospital_provider_number` | provider details: required to create a provider, compared field by field otherwise |
//!
//! ```text
//! organization_id,partner_user_id,email,given_name,family_name,roles,enabled,date_of_birth,sex,hpii_number,prescriber_type,prescriber_number,qualifications
//! org_fake_clinic,USER_2,ada.admin@example.com,Ada,Admin,admin,,,,,,,
//! org_fake_clinic,,riley.nguyen@example.com,Riley,Nguyen,receptionist;rx_reader,true,,,,,,
//! org_fake_clinic,USER_7,darlene.cameron@example.com,Darlene,Cameron,provider;admin,,1969-10-02,F,8003614900029560,M,1234567,MBBS
//! org_fake_clinic,,former.staff@example.com,,,,false,,,,,,
//! ```
//!
//! Errors name the line and column: `line 3, organization org-a, field \`roles\`: \`owner\`
//! cannot be assigned through the API`.
//!
//! # JSON rosters
//!
//! An object with `organizations`, mapping each organization id to its people; each person
//! has `roles` and an `email` (or a `partner_user_id` to match by), and optionally `partner_user_id`, `given_name`, `family_name`,
//! `full_name`, `title`, `enabled` (default `true`) and `provider` (the provider fields above,
//! `date_of_birth` as `YYYY-MM-DD`). Unknown members are refused.
//!
//! ```json
//! {
//!   "organizations": {
//!     "org_fake_clinic": [
//!       {"email": "ada.admin@example.com", "partner_user_id": "USER_2", "roles": ["admin"]},
//!       {"email": "darlene.cameron@example.com", "given_name": "Darlene",
//!        "family_name": "Cameron", "roles": ["provider", "admin"],
//!        "provider": {"date_of_birth": "1969-10-02", "sex": "F",
//!                     "hpii_number": "8003614900029560", "prescriber_type": "M",
//!                     "prescriber_number": "1234567", "qualifications": "MBBS"}},
//!       {"email": "former.staff@example.com", "roles": [], "enabled": false}
//!     ]
//!   }
//! }
//! ```
//!
//! Syntax errors give the line; rule errors name the organization, the person's position
//! (`record 2`) and the field. Sample files: `parchment-api-ext/examples/roster.csv` and
//! `roster.json`.

mod apply;
mod error;
mod options;
mod parse;
mod plan;
mod planner;
mod report;
mod roster;

pub use error::{RosterError, RosterErrors};
pub use options::{DEFAULT_CONCURRENCY, DEFAULT_MAX_DESTRUCTIVE, SyncOptions};
pub use parse::CSV_COLUMNS;
pub use plan::{
    Action, ActionKind, Change, DisableReason, NameChange, OrganizationPlan, OrganizationStatus,
    Plan, Refusal, Skip, SkipReason, Subject,
};
pub use report::{
    ActionOutcome, Counts, Failure, OrganizationReport, Outcome, PlanProgress, Progress, Report,
};
pub use roster::{Person, ProviderProfile, Roster};

use crate::client::Client;
use crate::organization::Organization;
use futures::{StreamExt, stream};
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Plans and applies rosters for a client's organizations.
///
/// Organizations are addressed with [`Client::organization`] unless given a handle of their
/// own ([`RosterSync::organization`], e.g. one from [`Client::organization_with`] carrying its
/// own secret and acting user).
#[derive(Clone)]
pub struct RosterSync {
    client: Client,
    handles: HashMap<String, Organization>,
    options: SyncOptions,
}

impl RosterSync {
    /// A sync through `client`, with the safe [`SyncOptions`] defaults.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            handles: HashMap::new(),
            options: SyncOptions::default(),
        }
    }

    /// Sets what the sync may do.
    pub fn options(mut self, options: SyncOptions) -> Self {
        self.options = options;
        self
    }

    /// Uses this handle (with its own credentials) for its organization.
    pub fn organization(mut self, organization: Organization) -> Self {
        self.handles
            .insert(organization.id().to_owned(), organization);
        self
    }

    /// The options in force.
    pub fn sync_options(&self) -> &SyncOptions {
        &self.options
    }

    fn handle(&self, organization_id: &str) -> Organization {
        self.handles
            .get(organization_id)
            .cloned()
            .unwrap_or_else(|| self.client.organization(organization_id))
    }

    /// Reads every organization of the roster (a few at once) and plans its changes. A roster
    /// that breaks a rule is refused before anything is sent; an organization that cannot be
    /// read is [`OrganizationStatus::Unreadable`] in the plan, and the others are planned.
    pub async fn plan(&self, roster: &Roster) -> Result<Plan, RosterErrors> {
        self.plan_with_progress(roster, |_| {}).await
    }

    /// [`plan`](Self::plan), calling `progress` as each organization is planned.
    pub async fn plan_with_progress<F>(
        &self,
        roster: &Roster,
        progress: F,
    ) -> Result<Plan, RosterErrors>
    where
        F: Fn(PlanProgress<'_>) + Send + Sync,
    {
        roster.check()?;
        let completed = AtomicUsize::new(0);
        let (completed, progress) = (&completed, &progress);
        let total = roster.organizations.len();
        // The futures are built first, so that no closure over borrowed items is held across
        // an await (which would make this future not `Send`, for callers that spawn it).
        let options = &self.options;
        let plans: Vec<_> = roster
            .organizations
            .iter()
            .map(|(organization_id, people)| {
                let organization = self.handle(organization_id);
                async move {
                    let plan = planner::plan_organization(&organization, people, options).await;
                    progress(PlanProgress {
                        organization_id: organization_id.as_str(),
                        completed: completed.fetch_add(1, Ordering::Relaxed) + 1,
                        total,
                    });
                    plan
                }
            })
            .collect();
        let mut organizations: Vec<OrganizationPlan> = stream::iter(plans)
            .buffer_unordered(self.options.concurrency)
            .collect()
            .await;
        organizations.sort_by(|a, b| a.organization_id.cmp(&b.organization_id));
        tracing::info!(
            organizations = organizations.len(),
            actions = organizations.iter().map(|o| o.actions.len()).sum::<usize>(),
            "sync planned"
        );
        Ok(Plan { organizations })
    }

    /// Applies the plan's actions (of organizations that are not refused), at most once each,
    /// calling `progress` after each one. Never stops early: a failed action is reported and
    /// the rest go on.
    pub async fn apply<F>(&self, plan: &Plan, progress: F) -> Report
    where
        F: Fn(Progress<'_>) + Send + Sync,
    {
        let run = apply::ApplyRun {
            progress: &progress,
            completed: AtomicUsize::new(0),
            total: plan.organizations.iter().map(|o| o.actions.len()).sum(),
        };
        let run = &run;
        let applies: Vec<_> = plan
            .organizations
            .iter()
            .filter(|organization| !organization.actions.is_empty())
            .map(|organization_plan| {
                let organization = self.handle(&organization_plan.organization_id);
                async move { run.organization(&organization, organization_plan).await }
            })
            .collect();
        let mut organizations: Vec<OrganizationReport> = stream::iter(applies)
            .buffer_unordered(self.options.concurrency)
            .collect()
            .await;
        organizations.sort_by(|a, b| a.organization_id.cmp(&b.organization_id));
        let report = Report { organizations };
        let total = report.total();
        tracing::info!(
            done = total.done,
            skipped = total.skipped,
            failed = total.failed,
            "sync applied"
        );
        report
    }
}

impl fmt::Debug for RosterSync {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut organizations: Vec<&String> = self.handles.keys().collect();
        organizations.sort();
        f.debug_struct("RosterSync")
            .field("client", &self.client)
            .field("organizations", &organizations)
            .field("options", &self.options)
            .finish()
    }
}
