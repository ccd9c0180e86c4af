//! `users update|create|enable|disable`: writes, each with `--dry-run`.

use super::args::{ProviderArgs, role};
use super::{DryRunReport, print_written, refuse_protected, user_path};
use crate::command::{Context, DryRun, Outcome};
use crate::failure::CliError;
use crate::output::{self, joined};
use parchment_api_ext::{NewUser, ProviderDetailsUpdate, Role, UserUpdate};
use serde_json::json;

/// `users update USER_ID [--full-name ..] [provider fields]`
#[derive(Debug, clap::Args)]
pub(crate) struct UpdateArgs {
    /// Parchment's id of the user.
    user_id: String,
    /// The display name.
    #[arg(long)]
    full_name: Option<String>,
    /// The provider's given name (provider details).
    #[arg(long)]
    given_name: Option<String>,
    /// The provider's family name (provider details).
    #[arg(long)]
    family_name: Option<String>,
    /// The eRx entity id (provider details).
    #[arg(long)]
    erx_entity_id: Option<String>,
    #[command(flatten)]
    provider: ProviderArgs,
    #[command(flatten)]
    dry_run: DryRun,
}

/// `users create --given-name .. --family-name .. --email .. [--roles ..] [provider fields]`
#[derive(Debug, clap::Args)]
pub(crate) struct CreateArgs {
    /// Given name.
    #[arg(long)]
    given_name: String,
    /// Family name.
    #[arg(long)]
    family_name: String,
    /// Email address.
    #[arg(long)]
    email: String,
    /// Roles, comma-separated (admin, provider, receptionist, rx_reader, rx_queue_manager).
    #[arg(long, value_delimiter = ',', value_parser = role)]
    roles: Vec<Role>,
    /// The partner's own id of the user.
    #[arg(long)]
    partner_user_id: Option<String>,
    #[command(flatten)]
    provider: ProviderArgs,
    #[command(flatten)]
    dry_run: DryRun,
}

/// `users enable USER_ID [--roles ..]`
#[derive(Debug, clap::Args)]
pub(crate) struct EnableArgs {
    /// Parchment's id of the user.
    user_id: String,
    /// Roles to give once enabled, comma-separated (else the user holds only `member`).
    #[arg(long, value_delimiter = ',', value_parser = role)]
    roles: Vec<Role>,
    #[command(flatten)]
    dry_run: DryRun,
}

/// `users disable USER_ID [--force]`
#[derive(Debug, clap::Args)]
pub(crate) struct DisableArgs {
    /// Parchment's id of the user.
    user_id: String,
    /// Disable even a user holding `owner`, `support` or an unknown role.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    dry_run: DryRun,
}

pub(super) async fn update(args: UpdateArgs, context: &Context) -> Result<Outcome, CliError> {
    let target = context.organization()?;
    let prefix = "provider_details.";
    let mut fields: Vec<(String, String)> = Vec::new();
    fields.extend(
        args.full_name
            .clone()
            .map(|name| ("full_name".to_owned(), name)),
    );
    for (name, value) in [
        ("given_name", &args.given_name),
        ("family_name", &args.family_name),
        ("erx_entity_id", &args.erx_entity_id),
    ] {
        fields.extend(
            value
                .clone()
                .map(|value| (format!("{prefix}{name}"), value)),
        );
    }
    fields.extend(args.provider.fields(prefix));
    if fields.is_empty() {
        return Err(CliError::Usage(
            "nothing to update: give --full-name or provider fields (see --help)".into(),
        ));
    }
    if args.dry_run.dry_run {
        return Ok(DryRunReport {
            action: "update user",
            user_id: Some(&args.user_id),
            request: format!(
                "PUT {}",
                user_path(target.organization.id(), &args.user_id, "")
            ),
            fields,
            effect: None,
        }
        .print(context));
    }
    let mut update = UserUpdate::new();
    if let Some(name) = args.full_name {
        update = update.full_name(name);
    }
    let has_details = fields.iter().any(|(name, _)| name.starts_with(prefix));
    if has_details {
        let mut details = args.provider.apply_to_update(ProviderDetailsUpdate::new());
        if let Some(value) = args.given_name {
            details = details.given_name(value);
        }
        if let Some(value) = args.family_name {
            details = details.family_name(value);
        }
        if let Some(value) = args.erx_entity_id {
            details = details.erx_entity_id(value);
        }
        update = update.provider_details(details);
    }
    let updated = target
        .organization
        .users()
        .update(&args.user_id, update)
        .await?;
    let names: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
    print_written(
        context,
        "updated",
        &updated.user_id,
        updated.request_id(),
        Some(names.join(", ")),
        json!({ "fields": names }),
    );
    Ok(Outcome::Done)
}

pub(super) async fn create(args: CreateArgs, context: &Context) -> Result<Outcome, CliError> {
    let target = context.organization()?;
    if args.dry_run.dry_run {
        let mut fields = vec![
            ("given_name".to_owned(), args.given_name),
            ("family_name".to_owned(), args.family_name),
            ("email".to_owned(), args.email),
        ];
        if !args.roles.is_empty() {
            fields.push(("access_roles".to_owned(), joined(&args.roles)));
        }
        fields.extend(
            args.partner_user_id
                .map(|id| ("partner_user_id".to_owned(), id)),
        );
        fields.extend(args.provider.fields(""));
        return Ok(DryRunReport {
            action: "create a user",
            user_id: None,
            request: format!("POST /v1/organizations/{}/users", target.organization.id()),
            fields,
            effect: None,
        }
        .print(context));
    }
    let mut user = NewUser::new(args.given_name, args.family_name, args.email);
    if !args.roles.is_empty() {
        user = user.roles(args.roles);
    }
    if let Some(id) = args.partner_user_id {
        user = user.partner_user_id(id);
    }
    let user = args.provider.apply_to_new(user);
    let created = target.organization.users().create(user).await?;
    print_written(
        context,
        "created",
        &created.user_id,
        created.request_id(),
        None,
        json!({ "external_user_id": created.external_user_id, "url": created.url }),
    );
    Ok(Outcome::Done)
}

pub(super) async fn enable(args: EnableArgs, context: &Context) -> Result<Outcome, CliError> {
    let target = context.organization()?;
    let users = target.organization.users();
    if args.dry_run.dry_run {
        let path = |tail| user_path(target.organization.id(), &args.user_id, tail);
        let mut request = format!("PUT {}", path("/enable"));
        let mut fields = Vec::new();
        if !args.roles.is_empty() {
            request.push_str(&format!(", then PUT {}", path("/roles")));
            fields.push(("access_roles".to_owned(), joined(&args.roles)));
        }
        return Ok(DryRunReport {
            action: "enable user",
            user_id: Some(&args.user_id),
            request,
            fields,
            effect: None,
        }
        .print(context));
    }
    if args.roles.is_empty() {
        let enabled = users.enable(&args.user_id).await?;
        print_written(
            context,
            "enabled",
            &enabled.user_id,
            enabled.request_id(),
            Some("roles member".to_owned()),
            json!({ "roles": ["member"] }),
        );
    } else {
        let enabled = users.enable_with_roles(&args.user_id, args.roles).await?;
        print_written(
            context,
            "enabled",
            &enabled.user_id,
            enabled.request_id(),
            Some(format!("roles {}", joined(&enabled.roles))),
            json!({ "roles": enabled.roles }),
        );
    }
    Ok(Outcome::Done)
}

pub(super) async fn disable(args: DisableArgs, context: &Context) -> Result<Outcome, CliError> {
    let target = context.organization()?;
    let users = target.organization.users();
    // Read first: the operator sees whom they lock out, and owners are protected.
    let user = users.fresh().get(&args.user_id).await?;
    let effect = format!(
        "{} ({}) can no longer sign in; roles {} drop to member",
        output::cell(Some(&user.user_id)),
        output::cell(user.email.as_deref()),
        joined(&user.roles)
    );
    refuse_protected(
        &user,
        args.force,
        "disabling them",
        "Pass --force if that is intended",
    )?;
    if args.dry_run.dry_run {
        return Ok(DryRunReport {
            action: "disable user",
            user_id: Some(&args.user_id),
            request: format!(
                "PUT {}",
                user_path(target.organization.id(), &args.user_id, "/disable")
            ),
            fields: Vec::new(),
            effect: Some(effect),
        }
        .print(context));
    }
    if !context.output().json() {
        eprintln!("disabling: {effect}");
    }
    let disabled = users.disable(&args.user_id).await?;
    print_written(
        context,
        "disabled",
        &disabled.user_id,
        disabled.request_id(),
        None,
        json!({ "previous_roles": user.roles }),
    );
    Ok(Outcome::Done)
}
