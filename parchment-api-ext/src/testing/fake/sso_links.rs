//! The SSO links the fake issued and not yet used: each resolves once, before it expires.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long a link lasts (`expires_in`), as Parchment documents.
pub(super) const LIFETIME: Duration = Duration::from_secs(300);

/// Where a resolved link signs its user in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SsoSignIn {
    /// The organization the link was issued for.
    pub organization_id: String,
    /// The user the link signs in.
    pub user_id: String,
    /// The portal path the user lands on.
    pub redirect_path: String,
}

pub(super) struct Grant {
    pub(super) sign_in: SsoSignIn,
    pub(super) expires_at: Instant,
}

/// The links issued and not yet used.
#[derive(Default)]
pub(crate) struct SsoLinks {
    grants: HashMap<String, Grant>,
}

impl std::fmt::Debug for SsoLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The keys are the tokens: secrets.
        f.debug_struct("SsoLinks")
            .field("outstanding", &self.grants.len())
            .finish()
    }
}

impl SsoLinks {
    /// Forgets links that expired by `now`, so that unused ones do not pile up.
    pub(super) fn retain_unexpired(&mut self, now: Instant) {
        self.grants.retain(|_, grant| grant.expires_at > now);
    }

    pub(super) fn insert(&mut self, token: String, grant: Grant) {
        self.grants.insert(token, grant);
    }

    /// Uses the link of `token` if it exists and has not expired at `now`; it is gone after.
    pub(crate) fn resolve(&mut self, token: &str, now: Instant) -> Option<SsoSignIn> {
        let grant = self.grants.remove(token)?;
        (now < grant.expires_at).then_some(grant.sign_in)
    }
}
