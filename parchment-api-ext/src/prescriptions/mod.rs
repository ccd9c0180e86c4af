//! [`Prescriptions`]: the prescriptions written for one patient, read on behalf of one user.

mod list;
mod models;

pub use list::ListPrescriptions;
pub use models::{
    Prescriber, Prescription, PrescriptionDetail, PrescriptionPatient, PrescriptionsPage,
};

use crate::acting_user::ActingUser;
use crate::envelope::into_response;
use crate::error::Result;
use crate::operation::Operation;
use crate::patients::refuse_if_any;
use crate::response::Response;

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
        const OPERATION: Operation = Operation::READ_PRESCRIPTION;
        let (org, user_id, patient_id) = (
            self.acting.organization(),
            self.acting.user_id(),
            self.patient_id.as_str(),
        );
        let errors = self
            .acting
            .id_errors(&[("patient_id", patient_id), ("scid", scid)]);
        refuse_if_any(OPERATION.name, errors)?;
        let api = org.api();
        let value = org
            .execute(OPERATION, Some(user_id), || {
                api.read_prescription(org.id(), user_id, patient_id, scid)
            })
            .await?;
        Ok(into_response(*value, PrescriptionDetail::from))
    }
}
