//! The optional read cache (feature `read-cache`): read-user and list pages, per organization
//! and credentials, with a time to live.
//!
//! Safety first: a key holds the organization, a fingerprint of the credentials (so two
//! organizations, or two credentials with different scopes or acting users, never share an
//! entry; the fingerprint is a keyed hash, not a secret), and the organization's generation.
//! Every write made through the client bumps its organization's generation when it returns,
//! fails or is cancelled, so no read started before the write can be served after it: entries
//! under an old generation are never looked up again and age out. Concurrent misses of one key
//! make one request (moka's `try_get_with`), and errors are not cached.
//!
//! Bounded memory: entries are limited in number and in estimated bytes (their data's JSON
//! size), and generations live in a fixed table of slots (organizations that share a slot also
//! share invalidations: an extra miss, never a stale read).
//!
//! A feature because moka adds about a fifth to a consumer's clean build, which services that
//! do not cache should not pay.

#[cfg(feature = "read-cache")]
mod store;

#[cfg(feature = "read-cache")]
pub use store::{CacheStats, ReadCacheConfig};
#[cfg(feature = "read-cache")]
pub(crate) use store::{InvalidateOnDrop, ReadCache};

/// What an entry is for, besides the organization and credentials.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Entry {
    /// One user.
    User(String),
    /// One list page.
    Page {
        limit: Option<u32>,
        last_key: Option<String>,
    },
}
