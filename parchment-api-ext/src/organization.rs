//! [`Organization`]: one clinic's handle: its id and the credentials its calls carry. It
//! describes operations and hands them to the engine; it never executes them.
//!
//! Resource handles ([`Users`](crate::Users) and those to come) are built from an
//! `Organization` in their own modules (`impl Organization { pub fn users(..) }` lives beside
//! `Users`), so that this module imports none of them.

use crate::auth::scope::ScopeSet;
use crate::auth::{Auth, OrganizationCredentials, sensitive_header};
use crate::cache::Entry;
use crate::engine::{CacheLoad, Call, Credentials, Engine, Target};
use crate::error::{Error, FieldError, Result};
use crate::operation::Operation;
use crate::response::Response;
use crate::validate;
use parchment_api::types;
use reqwest::header::HeaderValue;
use secrecy::ExposeSecret;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

/// One organization (clinic) of the partner, with the credentials its calls carry. Cheap to
/// clone (one `Arc`), to hand to tasks.
#[derive(Clone)]
pub struct Organization {
    inner: Arc<Handle>,
}

#[derive(Clone)]
struct Handle {
    engine: Arc<Engine>,
    /// This organization's own secret, if given; else the client's (when it is bound to this
    /// organization).
    secret: Option<HeaderValue>,
    /// The user this organization's tokens act for, if given; else the client's.
    acting_user: Option<String>,
    /// The scopes this organization's tokens ask for, if given; else the client's.
    scopes: Option<ScopeSet>,
    /// The id, the derived credentials and the retry policy, as the engine takes them.
    target: Arc<Target>,
}

impl Handle {
    /// The organization secret calls send: the handle's own, else the client's when it belongs
    /// to this organization (the client's default one, or any when no default is set).
    fn secret(&self) -> Result<&HeaderValue> {
        let id = &self.target.organization_id;
        if let Some(secret) = &self.secret {
            return Ok(secret);
        }
        let engine = &self.engine;
        match (&engine.organization_secret, &engine.default_organization) {
            (Some(secret), None) => Ok(secret),
            (Some(secret), Some(default)) if default == id => Ok(secret),
            (Some(_), Some(default)) => Err(Error::configuration(format!(
                "no organization secret for organization {id}: the client's organization secret \
                 belongs to its default organization {default}; give this one its own with \
                 Client::organization_with({id:?}, OrganizationCredentials::new(..))"
            ))),
            (None, _) => Err(Error::configuration(format!(
                "no organization secret for organization {id}: set \
                 ClientBuilder::organization_secret or use Client::organization_with"
            ))),
        }
    }

    /// Derives the credentials the handle's settings imply, once.
    fn with_derived_state(mut self) -> Self {
        let engine = &self.engine;
        let id = self.target.organization_id.clone();
        let credentials = match (&engine.auth, self.secret()) {
            (_, Err(error)) => Credentials::Unavailable(error),
            (Auth::Static { authorization }, Ok(secret)) => {
                Credentials::bearer(authorization, secret, &engine.user_agent)
            }
            (Auth::Partner(partner), Ok(secret)) => {
                match self.acting_user.as_ref().or(partner.acting_user.as_ref()) {
                    None => Credentials::Unavailable(Error::configuration(
                        "no acting user for tokens: set ClientBuilder::acting_user or \
                         OrganizationCredentials::acting_user",
                    )),
                    Some(acting_user) => Credentials::token(
                        engine,
                        partner,
                        &id,
                        secret,
                        acting_user,
                        self.scopes
                            .clone()
                            .unwrap_or_else(|| partner.scopes.clone()),
                    ),
                }
            }
        };
        #[cfg(feature = "read-cache")]
        let cache_credentials = match &engine.read_cache {
            None => 0,
            Some(cache) => {
                let secret = self.secret().ok();
                match &engine.auth {
                    Auth::Static { authorization } => cache.fingerprint((secret, authorization)),
                    Auth::Partner(partner) => cache.fingerprint((
                        secret,
                        &partner.partner_id,
                        self.acting_user.as_ref().or(partner.acting_user.as_ref()),
                        self.scopes.as_ref().unwrap_or(&partner.scopes),
                    )),
                }
            }
        };
        self.target = Arc::new(Target {
            id_problem: validate::id("organization_id", &id),
            organization_id: id,
            credentials,
            retry_policy: self.target.retry_policy.clone(),
            #[cfg(feature = "read-cache")]
            cache_credentials,
        });
        self
    }
}

impl Organization {
    pub(crate) fn new(engine: Arc<Engine>, id: String) -> Self {
        let handle = Handle {
            engine,
            secret: None,
            acting_user: None,
            scopes: None,
            target: Arc::new(Target {
                organization_id: id,
                credentials: Credentials::Unavailable(Error::configuration("not derived")),
                retry_policy: None,
                id_problem: None,
                #[cfg(feature = "read-cache")]
                cache_credentials: 0,
            }),
        };
        Self {
            inner: Arc::new(handle.with_derived_state()),
        }
    }

    /// This organization with its own credentials (see [`OrganizationCredentials`]).
    pub fn with_credentials(self, credentials: OrganizationCredentials) -> Result<Self> {
        let mut handle = Arc::unwrap_or_clone(self.inner);
        handle.secret = Some(sensitive_header(
            credentials.secret.expose_secret(),
            "organization secret",
        )?);
        handle.acting_user = credentials.acting_user.or(handle.acting_user);
        if let Some(scopes) = &credentials.scopes {
            if scopes.is_empty() {
                return Err(Error::configuration(
                    "no scopes to request: OrganizationCredentials::scopes was given none",
                ));
            }
            handle.scopes = Some(ScopeSet::new(scopes));
        }
        Ok(Self {
            inner: Arc::new(handle.with_derived_state()),
        })
    }

    /// This organization with its own retry policy, for the calls made through it (and its
    /// [`Users`](crate::Users)).
    pub fn with_retry_policy(self, policy: crate::RetryPolicy) -> Self {
        let mut handle = Arc::unwrap_or_clone(self.inner);
        let mut target = Arc::unwrap_or_clone(handle.target);
        target.retry_policy = Some(policy);
        handle.target = Arc::new(target);
        Self {
            inner: Arc::new(handle),
        }
    }

    /// The organization's id.
    pub fn id(&self) -> &str {
        &self.inner.target.organization_id
    }

    /// Checks the credentials against the organization and marks it as integrated with the
    /// partner (`GET .../validate`); call it once per organization you connect. The data is
    /// whether Parchment reports it validated.
    pub async fn validate(&self) -> Result<Response<bool>> {
        self.refuse_if_any(ValidateOrganization::OPERATION, self.id_errors(None))?;
        self.run(&ValidateOrganization).await
    }

    /// Runs `call` for this organization through the engine. Inlined, as `Engine::run` is, so
    /// that the call's state is built where the handle awaits it rather than copied there.
    #[inline]
    pub(crate) fn run<'a, C: Call>(
        &'a self,
        call: &'a C,
    ) -> impl Future<Output = Result<Response<C::Output>>> + 'a {
        self.inner.engine.run(&self.inner.target, call)
    }

    /// Runs `call` with raw partner headers, acting as `acting_user`, in place of a bearer
    /// token (`POST /v1/sso` takes none). A client with a static token has no partner
    /// credentials: the call fails with a configuration error and sends nothing.
    pub(crate) async fn run_with_partner_headers<C: Call>(
        &self,
        acting_user: &str,
        call: &C,
    ) -> Result<Response<C::Output>> {
        let handle = &*self.inner;
        let engine = &handle.engine;
        let Auth::Partner(partner) = &engine.auth else {
            return Err(Error::configuration(
                "SSO links need partner credentials (ClientBuilder::partner_credentials): \
                 a client with a static access token cannot ask for one",
            ));
        };
        let credentials = Credentials::partner_headers(
            partner,
            &handle.target.organization_id,
            handle.secret()?,
            acting_user,
            &engine.user_agent,
        )?;
        let target = Target {
            organization_id: handle.target.organization_id.clone(),
            credentials,
            retry_policy: handle.target.retry_policy.clone(),
            id_problem: handle.target.id_problem.clone(),
            #[cfg(feature = "read-cache")]
            cache_credentials: handle.target.cache_credentials,
        };
        engine.run(&target, call).await
    }

    /// Now, on the client's clock.
    pub(crate) fn now(&self) -> std::time::Instant {
        self.inner.engine.clock.now()
    }

    /// The read cache's answer for `call` when the client has one (`entry` names what is
    /// read; made only when there is a cache); `None` without a cache, and the caller awaits
    /// [`Self::run`] itself:
    ///
    /// ```ignore
    /// if let Some(cached) = org.cached(&call, entry, fresh) {
    ///     return cached.await;
    /// }
    /// org.run(&call).await
    /// ```
    ///
    /// Not one future for both: awaiting the call directly keeps one copy of its state.
    pub(crate) fn cached<'a, C>(
        &'a self,
        call: &'a C,
        entry: impl FnOnce() -> Entry,
        fresh: bool,
    ) -> Option<CacheLoad<'a, C::Output>>
    where
        C: Call,
        C::Output: Clone + serde::Serialize + Send + Sync + 'static,
    {
        self.inner
            .engine
            .cached(&self.inner.target, call, entry, fresh)
    }

    /// The client's per-user locks of the role helpers.
    pub(crate) fn role_locks(&self) -> &crate::users::RoleLocks {
        &self.inner.engine.role_locks
    }

    /// What is wrong with the organization id and the given user id, if anything.
    pub(crate) fn id_errors(&self, user_id: Option<&str>) -> Vec<FieldError> {
        let organization = self.inner.target.id_problem.as_ref();
        let user = user_id.and_then(|user_id| validate::id("user_id", user_id));
        // Every call asks: the valid case builds nothing.
        if organization.is_none() && user.is_none() {
            return Vec::new();
        }
        organization.cloned().into_iter().chain(user).collect()
    }

    /// Refuses a call before sending when any check failed.
    pub(crate) fn refuse_if_any(
        &self,
        operation: Operation,
        errors: Vec<FieldError>,
    ) -> Result<()> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::invalid_input(operation.name, errors))
        }
    }
}

/// `GET /v1/organizations/{organization_id}/validate`.
struct ValidateOrganization;

impl Call for ValidateOrganization {
    const OPERATION: Operation = Operation::VALIDATE_ORGANIZATION;
    type Envelope = types::ValidateOrganizationResponse;
    type Output = bool;

    fn send<'a>(
        &'a self,
        api: &'a crate::engine::Api,
        organization_id: &'a str,
    ) -> impl crate::engine::Sent<'a, Self> {
        api.validate_organization(organization_id)
    }

    fn normalize(data: types::OrganizationValidation) -> crate::engine::Normalized<bool> {
        Ok(data.validated)
    }
}

impl fmt::Debug for Organization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let handle = &*self.inner;
        f.debug_struct("Organization")
            .field("id", &handle.target.organization_id)
            .field("secret", &handle.secret.as_ref().map(|_| "[redacted]"))
            .field("acting_user", &handle.acting_user)
            .field("scopes", &handle.scopes)
            .field("retry_policy", &handle.target.retry_policy)
            .finish()
    }
}
