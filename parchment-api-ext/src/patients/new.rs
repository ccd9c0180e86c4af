//! [`NewPatient`]: a patient to create, checked before sending.

use super::address::PatientAddress;
use super::rules;
use crate::error::FieldError;
use chrono::NaiveDate;
use parchment_api::types::CreatePatientRequest;
use parchment_api::{DvaCardColor, IndigenousType, Sex};

/// A patient to create. `given_name` and `family_name` are required; phone numbers must be in
/// a documented Australian form, `medicare_irn` digits only, a DVA card colour needs a DVA file
/// number, an address all five parts, and `sex` one of `M`, `F`, `I`, `N`. Every broken rule
/// is reported at once, and nothing is sent.
///
/// Debug shows the partner's id of the patient and which fields are set, never their values.
///
/// ```
/// use chrono::NaiveDate;
/// use parchment_api_ext::{AustralianState, NewPatient, PatientAddress, Sex};
///
/// let patient = NewPatient::new("Jane", "Citizen")
///     .partner_patient_id("12345")
///     .date_of_birth(NaiveDate::from_ymd_opt(1990, 1, 15).unwrap())
///     .sex(Sex::Female)
///     .phone("0412345678")
///     .address(PatientAddress::new("12", "Collins Street", "Melbourne", AustralianState::Vic, "3000"));
/// # let _ = patient;
/// ```
#[derive(Clone, PartialEq)]
#[must_use]
pub struct NewPatient {
    given_name: String,
    family_name: String,
    date_of_birth: Option<NaiveDate>,
    sex: Option<Sex>,
    partner_patient_id: Option<String>,
    partner_id: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    medicare_card_number: Option<String>,
    medicare_irn: Option<String>,
    medicare_valid_to: Option<NaiveDate>,
    dva_file_number: Option<String>,
    dva_card_color: Option<DvaCardColor>,
    concession_pension_number: Option<String>,
    entitlement_number: Option<String>,
    racf_id: Option<String>,
    ctg_eligible: Option<bool>,
    indigenous_type: Option<IndigenousType>,
    address: Option<PatientAddress>,
}

impl NewPatient {
    /// A patient with the two fields every patient needs.
    pub fn new(given_name: impl Into<String>, family_name: impl Into<String>) -> Self {
        Self {
            given_name: given_name.into(),
            family_name: family_name.into(),
            date_of_birth: None,
            sex: None,
            partner_patient_id: None,
            partner_id: None,
            email: None,
            phone: None,
            medicare_card_number: None,
            medicare_irn: None,
            medicare_valid_to: None,
            dva_file_number: None,
            dva_card_color: None,
            concession_pension_number: None,
            entitlement_number: None,
            racf_id: None,
            ctg_eligible: None,
            indigenous_type: None,
            address: None,
        }
    }

    super::text_setters! {
        /// Sets the partner's own id of the patient (a duplicate is [`ErrorKind::Conflict`]).
        ///
        /// [`ErrorKind::Conflict`]: crate::ErrorKind::Conflict
        partner_patient_id,
        /// Sets the partner's id (`CLINIKO`).
        partner_id,
        /// Sets the email address.
        email,
        /// Sets the Australian phone number (`0412345678`, `61412345678`, `+61412345678`).
        phone,
        /// Sets the Medicare card number.
        medicare_card_number,
        /// Sets the Medicare individual reference number (digits only).
        medicare_irn,
        /// Sets the DVA file number (required with a DVA card colour).
        dva_file_number,
        /// Sets the concession or pension card number.
        concession_pension_number,
        /// Sets the entitlement number.
        entitlement_number,
        /// Sets the Residential Aged Care Facility id.
        racf_id,
    }

    /// Sets the date of birth (sent as `YYYY-MM-DD`).
    pub fn date_of_birth(mut self, date: NaiveDate) -> Self {
        self.date_of_birth = Some(date);
        self
    }

    /// Sets the Medicare card's expiry (sent as `YYYY-MM-DD`).
    pub fn medicare_valid_to(mut self, date: NaiveDate) -> Self {
        self.medicare_valid_to = Some(date);
        self
    }

    /// Sets the sex: `M`, `F`, `I` or `N`.
    pub fn sex(mut self, sex: Sex) -> Self {
        self.sex = Some(sex);
        self
    }

    /// Sets the DVA card colour (sent as `W`, `O` or `G`; needs a DVA file number).
    pub fn dva_card_color(mut self, color: DvaCardColor) -> Self {
        self.dva_card_color = Some(color);
        self
    }

    /// Sets Closing the Gap eligibility.
    pub fn ctg_eligible(mut self, eligible: bool) -> Self {
        self.ctg_eligible = Some(eligible);
        self
    }

    /// Sets the Aboriginal and Torres Strait Islander status.
    pub fn indigenous_type(mut self, indigenous_type: IndigenousType) -> Self {
        self.indigenous_type = Some(indigenous_type);
        self
    }

    /// Sets the address (sent as `australian_street_address`).
    pub fn address(mut self, address: PatientAddress) -> Self {
        self.address = Some(address);
        self
    }

    /// Every rule the patient breaks.
    fn errors(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        errors.extend(rules::required("given_name", &self.given_name));
        errors.extend(rules::required("family_name", &self.family_name));
        if let Some(sex) = &self.sex {
            errors.extend(rules::sex("sex", sex));
        }
        if let Some(email) = &self.email {
            errors.extend(rules::email("email", email));
        }
        if let Some(phone) = &self.phone {
            errors.extend(rules::phone("phone", phone));
        }
        if let Some(irn) = &self.medicare_irn {
            errors.extend(rules::digits("medicare_irn", irn, "the Medicare IRN"));
        }
        if let Some(color) = &self.dva_card_color {
            if self
                .dva_file_number
                .as_deref()
                .is_none_or(|number| number.trim().is_empty())
            {
                errors.push(FieldError::new(
                    "dva_file_number",
                    "required",
                    "required when dva_card_color is given",
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
            errors.extend(rules::address("australian_street_address", address));
        }
        errors
    }

    /// The request body, or every rule the patient breaks.
    pub(crate) fn into_request(self) -> Result<CreatePatientRequest, Vec<FieldError>> {
        let errors = self.errors();
        if !errors.is_empty() {
            return Err(errors);
        }
        let constrained = |field: &str| {
            vec![FieldError::new(
                field,
                "invalid",
                "is not accepted by the API's constraints",
            )]
        };
        Ok(CreatePatientRequest {
            given_name: self
                .given_name
                .try_into()
                .map_err(|_| constrained("given_name"))?,
            family_name: self
                .family_name
                .try_into()
                .map_err(|_| constrained("family_name"))?,
            date_of_birth: self.date_of_birth.map(Into::into),
            sex: self.sex,
            partner_patient_id: self.partner_patient_id,
            partner_id: self.partner_id,
            email: self.email,
            phone: self
                .phone
                .map(TryInto::try_into)
                .transpose()
                .map_err(|_| constrained("phone"))?,
            medicare_card_number: self.medicare_card_number,
            medicare_irn: self
                .medicare_irn
                .map(TryInto::try_into)
                .transpose()
                .map_err(|_| constrained("medicare_irn"))?,
            medicare_valid_to: self.medicare_valid_to.map(Into::into),
            dva_file_number: self.dva_file_number,
            dva_card_color: self.dva_card_color,
            concession_pension_number: self.concession_pension_number,
            entitlement_number: self.entitlement_number,
            racf_id: self.racf_id,
            ctg_eligible: self.ctg_eligible,
            indigenous_type: self.indigenous_type,
            australian_street_address: self
                .address
                .map(|address| address.into_wire("australian_street_address"))
                .transpose()?,
        })
    }

    /// The names of the fields set (for Debug).
    fn fields_set(&self) -> Vec<&'static str> {
        [
            ("date_of_birth", self.date_of_birth.is_some()),
            ("sex", self.sex.is_some()),
            ("partner_id", self.partner_id.is_some()),
            ("email", self.email.is_some()),
            ("phone", self.phone.is_some()),
            ("medicare_card_number", self.medicare_card_number.is_some()),
            ("medicare_irn", self.medicare_irn.is_some()),
            ("medicare_valid_to", self.medicare_valid_to.is_some()),
            ("dva_file_number", self.dva_file_number.is_some()),
            ("dva_card_color", self.dva_card_color.is_some()),
            (
                "concession_pension_number",
                self.concession_pension_number.is_some(),
            ),
            ("entitlement_number", self.entitlement_number.is_some()),
            ("racf_id", self.racf_id.is_some()),
            ("ctg_eligible", self.ctg_eligible.is_some()),
            ("indigenous_type", self.indigenous_type.is_some()),
            ("australian_street_address", self.address.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// The partner's id and which fields are set: never a name, number, contact or date.
impl std::fmt::Debug for NewPatient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewPatient")
            .field("partner_patient_id", &self.partner_patient_id)
            .field("fields_set", &self.fields_set())
            .finish_non_exhaustive()
    }
}
