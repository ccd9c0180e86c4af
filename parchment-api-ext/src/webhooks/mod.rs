//! Verified webhooks: Parchment's deliveries, checked and decoded.
//!
//! Parchment POSTs a JSON event to the partner's HTTPS endpoint and signs it in the
//! `X-Webhook-Signature` header: `t=<unix seconds>,v1=<hex>`, where `v1` is the HMAC-SHA256 of
//! `{t}.{raw body}` keyed with the whole webhook secret as issued (`whsec_…`, prefix included).
//! [`WebhookVerifier`] checks that signature in constant time (any one of several `v1` values,
//! under any of several secrets, for rotations), refuses timestamps more than five minutes
//! (configurable) from now, and only then decodes the [`WebhookEvent`]. Every refusal is a
//! [`WebhookError`] whose [`kind`](WebhookError::kind) says which check failed.
//!
//! It takes bytes and a header value, so it fits any web framework: read the body raw (as
//! bytes, never through a JSON extractor: re-serialized JSON does not match the signature),
//! answer 2xx fast (Parchment waits 10 s at most) and process the event afterwards. Delivery is
//! at least once: deduplicate on [`WebhookEvent::event_id`]. The crate's
//! `examples/webhook_receiver.rs` mounts it in axum; tests sign their own deliveries with
//! `testing::webhooks::sign` (feature `testing`).
//!
//! ```
//! use parchment_api_ext::webhooks::{WebhookEventType, WebhookSecret, WebhookVerifier};
//!
//! # fn main() -> Result<(), parchment_api_ext::Error> {
//! let verifier = WebhookVerifier::new(WebhookSecret::new("whsec_from_parchment")?);
//!
//! /// What a handler does with the raw body and the header, whatever the framework.
//! fn handle(verifier: &WebhookVerifier, body: &[u8], signature: Option<&str>) -> u16 {
//!     match verifier.verify(body, signature) {
//!         Ok(event) => {
//!             if event.event_type == WebhookEventType::PrescriptionCreated {
//!                 // Queue it; read the prescription named by `event.data.scid` later.
//!                 println!("{} for patient {:?}", event.event_id, event.data.patient_id);
//!             }
//!             200
//!         }
//!         // Log the kind, never the body; answer without details.
//!         Err(refused) => {
//!             eprintln!("webhook refused: {}", refused.kind());
//!             refused.status_code()
//!         }
//!     }
//! }
//!
//! assert_eq!(handle(&verifier, br#"{"event_type":"prescription.created"}"#, None), 401);
//! # Ok(())
//! # }
//! ```

mod clock;
mod error;
mod event;
mod secret;
pub(crate) mod signature;
mod verifier;

pub use clock::{SystemWallClock, WallClock};
pub use error::{WebhookError, WebhookErrorKind};
pub use event::{EventData, EventMetadata, UnknownEventType, WebhookEvent, WebhookEventType};
pub use secret::WebhookSecret;
pub use signature::SIGNATURE_HEADER;
pub use verifier::{DEFAULT_TOLERANCE, WebhookVerifier};
