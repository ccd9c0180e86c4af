//! `users list` and `users get`.

use crate::command::{Context, Outcome};
use crate::failure::CliError;
use crate::output::{self, cell, joined};
use crate::progress::Progress;
use futures::TryStreamExt;
use parchment_api_ext::{User, UserSummary};
use serde_json::json;

/// `users list [--page-size N] [--max N]`
#[derive(Debug, clap::Args)]
pub(crate) struct ListArgs {
    /// Users per request, 1 to 100.
    #[arg(long, default_value_t = 100)]
    page_size: u32,
    /// Stop after this many users (default: every user).
    #[arg(long, value_name = "N")]
    max: Option<usize>,
}

/// `users get USER_ID`
#[derive(Debug, clap::Args)]
pub(crate) struct GetArgs {
    /// Parchment's id of the user.
    user_id: String,
}

pub(super) async fn list(args: ListArgs, context: &Context) -> Result<Outcome, CliError> {
    let out = context.output();
    let target = context.organization()?;
    let users = target.organization.users();
    let progress = Progress::new(out, "users");
    let mut pages = std::pin::pin!(users.list().limit(args.page_size).pages());
    let mut listed: Vec<UserSummary> = Vec::new();
    let mut count = 0usize;
    let result = async {
        while let Some(page) = pages.try_next().await? {
            progress.total(page.total);
            let mut page_users = page.into_inner().users;
            if let Some(max) = args.max {
                page_users.truncate(max.saturating_sub(count));
            }
            count += page_users.len();
            progress.advance(page_users.len());
            if out.json() {
                // JSON lines as the pages arrive: a script sees users before the last page.
                for user in &page_users {
                    out.json_line(user);
                }
            } else {
                listed.extend(page_users);
            }
            if args.max.is_some_and(|max| count >= max) {
                break;
            }
        }
        Ok::<_, CliError>(())
    }
    .await;
    progress.finish();
    result?;
    if !out.json() {
        let rows: Vec<Vec<String>> = listed.iter().map(summary_row).collect();
        let mut text = output::table(&["USER ID", "EMAIL", "EXTERNAL ID", "NAME", "ROLES"], &rows);
        text.push_str(&format!("{count} user(s) in {}\n", target.label()));
        output::write_stdout(&text);
    }
    Ok(Outcome::Done)
}

fn summary_row(user: &UserSummary) -> Vec<String> {
    vec![
        cell(Some(&user.user_id)),
        cell(user.email.as_deref()),
        cell(user.external_user_id.as_deref()),
        cell(user.full_name.as_deref()),
        match &user.roles {
            Some(roles) => joined(roles),
            None => "?".to_owned(), // the page did not report them
        },
    ]
}

pub(super) async fn get(args: GetArgs, context: &Context) -> Result<Outcome, CliError> {
    let out = context.output();
    let target = context.organization()?;
    let user = target.organization.users().get(&args.user_id).await?;
    if out.json() {
        let mut document = serde_json::to_value(&*user).unwrap_or_default();
        if let Some(object) = document.as_object_mut() {
            object.insert("request_id".into(), json!(user.request_id()));
        }
        out.json_line(&document);
    } else {
        let mut text = output::fields(&user_fields(&user));
        text.push_str(&format!("(request id {})\n", cell(user.request_id())));
        output::write_stdout(&text);
    }
    Ok(Outcome::Done)
}

/// A user as `key: value` lines, provider details last.
pub(super) fn user_fields(user: &User) -> Vec<(&'static str, String)> {
    let mut pairs = vec![
        ("user_id", cell(Some(&user.user_id))),
        ("email", cell(user.email.as_deref())),
        ("external_user_id", cell(user.external_user_id.as_deref())),
        ("full_name", cell(user.full_name.as_deref())),
        ("roles", joined(&user.roles)),
    ];
    if let Some(details) = &user.provider_details {
        let text = |value: &Option<String>| cell(value.as_deref());
        pairs.extend([
            ("title", text(&details.title)),
            ("given_name", text(&details.given_name)),
            ("family_name", text(&details.family_name)),
            (
                "date_of_birth",
                details
                    .date_of_birth
                    .map(|date| date.to_string())
                    .unwrap_or_else(|| text(&details.date_of_birth_unparsed)),
            ),
            ("sex", cell(details.sex.as_ref().map(|sex| sex.as_str()))),
            ("hpii_number", text(&details.hpii_number)),
            (
                "prescriber_type",
                cell(details.prescriber_type.as_ref().map(|kind| kind.as_str())),
            ),
            ("prescriber_number", text(&details.prescriber_number)),
            ("provider_number", text(&details.provider_number)),
            ("ahpra_number", text(&details.ahpra_number)),
            ("qualifications", text(&details.qualifications)),
        ]);
    }
    pairs
}
