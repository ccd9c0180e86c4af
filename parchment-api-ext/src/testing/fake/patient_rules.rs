//! The rules Parchment documents for patient bodies, applied by the fake as the client applies
//! them before sending: Australian phone forms, `medicare_irn` digits, real `YYYY-MM-DD` dates,
//! `sex` M/F/I/N, a DVA card colour only with a DVA file number, an address with all five parts
//! (street number at most 5 characters, street name and suburb at most 100). A failure is a 400
//! listing every failed field.

use super::error::{ApiError, Violation};
use super::rules;
use serde_json::{Map, Value};

/// The members of a create body.
const CREATE_FIELDS: &[&str] = &[
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "partner_patient_id",
    "partner_id",
    "email",
    "phone",
    "medicare_card_number",
    "medicare_irn",
    "medicare_valid_to",
    "dva_file_number",
    "dva_card_color",
    "concession_pension_number",
    "entitlement_number",
    "racf_id",
    "ctg_eligible",
    "indigenous_type",
    "australian_street_address",
];

/// The members of an update body.
const UPDATE_FIELDS: &[&str] = &[
    "family_name",
    "given_name",
    "date_of_birth",
    "sex",
    "title",
    "phone",
    "email",
    "ctg_eligible",
    "indigenous_type",
    "concession_pension_number",
    "entitlement_number",
    "ihi_number",
    "racf_id",
    "is_inpatient",
    "medicare_card_number",
    "medicare_irn",
    "medicare_valid_to",
    "dva_file_number",
    "dva_card_color",
    "australian_address",
];

/// Fields an update may clear with `null` (a create may send `null` for them too: not set).
const NULLABLE: &[&str] = &[
    "medicare_card_number",
    "medicare_irn",
    "medicare_valid_to",
    "dva_file_number",
    "dva_card_color",
];

const BOOLEANS: &[&str] = &["ctg_eligible", "is_inpatient"];
const ADDRESS_KEYS: &[&str] = &["australian_street_address", "australian_address"];
const ADDRESS_PARTS: &[(&str, usize)] = &[
    ("street_number", 5),
    ("street_name", 100),
    ("suburb", 100),
    ("state", 100),
    ("postcode", 100),
];

/// Where a patient's address is kept (and read back): the update's key.
pub(super) const ADDRESS: &str = "australian_address";

/// A change to one field: `Some` sets it, `None` clears it.
pub(super) type Change = (String, Option<Value>);

/// Checks a create body; returns the fields to store (the address under [`ADDRESS`]).
pub(super) fn create(body: &Value) -> Result<Map<String, Value>, ApiError> {
    let object = rules::object(body)?;
    rules::known_members(object, CREATE_FIELDS, &[])?;
    let mut violations = Vec::new();
    for field in ["given_name", "family_name"] {
        if object.get(field).is_none_or(Value::is_null) {
            violations.push((field.to_owned(), "is required".to_owned()));
        }
    }
    let changes = changes(object, &mut violations);
    let mut record = Map::new();
    apply(&mut record, changes);
    violations.extend(record_rules(&record));
    ApiError::bad_fields(violations)?;
    Ok(record)
}

/// Checks an update body against the stored `record`; returns the changes to apply.
pub(super) fn update(body: &Value, record: &Map<String, Value>) -> Result<Vec<Change>, ApiError> {
    let object = rules::object(body)?;
    rules::known_members(object, UPDATE_FIELDS, &[])?;
    let mut violations = Vec::new();
    let changes = changes(object, &mut violations);
    let mut merged = record.clone();
    apply(&mut merged, changes.clone());
    violations.extend(record_rules(&merged));
    ApiError::bad_fields(violations)?;
    Ok(changes)
}

/// Applies `changes` to `record`.
pub(super) fn apply(record: &mut Map<String, Value>, changes: Vec<Change>) {
    for (field, value) in changes {
        match value {
            Some(value) => record.insert(field, value),
            None => record.remove(&field),
        };
    }
}

/// The rules that involve more than one field, checked on the record as it would be after
/// the write: a DVA card colour needs a DVA file number.
fn record_rules(record: &Map<String, Value>) -> Vec<Violation> {
    let mut violations = Vec::new();
    if record.contains_key("dva_card_color") && !record.contains_key("dva_file_number") {
        violations.push((
            "dva_file_number".to_owned(),
            "is required when dva_card_color is given".to_owned(),
        ));
    }
    violations
}

/// Each member checked on its own; `null` clears a nullable field and is refused elsewhere.
fn changes(object: &Map<String, Value>, violations: &mut Vec<Violation>) -> Vec<Change> {
    let mut changes = Vec::new();
    for (field, value) in object {
        let field = field.as_str();
        if value.is_null() {
            if NULLABLE.contains(&field) {
                changes.push((field.to_owned(), None));
            } else {
                violations.push((field.to_owned(), "must not be null".to_owned()));
            }
            continue;
        }
        let failure = if ADDRESS_KEYS.contains(&field) {
            address(field, value, violations);
            None
        } else if BOOLEANS.contains(&field) {
            (!value.is_boolean()).then_some("must be true or false")
        } else {
            match value.as_str() {
                None => Some("must be a string"),
                Some(text) => text_rule(field, text),
            }
        };
        match failure {
            Some(message) => violations.push((field.to_owned(), message.to_owned())),
            None => {
                let key = if ADDRESS_KEYS.contains(&field) {
                    ADDRESS
                } else {
                    field
                };
                changes.push((key.to_owned(), Some(value.clone())));
            }
        }
    }
    changes
}

/// The rule of one text field, if it fails.
fn text_rule(field: &str, text: &str) -> Option<&'static str> {
    match field {
        "given_name" | "family_name" if text.trim().is_empty() => Some("must not be empty"),
        "date_of_birth" | "medicare_valid_to" if !is_date(text) => {
            Some("must be a real date, YYYY-MM-DD")
        }
        "sex" if !["M", "F", "I", "N"].contains(&text) => Some("must be one of M, F, I, N"),
        "phone" if !is_australian_phone(text) => Some(
            "must be an Australian number: 10 digits starting 02, 03, 04, 07 or 08, or 61 or +61 \
             and 9 digits, without separators",
        ),
        "medicare_irn" if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) => {
            Some("must be digits only")
        }
        "dva_card_color" if !["W", "O", "G"].contains(&text) => Some("must be one of W, O, G"),
        "email" if !is_email(text) => Some("must be an email address"),
        "ihi_number" if text.len() != 16 || !text.bytes().all(|b| b.is_ascii_digit()) => {
            Some("must be 16 digits")
        }
        _ => None,
    }
}

/// An address object: all five parts, each a non-empty string within its length.
fn address(field: &str, value: &Value, violations: &mut Vec<Violation>) {
    let Some(parts) = value.as_object() else {
        violations.push((field.to_owned(), "must be an object".to_owned()));
        return;
    };
    if let Some(unknown) = parts
        .keys()
        .find(|key| !ADDRESS_PARTS.iter().any(|(part, _)| part == key))
    {
        violations.push((
            format!("{field}.{unknown}"),
            "is not an address part".to_owned(),
        ));
    }
    for (part, max) in ADDRESS_PARTS {
        let message = match parts.get(*part) {
            None | Some(Value::Null) => "is required",
            Some(Value::String(text)) if text.trim().is_empty() => "is required",
            Some(Value::String(text)) if text.chars().count() > *max => match *max {
                5 => "must be at most 5 characters",
                _ => "must be at most 100 characters",
            },
            Some(Value::String(_)) => continue,
            Some(_) => "must be a string",
        };
        violations.push((format!("{field}.{part}"), message.to_owned()));
    }
}

/// A real calendar date written `YYYY-MM-DD`.
pub(super) fn is_date(text: &str) -> bool {
    text.len() == 10 && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

/// The documented Australian forms: `0` + area 2, 3, 4, 7 or 8 + 8 digits; `61` or `+61` +
/// area + 8 digits. No separators.
fn is_australian_phone(text: &str) -> bool {
    let national = text
        .strip_prefix("+61")
        .or_else(|| text.strip_prefix("61"))
        .or_else(|| text.strip_prefix('0'));
    national.is_some_and(|rest| {
        rest.len() == 9
            && rest.bytes().all(|b| b.is_ascii_digit())
            && matches!(rest.as_bytes()[0], b'2' | b'3' | b'4' | b'7' | b'8')
    })
}

fn is_email(text: &str) -> bool {
    text.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.contains('@') && !text.contains(' ')
    })
}

#[cfg(test)]
mod tests {
    use super::{is_australian_phone, is_date};

    #[test]
    fn phone_forms() {
        for good in ["0412345678", "0298765432", "61412345678", "+61312345678"] {
            assert!(is_australian_phone(good), "{good}");
        }
        for bad in [
            "0112345678",
            "04123456789",
            "041234567",
            "04-1234-5678",
            "+14155550100",
            "+6141234567",
            "0512345678",
            "",
        ] {
            assert!(!is_australian_phone(bad), "{bad}");
        }
    }

    #[test]
    fn dates_must_exist() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2023-2-1"));
        assert!(!is_date("1990-01-15T00:00:00Z"));
    }
}
