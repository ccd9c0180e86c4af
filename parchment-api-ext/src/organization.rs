//! [`Organization`]: one clinic's handle, and the one place calls are executed.

use crate::client::Client;
use crate::credentials::Credentials;
use crate::envelope::{GeneratedError, into_error};
use crate::error::{FieldError, Result};
use crate::users::Users;
use crate::validate;
use parchment_api::ResponseValue;
use std::fmt;
use std::future::Future;
use std::time::Instant;

/// One organization (clinic) of the partner, with the credentials its calls carry.
#[derive(Clone)]
pub struct Organization {
    client: Client,
    id: String,
    credentials: Credentials,
}

impl Organization {
    pub(crate) fn new(client: Client, id: String, credentials: Credentials) -> Self {
        Self {
            client,
            id,
            credentials,
        }
    }

    /// The organization's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The organization's users.
    pub fn users(&self) -> Users {
        Users::new(self.clone())
    }

    pub(crate) fn api(&self) -> &parchment_api::Client {
        self.client.low_level()
    }

    /// What is wrong with the organization id and the given user id, if anything.
    pub(crate) fn id_errors(&self, user_id: Option<&str>) -> Vec<FieldError> {
        std::iter::once(validate::id("organization_id", &self.id))
            .chain(user_id.map(|user_id| validate::id("user_id", user_id)))
            .flatten()
            .collect()
    }

    /// Runs one generated call with this organization's credentials, and reports it: ids,
    /// status, time and request id; never a body or a credential.
    pub(crate) async fn execute<E>(
        &self,
        operation: &'static str,
        user_id: Option<&str>,
        call: impl Future<Output = std::result::Result<ResponseValue<E>, GeneratedError>>,
    ) -> Result<ResponseValue<E>> {
        let started = Instant::now();
        let (result, meta) = parchment_api::call_scope(self.credentials.headers(), call).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match result {
            Ok(value) => {
                tracing::debug!(
                    operation,
                    organization_id = %self.id,
                    user_id,
                    status = value.status().as_u16(),
                    elapsed_ms,
                    "parchment call succeeded"
                );
                Ok(value)
            }
            Err(generated) => {
                let error = into_error(operation, generated, meta).await;
                tracing::info!(
                    operation,
                    organization_id = %self.id,
                    user_id,
                    status = error.status().map(|s| s.as_u16()),
                    kind = ?error.kind(),
                    request_id = error.request_id(),
                    elapsed_ms,
                    "parchment call failed"
                );
                Err(error)
            }
        }
    }
}

impl fmt::Debug for Organization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Organization")
            .field("id", &self.id)
            .field("credentials", &self.credentials)
            .finish()
    }
}
