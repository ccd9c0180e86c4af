//! The first step of every attempt: the headers a call carries.
//!
//! Two kinds of credentials: a bearer token with the organization secret (resource calls;
//! the token either given by the caller or obtained with partner credentials and cached), and
//! raw partner headers (`x-partner-id`, `x-partner-secret`, `x-organization-id`,
//! `x-organization-secret`, `x-user-id`) for the token request itself and the calls that take
//! no bearer token. The token request runs through the same engine as every other call.

use super::{Api, Call, Engine, Normalized, Sent, Target};
use crate::auth::scope::ScopeSet;
use crate::auth::token_cache::{Token, TokenKey};
use crate::auth::{ORGANIZATION_SECRET, PartnerAuth, sensitive_header};
use crate::error::{Error, ErrorKind, Result};
use crate::operation::Operation;
use futures::FutureExt;
use futures::future::BoxFuture;
use parchment_api::types;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use std::hash::BuildHasher;
use std::sync::Arc;
use std::time::Duration;

const PARTNER_ID: HeaderName = HeaderName::from_static("x-partner-id");
const PARTNER_SECRET: HeaderName = HeaderName::from_static("x-partner-secret");
const ORGANIZATION_ID: HeaderName = HeaderName::from_static("x-organization-id");
const USER_ID: HeaderName = HeaderName::from_static("x-user-id");

/// What a target's calls authenticate with.
#[derive(Clone)]
pub(crate) enum Credentials {
    /// Headers sent as they are: a static bearer token with the organization secret, or raw
    /// partner headers. Built once.
    Fixed(Arc<HeaderMap>),
    /// A bearer token obtained with partner credentials (and cached), with the organization
    /// secret.
    Token(Arc<TokenGrant>),
    /// None usable: every call fails with this configuration error and sends nothing.
    Unavailable(Error),
}

impl Credentials {
    /// A static bearer token (`Bearer ...`, sensitive) with the organization secret.
    pub(crate) fn bearer(
        authorization: &HeaderValue,
        organization_secret: &HeaderValue,
        user_agent: &HeaderValue,
    ) -> Self {
        let mut headers = HeaderMap::with_capacity(3);
        headers.insert(ORGANIZATION_SECRET, organization_secret.clone());
        headers.insert(USER_AGENT, user_agent.clone());
        headers.insert(AUTHORIZATION, authorization.clone());
        Self::Fixed(Arc::new(headers))
    }

    /// Raw partner headers, no bearer token: what the token request (and `POST /v1/sso`)
    /// sends.
    pub(crate) fn partner_headers(
        partner: &PartnerAuth,
        organization_id: &str,
        organization_secret: &HeaderValue,
        acting_user: &str,
        user_agent: &HeaderValue,
    ) -> Result<Self> {
        let to_header = |value: &str, what: &str| {
            HeaderValue::from_str(value).map_err(|_| {
                Error::configuration(format!("the {what} holds characters a header cannot carry"))
            })
        };
        let mut headers = HeaderMap::with_capacity(6);
        headers.insert(PARTNER_ID, partner.partner_id.clone());
        headers.insert(PARTNER_SECRET, partner.partner_secret.clone());
        headers.insert(
            ORGANIZATION_ID,
            to_header(organization_id, "organization id")?,
        );
        headers.insert(ORGANIZATION_SECRET, organization_secret.clone());
        headers.insert(USER_ID, to_header(acting_user, "acting user id")?);
        headers.insert(USER_AGENT, user_agent.clone());
        Ok(Self::Fixed(Arc::new(headers)))
    }

    /// Tokens for `organization_id` acting as `acting_user` with `scopes`, obtained with
    /// `partner`'s credentials and `organization_secret`. The cache key holds a keyed
    /// fingerprint of every one of them, so that two handles with different secrets never
    /// share a token (nor evict each other's).
    pub(crate) fn token(
        engine: &Engine,
        partner: &Arc<PartnerAuth>,
        organization_id: &str,
        organization_secret: &HeaderValue,
        acting_user: &str,
        scopes: ScopeSet,
    ) -> Self {
        let request = match Self::partner_headers(
            partner,
            organization_id,
            organization_secret,
            acting_user,
            &engine.user_agent,
        ) {
            Ok(Self::Fixed(headers)) => headers,
            Ok(_) => unreachable!("partner headers are fixed"),
            Err(error) => return Self::Unavailable(error),
        };
        let fingerprint = engine.fingerprints.hash_one((
            partner.partner_id.as_bytes(),
            partner.partner_secret.as_bytes(),
            organization_id,
            organization_secret.as_bytes(),
            acting_user,
            &scopes,
        ));
        let key = TokenKey {
            organization_id: organization_id.to_owned(),
            acting_user: acting_user.to_owned(),
            scopes,
            credentials: fingerprint,
        };
        Self::Token(Arc::new(TokenGrant {
            key,
            request,
            organization_secret: organization_secret.clone(),
            renewal_margin: partner.renewal_margin,
        }))
    }
}

/// How tokens for one target are obtained.
pub(crate) struct TokenGrant {
    key: TokenKey,
    /// The token request's raw partner headers.
    request: Arc<HeaderMap>,
    organization_secret: HeaderValue,
    renewal_margin: Duration,
}

/// The token a call was made with, to drop it if the server refuses it.
pub(crate) struct TokenUsed {
    pub(crate) key: TokenKey,
    pub(crate) serial: u64,
    pub(crate) reused: bool,
}

impl Engine {
    /// The headers one attempt carries, and the token among them if it came from the cache.
    pub(super) async fn credentials(
        self: &Arc<Self>,
        target: &Target,
    ) -> Result<(Arc<HeaderMap>, Option<TokenUsed>)> {
        let grant = match &target.credentials {
            Credentials::Fixed(headers) => return Ok((headers.clone(), None)),
            Credentials::Unavailable(error) => return Err(error.clone()),
            Credentials::Token(grant) => grant,
        };
        let fetch = |serial| fetch_token(self.clone(), grant.clone(), serial);
        let obtained = self.tokens.get(&grant.key, self.clock.now(), fetch).await?;
        let mut headers = HeaderMap::with_capacity(3);
        headers.insert(ORGANIZATION_SECRET, grant.organization_secret.clone());
        headers.insert(USER_AGENT, self.user_agent.clone());
        headers.insert(AUTHORIZATION, obtained.token.authorization);
        let used = TokenUsed {
            key: grant.key.clone(),
            serial: obtained.token.serial,
            reused: obtained.reused,
        };
        Ok((Arc::new(headers), Some(used)))
    }
}

/// One shared token fetch: `POST /v1/token` through the engine (rate limit, attempt limits,
/// retries: a second token is harmless), within the client's token time limit, so that a hung
/// fetch cannot hold the slot that every caller of the organization waits on.
fn fetch_token(
    engine: Arc<Engine>,
    grant: Arc<TokenGrant>,
    serial: u64,
) -> BoxFuture<'static, Result<Token>> {
    async move {
        let target = Target {
            organization_id: grant.key.organization_id.clone(),
            credentials: Credentials::Fixed(grant.request.clone()),
            retry_policy: None,
            id_problem: None,
            #[cfg(feature = "read-cache")]
            cache_credentials: 0,
        };
        let call = CreateToken {
            body: types::TokenRequest {
                grant_type: types::TokenRequestGrantType::ClientCredentials,
                scope: grant.key.scopes.wire().to_vec(),
            },
        };
        let issued_at = engine.clock.now();
        let fetched = tokio::time::timeout(engine.token_timeout, engine.run(&target, &call)).await;
        let response = match fetched {
            Ok(response) => response?,
            Err(_elapsed) => {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    CreateToken::OPERATION.name,
                    "no token within the client's token time limit",
                ));
            }
        };
        let status = response.status();
        let issued = response.into_inner();
        let authorization = sensitive_header(&format!("Bearer {}", issued.access_token), "token")
            .map_err(|_| {
            Error::new(
                ErrorKind::Decode,
                CreateToken::OPERATION.name,
                "the token holds characters a header cannot carry",
            )
            .with_status(status)
        })?;
        tracing::debug!(
            organization_id = grant.key.organization_id,
            acting_user = grant.key.acting_user,
            expires_in = issued.expires_in.as_secs(),
            "parchment token issued"
        );
        Ok(Token::new(
            authorization,
            issued_at,
            issued.expires_in,
            grant.renewal_margin,
            serial,
        ))
    }
    .boxed()
}

/// `POST /v1/token`.
struct CreateToken {
    body: types::TokenRequest,
}

/// A token as the token request returns it.
struct Issued {
    access_token: String,
    expires_in: Duration,
}

impl Call for CreateToken {
    const OPERATION: Operation = Operation::CREATE_TOKEN;
    type Envelope = types::TokenResponse;
    type Output = Issued;

    fn send<'a>(&'a self, api: &'a Api, _organization_id: &'a str) -> impl Sent<'a, Self> {
        api.create_token(&self.body)
    }

    fn normalize(data: parchment_api::Token) -> Normalized<Issued> {
        let expires_in = u64::try_from(data.expires_in).unwrap_or(0);
        if data.access_token.trim().is_empty() || expires_in == 0 {
            return Err("the token response has no usable token");
        }
        Ok(Issued {
            access_token: data.access_token,
            expires_in: Duration::from_secs(expires_in),
        })
    }
}
