//! `POST /v1/sso`: [`ActingUser::sso_link`], a sign-in link for the acting user.
//!
//! The call takes no bearer token: it carries the raw partner headers (`x-partner-id`,
//! `x-partner-secret`, `x-organization-id`, `x-organization-secret`, and the acting user as
//! `x-user-id`). The answer is a credential, so it is never cached (the call does not go
//! through the read cache), never logged (the engine logs status, timing and request id only),
//! and retried only when the connection could not be made (a second link would be harmless,
//! but a POST that reached the server is not repeated: the operation is not idempotent).

use super::link::SsoLink;
use super::target::SsoTarget;
use crate::acting_user::ActingUser;
use crate::engine::{Api, Call, Normalized, Sent};
use crate::error::Result;
use crate::operation::Operation;
use crate::patients::refuse_if_any;
use crate::response::Response;
use parchment_api::types;
use std::time::SystemTime;

crate::envelope::success_envelope! {
    CreateSsoLinkResponse => parchment_api::SsoLink = data;
}

impl ActingUser {
    /// A short-lived link that signs the acting user into `target`'s page of Parchment's UI
    /// (`POST /v1/sso`). Ask for a new one for every sign-in attempt: a link works once.
    ///
    /// Needs partner credentials ([`ClientBuilder::partner_credentials`](crate::ClientBuilder::partner_credentials));
    /// a client built with a static access token gets an
    /// [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) error and sends nothing.
    /// A bad organization or user id is [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) with
    /// nothing sent. The link's expiry is counted from just before the request was sent, so
    /// that the SDK never believes a link alive that Parchment has already expired.
    pub async fn sso_link(&self, target: &SsoTarget) -> Result<Response<SsoLink>> {
        let (org, user_id) = (self.organization(), self.user_id());
        refuse_if_any(CreateSsoLink::OPERATION.name, self.id_errors(&[]))?;
        let call = CreateSsoLink {
            user_id,
            body: types::CreateSsoLinkRequest {
                redirect_path: target.redirect_path(),
            },
        };
        let (sent_at, sent_at_wall) = (org.now(), SystemTime::now());
        let response = org
            .run_with_partner_headers(user_id, &call)
            .await
            // A body that was not the envelope may still hold the token or the URL: an error
            // of this call never keeps a snippet of it.
            .map_err(|error| error.with_body_snippet(None))?;
        Ok(response.map(|link| {
            SsoLink::from_wire(
                link.sso_token,
                link.redirect_url,
                link.expires_in,
                sent_at,
                sent_at_wall,
            )
        }))
    }
}

/// `POST /v1/sso`.
struct CreateSsoLink<'a> {
    user_id: &'a str,
    body: types::CreateSsoLinkRequest,
}

impl Call for CreateSsoLink<'_> {
    const OPERATION: Operation = Operation::CREATE_SSO_LINK;
    type Envelope = types::CreateSsoLinkResponse;
    type Output = parchment_api::SsoLink;

    fn user_id(&self) -> Option<&str> {
        Some(self.user_id)
    }

    fn send<'a>(&'a self, api: &'a Api, _organization_id: &'a str) -> impl Sent<'a, Self> {
        api.create_sso_link(&self.body)
    }

    fn normalize(data: parchment_api::SsoLink) -> Normalized<parchment_api::SsoLink> {
        if data.sso_token.trim().is_empty() || data.redirect_url.trim().is_empty() {
            return Err("the SSO response has no usable link");
        }
        Ok(data)
    }
}
