//! The operations of the API, as the call machinery needs to know them: a name for errors and
//! logs, whether repeating one is harmless, and whether it changes users (whose reads may be
//! cached).

/// One API operation, as the engine needs to know it (see [`Call`](crate::engine::Call) for
/// the rest of its description).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Operation {
    /// How errors and logs name it (`read user`).
    pub(crate) name: &'static str,
    /// Whether sending it twice has the effect of sending it once. GET and PUT (which replaces)
    /// are; POST (create user) is not, except the token request, whose repetition is harmless.
    pub(crate) idempotent: bool,
    /// Whether it changes the organization's users (and so outdates cached reads).
    #[cfg_attr(not(feature = "read-cache"), allow(dead_code))]
    pub(crate) writes: bool,
}

impl Operation {
    /// A read: repeatable, changes nothing.
    pub(crate) const fn read(name: &'static str) -> Self {
        Self {
            name,
            idempotent: true,
            writes: false,
        }
    }

    /// A write that replaces: repeatable.
    pub(crate) const fn replace(name: &'static str) -> Self {
        Self {
            name,
            idempotent: true,
            writes: true,
        }
    }

    /// A write that creates: not repeatable.
    pub(crate) const fn create(name: &'static str) -> Self {
        Self {
            name,
            idempotent: false,
            writes: true,
        }
    }

    /// A write that changes no user, so leaves cached user reads valid (the read cache holds
    /// user reads only).
    const fn write_elsewhere(name: &'static str, idempotent: bool) -> Self {
        Self {
            name,
            idempotent,
            writes: false,
        }
    }

    pub(crate) const VALIDATE_ORGANIZATION: Self = Self::read("validate organization");
    pub(crate) const LIST_USERS: Self = Self::read("list users");
    pub(crate) const READ_USER: Self = Self::read("read user");
    pub(crate) const CREATE_USER: Self = Self::create("create user");
    pub(crate) const UPDATE_USER: Self = Self::replace("update user");
    pub(crate) const REPLACE_USER_ROLES: Self = Self::replace("replace user roles");
    pub(crate) const DISABLE_USER: Self = Self::replace("disable user");
    pub(crate) const ENABLE_USER: Self = Self::replace("enable user");
    /// A POST, but a second token is harmless: retried like a read.
    pub(crate) const CREATE_TOKEN: Self = Self::read("create token");
    pub(crate) const CREATE_PATIENT: Self = Self::write_elsewhere("create patient", false);
    /// A partial update: sending the same one twice leaves the patient as sending it once.
    pub(crate) const UPDATE_PATIENT: Self = Self::write_elsewhere("update patient", true);
    pub(crate) const LIST_PRESCRIPTIONS: Self = Self::read("list prescriptions");
    pub(crate) const READ_PRESCRIPTION: Self = Self::read("read prescription");
    pub(crate) const CREATE_USER_CUSTOM_DRUG: Self =
        Self::write_elsewhere("create user custom drug", false);
    pub(crate) const LIST_USER_CUSTOM_DRUGS: Self = Self::read("list user custom drugs");
    pub(crate) const UPDATE_USER_CUSTOM_DRUG: Self =
        Self::write_elsewhere("update user custom drug", true);
    pub(crate) const BULK_CREATE_ORGANIZATION_CUSTOM_DRUGS: Self =
        Self::write_elsewhere("bulk create organization custom drugs", false);
    pub(crate) const LIST_ORGANIZATION_CUSTOM_DRUGS: Self =
        Self::read("list organization custom drugs");
    /// Deleting everything twice deletes everything once.
    pub(crate) const DELETE_ORGANIZATION_CUSTOM_DRUGS: Self =
        Self::write_elsewhere("delete all organization custom drugs", true);
    /// A POST that issues a one-use credential: repeated only when the connection could not be
    /// made. Changes no user, so cached reads stay valid.
    pub(crate) const CREATE_SSO_LINK: Self = Self::write_elsewhere("create SSO link", false);
}
