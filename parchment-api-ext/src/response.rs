//! [`Response`]: the data of a successful call, with what the envelope said about it.

use reqwest::StatusCode;
use std::ops::Deref;

/// The data of a successful call, plus the envelope's request id, message and timestamp.
///
/// Derefs to the data, so `response.users` or `response.full_name` read through it; keep the
/// request id for support conversations.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Response<T> {
    data: T,
    status: StatusCode,
    request_id: Option<String>,
    message: Option<String>,
    timestamp: Option<String>,
    code: Option<String>,
    from_cache: bool,
}

impl<T> Response<T> {
    pub(crate) fn new(data: T, status: StatusCode, envelope: EnvelopeInfo) -> Self {
        Self {
            data,
            status,
            request_id: envelope.request_id,
            message: envelope.message,
            timestamp: envelope.timestamp,
            code: envelope.code,
            from_cache: false,
        }
    }

    #[cfg(feature = "read-cache")]
    /// This response as served from the client's read cache.
    pub(crate) fn served_from_cache(mut self) -> Self {
        self.from_cache = true;
        self
    }

    /// Whether the client's read cache served this response (`ClientBuilder::read_cache`,
    /// feature `read-cache`); its request id is then that of the response that filled the
    /// cache. Always `false` without the feature.
    pub fn is_from_cache(&self) -> bool {
        self.from_cache
    }

    /// The request id to quote to Parchment support (body `requestId`, else a request-id header).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The envelope's human-readable `message`.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The envelope's `timestamp`, as sent (ISO 8601).
    pub fn timestamp(&self) -> Option<&str> {
        self.timestamp.as_deref()
    }

    /// The envelope's top-level `code`, such as `USER_CREATED`, when present.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The data, without the envelope.
    pub fn into_inner(self) -> T {
        self.data
    }

    /// Changes the data, keeping the envelope.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            data: f(self.data),
            status: self.status,
            request_id: self.request_id,
            message: self.message,
            timestamp: self.timestamp,
            code: self.code,
            from_cache: self.from_cache,
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.data
    }
}

/// The envelope members every success response may carry, besides `data`.
#[derive(Debug, Clone, Default)]
pub(crate) struct EnvelopeInfo {
    pub(crate) request_id: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) timestamp: Option<String>,
    pub(crate) code: Option<String>,
}
