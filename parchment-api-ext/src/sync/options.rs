//! [`SyncOptions`]: what a sync may do, and how hard it may push.

use std::collections::BTreeSet;

/// The destructive actions (disables, role removals) an organization's plan may hold before it
/// is refused, unless [forced](SyncOptions::force).
pub const DEFAULT_MAX_DESTRUCTIVE: usize = 5;

/// How many organizations are read or written at once by default.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// What a sync may do. The defaults are the safe ones: nobody is disabled, users holding
/// `owner`, `support` or an unknown role are left alone, and at most
/// [`DEFAULT_MAX_DESTRUCTIVE`] destructive actions per organization.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct SyncOptions {
    pub(crate) prune: bool,
    pub(crate) allow_protected: bool,
    pub(crate) max_destructive: usize,
    pub(crate) force: bool,
    pub(crate) acting_users: BTreeSet<String>,
    pub(crate) concurrency: usize,
    pub(crate) page_size: u32,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            prune: false,
            allow_protected: false,
            max_destructive: DEFAULT_MAX_DESTRUCTIVE,
            force: false,
            acting_users: BTreeSet::new(),
            concurrency: DEFAULT_CONCURRENCY,
            page_size: 100,
        }
    }
}

impl SyncOptions {
    /// The safe defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Allows disabling: users missing from an organization's roster are disabled, and so are
    /// people the roster marks `enabled: false`. Off by default: without it, nobody is ever
    /// disabled (a roster's `enabled: false` shows as skipped, with why).
    pub fn prune(mut self, prune: bool) -> Self {
        self.prune = prune;
        self
    }

    /// Allows touching users who hold `owner`, `support` or a role this SDK does not know:
    /// their details may be updated and they may be disabled. Their roles are still never
    /// replaced, since the API cannot write those roles back and a replacement would drop them.
    pub fn allow_protected(mut self, allow: bool) -> Self {
        self.allow_protected = allow;
        self
    }

    /// The most destructive actions (disables and role removals) one organization's plan may
    /// hold; above it the organization is refused unless [forced](Self::force).
    pub fn max_destructive(mut self, max: usize) -> Self {
        self.max_destructive = max;
        self
    }

    /// Plans organizations above [`max_destructive`](Self::max_destructive) anyway (the plan
    /// still says the limit was overridden). Never overrides the rule that an organization
    /// keeps an enabled admin.
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// A user the client acts as (its tokens' `x-user-id`): never disabled. Call once per
    /// organization whose tokens act for their own user (user ids are unique across
    /// organizations).
    pub fn acting_user(mut self, user_id: impl Into<String>) -> Self {
        self.acting_users.insert(user_id.into());
        self
    }

    /// How many organizations are read and written at once (at least 1). The client's rate
    /// limit and retries apply underneath.
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// The list page size used to read each organization's users (1 to 100; default 100,
    /// the fewest requests).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.clamp(1, 100);
        self
    }
}
