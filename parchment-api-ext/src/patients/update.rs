//! [`PatientUpdate`]: a partial patient update (unchanged, set, or clear), checked before
//! sending.

use super::address::PatientAddress;
use super::rules;
use crate::error::FieldError;
use chrono::NaiveDate;
use parchment_api::{DvaCardColor, IndigenousType, Patch, Sex, UpdatePatientRequest};

/// A partial update of a patient. A field never mentioned is left out of the body and stays as
/// it is; a field set is sent; the Medicare and DVA fields can also be cleared, which sends
/// `null`. The same rules as [`NewPatient`](crate::NewPatient) apply to what is set, and a DVA
/// card colour needs a DVA file number in the same update. Changing a name, the date of birth
/// or the sex makes Parchment verify the patient's demographics again.
///
/// Debug shows which fields change, never their values.
///
/// ```
/// use parchment_api_ext::{DvaCardColor, PatientUpdate};
///
/// let update = PatientUpdate::new()
///     .phone("+61412345678")
///     .clear_medicare_card_number()
///     .dva_file_number("NX123456")
///     .dva_card_color(DvaCardColor::Gold);
/// # let _ = update;
/// ```
#[derive(Clone, Default, PartialEq)]
#[must_use]
pub struct PatientUpdate {
    body: UpdatePatientRequest,
    address: Option<PatientAddress>,
}

/// Setters of optional text fields of the body.
macro_rules! body_text_setters {
    ($($(#[$doc:meta])* $field:ident),+ $(,)?) => {$(
        $(#[$doc])*
        pub fn $field(mut self, value: impl Into<String>) -> Self {
            self.body.$field = Some(value.into());
            self
        }
    )+};
}

/// Setter and clearer pairs of the nullable fields.
macro_rules! patch_setters {
    ($($(#[$doc:meta])* $field:ident / $clear:ident: $ty:ty => $convert:expr),+ $(,)?) => {$(
        $(#[$doc])*
        pub fn $field(mut self, value: impl Into<$ty>) -> Self {
            let convert: fn($ty) -> _ = $convert;
            self.body.$field = Patch::Set(convert(value.into()));
            self
        }

        #[doc = concat!("Clears `", stringify!($field), "` (sends `null`).")]
        pub fn $clear(mut self) -> Self {
            self.body.$field = Patch::Clear;
            self
        }
    )+};
}

impl PatientUpdate {
    /// An update that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    body_text_setters! {
        /// Sets the family name.
        family_name,
        /// Sets the given name.
        given_name,
        /// Sets the title (`Mr`, `Ms`).
        title,
        /// Sets the Australian phone number.
        phone,
        /// Sets the email address.
        email,
        /// Sets the concession or pension card number.
        concession_pension_number,
        /// Sets the entitlement number.
        entitlement_number,
        /// Sets the 16-digit Individual Healthcare Identifier.
        ihi_number,
        /// Sets the Residential Aged Care Facility id.
        racf_id,
    }

    patch_setters! {
        /// Sets the Medicare card number.
        medicare_card_number / clear_medicare_card_number: String => |v| v,
        /// Sets the Medicare individual reference number (digits only).
        medicare_irn / clear_medicare_irn: String => |v| v,
        /// Sets the Medicare card's expiry (sent as `YYYY-MM-DD`).
        medicare_valid_to / clear_medicare_valid_to: NaiveDate => Into::into,
        /// Sets the DVA file number.
        dva_file_number / clear_dva_file_number: String => |v| v,
        /// Sets the DVA card colour (needs a DVA file number in the same update).
        dva_card_color / clear_dva_card_color: DvaCardColor => |v| v,
    }

    /// Sets the date of birth (sent as `YYYY-MM-DD`).
    pub fn date_of_birth(mut self, date: NaiveDate) -> Self {
        self.body.date_of_birth = Some(date.into());
        self
    }

    /// Sets the sex: `M`, `F`, `I` or `N`.
    pub fn sex(mut self, sex: Sex) -> Self {
        self.body.sex = Some(sex);
        self
    }

    /// Sets Closing the Gap eligibility.
    pub fn ctg_eligible(mut self, eligible: bool) -> Self {
        self.body.ctg_eligible = Some(eligible);
        self
    }

    /// Sets whether the patient is an inpatient.
    pub fn is_inpatient(mut self, inpatient: bool) -> Self {
        self.body.is_inpatient = Some(inpatient);
        self
    }

    /// Sets the Aboriginal and Torres Strait Islander status.
    pub fn indigenous_type(mut self, indigenous_type: IndigenousType) -> Self {
        self.body.indigenous_type = Some(indigenous_type);
        self
    }

    /// Replaces the address (sent as `australian_address`, all five parts).
    pub fn address(mut self, address: PatientAddress) -> Self {
        self.address = Some(address);
        self
    }

    /// Every rule the update breaks.
    fn errors(&self) -> Vec<FieldError> {
        let body = &self.body;
        let mut errors = Vec::new();
        for (field, value) in [
            ("family_name", &body.family_name),
            ("given_name", &body.given_name),
        ] {
            if let Some(value) = value {
                errors.extend(rules::required(field, value));
            }
        }
        if let Some(sex) = &body.sex {
            errors.extend(rules::sex("sex", sex));
        }
        if let Some(phone) = &body.phone {
            errors.extend(rules::phone("phone", phone));
        }
        if let Some(email) = &body.email {
            errors.extend(rules::email("email", email));
        }
        if let Some(ihi) = &body.ihi_number {
            errors.extend(rules::ihi("ihi_number", ihi));
        }
        if let Some(irn) = body.medicare_irn.as_set() {
            errors.extend(rules::digits("medicare_irn", irn, "the Medicare IRN"));
        }
        if let Some(color) = body.dva_card_color.as_set() {
            if body
                .dva_file_number
                .as_set()
                .is_none_or(|number| number.trim().is_empty())
            {
                errors.push(FieldError::new(
                    "dva_file_number",
                    "required",
                    "required (set in the same update) when dva_card_color is set",
                ));
            }
            if color.is_unknown() {
                errors.push(FieldError::new(
                    "dva_card_color",
                    "invalid",
                    "must be White (W), Orange (O) or Gold (G)",
                ));
            }
        }
        if let Some(address) = &self.address {
            errors.extend(rules::address("australian_address", address));
        }
        errors
    }

    /// The request body, or every rule the update breaks.
    pub(crate) fn into_request(self) -> Result<UpdatePatientRequest, Vec<FieldError>> {
        let errors = self.errors();
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut body = self.body;
        body.australian_address = self
            .address
            .map(|address| address.into_wire("australian_address"))
            .transpose()?;
        Ok(body)
    }
}

/// Which fields change (the body's own Debug), never their values.
impl std::fmt::Debug for PatientUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatientUpdate")
            .field("body", &self.body)
            .field("address", &self.address.as_ref().map(|_| "set"))
            .finish()
    }
}
