//! [`Call`]: one operation, described once: what to call it, whether repeating it is harmless,
//! whether it writes, how to send the generated request, and how to normalize its success.

use crate::envelope::{GeneratedError, SuccessEnvelope};
use crate::operation::Operation;
use parchment_api::ResponseValue;
use std::future::Future;

pub(crate) use crate::envelope::Normalized;

/// The generated client, as a [`Call`] receives it: carrying this attempt's context.
pub(crate) type Api = parchment_api::Client;

/// What [`Call::send`] returns: the generated method's future.
pub(crate) trait Sent<'a, C: Call + ?Sized>:
    Future<Output = Result<ResponseValue<C::Envelope>, GeneratedError>> + Send + 'a
{
}

impl<'a, C: Call + ?Sized, F> Sent<'a, C> for F where
    F: Future<Output = Result<ResponseValue<C::Envelope>, GeneratedError>> + Send + 'a
{
}

/// One API operation with its arguments (ids, body), ready to run any number of times (each
/// attempt sends it again).
pub(crate) trait Call: Sync {
    /// Name, idempotency, whether it writes.
    const OPERATION: Operation;
    /// The generated success envelope.
    type Envelope: SuccessEnvelope + Send;
    /// What the caller receives, inside a [`Response`](crate::Response).
    type Output;

    /// The user the call is about, for the call's span.
    fn user_id(&self) -> Option<&str> {
        None
    }

    /// Sends the generated request for the organization `organization_id`.
    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self>;

    /// The envelope's `data`, as the caller receives it; `Err` is a body that decoded but
    /// says nothing usable (reported as [`ErrorKind::Decode`](crate::ErrorKind::Decode) with
    /// the response's status and request id).
    fn normalize(data: <Self::Envelope as SuccessEnvelope>::Data) -> Normalized<Self::Output>;
}
