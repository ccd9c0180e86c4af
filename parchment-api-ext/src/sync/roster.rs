//! [`Roster`]: who should be in each organization, with which roles; built in code or read
//! from a file (see the module docs of [`sync`](crate::sync) for the formats).

use super::error::{RosterError, RosterErrors};
use chrono::NaiveDate;
use parchment_api::{PrescriberType, Role, Sex};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fmt;

/// The desired users of every organization a sync covers, by organization id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Roster {
    /// Each organization's desired users, in the order they were given.
    pub organizations: BTreeMap<String, Vec<Person>>,
}

impl Roster {
    /// An empty roster.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `person` to `organization_id`'s roster.
    pub fn person(mut self, organization_id: impl Into<String>, person: Person) -> Self {
        self.add(organization_id, person);
        self
    }

    /// Adds `person` to `organization_id`'s roster.
    pub fn add(&mut self, organization_id: impl Into<String>, person: Person) {
        self.organizations
            .entry(organization_id.into())
            .or_default()
            .push(person);
    }

    /// Declares an organization with no desired users yet (with pruning, every user would be
    /// disabled; the destructive-action limit and the admin rule still apply).
    pub fn organization(mut self, organization_id: impl Into<String>) -> Self {
        self.organizations
            .entry(organization_id.into())
            .or_default();
        self
    }

    /// Every rule the roster breaks, each naming the organization, the person (by position)
    /// and the field: roles that cannot be assigned, an enabled person without roles, a blank
    /// email, the same email or partner id twice in one organization, provider details that
    /// cannot be written.
    pub fn check(&self) -> Result<(), RosterErrors> {
        let mut errors = Vec::new();
        for (organization_id, people) in &self.organizations {
            if organization_id.trim().is_empty() {
                errors.push(RosterError::new("organization_id", "must not be empty"));
            }
            let mut emails = HashSet::new();
            let mut partner_ids = HashSet::new();
            for (index, person) in people.iter().enumerate() {
                // A person read from a file is placed by its line; one built in code or read
                // from JSON by its position in the organization's list.
                let at = |error: RosterError| {
                    let error = error.in_organization(organization_id);
                    match person.source_line {
                        Some(line) => error.at_line(line),
                        None => error.at_record(index + 1),
                    }
                };
                for error in person.errors() {
                    errors.push(at(error));
                }
                if !person.email.trim().is_empty() && !emails.insert(person.email_key()) {
                    errors.push(at(RosterError::new(
                        "email",
                        "appears twice in this organization's roster",
                    )));
                }
                if let Some(id) = &person.partner_user_id
                    && !partner_ids.insert(id.clone())
                {
                    errors.push(at(RosterError::new(
                        "partner_user_id",
                        "appears twice in this organization's roster",
                    )));
                }
            }
        }
        RosterErrors::result(errors)
    }

    /// How many people the roster names, across organizations.
    pub fn len(&self) -> usize {
        self.organizations.values().map(Vec::len).sum()
    }

    /// Whether the roster names nobody.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One person as the partner's system says they should be in an organization.
///
/// Matched to a Parchment user by [`partner_user_id`](Self::partner_user_id) (against the
/// user's `external_user_id`), else by email, case-insensitively.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Person {
    /// The email: how the person is matched without a partner id, and required to create
    /// them. May be empty when `partner_user_id` is given (then the person is matched by that
    /// alone, and cannot be created).
    #[serde(default)]
    pub email: String,
    /// The partner's own id of the person. Parchment reports it as `external_user_id`, often
    /// prefixed with the partner's name (`PARTNER#USER_12345` for `USER_12345`): either form
    /// matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_user_id: Option<String>,
    /// Given name (needed to create the person).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family name (needed to create the person).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// The display name Parchment should show; when absent, "given family" when both are
    /// given, else the name is left as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Professional title for a new user (`Dr`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The roles the person should hold (assignable ones only; not empty when enabled).
    pub roles: Vec<Role>,
    /// Whether the person should be able to sign in. Disabling needs
    /// [`SyncOptions::prune`](super::SyncOptions::prune).
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// Prescriber details, for providers: required to create one, compared field by field
    /// (only the fields given) for an existing one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<ProviderProfile>,
    /// The line of the roster file this person came from, for messages.
    #[serde(skip)]
    pub(crate) source_line: Option<u64>,
}

fn enabled_by_default() -> bool {
    true
}

impl Person {
    /// A person matched by `email`, enabled, with no roles yet.
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            email: email.into(),
            partner_user_id: None,
            given_name: None,
            family_name: None,
            full_name: None,
            title: None,
            roles: Vec::new(),
            enabled: true,
            provider: None,
            source_line: None,
        }
    }

    /// Matches by the partner's own id first.
    pub fn partner_user_id(mut self, id: impl Into<String>) -> Self {
        self.partner_user_id = Some(id.into());
        self
    }

    /// Sets the given and family names (needed to create the person).
    pub fn name(mut self, given_name: impl Into<String>, family_name: impl Into<String>) -> Self {
        self.given_name = Some(given_name.into());
        self.family_name = Some(family_name.into());
        self
    }

    /// Sets the display name to keep in Parchment.
    pub fn full_name(mut self, full_name: impl Into<String>) -> Self {
        self.full_name = Some(full_name.into());
        self
    }

    /// Sets the professional title for a new user.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the roles the person should hold (repeats are dropped).
    pub fn roles(mut self, roles: impl IntoIterator<Item = Role>) -> Self {
        self.roles = Vec::new();
        for role in roles {
            if !self.roles.contains(&role) {
                self.roles.push(role);
            }
        }
        self
    }

    /// Sets whether the person should be able to sign in.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// Sets the prescriber details.
    pub fn provider(mut self, provider: ProviderProfile) -> Self {
        self.provider = Some(provider);
        self
    }

    /// The display name the roster asks for, if any.
    pub fn desired_full_name(&self) -> Option<String> {
        match (&self.full_name, &self.given_name, &self.family_name) {
            (Some(full), _, _) => Some(full.trim().to_owned()),
            (None, Some(given), Some(family)) => {
                Some(format!("{} {}", given.trim(), family.trim()))
            }
            _ => None,
        }
    }

    /// The email as matched: trimmed, lower case.
    pub(crate) fn email_key(&self) -> String {
        crate::users::find::email_key(&self.email)
    }

    /// Every rule this person breaks, by field.
    fn errors(&self) -> Vec<RosterError> {
        let mut errors = Vec::new();
        let email = self.email.trim();
        if email.is_empty() && self.partner_user_id.is_none() {
            errors.push(RosterError::new(
                "email",
                "is required (or a partner_user_id to match by)",
            ));
        } else if !email.is_empty() && !email.contains('@') {
            errors.push(RosterError::new("email", "must be an email address"));
        }
        if self
            .partner_user_id
            .as_deref()
            .is_some_and(|id| id.trim().is_empty())
        {
            errors.push(RosterError::new(
                "partner_user_id",
                "must not be blank when given",
            ));
        }
        for role in &self.roles {
            if !role.is_assignable() {
                errors.push(RosterError::new(
                    "roles",
                    format!(
                        "`{role}` cannot be assigned through the API (assignable: admin, provider, \
                         receptionist, rx_reader, rx_queue_manager)"
                    ),
                ));
            }
        }
        if self.enabled && self.roles.is_empty() {
            errors.push(RosterError::new(
                "roles",
                "an enabled person needs at least one role (Parchment requires a non-empty set)",
            ));
        }
        if let Some(provider) = &self.provider {
            errors.extend(provider.errors());
        }
        errors
    }

    /// The provider fields a create of this person still lacks (empty unless a provider).
    pub(crate) fn missing_for_create(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.email.trim().is_empty() {
            missing.push("email");
        }
        if self
            .given_name
            .as_deref()
            .is_none_or(|name| name.trim().is_empty())
        {
            missing.push("given_name");
        }
        if self
            .family_name
            .as_deref()
            .is_none_or(|name| name.trim().is_empty())
        {
            missing.push("family_name");
        }
        if self.roles.contains(&Role::Provider) {
            let profile = self.provider.clone().unwrap_or_default();
            let mut need = |field: &'static str, present: bool| {
                if !present {
                    missing.push(field);
                }
            };
            need("date_of_birth", profile.date_of_birth.is_some());
            need("sex", profile.sex.is_some());
            need("hpii_number", profile.hpii_number.is_some());
            need("prescriber_type", profile.prescriber_type.is_some());
            need("qualifications", profile.qualifications.is_some());
            let podiatrist = profile.prescriber_type == Some(PrescriberType::Podiatrist);
            need(
                "prescriber_number",
                podiatrist || profile.prescriber_number.is_some(),
            );
        }
        missing
    }
}

/// A provider's prescriber details as the roster gives them. Only the fields given are
/// compared and written.
///
/// `Debug` names the fields that are set, never their values (dates of birth and registration
/// numbers are personal data).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ProviderProfile {
    /// Date of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    /// Sex: `M`, `F`, `I` or `N`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// HPI-I number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hpii_number: Option<String>,
    /// Prescriber type (`M`, `T`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prescriber_type: Option<PrescriberType>,
    /// PBS prescriber number (not needed for type `T`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prescriber_number: Option<String>,
    /// Qualifications (`MBBS, FRACGP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualifications: Option<String>,
    /// Medicare provider number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_number: Option<String>,
    /// AHPRA registration number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ahpra_number: Option<String>,
    /// Hospital provider number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hospital_provider_number: Option<String>,
}

/// Builder setters for the profile's text fields.
macro_rules! profile_text {
    ($($(#[$doc:meta])* $field:ident),+ $(,)?) => {$(
        $(#[$doc])*
        pub fn $field(mut self, value: impl Into<String>) -> Self {
            self.$field = Some(value.into());
            self
        }
    )+};
}

impl ProviderProfile {
    /// No details yet.
    pub fn new() -> Self {
        Self::default()
    }

    profile_text! {
        /// Sets the phone number.
        phone,
        /// Sets the HPI-I number.
        hpii_number,
        /// Sets the prescriber number.
        prescriber_number,
        /// Sets the qualifications.
        qualifications,
        /// Sets the Medicare provider number.
        provider_number,
        /// Sets the AHPRA registration number.
        ahpra_number,
        /// Sets the hospital provider number.
        hospital_provider_number,
    }

    /// Sets the date of birth.
    pub fn date_of_birth(mut self, date: NaiveDate) -> Self {
        self.date_of_birth = Some(date);
        self
    }

    /// Sets the sex.
    pub fn sex(mut self, sex: Sex) -> Self {
        self.sex = Some(sex);
        self
    }

    /// Sets the prescriber type.
    pub fn prescriber_type(mut self, prescriber_type: PrescriberType) -> Self {
        self.prescriber_type = Some(prescriber_type);
        self
    }

    /// The names of the fields that are set, in a fixed order.
    pub fn field_names(&self) -> Vec<&'static str> {
        let set = [
            ("date_of_birth", self.date_of_birth.is_some()),
            ("sex", self.sex.is_some()),
            ("phone", self.phone.is_some()),
            ("hpii_number", self.hpii_number.is_some()),
            ("prescriber_type", self.prescriber_type.is_some()),
            ("prescriber_number", self.prescriber_number.is_some()),
            ("qualifications", self.qualifications.is_some()),
            ("provider_number", self.provider_number.is_some()),
            ("ahpra_number", self.ahpra_number.is_some()),
            (
                "hospital_provider_number",
                self.hospital_provider_number.is_some(),
            ),
        ];
        set.into_iter()
            .filter_map(|(name, present)| present.then_some(name))
            .collect()
    }

    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        self.field_names().is_empty()
    }

    /// The rules Parchment applies to written provider fields.
    fn errors(&self) -> Vec<RosterError> {
        let mut errors = Vec::new();
        let field = |name: &str| format!("provider.{name}");
        if let Some(sex) = &self.sex
            && !sex.is_writable()
        {
            errors.push(RosterError::new(field("sex"), "must be M, F, I or N"));
        }
        if let Some(kind) = &self.prescriber_type {
            if kind.is_unknown() {
                errors.push(RosterError::new(
                    field("prescriber_type"),
                    "must be one of M, N, D, P, T, E, U, F, V, C",
                ));
            }
            if self.qualifications.is_none() {
                errors.push(RosterError::new(
                    field("qualifications"),
                    "is required with a prescriber_type",
                ));
            }
            if kind.requires_prescriber_number() && self.prescriber_number.is_none() {
                errors.push(RosterError::new(
                    field("prescriber_number"),
                    "is required with a prescriber_type other than T",
                ));
            }
        }
        let length_ok = |value: &str| (1..=10).contains(&value.chars().count());
        if let Some(number) = &self.prescriber_number
            && !length_ok(number)
        {
            errors.push(RosterError::new(
                field("prescriber_number"),
                "must be 1 to 10 characters",
            ));
        }
        if let Some(number) = &self.provider_number
            && (!length_ok(number) || !number.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            errors.push(RosterError::new(
                field("provider_number"),
                "must be 1 to 10 letters or digits",
            ));
        }
        errors
    }
}

impl fmt::Debug for ProviderProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderProfile")
            .field("fields_set", &self.field_names())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_names_organization_record_and_field() {
        let roster = Roster::new()
            .person("org-a", Person::new("a@example.com").roles([Role::Owner]))
            .person("org-a", Person::new("A@example.com ").roles([Role::Admin]))
            .person("org-a", Person::new("").enabled(false));
        let errors = roster.check().expect_err("three problems");
        let text = errors.to_string();
        assert!(
            text.contains("organization org-a, record 1, field `roles`"),
            "{text}"
        );
        assert!(
            text.contains("record 2, field `email`: appears twice"),
            "{text}"
        );
        assert!(
            text.contains("record 3, field `email`: is required"),
            "{text}"
        );
        let by_partner_id = Person::new("")
            .partner_user_id("USER_1")
            .roles([Role::Admin]);
        assert!(Roster::new().person("org-a", by_partner_id).check().is_ok());
        assert_eq!(errors.len(), 3);
    }

    #[test]
    fn provider_profile_debug_shows_field_names_only() {
        let profile = ProviderProfile::new()
            .hpii_number("8003614900029560")
            .date_of_birth(NaiveDate::from_ymd_opt(1969, 10, 2).expect("a date"));
        let debug = format!("{profile:?}");
        assert!(debug.contains("hpii_number") && debug.contains("date_of_birth"));
        assert!(!debug.contains("8003614900029560") && !debug.contains("1969"));
    }

    #[test]
    fn a_provider_to_create_needs_the_provider_fields() {
        let person = Person::new("p@example.com")
            .name("Pat", "Lee")
            .roles([Role::Provider])
            .provider(
                ProviderProfile::new()
                    .prescriber_type(PrescriberType::Podiatrist)
                    .qualifications("BPod"),
            );
        assert_eq!(
            person.missing_for_create(),
            ["date_of_birth", "sex", "hpii_number"]
        );
    }
}
