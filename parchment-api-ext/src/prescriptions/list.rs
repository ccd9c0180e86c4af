//! [`ListPrescriptions`]: one page, every page, or every prescription, following `lastKey`.

use super::models::{Prescription, PrescriptionsPage};
use crate::acting_user::ActingUser;
use crate::engine::{Api, Call, Normalized, Sent};
use crate::error::{Error, FieldError, Result};
use crate::operation::Operation;
use crate::pagination::{self, Paged};
use crate::response::Response;
use futures::{Stream, StreamExt, TryStreamExt, stream};
use parchment_api::types;
use std::num::NonZeroU32;

const OPERATION: Operation = Operation::LIST_PRESCRIPTIONS;

/// The largest page the prescriptions list serves.
pub(crate) const MAX_LIMIT: u32 = 50;

/// Lists a patient's prescriptions. From [`Prescriptions::list`](crate::Prescriptions::list).
///
/// [`send`](Self::send) fetches one page; [`pages`](Self::pages) and [`stream`](Self::stream)
/// follow `lastKey` lazily until the server stops returning one, with the same loop guard as
/// the users list.
#[derive(Debug, Clone)]
#[must_use]
pub struct ListPrescriptions {
    acting: ActingUser,
    patient_id: String,
    limit: Option<u32>,
    last_key: Option<String>,
    max_items: Option<usize>,
}

impl ListPrescriptions {
    pub(crate) fn new(acting: ActingUser, patient_id: String) -> Self {
        Self {
            acting,
            patient_id,
            limit: None,
            last_key: None,
            max_items: None,
        }
    }

    /// Page size, 1 to 50 (the server's default is 20). Checked before sending.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Starts after this key (a previous [`PrescriptionsPage`]'s `next_key`).
    pub fn last_key(mut self, last_key: impl Into<String>) -> Self {
        self.last_key = Some(last_key.into());
        self
    }

    /// [`stream`](Self::stream) stops after this many prescriptions (no page beyond is
    /// fetched).
    pub fn max_items(mut self, max_items: usize) -> Self {
        self.max_items = Some(max_items);
        self
    }

    /// Fetches one page.
    pub async fn send(self) -> Result<Response<PrescriptionsPage>> {
        fetch_page(
            &self.acting,
            &self.patient_id,
            self.limit,
            self.last_key.as_deref(),
        )
        .await
    }

    /// Every page, lazily. Ends after the page without a next key; a key the server already
    /// returned ends it with [`ErrorKind::PaginationLoop`](crate::ErrorKind::PaginationLoop).
    /// After an error the stream ends.
    pub fn pages(self) -> impl Stream<Item = Result<Response<PrescriptionsPage>>> + Send + 'static {
        let (acting, patient_id, limit) = (self.acting, self.patient_id, self.limit);
        pagination::pages(OPERATION.name, self.last_key, move |key| {
            let (acting, patient_id) = (acting.clone(), patient_id.clone());
            async move { fetch_page(&acting, &patient_id, limit, key.as_deref()).await }
        })
    }

    /// Every prescription of every page, lazily, up to [`max_items`](Self::max_items). The
    /// patient and prescriber blocks are on the pages ([`pages`](Self::pages)).
    pub fn stream(self) -> impl Stream<Item = Result<Prescription>> + Send + 'static {
        let max_items = self.max_items.unwrap_or(usize::MAX);
        self.pages()
            .map_ok(|page| stream::iter(page.into_inner().prescriptions.into_iter().map(Ok)))
            .try_flatten()
            .take(max_items)
    }
}

impl Paged for PrescriptionsPage {
    fn next_key(&self) -> Option<&str> {
        self.next_key.as_deref()
    }

    fn is_empty(&self) -> bool {
        self.prescriptions.is_empty()
    }
}

/// One page.
async fn fetch_page(
    acting: &ActingUser,
    patient_id: &str,
    limit: Option<u32>,
    last_key: Option<&str>,
) -> Result<Response<PrescriptionsPage>> {
    let mut errors = acting.id_errors(&[("patient_id", patient_id)]);
    if let Some(limit) = limit.filter(|limit| !(1..=MAX_LIMIT).contains(limit)) {
        errors.push(FieldError::new(
            "limit",
            "out_of_range",
            format!("must be between 1 and {MAX_LIMIT}, got {limit}"),
        ));
    }
    errors.extend(crate::validate::last_key(last_key));
    if !errors.is_empty() {
        return Err(Error::invalid_input(OPERATION.name, errors));
    }
    let call = ListPrescriptionsPage {
        user_id: acting.user_id(),
        patient_id,
        limit: limit.and_then(NonZeroU32::new),
        last_key,
    };
    acting.organization().run(&call).await
}

/// `GET .../users/{user_id}/patients/{patient_id}/prescriptions?limit=..&lastKey=..`.
struct ListPrescriptionsPage<'a> {
    user_id: &'a str,
    patient_id: &'a str,
    limit: Option<NonZeroU32>,
    last_key: Option<&'a str>,
}

impl Call for ListPrescriptionsPage<'_> {
    const OPERATION: Operation = Operation::LIST_PRESCRIPTIONS;
    type Envelope = types::ListPrescriptionsResponse;
    type Output = PrescriptionsPage;

    fn user_id(&self) -> Option<&str> {
        Some(self.user_id)
    }

    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
        api.list_prescriptions(
            organization_id,
            self.user_id,
            self.patient_id,
            self.last_key,
            self.limit,
        )
    }

    fn normalize(
        (data, pagination): (types::PrescriptionsPage, Option<types::Pagination>),
    ) -> Normalized<PrescriptionsPage> {
        Ok(PrescriptionsPage::from_wire(data, pagination))
    }
}
