//! [`Prescriptions`]: the prescriptions written for one patient, read on behalf of one user.

mod list;
mod models;

pub use list::ListPrescriptions;
pub use models::{
    Prescriber, Prescription, PrescriptionDetail, PrescriptionPatient, PrescriptionsPage,
};

use crate::acting_user::ActingUser;
use crate::engine::{Api, Call, Normalized, Sent};
use crate::error::Result;
use crate::operation::Operation;
use crate::patients::refuse_if_any;
use crate::response::Response;
use parchment_api::types;

/// One patient's prescriptions. From [`ActingUser::prescriptions`].
///
/// Prescriptions are written in Parchment's UI (opened through SSO); the API reads them.
#[derive(Clone, Debug)]
pub struct Prescriptions {
    acting: ActingUser,
    patient_id: String,
}

impl Prescriptions {
    pub(crate) fn new(acting: ActingUser, patient_id: String) -> Self {
        Self { acting, patient_id }
    }

    /// The patient's id.
    pub fn patient_id(&self) -> &str {
        &self.patient_id
    }

    /// Lists the prescriptions, one page at a time or as a stream: see [`ListPrescriptions`].
    pub fn list(&self) -> ListPrescriptions {
        ListPrescriptions::new(self.acting.clone(), self.patient_id.clone())
    }

    /// Reads one prescription by its Script ID. A prescription that does not exist is
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound), whatever the body's `error.type`
    /// says (Parchment sends the bare `PRESCRIPTION_NOT_FOUND` there).
    pub async fn get(&self, scid: &str) -> Result<Response<PrescriptionDetail>> {
        let (org, user_id, patient_id) = (
            self.acting.organization(),
            self.acting.user_id(),
            self.patient_id.as_str(),
        );
        let errors = self
            .acting
            .id_errors(&[("patient_id", patient_id), ("scid", scid)]);
        refuse_if_any(ReadPrescription::OPERATION.name, errors)?;
        let call = ReadPrescription {
            user_id,
            patient_id,
            scid,
        };
        org.run(&call).await
    }
}

/// `GET .../users/{user_id}/patients/{patient_id}/prescriptions/{scid}`.
struct ReadPrescription<'a> {
    user_id: &'a str,
    patient_id: &'a str,
    scid: &'a str,
}

impl Call for ReadPrescription<'_> {
    const OPERATION: Operation = Operation::READ_PRESCRIPTION;
    type Envelope = types::ReadPrescriptionResponse;
    type Output = PrescriptionDetail;

    fn user_id(&self) -> Option<&str> {
        Some(self.user_id)
    }

    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
        api.read_prescription(organization_id, self.user_id, self.patient_id, self.scid)
    }

    fn normalize(data: types::PrescriptionDetail) -> Normalized<PrescriptionDetail> {
        Ok(PrescriptionDetail::from(data))
    }
}
