//! [`UserUpdate`] and [`ProviderDetailsUpdate`]: partial updates, checked before sending.

use crate::error::FieldError;
use crate::validate;
use chrono::NaiveDate;
use parchment_api::types::{UpdateProviderDetails, UpdateUserRequest};
use parchment_api::{PrescriberType, Sex};

/// A partial update of a user: only the fields set here are sent, and only they change.
///
/// ```
/// use parchment_api_ext::{PrescriberType, ProviderDetailsUpdate, UserUpdate};
///
/// let update = UserUpdate::new().full_name("Darlene Scott").provider_details(
///     ProviderDetailsUpdate::new()
///         .prescriber_type(PrescriberType::Medical)
///         .prescriber_number("1234567")
///         .qualifications("MBBS, FRACGP"),
/// );
/// # let _ = update;
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct UserUpdate {
    full_name: Option<String>,
    provider_details: Option<ProviderDetailsUpdate>,
}

impl UserUpdate {
    /// An update that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the display name.
    pub fn full_name(mut self, full_name: impl Into<String>) -> Self {
        self.full_name = Some(full_name.into());
        self
    }

    /// Sets provider fields (for prescribers).
    pub fn provider_details(mut self, details: ProviderDetailsUpdate) -> Self {
        self.provider_details = Some(details);
        self
    }

    /// The request body, or every rule the update breaks.
    pub(crate) fn into_request(self) -> Result<UpdateUserRequest, Vec<FieldError>> {
        let provider_details = self
            .provider_details
            .map(ProviderDetailsUpdate::into_wire)
            .transpose()?;
        Ok(UpdateUserRequest {
            full_name: self.full_name,
            provider_details,
        })
    }
}

/// Provider fields to change. When `prescriber_type` is set, `qualifications` must be too, and
/// `prescriber_number` unless the type is [`PrescriberType::Podiatrist`].
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct ProviderDetailsUpdate {
    title: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    date_of_birth: Option<NaiveDate>,
    sex: Option<Sex>,
    phone: Option<String>,
    hpii_number: Option<String>,
    erx_entity_id: Option<String>,
    prescriber_type: Option<PrescriberType>,
    prescriber_number: Option<String>,
    provider_number: Option<String>,
    ahpra_number: Option<String>,
    qualifications: Option<String>,
    hospital_provider_number: Option<String>,
}

impl ProviderDetailsUpdate {
    /// Changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    text_setters! {
        /// Sets the professional title (`Dr`).
        title,
        /// Sets the given name.
        given_name,
        /// Sets the family name.
        family_name,
        /// Sets the phone number.
        phone,
        /// Sets the HPI-I number.
        hpii_number,
        /// Sets the eRx entity id.
        erx_entity_id,
        /// Sets the prescriber number (1 to 10 characters).
        prescriber_number,
        /// Sets the provider number (1 to 10 letters or digits).
        provider_number,
        /// Sets the AHPRA registration number.
        ahpra_number,
        /// Sets the qualifications (`MBBS, FRACGP`).
        qualifications,
        /// Sets the hospital provider number.
        hospital_provider_number,
    }

    /// Sets the date of birth (sent as `YYYY-MM-DD`).
    pub fn date_of_birth(mut self, date: NaiveDate) -> Self {
        self.date_of_birth = Some(date);
        self
    }

    /// Sets the sex: `Male`, `Female`, `Indeterminate` or `NotStated` (`Other` is read-only).
    pub fn sex(mut self, sex: Sex) -> Self {
        self.sex = Some(sex);
        self
    }

    /// Sets the prescriber type.
    pub fn prescriber_type(mut self, prescriber_type: PrescriberType) -> Self {
        self.prescriber_type = Some(prescriber_type);
        self
    }

    fn into_wire(self) -> Result<UpdateProviderDetails, Vec<FieldError>> {
        const PREFIX: &str = "provider_details.";
        let errors = validate::provider_fields(
            PREFIX,
            &validate::ProviderFields::of(
                &self.sex,
                &self.prescriber_type,
                &self.prescriber_number,
                &self.provider_number,
                &self.qualifications,
            ),
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        let (prescriber_number, provider_number) =
            validate::constrained_numbers(PREFIX, self.prescriber_number, self.provider_number)?;
        Ok(UpdateProviderDetails {
            title: self.title,
            given_name: self.given_name,
            family_name: self.family_name,
            date_of_birth: self.date_of_birth,
            sex: self.sex,
            phone: self.phone,
            hpii_number: self.hpii_number,
            erx_entity_id: self.erx_entity_id,
            prescriber_type: self.prescriber_type,
            prescriber_number,
            provider_number,
            ahpra_number: self.ahpra_number,
            qualifications: self.qualifications,
            hospital_provider_number: self.hospital_provider_number,
        })
    }
}
