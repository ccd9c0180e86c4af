//! `parchment sync plan|apply|check ROSTER`: make each clinic's users and roles match a roster
//! (CSV or JSON, by extension; formats in the SDK's `sync` module docs, samples in
//! `examples/roster.csv` and `examples/roster.json`).
//!
//! Every organization the roster names is addressed with its own configured credentials
//! (found by id in the config file, or the `PARCHMENT_*` variables' one organization); a
//! roster organization without credentials is a configuration error (exit 2) before anything
//! is read. `--org` narrows the run to one organization of the roster.
//!
//! `plan` prints the plan (`--json`: the plan as one JSON document; `apply --json` prints
//! one document `{"plan": .., "report": ..}`, the report `null` when nothing was applied). `check` exits 0 when
//! Parchment matches the roster, 3 when it drifted, 1 when an organization could not be read.
//! `apply` shows the plan, asks on a terminal (`--yes` skips the question; without a terminal
//! it refuses unless `--yes`), applies with a progress bar, prints the report, and exits 1
//! when an action failed, 2 when the safety rules refused an organization.

use crate::command::{Context, DryRun, Outcome, Run};
use crate::failure::CliError;
use crate::output::{self, Output};
use crate::progress::Progress;
use parchment_api_ext::sync::{OrganizationStatus, Plan, Roster, RosterSync, SyncOptions};
use serde_json::json;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

/// `parchment sync ...`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum SyncCommand {
    /// Print what a sync of the roster would do (readable diff; --json for the plan as JSON).
    Plan(PlanArgs),
    /// Show the plan, ask, apply it, and print the report (exit 1 if an action failed).
    Apply(ApplyArgs),
    /// Exit 0 when Parchment matches the roster, 3 on drift, 1 when a read failed.
    Check(PlanArgs),
}

/// The roster and what the sync may do.
#[derive(Debug, clap::Args)]
pub(crate) struct PlanArgs {
    /// The roster file: .csv, or .json.
    roster: PathBuf,
    #[command(flatten)]
    options: OptionArgs,
}

/// `sync apply ROSTER [--yes] [--dry-run] [options]`
#[derive(Debug, clap::Args)]
pub(crate) struct ApplyArgs {
    #[command(flatten)]
    plan: PlanArgs,
    /// Apply without asking (needed when stdin is not a terminal).
    #[arg(long, short = 'y')]
    yes: bool,
    #[command(flatten)]
    dry_run: DryRun,
}

/// The sync's safety options.
#[derive(Debug, clap::Args)]
pub(crate) struct OptionArgs {
    /// Disable users the roster does not name, and people it marks enabled=false.
    #[arg(long)]
    prune: bool,
    /// Touch users holding owner, support or an unknown role (their roles are still kept).
    #[arg(long)]
    allow_protected: bool,
    /// The most destructive actions (disables, role removals) one organization may have.
    #[arg(long, value_name = "N", default_value_t = parchment_api_ext::sync::DEFAULT_MAX_DESTRUCTIVE)]
    max_destructive: usize,
    /// Plan organizations above --max-destructive anyway (never one left without an admin).
    #[arg(long)]
    force: bool,
    /// How many organizations are read and written at once.
    #[arg(long, value_name = "N", default_value_t = parchment_api_ext::sync::DEFAULT_CONCURRENCY,
          value_parser = concurrency)]
    concurrency: usize,
}

/// 1 to 64 organizations at once: 0 would do nothing, and more would only queue behind the
/// client's rate limit.
fn concurrency(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n @ 1..=64) => Ok(n),
        _ => Err("must be a whole number from 1 to 64".into()),
    }
}

impl Run for SyncCommand {
    async fn run(self, context: &Context) -> Result<Outcome, CliError> {
        match self {
            SyncCommand::Plan(args) => plan(args, context).await,
            SyncCommand::Apply(args) => apply(args, context).await,
            SyncCommand::Check(args) => check(args, context).await,
        }
    }
}

async fn plan(args: PlanArgs, context: &Context) -> Result<Outcome, CliError> {
    let (_, plan) = make_plan(&args, context).await?;
    print_plan(context.output(), &plan);
    unreadable(&plan)?;
    Ok(Outcome::Done)
}

async fn check(args: PlanArgs, context: &Context) -> Result<Outcome, CliError> {
    let (_, plan) = make_plan(&args, context).await?;
    let out = context.output();
    if out.json() || plan.has_drift() || plan.has_errors() {
        print_plan(out, &plan);
    } else {
        output::write_stdout(&format!(
            "in sync: {} organization(s) match the roster\n",
            plan.organizations.len()
        ));
    }
    unreadable(&plan)?;
    Ok(match plan.has_drift() {
        true => Outcome::Drift,
        false => Outcome::Done,
    })
}

async fn apply(args: ApplyArgs, context: &Context) -> Result<Outcome, CliError> {
    let out = context.output();
    // Refused before reading anything: a script without --yes learns at once.
    if !args.yes && !args.dry_run.dry_run && !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "refused: sync apply asks before writing, and stdin is not a terminal; pass --yes \
             to apply without asking (nothing was read or written)"
                .into(),
        ));
    }
    let (sync, plan) = make_plan(&args.plan, context).await?;
    let applicable = plan.applicable_actions();
    if args.dry_run.dry_run || applicable == 0 {
        if out.json() {
            out.json_line(&json!({ "plan": plan, "report": null }));
        } else {
            print_plan(out, &plan);
            eprintln!(
                "{}",
                match args.dry_run.dry_run {
                    true => "dry run: nothing applied",
                    false => "nothing to apply",
                }
            );
        }
        unreadable(&plan)?;
        return refused(&plan).map(|()| Outcome::Done);
    }
    if !out.json() {
        print_plan(out, &plan);
    }
    if !args.yes && !confirm(applicable, &plan)? {
        return Err(CliError::Usage("not applied: nothing was written".into()));
    }
    let progress = Progress::new(out, "actions");
    progress.total(u64::try_from(applicable).ok());
    let report = sync.apply(&plan, |_| progress.advance(1)).await;
    progress.finish();
    if out.json() {
        out.json_line(&json!({ "plan": plan, "report": report }));
    } else {
        output::write_stdout(&terminal_safe(&report.to_string()));
    }
    let failed = report.total().failed;
    if failed > 0 {
        return Err(CliError::Reported { failed });
    }
    unreadable(&plan)?;
    refused(&plan)?;
    Ok(Outcome::Done)
}

/// Reads the roster, finds each organization's credentials, and plans (with a progress bar
/// over organizations).
async fn make_plan(args: &PlanArgs, context: &Context) -> Result<(RosterSync, Plan), CliError> {
    let mut roster = Roster::from_path(&args.roster)
        .map_err(|errors| CliError::Usage(format!("{}: {errors}", args.roster.display())))?;
    if let Some(wanted) = context.org_flag() {
        let target = context.organization()?;
        let id = target.organization.id().to_owned();
        let Some(people) = roster.organizations.remove(&id) else {
            return Err(CliError::Usage(format!(
                "--org {wanted}: the roster names no organization {id}"
            )));
        };
        roster.organizations.clear();
        roster.organizations.insert(id, people);
    }
    let options = &args.options;
    let mut sync_options = SyncOptions::new()
        .prune(options.prune)
        .allow_protected(options.allow_protected)
        .max_destructive(options.max_destructive)
        .force(options.force)
        .concurrency(options.concurrency);
    let mut sync_handles = Vec::with_capacity(roster.organizations.len());
    for id in roster.organizations.keys() {
        let target = context.organization_by_id(id)?;
        if let Some(user) = &target.acting_user {
            sync_options = sync_options.acting_user(user);
        }
        sync_handles.push(target.organization);
    }
    let mut sync = RosterSync::new(context.client()?).options(sync_options);
    for handle in sync_handles {
        sync = sync.organization(handle);
    }
    let progress = Progress::new(context.output(), "organizations");
    progress.total(u64::try_from(roster.organizations.len()).ok());
    let plan = sync
        .plan_with_progress(&roster, |_| progress.advance(1))
        .await
        .map_err(|errors| CliError::Usage(format!("{}: {errors}", args.roster.display())));
    progress.finish();
    Ok((sync, plan?))
}

fn print_plan(out: &Output, plan: &Plan) {
    if out.json() {
        out.json_line(plan);
    } else {
        output::write_stdout(&terminal_safe(&plan.to_string()));
    }
}

/// Exit 1 when an organization could not be read: its drift is unknown.
fn unreadable(plan: &Plan) -> Result<(), CliError> {
    let failed = plan
        .organizations
        .iter()
        .filter(|organization| matches!(organization.status, OrganizationStatus::Unreadable { .. }))
        .count();
    match failed {
        0 => Ok(()),
        failed => Err(CliError::Reported { failed }),
    }
}

/// Exit 2 when the safety rules refused an organization (nothing was written to it).
fn refused(plan: &Plan) -> Result<(), CliError> {
    let refused: Vec<&str> = plan
        .organizations
        .iter()
        .filter(|organization| matches!(organization.status, OrganizationStatus::Refused { .. }))
        .map(|organization| organization.organization_id.as_str())
        .collect();
    match refused.is_empty() {
        true => Ok(()),
        false => Err(CliError::Usage(format!(
            "refused by the safety rules (see the plan; nothing was written to them): {}",
            output::cell(Some(&refused.join(", ")))
        ))),
    }
}

/// Asks on the terminal; only `y` or `yes` applies.
fn confirm(applicable: usize, plan: &Plan) -> Result<bool, CliError> {
    let organizations = plan
        .organizations
        .iter()
        .filter(|organization| {
            organization.status.is_applicable() && !organization.actions.is_empty()
        })
        .count();
    eprint!("Apply {applicable} action(s) to {organizations} organization(s)? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|error| CliError::Usage(format!("could not read the answer: {error}")))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// Multi-line text with server-given names in it, safe for a terminal: control characters
/// other than line breaks become `?`.
fn terminal_safe(text: &str) -> String {
    text.chars()
        .map(|character| match character {
            '\n' => '\n',
            character if character.is_control() => '?',
            character => character,
        })
        .collect()
}
