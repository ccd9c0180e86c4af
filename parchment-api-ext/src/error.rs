//! The one error type of the SDK, and what a caller can read from it.
//!
//! The HTTP status decides the [`ErrorKind`]; the body's `statusCode` is kept but never trusted
//! over it (the reference's own "403" example says 401 in its body). A body that is not the
//! envelope (HTML from a gateway, empty, truncated) still yields the kind of its status, the
//! request id from the headers, and a short redacted snippet. `Display` and `Debug` never
//! contain a body or a credential.

use reqwest::StatusCode;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// What went wrong, coarsely: what a caller branches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The call was refused before anything was sent: a bad id, limit, role or field.
    /// [`Error::field_errors`] says which.
    InvalidInput,
    /// The client could not be built: a missing setting or an unsafe base URL.
    Configuration,
    /// 400: the server found the request malformed.
    BadRequest,
    /// 401: missing or invalid token or organization secret (Parchment also uses it for
    /// missing scopes).
    Unauthorized,
    /// 403: the credentials lack a permission or scope.
    Forbidden,
    /// 404: no such user or organization.
    NotFound,
    /// 409: the change conflicts with the resource's state (a duplicate, for instance).
    Conflict,
    /// 422: the server's validation failed; [`Error::field_errors`] lists the fields.
    Validation,
    /// 429: too many requests; see [`Error::retry_after`].
    RateLimited,
    /// 5xx: the server or a gateway in front of it failed.
    Server,
    /// No answer in time (also 408 from the server).
    Timeout,
    /// The connection failed or broke.
    Transport,
    /// A success status whose body is not what the API documents.
    Decode,
    /// A response body larger than the client's limit
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)); it was
    /// not read whole.
    ResponseTooLarge,
    /// The server returned a pagination key it had already returned: following it would loop.
    PaginationLoop,
    /// Any other status (a redirect, an undocumented 4xx).
    UnexpectedStatus,
}

impl ErrorKind {
    /// The kind an HTTP error status stands for.
    pub fn from_status(status: StatusCode) -> Self {
        match status.as_u16() {
            400 => Self::BadRequest,
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            408 => Self::Timeout,
            409 => Self::Conflict,
            422 => Self::Validation,
            429 => Self::RateLimited,
            500..=599 => Self::Server,
            _ => Self::UnexpectedStatus,
        }
    }
}

/// One field that failed validation, on the client or on the server (same shape for both).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldError {
    /// The field, as the wire names it (`provider_details.prescriber_number`, `limit`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
    /// A machine-readable code: the server's (`VALIDATION_ERROR`) or the SDK's (`required`,
    /// `invalid`, `out_of_range`, `not_assignable`).
    pub code: String,
}

impl FieldError {
    /// A field error with the given field, code and message.
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            code: code.into(),
        }
    }
}

/// The problem details the server sent with an error (`error.type`, `title`, `detail`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Problem {
    /// `error.type`: usually a URI under `https://parchment.health/errors/`, sometimes a code.
    pub problem_type: Option<String>,
    /// `error.title`.
    pub title: Option<String>,
    /// `error.detail`.
    pub detail: Option<String>,
    /// `error.instance`.
    pub instance: Option<String>,
}

/// An error from the SDK. Cheap to move (one box); see [`Error::kind`] first.
///
/// Clone, so that one failed token request can fail every call that was waiting on it.
#[derive(Clone)]
pub struct Error(Box<Inner>);

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    operation: &'static str,
    message: String,
    status: Option<StatusCode>,
    body_status_code: Option<i64>,
    request_id: Option<String>,
    problem: Option<Problem>,
    code: Option<String>,
    field_errors: Vec<FieldError>,
    retry_after: Option<Duration>,
    body_snippet: Option<String>,
    /// The connection could not be made: the request never left.
    connect_failure: bool,
    attempts: u32,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(
        kind: ErrorKind,
        operation: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self(Box::new(Inner {
            kind,
            operation,
            message: message.into(),
            status: None,
            body_status_code: None,
            request_id: None,
            problem: None,
            code: None,
            field_errors: Vec::new(),
            retry_after: None,
            body_snippet: None,
            connect_failure: false,
            attempts: 1,
            source: None,
        }))
    }

    /// An input refused before sending, with the fields at fault.
    pub(crate) fn invalid_input(operation: &'static str, field_errors: Vec<FieldError>) -> Self {
        let summary = field_errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        let mut error = Self::new(ErrorKind::InvalidInput, operation, summary);
        error.0.field_errors = field_errors;
        error
    }

    pub(crate) fn configuration(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Configuration, "configure client", message)
    }

    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.0.status = Some(status);
        self
    }

    pub(crate) fn with_request_id(mut self, request_id: Option<String>) -> Self {
        if request_id.is_some() {
            self.0.request_id = request_id;
        }
        self
    }

    pub(crate) fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.0.retry_after = retry_after;
        self
    }

    pub(crate) fn with_body_snippet(mut self, snippet: Option<String>) -> Self {
        self.0.body_snippet = snippet;
        self
    }

    pub(crate) fn with_connect_failure(mut self) -> Self {
        self.0.connect_failure = true;
        self
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.0.attempts = attempts;
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.0.source = Some(Arc::new(source));
        self
    }

    /// Fills what the server's error envelope said.
    pub(crate) fn with_envelope(
        mut self,
        body_status_code: Option<i64>,
        problem: Option<Problem>,
        code: Option<String>,
        field_errors: Vec<FieldError>,
    ) -> Self {
        self.0.body_status_code = body_status_code;
        self.0.problem = problem;
        self.0.code = code;
        self.0.field_errors = field_errors;
        self
    }

    /// What went wrong, coarsely.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The operation that failed, such as `read user`.
    pub fn operation(&self) -> &'static str {
        self.0.operation
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        self.0.status
    }

    /// The `statusCode` the body claimed, when it differs from nothing: kept for support
    /// conversations, never used to decide anything.
    pub fn body_status_code(&self) -> Option<i64> {
        self.0.body_status_code
    }

    /// The request id to quote to Parchment support: the body's `requestId`, else the
    /// `x-request-id` or `x-amzn-requestid` header.
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// The problem details the server sent, if any.
    pub fn problem(&self) -> Option<&Problem> {
        self.0.problem.as_ref()
    }

    /// The server's top-level `code`, such as `USER_ALREADY_EXISTS`.
    pub fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    /// The fields at fault: from the server's `error.validation`, or from the SDK's own checks.
    pub fn field_errors(&self) -> &[FieldError] {
        &self.0.field_errors
    }

    /// How long the server asked to wait (`Retry-After`, either form), when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }

    /// The start of a body that was not the API's envelope (an HTML gateway page, say), at most
    /// a few dozen characters with anything credential-like masked. Never part of `Display` or
    /// `Debug`.
    pub fn body_snippet(&self) -> Option<&str> {
        self.0.body_snippet.as_deref()
    }

    /// Whether the connection could not be made, so the request never reached the server (and a
    /// create may safely be sent again).
    pub fn is_connect(&self) -> bool {
        self.0.connect_failure
    }

    /// How many attempts were made before giving up (1 when there was no retry; 0 when the call
    /// was refused before sending).
    pub fn attempts(&self) -> u32 {
        if self.0.kind == ErrorKind::InvalidInput {
            0
        } else {
            self.0.attempts
        }
    }

    /// Whether the same call may succeed if sent again later: 408, 429, 500, 502, 503, 504,
    /// time-outs and broken connections.
    pub fn is_retryable(&self) -> bool {
        match self.0.kind {
            ErrorKind::Timeout | ErrorKind::Transport | ErrorKind::RateLimited => true,
            ErrorKind::Server => {
                matches!(
                    self.0.status.map(|s| s.as_u16()),
                    Some(500 | 502 | 503 | 504) | None
                )
            }
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    /// Server-sent text (title, detail, code, field names, request id) is written with its
    /// control characters escaped (`\n`, `\r`, `\u{1b}`): a line of a log must stay one line,
    /// and a server (or a proxy) must not be able to forge log lines or terminal escapes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.0;
        write!(f, "{} failed", inner.operation)?;
        if let Some(status) = inner.status {
            write!(f, " with HTTP {}", status.as_u16())?;
        }
        write!(f, ": ")?;
        match &inner.problem {
            Some(Problem {
                title: Some(title),
                detail: Some(detail),
                ..
            }) if title != detail => write!(f, "{}: {}", Escaped(title), Escaped(detail))?,
            Some(
                Problem {
                    detail: Some(text), ..
                }
                | Problem {
                    title: Some(text), ..
                },
            ) => write!(f, "{}", Escaped(text))?,
            _ => write!(f, "{}", Escaped(&inner.message))?,
        }
        if let Some(code) = &inner.code {
            write!(f, " [{}]", Escaped(code))?;
        }
        if !inner.field_errors.is_empty() && inner.kind != ErrorKind::InvalidInput {
            write!(f, " (fields: ")?;
            for (index, error) in inner.field_errors.iter().enumerate() {
                if index > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "{}", Escaped(&error.field))?;
            }
            write!(f, ")")?;
        }
        if inner.attempts > 1 {
            write!(f, " after {} attempts", inner.attempts)?;
        }
        if let Some(request_id) = &inner.request_id {
            write!(f, " (request id {})", Escaped(request_id))?;
        }
        Ok(())
    }
}

/// Text written with its control characters escaped the way Rust writes them (`\n`, `\r`,
/// `\t`, `\u{1b}`), everything else (accents included) as it is.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    /// Everything but the body snippet (see [`Error::body_snippet`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.0;
        f.debug_struct("Error")
            .field("kind", &inner.kind)
            .field("operation", &inner.operation)
            .field("message", &inner.message)
            .field("status", &inner.status)
            .field("body_status_code", &inner.body_status_code)
            .field("request_id", &inner.request_id)
            .field("problem", &inner.problem)
            .field("code", &inner.code)
            .field("field_errors", &inner.field_errors)
            .field("retry_after", &inner.retry_after)
            .field("connect_failure", &inner.connect_failure)
            .field("attempts", &inner.attempts)
            .field("source", &inner.source)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

/// `Result` with the SDK's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
