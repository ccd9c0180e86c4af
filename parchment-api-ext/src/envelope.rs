//! The one decode: what the generated client returns, into [`Response`]s and [`Error`]s.
//!
//! Success envelopes differ only in their `data`, so one trait reads the rest of any of them.
//! Failures come in the shapes progenitor reports them; each becomes an [`Error`] that keeps the
//! status (recorded by the client hooks when progenitor has lost it), the request id, and what
//! the error envelope said.

use crate::error::{Error, ErrorKind, FieldError, Problem};
use crate::response::{EnvelopeInfo, Response};
use crate::retry_after::parse_retry_after;
use parchment_api::types::{self, ErrorResponse};
use parchment_api::{ResponseMeta, ResponseValue};

/// The failure type of every generated call.
pub(crate) type GeneratedError = parchment_api::Error<ErrorResponse>;

/// A success envelope of the generated client.
pub(crate) trait SuccessEnvelope {
    /// The envelope's `data`.
    type Data;

    /// Splits the envelope into its `data` and the rest.
    fn split(self) -> (Self::Data, EnvelopeInfo);
}

/// Implements [`SuccessEnvelope`]: `Data` is made of the listed members (the list envelope also
/// hands over its top-level `pagination`, which normalization needs). Usable from a resource's
/// own file (`crate::envelope::success_envelope!`), so that a new operation's envelope is
/// declared beside its `Call`.
macro_rules! success_envelope {
    ($($envelope:ident => $data:ty = $($member:ident),+;)+) => {$(
        impl $crate::envelope::SuccessEnvelope for ::parchment_api::types::$envelope {
            type Data = $data;

            #[inline]
            fn split(self) -> (Self::Data, $crate::response::EnvelopeInfo) {
                let info = $crate::response::EnvelopeInfo {
                    request_id: self.request_id,
                    message: self.message,
                    timestamp: self.timestamp,
                    code: self.code,
                };
                (($(self.$member),+), info)
            }
        }
    )+};
}

#[allow(unused_imports)] // for resource files to come
pub(crate) use success_envelope;

success_envelope! {
    ReadUserResponse => types::User = data;
    UpdateUserResponse => types::UserId = data;
    ReplaceUserRolesResponse => types::UserRoles = data;
    CreateUserResponse => types::CreatedUser = data;
    UserStatusResponse => types::UserId = data;
    ValidateOrganizationResponse => types::OrganizationValidation = data;
    TokenResponse => parchment_api::Token = data;
    ListUsersResponse => (parchment_api::UsersPage, Option<types::Pagination>) = data, pagination;
    CreatePatientResponse => Option<types::CreatedPatient> = data;
    UpdatePatientResponse => types::UpdatedPatient = data;
    ListPrescriptionsResponse => (types::PrescriptionsPage, Option<types::Pagination>) = data, pagination;
    ReadPrescriptionResponse => types::PrescriptionDetail = data;
    CustomDrugResponse => types::CustomDrug = data;
    CustomDrugListResponse => Vec<types::CustomDrug> = data;
    BulkCreateCustomDrugsResponse => types::BulkCreateResult = data;
    DeleteCustomDrugsResponse => serde_json::Map<String, serde_json::Value> = data;
}

/// What a [`Call`](crate::engine::Call) makes of a success envelope's `data`: the caller's
/// value, or the message of a [`ErrorKind::Decode`] error (a body that decoded but says nothing
/// usable).
pub(crate) type Normalized<T> = std::result::Result<T, &'static str>;

/// The one decode of a success: from the value the generated call returned (and the response
/// metadata the hooks recorded, where the request id header is read once) to the caller's
/// [`Response`], or a [`ErrorKind::Decode`] error when the envelope says nothing usable.
/// Synchronous, so that the decoded value moves once, into the response.
#[inline]
pub(crate) fn decode_success<E: SuccessEnvelope, T>(
    operation: &'static str,
    value: ResponseValue<E>,
    meta: Option<ResponseMeta>,
    normalize: impl FnOnce(E::Data) -> Normalized<T>,
) -> std::result::Result<Response<T>, Error> {
    let status = value.status();
    let (data, mut info) = value.into_inner().split();
    if info.request_id.is_none() {
        info.request_id = meta
            .as_ref()
            .and_then(ResponseMeta::request_id_text)
            .map(str::to_owned);
    }
    match normalize(data) {
        Ok(data) => Ok(Response::new(data, status, info)),
        Err(message) => Err(Error::new(ErrorKind::Decode, operation, message)
            .with_status(status)
            .with_request_id(info.request_id)),
    }
}

/// The one decode of a failure: every [`Error`] of a call that reached the generated client
/// is built here, with its status, request id and `Retry-After`, so that its retryability is
/// classified once, where it is made. `secrets` (the credential values sent) are masked in any
/// body snippet (owned: the future is boxed apart from the call's state). Async: the body of
/// an unexpected response is read here.
///
/// `meta` is what the hooks recorded of the last response, for the cases where progenitor no
/// longer has it.
pub(crate) async fn decode_failure(
    operation: &'static str,
    error: GeneratedError,
    meta: Option<ResponseMeta>,
    secrets: Vec<&str>,
) -> Error {
    use parchment_api::Error as E;
    let secrets = secrets.as_slice();
    match error {
        E::ErrorResponse(value) => {
            let status = value.status();
            let meta = meta.unwrap_or_else(|| ResponseMeta::of(status, value.headers()));
            from_error_envelope(operation, &meta, value.into_inner())
        }
        E::InvalidResponsePayload(body, decode_error) => {
            from_undecodable_body(operation, meta, &body, secrets)
                .with_source(DecodeFailure::of(&decode_error))
        }
        E::UnexpectedResponse(response) => {
            let status = response.status();
            let meta = meta.unwrap_or_else(|| ResponseMeta::of(status, response.headers()));
            match response.bytes().await {
                Ok(body) => match serde_json::from_slice::<ErrorResponse>(&body) {
                    Ok(envelope) if !status.is_success() => {
                        from_error_envelope(operation, &meta, envelope)
                    }
                    _ => from_undecodable_body(operation, Some(meta), &body, secrets),
                },
                Err(read_error) => from_transport(operation, read_error, Some(meta)),
            }
        }
        E::CommunicationError(cause) | E::ResponseBodyError(cause) | E::InvalidUpgrade(cause) => {
            from_transport(operation, cause, meta)
        }
        E::InvalidRequest(message) | E::Custom(message) => {
            Error::new(ErrorKind::InvalidInput, operation, message)
        }
    }
}

/// A reqwest failure: a time-out or a broken connection, with the status if one had arrived.
fn from_transport(
    operation: &'static str,
    cause: reqwest::Error,
    meta: Option<ResponseMeta>,
) -> Error {
    let (kind, message) = if parchment_api::is_body_too_large(&cause) {
        (
            ErrorKind::ResponseTooLarge,
            "the response body is larger than the client's limit",
        )
    } else if cause.is_timeout() {
        (ErrorKind::Timeout, "no response in time")
    } else if cause.is_connect() {
        (ErrorKind::Transport, "could not connect")
    } else if cause.is_body() || cause.is_decode() {
        (ErrorKind::Transport, "the response body broke off")
    } else {
        (ErrorKind::Transport, "the request could not be completed")
    };
    let mut error = Error::new(kind, operation, message);
    if cause.is_connect() {
        error = error.with_connect_failure();
    }
    if let Some(meta) = meta {
        error = with_meta(error, &meta);
    }
    error.with_source(cause.without_url())
}

fn with_meta(error: Error, meta: &ResponseMeta) -> Error {
    error
        .with_status(meta.status)
        .with_request_id(meta.request_id_text().map(str::to_owned))
        .with_retry_after(meta.retry_after.as_ref().and_then(parse_retry_after))
}

/// An error status with the documented error envelope (every field of which is optional).
fn from_error_envelope(
    operation: &'static str,
    meta: &ResponseMeta,
    envelope: ErrorResponse,
) -> Error {
    let status = meta.status;
    let kind = ErrorKind::from_status(status);
    let reason = status.canonical_reason().unwrap_or("error status");
    let error = with_meta(Error::new(kind, operation, reason), meta)
        .with_request_id(envelope.request_id.clone());
    apply_envelope(error, envelope)
}

fn apply_envelope(error: Error, envelope: ErrorResponse) -> Error {
    let (problem, field_errors) = match envelope.error {
        Some(problem) => {
            let field_errors = problem
                .validation
                .unwrap_or_default()
                .into_iter()
                .map(|entry| {
                    FieldError::new(
                        entry.field.unwrap_or_default(),
                        entry.code.unwrap_or_default(),
                        entry.message.unwrap_or_default(),
                    )
                })
                .collect();
            let problem = Problem {
                problem_type: problem.type_,
                title: problem.title,
                detail: problem.detail,
                instance: problem.instance,
            };
            (Some(problem), field_errors)
        }
        None => (None, Vec::new()),
    };
    error.with_envelope(
        envelope.status_code.map(i64::from),
        problem,
        envelope.code,
        field_errors,
    )
}

/// A body that is not what the status promised: HTML from a gateway, empty, truncated, or an
/// error envelope under a success status. The status comes from the hooks' record.
fn from_undecodable_body(
    operation: &'static str,
    meta: Option<ResponseMeta>,
    body: &[u8],
    secrets: &[&str],
) -> Error {
    let status = meta.as_ref().map(|meta| meta.status);
    let success = status.is_none_or(|status| status.is_success());
    let (kind, message) = match status {
        Some(status) if !status.is_success() => (
            ErrorKind::from_status(status),
            "the error response is not the API's envelope",
        ),
        _ => (
            ErrorKind::Decode,
            "the response body is not what the API documents",
        ),
    };
    let mut error = Error::new(kind, operation, message);
    if let Some(meta) = &meta {
        error = with_meta(error, meta);
    }
    // An envelope that only misses `data` (a failure reported under 200, say) still tells its
    // request id and problem; anything else is kept as a short snippet for diagnosis, except
    // JSON (even truncated) under a success status: that is the API's data, personal data.
    match serde_json::from_slice::<ErrorResponse>(body) {
        Ok(envelope) => {
            let request_id = envelope.request_id.clone();
            apply_envelope(error.with_request_id(request_id), envelope)
        }
        Err(_) if success && looks_like_json(body) => error,
        Err(_) => error.with_body_snippet(crate::redact::snippet(body, secrets)),
    }
}

/// Whether `body` is (or starts like) JSON: an object, an array or a string.
fn looks_like_json(body: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
        || matches!(
            body.iter().find(|b| !b.is_ascii_whitespace()),
            Some(b'{' | b'[' | b'"')
        )
}

/// Where and how a body failed to decode, without the message: serde_json's messages quote the
/// offending value (`invalid type: string "..."`), which may be a practitioner's data or an
/// echoed credential.
#[derive(Debug)]
pub(crate) struct DecodeFailure {
    category: serde_json::error::Category,
    line: usize,
    column: usize,
}

impl DecodeFailure {
    pub(crate) fn of(error: &serde_json::Error) -> Self {
        Self {
            category: error.classify(),
            line: error.line(),
            column: error.column(),
        }
    }
}

impl std::fmt::Display for DecodeFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.category {
            serde_json::error::Category::Io => "an I/O failure",
            serde_json::error::Category::Syntax => "invalid JSON",
            serde_json::error::Category::Data => "JSON of another shape than documented",
            serde_json::error::Category::Eof => "JSON that ends early",
        };
        write!(f, "{what} at line {} column {}", self.line, self.column)
    }
}

impl std::error::Error for DecodeFailure {}
