//! `parchment orgs ...`: organization-level operations.

use crate::command::{Context, DryRun, Outcome, Run};
use crate::failure::{self, CliError};
use crate::output::{self, cell};
use serde_json::json;

/// `parchment orgs ...`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum OrgsCommand {
    /// Check the credentials against each organization and mark it integrated with the
    /// partner (GET .../validate): the selected organization, or every configured one with
    /// --all. Continues past failures; exits 1 if any failed.
    Validate(ValidateArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct ValidateArgs {
    /// Every organization of the config file (or the one --org names).
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    dry_run: DryRun,
}

impl Run for OrgsCommand {
    async fn run(self, context: &Context) -> Result<Outcome, CliError> {
        match self {
            OrgsCommand::Validate(args) => validate(args, context).await,
        }
    }
}

async fn validate(args: ValidateArgs, context: &Context) -> Result<Outcome, CliError> {
    let out = context.output();
    let targets = match args.all {
        true => context.organizations()?,
        false => vec![context.organization()?],
    };
    if args.dry_run.dry_run {
        for target in &targets {
            if out.json() {
                out.json_line(&json!({
                    "dry_run": true, "action": "validate",
                    "name": target.name, "organization_id": target.organization.id(),
                }));
            } else {
                output::write_stdout(&format!(
                    "dry run: would validate {} (GET /v1/organizations/{}/validate)\n",
                    target.label(),
                    target.organization.id()
                ));
            }
        }
        return Ok(Outcome::Done);
    }
    let mut rows = Vec::new();
    let mut failed = 0;
    for target in &targets {
        match target.organization.validate().await {
            Ok(response) => {
                if out.json() {
                    out.json_line(&json!({
                        "name": target.name, "organization_id": target.organization.id(),
                        "validated": *response, "request_id": response.request_id(),
                    }));
                }
                rows.push(vec![
                    cell(target.name.as_deref()),
                    cell(Some(target.organization.id())),
                    if *response { "yes" } else { "no" }.to_owned(),
                    cell(response.request_id()),
                ]);
            }
            Err(error) if targets.len() == 1 => return Err(CliError::Api(error)),
            Err(error) => {
                failed += 1;
                failure::report_api_error(out, &error, Some(target.label()));
            }
        }
    }
    if !out.json() && !rows.is_empty() {
        output::write_stdout(&output::table(
            &["NAME", "ORGANIZATION ID", "VALIDATED", "REQUEST ID"],
            &rows,
        ));
    }
    match failed {
        0 => Ok(Outcome::Done),
        failed => Err(CliError::Reported { failed }),
    }
}
