//! The patient rules checked before sending. Messages name the rule, never the value: the
//! values are a patient's personal data and would reach logs through errors.

use super::address::PatientAddress;
use crate::error::FieldError;
use parchment_api::Sex;

/// The longest street number Parchment accepts.
pub(crate) const MAX_STREET_NUMBER: usize = 5;
/// The longest street name or suburb Parchment accepts.
pub(crate) const MAX_ADDRESS_LINE: usize = 100;

/// An Australian phone number in one of the documented forms: 10 digits starting 02, 03, 04,
/// 07 or 08; or `61` or `+61` followed by 9 digits starting 2, 3, 4, 7 or 8. No separators.
pub(crate) fn phone(field: &str, phone: &str) -> Option<FieldError> {
    let national = if let Some(rest) = phone.strip_prefix("+61") {
        Some(rest)
    } else if let Some(rest) = phone.strip_prefix("61") {
        Some(rest)
    } else {
        phone.strip_prefix('0')
    };
    let valid = national.is_some_and(|digits| {
        digits.len() == 9
            && digits.bytes().all(|b| b.is_ascii_digit())
            && matches!(digits.as_bytes()[0], b'2' | b'3' | b'4' | b'7' | b'8')
    });
    (!valid).then(|| {
        FieldError::new(
            field,
            "invalid",
            "must be an Australian number without separators: 10 digits starting 02, 03, 04, \
             07 or 08, or 61 or +61 followed by 9 digits",
        )
    })
}

/// Digits only, at least one.
pub(crate) fn digits(field: &str, value: &str, what: &str) -> Option<FieldError> {
    (value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()))
        .then(|| FieldError::new(field, "invalid", format!("{what} must hold only digits")))
}

/// Present and not blank.
pub(crate) fn required(field: &str, value: &str) -> Option<FieldError> {
    value
        .trim()
        .is_empty()
        .then(|| FieldError::new(field, "required", "required"))
}

/// An email address, as far as can be told without sending it: something on each side of `@`.
pub(crate) fn email(field: &str, value: &str) -> Option<FieldError> {
    let valid = value
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
    (!valid).then(|| FieldError::new(field, "invalid", "must be an email address"))
}

/// `M`, `F`, `I` or `N` (`O` and unknown values appear on reads only).
pub(crate) fn sex(field: &str, sex: &Sex) -> Option<FieldError> {
    (!sex.is_writable())
        .then(|| FieldError::new(field, "invalid", "must be M, F, I or N on writes"))
}

/// A 16-digit Individual Healthcare Identifier.
pub(crate) fn ihi(field: &str, value: &str) -> Option<FieldError> {
    (value.len() != 16 || !value.bytes().all(|b| b.is_ascii_digit()))
        .then(|| FieldError::new(field, "invalid", "must be 16 digits"))
}

/// Every part present; street number, street name and suburb within their lengths.
pub(crate) fn address(prefix: &str, address: &PatientAddress) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let field = |name: &str| format!("{prefix}.{name}");
    for (name, value) in [
        ("street_number", &address.street_number),
        ("street_name", &address.street_name),
        ("suburb", &address.suburb),
        ("postcode", &address.postcode),
    ] {
        errors.extend(required(&field(name), value));
    }
    if address.state.is_unknown() {
        errors.push(FieldError::new(
            field("state"),
            "invalid",
            "must be one of NSW, VIC, QLD, SA, WA, TAS, NT, ACT",
        ));
    }
    for (name, value, max) in [
        ("street_number", &address.street_number, MAX_STREET_NUMBER),
        ("street_name", &address.street_name, MAX_ADDRESS_LINE),
        ("suburb", &address.suburb, MAX_ADDRESS_LINE),
    ] {
        if value.chars().count() > max {
            errors.push(FieldError::new(
                field(name),
                "too_long",
                format!("must be at most {max} characters"),
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_phone_forms_pass_and_the_rejected_ones_fail() {
        for good in [
            "0412345678",
            "0298765432",
            "61412345678",
            "+61312345678",
            "0812345678",
        ] {
            assert_eq!(phone("phone", good), None, "{good}");
        }
        for bad in [
            "0112345678",
            "04123456789",
            "041234567",
            "04-1234-5678",
            "+14155550123",
            "+61112345678",
            "0512345678",
            "",
        ] {
            assert!(phone("phone", bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn messages_never_hold_the_value() {
        let error = phone("phone", "0499999999x").expect("refused");
        assert!(!error.message.contains("0499999999"));
        let error = digits("medicare_irn", "1a", "the IRN").expect("refused");
        assert!(!error.message.contains("1a"));
    }
}
