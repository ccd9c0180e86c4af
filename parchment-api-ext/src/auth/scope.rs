//! [`Scope`]: what a token may do.

use std::fmt;
use std::str::FromStr;

/// A permission a token is requested with. On the wire as `action:resource` (`read:users`);
/// Parchment's endpoint pages also write them upper-case (`READ_USERS`), which [`FromStr`] reads
/// too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Scope {
    /// `create:patient`.
    CreatePatient,
    /// `read:patient`.
    ReadPatient,
    /// `update:patient`.
    UpdatePatient,
    /// `read:patient_prescription`.
    ReadPatientPrescription,
    /// `create:user`.
    CreateUser,
    /// `read:user`.
    ReadUser,
    /// `read:users`.
    ReadUsers,
    /// `update:user`: update, replace roles, enable and disable.
    UpdateUser,
    /// `delete:user`.
    DeleteUser,
    /// `create:custom_drug`: create user-level drugs and bulk-create organization drugs.
    CreateCustomDrug,
    /// `read:custom_drug`: list either catalogue.
    ReadCustomDrug,
    /// `update:custom_drug`: update a user-level drug.
    UpdateCustomDrug,
    /// `delete:custom_drug`: delete every organization drug.
    DeleteCustomDrug,
    /// A scope this version of the SDK does not know, sent as given.
    Other(String),
}

impl Scope {
    /// What every user operation of this SDK needs: list, read, create, update (and roles,
    /// enable, disable), delete. An organization grants only those it allows.
    pub const USER_OPERATIONS: &'static [Scope] = &[
        Scope::ReadUsers,
        Scope::ReadUser,
        Scope::CreateUser,
        Scope::UpdateUser,
        Scope::DeleteUser,
    ];

    /// What creating patients needs. Updating one also needs [`Scope::UpdatePatient`], which
    /// Parchment lists as "coming soon": ask for it only when you update patients, as an
    /// organization may not grant it yet.
    pub const PATIENT_OPERATIONS: &'static [Scope] = &[Scope::CreatePatient];

    /// What reading a patient's prescriptions (the list and one by Script ID) needs.
    pub const PRESCRIPTION_OPERATIONS: &'static [Scope] = &[Scope::ReadPatientPrescription];

    /// What every custom-drug operation needs: create, read, update, delete.
    pub const CUSTOM_DRUG_OPERATIONS: &'static [Scope] = &[
        Scope::CreateCustomDrug,
        Scope::ReadCustomDrug,
        Scope::UpdateCustomDrug,
        Scope::DeleteCustomDrug,
    ];

    /// Every documented scope.
    pub const ALL: &'static [Scope] = &[
        Scope::CreatePatient,
        Scope::ReadPatient,
        Scope::UpdatePatient,
        Scope::ReadPatientPrescription,
        Scope::CreateUser,
        Scope::ReadUser,
        Scope::ReadUsers,
        Scope::UpdateUser,
        Scope::DeleteUser,
        Scope::CreateCustomDrug,
        Scope::ReadCustomDrug,
        Scope::UpdateCustomDrug,
        Scope::DeleteCustomDrug,
    ];

    /// The wire spelling, `action:resource`.
    pub fn as_str(&self) -> &str {
        match self {
            Scope::CreatePatient => "create:patient",
            Scope::ReadPatient => "read:patient",
            Scope::UpdatePatient => "update:patient",
            Scope::ReadPatientPrescription => "read:patient_prescription",
            Scope::CreateUser => "create:user",
            Scope::ReadUser => "read:user",
            Scope::ReadUsers => "read:users",
            Scope::UpdateUser => "update:user",
            Scope::DeleteUser => "delete:user",
            Scope::CreateCustomDrug => "create:custom_drug",
            Scope::ReadCustomDrug => "read:custom_drug",
            Scope::UpdateCustomDrug => "update:custom_drug",
            Scope::DeleteCustomDrug => "delete:custom_drug",
            Scope::Other(other) => other,
        }
    }
}

impl FromStr for Scope {
    type Err = std::convert::Infallible;

    /// Reads `read:users` and `READ_USERS` alike; anything else is [`Scope::Other`].
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let normalized = text.trim().to_ascii_lowercase().replacen('_', ":", 1);
        let known = Scope::ALL
            .iter()
            .find(|scope| scope.as_str() == text.trim() || scope.as_str() == normalized);
        Ok(known
            .cloned()
            .unwrap_or_else(|| Scope::Other(text.trim().to_owned())))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of scopes in a canonical order, so that `[a, b]` and `[b, a]` share cached tokens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ScopeSet(Vec<String>);

impl ScopeSet {
    pub(crate) fn new<'a>(scopes: impl IntoIterator<Item = &'a Scope>) -> Self {
        let mut wire: Vec<String> = scopes.into_iter().map(|s| s.as_str().to_owned()).collect();
        wire.sort();
        wire.dedup();
        Self(wire)
    }

    pub(crate) fn wire(&self) -> &[String] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_spellings() {
        let parse = |text: &str| text.parse::<Scope>().expect("infallible");
        assert_eq!(parse("read:users"), Scope::ReadUsers);
        assert_eq!(parse("READ_USERS"), Scope::ReadUsers);
        assert_eq!(
            parse("READ_PATIENT_PRESCRIPTION"),
            Scope::ReadPatientPrescription
        );
        assert_eq!(parse("CREATE_USER"), Scope::CreateUser);
        assert_eq!(parse("create:custom_drug"), Scope::CreateCustomDrug);
        assert_eq!(parse("DELETE_CUSTOM_DRUG"), Scope::DeleteCustomDrug);
        assert_eq!(
            parse("admin:everything"),
            Scope::Other("admin:everything".into())
        );
    }

    #[test]
    fn a_scope_set_ignores_order_and_repeats() {
        let a = ScopeSet::new(&[Scope::ReadUser, Scope::UpdateUser, Scope::ReadUser]);
        let b = ScopeSet::new(&[Scope::UpdateUser, Scope::ReadUser]);
        assert_eq!(a, b);
        assert_eq!(a.wire(), ["read:user", "update:user"]);
    }
}
