//! [`Scope`]: what a token may do, an open enum like the roles.
//!
//! Parchment's token endpoint takes scopes as `action:resource` (`read:users`); its endpoint
//! pages also write them upper-case with an underscore (`READ_USERS`). Both spellings read as the
//! same scope, in any case; scopes this version does not know are kept, and sent, as given.

use crate::open_enum::open_enum;

open_enum! {
    case_insensitive;
    /// A permission a token is requested with. Sent as `action:resource` (`read:users`); read
    /// from that or the `READ_USERS` form, in any case. Parse (`"read:users".parse()`, or
    /// `Scope::from`) to name a scope this version does not list.
    pub enum Scope {
        /// `create:patient`.
        CreatePatient = "create:patient" | "create_patient",
        /// `read:patient`.
        ReadPatient = "read:patient" | "read_patient",
        /// `update:patient`.
        UpdatePatient = "update:patient" | "update_patient",
        /// `read:patient_prescription`.
        ReadPatientPrescription = "read:patient_prescription" | "read_patient_prescription",
        /// `create:user`.
        CreateUser = "create:user" | "create_user",
        /// `read:user`.
        ReadUser = "read:user" | "read_user",
        /// `read:users`.
        ReadUsers = "read:users" | "read_users",
        /// `update:user`: update, replace roles, enable and disable.
        UpdateUser = "update:user" | "update_user",
        /// `delete:user`.
        DeleteUser = "delete:user" | "delete_user",
        /// `create:custom_drug`: create user-level drugs and bulk-create organization drugs.
        CreateCustomDrug = "create:custom_drug" | "create_custom_drug",
        /// `read:custom_drug`: list either catalogue.
        ReadCustomDrug = "read:custom_drug" | "read_custom_drug",
        /// `update:custom_drug`: update a user-level drug.
        UpdateCustomDrug = "update:custom_drug" | "update_custom_drug",
        /// `delete:custom_drug`: delete every organization drug.
        DeleteCustomDrug = "delete:custom_drug" | "delete_custom_drug",
    }
}

impl Scope {
    /// What every user operation of the SDK needs: list, read, create, update (and roles,
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

    /// Every documented scope (the same list as [`Scope::KNOWN`]).
    pub const ALL: &'static [Scope] = Scope::KNOWN;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Scope {
        let Ok(scope) = text.parse::<Scope>();
        scope
    }

    #[test]
    fn reads_both_spellings_in_any_case() {
        assert_eq!(parse("read:users"), Scope::ReadUsers);
        assert_eq!(parse("READ_USERS"), Scope::ReadUsers);
        assert_eq!(parse("Read:Users"), Scope::ReadUsers);
        assert_eq!(
            parse("READ_PATIENT_PRESCRIPTION"),
            Scope::ReadPatientPrescription
        );
        assert_eq!(parse("create:custom_drug"), Scope::CreateCustomDrug);
        assert_eq!(parse("DELETE_CUSTOM_DRUG"), Scope::DeleteCustomDrug);
    }

    #[test]
    fn an_unknown_scope_is_kept_and_sent_as_given() {
        let scope = parse("admin:everything");
        assert!(scope.is_unknown());
        assert_eq!(scope.as_str(), "admin:everything");
    }

    #[test]
    fn a_known_scope_cannot_be_made_unknown() {
        // The one constructor of an unknown value is the parser, which matches known ones first.
        assert_eq!(Scope::from("update:user"), Scope::UpdateUser);
        assert!(!Scope::from("UPDATE_USER").is_unknown());
    }

    #[test]
    fn every_known_scope_reads_back_from_its_wire_spelling() {
        for scope in Scope::ALL {
            assert_eq!(&parse(scope.as_str()), scope);
            assert_eq!(
                &parse(&scope.as_str().to_ascii_uppercase().replacen(':', "_", 1)),
                scope
            );
        }
        assert_eq!(Scope::ALL.len(), 13);
    }

    #[test]
    fn scopes_travel_as_their_wire_spelling() {
        let json = serde_json::to_string(&[Scope::ReadUser, parse("x:y")]).expect("serializes");
        assert_eq!(json, r#"["read:user","x:y"]"#);
    }
}
