//! [`NewUser`]: a user to create, checked before sending.

use crate::error::FieldError;
use crate::validate;
use chrono::NaiveDate;
use parchment_api::types::CreateUserRequest;
use parchment_api::{PrescriberType, Role, Sex};

/// A user to create. `given_name`, `family_name` and `email` are required; a user with the
/// [`Role::Provider`] role also needs `date_of_birth`, `sex`, `hpii_number`, `prescriber_type`,
/// `qualifications`, and a `prescriber_number` unless the type is
/// [`PrescriberType::Podiatrist`]. Every missing field is reported at once, and nothing is sent.
///
/// ```
/// use chrono::NaiveDate;
/// use parchment_api_ext::{NewUser, PrescriberType, Role, Sex};
///
/// let receptionist = NewUser::new("Riley", "Nguyen", "riley.nguyen@example.com")
///     .roles([Role::Receptionist]);
/// let doctor = NewUser::new("Darlene", "Cameron", "darlene.cameron@example.com")
///     .roles([Role::Provider, Role::Admin])
///     .date_of_birth(NaiveDate::from_ymd_opt(1969, 10, 2).unwrap())
///     .sex(Sex::Female)
///     .hpii_number("8003614900029560")
///     .prescriber_type(PrescriberType::Medical)
///     .prescriber_number("1234567")
///     .qualifications("MBBS");
/// # let _ = (receptionist, doctor);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct NewUser {
    given_name: String,
    family_name: String,
    email: String,
    partner_user_id: Option<String>,
    title: Option<String>,
    phone: Option<String>,
    roles: Option<Vec<Role>>,
    date_of_birth: Option<NaiveDate>,
    sex: Option<Sex>,
    hpii_number: Option<String>,
    prescriber_type: Option<PrescriberType>,
    prescriber_number: Option<String>,
    qualifications: Option<String>,
    provider_number: Option<String>,
    ahpra_number: Option<String>,
    hospital_provider_number: Option<String>,
}

impl NewUser {
    /// A user with the three fields every user needs.
    pub fn new(
        given_name: impl Into<String>,
        family_name: impl Into<String>,
        email: impl Into<String>,
    ) -> Self {
        Self {
            given_name: given_name.into(),
            family_name: family_name.into(),
            email: email.into(),
            partner_user_id: None,
            title: None,
            phone: None,
            roles: None,
            date_of_birth: None,
            sex: None,
            hpii_number: None,
            prescriber_type: None,
            prescriber_number: None,
            qualifications: None,
            provider_number: None,
            ahpra_number: None,
            hospital_provider_number: None,
        }
    }

    super::text_setters! {
        /// Sets the partner's own id of the user.
        partner_user_id,
        /// Sets the professional title (`Dr`).
        title,
        /// Sets the phone number.
        phone,
        /// Sets the HPI-I number (required for providers).
        hpii_number,
        /// Sets the prescriber number (1 to 10 characters; required for providers but
        /// podiatrists).
        prescriber_number,
        /// Sets the qualifications (required for providers).
        qualifications,
        /// Sets the provider number (1 to 10 letters or digits).
        provider_number,
        /// Sets the AHPRA registration number.
        ahpra_number,
        /// Sets the hospital provider number.
        hospital_provider_number,
    }

    /// Sets the roles (each [assignable](Role::is_assignable); duplicates are sent once).
    pub fn roles(mut self, roles: impl IntoIterator<Item = Role>) -> Self {
        self.roles = Some(super::roles::distinct(roles));
        self
    }

    /// Sets the date of birth (sent as `YYYY-MM-DD`; required for providers).
    pub fn date_of_birth(mut self, date: NaiveDate) -> Self {
        self.date_of_birth = Some(date);
        self
    }

    /// Sets the sex: `M`, `F`, `I` or `N` (required for providers).
    pub fn sex(mut self, sex: Sex) -> Self {
        self.sex = Some(sex);
        self
    }

    /// Sets the prescriber type (required for providers).
    pub fn prescriber_type(mut self, prescriber_type: PrescriberType) -> Self {
        self.prescriber_type = Some(prescriber_type);
        self
    }

    /// Whether the roles include [`Role::Provider`].
    fn is_provider(&self) -> bool {
        self.roles
            .as_ref()
            .is_some_and(|roles| roles.contains(&Role::Provider))
    }

    /// Every rule the new user breaks.
    fn errors(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut require = |field: &str, present: bool, why: &str| {
            if !present {
                errors.push(FieldError::new(field, "required", why));
            }
        };
        let non_blank = |text: &str| !text.trim().is_empty();
        require("given_name", non_blank(&self.given_name), "required");
        require("family_name", non_blank(&self.family_name), "required");
        require("email", non_blank(&self.email), "required");
        if self.is_provider() {
            const WHY: &str = "required for a user with the provider role";
            require("date_of_birth", self.date_of_birth.is_some(), WHY);
            require("sex", self.sex.is_some(), WHY);
            require("hpii_number", self.hpii_number.is_some(), WHY);
            require("prescriber_type", self.prescriber_type.is_some(), WHY);
            require("qualifications", self.qualifications.is_some(), WHY);
        }
        if non_blank(&self.email) && !self.email.contains('@') {
            errors.push(FieldError::new(
                "email",
                "invalid",
                "must be an email address",
            ));
        }
        if let Some(roles) = &self.roles {
            errors.extend(validate::assignable_roles(roles));
        }
        errors.extend(validate::provider_fields(
            "",
            &validate::ProviderFields::of(
                &self.sex,
                &self.prescriber_type,
                &self.prescriber_number,
                &self.provider_number,
                &self.qualifications,
            ),
        ));
        // The provider-role rules and the prescriber-type rules can both find a field missing:
        // report each field and problem once.
        let mut reported = std::collections::HashSet::new();
        errors.retain(|error| reported.insert((error.field.clone(), error.code.clone())));
        errors
    }

    /// The request body, or every rule the new user breaks.
    pub(crate) fn into_request(self) -> Result<CreateUserRequest, Vec<FieldError>> {
        let errors = self.errors();
        if !errors.is_empty() {
            return Err(errors);
        }
        let (prescriber_number, provider_number) =
            validate::constrained_numbers("", self.prescriber_number, self.provider_number)?;
        Ok(CreateUserRequest {
            given_name: self.given_name,
            family_name: self.family_name,
            email: self.email,
            partner_user_id: self.partner_user_id,
            title: self.title,
            phone: self.phone,
            access_roles: self.roles.unwrap_or_default(),
            date_of_birth: self.date_of_birth,
            sex: self.sex,
            hpii_number: self.hpii_number,
            prescriber_type: self.prescriber_type,
            prescriber_number,
            qualifications: self.qualifications,
            provider_number,
            ahpra_number: self.ahpra_number,
            hospital_provider_number: self.hospital_provider_number,
        })
    }
}
