//! What the patient operations return: the create outcome (created, or accepted with
//! conflicts) and the patient as an update left it. Debug prints ids only.

use chrono::NaiveDate;
use parchment_api::{Sex, types};

/// The ids of a patient just created.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedPatient {
    /// Parchment's id of the patient (`parchment_patient_id`, or `patient_id`), when the
    /// response carries it (a 201 always does).
    pub patient_id: Option<String>,
    /// The partner-scoped id (`CLINIKO#12345`), when the response carries it.
    pub external_patient_id: Option<String>,
    /// A link to the patient in Parchment's portal, when the response carries it.
    pub url: Option<String>,
}

impl std::fmt::Debug for CreatedPatient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedPatient")
            .field("patient_id", &self.patient_id)
            .field("external_patient_id", &self.external_patient_id)
            .field("url", &self.url.as_ref().map(|_| "[link]"))
            .finish()
    }
}

/// How Parchment took a new patient. Both are successes; neither is retried.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PatientCreated {
    /// 201: created.
    Created(CreatedPatient),
    /// 202: accepted, but a patient with the same given name, family name and date of birth
    /// already exists in the organization ("Conflict Detected"). The ids are the new
    /// record's, as far as the response carries them; `message` is the server's.
    Accepted {
        /// The ids the 202 body carries.
        patient: CreatedPatient,
        /// The server's message (`Conflict Detected`).
        message: Option<String>,
    },
}

impl PatientCreated {
    /// The ids, whichever way the patient was taken.
    pub fn patient(&self) -> &CreatedPatient {
        match self {
            PatientCreated::Created(patient) | PatientCreated::Accepted { patient, .. } => patient,
        }
    }

    /// Whether Parchment found a possible duplicate (202).
    pub fn has_conflicts(&self) -> bool {
        matches!(self, PatientCreated::Accepted { .. })
    }
}

impl From<types::CreatedPatient> for CreatedPatient {
    fn from(wire: types::CreatedPatient) -> Self {
        Self {
            patient_id: wire.parchment_patient_id.or(wire.patient_id),
            external_patient_id: wire.external_patient_id,
            url: wire.url,
        }
    }
}

/// The patient as an update left it (the fields the response carries).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpdatedPatient {
    /// Parchment's id of the patient.
    pub patient_id: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// Date of birth (read from a date or a midnight timestamp).
    pub date_of_birth: Option<NaiveDate>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Phone number.
    pub phone: Option<String>,
    /// Email address.
    pub email: Option<String>,
}

impl std::fmt::Debug for UpdatedPatient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdatedPatient")
            .field("patient_id", &self.patient_id)
            .finish_non_exhaustive()
    }
}

impl From<types::UpdatedPatient> for UpdatedPatient {
    fn from(wire: types::UpdatedPatient) -> Self {
        Self {
            patient_id: wire.patient_id,
            family_name: wire.family_name,
            given_name: wire.given_name,
            date_of_birth: wire.date_of_birth.map(|date| date.date()),
            sex: wire.sex,
            phone: wire.phone,
            email: wire.email,
        }
    }
}
