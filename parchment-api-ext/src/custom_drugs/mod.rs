//! Custom drugs: [`UserCustomDrugs`] (one prescriber's, who also sees the organization's) and
//! [`OrganizationCustomDrugs`] (the organization's shared catalogue).

mod fields;
mod models;

pub use fields::{CustomDrugUpdate, NewCustomDrug};
pub use models::{BulkCreateOutcome, BulkItem, ConfirmDeleteAll, CustomDrug, ItemOutcome};

use crate::acting_user::ActingUser;
use crate::engine::{Api, Call, Normalized, Sent};
use crate::error::{FieldError, Result};
use crate::operation::Operation;
use crate::organization::Organization;
use crate::patients::{refuse_if_any, refuse_or_body};
use crate::response::{EnvelopeInfo, Response};
use parchment_api::types::{self, DeleteOrganizationCustomDrugsConfirm};
use reqwest::StatusCode;

impl Organization {
    /// The organization's own custom-drug catalogue.
    pub fn custom_drugs(&self) -> OrganizationCustomDrugs {
        OrganizationCustomDrugs::new(self.clone())
    }
}

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
        let (org, user_id) = (self.acting.organization(), self.acting.user_id());
        refuse_if_any(
            ListUserCustomDrugs::OPERATION.name,
            self.acting.id_errors(&[]),
        )?;
        org.run(&ListUserCustomDrugs { user_id }).await
    }

    /// Creates a drug stored against this user (see [`NewCustomDrug`] for the rules). Never
    /// retried (a POST).
    pub async fn create(&self, drug: NewCustomDrug) -> Result<Response<CustomDrug>> {
        let (org, user_id) = (self.acting.organization(), self.acting.user_id());
        let body = refuse_or_body(
            CreateUserCustomDrug::OPERATION.name,
            self.acting.id_errors(&[]),
            drug.to_request(""),
        )?;
        org.run(&CreateUserCustomDrug { user_id, body }).await
    }

    /// Changes the fields `update` sets on one of this user's drugs. A drug that does not
    /// exist for this user is [`ErrorKind::NotFound`](crate::ErrorKind::NotFound).
    pub async fn update(
        &self,
        drug_id: &str,
        update: CustomDrugUpdate,
    ) -> Result<Response<CustomDrug>> {
        let (org, user_id) = (self.acting.organization(), self.acting.user_id());
        let errors = self.acting.id_errors(&[("drug_id", drug_id)]);
        let body = refuse_or_body(
            UpdateUserCustomDrug::OPERATION.name,
            errors,
            update.into_request(),
        )?;
        let call = UpdateUserCustomDrug {
            user_id,
            drug_id,
            body,
        };
        org.run(&call).await
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
        let org = &self.organization;
        refuse_if_any(
            ListOrganizationCustomDrugs::OPERATION.name,
            org.id_errors(None),
        )?;
        org.run(&ListOrganizationCustomDrugs).await
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
        const OPERATION: Operation = BulkCreateOrganizationCustomDrugs::OPERATION;
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
        let response = org.run(&BulkCreateOrganizationCustomDrugs { body }).await?;
        // The outcome maps each failure's 1-based index back to the caller's own item.
        Ok(response.map(|result| BulkCreateOutcome::from_wire(drugs, result)))
    }

    /// **Irreversibly** deletes every organization-level custom drug (users' own drugs stay).
    /// Takes [`ConfirmDeleteAll`] so that the call says what it does; always sends
    /// `confirm=true`. Parchment documents 200 with an empty `data`; a 204 (its general rule
    /// for DELETE) is accepted as the same success.
    pub async fn delete_all_irreversibly(&self, confirm: ConfirmDeleteAll) -> Result<Response<()>> {
        let ConfirmDeleteAll::EveryOrganizationCustomDrug = confirm;
        let org = &self.organization;
        refuse_if_any(
            DeleteOrganizationCustomDrugs::OPERATION.name,
            org.id_errors(None),
        )?;
        match org.run(&DeleteOrganizationCustomDrugs).await {
            Ok(response) => Ok(response),
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

/// `GET .../users/{user_id}/custom-drugs`.
struct ListUserCustomDrugs<'a> {
    user_id: &'a str,
}

impl Call for ListUserCustomDrugs<'_> {
    const OPERATION: Operation = Operation::LIST_USER_CUSTOM_DRUGS;
    type Envelope = types::CustomDrugListResponse;
    type Output = Vec<CustomDrug>;

    fn user_id(&self) -> Option<&str> {
        Some(self.user_id)
    }

    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
        api.list_user_custom_drugs(organization_id, self.user_id)
    }

    fn normalize(drugs: Vec<types::CustomDrug>) -> Normalized<Vec<CustomDrug>> {
        Ok(drugs.into_iter().map(CustomDrug::from).collect())
    }
}

/// `POST .../users/{user_id}/custom-drugs`.
struct CreateUserCustomDrug<'a> {
    user_id: &'a str,
    body: types::NewCustomDrug,
}

impl Call for CreateUserCustomDrug<'_> {
    const OPERATION: Operation = Operation::CREATE_USER_CUSTOM_DRUG;
    type Envelope = types::CustomDrugResponse;
    type Output = CustomDrug;

    fn user_id(&self) -> Option<&str> {
        Some(self.user_id)
    }

    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
        api.create_user_custom_drug(organization_id, self.user_id, &self.body)
    }

    fn normalize(drug: types::CustomDrug) -> Normalized<CustomDrug> {
        Ok(CustomDrug::from(drug))
    }
}

/// `PUT .../users/{user_id}/custom-drugs/{drug_id}`.
struct UpdateUserCustomDrug<'a> {
    user_id: &'a str,
    drug_id: &'a str,
    body: types::CustomDrugUpdate,
}

impl Call for UpdateUserCustomDrug<'_> {
    const OPERATION: Operation = Operation::UPDATE_USER_CUSTOM_DRUG;
    type Envelope = types::CustomDrugResponse;
    type Output = CustomDrug;

    fn user_id(&self) -> Option<&str> {
        Some(self.user_id)
    }

    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
        api.update_user_custom_drug(organization_id, self.user_id, self.drug_id, &self.body)
    }

    fn normalize(drug: types::CustomDrug) -> Normalized<CustomDrug> {
        Ok(CustomDrug::from(drug))
    }
}

/// `GET .../custom-drugs`.
struct ListOrganizationCustomDrugs;

impl Call for ListOrganizationCustomDrugs {
    const OPERATION: Operation = Operation::LIST_ORGANIZATION_CUSTOM_DRUGS;
    type Envelope = types::CustomDrugListResponse;
    type Output = Vec<CustomDrug>;

    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
        api.list_organization_custom_drugs(organization_id)
    }

    fn normalize(drugs: Vec<types::CustomDrug>) -> Normalized<Vec<CustomDrug>> {
        Ok(drugs.into_iter().map(CustomDrug::from).collect())
    }
}

/// `POST .../custom-drugs` (a non-empty array). The handle maps the result back to the
/// caller's items, which this description does not hold.
struct BulkCreateOrganizationCustomDrugs {
    body: Vec<types::NewCustomDrug>,
}

impl Call for BulkCreateOrganizationCustomDrugs {
    const OPERATION: Operation = Operation::BULK_CREATE_ORGANIZATION_CUSTOM_DRUGS;
    type Envelope = types::BulkCreateCustomDrugsResponse;
    type Output = types::BulkCreateResult;

    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
        api.bulk_create_organization_custom_drugs(organization_id, &self.body)
    }

    fn normalize(result: types::BulkCreateResult) -> Normalized<types::BulkCreateResult> {
        Ok(result)
    }
}

/// `DELETE .../custom-drugs?confirm=true`: the only value the query takes.
struct DeleteOrganizationCustomDrugs;

impl Call for DeleteOrganizationCustomDrugs {
    const OPERATION: Operation = Operation::DELETE_ORGANIZATION_CUSTOM_DRUGS;
    type Envelope = types::DeleteCustomDrugsResponse;
    type Output = ();

    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
        api.delete_organization_custom_drugs(
            organization_id,
            DeleteOrganizationCustomDrugsConfirm::True,
        )
    }

    fn normalize(_empty: serde_json::Map<String, serde_json::Value>) -> Normalized<()> {
        Ok(())
    }
}
