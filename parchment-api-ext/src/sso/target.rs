//! [`SsoTarget`]: the page an SSO link opens, as a checked `redirect_path`.
//!
//! Parchment documents five pages: the patient profile, prescribing for a patient, and three
//! iframe ("embed") pages. Ids become one path segment each: refused when they would change the
//! path (empty, `.`/`..` anywhere, `/ \ ? #`, control characters), percent-encoded otherwise.
//! A custom path must start with `/` (so it has no scheme or host) and holds no `//`, `..`,
//! backslash, whitespace or control characters, nor their percent-encoded forms: the server
//! turns it into a URL on Parchment's portal, and none of those may lead anywhere else.

use crate::error::{Error, FieldError, Result};
use crate::validate;
use std::fmt;

/// The operation named in refusals.
const OPERATION: &str = "build SSO redirect path";

/// A custom path longer than this is refused (browsers and gateways cap URLs near 2 KiB, and
/// the path is embedded in the redirect URL once more).
const MAX_PATH_LEN: usize = 1024;

/// Which page a target opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SsoTargetKind {
    /// `/dashboard/patients/{patient_id}`.
    PatientProfile,
    /// `/dashboard/patients/{patient_id}/prescriptions`.
    Prescribe,
    /// `/embed/patients/{patient_id}/prescriptions`, the embedded prescription form.
    EmbedPrescriptionForm,
    /// `/embed/patients/{patient_id}/prescriptions/{prescription_id}`.
    EmbedPrescription,
    /// `/embed/prescriptions/approval`, the embedded approval dashboard.
    EmbedApprovals,
    /// A path the caller wrote, checked.
    Custom,
}

/// Query parameters for the embedded prescription form (prefilled fields, partner data passed
/// through to webhooks), as typed pairs: each key and value is percent-encoded.
///
/// Parchment's table of parameter names was not published in full, so keys are free; they must
/// be non-empty and free of control characters.
#[derive(Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct FormQuery {
    pairs: Vec<(String, String)>,
}

impl FormQuery {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `key=value` (after those already added; a key may repeat).
    pub fn param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.pairs.push((key.into(), value.into()));
        self
    }

    /// How many parameters there are.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

impl fmt::Debug for FormQuery {
    /// Keys only: values may prefill clinical or personal fields.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.pairs.iter().map(|(key, _)| key))
            .finish()
    }
}

/// The page an SSO link opens: a `redirect_path` that has been checked and encoded.
#[derive(Clone, PartialEq, Eq)]
pub struct SsoTarget {
    kind: SsoTargetKind,
    /// The path without its query.
    path: String,
    /// `?…` already encoded, or empty.
    query: String,
    query_len: usize,
}

impl SsoTarget {
    /// The patient's profile: `/dashboard/patients/{patient_id}`.
    pub fn patient_profile(patient_id: &str) -> Result<Self> {
        let patient = segment("patient_id", patient_id).map_err(refused)?;
        Ok(Self::plain(
            SsoTargetKind::PatientProfile,
            format!("/dashboard/patients/{patient}"),
        ))
    }

    /// Prescribing for the patient: `/dashboard/patients/{patient_id}/prescriptions`.
    pub fn prescribe(patient_id: &str) -> Result<Self> {
        let patient = segment("patient_id", patient_id).map_err(refused)?;
        Ok(Self::plain(
            SsoTargetKind::Prescribe,
            format!("/dashboard/patients/{patient}/prescriptions"),
        ))
    }

    /// The embedded prescription form: `/embed/patients/{patient_id}/prescriptions`.
    pub fn embed_prescription_form(patient_id: &str) -> Result<Self> {
        Self::embed_prescription_form_with(patient_id, FormQuery::new())
    }

    /// The embedded prescription form with query parameters:
    /// `/embed/patients/{patient_id}/prescriptions?key=value&…`, every key and value
    /// percent-encoded.
    pub fn embed_prescription_form_with(patient_id: &str, query: FormQuery) -> Result<Self> {
        let patient = segment("patient_id", patient_id);
        let mut errors: Vec<FieldError> = patient.as_ref().err().cloned().into_iter().collect();
        let mut encoded = String::new();
        for (index, (key, value)) in query.pairs.iter().enumerate() {
            if key.is_empty() || key.chars().any(char::is_control) {
                errors.push(FieldError::new(
                    format!("query[{index}].key"),
                    "invalid",
                    "must not be empty nor contain control characters",
                ));
                continue;
            }
            if value.chars().any(char::is_control) {
                errors.push(FieldError::new(
                    format!("query[{index}].value"),
                    "invalid",
                    "must not contain control characters",
                ));
                continue;
            }
            encoded.push(if encoded.is_empty() { '?' } else { '&' });
            percent_encode_into(key, &mut encoded);
            encoded.push('=');
            percent_encode_into(value, &mut encoded);
        }
        match patient {
            Ok(patient) if errors.is_empty() => Ok(Self {
                kind: SsoTargetKind::EmbedPrescriptionForm,
                path: format!("/embed/patients/{patient}/prescriptions"),
                query: encoded,
                query_len: query.len(),
            }),
            _ => Err(Error::invalid_input(OPERATION, errors)),
        }
    }

    /// One prescription, embedded:
    /// `/embed/patients/{patient_id}/prescriptions/{prescription_id}`.
    pub fn embed_prescription(patient_id: &str, prescription_id: &str) -> Result<Self> {
        let patient = segment("patient_id", patient_id);
        let prescription = segment("prescription_id", prescription_id);
        match (patient, prescription) {
            (Ok(patient), Ok(prescription)) => Ok(Self::plain(
                SsoTargetKind::EmbedPrescription,
                format!("/embed/patients/{patient}/prescriptions/{prescription}"),
            )),
            (patient, prescription) => Err(Error::invalid_input(
                OPERATION,
                [patient.err(), prescription.err()]
                    .into_iter()
                    .flatten()
                    .collect(),
            )),
        }
    }

    /// The embedded approval dashboard: `/embed/prescriptions/approval`.
    pub fn embed_approvals() -> Self {
        Self::plain(
            SsoTargetKind::EmbedApprovals,
            "/embed/prescriptions/approval".to_owned(),
        )
    }

    /// A path of the caller's, used as given once checked: it must start with `/`, and must
    /// not contain `//`, `..`, `\`, whitespace, control characters, a malformed `%` escape, or
    /// an escaped `.`, `/` or `\` (`%2e`, `%2f`, `%5c`). Encode its parts yourself.
    pub fn custom(path: &str) -> Result<Self> {
        let refuse = |message: &str| {
            Err(Error::invalid_input(
                OPERATION,
                vec![FieldError::new("redirect_path", "invalid", message)],
            ))
        };
        if path.len() > MAX_PATH_LEN {
            return refuse("must be at most 1024 bytes");
        }
        if !path.starts_with('/') {
            return refuse("must start with `/` (a path on Parchment's portal, no scheme or host)");
        }
        if path.contains("//") {
            return refuse("must not contain `//`");
        }
        if path.contains("..") {
            return refuse("must not contain `..`");
        }
        if path.contains('\\') {
            return refuse("must not contain `\\`");
        }
        if path.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return refuse("must not contain whitespace or control characters");
        }
        let bytes = path.as_bytes();
        let mut i = 0;
        while let Some(offset) = bytes[i..].iter().position(|&b| b == b'%') {
            let at = i + offset;
            let escape = bytes.get(at + 1..at + 3);
            match escape {
                Some([a, b]) if a.is_ascii_hexdigit() && b.is_ascii_hexdigit() => {
                    let decoded = hex_value(*a) * 16 + hex_value(*b);
                    if matches!(decoded, b'.' | b'/' | b'\\') || decoded.is_ascii_control() {
                        return refuse(
                            "must not contain an escaped `.`, `/`, `\\` or control character",
                        );
                    }
                }
                _ => return refuse("holds a `%` that does not start a `%XX` escape"),
            }
            i = at + 3;
        }
        let (path_part, query) = match path.find('?') {
            Some(at) => (&path[..at], &path[at..]),
            None => (path, ""),
        };
        Ok(Self {
            kind: SsoTargetKind::Custom,
            path: path_part.to_owned(),
            query: query.to_owned(),
            query_len: query.split(['?', '&']).filter(|p| !p.is_empty()).count(),
        })
    }

    fn plain(kind: SsoTargetKind, path: String) -> Self {
        Self {
            kind,
            path,
            query: String::new(),
            query_len: 0,
        }
    }

    /// Which page this opens.
    pub fn kind(&self) -> SsoTargetKind {
        self.kind
    }

    /// The `redirect_path` to send, query included.
    pub fn redirect_path(&self) -> String {
        format!("{}{}", self.path, self.query)
    }
}

impl fmt::Debug for SsoTarget {
    /// The path (ids only) and how many query parameters there are: their values may prefill
    /// personal or clinical fields.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoTarget")
            .field("kind", &self.kind)
            .field("path", &self.path)
            .field("query", &format_args!("[{} params]", self.query_len))
            .finish()
    }
}

fn refused(error: FieldError) -> Error {
    Error::invalid_input(OPERATION, vec![error])
}

/// Checks an id and encodes it as one path segment.
fn segment(field: &str, id: &str) -> std::result::Result<String, FieldError> {
    if let Some(error) = validate::id(field, id) {
        return Err(error);
    }
    if id.contains("..") {
        return Err(FieldError::new(field, "invalid", "must not contain `..`"));
    }
    let mut encoded = String::with_capacity(id.len());
    percent_encode_into(id, &mut encoded);
    Ok(encoded)
}

/// Appends `text` with every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`)
/// percent-encoded: safe in a path segment, a query key and a query value alike.
fn percent_encode_into(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}
