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
use crate::engine::{Api, Call, Normalized, Sent};
use crate::error::{Error, ErrorKind, FieldError, Result};
use crate::operation::Operation;
use crate::response::Response;
use parchment_api::types;
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
        const OPERATION: Operation = CreatePatient::OPERATION;
        let (org, user_id) = (self.acting.organization(), self.acting.user_id());
        let body = refuse_or_body(
            OPERATION.name,
            self.acting.id_errors(&[]),
            patient.into_request(),
        )?;
        let response = org.run(&CreatePatient { user_id, body }).await?;
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
        let (org, user_id) = (self.acting.organization(), self.acting.user_id());
        let errors = self.acting.id_errors(&[("patient_id", patient_id)]);
        let body = refuse_or_body(UpdatePatient::OPERATION.name, errors, update.into_request())?;
        let call = UpdatePatient {
            user_id,
            patient_id,
            body,
        };
        org.run(&call).await
    }
}

/// `POST .../users/{user_id}/patients`. The status (201 or 202) decides the outcome, so the
/// handle finishes the normalization with the response in hand.
struct CreatePatient<'a> {
    user_id: &'a str,
    body: types::CreatePatientRequest,
}

impl Call for CreatePatient<'_> {
    const OPERATION: Operation = Operation::CREATE_PATIENT;
    type Envelope = types::CreatePatientResponse;
    type Output = Option<CreatedPatient>;

    fn user_id(&self) -> Option<&str> {
        Some(self.user_id)
    }

    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
        api.create_patient(organization_id, self.user_id, &self.body)
    }

    fn normalize(data: Option<types::CreatedPatient>) -> Normalized<Option<CreatedPatient>> {
        Ok(data.map(CreatedPatient::from))
    }
}

/// `PUT .../users/{user_id}/patients/{patient_id}`.
struct UpdatePatient<'a> {
    user_id: &'a str,
    patient_id: &'a str,
    body: parchment_api::UpdatePatientRequest,
}

impl Call for UpdatePatient<'_> {
    const OPERATION: Operation = Operation::UPDATE_PATIENT;
    type Envelope = types::UpdatePatientResponse;
    type Output = UpdatedPatient;

    fn user_id(&self) -> Option<&str> {
        Some(self.user_id)
    }

    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
        api.update_patient(organization_id, self.user_id, self.patient_id, &self.body)
    }

    fn normalize(data: types::UpdatedPatient) -> Normalized<UpdatedPatient> {
        Ok(UpdatedPatient::from(data))
    }
}
