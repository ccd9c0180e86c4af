//! The fake's HTTP side: the accept loop (finished connections reaped, `accept()` errors
//! backed off, a header read timeout, bounded bodies), then for each request the injected
//! fault, the route table, the credential checks and the request log.

use super::auth;
use super::call::{self, Call};
use super::config::{Fault, LoggedRequest};
use super::envelope::{Reply, error_reply, html_reply, method_not_allowed, success_reply};
use super::error::ApiError;
use super::routes::{self, Access, Lookup};
use super::shared::Shared;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The largest request body the fake reads; larger ones get a 413.
pub(super) const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// The first and the longest pause after a failed `accept()` (out of file descriptors, say):
/// retrying at once would spin a core while the condition lasts.
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(5), Duration::from_secs(1));

/// Accepts connections until told to stop; each connection is served on its own task, and
/// finished tasks are reaped as they end so that a fake running for hours holds steady.
pub(super) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut connections = tokio::task::JoinSet::new();
    let mut backoff = ACCEPT_BACKOFF.0;
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            Some(_finished) = connections.join_next(), if !connections.is_empty() => {
                shared.open_connections.store(connections.len(), Ordering::Relaxed);
            }
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => {
                        backoff = ACCEPT_BACKOFF.0;
                        stream
                    }
                    Err(_) => {
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(ACCEPT_BACKOFF.1);
                        continue;
                    }
                };
                let task_shared = shared.clone();
                connections.spawn(async move {
                    let shared = task_shared;
                    let timeout = shared.config.header_read_timeout;
                    let service = service_fn(move |request| handle(shared.clone(), request));
                    let _closed = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(timeout)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
                shared.open_connections.store(connections.len(), Ordering::Relaxed);
            }
        }
    }
    connections.abort_all();
    shared.open_connections.store(0, Ordering::Relaxed);
}

/// Answers one request, applying the next injected fault first, and logs it.
async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Reply, std::convert::Infallible> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let fault = shared.next_fault();
    let reply = match fault {
        Some(Fault::Status {
            status,
            retry_after,
        }) => {
            let mut reply = error_reply(&fault_error(status));
            if let Some(seconds) = retry_after {
                reply.headers_mut().insert("retry-after", seconds.into());
            }
            reply
        }
        Some(Fault::Html { status }) => html_reply(status),
        Some(Fault::Latency(delay)) => {
            tokio::time::sleep(delay).await;
            route(&shared, request).await
        }
        None => route(&shared, request).await,
    };
    shared.log(LoggedRequest {
        method: method.to_string(),
        path,
        status: reply.status().as_u16(),
    });
    Ok(reply)
}

/// An injected fault's error: the documented problem for its status.
fn fault_error(status: u16) -> ApiError {
    let (slug, title, detail) = crate::testing::fixtures::problem(status);
    ApiError::new(status, slug, title, detail)
}

async fn route(shared: &Shared, request: Request<Incoming>) -> Reply {
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_REQUEST_BYTES as u64) {
        return error_reply(&ApiError::payload_too_large(MAX_REQUEST_BYTES));
    }
    let body = match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
            return error_reply(&ApiError::payload_too_large(MAX_REQUEST_BYTES));
        }
        Err(_) => {
            return error_reply(&ApiError::invalid_request(
                "the request body could not be read",
            ));
        }
    };
    let segments: Vec<String> = parts
        .uri
        .path()
        .trim_start_matches('/')
        .split('/')
        .map(call::percent_decode)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let (route, params) = match routes::lookup(&parts.method, &segments) {
        Lookup::Found(route, params) => (route, params),
        Lookup::WrongMethod(allowed) => return method_not_allowed(&allowed),
        Lookup::NotFound => return error_reply(&ApiError::route_not_found()),
    };
    let mut state = shared.state();
    if let Access::Scope(scope) = route.access {
        let org_id = params
            .iter()
            .find(|(name, _)| *name == "organization_id")
            .map_or("", |(_, value)| value);
        if let Err(error) = auth::authorize(&state, org_id, &parts.headers, scope) {
            return error_reply(&error);
        }
    }
    let mut call = Call {
        shared,
        state: &mut state,
        params,
        headers: &parts.headers,
        query: parts.uri.query().unwrap_or(""),
        body: &body,
    };
    let result = (route.handler)(&mut call);
    drop(state);
    match result {
        Ok(success) => success_reply(success),
        Err(error) => error_reply(&error),
    }
}
