//! [`CallContext`]: what one call carries, passed explicitly to the generated client as its
//! inner value, and the client hooks progenitor runs over it around every request.
//!
//! Three needs of a caller cannot be met through the generated method signatures:
//! - per-call headers (the bearer token and organization secret, which differ between the
//!   organizations a partner serves, and which must not become method arguments whose builders
//!   print them);
//! - the status and headers of a response whose body does not decode (an HTML 502, an empty
//!   503): progenitor reports those as `InvalidResponsePayload`, which has lost them; and
//! - a bound on response bodies: progenitor buffers whole bodies.
//!
//! The generated [`Client`](crate::Client) carries a [`CallContext`] (progenitor's inner type):
//! the `pre` hook adds its headers to the request, and `exec` records the response's
//! [`ResponseMeta`] in the context before the body is read and bounds the body (reading past the
//! limit fails the read, see [`is_body_too_large`]). A client is cheap to
//! derive for one call ([`Client::with_context`](crate::Client::with_context)): the connection
//! pool is shared. Nothing is ambient: a client built with [`CallContext::bare`] sends no
//! credential.

use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// `x-request-id`: where gateways put the request id.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// `x-amzn-requestid`: where AWS API Gateway puts the request id.
pub const X_AMZN_REQUESTID: HeaderName = HeaderName::from_static("x-amzn-requestid");

/// What a response said about itself, besides its body. Read once, in the `post` hook.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResponseMeta {
    /// The HTTP status.
    pub status: StatusCode,
    /// `x-request-id`, or else `x-amzn-requestid`, when present.
    pub request_id: Option<HeaderValue>,
    /// `Retry-After`, unparsed, when present.
    pub retry_after: Option<HeaderValue>,
    /// `Content-Type`, when present.
    pub content_type: Option<HeaderValue>,
}

impl ResponseMeta {
    /// Reads the metadata of a response's head, in one pass over its headers (four lookups
    /// would hash each name: measurable on every call). The first value of a repeated header
    /// counts, as with [`HeaderMap::get`].
    pub fn of(status: StatusCode, headers: &HeaderMap) -> Self {
        let mut meta = Self {
            status,
            request_id: None,
            retry_after: None,
            content_type: None,
        };
        let mut amzn_request_id = None;
        for (name, value) in headers {
            let slot = if name == reqwest::header::CONTENT_TYPE {
                &mut meta.content_type
            } else if name == reqwest::header::RETRY_AFTER {
                &mut meta.retry_after
            } else if name == X_REQUEST_ID {
                &mut meta.request_id
            } else if name == X_AMZN_REQUESTID {
                &mut amzn_request_id
            } else {
                continue;
            };
            slot.get_or_insert_with(|| value.clone());
        }
        meta.request_id = meta.request_id.or(amzn_request_id);
        meta
    }

    /// The request id as text, when it is present and printable.
    pub fn request_id_text(&self) -> Option<&str> {
        self.request_id
            .as_ref()
            .and_then(|value| value.to_str().ok())
    }
}

/// The per-call context the generated client carries: headers every request adds, the body
/// limit, and a slot where the hooks record the last response's [`ResponseMeta`].
///
/// Build one per call (or per attempt): a clone starts with an empty slot.
#[derive(Default)]
pub struct CallContext {
    headers: Arc<HeaderMap>,
    max_response_bytes: Option<usize>,
    metadata_only: bool,
    last_response: Mutex<Option<ResponseMeta>>,
}

impl CallContext {
    /// A context that adds no header and bounds nothing: requests go out without credentials.
    pub fn bare() -> Self {
        Self::default()
    }

    /// A context adding these headers to every request (replacing any of the same name). Mark
    /// credential values sensitive. Shared, so that a caller can build them once and send them
    /// with every call.
    pub fn new(headers: impl Into<Arc<HeaderMap>>) -> Self {
        // Field by field: `..Self::default()` would allocate an empty shared map per call only
        // to drop it.
        Self {
            headers: headers.into(),
            max_response_bytes: None,
            metadata_only: false,
            last_response: Mutex::new(None),
        }
    }

    /// Limits response bodies to `max` bytes (`None`: no limit).
    pub fn max_response_bytes(mut self, max: Option<usize>) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// Keeps only the [`ResponseMeta`] of each response: its headers are dropped once that is
    /// recorded, so `ResponseValue::headers` (and an unexpected response's headers) are empty.
    /// For callers that read nothing else: progenitor copies the whole header map into every
    /// response value, a measurable share of a call.
    pub fn metadata_only(mut self) -> Self {
        self.metadata_only = true;
        self
    }

    /// The headers requests carry.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Takes the metadata of the last response received under this context, if any.
    pub fn take_response(&self) -> Option<ResponseMeta> {
        self.slot().take()
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<ResponseMeta>> {
        self.last_response
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Clone for CallContext {
    /// The same headers and limit, with an empty response slot: a clone is another call.
    fn clone(&self) -> Self {
        Self {
            headers: self.headers.clone(),
            max_response_bytes: self.max_response_bytes,
            metadata_only: self.metadata_only,
            last_response: Mutex::new(None),
        }
    }
}

impl fmt::Debug for CallContext {
    /// Header names only: values are credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("CallContext")
            .field("headers", &names)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("metadata_only", &self.metadata_only)
            .finish()
    }
}

impl crate::Client {
    /// A client of `baseurl` whose requests carry no credential (a bare [`CallContext`]).
    pub fn bare(baseurl: &str) -> Self {
        Self::new(baseurl, CallContext::bare())
    }

    /// This client (same base URL and connection pool) with another context: how a caller
    /// makes one call with its own credentials, limit and response record.
    pub fn with_context(&self, context: CallContext) -> Self {
        Self {
            baseurl: self.baseurl.clone(),
            client: self.client.clone(),
            inner: context,
        }
    }

    /// The context this client's requests carry.
    pub fn context(&self) -> &CallContext {
        &self.inner
    }
}

impl ClientHooks<CallContext> for crate::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        // No `api-version` to remove: `cargo xtask regenerate` drops the one progenitor adds.
        let headers = request.headers_mut();
        for (name, value) in self.inner().headers.iter() {
            headers.insert(name, value.clone());
        }
        Ok(())
    }

    /// Records the response's metadata (before anything can fail to decode), then bounds its
    /// body.
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let mut response = self.client().execute(request).await?;
        let context = self.inner();
        *context.slot() = Some(ResponseMeta::of(response.status(), response.headers()));
        if context.metadata_only {
            // An empty map: cloning it allocates nothing.
            *response.headers_mut() = HeaderMap::new();
        }
        Ok(match context.max_response_bytes {
            Some(limit) => limited(response, limit),
            None => response,
        })
    }
}

/// The same response, whose body fails to read past `limit` bytes. A body that announces its
/// length within the limit is returned as it is: HTTP/1.1 framing stops it at that length, and
/// rebuilding the response costs every call a URL parse and a boxed body. One that announces
/// more fails at once; one without a length is bounded as it streams. Either way no more than
/// about `limit` bytes are ever held.
fn limited(response: reqwest::Response, limit: usize) -> reqwest::Response {
    let limit = match response.content_length() {
        Some(length) if length <= limit as u64 => return response,
        Some(_) => 0,
        None => limit,
    };
    let response: http::Response<reqwest::Body> = response.into();
    let (parts, body) = response.into_parts();
    let body = reqwest::Body::wrap(http_body_util::Limited::new(body, limit));
    http::Response::from_parts(parts, body).into()
}

/// Whether `error` (or anything in its source chain) is a body read stopped by the
/// [`CallContext::max_response_bytes`] limit.
pub fn is_body_too_large(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        current = error.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::ResponseMeta;
    use reqwest::StatusCode;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn the_request_id_header_wins_over_the_gateway_one_in_any_order() {
        let meta = ResponseMeta::of(
            StatusCode::BAD_GATEWAY,
            &headers(&[("x-amzn-requestid", "amzn-1"), ("x-request-id", "req-1")]),
        );
        assert_eq!(meta.request_id_text(), Some("req-1"));
        let meta = ResponseMeta::of(StatusCode::OK, &headers(&[("x-amzn-requestid", "amzn-1")]));
        assert_eq!(meta.request_id_text(), Some("amzn-1"));
    }

    #[test]
    fn the_first_of_a_repeated_header_counts_and_the_rest_are_read() {
        let meta = ResponseMeta::of(
            StatusCode::TOO_MANY_REQUESTS,
            &headers(&[
                ("retry-after", "3"),
                ("content-type", "application/json"),
                ("retry-after", "60"),
                ("x-request-id", "req-1"),
                ("x-request-id", "req-2"),
            ]),
        );
        assert_eq!(meta.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(meta.retry_after, Some(HeaderValue::from_static("3")));
        assert_eq!(
            meta.content_type,
            Some(HeaderValue::from_static("application/json"))
        );
        assert_eq!(meta.request_id_text(), Some("req-1"));
        let none = ResponseMeta::of(StatusCode::OK, &HeaderMap::new());
        assert!(
            none.request_id.is_none() && none.retry_after.is_none() && none.content_type.is_none()
        );
    }
}
