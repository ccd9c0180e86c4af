//! Role-set arithmetic for the read-change-write helpers.

use crate::error::FieldError;
use parchment_api::Role;

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
