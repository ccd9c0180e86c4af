//! Where the command line's credentials come from: a config file, or the `PARCHMENT_*`
//! variables.
//!
//! The config file is TOML (`--config PATH` or `PARCHMENT_CONFIG`):
//!
//! ```toml
//! environment = "sandbox"              # production | sandbox | dev; or base_url = "https://..."
//! default_organization = "clinic-a"    # used without --org (else: the only one, if one)
//! rate_limit = 10.0                    # optional: requests per second, across organizations
//!
//! [partner]                            # partner credentials: tokens obtained and renewed
//! id = "partner-id"
//! secret_env = "PARCHMENT_PARTNER_SECRET"   # or secret = "..."
//! acting_user = "usr_admin"            # optional default for every organization
//! # or, instead of [partner], a static token for one organization (the default one):
//! # access_token_env = "PARCHMENT_ACCESS_TOKEN"
//!
//! [organizations.clinic-a]
//! id = "org_a"
//! secret_env = "CLINIC_A_SECRET"       # or secret = "..."
//! acting_user = "usr_admin_a"
//! ```
//!
//! Each secret is given inline (`secret`) or, better, by the name of the environment variable
//! holding it (`secret_env`), never both. A secret is read only when its organization is used,
//! so a missing variable of one clinic does not stop commands about another. Secrets are never
//! printed: errors name the variable or the setting, and a TOML syntax error reports its line
//! with quoted text masked.

use crate::failure::CliError;
use parchment_api_ext::{
    Client, ClientBuilder, Environment, Organization, OrganizationCredentials, PartnerCredentials,
    Scope, env_vars,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The config file, as written. No `Debug`: it may hold inline secrets.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    environment: Option<String>,
    base_url: Option<String>,
    default_organization: Option<String>,
    rate_limit: Option<f64>,
    access_token: Option<String>,
    access_token_env: Option<String>,
    partner: Option<PartnerSection>,
    #[serde(default)]
    organizations: BTreeMap<String, OrganizationSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartnerSection {
    id: String,
    secret: Option<String>,
    secret_env: Option<String>,
    acting_user: Option<String>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct OrganizationSection {
    id: String,
    secret: Option<String>,
    secret_env: Option<String>,
    acting_user: Option<String>,
}

/// One organization to act on, with the name the config file gives it (if any) and the user
/// its calls on behalf of a user default to (the configured acting user, if any).
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) name: Option<String>,
    pub(crate) organization: Organization,
    pub(crate) acting_user: Option<String>,
}

impl Target {
    /// The name, else the id: how messages refer to the organization.
    pub(crate) fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(self.organization.id())
    }
}

type Lookup = Box<dyn Fn(&str) -> Option<String>>;

/// A client and the organizations it may act on.
pub(crate) struct Setup {
    client: Client,
    source: Source,
    lookup: Lookup,
    /// `[partner] acting_user`: the acting user of organizations that name none.
    partner_acting_user: Option<String>,
}

enum Source {
    /// The `PARCHMENT_*` variables: one default organization, one secret.
    Environment,
    /// A config file's organizations, by name.
    File {
        path: PathBuf,
        organizations: BTreeMap<String, OrganizationSection>,
        default: Option<String>,
    },
}

/// Reads the config file at `path`, or the `PARCHMENT_*` variables without one.
pub(crate) fn load(
    path: Option<&Path>,
    lookup: impl Fn(&str) -> Option<String> + 'static,
) -> Result<Setup, CliError> {
    let Some(path) = path else {
        let client = Client::from_vars(&lookup).map_err(CliError::Api)?;
        return Ok(Setup {
            client,
            source: Source::Environment,
            partner_acting_user: lookup(env_vars::USER_ID).filter(|user| !user.trim().is_empty()),
            lookup: Box::new(lookup),
        });
    };
    let text = std::fs::read_to_string(path).map_err(|error| {
        CliError::Config(format!(
            "could not read the config file {}: {error}",
            path.display()
        ))
    })?;
    let file: ConfigFile = toml::from_str(&text)
        .map_err(|error| CliError::Config(describe_toml_error(path, &text, &error)))?;
    let mut builder = client_from(&file, path, &lookup)?;
    if file.access_token.is_some() || file.access_token_env.is_some() {
        builder = builder.organization_secret(static_token_secret(&file, path, &lookup)?);
    }
    let client = builder.build().map_err(CliError::Api)?;
    if let Some(default) = &file.default_organization
        && !file.organizations.contains_key(default)
    {
        return Err(CliError::Config(format!(
            "{}: default_organization `{default}` is not one of [organizations]",
            path.display()
        )));
    }
    let partner_acting_user = file
        .partner
        .as_ref()
        .and_then(|partner| partner.acting_user.clone());
    Ok(Setup {
        client,
        partner_acting_user,
        source: Source::File {
            path: path.to_owned(),
            organizations: file.organizations,
            default: file.default_organization,
        },
        lookup: Box::new(lookup),
    })
}

/// A bearer token is issued for one organization: with `access_token`, the file names one
/// (the default, or the only one), and its secret goes to the client.
fn static_token_secret(
    file: &ConfigFile,
    path: &Path,
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<String, CliError> {
    let here = path.display();
    let name = match &file.default_organization {
        Some(name) => Some(name),
        None if file.organizations.len() == 1 => file.organizations.keys().next(),
        None => None,
    };
    let Some(section) = name.and_then(|name| file.organizations.get(name)) else {
        return Err(CliError::Config(format!(
            "{here}: a static access token serves one organization: name it in \
             default_organization, or use [partner] credentials for several"
        )));
    };
    secret(
        &format!(
            "{here}: [organizations.{}]",
            name.map_or("", String::as_str)
        ),
        section.secret.as_deref(),
        section.secret_env.as_deref(),
        lookup,
    )
}

/// The builder the file describes: where to call, how to authenticate, how fast.
fn client_from(
    file: &ConfigFile,
    path: &Path,
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<ClientBuilder, CliError> {
    let here = path.display();
    let mut builder = Client::builder();
    builder = match (&file.base_url, &file.environment) {
        (Some(_), Some(_)) => {
            return Err(CliError::Config(format!(
                "{here}: set environment or base_url, not both"
            )));
        }
        (Some(base_url), None) => builder.base_url(base_url),
        (None, Some(name)) => builder.environment(name.parse::<Environment>().map_err(|_| {
            CliError::Config(format!(
                "{here}: environment must be production, sandbox or dev"
            ))
        })?),
        (None, None) => {
            return Err(CliError::Config(format!(
                "{here}: set environment (production, sandbox or dev) or base_url"
            )));
        }
    };
    let token = optional_secret(
        &format!("{here}: access_token"),
        file.access_token.as_deref(),
        file.access_token_env.as_deref(),
        lookup,
    )?;
    builder = match (token, &file.partner) {
        (Some(_), Some(_)) => {
            return Err(CliError::Config(format!(
                "{here}: give [partner] credentials or an access token, not both"
            )));
        }
        (Some(token), None) => builder.access_token(token),
        (None, Some(partner)) => {
            let secret = secret(
                &format!("{here}: [partner]"),
                partner.secret.as_deref(),
                partner.secret_env.as_deref(),
                lookup,
            )?;
            let builder = builder.partner_credentials(PartnerCredentials::new(&partner.id, secret));
            match &partner.acting_user {
                Some(user) => builder.acting_user(user),
                None => builder,
            }
        }
        (None, None) => {
            return Err(CliError::Config(format!(
                "{here}: give [partner] credentials (id, secret_env) or access_token_env"
            )));
        }
    };
    if let Some(rate) = file.rate_limit {
        if !(rate.is_finite() && rate > 0.0) {
            return Err(CliError::Config(format!(
                "{here}: rate_limit must be a positive number of requests per second"
            )));
        }
        builder = builder.rate_limit(rate);
    }
    Ok(builder)
}

/// The secret given inline or through a variable; exactly one must be set.
fn secret(
    what: &str,
    inline: Option<&str>,
    variable: Option<&str>,
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<String, CliError> {
    optional_secret(what, inline, variable, lookup)?
        .ok_or_else(|| CliError::Config(format!("{what}: set secret_env (or secret)")))
}

fn optional_secret(
    what: &str,
    inline: Option<&str>,
    variable: Option<&str>,
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<Option<String>, CliError> {
    match (inline, variable) {
        (Some(_), Some(_)) => Err(CliError::Config(format!(
            "{what}: give the secret inline or by variable (…_env), not both"
        ))),
        (Some(inline), None) if inline.trim().is_empty() => {
            Err(CliError::Config(format!("{what}: the secret is empty")))
        }
        (Some(inline), None) => Ok(Some(inline.to_owned())),
        (None, Some(variable)) => match lookup(variable) {
            Some(value) if !value.trim().is_empty() => Ok(Some(value)),
            _ => Err(CliError::Config(format!(
                "{what}: the variable {variable} is not set (or empty)"
            ))),
        },
        (None, None) => Ok(None),
    }
}

/// TOML's error with its line, but without its excerpt of the file (the line may hold a
/// secret) and with quoted values in the message masked.
fn describe_toml_error(path: &Path, text: &str, error: &toml::de::Error) -> String {
    let line = error
        .span()
        .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
    let mut message = String::new();
    let mut quoted = false;
    for character in error.message().chars() {
        if character == '"' {
            quoted = !quoted;
            message.push_str(if quoted { "\"…" } else { "\"" });
        } else if !quoted {
            message.push(character);
        }
    }
    match line {
        Some(line) => format!("{}: line {line}: {}", path.display(), message.trim()),
        None => format!("{}: {}", path.display(), message.trim()),
    }
}

impl Setup {
    /// The organization named (by config name or id), or the default one.
    pub(crate) fn select(&self, wanted: Option<&str>) -> Result<Target, CliError> {
        self.select_scoped(wanted, None)
    }

    /// [`select`](Self::select), its tokens asking for `scopes` instead of the client's (user
    /// operations): patients and prescriptions need scopes of their own, asked for only by
    /// the commands that use them, since an organization grants only what it allows.
    pub(crate) fn select_scoped(
        &self,
        wanted: Option<&str>,
        scopes: Option<&'static [Scope]>,
    ) -> Result<Target, CliError> {
        match &self.source {
            // The variables' organization secret belongs to their organization: another
            // organization has its own secret, so it needs a config file naming it.
            Source::Environment => {
                let organization = self.client.default_organization().map_err(CliError::Api)?;
                if let Some(id) = wanted
                    && id != organization.id()
                {
                    return Err(CliError::Config(format!(
                        "no credentials for organization {id}: the PARCHMENT_* variables hold \
                         the secret of {} only; name other organizations, each with its own \
                         secret, in a config file (--config)",
                        organization.id()
                    )));
                }
                // With the variables' own secret, so that the scopes are this handle's.
                let secret = (self.lookup)(env_vars::ORGANIZATION_SECRET)
                    .filter(|secret| !secret.trim().is_empty());
                let organization = match (scopes, secret) {
                    (Some(scopes), Some(secret)) => self
                        .client
                        .organization_with(
                            organization.id(),
                            OrganizationCredentials::new(secret).scopes(scopes),
                        )
                        .map_err(CliError::Api)?,
                    _ => organization,
                };
                Ok(Target {
                    name: None,
                    organization,
                    acting_user: self.partner_acting_user.clone(),
                })
            }
            Source::File {
                path,
                organizations,
                default,
            } => {
                let here = path.display();
                let name = match wanted.or(default.as_deref()) {
                    Some(wanted) => organizations
                        .iter()
                        .find(|(name, section)| *name == wanted || section.id == wanted)
                        .map(|(name, _)| name)
                        .ok_or_else(|| {
                            CliError::Config(format!(
                                "{here}: no organization named `{wanted}` or with that id"
                            ))
                        })?,
                    None if organizations.len() == 1 => organizations
                        .keys()
                        .next()
                        .ok_or_else(|| CliError::Config(format!("{here}: no [organizations]")))?,
                    None => {
                        return Err(CliError::Usage(format!(
                            "{here} names {} organizations and no default_organization: \
                             choose one with --org NAME",
                            organizations.len()
                        )));
                    }
                };
                self.target(name, &organizations[name], scopes)
            }
        }
    }

    /// Every organization the configuration names (the default one, from variables).
    pub(crate) fn all(&self) -> Result<Vec<Target>, CliError> {
        match &self.source {
            Source::Environment => Ok(vec![self.select(None)?]),
            Source::File {
                path,
                organizations,
                ..
            } => {
                if organizations.is_empty() {
                    return Err(CliError::Config(format!(
                        "{}: no [organizations]",
                        path.display()
                    )));
                }
                organizations
                    .iter()
                    .map(|(name, section)| self.target(name, section, None))
                    .collect()
            }
        }
    }

    /// The client every organization's handle is made from.
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// The configured organization with this id (never by config name: rosters and plans
    /// name organizations by id), with its own credentials; a clear configuration error when
    /// none is configured.
    pub(crate) fn by_id(&self, id: &str) -> Result<Target, CliError> {
        match &self.source {
            Source::Environment => self.select(Some(id)),
            Source::File {
                path,
                organizations,
                ..
            } => {
                let (name, section) = organizations
                    .iter()
                    .find(|(_, section)| section.id == id)
                    .ok_or_else(|| {
                        CliError::Config(format!(
                            "no credentials for organization {id}: {} has no \
                             [organizations.NAME] with id = \"{id}\"",
                            path.display()
                        ))
                    })?;
                self.target(name, section, None)
            }
        }
    }

    fn target(
        &self,
        name: &str,
        section: &OrganizationSection,
        scopes: Option<&'static [Scope]>,
    ) -> Result<Target, CliError> {
        let what = match &self.source {
            Source::File { path, .. } => format!("{}: [organizations.{name}]", path.display()),
            Source::Environment => format!("organization {name}"),
        };
        let secret = secret(
            &what,
            section.secret.as_deref(),
            section.secret_env.as_deref(),
            &self.lookup,
        )?;
        // Every organization of a config file, the default one too, is addressed with its
        // own secret: a client-wide secret belongs to one organization only.
        let mut credentials = OrganizationCredentials::new(secret);
        if let Some(user) = &section.acting_user {
            credentials = credentials.acting_user(user);
        }
        if let Some(scopes) = scopes {
            credentials = credentials.scopes(scopes);
        }
        let organization = self
            .client
            .organization_with(&section.id, credentials)
            .map_err(CliError::Api)?;
        Ok(Target {
            name: Some(name.to_owned()),
            organization,
            acting_user: section
                .acting_user
                .clone()
                .or_else(|| self.partner_acting_user.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_errors_keep_the_line_and_mask_quoted_text() {
        let text = "environment = \"sandbox\"\n[partner]\nid = 5\nsecret = \"hunter2-secret\"\n";
        let error = toml::from_str::<ConfigFile>(text).err();
        let message = error
            .map(|error| describe_toml_error(Path::new("p.toml"), text, &error))
            .unwrap_or_default();
        assert!(message.starts_with("p.toml: line 3:"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }
}
