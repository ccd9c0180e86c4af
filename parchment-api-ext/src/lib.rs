#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod auth;
mod cache;
mod client;
mod clock;
mod config;
mod engine;
mod envelope;
mod environment;
mod error;
mod models;
mod operation;
mod organization;
mod redact;
mod response;
mod retry;
mod retry_after;
mod users;
mod validate;

#[cfg(feature = "testing")]
pub mod testing;

pub use auth::{DEFAULT_TOKEN_RENEWAL_MARGIN, OrganizationCredentials, PartnerCredentials, Scope};
#[cfg(feature = "read-cache")]
pub use cache::{CacheStats, ReadCacheConfig};
pub use client::Client;
pub use clock::{Clock, SystemClock};
pub use config::{
    ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, env_vars,
};
pub use environment::Environment;
pub use error::{Error, ErrorKind, FieldError, Problem, Result};
pub use models::{
    AustralianAddress, CreatedUser, ProviderDetails, UpdatedUser, User, UserRoles, UserSummary,
    UsersPage,
};
pub use organization::Organization;
pub use parchment_api::{PrescriberType, Role, Sex, UnknownValue};
pub use response::Response;
pub use retry::RetryPolicy;
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
