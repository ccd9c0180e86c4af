//! How the command line fails: [`CliError`], its exit code, and what it prints.
//!
//! A failed call prints its operation, kind, HTTP status, the server's code and the request id
//! to quote to Parchment support; never a response body (error details from the server may
//! quote personal data) and never a secret. Input the SDK refused before sending prints its
//! field errors, which are the SDK's own words.

use crate::output::Output;
use parchment_api_ext::{Error, ErrorKind};
use serde_json::json;

/// A call failed (an HTTP error, a time-out, a broken connection).
pub(crate) const EXIT_FAILED: u8 = 1;
/// A usage or configuration error, or input refused before anything was sent.
pub(crate) const EXIT_USAGE: u8 = 2;
/// A check found drift.
pub(crate) const EXIT_DRIFT: u8 = 3;

/// Why a command failed.
#[derive(Debug)]
pub(crate) enum CliError {
    /// The arguments do not make sense together, or a refusal before sending (exit 2).
    Usage(String),
    /// The config file or variables are missing or wrong (exit 2).
    Config(String),
    /// The SDK failed: exit 1 for a failed call, 2 for input or configuration it refused.
    Api(Error),
    /// Some of several independent calls failed; each was reported as it happened (exit 1).
    Reported { failed: usize },
}

impl From<Error> for CliError {
    fn from(error: Error) -> Self {
        CliError::Api(error)
    }
}

impl CliError {
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::Config(_) => EXIT_USAGE,
            CliError::Api(error) if refused_before_sending(error) => EXIT_USAGE,
            CliError::Api(_) | CliError::Reported { .. } => EXIT_FAILED,
        }
    }

    /// Prints the error to stderr: a line for people, or a JSON object with `--json`.
    pub(crate) fn report(&self, output: &Output) {
        let (kind, message) = match self {
            CliError::Usage(message) => ("usage", message.clone()),
            CliError::Config(message) => ("configuration", message.clone()),
            CliError::Api(error) => return report_api_error(output, error, None),
            CliError::Reported { failed } => ("failed", format!("{failed} call(s) failed")),
        };
        if output.json() {
            output.error_json(&json!({ "error": { "kind": kind, "message": message } }));
        } else {
            eprintln!("error: {message}");
        }
    }
}

/// Whether the SDK refused the call before sending anything.
fn refused_before_sending(error: &Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::InvalidInput | ErrorKind::Configuration
    )
}

/// `NotFound` as `not_found`: the kind as scripts match on it.
pub(crate) fn kind_name(kind: ErrorKind) -> String {
    let debug = format!("{kind:?}");
    let mut name = String::with_capacity(debug.len() + 4);
    for (index, character) in debug.chars().enumerate() {
        if character.is_ascii_uppercase() && index > 0 {
            name.push('_');
        }
        name.push(character.to_ascii_lowercase());
    }
    name
}

/// Prints an SDK error, optionally saying which organization it concerns.
pub(crate) fn report_api_error(output: &Output, error: &Error, organization: Option<&str>) {
    let kind = kind_name(error.kind());
    let status = error.status().map(|status| status.as_u16());
    // The SDK's own refusals (bad input, configuration) carry its words, never a body; the
    // server's field errors are named by field and code only.
    let own_words = refused_before_sending(error).then(|| error.to_string());
    if output.json() {
        let fields: Vec<_> = error
            .field_errors()
            .iter()
            .map(|field| {
                let mut object = json!({ "field": field.field, "code": field.code });
                if refused_before_sending(error) {
                    object["message"] = json!(field.message);
                }
                object
            })
            .collect();
        output.error_json(&json!({
            "error": {
                "kind": kind,
                "operation": error.operation(),
                "status": status,
                "code": error.code(),
                "request_id": error.request_id(),
                "organization": organization,
                "retryable": error.is_retryable(),
                "message": own_words,
                "fields": fields,
            }
        }));
        return;
    }
    let mut line = format!("error: {} failed: {kind}", error.operation());
    if let Some(organization) = organization {
        line.push_str(&format!(" (organization {organization})"));
    }
    if let Some(status) = status {
        line.push_str(&format!(", HTTP {status}"));
    }
    if let Some(code) = error.code() {
        line.push_str(&format!(", code {code}"));
    }
    if error.attempts() > 1 {
        line.push_str(&format!(", after {} attempts", error.attempts()));
    }
    match error.request_id() {
        Some(request_id) => line.push_str(&format!(", request id {request_id}")),
        None if status.is_some() => line.push_str(", no request id"),
        None => {}
    }
    eprintln!("{line}");
    if refused_before_sending(error) && !error.field_errors().is_empty() {
        for field in error.field_errors() {
            eprintln!("  {}: {}", field.field, field.message);
        }
    } else if let Some(words) = own_words {
        eprintln!("  {words}");
    } else {
        for field in error.field_errors() {
            eprintln!("  field {}: {}", field.field, field.code);
        }
    }
}

/// clap's exit code: 0 for `--help` and `--version`, 2 for a usage error.
pub(crate) fn exit_code_of_clap(error: &clap::Error) -> u8 {
    match error.exit_code() {
        0 => 0,
        _ => EXIT_USAGE,
    }
}
