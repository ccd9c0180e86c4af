//! [`ApiError`]: every refusal the fake answers, in the shape of Parchment's error envelope
//! (status, RFC 7807 problem, optional field list and top-level `code`).

use std::borrow::Cow;

/// One failed field: (field, message). Sent with the code `VALIDATION_ERROR`.
pub(crate) type Violation = (String, String);

/// An error response: status, problem details, and what the envelope adds.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    /// `error.type`: a `https://parchment.health/errors/...` URI, or the bare constant some
    /// endpoints use (`PRESCRIPTION_NOT_FOUND`).
    pub(crate) problem_type: Cow<'static, str>,
    pub(crate) title: &'static str,
    pub(crate) detail: String,
    pub(crate) validation: Vec<Violation>,
    pub(crate) code: Option<&'static str>,
}

impl ApiError {
    /// An error whose `error.type` is the documented URI for `slug`.
    pub(crate) fn new(
        status: u16,
        slug: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            problem_type: Cow::Owned(format!("https://parchment.health/errors/{slug}")),
            title,
            detail: detail.into(),
            validation: Vec::new(),
            code: None,
        }
    }

    /// The same error with a bare constant as `error.type`, as the single-prescription read
    /// documents for its 404.
    pub(crate) fn with_bare_type(mut self, problem_type: &'static str) -> Self {
        self.problem_type = Cow::Borrowed(problem_type);
        self
    }

    /// The same error with a top-level `code`.
    pub(crate) fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    pub(crate) fn unauthorized(detail: &str) -> Self {
        Self::new(401, "authentication-required", "Unauthorized", detail)
    }

    pub(crate) fn insufficient_scope(scope: &str) -> Self {
        Self::new(
            403,
            "insufficient-scope",
            "Insufficient permissions",
            format!("This operation requires the '{scope}' scope"),
        )
    }

    pub(crate) fn invalid_request(detail: impl Into<String>) -> Self {
        Self::new(400, "invalid-request", "Invalid request", detail)
    }

    pub(crate) fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(400, "bad-request", "Bad Request", detail)
    }

    /// 404 for a user the path names that the organization does not have.
    pub(crate) fn not_found(detail: &str) -> Self {
        Self::new(404, "user-not-found", "User not found", detail)
    }

    /// 404 for any other record the path names (patient, custom drug).
    pub(crate) fn resource_not_found(detail: impl Into<String>) -> Self {
        Self::new(404, "not-found", "Resource not found", detail)
    }

    pub(crate) fn route_not_found() -> Self {
        Self::new(404, "not-found", "Not found", "No such endpoint")
    }

    pub(crate) fn method_not_allowed() -> Self {
        Self::new(
            405,
            "method-not-allowed",
            "Method not allowed",
            "This endpoint does not serve that method",
        )
    }

    pub(crate) fn conflict(detail: &str) -> Self {
        Self::new(409, "resource-conflict", "Conflict", detail)
    }

    pub(crate) fn payload_too_large(limit: usize) -> Self {
        Self::new(
            413,
            "payload-too-large",
            "Payload too large",
            format!("The request body is larger than {limit} bytes"),
        )
    }

    /// `Err` with a 422 listing `violations`, when there are any (the users routes).
    pub(crate) fn validation(violations: Vec<Violation>) -> Result<(), Self> {
        Self::fields(422, violations)
    }

    /// `Err` with a 400 listing `violations`, when there are any (patients, custom drugs:
    /// their pages document 400 for bad or missing fields).
    pub(crate) fn bad_fields(violations: Vec<Violation>) -> Result<(), Self> {
        Self::fields(400, violations)
    }

    fn fields(status: u16, violations: Vec<Violation>) -> Result<(), Self> {
        if violations.is_empty() {
            return Ok(());
        }
        let mut error = Self::new(
            status,
            "validation-error",
            "Validation failed",
            "There were some problems with your input.",
        );
        error.validation = violations;
        Err(error)
    }
}
