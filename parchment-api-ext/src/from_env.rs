//! [`Client::from_env`](crate::Client::from_env): a client from `PARCHMENT_*` variables (see
//! [`env_vars`]), and the named organizations a partner configures that way.
//!
//! Three shapes of configuration:
//!
//! - one organization with a bearer token: `PARCHMENT_ACCESS_TOKEN`,
//!   `PARCHMENT_ORGANIZATION_ID`, `PARCHMENT_ORGANIZATION_SECRET`;
//! - partner credentials for one default organization: `PARCHMENT_PARTNER_ID`,
//!   `PARCHMENT_PARTNER_SECRET`, `PARCHMENT_USER_ID`, and the organization's id and secret;
//! - partner credentials without a single organization: the partner's variables alone
//!   (organizations are then given with
//!   [`Client::organization_with`](crate::Client::organization_with)), and/or named
//!   organizations: `PARCHMENT_ORGANIZATIONS=CLINIC_A,CLINIC_B` with, for each name,
//!   `PARCHMENT_ORG_<NAME>_ID`, `PARCHMENT_ORG_<NAME>_SECRET` and optionally
//!   `PARCHMENT_ORG_<NAME>_USER_ID`, reached with
//!   [`Client::named_organization`](crate::Client::named_organization).
//!
//! Time limits, retries and the rate limit come from `PARCHMENT_TIMEOUT_SECS`,
//! `PARCHMENT_CONNECT_TIMEOUT_SECS`, `PARCHMENT_ATTEMPT_TIMEOUT_SECS`,
//! `PARCHMENT_CALL_DEADLINE_SECS`, `PARCHMENT_MAX_ATTEMPTS` and `PARCHMENT_RATE_LIMIT`. Every
//! missing or malformed variable is a [`Configuration`](crate::ErrorKind::Configuration) error
//! naming it, never echoing its value.

use crate::auth::{OrganizationCredentials, PartnerCredentials};
use crate::client::Client;
use crate::config::{ClientBuilder, env_vars};
use crate::error::{Error, Result};
use crate::organization::Organization;
use crate::retry::RetryPolicy;
use std::time::Duration;

/// One organization configured under a name (see [`ClientBuilder::named_organization`]).
#[derive(Clone)]
pub(crate) struct NamedOrganization {
    pub(crate) organization_id: String,
    pub(crate) credentials: OrganizationCredentials,
}

impl Client {
    /// The organization configured under `name` (by
    /// [`ClientBuilder::named_organization`] or `PARCHMENT_ORGANIZATIONS`), with its own
    /// credentials. Names are matched without regard to case.
    pub fn named_organization(&self, name: &str) -> Result<Organization> {
        let key = name.trim().to_ascii_uppercase();
        match self.engine().named_organizations.get(&key) {
            Some(named) => {
                self.organization_with(named.organization_id.clone(), named.credentials.clone())
            }
            None => Err(Error::configuration(format!(
                "no organization is configured under the name {key}"
            ))),
        }
    }

    /// The names of the configured organizations (upper case, sorted).
    pub fn organization_names(&self) -> impl Iterator<Item = &str> {
        self.engine().named_organizations.keys().map(String::as_str)
    }
}

impl ClientBuilder {
    /// Configures organization `organization_id` under `name` (letters, digits and `_`; kept
    /// in upper case), reached with [`Client::named_organization`].
    pub fn named_organization(
        mut self,
        name: &str,
        organization_id: impl Into<String>,
        credentials: OrganizationCredentials,
    ) -> Self {
        self.named_organizations.push((
            name.trim().to_ascii_uppercase(),
            NamedOrganization {
                organization_id: organization_id.into(),
                credentials,
            },
        ));
        self
    }
}

/// Checks the names given to [`ClientBuilder::named_organization`] (at build time).
pub(crate) fn check_name(name: &str) -> Result<()> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit() || byte == b'_')
    {
        return Err(Error::configuration(format!(
            "organization name {name:?} must be letters, digits and _ only"
        )));
    }
    Ok(())
}

/// The builder the variables describe.
pub(crate) fn builder_from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<ClientBuilder> {
    let non_empty = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
    let missing = |name: &str| Error::configuration(format!("{name} is not set (or empty)"));
    let required = |name: &str| non_empty(name).ok_or_else(|| missing(name));
    let named = named_organizations(&non_empty, &required)?;
    let organization_id = non_empty(env_vars::ORGANIZATION_ID);
    let organization_secret = non_empty(env_vars::ORGANIZATION_SECRET);
    let mut builder = match non_empty(env_vars::ACCESS_TOKEN) {
        Some(token) => Client::builder()
            .access_token(token)
            .organization_secret(required(env_vars::ORGANIZATION_SECRET)?)
            .default_organization(required(env_vars::ORGANIZATION_ID)?),
        None if non_empty(env_vars::PARTNER_ID).is_some() => {
            let mut builder = Client::builder().partner_credentials(PartnerCredentials::new(
                required(env_vars::PARTNER_ID)?,
                required(env_vars::PARTNER_SECRET)?,
            ));
            // Each named organization may act as its own user; the client's is needed only
            // when one of them (or the default organization) has none.
            let every_named_has_a_user = !named.is_empty()
                && named
                    .iter()
                    .all(|(_, org)| org.credentials.acting_user.is_some());
            match non_empty(env_vars::USER_ID) {
                Some(user_id) => builder = builder.acting_user(user_id),
                None if every_named_has_a_user && organization_id.is_none() => {}
                None => return Err(missing(env_vars::USER_ID)),
            }
            match (organization_id, organization_secret) {
                (Some(id), Some(secret)) => {
                    builder = builder.default_organization(id).organization_secret(secret);
                }
                (Some(_), None) => return Err(missing(env_vars::ORGANIZATION_SECRET)),
                // A secret bound to no organization would go with whichever id is addressed.
                (None, Some(_)) => {
                    return Err(Error::configuration(format!(
                        "{} is set without {}: set both, or neither (and give organizations \
                         their own with {})",
                        env_vars::ORGANIZATION_SECRET,
                        env_vars::ORGANIZATION_ID,
                        env_vars::ORGANIZATIONS
                    )));
                }
                (None, None) => {}
            }
            builder
        }
        None => {
            return Err(Error::configuration(format!(
                "{} is not set (or empty); or set {}, {} and {}",
                env_vars::ACCESS_TOKEN,
                env_vars::PARTNER_ID,
                env_vars::PARTNER_SECRET,
                env_vars::USER_ID
            )));
        }
    };
    for (name, org) in named {
        builder = builder.named_organization(&name, org.organization_id, org.credentials);
    }
    builder = match (
        non_empty(env_vars::BASE_URL),
        non_empty(env_vars::ENVIRONMENT),
    ) {
        (Some(base_url), _) => builder.base_url(base_url),
        (None, Some(name)) => builder.environment(name.parse().map_err(|_| {
            Error::configuration(format!(
                "{} must be production, sandbox or dev",
                env_vars::ENVIRONMENT
            ))
        })?),
        (None, None) => {
            return Err(Error::configuration(format!(
                "set {} or {}",
                env_vars::ENVIRONMENT,
                env_vars::BASE_URL
            )));
        }
    };
    let seconds = |name: &str| {
        non_empty(name)
            .map(|value| match value.trim().parse::<f64>() {
                Ok(secs) if secs.is_finite() && secs > 0.0 && secs < 1e9 => {
                    Ok(Duration::from_secs_f64(secs))
                }
                _ => Err(Error::configuration(format!(
                    "{name} must be a positive number of seconds"
                ))),
            })
            .transpose()
    };
    if let Some(timeout) = seconds(env_vars::TIMEOUT_SECS)? {
        builder = builder.timeout(timeout);
    }
    if let Some(timeout) = seconds(env_vars::CONNECT_TIMEOUT_SECS)? {
        builder = builder.connect_timeout(timeout);
    }
    if let Some(timeout) = seconds(env_vars::ATTEMPT_TIMEOUT_SECS)? {
        builder = builder.attempt_timeout(timeout);
    }
    if let Some(deadline) = seconds(env_vars::CALL_DEADLINE_SECS)? {
        builder = builder.call_deadline(deadline);
    }
    if let Some(value) = non_empty(env_vars::MAX_ATTEMPTS) {
        let attempts = value
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|attempts| (1..=100).contains(attempts))
            .ok_or_else(|| {
                Error::configuration(format!(
                    "{} must be a whole number from 1 to 100",
                    env_vars::MAX_ATTEMPTS
                ))
            })?;
        builder = builder.retry_policy(RetryPolicy::new().max_attempts(attempts));
    }
    if let Some(value) = non_empty(env_vars::RATE_LIMIT) {
        let rate = value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|rate| rate.is_finite() && *rate > 0.0)
            .ok_or_else(|| {
                Error::configuration(format!(
                    "{} must be a positive number of requests a second",
                    env_vars::RATE_LIMIT
                ))
            })?;
        builder = builder.rate_limit(rate);
    }
    Ok(builder)
}

/// The organizations `PARCHMENT_ORGANIZATIONS` names, each with its variables.
fn named_organizations(
    non_empty: &impl Fn(&str) -> Option<String>,
    required: &impl Fn(&str) -> Result<String>,
) -> Result<Vec<(String, NamedOrganization)>> {
    let Some(list) = non_empty(env_vars::ORGANIZATIONS) else {
        return Ok(Vec::new());
    };
    let mut named = Vec::new();
    for name in list
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        let name = name.to_ascii_uppercase();
        check_name(&name).map_err(|_| {
            Error::configuration(format!(
                "{}: organization names must be letters, digits and _ only",
                env_vars::ORGANIZATIONS
            ))
        })?;
        let var = |suffix: &str| format!("{}{name}_{suffix}", env_vars::ORGANIZATION_PREFIX);
        let mut credentials = OrganizationCredentials::new(required(&var("SECRET"))?);
        if let Some(user_id) = non_empty(&var("USER_ID")) {
            credentials = credentials.acting_user(user_id);
        }
        named.push((
            name.clone(),
            NamedOrganization {
                organization_id: required(&var("ID"))?,
                credentials,
            },
        ));
    }
    Ok(named)
}
