//! `parchment users ...`: one organization's users. Reads in `read.rs`, writes in `write.rs`,
//! roles in `roles.rs`; shared arguments in `args.rs`.

mod args;
mod read;
mod roles;
mod write;

use crate::command::{Context, Outcome, Run};
use crate::failure::CliError;
use crate::output;
use parchment_api_ext::{Role, User};
use serde_json::json;

/// `parchment users ...`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum UsersCommand {
    /// List the organization's users (every page, or --max of them). JSON lines with --json.
    List(read::ListArgs),
    /// Read one user in full, with provider details for prescribers.
    Get(read::GetArgs),
    /// Change a user's name or provider details; only the fields given are sent.
    Update(write::UpdateArgs),
    /// Show a user's roles, or change them: --set replaces them all, --grant adds, --revoke
    /// removes.
    Roles(roles::RolesArgs),
    /// Create a user (providers need their prescriber details).
    Create(write::CreateArgs),
    /// Re-enable a user; with --roles, give them roles too (an enabled user holds only
    /// `member` until then).
    Enable(write::EnableArgs),
    /// Disable a user: sign-in is blocked and their roles drop to `member`.
    Disable(write::DisableArgs),
}

impl Run for UsersCommand {
    async fn run(self, context: &Context) -> Result<Outcome, CliError> {
        match self {
            UsersCommand::List(args) => read::list(args, context).await,
            UsersCommand::Get(args) => read::get(args, context).await,
            UsersCommand::Update(args) => write::update(args, context).await,
            UsersCommand::Roles(args) => roles::roles(args, context).await,
            UsersCommand::Create(args) => write::create(args, context).await,
            UsersCommand::Enable(args) => write::enable(args, context).await,
            UsersCommand::Disable(args) => write::disable(args, context).await,
        }
    }
}

/// The roles a user holds that the API cannot write back (`owner`, `support`, unknown ones):
/// replacing their roles or disabling them would lose these. `member` is the baseline of a
/// re-enabled user and is meant to be replaced.
fn protected_roles(user: &User) -> Vec<Role> {
    user.roles
        .iter()
        .filter(|role| !role.is_assignable() && **role != Role::Member)
        .cloned()
        .collect()
}

/// Refuses (exit 2, nothing written) to do `doing` to a user holding protected roles, unless
/// forced; `hint` says how to force it.
fn refuse_protected(user: &User, force: bool, doing: &str, hint: &str) -> Result<(), CliError> {
    let protected = protected_roles(user);
    if protected.is_empty() || force {
        return Ok(());
    }
    Err(CliError::Usage(format!(
        "refused: user {} holds {}, which the API cannot give back; {doing} would lose it. \
         {hint} (nothing was written)",
        user.user_id,
        output::joined(&protected)
    )))
}

/// What a write would send, printed instead of sending it.
struct DryRunReport<'a> {
    action: &'static str,
    user_id: Option<&'a str>,
    request: String,
    fields: Vec<(String, String)>,
    /// What would change, in words (for destructive writes).
    effect: Option<String>,
}

impl DryRunReport<'_> {
    fn print(self, context: &Context) -> Outcome {
        let out = context.output();
        if out.json() {
            let fields: serde_json::Map<String, serde_json::Value> = self
                .fields
                .into_iter()
                .map(|(name, value)| (name, json!(value)))
                .collect();
            out.json_line(&json!({
                "dry_run": true,
                "action": self.action,
                "user_id": self.user_id,
                "request": self.request,
                "fields": fields,
                "effect": self.effect,
            }));
        } else {
            let mut text = format!("dry run: would {} ({})\n", self.action, self.request);
            for (name, value) in &self.fields {
                text.push_str(&format!("  {name}: {}\n", output::cell(Some(value))));
            }
            if let Some(effect) = &self.effect {
                text.push_str(&format!("  effect: {effect}\n"));
            }
            text.push_str("nothing was written\n");
            output::write_stdout(&text);
        }
        Outcome::Done
    }
}

/// Prints a write's result: the user and the request id.
fn print_written(
    context: &Context,
    action: &'static str,
    user_id: &str,
    request_id: Option<&str>,
    detail: Option<String>,
    extra: serde_json::Value,
) {
    let out = context.output();
    if out.json() {
        let mut document = json!({
            "action": action, "user_id": user_id, "request_id": request_id,
        });
        if let (Some(document), serde_json::Value::Object(extra)) =
            (document.as_object_mut(), extra)
        {
            document.extend(extra);
        }
        out.json_line(&document);
    } else {
        let detail = detail
            .map(|detail| format!(": {detail}"))
            .unwrap_or_default();
        output::write_stdout(&format!(
            "{action}: {}{detail} (request id {})\n",
            output::cell(Some(user_id)),
            output::cell(request_id)
        ));
    }
}

/// The path of a user's resource, for dry runs to show.
fn user_path(context_org: &str, user_id: &str, tail: &str) -> String {
    format!("/v1/organizations/{context_org}/users/{user_id}{tail}")
}
