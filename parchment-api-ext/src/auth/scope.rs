//! [`Scope`]: what a token may do, and [`ScopeSet`]: scopes in the order tokens are cached by.

/// Defined beside the other open enums in `parchment-api`, so that roles, sex, prescriber types
/// and scopes follow one convention (unknown values parse through one constructor).
pub use parchment_api::Scope;

/// A set of scopes in a canonical order, so that `[a, b]` and `[b, a]` share cached tokens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ScopeSet(Vec<String>);

impl ScopeSet {
    pub(crate) fn new<'a>(scopes: impl IntoIterator<Item = &'a Scope>) -> Self {
        let mut wire: Vec<String> = scopes.into_iter().map(|s| s.as_str().to_owned()).collect();
        wire.sort();
        wire.dedup();
        Self(wire)
    }

    pub(crate) fn wire(&self) -> &[String] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_set_ignores_order_and_repeats() {
        let a = ScopeSet::new(&[Scope::ReadUser, Scope::UpdateUser, Scope::ReadUser]);
        let b = ScopeSet::new(&[Scope::UpdateUser, Scope::ReadUser]);
        assert_eq!(a, b);
        assert_eq!(a.wire(), ["read:user", "update:user"]);
    }
}
