//! The server-side rules the fake applies to request bodies, as Parchment's reference states
//! them (docs/api-decisions.md §3-§5 for the token and users endpoints, §8 for the partner
//! resources): a failure is an [`ApiError`] with the documented status and shape.

use super::error::{ApiError, Violation};
use serde_json::{Map, Value};

/// Roles the API assigns.
pub(super) const ASSIGNABLE_ROLES: &[&str] = &[
    "admin",
    "provider",
    "receptionist",
    "rx_reader",
    "rx_queue_manager",
];
const SEXES: &[&str] = &["M", "F", "I", "N"];
const PRESCRIBER_TYPES: &[&str] = &["M", "N", "D", "P", "T", "E", "U", "F", "V", "C"];
const PROVIDER_FIELDS: &[&str] = &[
    "title",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "phone",
    "hpii_number",
    "erx_entity_id",
    "prescriber_type",
    "prescriber_number",
    "provider_number",
    "ahpra_number",
    "qualifications",
    "hospital_provider_number",
];

/// The members of a create body.
const CREATE_FIELDS: &[&str] = &[
    "given_name",
    "family_name",
    "email",
    "partner_user_id",
    "title",
    "phone",
    "access_roles",
    "date_of_birth",
    "sex",
    "hpii_number",
    "prescriber_type",
    "prescriber_number",
    "qualifications",
    "provider_number",
    "ahpra_number",
    "hospital_provider_number",
];

/// The string `field`, if present. `null` is not absent: the schemas allow no nulls on writes.
fn text<'a>(object: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, Violation> {
    match object.get(field) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err((field.to_owned(), "must be a string".to_owned())),
    }
}

/// The body as an object, or the 400 the reference shows for a malformed body.
pub(super) fn object(body: &Value) -> Result<&Map<String, Value>, ApiError> {
    body.as_object()
        .ok_or_else(|| ApiError::invalid_request("the request body must be a JSON object"))
}

/// Refuses members the schema does not list (the request schemas forbid additional
/// properties), except `ignored` ones the reference says the server ignores.
pub(super) fn known_members(
    object: &Map<String, Value>,
    allowed: &[&str],
    ignored: &[&str],
) -> Result<(), ApiError> {
    let unknown = object
        .keys()
        .find(|key| !allowed.contains(&key.as_str()) && !ignored.contains(&key.as_str()));
    match unknown {
        Some(unknown) => Err(ApiError::invalid_request(format!(
            "unknown field `{unknown}`"
        ))),
        None => Ok(()),
    }
}

/// Checks `access_roles` for replace-roles: the 400s of the reference.
pub(super) fn roles(body: &Value) -> Result<Vec<String>, ApiError> {
    let object = object(body)?;
    known_members(object, &["access_roles"], &[])?;
    role_list(object.get("access_roles"))
}

/// Checks an `access_roles` value: a non-empty array of assignable roles, sent once each.
fn role_list(value: Option<&Value>) -> Result<Vec<String>, ApiError> {
    let invalid =
        || ApiError::invalid_request("access_roles must be a non-empty array of valid roles");
    let roles = value.and_then(Value::as_array).ok_or_else(invalid)?;
    let roles: Vec<String> = roles
        .iter()
        .map(|r| r.as_str().map(str::to_owned))
        .collect::<Option<_>>()
        .ok_or_else(invalid)?;
    if roles.is_empty()
        || roles
            .iter()
            .any(|role| !ASSIGNABLE_ROLES.contains(&role.as_str()))
    {
        return Err(invalid());
    }
    let mut distinct = Vec::new();
    for role in roles {
        if !distinct.contains(&role) {
            distinct.push(role);
        }
    }
    Ok(distinct)
}

/// Checks provider fields (nested in an update, flat in a create) and returns them.
fn provider_fields(
    object: &Map<String, Value>,
    violations: &mut Vec<Violation>,
) -> Map<String, Value> {
    let mut fields = Map::new();
    for name in PROVIDER_FIELDS {
        match text(object, name) {
            Ok(Some(value)) => {
                fields.insert((*name).to_owned(), Value::String(value.to_owned()));
            }
            Ok(None) => {}
            Err(violation) => violations.push(violation),
        }
    }
    let get = |name: &str| fields.get(name).and_then(Value::as_str);
    if let Some(date) = get("date_of_birth")
        && chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err()
    {
        violations.push(("date_of_birth".into(), "Invalid date".into()));
    }
    if let Some(sex) = get("sex")
        && !SEXES.contains(&sex)
    {
        violations.push(("sex".into(), "must be one of M, F, I, N".into()));
    }
    if let Some(number) = get("prescriber_number")
        && !(1..=10).contains(&number.chars().count())
    {
        violations.push((
            "prescriber_number".into(),
            "must be 1 to 10 characters".into(),
        ));
    }
    if let Some(number) = get("provider_number")
        && (!(1..=10).contains(&number.chars().count())
            || !number.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        violations.push((
            "provider_number".into(),
            "must be 1 to 10 letters or digits".into(),
        ));
    }
    if let Some(prescriber_type) = get("prescriber_type") {
        if !PRESCRIBER_TYPES.contains(&prescriber_type) {
            violations.push(("prescriber_type".into(), "is not a prescriber type".into()));
        }
        if get("qualifications").is_none()
            || (prescriber_type != "T" && get("prescriber_number").is_none())
        {
            violations.push((
                "provider_details".into(),
                "When providing provider_details with prescriber_type, qualifications and prescriber_number \
                 (if not podiatrist) are required"
                    .into(),
            ));
        }
    }
    fields
}

/// A checked partial update: the new full name and provider fields, if any.
pub(super) struct Update {
    pub(super) full_name: Option<String>,
    pub(super) provider_details: Option<Map<String, Value>>,
}

/// Checks an update body. `access_roles` and `email` are ignored, as the reference says.
pub(super) fn update(body: &Value) -> Result<Update, ApiError> {
    let object = object(body)?;
    known_members(
        object,
        &["full_name", "provider_details"],
        &["access_roles", "email"],
    )?;
    if let Some(Value::Object(details)) = object.get("provider_details") {
        known_members(details, PROVIDER_FIELDS, &[])?;
    }
    let mut violations = Vec::new();
    let full_name = match text(object, "full_name") {
        Ok(Some(name)) if name.trim().is_empty() => {
            violations.push(("full_name".into(), "must not be empty".into()));
            None
        }
        Ok(name) => name.map(str::to_owned),
        Err(violation) => {
            violations.push(violation);
            None
        }
    };
    let provider_details = match object.get("provider_details") {
        None => None,
        Some(Value::Object(details)) => Some(provider_fields(details, &mut violations)),
        Some(_) => {
            violations.push(("provider_details".into(), "must be an object".into()));
            None
        }
    };
    ApiError::validation(violations)?;
    Ok(Update {
        full_name,
        provider_details,
    })
}

/// A checked new user.
pub(super) struct Create {
    pub(super) given_name: String,
    pub(super) family_name: String,
    pub(super) email: String,
    pub(super) partner_user_id: Option<String>,
    pub(super) roles: Vec<String>,
    pub(super) provider_details: Map<String, Value>,
}

/// Checks a create body, provider requirements included.
pub(super) fn create(body: &Value) -> Result<Create, ApiError> {
    let object = object(body)?;
    known_members(object, CREATE_FIELDS, &[])?;
    let mut violations = Vec::new();
    let mut required = |field: &str| match text(object, field) {
        Ok(Some(value)) if !value.trim().is_empty() => value.to_owned(),
        Ok(_) => {
            violations.push((field.to_owned(), "is required".to_owned()));
            String::new()
        }
        Err(violation) => {
            violations.push(violation);
            String::new()
        }
    };
    let given_name = required("given_name");
    let family_name = required("family_name");
    let email = required("email");
    if !email.is_empty() && !email.contains('@') {
        violations.push(("email".into(), "must be an email address".into()));
    }
    let partner_user_id = match text(object, "partner_user_id") {
        Ok(id) => id.map(str::to_owned),
        Err(violation) => {
            violations.push(violation);
            None
        }
    };
    for field in ["title", "phone"] {
        if let Err(violation) = text(object, field) {
            violations.push(violation);
        }
    }
    let roles = match object.get("access_roles") {
        None => vec!["member".to_owned()],
        roles @ Some(_) => match role_list(roles) {
            Ok(roles) => roles,
            Err(_) => {
                violations.push((
                    "access_roles".into(),
                    "must be a non-empty array of valid roles".into(),
                ));
                Vec::new()
            }
        },
    };
    let provider_details = provider_fields(object, &mut violations);
    if roles.iter().any(|role| role == "provider") {
        for field in [
            "date_of_birth",
            "sex",
            "hpii_number",
            "prescriber_type",
            "qualifications",
        ] {
            if !provider_details.contains_key(field) {
                violations.push((field.into(), "is required for a provider".into()));
            }
        }
    }
    ApiError::validation(violations)?;
    Ok(Create {
        given_name,
        family_name,
        email,
        partner_user_id,
        roles,
        provider_details,
    })
}
