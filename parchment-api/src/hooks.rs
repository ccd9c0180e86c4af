//! The client hooks progenitor calls around every request, and the per-call scope they serve.
//!
//! Two needs of a caller cannot be met through the generated method signatures:
//! - per-call headers (the bearer token and organization secret, which differ between the
//!   organizations a partner serves, and which must not become method arguments whose builders
//!   print them); and
//! - the status and headers of a response whose body does not decode (an HTML 502, an empty
//!   503): progenitor reports those as `InvalidResponsePayload`, which has lost them.
//!
//! A third, the size of response bodies, cannot be bounded through progenitor either: it
//! buffers whole bodies.
//!
//! [`call_scope`] opens a scope around one generated call: the `pre` hook adds the scope's
//! headers to the request, `exec` bounds the response body (reading past the limit fails the
//! read, see [`is_body_too_large`]), and the `post` hook records the response's
//! [`ResponseMeta`] before the body is read. Outside a scope the hooks do nothing but drop
//! progenitor's `api-version` header.

use progenitor_client::{ClientHooks, Error, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;

/// `x-request-id`: where gateways put the request id.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// `x-amzn-requestid`: where AWS API Gateway puts the request id.
pub const X_AMZN_REQUESTID: HeaderName = HeaderName::from_static("x-amzn-requestid");
/// The header progenitor adds to every request.
const API_VERSION: HeaderName = HeaderName::from_static("api-version");

/// What a response said about itself, besides its body.
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
    /// Reads the metadata of a response's head.
    pub fn of(status: StatusCode, headers: &HeaderMap) -> Self {
        Self {
            status,
            request_id: headers
                .get(X_REQUEST_ID)
                .or_else(|| headers.get(X_AMZN_REQUESTID))
                .cloned(),
            retry_after: headers.get(reqwest::header::RETRY_AFTER).cloned(),
            content_type: headers.get(reqwest::header::CONTENT_TYPE).cloned(),
        }
    }
}

/// What a [`call_scope`] applies to the requests made inside it.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CallOptions {
    /// Headers every request carries (replacing any of the same name). Mark credential values
    /// sensitive. Shared, so that a caller can build them once and send them with every call.
    pub headers: Arc<HeaderMap>,
    /// The largest response body read, in bytes; reading more fails the read. `None`: no limit.
    pub max_response_bytes: Option<usize>,
}

impl CallOptions {
    /// Options with these headers and no body limit.
    pub fn new(headers: impl Into<Arc<HeaderMap>>) -> Self {
        Self {
            headers: headers.into(),
            max_response_bytes: None,
        }
    }

    /// Limits response bodies to `max` bytes.
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.max_response_bytes = Some(max);
        self
    }
}

impl From<HeaderMap> for CallOptions {
    fn from(headers: HeaderMap) -> Self {
        Self::new(headers)
    }
}

struct Scope {
    options: CallOptions,
    last_response: Option<ResponseMeta>,
}

tokio::task_local! {
    // Boxed: the task-local future swaps the value in and out on every poll.
    static SCOPE: RefCell<Box<Scope>>;
}

/// Runs `call` (a generated-client call) with `options` (headers, or [`CallOptions`]) applied
/// to every request it sends, and returns its output with the metadata of the last response it
/// received, if any.
pub async fn call_scope<F: Future>(
    options: impl Into<CallOptions>,
    call: F,
) -> (F::Output, Option<ResponseMeta>) {
    let scope = RefCell::new(Box::new(Scope {
        options: options.into(),
        last_response: None,
    }));
    SCOPE
        .scope(scope, async move {
            let output = call.await;
            let meta = SCOPE.with(|scope| scope.borrow_mut().last_response.take());
            (output, meta)
        })
        .await
}

impl ClientHooks<()> for crate::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let headers = request.headers_mut();
        // progenitor sends the spec's version as `api-version`; Parchment defines no such header.
        headers.remove(API_VERSION);
        let _outside_a_scope = SCOPE.try_with(|scope| {
            for (name, value) in scope.borrow().options.headers.iter() {
                headers.insert(name, value.clone());
            }
        });
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let limit = SCOPE
            .try_with(|scope| scope.borrow().options.max_response_bytes)
            .ok()
            .flatten();
        let response = self.client.execute(request).await?;
        Ok(match limit {
            Some(limit) => limited(response, limit),
            None => response,
        })
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        if let Ok(response) = result {
            let _outside_a_scope = SCOPE.try_with(|scope| {
                scope.borrow_mut().last_response =
                    Some(ResponseMeta::of(response.status(), response.headers()));
            });
        }
        Ok(())
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
/// [`CallOptions::max_response_bytes`] limit.
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
