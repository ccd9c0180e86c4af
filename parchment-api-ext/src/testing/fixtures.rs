//! Realistic values of the API's own types, for tests that mock Parchment with
//! [`mocks`](super::mocks): users (providers with valid Australian-style identifiers and an
//! address, staff without), the success envelopes, and every documented error envelope.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), parchment_api_ext::Error> {
//! use parchment_api_ext::testing::{fixtures, mocks::MockServerExt};
//! use parchment_api_ext::{Client, ErrorKind, Role};
//!
//! let server = httpmock::MockServer::start_async().await;
//! let doctor = fixtures::provider(7);
//! let user_id = doctor.user_id.clone();
//! server.read_user(|when, then| {
//!     when.organization_id(&fixtures::literal("org-1")).user_id(&fixtures::literal(&user_id));
//!     then.ok(&fixtures::read_user_response(doctor));
//! });
//! server.read_user(|when, then| {
//!     when.user_id("usr_missing");
//!     then.not_found(&fixtures::error(404));
//! });
//!
//! let client = Client::builder()
//!     .base_url(server.base_url())
//!     .access_token("test-token")
//!     .organization_secret("test-secret")
//!     .build()?;
//! let users = client.organization("org-1").users();
//! assert!(users.get(&user_id).await?.has_role(&Role::Provider));
//! let missing = users.get("usr_missing").await.unwrap_err();
//! assert_eq!(missing.kind(), ErrorKind::NotFound);
//! assert_eq!(missing.request_id(), Some(fixtures::REQUEST_ID));
//! # Ok(())
//! # }
//! ```

use super::identifiers;
pub use super::partner_fixtures::*;
use parchment_api::types::{
    AustralianAddress, ErrorResponse, FieldError, GrantedScope, ListUsersResponse, Pagination,
    Problem, ProviderDetails, ReadUserResponse, TokenResponse, User, UserSummary, UsersPageObject,
};
use parchment_api::{PrescriberType, Role, Scope, Sex, Token, UsersPage};

/// The request id fixtures carry, in Parchment's `req_<epoch ms>_<6 chars>` form.
pub const REQUEST_ID: &str = "req_1705312200000_abc123";
/// The timestamp fixtures carry.
pub const TIMESTAMP: &str = "2024-01-15T10:30:00.000Z";

/// `value` escaped for the generated mock matchers, which put path values into a regular
/// expression: without it `org.1` would also match `orgX1`.
pub fn literal(value: &str) -> String {
    regex::escape(value)
}

/// Provider number `n`: a prescriber with full details (a Luhn-valid HPI-I, a Medicare-style
/// provider number, a prescriber number, AHPRA registration, date of birth as Parchment returns
/// it, an address in a capital city) and the `provider` and `admin` roles.
pub fn provider(n: u64) -> User {
    let (given, family) = identifiers::names(n);
    let (suburb, state, postcode, street_number) = identifiers::address(n);
    let details = ProviderDetails {
        title: Some("Dr".into()),
        given_name: Some(given.into()),
        family_name: Some(family.into()),
        date_of_birth: Some(format!("{}T00:00:00.000Z", identifiers::date_of_birth(n))),
        sex: Some(Sex::from(identifiers::sex(n))),
        phone: Some(identifiers::phone(n)),
        hpii_number: Some(identifiers::hpii(n)),
        prescriber_type: Some(PrescriberType::Medical),
        prescriber_number: Some(identifiers::prescriber_number(n)),
        provider_number: Some(identifiers::provider_number(n)),
        ahpra_number: Some(identifiers::ahpra_number(n)),
        qualifications: Some("MBBS, FRACGP".into()),
        australian_address: Some(AustralianAddress {
            street_number: Some(street_number),
            street_name: Some("Collins Street".into()),
            suburb: Some(suburb.into()),
            state: Some(state.into()),
            postcode: Some(postcode.into()),
        }),
        ..ProviderDetails::default()
    };
    User {
        provider_details: Some(details),
        title: Some("Dr".into()),
        ..staff(n, Role::Admin)
    }
    .with_roles([Role::Provider, Role::Admin])
}

/// Staff member number `n` with one role and no provider details (`provider_details` absent,
/// as Parchment sends it for non-providers).
pub fn staff(n: u64, role: Role) -> User {
    let (given, family) = identifiers::names(n);
    User {
        user_id: format!("usr_{n:012x}"),
        email: Some(format!(
            "{}.{}.{n}@example.com",
            given.to_lowercase(),
            family.to_lowercase()
        )),
        external_user_id: Some(format!("PARTNER#USER_{n}")),
        full_name: Some(format!("{given} {family}")),
        title: None,
        erx_entity_id: None,
        access_roles: Some(vec![role]),
        provider_details: None,
        details: None,
    }
}

/// Replacing a fixture's roles.
trait WithRoles {
    fn with_roles(self, roles: impl IntoIterator<Item = Role>) -> Self;
}

impl WithRoles for User {
    fn with_roles(mut self, roles: impl IntoIterator<Item = Role>) -> Self {
        self.access_roles = Some(roles.into_iter().collect());
        self
    }
}

/// How `user` appears in a list page.
pub fn summary(user: &User) -> UserSummary {
    UserSummary {
        user_id: user.user_id.clone(),
        email: user.email.clone(),
        external_user_id: user.external_user_id.clone(),
        full_name: user.full_name.clone(),
        access_roles: user.access_roles.clone(),
    }
}

/// The `POST /v1/token` success envelope: a `Bearer` token `access_token`, valid for
/// `expires_in` seconds, granted [`Scope::USER_OPERATIONS`] (sorted, as a list). For
/// `server.create_token(|when, then| { then.ok(&fixtures::token_response(..)); })`, or
/// `serde_json::to_value` where a test builds the mock by hand.
pub fn token_response(access_token: &str, expires_in: i64) -> TokenResponse {
    let mut scope: Vec<String> = Scope::USER_OPERATIONS
        .iter()
        .map(|scope| scope.as_str().to_owned())
        .collect();
    scope.sort();
    TokenResponse {
        success: Some(true),
        status_code: Some(200),
        message: Some("Token generated successfully".into()),
        code: None,
        data: Token {
            access_token: access_token.into(),
            expires_in,
            scope: Some(GrantedScope::Array(scope)),
            token_type: Some("Bearer".into()),
        },
        pagination: None,
        meta: None,
        timestamp: Some(TIMESTAMP.into()),
        request_id: Some(REQUEST_ID.into()),
    }
}

/// The read-user envelope around `user`.
pub fn read_user_response(user: User) -> ReadUserResponse {
    ReadUserResponse {
        success: Some(true),
        status_code: Some(200),
        message: Some("User retrieved successfully".into()),
        code: None,
        data: user,
        pagination: None,
        meta: None,
        timestamp: Some(TIMESTAMP.into()),
        request_id: Some(REQUEST_ID.into()),
    }
}

/// A list page of `users` in the `{users, pagination}` form, with `next_key` as its `lastKey`
/// (`None`: the last page).
pub fn list_page(users: &[User], next_key: Option<&str>) -> ListUsersResponse {
    let page = UsersPageObject {
        users: users.iter().map(summary).collect(),
        pagination: Some(Pagination {
            total: i64::try_from(users.len()).ok(),
            limit: i64::try_from(users.len()).ok(),
            last_key: next_key.map(str::to_owned),
            ..Pagination::default()
        }),
    };
    ListUsersResponse {
        success: Some(true),
        status_code: Some(200),
        message: Some("Users retrieved successfully".into()),
        code: None,
        data: UsersPage::UsersPageObject(page),
        pagination: None,
        meta: None,
        timestamp: Some(TIMESTAMP.into()),
        request_id: Some(REQUEST_ID.into()),
    }
}

/// The problem type (its last path segment), title and detail Parchment documents for an error
/// status; a generic problem for others.
pub(crate) fn problem(status: u16) -> (&'static str, &'static str, &'static str) {
    match status {
        400 => (
            "bad-request",
            "Bad Request",
            "Invalid request format or missing parameters",
        ),
        401 => (
            "authentication-required",
            "Unauthorized",
            "Valid authentication token is required",
        ),
        403 => (
            "insufficient-scope",
            "Insufficient permissions",
            "This operation requires the 'update:user' scope",
        ),
        404 => ("user-not-found", "User not found", "User not found"),
        409 => (
            "resource-conflict",
            "Conflict",
            "A user with this email already exists in the organization",
        ),
        422 => (
            "validation-error",
            "Validation failed",
            "There were some problems with your input.",
        ),
        429 => (
            "rate-limit",
            "Rate limit exceeded",
            "Too many requests. Please try again later.",
        ),
        503 => (
            "service-unavailable",
            "Service unavailable",
            "The service is temporarily unavailable.",
        ),
        _ => (
            "internal-error",
            "Internal server error",
            "An unexpected error occurred.",
        ),
    }
}

/// The documented error envelope for `status` (400, 401, 403, 404, 409, 422, 429, 500, 503),
/// with Parchment's problem type, title and detail; 409 carries `USER_ALREADY_EXISTS` and 422
/// a validation list. Other statuses get a generic problem.
pub fn error(status: u16) -> ErrorResponse {
    let (slug, title, detail) = problem(status);
    let validation = (status == 422).then(|| {
        vec![FieldError {
            field: Some("date_of_birth".into()),
            message: Some("Invalid date".into()),
            code: Some("VALIDATION_ERROR".into()),
        }]
    });
    ErrorResponse {
        success: Some(false),
        status_code: Some(i32::from(status)),
        code: (status == 409).then(|| "USER_ALREADY_EXISTS".into()),
        error: Some(Problem {
            type_: Some(format!("https://parchment.health/errors/{slug}")),
            title: Some(title.into()),
            detail: Some(detail.into()),
            instance: None,
            validation,
        }),
        timestamp: Some(TIMESTAMP.into()),
        request_id: Some(REQUEST_ID.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_fixture_reads_back_as_a_provider_with_a_real_date() {
        let user = crate::User::from(provider(3));
        assert!(user.has_role(&Role::Provider));
        let details = user.provider_details.expect("provider details");
        assert!(
            details.date_of_birth.is_some(),
            "{:?}",
            details.date_of_birth_unparsed
        );
        assert_eq!(details.hpii_number.as_deref().map(str::len), Some(16));
    }

    #[test]
    fn every_documented_error_status_has_its_problem() {
        for status in [400, 401, 403, 404, 409, 422, 429, 500, 503] {
            let envelope = error(status);
            assert_eq!(envelope.status_code, Some(i32::from(status)));
            assert!(envelope.error.and_then(|e| e.title).is_some());
        }
        assert_eq!(error(409).code.as_deref(), Some("USER_ALREADY_EXISTS"));
    }

    #[test]
    fn the_token_fixture_is_the_documented_wire_envelope() {
        let body = serde_json::to_value(token_response("tok", 60)).expect("serializable");
        assert_eq!(body["data"]["accessToken"], "tok");
        assert_eq!(body["data"]["expiresIn"], 60);
        assert_eq!(body["data"]["tokenType"], "Bearer");
        assert_eq!(
            body["data"]["scope"],
            serde_json::json!([
                "create:user",
                "delete:user",
                "read:user",
                "read:users",
                "update:user"
            ])
        );
        assert_eq!(body["requestId"], REQUEST_ID);
    }

    #[test]
    fn literal_escapes_regex_characters() {
        assert_eq!(literal("org.1"), "org\\.1");
    }
}
