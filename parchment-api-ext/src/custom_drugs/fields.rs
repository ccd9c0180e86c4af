//! [`NewCustomDrug`] and [`CustomDrugUpdate`]: custom drugs to create or change, checked
//! before sending (the seven required fields on create, every field's maximum length).

use crate::error::FieldError;
use parchment_api::{NumericText, types};

/// The longest value of each field Parchment accepts. The reference lists the limits in the
/// order of its fields (280, 100, 50, 50, -, -, 2, 280, 100, 50, 280, 250, 50); `quantity` and
/// `max_repeats` have none.
const MAX_LENGTHS: [(&str, usize); 11] = [
    ("item_generic_name", 280),
    ("item_strength", 100),
    ("item_form", 50),
    ("route_of_administration", 50),
    ("poison_class", 2),
    ("item_trade_name", 280),
    ("brand_name", 100),
    ("custom_product_id", 50),
    ("description", 280),
    ("patient_instructions", 250),
    ("doctor_instructions", 50),
];

/// The fields of a custom drug, as a create or an update holds them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct DrugFields {
    item_generic_name: Option<String>,
    item_strength: Option<String>,
    item_form: Option<String>,
    route_of_administration: Option<String>,
    quantity: Option<NumericText>,
    max_repeats: Option<NumericText>,
    poison_class: Option<String>,
    item_trade_name: Option<String>,
    brand_name: Option<String>,
    custom_product_id: Option<String>,
    description: Option<String>,
    patient_instructions: Option<String>,
    doctor_instructions: Option<String>,
}

impl DrugFields {
    fn text(&self, field: &str) -> Option<&str> {
        match field {
            "item_generic_name" => self.item_generic_name.as_deref(),
            "item_strength" => self.item_strength.as_deref(),
            "item_form" => self.item_form.as_deref(),
            "route_of_administration" => self.route_of_administration.as_deref(),
            "quantity" => self.quantity.as_ref().map(NumericText::as_str),
            "max_repeats" => self.max_repeats.as_ref().map(NumericText::as_str),
            "poison_class" => self.poison_class.as_deref(),
            "item_trade_name" => self.item_trade_name.as_deref(),
            "brand_name" => self.brand_name.as_deref(),
            "custom_product_id" => self.custom_product_id.as_deref(),
            "description" => self.description.as_deref(),
            "patient_instructions" => self.patient_instructions.as_deref(),
            "doctor_instructions" => self.doctor_instructions.as_deref(),
            _ => None,
        }
    }

    /// Every field too long, and (on create, `required`) every required field missing.
    fn errors(&self, prefix: &str, required: bool) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if required {
            for field in REQUIRED {
                if self.text(field).is_none_or(|value| value.trim().is_empty()) {
                    errors.push(FieldError::new(
                        format!("{prefix}{field}"),
                        "required",
                        "required",
                    ));
                }
            }
        } else {
            // An update may leave fields out, but a required field cannot be emptied.
            for field in REQUIRED {
                if self
                    .text(field)
                    .is_some_and(|value| value.trim().is_empty())
                {
                    errors.push(FieldError::new(
                        format!("{prefix}{field}"),
                        "required",
                        "must not be empty",
                    ));
                }
            }
        }
        for (field, max) in MAX_LENGTHS {
            if let Some(len) = self
                .text(field)
                .map(|value| value.chars().count())
                .filter(|&len| len > max)
            {
                errors.push(FieldError::new(
                    format!("{prefix}{field}"),
                    "too_long",
                    format!("must be at most {max} characters, got {len}"),
                ));
            }
        }
        errors
    }
}

/// The fields every new custom drug needs.
const REQUIRED: [&str; 7] = [
    "item_generic_name",
    "item_strength",
    "item_form",
    "route_of_administration",
    "quantity",
    "max_repeats",
    "poison_class",
];

/// Setters shared by [`NewCustomDrug`] and [`CustomDrugUpdate`].
macro_rules! drug_setters {
    () => {
        drug_setters! {
            /// Sets the generic name (at most 280 characters).
            item_generic_name,
            /// Sets the strength (`500mg`; at most 100).
            item_strength,
            /// Sets the form (`Capsule`; at most 50).
            item_form,
            /// Sets the route of administration (`Oral`; at most 50).
            route_of_administration,
            /// Sets the poison schedule (`S4`; at most 2).
            poison_class,
            /// Sets the trade name (at most 280).
            item_trade_name,
            /// Sets the brand name (at most 100).
            brand_name,
            /// Sets the partner's own product id (at most 50).
            custom_product_id,
            /// Sets the description (at most 280).
            description,
            /// Sets the default patient instructions (at most 250).
            patient_instructions,
            /// Sets the default doctor instructions (at most 50).
            doctor_instructions,
        }

        /// Sets the default quantity (sent as a string: `20`).
        pub fn quantity(mut self, quantity: impl Into<NumericText>) -> Self {
            self.fields.quantity = Some(quantity.into());
            self
        }

        /// Sets the maximum number of repeats (sent as a string: `0`).
        pub fn max_repeats(mut self, max_repeats: impl Into<NumericText>) -> Self {
            self.fields.max_repeats = Some(max_repeats.into());
            self
        }
    };
    ($($(#[$doc:meta])* $field:ident),+ $(,)?) => {$(
        $(#[$doc])*
        pub fn $field(mut self, value: impl Into<String>) -> Self {
            self.fields.$field = Some(value.into());
            self
        }
    )+};
}

/// A custom drug to create. Seven fields are required: `item_generic_name`, `item_strength`,
/// `item_form`, `route_of_administration`, `quantity`, `max_repeats` and `poison_class`; every
/// field has a maximum length. Every broken rule is reported at once, and nothing is sent.
///
/// ```
/// use parchment_api_ext::NewCustomDrug;
///
/// let drug = NewCustomDrug::new("Amoxicillin")
///     .item_strength("500mg")
///     .item_form("Capsule")
///     .route_of_administration("Oral")
///     .quantity(20)
///     .max_repeats(0)
///     .poison_class("S4");
/// # let _ = drug;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct NewCustomDrug {
    fields: DrugFields,
}

impl NewCustomDrug {
    /// A drug of this generic name; set the other six required fields before sending.
    pub fn new(item_generic_name: impl Into<String>) -> Self {
        Self {
            fields: DrugFields {
                item_generic_name: Some(item_generic_name.into()),
                ..DrugFields::default()
            },
        }
    }

    drug_setters!();

    /// Every rule broken, field names prefixed with `prefix` (`items[2].` in a bulk create).
    pub(crate) fn errors(&self, prefix: &str) -> Vec<FieldError> {
        self.fields.errors(prefix, true)
    }

    /// The request body, or every rule the drug breaks.
    pub(crate) fn to_request(&self, prefix: &str) -> Result<types::NewCustomDrug, Vec<FieldError>> {
        let errors = self.errors(prefix);
        if !errors.is_empty() {
            return Err(errors);
        }
        let f = self.fields.clone();
        let bad = |field: &str| constraint(prefix, field);
        let need = |value: Option<String>, field: &str| value.ok_or_else(|| bad(field));
        Ok(types::NewCustomDrug {
            item_generic_name: constrained(
                prefix,
                "item_generic_name",
                need(f.item_generic_name, "item_generic_name")?,
            )?,
            item_strength: constrained(
                prefix,
                "item_strength",
                need(f.item_strength, "item_strength")?,
            )?,
            item_form: constrained(prefix, "item_form", need(f.item_form, "item_form")?)?,
            route_of_administration: constrained(
                prefix,
                "route_of_administration",
                need(f.route_of_administration, "route_of_administration")?,
            )?,
            quantity: constrained(
                prefix,
                "quantity",
                need(f.quantity.map(|q| q.to_string()), "quantity")?,
            )?,
            max_repeats: constrained(
                prefix,
                "max_repeats",
                need(f.max_repeats.map(|m| m.to_string()), "max_repeats")?,
            )?,
            poison_class: constrained(
                prefix,
                "poison_class",
                need(f.poison_class, "poison_class")?,
            )?,
            item_trade_name: optional(prefix, "item_trade_name", f.item_trade_name)?,
            brand_name: optional(prefix, "brand_name", f.brand_name)?,
            custom_product_id: optional(prefix, "custom_product_id", f.custom_product_id)?,
            description: optional(prefix, "description", f.description)?,
            patient_instructions: optional(prefix, "patient_instructions", f.patient_instructions)?,
            doctor_instructions: optional(prefix, "doctor_instructions", f.doctor_instructions)?,
        })
    }
}

/// A partial update of a user-level custom drug: only the fields set are sent. Lengths are
/// checked as on create; a required field cannot be set empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct CustomDrugUpdate {
    fields: DrugFields,
}

impl CustomDrugUpdate {
    /// An update that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    drug_setters!();

    /// The request body, or every rule the update breaks.
    pub(crate) fn into_request(self) -> Result<types::CustomDrugUpdate, Vec<FieldError>> {
        let errors = self.fields.errors("", false);
        if !errors.is_empty() {
            return Err(errors);
        }
        let f = self.fields;
        Ok(types::CustomDrugUpdate {
            item_generic_name: optional("", "item_generic_name", f.item_generic_name)?,
            item_strength: optional("", "item_strength", f.item_strength)?,
            item_form: optional("", "item_form", f.item_form)?,
            route_of_administration: optional(
                "",
                "route_of_administration",
                f.route_of_administration,
            )?,
            quantity: optional("", "quantity", f.quantity.map(|q| q.to_string()))?,
            max_repeats: optional("", "max_repeats", f.max_repeats.map(|m| m.to_string()))?,
            poison_class: optional("", "poison_class", f.poison_class)?,
            item_trade_name: optional("", "item_trade_name", f.item_trade_name)?,
            brand_name: optional("", "brand_name", f.brand_name)?,
            custom_product_id: optional("", "custom_product_id", f.custom_product_id)?,
            description: optional("", "description", f.description)?,
            patient_instructions: optional("", "patient_instructions", f.patient_instructions)?,
            doctor_instructions: optional("", "doctor_instructions", f.doctor_instructions)?,
        })
    }
}

/// A checked value the generated constrained type still refuses: reported, never a panic.
fn constraint(prefix: &str, field: &str) -> Vec<FieldError> {
    vec![FieldError::new(
        format!("{prefix}{field}"),
        "invalid",
        "is not accepted by the API's constraints",
    )]
}

fn constrained<T: TryFrom<String>>(
    prefix: &str,
    field: &str,
    value: String,
) -> Result<T, Vec<FieldError>> {
    T::try_from(value).map_err(|_| constraint(prefix, field))
}

fn optional<T: TryFrom<String>>(
    prefix: &str,
    field: &str,
    value: Option<String>,
) -> Result<Option<T>, Vec<FieldError>> {
    value
        .map(|value| constrained(prefix, field, value))
        .transpose()
}
