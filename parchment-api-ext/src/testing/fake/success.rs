//! [`Success`]: what a route handler answers when it succeeds, before the envelope is added.

use serde_json::Value;

/// A success: status and `data`, and what some responses add around them.
pub(crate) struct Success {
    pub(crate) status: u16,
    pub(crate) message: &'static str,
    pub(crate) data: Value,
    /// The top-level `code` some responses carry (`SUCCESS`, `USER_CREATED`).
    pub(crate) code: Option<&'static str>,
    /// The top-level `pagination` of cursor-paginated lists.
    pub(crate) pagination: Option<Value>,
    /// A `Location` header (the SSO link's redirect).
    pub(crate) location: Option<String>,
}

impl Success {
    /// A 200 with `data`.
    pub(crate) fn ok(message: &'static str, data: Value) -> Self {
        Self::with_status(200, message, data)
    }

    pub(crate) fn with_status(status: u16, message: &'static str, data: Value) -> Self {
        Self {
            status,
            message,
            data,
            code: None,
            pagination: None,
            location: None,
        }
    }

    /// The same success with a top-level `code`.
    pub(crate) fn code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }
}
