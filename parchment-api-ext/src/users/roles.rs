//! Role-set arithmetic for the read-change-write helpers, and the per-user locks that keep
//! two of them on one client from undoing each other.

use crate::error::FieldError;
use parchment_api::Role;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

type Key = (String, String);
type Lock = Arc<tokio::sync::Mutex<()>>;

/// One lock per (organization, user) whose roles a read-change-write is changing, shared by
/// every clone of a client. Without it, a grant that read before a revoke wrote would write
/// the revoked role back. The map holds only users being changed right now: an entry goes
/// when its last holder or waiter does (cancelled waiters included), so it is bounded by the
/// changes in flight, not by every user ever changed.
#[derive(Debug, Default)]
pub(crate) struct RoleLocks {
    held: Mutex<HashMap<Key, Lock>>,
}

/// A place in the queue for one user's lock; leaves the map tidy when dropped.
struct Place<'a> {
    locks: &'a RoleLocks,
    key: Key,
    lock: Option<Lock>,
}

/// The lock on one user's roles, held until dropped.
pub(crate) struct RoleGuard<'a> {
    // Field order matters: the guard is released before the place is tidied.
    _guard: tokio::sync::OwnedMutexGuard<()>,
    _place: Place<'a>,
}

impl RoleLocks {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Lock>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for, then holds, the lock on `user_id`'s roles in `organization_id`.
    pub(crate) async fn lock(&self, organization_id: &str, user_id: &str) -> RoleGuard<'_> {
        let key = (organization_id.to_owned(), user_id.to_owned());
        let lock = self.map().entry(key.clone()).or_default().clone();
        let place = Place {
            locks: self,
            key,
            lock: Some(lock.clone()),
        };
        RoleGuard {
            _guard: lock.lock_owned().await,
            _place: place,
        }
    }

    /// How many users have a lock entry (for tests of the bound).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.map().len()
    }
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        let mut map = self.locks.map();
        drop(self.lock.take());
        // One reference left: the map's own. Nobody holds or waits for this user.
        if map
            .get(&self.key)
            .is_some_and(|lock| Arc::strong_count(lock) == 1)
        {
            map.remove(&self.key);
        }
    }
}

/// `roles` without repeats, in first-seen order.
pub(super) fn distinct(roles: impl IntoIterator<Item = Role>) -> Vec<Role> {
    let mut out: Vec<Role> = Vec::new();
    for role in roles {
        if !out.contains(&role) {
            out.push(role);
        }
    }
    out
}

/// `current` then whatever of `added` it lacks.
pub(super) fn union(current: &[Role], added: &[Role]) -> Vec<Role> {
    distinct(current.iter().chain(added).cloned())
}

/// `current` without `removed`.
pub(super) fn difference(current: &[Role], removed: &[Role]) -> Vec<Role> {
    current
        .iter()
        .filter(|role| !removed.contains(role))
        .cloned()
        .collect()
}

/// Whether two role lists hold the same roles, in any order.
pub(super) fn same_set(a: &[Role], b: &[Role]) -> bool {
    a.iter().all(|role| b.contains(role)) && b.iter().all(|role| a.contains(role))
}

/// The part of a user's current roles a replacement can carry over.
pub(super) struct WritableBase {
    pub(super) roles: Vec<Role>,
    /// One error per role that a replacement would silently drop.
    pub(super) errors: Vec<FieldError>,
}

/// Splits a user's roles into what can be written back and what cannot. `member` is the
/// baseline a re-enabled user holds and is meant to be replaced, so it is dropped quietly;
/// `owner`, `support` and unknown roles would be lost, so they are errors.
pub(super) fn writable_base(current: &[Role]) -> WritableBase {
    let mut base = WritableBase {
        roles: Vec::new(),
        errors: Vec::new(),
    };
    for role in current {
        if role.is_assignable() {
            base.roles.push(role.clone());
        } else if *role != Role::Member {
            base.errors.push(FieldError::new(
                "access_roles",
                "not_writable",
                format!(
                    "the user holds `{role}`, which the API cannot write back; a replacement would \
                     drop it, so set the roles explicitly with set_roles if that is intended"
                ),
            ));
        }
    }
    base
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_holder_per_user_and_entries_go_with_their_holders() {
        let locks = RoleLocks::default();
        let a = locks.lock("org", "usr_a").await;
        let _b = locks.lock("org", "usr_b").await; // another user: not blocked
        assert_eq!(locks.len(), 2);
        {
            let waiting = locks.lock("org", "usr_a");
            futures::pin_mut!(waiting);
            assert!(
                futures::poll!(waiting.as_mut()).is_pending(),
                "usr_a is held"
            );
            // Cancelled while waiting: its entry must not be left behind.
        }
        drop(a);
        assert_eq!(locks.len(), 1);
        let again = locks.lock("org", "usr_a").await;
        drop(again);
        drop(_b);
        assert_eq!(locks.len(), 0);
    }

    #[test]
    fn union_keeps_order_and_adds_missing() {
        assert_eq!(
            union(&[Role::Admin], &[Role::Provider, Role::Admin]),
            [Role::Admin, Role::Provider]
        );
    }

    #[test]
    fn difference_removes() {
        assert_eq!(
            difference(&[Role::Admin, Role::Provider], &[Role::Admin]),
            [Role::Provider]
        );
    }

    #[test]
    fn member_is_replaced_but_owner_blocks_a_rewrite() {
        let base = writable_base(&[Role::Member]);
        assert!(base.roles.is_empty() && base.errors.is_empty());
        let base = writable_base(&[Role::Owner, Role::Admin]);
        assert_eq!(base.roles, [Role::Admin]);
        assert_eq!(base.errors.len(), 1);
    }
}
