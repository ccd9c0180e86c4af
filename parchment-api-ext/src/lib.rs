#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod acting_user;
mod auth;
mod cache;
mod client;
mod clock;
mod config;
mod custom_drugs;
mod engine;
mod envelope;
mod environment;
mod error;
mod from_env;
mod hooks;
mod models;
mod operation;
mod organization;
mod pagination;
mod patients;
mod prescriptions;
mod redact;
mod response;
mod retry;
mod retry_after;
mod sso;
mod tls;
mod users;
mod validate;
pub mod webhooks;

#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;
#[cfg(feature = "sync")]
pub mod sync;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;

pub use acting_user::ActingUser;
pub use auth::{DEFAULT_TOKEN_RENEWAL_MARGIN, OrganizationCredentials, PartnerCredentials, Scope};
#[cfg(feature = "read-cache")]
pub use cache::{CacheStats, ReadCacheConfig};
pub use client::Client;
pub use clock::{Clock, SystemClock};
pub use config::{
    ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
    MAX_TIME_LIMIT, env_vars,
};
pub use custom_drugs::{
    BulkCreateOutcome, BulkItem, ConfirmDeleteAll, CustomDrug, CustomDrugUpdate, ItemOutcome,
    NewCustomDrug, OrganizationCustomDrugs, UserCustomDrugs,
};
pub use environment::Environment;
pub use error::{Error, ErrorKind, FieldError, Problem, Result};
pub use hooks::{AttemptEvent, AttemptOutcome};
pub use models::{
    AustralianAddress, CreatedUser, ProviderDetails, UpdatedUser, User, UserRoles, UserSummary,
    UsersPage,
};
pub use organization::Organization;
pub use parchment_api::{
    AustralianState, DvaCardColor, IndigenousType, NumericText, PrescriberType, PrescriptionStatus,
    PrescriptionType, Role, Sex, Timestamp, UnknownValue,
};
pub use patients::{
    CreatedPatient, NewPatient, PatientAddress, PatientCreated, PatientUpdate, Patients,
    UpdatedPatient,
};
pub use prescriptions::{
    ListPrescriptions, Prescriber, Prescription, PrescriptionDetail, PrescriptionPatient,
    Prescriptions, PrescriptionsPage,
};
pub use response::Response;
pub use retry::RetryPolicy;
pub use sso::{DEFAULT_SSO_LINK_LIFETIME, FormQuery, SsoLink, SsoTarget, SsoTargetKind};
pub use tls::http_client_builder;
pub use users::{ListUsers, NewUser, ProviderDetailsUpdate, UserUpdate, Users};

/// The generated low-level crate, for what this one does not wrap.
///
/// Re-exported deliberately, so that a service reaches the generated client without a second
/// dependency that must match this one's version. It is the generator's output: its items may
/// change with the spec or a progenitor upgrade in any release of this crate, unlike the rest
/// of this crate's API. Nothing else of this crate's API is a generated type, except the
/// re-exported open enums (hand-written in `parchment_api`) and [`AustralianAddress`].
pub use parchment_api;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct WorkspaceReadmeDoctests;
