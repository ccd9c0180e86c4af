//! [`FakeParchment`]: a stateful, in-process fake of the Parchment API on loopback.
//!
//! It serves every operation of `openapi/parchment.yaml` with the documented envelopes,
//! statuses and error bodies; applies the server's validation rules and auth checks (secrets,
//! tokens that expire, scopes); keeps state (updates, role changes, creates, disable and enable
//! show in later reads and lists); paginates with an opaque `lastKey`; and lets a test inject
//! faults and read a request log that holds no secret.
//!
//! Beyond the users operations it keeps patients, the prescriptions a test writes for them
//! (what a prescriber does in Parchment's UI; the API has no create), both custom-drug
//! catalogues, SSO links it resolves once, and webhook endpoints it delivers signed
//! `prescription.created` events to. It starts with sample records at fixed ids
//! ([`SAMPLE_PATIENT_ID`], [`SAMPLE_SCID`], [`SAMPLE_DRUG_ID`]; see
//! [`FakeConfig::sample_records()`]), so reads have something to return.

mod auth;
mod call;
mod config;
mod drugs;
mod envelope;
mod error;
mod ids;
mod patient_rules;
mod patients;
mod prescriptions;
mod routes;
mod rules;
mod samples;
mod server;
mod shared;
mod sso;
mod sso_links;
mod state;
mod success;
mod user;
mod webhooks;

pub use config::{FakeConfig, FakeCredentials, Fault, LoggedRequest};
pub use prescriptions::{FakePrescription, FakeWriteError};
pub use samples::{SAMPLE_DRUG_ID, SAMPLE_PATIENT_ID, SAMPLE_SCID};
pub use sso_links::SsoSignIn;
pub use webhooks::{DeliveryOutcome, WebhookDelivery, WebhookUrlError};

use crate::{Client, ClientBuilder, PartnerCredentials};
use serde_json::Map;
use shared::{Shared, lock};
use state::{Org, State};
use std::collections::VecDeque;
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use user::FakeUser;

/// A running fake of the Parchment API on 127.0.0.1. Stops when dropped (or with
/// [`FakeParchment::shutdown`]).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), parchment_api_ext::Error> {
/// use parchment_api_ext::testing::FakeParchment;
///
/// let fake = FakeParchment::start().await;
/// let users = fake.client().default_organization()?.users();
/// let page = users.list().limit(5).send().await?;
/// assert_eq!(page.users.len(), 5);
/// # Ok(())
/// # }
/// ```
pub struct FakeParchment {
    base_url: String,
    credentials: FakeCredentials,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeParchment {
    /// Starts a fake with the default [`FakeConfig`] on a free port.
    ///
    /// # Panics
    /// If no loopback port can be bound; see [`FakeParchment::try_start`].
    pub async fn start() -> Self {
        Self::start_with(FakeConfig::default()).await
    }

    /// Starts a fake with `config`.
    ///
    /// # Panics
    /// If the port cannot be bound; see [`FakeParchment::try_start`].
    pub async fn start_with(config: FakeConfig) -> Self {
        match Self::try_start(config).await {
            Ok(fake) => fake,
            Err(error) => panic!("FakeParchment could not listen on 127.0.0.1: {error}"),
        }
    }

    /// Starts a fake with `config`, or says why it could not listen.
    pub async fn try_start(config: FakeConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], config.port))).await?;
        let address = listener.local_addr()?;
        let mut org = Org::new(
            config.organization_secret.clone(),
            config.static_token.clone(),
            0,
        );
        let acting_user = org
            .insert(FakeUser {
                user_id: String::new(),
                email: "practice.admin@example.com".into(),
                external_user_id: None,
                full_name: "Practice Admin".into(),
                roles: vec!["admin".into()],
                enabled: true,
                provider_details: Map::new(),
            })
            .map_err(|_| std::io::Error::other("the administrator could not be created"))?;
        org.seed(config.seed_users);
        let base_url = format!("http://{address}");
        if config.sample_records
            && let Some(first) = org.users.keys().nth(1).cloned()
            && !samples::seed(&mut org, &first, &config.partner_id, &base_url)
        {
            return Err(std::io::Error::other(
                "the sample records could not be created",
            ));
        }
        let mut state = State::default();
        state.orgs.insert(config.organization_id.clone(), org);
        let credentials = FakeCredentials {
            partner_id: config.partner_id.clone(),
            partner_secret: config.partner_secret.clone(),
            organization_id: config.organization_id.clone(),
            organization_secret: config.organization_secret.clone(),
            acting_user,
            static_token: config.static_token.clone(),
        };
        let policy = webhooks::DeliveryPolicy {
            attempts: config.webhook_attempts,
            first_backoff: config.webhook_backoff,
            timeout: config.webhook_timeout,
        };
        let shared = Arc::new(Shared {
            config,
            base_url: base_url.clone(),
            webhooks: Arc::new(webhooks::Webhooks::new(policy)),
            runtime: tokio::runtime::Handle::current(),
            state: Mutex::new(state),
            faults: Mutex::new(VecDeque::new()),
            log: Mutex::new(Vec::new()),
            open_connections: AtomicUsize::new(0),
        });
        let (shutdown, stopped) = oneshot::channel();
        let task = tokio::spawn(server::serve(listener, shared.clone(), stopped));
        Ok(Self {
            base_url,
            credentials,
            shared,
            shutdown: Some(shutdown),
            task,
        })
    }

    /// `http://127.0.0.1:<port>`: the base URL clients use.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The credentials the fake accepts for its first organization.
    pub fn credentials(&self) -> &FakeCredentials {
        &self.credentials
    }

    /// A client builder for the fake: partner credentials, the organization secret, the acting
    /// user and the default organization are set. Add settings, then build.
    pub fn client_builder(&self) -> ClientBuilder {
        let credentials = &self.credentials;
        Client::builder()
            .base_url(self.base_url.clone())
            .partner_credentials(PartnerCredentials::new(
                &credentials.partner_id,
                &credentials.partner_secret,
            ))
            .organization_secret(&credentials.organization_secret)
            .acting_user(&credentials.acting_user)
            .default_organization(&credentials.organization_id)
    }

    /// A client for the fake (see [`FakeParchment::client_builder`]).
    ///
    /// # Panics
    /// Never in practice: the fake's own settings are valid.
    pub fn client(&self) -> Client {
        match self.client_builder().build() {
            Ok(client) => client,
            Err(error) => panic!("the fake's client settings are invalid: {error}"),
        }
    }

    /// Adds an organization with `secret` and an administrator (whose id is returned, for
    /// tokens to act for). Replaces an organization of the same id.
    pub fn add_organization(&self, organization_id: &str, secret: &str) -> String {
        let namespace = {
            let mut state = self.shared.state();
            state.namespaces += 1;
            state.namespaces
        };
        let mut org = Org::new(
            secret.to_owned(),
            format!("{}-{organization_id}", self.shared.config.static_token),
            namespace,
        );
        let admin = FakeUser {
            user_id: String::new(),
            email: format!("admin@{organization_id}.example.com"),
            external_user_id: None,
            full_name: "Practice Admin".into(),
            roles: vec!["admin".into()],
            enabled: true,
            provider_details: Map::new(),
        };
        let admin_id = org.insert(admin).unwrap_or_default();
        self.shared
            .state()
            .orgs
            .insert(organization_id.to_owned(), org);
        admin_id
    }

    /// Adds `count` generated users to the organization (every third a provider with full,
    /// realistic details). Fast: 100,000 take well under a second in release builds.
    pub fn seed_users(&self, organization_id: &str, count: usize) {
        if let Some(org) = self.shared.state().orgs.get_mut(organization_id) {
            org.seed(count);
        }
    }

    /// The ids of the organization's first `limit` users, in list order (the administrator
    /// first).
    pub fn user_ids(&self, organization_id: &str, limit: usize) -> Vec<String> {
        self.shared
            .state()
            .orgs
            .get(organization_id)
            .map(|org| org.users.keys().take(limit).cloned().collect())
            .unwrap_or_default()
    }

    /// How many users the organization has.
    pub fn user_count(&self, organization_id: &str) -> usize {
        self.shared
            .state()
            .orgs
            .get(organization_id)
            .map_or(0, |org| org.users.len())
    }

    /// Whether the organization has been validated (`GET .../validate`).
    pub fn is_validated(&self, organization_id: &str) -> bool {
        self.shared
            .state()
            .orgs
            .get(organization_id)
            .is_some_and(|org| org.validated)
    }

    /// Applies `fault` to the next `times` requests (after faults already queued).
    pub fn inject(&self, fault: Fault, times: usize) {
        lock(&self.shared.faults).extend(std::iter::repeat_n(fault, times));
    }

    /// Every request answered so far, in order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).clone()
    }

    /// Moves the fake's clock forward, so that issued tokens expire without waiting.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.state().clock_offset += by;
    }

    /// How many connection tasks the server holds now: one per open connection, since each
    /// is reaped when its connection closes.
    pub fn open_connections(&self) -> usize {
        self.shared.open_connections.load(Ordering::Relaxed)
    }

    /// How many tokens the token endpoint has issued.
    pub fn tokens_issued(&self) -> u64 {
        self.shared.state().tokens_issued
    }

    /// How many patients the organization has.
    pub fn patient_count(&self, organization_id: &str) -> usize {
        self.shared
            .state()
            .orgs
            .get(organization_id)
            .map_or(0, |org| org.patients.len())
    }

    /// How many prescriptions have been written for the patient (by any prescriber).
    pub fn prescription_count(&self, organization_id: &str, patient_id: &str) -> usize {
        self.shared
            .state()
            .orgs
            .get(organization_id)
            .map_or(0, |org| org.patients.prescription_count(patient_id))
    }

    /// How many custom drugs the organization's catalogue has, plus the user's own when
    /// `user_id` is given (what `GET .../users/{user_id}/custom-drugs` lists).
    pub fn drug_count(&self, organization_id: &str, user_id: Option<&str>) -> usize {
        self.shared
            .state()
            .orgs
            .get(organization_id)
            .map_or(0, |org| org.drugs.count(user_id))
    }

    /// Writes an `Active` prescription (see [`FakePrescription::active`]) for the patient, as
    /// the user would in Parchment's UI, and returns its Script ID (SCID). Registered webhook
    /// endpoints get a signed `prescription.created` in the background.
    pub fn write_prescription(
        &self,
        organization_id: &str,
        user_id: &str,
        patient_id: &str,
    ) -> Result<String, FakeWriteError> {
        self.write_prescription_with(
            organization_id,
            user_id,
            patient_id,
            &FakePrescription::active(),
        )
    }

    /// Writes `prescription` (its status and item) for the patient, as the user would in
    /// Parchment's UI, and returns its SCID; webhooks as [`FakeParchment::write_prescription`].
    pub fn write_prescription_with(
        &self,
        organization_id: &str,
        user_id: &str,
        patient_id: &str,
        prescription: &FakePrescription,
    ) -> Result<String, FakeWriteError> {
        let (written, now) = self.write(organization_id, user_id, patient_id, prescription, 1)?;
        let webhooks = &self.shared.webhooks;
        if webhooks.has_endpoints() {
            let event_id = format!("evt_{:032x}", fastrand::u128(..));
            let body = serde_json::json!({
                "event_type": "prescription.created",
                "event_id": event_id,
                "timestamp": now.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                "partner_id": self.shared.config.partner_id,
                "organization_id": organization_id,
                "data": {
                    "patient_id": patient_id,
                    "partner_patient_id": written.partner_patient_id,
                    "user_id": user_id,
                    "scid": written.scid,
                },
                "metadata": {"reserved_1": null, "reserved_2": null, "reserved_3": null},
            })
            .to_string();
            let event = webhooks::Event {
                event_id,
                event_type: "prescription.created",
                body,
            };
            let offset = self.shared.state().clock_offset;
            let clock = Arc::new(move || {
                (chrono::Utc::now() + chrono::TimeDelta::from_std(offset).unwrap_or_default())
                    .timestamp()
            });
            webhooks.dispatch(&self.shared.runtime, &event, clock);
        }
        Ok(written.scid)
    }

    /// Writes `count` copies of `prescription` for the patient at once, cheaply (10,000 in
    /// milliseconds), without webhook deliveries: for tests and benchmarks that need many.
    /// Returns the SCID of the last (`None` when `count` is 0).
    pub fn seed_prescriptions(
        &self,
        organization_id: &str,
        user_id: &str,
        patient_id: &str,
        prescription: &FakePrescription,
        count: usize,
    ) -> Result<Option<String>, FakeWriteError> {
        if count == 0 {
            return Ok(None);
        }
        let (written, _) = self.write(organization_id, user_id, patient_id, prescription, count)?;
        Ok(Some(written.scid))
    }

    fn write(
        &self,
        organization_id: &str,
        user_id: &str,
        patient_id: &str,
        prescription: &FakePrescription,
        count: usize,
    ) -> Result<(patients::Written, chrono::DateTime<chrono::Utc>), FakeWriteError> {
        let mut state = self.shared.state();
        let now = state.wall_now();
        let org = state
            .orgs
            .get_mut(organization_id)
            .ok_or(FakeWriteError::UnknownOrganization)?;
        if !org.users.contains_key(user_id) {
            return Err(FakeWriteError::UnknownUser);
        }
        let created = now.format("%Y-%m-%dT%H:%M:%S").to_string();
        let namespace = org.namespace;
        let written = org
            .patients
            .write(
                namespace,
                patient_id,
                user_id,
                prescription,
                &created,
                count,
            )
            .ok_or(FakeWriteError::UnknownPatient)?;
        Ok((written, now))
    }

    /// Registers a webhook endpoint (a loopback `http(s)` URL) and its secret: every
    /// prescription written afterwards is delivered to it, signed with the secret.
    pub fn register_webhook(&self, url: &str, secret: &str) -> Result<(), WebhookUrlError> {
        self.shared.webhooks.register(url, secret)
    }

    /// Every webhook delivery attempt so far, in order (no secret, no body).
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.shared.webhooks.deliveries()
    }

    /// Waits until no webhook delivery is under way (retries included).
    pub async fn webhooks_settled(&self) {
        self.shared.webhooks.settled().await;
    }

    /// Resolves an SSO `redirect_url` the fake issued, as a browser following it would: once.
    /// `None` when the link is unknown, used, or expired on the fake's clock.
    pub fn resolve_sso_link(&self, redirect_url: &str) -> Option<SsoSignIn> {
        let token = url::Url::parse(redirect_url).ok().and_then(|url| {
            url.query_pairs()
                .find(|(key, _)| key == "token")
                .map(|(_, value)| value.into_owned())
        })?;
        let mut state = self.shared.state();
        let now = state.now();
        state.sso.resolve(&token, now)
    }

    /// Stops accepting connections and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _already_stopped = shutdown.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for FakeParchment {
    fn drop(&mut self) {
        self.task.abort();
        self.shared.webhooks.abort_all();
    }
}

impl fmt::Debug for FakeParchment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeParchment")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}
