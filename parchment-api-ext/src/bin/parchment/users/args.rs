//! Arguments shared by the user writes: roles, sex, prescriber type and provider details,
//! parsed with the SDK's own types (unknown values are usage errors, never sent).

use chrono::NaiveDate;
use parchment_api_ext::{NewUser, PrescriberType, ProviderDetailsUpdate, Role, Sex};

/// A role name, as the API spells it (`admin`, `rx_reader`, ...).
pub(crate) fn role(text: &str) -> Result<Role, String> {
    let Ok(role) = text.trim().parse::<Role>();
    if role.is_unknown() {
        return Err(format!(
            "unknown role `{}`; the assignable roles are {}",
            text.trim(),
            names(Role::ASSIGNABLE)
        ));
    }
    Ok(role)
}

fn sex(text: &str) -> Result<Sex, String> {
    let Ok(sex) = text.trim().parse::<Sex>();
    match sex.is_writable() {
        true => Ok(sex),
        false => Err("sex must be M, F, I or N".to_owned()),
    }
}

fn prescriber_type(text: &str) -> Result<PrescriberType, String> {
    let Ok(kind) = text.trim().parse::<PrescriberType>();
    if kind.is_unknown() {
        return Err(format!(
            "unknown prescriber type; one of {}",
            names(PrescriberType::KNOWN)
        ));
    }
    Ok(kind)
}

fn date(text: &str) -> Result<NaiveDate, String> {
    text.trim()
        .parse()
        .map_err(|_| "a date of birth is written YYYY-MM-DD".to_owned())
}

fn names<T: std::fmt::Display>(values: &[T]) -> String {
    values
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Provider fields, for `create` and `update`. Each is sent only when given.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct ProviderArgs {
    /// Professional title, such as Dr.
    #[arg(long)]
    title: Option<String>,
    /// Phone number.
    #[arg(long)]
    phone: Option<String>,
    /// Date of birth, YYYY-MM-DD.
    #[arg(long, value_parser = date, value_name = "YYYY-MM-DD")]
    date_of_birth: Option<NaiveDate>,
    /// Sex: M, F, I or N.
    #[arg(long, value_parser = sex)]
    sex: Option<Sex>,
    /// HPI-I number.
    #[arg(long)]
    hpii_number: Option<String>,
    /// Prescriber type, by its letter (M, E, U, F, D, V, T, C, ...).
    #[arg(long, value_parser = prescriber_type, value_name = "LETTER")]
    prescriber_type: Option<PrescriberType>,
    /// PBS prescriber number.
    #[arg(long)]
    prescriber_number: Option<String>,
    /// Qualifications, such as "MBBS, FRACGP".
    #[arg(long)]
    qualifications: Option<String>,
    /// Medicare provider number.
    #[arg(long)]
    provider_number: Option<String>,
    /// AHPRA registration number.
    #[arg(long)]
    ahpra_number: Option<String>,
    /// Hospital provider number.
    #[arg(long)]
    hospital_provider_number: Option<String>,
}

impl ProviderArgs {
    /// The fields given, by their wire names, for a dry run to show.
    pub(crate) fn fields(&self, prefix: &str) -> Vec<(String, String)> {
        let text = |value: &Option<String>| value.clone();
        [
            ("title", text(&self.title)),
            ("phone", text(&self.phone)),
            (
                "date_of_birth",
                self.date_of_birth.map(|date| date.to_string()),
            ),
            ("sex", self.sex.as_ref().map(ToString::to_string)),
            ("hpii_number", text(&self.hpii_number)),
            (
                "prescriber_type",
                self.prescriber_type.as_ref().map(ToString::to_string),
            ),
            ("prescriber_number", text(&self.prescriber_number)),
            ("qualifications", text(&self.qualifications)),
            ("provider_number", text(&self.provider_number)),
            ("ahpra_number", text(&self.ahpra_number)),
            (
                "hospital_provider_number",
                text(&self.hospital_provider_number),
            ),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|value| (format!("{prefix}{name}"), value)))
        .collect()
    }

    /// Sets the given fields on a user to create.
    pub(crate) fn apply_to_new(self, mut user: NewUser) -> NewUser {
        macro_rules! set {
            ($($field:ident),+) => {$(
                if let Some(value) = self.$field {
                    user = user.$field(value);
                }
            )+};
        }
        set!(
            title,
            phone,
            date_of_birth,
            sex,
            hpii_number,
            prescriber_type,
            prescriber_number,
            qualifications,
            provider_number,
            ahpra_number,
            hospital_provider_number
        );
        user
    }

    /// Sets the given fields on a provider-details update.
    pub(crate) fn apply_to_update(
        self,
        mut update: ProviderDetailsUpdate,
    ) -> ProviderDetailsUpdate {
        macro_rules! set {
            ($($field:ident),+) => {$(
                if let Some(value) = self.$field {
                    update = update.$field(value);
                }
            )+};
        }
        set!(
            title,
            phone,
            date_of_birth,
            sex,
            hpii_number,
            prescriber_type,
            prescriber_number,
            qualifications,
            provider_number,
            ahpra_number,
            hospital_provider_number
        );
        update
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_by_wire_name_and_unknown_ones_are_refused() {
        assert_eq!(role("rx_reader"), Ok(Role::RxReader));
        assert!(role("superuser").is_err_and(|message| message.contains("admin, provider")));
    }
}
