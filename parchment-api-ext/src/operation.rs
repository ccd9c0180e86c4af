//! The operations of the API, as the call machinery needs to know them: a name for errors and
//! logs, and whether repeating one is harmless.

/// One API operation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Operation {
    /// How errors and logs name it (`read user`).
    pub(crate) name: &'static str,
    /// Whether sending it twice has the effect of sending it once. GET and PUT (which replaces)
    /// are; POST (create user, token) is not.
    pub(crate) idempotent: bool,
}

impl Operation {
    const fn idempotent(name: &'static str) -> Self {
        Self {
            name,
            idempotent: true,
        }
    }

    const fn not_idempotent(name: &'static str) -> Self {
        Self {
            name,
            idempotent: false,
        }
    }

    pub(crate) const VALIDATE_ORGANIZATION: Self = Self::idempotent("validate organization");
    pub(crate) const LIST_USERS: Self = Self::idempotent("list users");
    pub(crate) const READ_USER: Self = Self::idempotent("read user");
    pub(crate) const CREATE_USER: Self = Self::not_idempotent("create user");
    pub(crate) const UPDATE_USER: Self = Self::idempotent("update user");
    pub(crate) const REPLACE_USER_ROLES: Self = Self::idempotent("replace user roles");
    pub(crate) const DISABLE_USER: Self = Self::idempotent("disable user");
    pub(crate) const ENABLE_USER: Self = Self::idempotent("enable user");
    pub(crate) const CREATE_TOKEN: Self = Self::not_idempotent("create token");
}
