//! [`Report`]: what applying a plan did, action by action, with counts and failures; and the
//! [`Progress`] events a caller can draw a bar from.

use super::plan::{Action, ActionKind};
use crate::error::{Error, ErrorKind};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// A failed call, as a report keeps it: the typed kind, status and request id (to quote to
/// Parchment support), and the error's message (which never holds a body or a secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Failure {
    /// What went wrong, coarsely.
    #[serde(serialize_with = "kind_name")]
    pub kind: ErrorKind,
    /// The HTTP status, when a response came.
    pub status: Option<u16>,
    /// The request id, when the server gave one.
    pub request_id: Option<String>,
    /// The operation that failed (`replace user roles`).
    pub operation: String,
    /// The error's message.
    pub message: String,
}

fn kind_name<S: Serializer>(kind: &ErrorKind, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format!("{kind:?}"))
}

impl From<&Error> for Failure {
    fn from(error: &Error) -> Self {
        Self {
            kind: error.kind(),
            status: error.status().map(|status| status.as_u16()),
            request_id: error.request_id().map(str::to_owned),
            operation: error.operation().to_owned(),
            message: error.to_string(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.kind)?;
        if let Some(status) = self.status {
            write!(f, " (status {status})")?;
        }
        if let Some(request_id) = &self.request_id {
            write!(f, " request id {request_id}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// What became of one action.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// Applied.
    Done {
        /// The request id of the (last) write.
        request_id: Option<String>,
        /// The new user's id, for a create.
        created_user_id: Option<String>,
    },
    /// Not attempted.
    Skipped {
        /// Why.
        reason: String,
    },
    /// Attempted, and failed (the client's retries included).
    Failed {
        /// The error.
        failure: Failure,
    },
}

/// One action and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ActionOutcome {
    /// The action, as planned.
    pub action: Action,
    /// What became of it.
    pub outcome: Outcome,
}

/// Done, skipped and failed actions of one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Counts {
    /// Applied.
    pub done: usize,
    /// Not attempted.
    pub skipped: usize,
    /// Failed.
    pub failed: usize,
}

impl Counts {
    fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Done { .. } => self.done += 1,
            Outcome::Skipped { .. } => self.skipped += 1,
            Outcome::Failed { .. } => self.failed += 1,
        }
    }
}

/// What applying did to one organization.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct OrganizationReport {
    /// The organization.
    pub organization_id: String,
    /// Every action of its plan, in plan order, with its outcome.
    pub outcomes: Vec<ActionOutcome>,
    /// Counts by kind of action.
    pub counts: BTreeMap<ActionKind, Counts>,
}

impl OrganizationReport {
    pub(crate) fn new(organization_id: String, outcomes: Vec<ActionOutcome>) -> Self {
        let mut counts: BTreeMap<ActionKind, Counts> = BTreeMap::new();
        for outcome in &outcomes {
            counts
                .entry(outcome.action.kind())
                .or_default()
                .add(&outcome.outcome);
        }
        Self {
            organization_id,
            outcomes,
            counts,
        }
    }

    /// All kinds together.
    pub fn total(&self) -> Counts {
        let mut total = Counts::default();
        for counts in self.counts.values() {
            total.done += counts.done;
            total.skipped += counts.skipped;
            total.failed += counts.failed;
        }
        total
    }

    /// The failed actions.
    pub fn failures(&self) -> impl Iterator<Item = (&Action, &Failure)> {
        self.outcomes
            .iter()
            .filter_map(|outcome| match &outcome.outcome {
                Outcome::Failed { failure } => Some((&outcome.action, failure)),
                _ => None,
            })
    }
}

/// What applying a plan did, organization by organization (sorted by organization id).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// One entry per organization whose plan had actions, by organization id.
    pub organizations: Vec<OrganizationReport>,
}

impl Report {
    /// All organizations and kinds together.
    pub fn total(&self) -> Counts {
        let mut total = Counts::default();
        for organization in &self.organizations {
            let counts = organization.total();
            total.done += counts.done;
            total.skipped += counts.skipped;
            total.failed += counts.failed;
        }
        total
    }

    /// Whether any action failed (a re-run of the same roster picks up where this stopped).
    pub fn has_failures(&self) -> bool {
        self.total().failed > 0
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for organization in &self.organizations {
            let total = organization.total();
            write!(
                f,
                "organization {}: {} done, {} skipped, {} failed",
                organization.organization_id, total.done, total.skipped, total.failed
            )?;
            let by_kind: Vec<String> = organization
                .counts
                .iter()
                .map(|(kind, counts)| {
                    format!(
                        "{kind} {}/{}/{}",
                        counts.done, counts.skipped, counts.failed
                    )
                })
                .collect();
            if !by_kind.is_empty() {
                write!(f, " (done/skipped/failed: {})", by_kind.join(", "))?;
            }
            writeln!(f)?;
            for (action, failure) in organization.failures() {
                writeln!(
                    f,
                    "  FAILED {} {}: {failure}",
                    action.kind(),
                    action.subject
                )?;
            }
        }
        let total = self.total();
        writeln!(
            f,
            "{} done, {} skipped, {} failed",
            total.done, total.skipped, total.failed
        )
    }
}

/// One action finished (or skipped) while applying: for a progress bar.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Progress<'a> {
    /// The organization.
    pub organization_id: &'a str,
    /// The action.
    pub action: &'a Action,
    /// What became of it.
    pub outcome: &'a Outcome,
    /// Actions finished so far, this one included.
    pub completed: usize,
    /// Actions in the plan.
    pub total: usize,
}

/// One organization planned: for a progress bar while a large roster is read.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct PlanProgress<'a> {
    /// The organization just planned.
    pub organization_id: &'a str,
    /// Organizations planned so far, this one included.
    pub completed: usize,
    /// Organizations in the roster.
    pub total: usize,
}
