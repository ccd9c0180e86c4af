//! [`ActingUser`]: calls made on behalf of one Parchment user of an organization.
//!
//! Patient, prescription and user-level custom-drug paths carry the acting user
//! (`/users/{user_id}/...`), usually the prescriber. The user id is given once, here, and
//! checked on every call like every id: a bad one refuses the call and sends nothing.

use crate::custom_drugs::UserCustomDrugs;
use crate::error::FieldError;
use crate::organization::Organization;
use crate::patients::Patients;
use crate::prescriptions::Prescriptions;

/// One organization's calls on behalf of one of its users. From
/// [`Organization::acting_as`]. Cheap to clone.
#[derive(Clone, Debug)]
pub struct ActingUser {
    organization: Organization,
    user_id: String,
}

impl Organization {
    /// Calls on behalf of one of the organization's users (usually the prescriber): patients,
    /// prescriptions and that user's custom drugs. The id is checked on every call made through
    /// the handle, like every id.
    pub fn acting_as(&self, user_id: impl Into<String>) -> ActingUser {
        ActingUser::new(self.clone(), user_id.into())
    }
}

impl ActingUser {
    pub(crate) fn new(organization: Organization, user_id: String) -> Self {
        Self {
            organization,
            user_id,
        }
    }

    /// The organization.
    pub fn organization(&self) -> &Organization {
        &self.organization
    }

    /// The acting user's id.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// Creates and updates patients.
    pub fn patients(&self) -> Patients {
        Patients::new(self.clone())
    }

    /// Reads the prescriptions written for one patient.
    pub fn prescriptions(&self, patient_id: impl Into<String>) -> Prescriptions {
        Prescriptions::new(self.clone(), patient_id.into())
    }

    /// The custom drugs this user sees (the organization's and their own), and their own ones
    /// to create and update.
    pub fn custom_drugs(&self) -> UserCustomDrugs {
        UserCustomDrugs::new(self.clone())
    }

    /// What is wrong with the organization id, the user id and `more` (an id field and its
    /// value each), if anything.
    pub(crate) fn id_errors(&self, more: &[(&str, &str)]) -> Vec<FieldError> {
        let mut errors = self.organization.id_errors(Some(&self.user_id));
        errors.extend(
            more.iter()
                .filter_map(|(field, value)| crate::validate::id(field, value)),
        );
        errors
    }
}
