//! The server-defined enums of patients and prescriptions, all open (see `open_enum`), and
//! compared without regard to case on read: Parchment's pages spell them more than one way
//! (`Active` and `ACTIVE`, `aboriginal` and `Aboriginal`, `G` and `gold`).

use crate::open_enum::open_enum;

open_enum! {
    case_insensitive;
    /// A Department of Veterans' Affairs card colour. Sent as `W`, `O` or `G`; read from those
    /// letters or the words, in any case.
    pub enum DvaCardColor {
        /// `W`: the white card.
        White = "W" | "white",
        /// `O`: the orange card.
        Orange = "O" | "orange",
        /// `G`: the gold card.
        Gold = "G" | "gold",
    }
}

open_enum! {
    case_insensitive;
    /// A patient's Aboriginal and Torres Strait Islander status. The reference shows only
    /// `aboriginal` (create) and `Aboriginal` (update): other values are kept, and can be sent,
    /// as [`IndigenousType::Unknown`].
    pub enum IndigenousType {
        /// `aboriginal`.
        Aboriginal = "aboriginal",
    }
}

open_enum! {
    case_insensitive;
    /// An Australian state or territory.
    pub enum AustralianState {
        /// New South Wales.
        Nsw = "NSW",
        /// Victoria.
        Vic = "VIC",
        /// Queensland.
        Qld = "QLD",
        /// South Australia.
        Sa = "SA",
        /// Western Australia.
        Wa = "WA",
        /// Tasmania.
        Tas = "TAS",
        /// Northern Territory.
        Nt = "NT",
        /// Australian Capital Territory.
        Act = "ACT",
    }
}

open_enum! {
    case_insensitive;
    /// A prescription's status. The reference shows `Active` (list), `ACTIVE` (single read) and
    /// `Error`; the others are the states Parchment's announced webhook events name.
    pub enum PrescriptionStatus {
        /// `Active`: issued and usable.
        Active = "Active",
        /// `Error`: not issued; the prescription's `error.description` says why.
        Error = "Error",
        /// `Ceased`.
        Ceased = "Ceased",
        /// `Cancelled`.
        Cancelled = "Cancelled" | "Canceled",
        /// `Dispensed`.
        Dispensed = "Dispensed",
        /// `Expired`.
        Expired = "Expired",
    }
}

open_enum! {
    case_insensitive;
    /// How a prescription was issued.
    pub enum PrescriptionType {
        /// `ELECTRONIC`: an eScript with a token.
        Electronic = "ELECTRONIC",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_and_words_in_any_case_read_as_the_colour() {
        for text in ["G", "g", "gold", "GOLD", "Gold"] {
            assert_eq!(DvaCardColor::from(text), DvaCardColor::Gold, "{text}");
        }
        assert_eq!(DvaCardColor::from("w"), DvaCardColor::White);
        assert_eq!(DvaCardColor::Orange.as_str(), "O");
        let silver = DvaCardColor::from("silver");
        assert!(silver.is_unknown());
        assert_eq!(silver.as_str(), "silver");
    }

    #[test]
    fn status_and_type_ignore_case_and_keep_unknown_values() {
        assert_eq!(
            PrescriptionStatus::from("ACTIVE"),
            PrescriptionStatus::Active
        );
        assert_eq!(
            PrescriptionStatus::from("Active"),
            PrescriptionStatus::Active
        );
        assert_eq!(PrescriptionStatus::from("error"), PrescriptionStatus::Error);
        let on_hold = PrescriptionStatus::from("On Hold");
        assert!(on_hold.is_unknown());
        assert_eq!(on_hold.as_str(), "On Hold");
        assert_eq!(
            PrescriptionType::from("electronic"),
            PrescriptionType::Electronic
        );
        assert_eq!(
            IndigenousType::from("Aboriginal"),
            IndigenousType::Aboriginal
        );
        assert_eq!(IndigenousType::Aboriginal.as_str(), "aboriginal");
        assert_eq!(AustralianState::from("vic"), AustralianState::Vic);
    }

    #[test]
    fn serde_reads_leniently_and_writes_the_documented_spelling() {
        let colour: DvaCardColor = serde_json::from_str(r#""gold""#).expect("a colour");
        assert_eq!(serde_json::to_string(&colour).expect("encodes"), r#""G""#);
        let unknown: PrescriptionStatus = serde_json::from_str(r#""Suspended""#).expect("open");
        assert_eq!(
            serde_json::to_string(&unknown).expect("encodes"),
            r#""Suspended""#
        );
    }
}
