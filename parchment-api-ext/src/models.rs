//! The SDK's view of users: normalized from every documented response variant.
//!
//! The generated types mirror the wire; these are what a service works with: one page type for
//! both list shapes, dates as dates, roles as [`Role`]s, absent and `null` both as `None`.

use chrono::NaiveDate;
use parchment_api::{LenientDate, PrescriberType, Role, Sex, types};
use serde::Serialize;

/// A generated type re-exported deliberately: five optional strings, the wire's own shape,
/// with nothing to normalize.
pub use parchment_api::types::AustralianAddress;

/// One user as a list page shows it. Pages may be sparse: only `user_id` and `email`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct UserSummary {
    /// Parchment's id of the user (`usr_...` or a UUID).
    pub user_id: String,
    /// The user's email, when the page carries it.
    pub email: Option<String>,
    /// The partner's own id of the user, when the page carries it.
    pub external_user_id: Option<String>,
    /// The display name, when the page carries it.
    pub full_name: Option<String>,
    /// The roles, when the page carries them (`None` means "not reported", not "no roles").
    pub roles: Option<Vec<Role>>,
}

/// One page of users, whichever of the documented shapes it came in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct UsersPage {
    /// The users of this page, in the server's order.
    pub users: Vec<UserSummary>,
    /// The key of the next page; `None` on the last page.
    pub next_key: Option<String>,
    /// The total number of users, when the server says.
    pub total: Option<u64>,
    /// The page size the server applied, when it says.
    pub limit: Option<u64>,
}

/// One user in full, as read-user returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct User {
    /// Parchment's id of the user.
    pub user_id: String,
    /// The user's email.
    pub email: Option<String>,
    /// The partner's own id of the user.
    pub external_user_id: Option<String>,
    /// The display name.
    pub full_name: Option<String>,
    /// A professional title some responses carry at the top level.
    pub title: Option<String>,
    /// The eRx entity id some responses carry at the top level.
    pub erx_entity_id: Option<String>,
    /// The user's roles (empty if the response carried none: see
    /// [`roles_reported`](Self::roles_reported)).
    pub roles: Vec<Role>,
    /// Whether the response reported the roles at all. `access_roles` may be `null` or absent;
    /// then `roles` is empty but means "not reported", not "no roles", and the
    /// read-change-write role helpers refuse to compute a change from it.
    #[serde(skip)]
    pub roles_reported: bool,
    /// Prescriber details: `None` for non-providers, and when Parchment could not fetch them.
    pub provider_details: Option<ProviderDetails>,
    /// Free-form `details` some responses carry.
    pub details: Option<serde_json::Map<String, serde_json::Value>>,
}

impl User {
    /// Whether the user holds `role`.
    pub fn has_role(&self, role: &Role) -> bool {
        self.roles.contains(role)
    }
}

/// A provider's prescriber details, as read back.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ProviderDetails {
    /// Professional title, such as `Dr`.
    pub title: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Date of birth. Parchment sends `1969-10-02` or `1969-10-02T00:00:00.000Z`; both are this
    /// date. `None` when absent or not a date (then see `date_of_birth_unparsed`).
    pub date_of_birth: Option<NaiveDate>,
    /// The date of birth as sent, kept only when it could not be read as a date.
    pub date_of_birth_unparsed: Option<String>,
    /// Sex (`O` may appear on reads).
    pub sex: Option<Sex>,
    /// Phone number.
    pub phone: Option<String>,
    /// Healthcare Provider Identifier – Individual.
    pub hpii_number: Option<String>,
    /// eRx entity id.
    pub erx_entity_id: Option<String>,
    /// Prescriber type.
    pub prescriber_type: Option<PrescriberType>,
    /// PBS prescriber number.
    pub prescriber_number: Option<String>,
    /// Medicare provider number.
    pub provider_number: Option<String>,
    /// AHPRA registration number.
    pub ahpra_number: Option<String>,
    /// Qualifications, such as `MBBS, FRACGP`.
    pub qualifications: Option<String>,
    /// Hospital provider number.
    pub hospital_provider_number: Option<String>,
    /// Australian address.
    pub australian_address: Option<AustralianAddress>,
}

/// The user a write applied to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct UpdatedUser {
    /// Parchment's id of the user.
    pub user_id: String,
}

/// A user just created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CreatedUser {
    /// Parchment's id of the new user.
    pub user_id: String,
    /// The partner's own id of the user, when the response carries it.
    pub external_user_id: Option<String>,
    /// A link to the user in Parchment's portal, when the response carries it.
    pub url: Option<String>,
}

/// The roles a user holds after a replacement, as the server confirmed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct UserRoles {
    /// Parchment's id of the user.
    pub user_id: String,
    /// The roles now held.
    pub roles: Vec<Role>,
}

/// Reads `1969-10-02` and `1969-10-02T00:00:00.000Z` (the date part, as Parchment writes dates
/// of birth as midnight UTC): the rule of [`LenientDate`], the patients' dates.
pub(crate) fn parse_date_of_birth(raw: &str) -> Option<NaiveDate> {
    raw.parse::<LenientDate>().ok().map(LenientDate::date)
}

impl From<types::UserSummary> for UserSummary {
    fn from(wire: types::UserSummary) -> Self {
        Self {
            user_id: wire.user_id,
            email: wire.email,
            external_user_id: wire.external_user_id,
            full_name: wire.full_name,
            roles: wire.access_roles,
        }
    }
}

impl UsersPage {
    /// Normalizes both list shapes; pagination inside `data` wins over a top-level one.
    pub(crate) fn from_wire(
        data: parchment_api::UsersPage,
        top_level: Option<types::Pagination>,
    ) -> Self {
        let (users, pagination) = match data {
            parchment_api::UsersPage::Array(users) => (users, top_level),
            parchment_api::UsersPage::UsersPageObject(object) => {
                (object.users, object.pagination.or(top_level))
            }
        };
        let pagination = pagination.unwrap_or_default();
        let non_negative = |n: Option<i64>| n.and_then(|n| u64::try_from(n).ok());
        Self {
            users: users.into_iter().map(UserSummary::from).collect(),
            // An empty key would request the first page again: treat it as the end.
            next_key: pagination.last_key.filter(|key| !key.is_empty()),
            total: non_negative(pagination.total.or(pagination.count)),
            limit: non_negative(pagination.limit),
        }
    }
}

impl From<types::User> for User {
    // Inlined, like the ProviderDetails conversion: the wire value's fields then move straight
    // into the model instead of through a copy of each struct (measured: 0.1k per read).
    #[inline]
    fn from(wire: types::User) -> Self {
        Self {
            user_id: wire.user_id,
            email: wire.email,
            external_user_id: wire.external_user_id,
            full_name: wire.full_name,
            title: wire.title,
            erx_entity_id: wire.erx_entity_id,
            roles_reported: wire.access_roles.is_some(),
            roles: wire.access_roles.unwrap_or_default(),
            provider_details: wire.provider_details.map(ProviderDetails::from),
            details: wire.details,
        }
    }
}

impl From<types::ProviderDetails> for ProviderDetails {
    #[inline]
    fn from(wire: types::ProviderDetails) -> Self {
        let date_of_birth = wire.date_of_birth.as_deref().and_then(parse_date_of_birth);
        let date_of_birth_unparsed = match date_of_birth {
            Some(_) => None,
            None => wire.date_of_birth,
        };
        Self {
            title: wire.title,
            given_name: wire.given_name,
            family_name: wire.family_name,
            date_of_birth,
            date_of_birth_unparsed,
            sex: wire.sex,
            phone: wire.phone,
            hpii_number: wire.hpii_number,
            erx_entity_id: wire.erx_entity_id,
            prescriber_type: wire.prescriber_type,
            prescriber_number: wire.prescriber_number,
            provider_number: wire.provider_number,
            ahpra_number: wire.ahpra_number,
            qualifications: wire.qualifications,
            hospital_provider_number: wire.hospital_provider_number,
            australian_address: wire.australian_address,
        }
    }
}

impl From<types::UserId> for UpdatedUser {
    fn from(wire: types::UserId) -> Self {
        Self {
            user_id: wire.user_id,
        }
    }
}

impl From<types::UserRoles> for UserRoles {
    fn from(wire: types::UserRoles) -> Self {
        Self {
            user_id: wire.user_id,
            roles: wire.access_roles,
        }
    }
}
