//! `users roles USER_ID [--set ROLES | --grant ROLES | --revoke ROLES]`.
//!
//! Every change reads the user first and shows the roles before and after. `--set` replaces
//! the whole set: it is refused for a user holding `owner`, `support` or an unknown role
//! (the API cannot give those back) unless `--force`. `--grant` and `--revoke` are the SDK's
//! read-change-write helpers, which refuse such users outright.

use super::args::role;
use super::{DryRunReport, print_written, protected_roles, refuse_protected, user_path};
use crate::command::{Context, DryRun, Outcome};
use crate::failure::CliError;
use crate::output::{self, joined};
use parchment_api_ext::Role;
use serde_json::json;

#[derive(Debug, clap::Args)]
pub(crate) struct RolesArgs {
    /// Parchment's id of the user.
    user_id: String,
    /// Replace every role with these, comma-separated.
    #[arg(long, value_delimiter = ',', value_parser = role, conflicts_with_all = ["grant", "revoke"])]
    set: Option<Vec<Role>>,
    /// Add these roles, comma-separated.
    #[arg(long, value_delimiter = ',', value_parser = role, conflicts_with = "revoke")]
    grant: Option<Vec<Role>>,
    /// Remove these roles, comma-separated.
    #[arg(long, value_delimiter = ',', value_parser = role)]
    revoke: Option<Vec<Role>>,
    /// With --set: replace even the roles of a user holding `owner`, `support` or an unknown
    /// role (those roles are lost).
    #[arg(long, requires = "set")]
    force: bool,
    #[command(flatten)]
    dry_run: DryRun,
}

const FORCE_SET: &str = "Pass --force if that is intended";
const SET_INSTEAD: &str = "Use --set ROLES --force if that is intended";

enum Change {
    Set(Vec<Role>),
    Grant(Vec<Role>),
    Revoke(Vec<Role>),
}

pub(super) async fn roles(args: RolesArgs, context: &Context) -> Result<Outcome, CliError> {
    let target = context.organization()?;
    let users = target.organization.users();
    let change = match (args.set, args.grant, args.revoke) {
        (Some(roles), None, None) => Change::Set(roles),
        (None, Some(roles), None) => Change::Grant(roles),
        (None, None, Some(roles)) => Change::Revoke(roles),
        _ => {
            if args.dry_run.dry_run {
                return Err(CliError::Usage(
                    "--dry-run needs a change: --set, --grant or --revoke".into(),
                ));
            }
            return show(&users, &args.user_id, context).await;
        }
    };
    let user = users.fresh().get(&args.user_id).await?;
    let before = user.roles.clone();
    let after = match &change {
        Change::Set(roles) => {
            refuse_protected(&user, args.force, "replacing their roles", FORCE_SET)?;
            distinct(roles.iter())
        }
        Change::Grant(roles) => {
            refuse_protected(&user, false, "rewriting their roles", SET_INSTEAD)?;
            distinct(before.iter().filter(|r| **r != Role::Member).chain(roles))
        }
        Change::Revoke(roles) => {
            refuse_protected(&user, false, "rewriting their roles", SET_INSTEAD)?;
            distinct(
                before
                    .iter()
                    .filter(|r| **r != Role::Member && !roles.contains(r)),
            )
        }
    };
    if after.is_empty() {
        return Err(CliError::Usage(
            "refused: that would leave the user with no role; disable them instead".into(),
        ));
    }
    let lost = protected_roles(&user)
        .into_iter()
        .filter(|role| !after.contains(role))
        .collect::<Vec<_>>();
    let mut effect = format!("roles {} -> {}", joined(&before), joined(&after));
    if !lost.is_empty() {
        effect.push_str(&format!(" (loses {})", joined(&lost)));
    }
    if same_set(&before, &after) {
        if context.output().json() {
            context.output().json_line(&json!({
                "action": "unchanged", "user_id": user.user_id, "roles": before,
                "request_id": user.request_id(), "dry_run": args.dry_run.dry_run,
            }));
        } else {
            output::write_stdout(&format!(
                "unchanged: {} already holds {} (nothing was written)\n",
                output::cell(Some(&user.user_id)),
                joined(&before)
            ));
        }
        return Ok(Outcome::Done);
    }
    if args.dry_run.dry_run {
        return Ok(DryRunReport {
            action: "replace user roles",
            user_id: Some(&args.user_id),
            request: format!(
                "PUT {}",
                user_path(target.organization.id(), &args.user_id, "/roles")
            ),
            fields: vec![("access_roles".to_owned(), joined(&after))],
            effect: Some(effect),
        }
        .print(context));
    }
    if !context.output().json() {
        eprintln!("changing {}: {effect}", output::cell(Some(&user.user_id)));
    }
    let written = match change {
        Change::Set(roles) => users.set_roles(&args.user_id, roles).await?,
        Change::Grant(roles) => users.grant_roles(&args.user_id, roles).await?,
        Change::Revoke(roles) => users.revoke_roles(&args.user_id, roles).await?,
    };
    print_written(
        context,
        "roles set",
        &written.user_id,
        written.request_id(),
        Some(joined(&written.roles)),
        json!({ "previous_roles": before, "roles": written.roles }),
    );
    Ok(Outcome::Done)
}

async fn show(
    users: &parchment_api_ext::Users,
    user_id: &str,
    context: &Context,
) -> Result<Outcome, CliError> {
    let user = users.get(user_id).await?;
    if context.output().json() {
        context.output().json_line(&json!({
            "user_id": user.user_id, "roles": user.roles, "request_id": user.request_id(),
        }));
    } else {
        output::write_stdout(&format!(
            "{}: {}\n",
            output::cell(Some(&user.user_id)),
            joined(&user.roles)
        ));
    }
    Ok(Outcome::Done)
}

fn same_set(a: &[Role], b: &[Role]) -> bool {
    a.iter().all(|role| b.contains(role)) && b.iter().all(|role| a.contains(role))
}

fn distinct<'a>(roles: impl Iterator<Item = &'a Role>) -> Vec<Role> {
    let mut out: Vec<Role> = Vec::new();
    for role in roles {
        if !out.contains(role) {
            out.push(role.clone());
        }
    }
    out
}
