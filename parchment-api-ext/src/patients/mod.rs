//! [`Patients`]: creating and updating patients on behalf of one user.

/// Builder setters for optional text fields, one line of doc each.
macro_rules! text_setters {
    ($($(#[$doc:meta])* $field:ident),+ $(,)?) => {$(
        $(#[$doc])*
        pub fn $field(mut self, value: impl Into<String>) -> Self {
            self.$field = Some(value.into());
            self
        }
    )+};
}
use text_setters;

mod address;
mod models;
mod new;
pub(crate) mod rules;
mod update;

pub use address::PatientAddress;
pub use models::{CreatedPatient, PatientCreated, UpdatedPatient};
pub use new::NewPatient;
pub use update::PatientUpdate;

use crate::acting_user::ActingUser;
use crate::envelope::into_response;
use crate::error::{Error, ErrorKind, FieldError, Result};
use crate::operation::Operation;
use crate::response::Response;
use reqwest::StatusCode;

/// The checked body, or a refusal listing the id errors and the body's together.
pub(crate) fn refuse_or_body<B>(
    operation: &'static str,
    mut errors: Vec<FieldError>,
    body: std::result::Result<B, Vec<FieldError>>,
) -> Result<B> {
    match body {
        Ok(body) if errors.is_empty() => Ok(body),
        Ok(_) => Err(Error::invalid_input(operation, errors)),
        Err(body_errors) => {
            errors.extend(body_errors);
            Err(Error::invalid_input(operation, errors))
        }
    }
}

/// Refuses a call before sending when any check failed.
pub(crate) fn refuse_if_any(operation: &'static str, errors: Vec<FieldError>) -> Result<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::invalid_input(operation, errors))
    }
}

/// The patients of one organization, on behalf of one user. From [`ActingUser::patients`].
///
/// Parchment documents no patient read or list; patients come back inside prescription
/// responses ([`ActingUser::prescriptions`]).
#[derive(Clone, Debug)]
pub struct Patients {
    acting: ActingUser,
}

impl Patients {
    pub(crate) fn new(acting: ActingUser) -> Self {
        Self { acting }
    }

    /// Creates a patient (see [`NewPatient`] for the rules). A 202 ("Conflict Detected": a
    /// patient with the same names and date of birth exists) is a success,
    /// [`PatientCreated::Accepted`]. A `partner_patient_id` that already exists is
    /// [`ErrorKind::Conflict`]. Never retried (a POST).
    pub async fn create(&self, patient: NewPatient) -> Result<Response<PatientCreated>> {
        const OPERATION: Operation = Operation::CREATE_PATIENT;
        let (org, user_id) = (self.acting.organization(), self.acting.user_id());
        let body = refuse_or_body(
            OPERATION.name,
            self.acting.id_errors(&[]),
            patient.into_request(),
        )?;
        let api = org.api();
        let value = org
            .execute(OPERATION, Some(user_id), || {
                api.create_patient(org.id(), user_id, &body)
            })
            .await?;
        let response = into_response(*value, |data| data.map(CreatedPatient::from));
        let accepted = response.status() == StatusCode::ACCEPTED;
        match response.as_ref() {
            Some(CreatedPatient {
                patient_id: Some(_),
                ..
            }) => {}
            _ if accepted => {}
            _ => {
                return Err(Error::new(
                    ErrorKind::Decode,
                    OPERATION.name,
                    "the create-patient response names no patient id (neither \
                     parchment_patient_id nor patient_id)",
                )
                .with_status(response.status())
                .with_request_id(response.request_id().map(str::to_owned)));
            }
        }
        let message = response.message().map(str::to_owned);
        Ok(response.map(|patient| {
            let patient = patient.unwrap_or(CreatedPatient {
                patient_id: None,
                external_patient_id: None,
                url: None,
            });
            if accepted {
                PatientCreated::Accepted { patient, message }
            } else {
                PatientCreated::Created(patient)
            }
        }))
    }

    /// Changes what `update` sets or clears; the rest stays. A patient that does not exist in
    /// the organization is [`ErrorKind::NotFound`].
    pub async fn update(
        &self,
        patient_id: &str,
        update: PatientUpdate,
    ) -> Result<Response<UpdatedPatient>> {
        const OPERATION: Operation = Operation::UPDATE_PATIENT;
        let (org, user_id) = (self.acting.organization(), self.acting.user_id());
        let errors = self.acting.id_errors(&[("patient_id", patient_id)]);
        let body = refuse_or_body(OPERATION.name, errors, update.into_request())?;
        let api = org.api();
        let value = org
            .execute(OPERATION, Some(user_id), || {
                api.update_patient(org.id(), user_id, patient_id, &body)
            })
            .await?;
        Ok(into_response(*value, UpdatedPatient::from))
    }
}
