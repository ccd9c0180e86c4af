//! The server-defined enums: roles, sex and prescriber type, all open (see `open_enum`).

use crate::open_enum::open_enum;

open_enum! {
    /// A user's role in an organization.
    ///
    /// Only [`Role::is_assignable`] roles can be given through the API; `owner`, `support` and
    /// `member` appear on reads only.
    pub enum Role {
        /// Administrator with extensive permissions.
        Admin = "admin",
        /// Healthcare provider (prescriber).
        Provider = "provider",
        /// Front desk or reception staff.
        Receptionist = "receptionist",
        /// Read-only access to prescriptions.
        RxReader = "rx_reader",
        /// Manages prescription queues.
        RxQueueManager = "rx_queue_manager",
        /// Organization owner; never assignable through the API.
        Owner = "owner",
        /// Parchment support; never assignable through the API.
        Support = "support",
        /// Baseline membership (what a re-enabled user has); never assignable through the API.
        Member = "member",
    }
}

impl Role {
    /// The roles the API accepts on writes.
    pub const ASSIGNABLE: &'static [Role] = &[
        Role::Admin,
        Role::Provider,
        Role::Receptionist,
        Role::RxReader,
        Role::RxQueueManager,
    ];

    /// Whether the API lets a partner assign this role. Unknown roles are not assignable: the
    /// SDK cannot vouch for them.
    pub fn is_assignable(&self) -> bool {
        Self::ASSIGNABLE.contains(self)
    }
}

open_enum! {
    /// A provider's sex. Writes accept `M`, `F`, `I` and `N`; reads may also show `O`.
    pub enum Sex {
        /// `M`.
        Male = "M",
        /// `F`.
        Female = "F",
        /// `I`: indeterminate.
        Indeterminate = "I",
        /// `N`: not stated.
        NotStated = "N",
        /// `O`: seen on reads only; not accepted on writes.
        Other = "O",
    }
}

impl Sex {
    /// Whether the API accepts this value on writes.
    pub fn is_writable(&self) -> bool {
        matches!(
            self,
            Sex::Male | Sex::Female | Sex::Indeterminate | Sex::NotStated
        )
    }
}

open_enum! {
    /// A prescriber's type, by the letter Parchment uses.
    ///
    /// Parchment's reference has two lists; this is their union. `N` and `P` come only from the
    /// older list (`M/N/D/P/T`), which does not say what they stand for.
    pub enum PrescriberType {
        /// `M`: medical practitioner.
        Medical = "M",
        /// `E`: optometrist.
        Optometrist = "E",
        /// `U`: nurse.
        Nurse = "U",
        /// `F`: midwife.
        Midwife = "F",
        /// `D`: dentist.
        Dentist = "D",
        /// `V`: veterinarian.
        Veterinarian = "V",
        /// `T`: podiatrist. The only type that needs no prescriber number.
        Podiatrist = "T",
        /// `C`: pharmacist.
        Pharmacist = "C",
        /// `N`, from the older list.
        LegacyN = "N",
        /// `P`, from the older list.
        LegacyP = "P",
    }
}

impl PrescriberType {
    /// Whether a prescriber of this type must have a prescriber number (every type but `T`).
    pub fn requires_prescriber_number(&self) -> bool {
        *self != PrescriberType::Podiatrist
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_known_value_is_that_value_and_unknowns_stay_unknown() {
        let parsed: Role = "admin".parse().expect("infallible");
        let decoded: Role = serde_json::from_str("\"admin\"").expect("a string");
        assert_eq!(parsed, Role::Admin);
        assert_eq!(decoded, Role::Admin);
        assert_eq!(Role::from("admin"), Role::Admin);
        let unknown = Role::from("clinic_manager");
        assert!(unknown.is_unknown());
        assert_eq!(unknown.as_str(), "clinic_manager");
        assert_eq!(
            serde_json::to_string(&unknown).expect("a string"),
            "\"clinic_manager\""
        );
        match unknown {
            Role::Unknown(value) => assert_eq!(value.as_str(), "clinic_manager"),
            known => panic!("{known:?} is not unknown"),
        }
    }
}
