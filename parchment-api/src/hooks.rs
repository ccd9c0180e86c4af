//! The client hooks progenitor calls around every request, and the per-call scope they serve.
//!
//! Two needs of a caller cannot be met through the generated method signatures:
//! - per-call headers (the bearer token and organization secret, which differ between the
//!   organizations a partner serves, and which must not become method arguments whose builders
//!   print them); and
//! - the status and headers of a response whose body does not decode (an HTML 502, an empty
//!   503): progenitor reports those as `InvalidResponsePayload`, which has lost them.
//!
//! [`call_scope`] opens a scope around one generated call: the `pre` hook adds the scope's
//! headers to the request, and the `post` hook records the response's [`ResponseMeta`] before the
//! body is read. Outside a scope the hooks do nothing but drop progenitor's `api-version` header.

use progenitor_client::{ClientHooks, Error, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use std::cell::RefCell;
use std::future::Future;

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
                .get("x-request-id")
                .or_else(|| headers.get("x-amzn-requestid"))
                .cloned(),
            retry_after: headers.get(reqwest::header::RETRY_AFTER).cloned(),
            content_type: headers.get(reqwest::header::CONTENT_TYPE).cloned(),
        }
    }
}

struct Scope {
    headers: HeaderMap,
    last_response: Option<ResponseMeta>,
}

tokio::task_local! {
    static SCOPE: RefCell<Scope>;
}

/// Runs `call` (a generated-client call) so that every request it sends carries `headers`
/// (replacing any of the same name), and returns its output with the metadata of the last
/// response it received, if any. Mark credential values sensitive before passing them.
pub async fn call_scope<F: Future>(
    headers: HeaderMap,
    call: F,
) -> (F::Output, Option<ResponseMeta>) {
    let scope = RefCell::new(Scope {
        headers,
        last_response: None,
    });
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
        headers.remove("api-version");
        let _outside_a_scope = SCOPE.try_with(|scope| {
            for (name, value) in &scope.borrow().headers {
                headers.insert(name, value.clone());
            }
        });
        Ok(())
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
