//! Custom drugs: [`UserCustomDrugs`] (one prescriber's, who also sees the organization's) and
//! [`OrganizationCustomDrugs`] (the organization's shared catalogue).

mod fields;
mod models;

pub use fields::{CustomDrugUpdate, NewCustomDrug};
pub use models::{BulkCreateOutcome, BulkItem, ConfirmDeleteAll, CustomDrug, ItemOutcome};

use crate::acting_user::ActingUser;
use crate::envelope::into_response;
use crate::error::{FieldError, Result};
use crate::operation::Operation;
use crate::organization::Organization;
use crate::patients::{refuse_if_any, refuse_or_body};
use crate::response::{EnvelopeInfo, Response};
use parchment_api::types::DeleteOrganizationCustomDrugsConfirm;
use reqwest::StatusCode;

/// One prescriber's custom drugs. From [`ActingUser::custom_drugs`].
#[derive(Clone, Debug)]
pub struct UserCustomDrugs {
    acting: ActingUser,
}

impl UserCustomDrugs {
    pub(crate) fn new(acting: ActingUser) -> Self {
        Self { acting }
    }

    /// The drugs this user sees: the organization's and their own, in one list.
    pub async fn list(&self) -> Result<Response<Vec<CustomDrug>>> {
        const OPERATION: Operation = Operation::LIST_USER_CUSTOM_DRUGS;
        let (org, user_id) = (self.acting.organization(), self.acting.user_id());
        refuse_if_any(OPERATION.name, self.acting.id_errors(&[]))?;
        let api = org.api();
        let value = org
            .execute(OPERATION, Some(user_id), || {
                api.list_user_custom_drugs(org.id(), user_id)
            })
            .await?;
        Ok(into_response(*value, |drugs| {
            drugs.into_iter().map(CustomDrug::from).collect()
        }))
    }

    /// Creates a drug stored against this user (see [`NewCustomDrug`] for the rules). Never
    /// retried (a POST).
    pub async fn create(&self, drug: NewCustomDrug) -> Result<Response<CustomDrug>> {
        const OPERATION: Operation = Operation::CREATE_USER_CUSTOM_DRUG;
        let (org, user_id) = (self.acting.organization(), self.acting.user_id());
        let body = refuse_or_body(
            OPERATION.name,
            self.acting.id_errors(&[]),
            drug.to_request(""),
        )?;
        let api = org.api();
        let value = org
            .execute(OPERATION, Some(user_id), || {
                api.create_user_custom_drug(org.id(), user_id, &body)
            })
            .await?;
        Ok(into_response(*value, CustomDrug::from))
    }

    /// Changes the fields `update` sets on one of this user's drugs. A drug that does not
    /// exist for this user is [`ErrorKind::NotFound`](crate::ErrorKind::NotFound).
    pub async fn update(
        &self,
        drug_id: &str,
        update: CustomDrugUpdate,
    ) -> Result<Response<CustomDrug>> {
        const OPERATION: Operation = Operation::UPDATE_USER_CUSTOM_DRUG;
        let (org, user_id) = (self.acting.organization(), self.acting.user_id());
        let errors = self.acting.id_errors(&[("drug_id", drug_id)]);
        let body = refuse_or_body(OPERATION.name, errors, update.into_request())?;
        let api = org.api();
        let value = org
            .execute(OPERATION, Some(user_id), || {
                api.update_user_custom_drug(org.id(), user_id, drug_id, &body)
            })
            .await?;
        Ok(into_response(*value, CustomDrug::from))
    }
}

/// The organization's shared custom-drug catalogue. From [`Organization::custom_drugs`].
#[derive(Clone, Debug)]
pub struct OrganizationCustomDrugs {
    organization: Organization,
}

impl OrganizationCustomDrugs {
    pub(crate) fn new(organization: Organization) -> Self {
        Self { organization }
    }

    /// The organization-level drugs (no user's own).
    pub async fn list(&self) -> Result<Response<Vec<CustomDrug>>> {
        const OPERATION: Operation = Operation::LIST_ORGANIZATION_CUSTOM_DRUGS;
        let org = &self.organization;
        refuse_if_any(OPERATION.name, org.id_errors(None))?;
        let api = org.api();
        let value = org
            .execute(OPERATION, None, || {
                api.list_organization_custom_drugs(org.id())
            })
            .await?;
        Ok(into_response(*value, |drugs| {
            drugs.into_iter().map(CustomDrug::from).collect()
        }))
    }

    /// Creates each drug in the organization's catalogue, each on its own. Every drug is
    /// checked first (field names `items[i].field`, 0-based) and an empty list is refused:
    /// nothing is sent then. The outcome gives each item back with what became of it. When
    /// every item fails, Parchment answers 400: [`ErrorKind::BadRequest`]. Never retried.
    ///
    /// [`ErrorKind::BadRequest`]: crate::ErrorKind::BadRequest
    pub async fn bulk_create(
        &self,
        drugs: impl IntoIterator<Item = NewCustomDrug>,
    ) -> Result<Response<BulkCreateOutcome>> {
        const OPERATION: Operation = Operation::BULK_CREATE_ORGANIZATION_CUSTOM_DRUGS;
        let org = &self.organization;
        let drugs: Vec<NewCustomDrug> = drugs.into_iter().collect();
        let mut errors = org.id_errors(None);
        if drugs.is_empty() {
            errors.push(FieldError::new(
                "items",
                "required",
                "must hold at least one drug",
            ));
        }
        let mut body = Vec::with_capacity(drugs.len());
        for (index, drug) in drugs.iter().enumerate() {
            match drug.to_request(&format!("items[{index}].")) {
                Ok(item) => body.push(item),
                Err(item_errors) => errors.extend(item_errors),
            }
        }
        refuse_if_any(OPERATION.name, errors)?;
        let api = org.api();
        let value = org
            .execute(OPERATION, None, || {
                api.bulk_create_organization_custom_drugs(org.id(), &body)
            })
            .await?;
        Ok(into_response(*value, |result| {
            BulkCreateOutcome::from_wire(drugs, result)
        }))
    }

    /// **Irreversibly** deletes every organization-level custom drug (users' own drugs stay).
    /// Takes [`ConfirmDeleteAll`] so that the call says what it does; always sends
    /// `confirm=true`. Parchment documents 200 with an empty `data`; a 204 (its general rule
    /// for DELETE) is accepted as the same success.
    pub async fn delete_all_irreversibly(&self, confirm: ConfirmDeleteAll) -> Result<Response<()>> {
        const OPERATION: Operation = Operation::DELETE_ORGANIZATION_CUSTOM_DRUGS;
        let ConfirmDeleteAll::EveryOrganizationCustomDrug = confirm;
        let org = &self.organization;
        refuse_if_any(OPERATION.name, org.id_errors(None))?;
        let api = org.api();
        let result = org
            .execute(OPERATION, None, || {
                api.delete_organization_custom_drugs(
                    org.id(),
                    DeleteOrganizationCustomDrugsConfirm::True,
                )
            })
            .await;
        match result {
            Ok(value) => Ok(into_response(*value, drop)),
            // The spec documents only the 200, so the generated client reports a 204 as an
            // unexpected (bodiless) success; it is the success DELETE's general rule names.
            Err(error) if error.status() == Some(StatusCode::NO_CONTENT) => Ok(Response::new(
                (),
                StatusCode::NO_CONTENT,
                EnvelopeInfo {
                    request_id: error.request_id().map(str::to_owned),
                    ..EnvelopeInfo::default()
                },
            )),
            Err(error) => Err(error),
        }
    }
}
