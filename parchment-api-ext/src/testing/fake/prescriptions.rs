//! Prescriptions in the fake: what a test writes with [`FakePrescription`] (as a prescriber
//! does in Parchment's UI; the API has no create), and how the list and single reads show
//! them.

use serde_json::{Value, json};
use std::fmt;

/// What a prescriber writes: its status and item. Given to
/// [`FakeParchment::write_prescription_with`](super::FakeParchment::write_prescription_with).
///
/// ```
/// use parchment_api_ext::testing::FakePrescription;
///
/// let failed = FakePrescription::error("The pharmacy gateway rejected the script")
///     .item("Metformin", "500mg", "Tablet")
///     .quantity(60)
///     .repeats(5);
/// # let _ = failed;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct FakePrescription {
    pub(crate) status: &'static str,
    pub(crate) error: Option<String>,
    pub(crate) item_name: String,
    pub(crate) item_strength: String,
    pub(crate) item_form: String,
    pub(crate) route: String,
    pub(crate) quantity: u32,
    pub(crate) repeats: u32,
    pub(crate) pbs_code: String,
    pub(crate) schedule: String,
}

impl FakePrescription {
    /// An `Active` electronic prescription for amoxicillin 500 mg capsules, 20, no repeats.
    pub fn active() -> Self {
        Self {
            status: "Active",
            error: None,
            item_name: "Amoxicillin".into(),
            item_strength: "500mg".into(),
            item_form: "Capsule".into(),
            route: "Oral".into(),
            quantity: 20,
            repeats: 0,
            pbs_code: "1892Y".into(),
            schedule: "S4".into(),
        }
    }

    /// A prescription in status `Error`, carrying `description` as its `error.description`.
    pub fn error(description: impl Into<String>) -> Self {
        Self {
            status: "Error",
            error: Some(description.into()),
            ..Self::active()
        }
    }

    /// The item: name, strength (`500mg`) and form (`Tablet`).
    pub fn item(
        mut self,
        name: impl Into<String>,
        strength: impl Into<String>,
        form: impl Into<String>,
    ) -> Self {
        self.item_name = name.into();
        self.item_strength = strength.into();
        self.item_form = form.into();
        self
    }

    /// The quantity dispensed each time.
    pub fn quantity(mut self, quantity: u32) -> Self {
        self.quantity = quantity;
        self
    }

    /// The number of repeats authorised.
    pub fn repeats(mut self, repeats: u32) -> Self {
        self.repeats = repeats;
        self
    }

    /// The PBS item code.
    pub fn pbs_code(mut self, code: impl Into<String>) -> Self {
        self.pbs_code = code.into();
        self
    }
}

impl Default for FakePrescription {
    fn default() -> Self {
        Self::active()
    }
}

/// A written prescription, as the fake keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Prescription {
    pub(crate) scid: String,
    pub(crate) prescriber_id: String,
    pub(crate) written: FakePrescription,
    /// `YYYY-MM-DDTHH:MM:SS`, with no zone, as Parchment writes `created_date`.
    pub(crate) created_date: String,
}

impl Prescription {
    fn error(&self) -> Value {
        match &self.written.error {
            Some(description) => json!({"description": description}),
            None => Value::Null,
        }
    }

    fn url(&self) -> String {
        format!(
            "https://egw-etp-int-qrcode-web-au-se.azurewebsites.net/scripts/{}",
            self.scid
        )
    }

    /// A list item: every documented field.
    pub(crate) fn to_list_item(&self) -> Value {
        let p = &self.written;
        json!({
            "prescription_type": "ELECTRONIC",
            "url": self.url(),
            "scid": self.scid,
            "status": p.status,
            "created_date": self.created_date,
            "item_name": p.item_name,
            "quantity": p.quantity.to_string(),
            "number_of_repeats_authorised": p.repeats.to_string(),
            "repeat_intervals": "0",
            "pbs_code": p.pbs_code,
            "item_strength": p.item_strength,
            "item_form": p.item_form,
            "route_administration": p.route,
            "schedule_number": p.schedule,
            "private_prescription": false,
            "emergency_supply": false,
            "brand_substitution_not_allowed": false,
            "regulation_24": false,
            "unusual_dose_flag": false,
            "unusual_qty_flag": false,
            "my_sl_consent": true,
            "patient_instructions": "Take as directed",
            "error": self.error(),
        })
    }

    /// The single read: the documented subset, with its prescriber.
    pub(crate) fn to_detail(&self, prescriber: Value) -> Value {
        let p = &self.written;
        json!({
            "url": self.url(),
            "scid": self.scid,
            "status": p.status.to_ascii_uppercase(),
            "created_date": self.created_date,
            "prescriber": prescriber,
            "item_name": p.item_name,
            "quantity": p.quantity.to_string(),
            "number_of_repeats_authorised": p.repeats.to_string(),
            "pbs_code": p.pbs_code,
            "item_strength": p.item_strength,
            "item_form": p.item_form,
            "route_administration": p.route,
            "error": self.error(),
        })
    }
}

/// Why the fake could not write a prescription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FakeWriteError {
    /// The fake has no organization of that id.
    UnknownOrganization,
    /// The organization has no user of that id.
    UnknownUser,
    /// The organization has no patient of that id.
    UnknownPatient,
}

impl fmt::Display for FakeWriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::UnknownOrganization => "the fake has no such organization",
            Self::UnknownUser => "the organization has no such user",
            Self::UnknownPatient => "the organization has no such patient",
        })
    }
}

impl std::error::Error for FakeWriteError {}
