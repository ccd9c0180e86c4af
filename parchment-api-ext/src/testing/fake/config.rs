//! How a fake starts ([`FakeConfig`]), what its first organization accepts
//! ([`FakeCredentials`]), the faults it injects, its request log entries, and the scopes it
//! grants.

use std::fmt;
use std::time::Duration;

/// Scopes the fake grants when asked.
pub(crate) const KNOWN_SCOPES: &[&str] = &[
    "create:patient",
    "read:patient",
    "update:patient",
    "read:patient_prescription",
    "create:user",
    "read:user",
    "read:users",
    "update:user",
    "delete:user",
    "create:custom_drug",
    "read:custom_drug",
    "update:custom_drug",
    "delete:custom_drug",
];

/// How a [`FakeParchment`](super::FakeParchment) starts.
#[derive(Clone)]
#[non_exhaustive]
#[must_use]
pub struct FakeConfig {
    /// The port to listen on, on 127.0.0.1 (0: any free port).
    pub port: u16,
    /// The partner id the token endpoint accepts.
    pub partner_id: String,
    /// The partner secret the token endpoint accepts.
    pub partner_secret: String,
    /// The organization that exists from the start.
    pub organization_id: String,
    /// Its secret.
    pub organization_secret: String,
    /// A bearer token the organization always accepts (for static-token clients).
    pub static_token: String,
    /// How long issued tokens last (`expiresIn`).
    pub token_lifetime: Duration,
    /// How many generated users the organization starts with, besides its administrator.
    pub seed_users: usize,
    /// Whether the first generated user starts with sample records: one patient
    /// ([`SAMPLE_PATIENT_ID`](super::SAMPLE_PATIENT_ID)) with two prescriptions they wrote
    /// ([`SAMPLE_SCID`](super::SAMPLE_SCID) is the first) and one custom drug of their own
    /// ([`SAMPLE_DRUG_ID`](super::SAMPLE_DRUG_ID)), so that reads have something to return.
    /// Needs `seed_users` of at least 1.
    pub sample_records: bool,
    /// How long a connection may take to send a request's headers (and how long an idle
    /// keep-alive connection is kept): connections that stall are closed.
    pub header_read_timeout: Duration,
    /// How many times a webhook delivery is attempted (Parchment: 3).
    pub webhook_attempts: u32,
    /// The pause before the second attempt, doubled before each later one (Parchment: 1 s,
    /// then 2 s, 4 s).
    pub webhook_backoff: Duration,
    /// How long one delivery attempt may take (Parchment: 10 s).
    pub webhook_timeout: Duration,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            port: 0,
            partner_id: "fake-partner".into(),
            partner_secret: "fake-partner-secret".into(),
            organization_id: "org_fake_clinic".into(),
            organization_secret: "fake-org-secret".into(),
            static_token: "fake-static-token".into(),
            token_lifetime: Duration::from_secs(3600),
            seed_users: 12,
            sample_records: true,
            header_read_timeout: Duration::from_secs(10),
            webhook_attempts: 3,
            webhook_backoff: Duration::from_secs(1),
            webhook_timeout: Duration::from_secs(10),
        }
    }
}

impl FakeConfig {
    /// Listens on this port (0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Issued tokens last this long.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// The organization starts with this many generated users besides its administrator.
    pub fn seed_users(mut self, count: usize) -> Self {
        self.seed_users = count;
        self
    }

    /// Whether the first generated user starts with sample records (the field of the same
    /// name says which); `false` starts with no patient and no drug.
    pub fn sample_records(mut self, sample_records: bool) -> Self {
        self.sample_records = sample_records;
        self
    }

    /// Connections that take longer than this to send a request's headers, or stay idle
    /// longer between requests, are closed.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Webhook deliveries pause `backoff` before the second attempt, doubled before each
    /// later one (shorter than Parchment's 1 s keeps tests fast).
    pub fn webhook_backoff(mut self, backoff: Duration) -> Self {
        self.webhook_backoff = backoff;
        self
    }

    /// Webhook deliveries are attempted at most `attempts` times.
    pub fn webhook_attempts(mut self, attempts: u32) -> Self {
        self.webhook_attempts = attempts;
        self
    }

    /// One webhook delivery attempt may take at most `timeout`.
    pub fn webhook_timeout(mut self, timeout: Duration) -> Self {
        self.webhook_timeout = timeout;
        self
    }
}

impl fmt::Debug for FakeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeConfig")
            .field("port", &self.port)
            .field("organization_id", &self.organization_id)
            .field("token_lifetime", &self.token_lifetime)
            .field("seed_users", &self.seed_users)
            .field("sample_records", &self.sample_records)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("webhook_attempts", &self.webhook_attempts)
            .field("webhook_backoff", &self.webhook_backoff)
            .field("webhook_timeout", &self.webhook_timeout)
            .finish_non_exhaustive()
    }
}

/// A fault the fake applies to the next request(s) instead of (or before) answering them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this status and the documented error envelope, with `Retry-After` seconds
    /// when given (429 and 503 are the usual ones).
    Status {
        /// The status.
        status: u16,
        /// `Retry-After`, in seconds.
        retry_after: Option<u64>,
    },
    /// Answer with a gateway's HTML error page under this status (502, say).
    Html {
        /// The status.
        status: u16,
    },
    /// Wait this long, then answer normally.
    Latency(Duration),
}

/// One request the fake answered: method, path and status. Never headers or bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoggedRequest {
    /// `GET`, `PUT`, ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The status answered.
    pub status: u16,
}

/// What the fake's first organization accepts, and the user its tokens act for.
#[derive(Clone)]
#[non_exhaustive]
pub struct FakeCredentials {
    /// The partner id.
    pub partner_id: String,
    /// The partner secret.
    pub partner_secret: String,
    /// The organization id.
    pub organization_id: String,
    /// The organization secret.
    pub organization_secret: String,
    /// The organization's administrator, whom tokens may act for.
    pub acting_user: String,
    /// A static bearer token the organization accepts.
    pub static_token: String,
}

impl fmt::Debug for FakeCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeCredentials")
            .field("partner_id", &self.partner_id)
            .field("organization_id", &self.organization_id)
            .field("acting_user", &self.acting_user)
            .finish_non_exhaustive()
    }
}
