//! Checks made before anything is sent (docs/api-decisions.md §5.4-§5.5).
//!
//! Only what every version of Parchment's reference agrees on is enforced; each failure is a
//! [`FieldError`] in the same shape as the server's `validation` entries, and a call with any of
//! them sends nothing.

use crate::error::FieldError;
use parchment_api::types::{PrescriberNumber, ProviderNumber};
use parchment_api::{PrescriberType, Role, Sex};

/// The largest page the API serves.
pub(crate) const MAX_LIMIT: u32 = 100;

/// Prescriber and provider numbers: the reference says exactly 7 / exactly 9 in one version and
/// at most 10 in another; at most 10 is what both allow.
pub(crate) const MAX_NUMBER_LEN: usize = 10;

/// The longest id sent, in bytes: Parchment's ids are a few dozen characters; a longer one is a
/// caller's mistake (or an attack on whoever logs the path) and is refused before sending.
pub(crate) const MAX_ID_BYTES: usize = 256;

/// The longest pagination key (`lastKey`) sent, in bytes: the server's keys are short opaque
/// strings; a longer one would only make every request (and every log of it) larger.
pub(crate) const MAX_KEY_BYTES: usize = 4 * 1024;

/// Checks an organization or user id: it must name exactly one path segment. Empty, `.` and
/// `..` would change which endpoint is called, and `/ \ ? #` or control characters would change
/// the path or query; everything else is percent-encoded by the generated client.
pub(crate) fn id(field: &str, value: &str) -> Option<FieldError> {
    let problem = if value.is_empty() {
        "must not be empty"
    } else if value.len() > MAX_ID_BYTES {
        "must be at most 256 bytes long"
    } else if value == "." || value == ".." {
        "must not be `.` or `..`"
    } else if value.bytes().any(|b| matches!(b, b'/' | b'\\' | b'?' | b'#') || b.is_ascii_control())
        // Non-ASCII control characters (U+0080 to U+009F) need the characters decoded.
        || (!value.is_ascii() && value.chars().any(char::is_control))
    {
        "must not contain `/`, `\\`, `?`, `#` or control characters"
    } else {
        return None;
    };
    Some(FieldError::new(field, "invalid", problem))
}

/// Checks a pagination key (`lastKey`) given back to the server: not empty, at most
/// [`MAX_KEY_BYTES`].
pub(crate) fn last_key(value: Option<&str>) -> Option<FieldError> {
    let value = value?;
    let problem = if value.is_empty() {
        "must not be empty".to_owned()
    } else if value.len() > MAX_KEY_BYTES {
        format!(
            "must be at most {MAX_KEY_BYTES} bytes long, got {}",
            value.len()
        )
    } else {
        return None;
    };
    Some(FieldError::new("lastKey", "invalid", problem))
}

/// Checks a page size.
pub(crate) fn limit(limit: u32) -> Option<FieldError> {
    (!(1..=MAX_LIMIT).contains(&limit)).then(|| {
        FieldError::new(
            "limit",
            "out_of_range",
            format!("must be between 1 and {MAX_LIMIT}, got {limit}"),
        )
    })
}

/// Checks a complete set of roles for replace-roles: not empty, each assignable.
pub(crate) fn assignable_roles(roles: &[Role]) -> Vec<FieldError> {
    if roles.is_empty() {
        return vec![FieldError::new(
            "access_roles",
            "required",
            "must hold at least one role (to remove access, disable the user)",
        )];
    }
    roles
        .iter()
        .enumerate()
        .filter(|(_, role)| !role.is_assignable())
        .map(|(index, role)| {
            FieldError::new(
                format!("access_roles[{index}]"),
                "not_assignable",
                format!(
                    "`{role}` cannot be assigned through the API (assignable: admin, provider, \
                     receptionist, rx_reader, rx_queue_manager)"
                ),
            )
        })
        .collect()
}

/// Checks a prescriber or provider number's length (1 to 10 characters).
pub(crate) fn number_length(field: &str, value: &str) -> Option<FieldError> {
    let len = value.chars().count();
    (len == 0 || len > MAX_NUMBER_LEN).then(|| {
        FieldError::new(
            field,
            "invalid",
            format!("must be 1 to {MAX_NUMBER_LEN} characters, got {len}"),
        )
    })
}

/// The provider fields that rules apply to, wherever they sit (nested in an update, flat in a
/// new user).
#[derive(Default)]
pub(crate) struct ProviderFields<'a> {
    pub(crate) sex: Option<&'a Sex>,
    pub(crate) prescriber_type: Option<&'a PrescriberType>,
    pub(crate) prescriber_number: Option<&'a str>,
    pub(crate) provider_number: Option<&'a str>,
    pub(crate) qualifications: Option<&'a str>,
}

impl<'a> ProviderFields<'a> {
    /// The fields as a builder holds them.
    pub(crate) fn of(
        sex: &'a Option<Sex>,
        prescriber_type: &'a Option<PrescriberType>,
        prescriber_number: &'a Option<String>,
        provider_number: &'a Option<String>,
        qualifications: &'a Option<String>,
    ) -> Self {
        Self {
            sex: sex.as_ref(),
            prescriber_type: prescriber_type.as_ref(),
            prescriber_number: prescriber_number.as_deref(),
            provider_number: provider_number.as_deref(),
            qualifications: qualifications.as_deref(),
        }
    }
}

/// Every rule `fields` break (docs/api-decisions.md §5.4); field names get `prefix` (`provider_details.`).
pub(crate) fn provider_fields(prefix: &str, fields: &ProviderFields<'_>) -> Vec<FieldError> {
    let field = |name: &str| format!("{prefix}{name}");
    let mut errors = Vec::new();
    if let Some(sex) = fields.sex
        && !sex.is_writable()
    {
        errors.push(FieldError::new(
            field("sex"),
            "invalid",
            format!("must be M, F, I or N, got `{sex}`"),
        ));
    }
    if let Some(prescriber_type) = fields.prescriber_type {
        if prescriber_type.is_unknown() {
            errors.push(FieldError::new(
                field("prescriber_type"),
                "invalid",
                format!(
                    "`{prescriber_type}` is not a prescriber type (M, N, D, P, T, E, U, F, V, C)"
                ),
            ));
        }
        if fields.qualifications.is_none() {
            errors.push(FieldError::new(
                field("qualifications"),
                "required",
                "required when prescriber_type is given",
            ));
        }
        if prescriber_type.requires_prescriber_number() && fields.prescriber_number.is_none() {
            errors.push(FieldError::new(
                field("prescriber_number"),
                "required",
                "required when prescriber_type is given and is not T (podiatrist)",
            ));
        }
    }
    if let Some(number) = fields.prescriber_number {
        errors.extend(number_length(&field("prescriber_number"), number));
    }
    if let Some(number) = fields.provider_number {
        if let Some(error) = number_length(&field("provider_number"), number) {
            errors.push(error);
        } else if !number.chars().all(|c| c.is_ascii_alphanumeric()) {
            errors.push(FieldError::new(
                field("provider_number"),
                "invalid",
                "must hold only letters and digits",
            ));
        }
    }
    errors
}

/// The generated, constrained prescriber and provider numbers of already-checked values. The
/// generated types check the same rules; a disagreement is reported, never a panic.
pub(crate) fn constrained_numbers(
    prefix: &str,
    prescriber_number: Option<String>,
    provider_number: Option<String>,
) -> Result<(Option<PrescriberNumber>, Option<ProviderNumber>), Vec<FieldError>> {
    let invalid = |name: &str, message: String| {
        vec![FieldError::new(
            format!("{prefix}{name}"),
            "invalid",
            message,
        )]
    };
    let prescriber_number = prescriber_number
        .map(PrescriberNumber::try_from)
        .transpose()
        .map_err(|e| invalid("prescriber_number", e.to_string()))?;
    let provider_number = provider_number
        .map(ProviderNumber::try_from)
        .transpose()
        .map_err(|e| invalid("provider_number", e.to_string()))?;
    Ok((prescriber_number, provider_number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_would_change_the_path_are_refused() {
        for bad in [
            "", ".", "..", "a/b", "a\\b", "a?b", "a#b", "a\nb", "a\u{7f}b",
        ] {
            assert!(id("user_id", bad).is_some(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn opaque_ids_of_every_documented_form_pass() {
        for good in [
            "usr_abc123def456",
            "5b0e6f0c-2a4e-4d8e-9d8e-2f1b7c1d9a10",
            "PARTNER",
            "a.b",
            "...",
            "é",
        ] {
            assert_eq!(id("user_id", good), None, "{good:?} should pass");
        }
    }

    #[test]
    fn ids_and_keys_are_capped_in_bytes() {
        assert_eq!(id("user_id", &"a".repeat(MAX_ID_BYTES)), None);
        assert!(id("user_id", &"a".repeat(MAX_ID_BYTES + 1)).is_some());
        // Bytes, not characters: 129 two-byte characters are 258 bytes.
        assert!(id("user_id", &"é".repeat(129)).is_some());
        assert_eq!(last_key(None), None);
        assert_eq!(last_key(Some(&"k".repeat(MAX_KEY_BYTES))), None);
        assert!(last_key(Some(&"k".repeat(MAX_KEY_BYTES + 1))).is_some());
        assert!(last_key(Some("")).is_some());
    }

    #[test]
    fn limits_outside_1_to_100_are_refused() {
        assert!(limit(0).is_some());
        assert!(limit(101).is_some());
        assert_eq!(limit(1), None);
        assert_eq!(limit(100), None);
    }

    #[test]
    fn roles_must_be_non_empty_and_assignable() {
        assert_eq!(assignable_roles(&[])[0].field, "access_roles");
        let errors = assignable_roles(&[Role::Admin, Role::Owner, Role::from("chief")]);
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["access_roles[1]", "access_roles[2]"]);
        assert!(assignable_roles(Role::ASSIGNABLE).is_empty());
    }
}
