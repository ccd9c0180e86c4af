//! The `X-Webhook-Signature` header, `t=<unix seconds>,v1=<hex>`, and the HMAC over
//! `{t}.{raw body}`.
//!
//! Parsing is strict about what it uses and tolerant of the rest: parts may come in any order
//! and with spaces around them, parts with other names (a future `v2`) are ignored, and several
//! `v1` values are kept (Parchment may sign with an old and a new secret during a rotation).
//! One `t` exactly, since the signed payload is built from it. Bounded, so that an attacker's
//! header costs little to refuse.

use super::error::{WebhookError, WebhookErrorKind};
use super::secret::WebhookSecret;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The header's name, lower-case as HTTP/2 and the `http` crate spell it.
pub const SIGNATURE_HEADER: &str = "x-webhook-signature";

/// Longer headers are refused unread.
const MAX_HEADER_BYTES: usize = 4096;

/// More `v1` values than this are refused (a rotation needs two).
const MAX_SIGNATURES: usize = 8;

/// A `t` longer than this cannot be a Unix time in seconds.
const MAX_TIMESTAMP_DIGITS: usize = 12;

/// A SHA-256 HMAC in hex.
const SIGNATURE_HEX_LEN: usize = 64;

/// What the header says, parsed.
#[derive(Debug)]
pub(crate) struct SignatureHeader<'a> {
    /// The timestamp as sent: the signed payload starts with these exact characters.
    pub(crate) timestamp_text: &'a str,
    pub(crate) timestamp: u64,
    pub(crate) signatures: Vec<[u8; 32]>,
}

fn malformed(detail: &str) -> WebhookError {
    WebhookError::new(WebhookErrorKind::MalformedSignature, detail)
}

impl<'a> SignatureHeader<'a> {
    /// Parses the header value. Never panics, whatever the input.
    pub(crate) fn parse(value: &'a [u8]) -> Result<Self, WebhookError> {
        if value.len() > MAX_HEADER_BYTES {
            return Err(malformed("the header is longer than 4096 bytes"));
        }
        let value = std::str::from_utf8(value).map_err(|_| malformed("the header is not text"))?;
        let mut timestamp_text = None;
        let mut signatures = Vec::new();
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((key, val)) = part.split_once('=') else {
                return Err(malformed("a part has no `=`"));
            };
            match key.trim() {
                "t" if timestamp_text.is_some() => return Err(malformed("more than one `t`")),
                "t" => timestamp_text = Some(val.trim()),
                "v1" => {
                    if signatures.len() == MAX_SIGNATURES {
                        return Err(malformed("more than 8 `v1` values"));
                    }
                    let val = val.trim();
                    let mut bytes = [0u8; 32];
                    if val.len() != SIGNATURE_HEX_LEN
                        || hex::decode_to_slice(val, &mut bytes).is_err()
                    {
                        return Err(malformed("a `v1` value is not 64 hex digits"));
                    }
                    signatures.push(bytes);
                }
                _ => {}
            }
        }
        let timestamp_text = timestamp_text.ok_or_else(|| malformed("no `t`"))?;
        if timestamp_text.is_empty()
            || timestamp_text.len() > MAX_TIMESTAMP_DIGITS
            || !timestamp_text.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(malformed("`t` is not Unix seconds"));
        }
        let timestamp = timestamp_text
            .parse()
            .map_err(|_| malformed("`t` is not Unix seconds"))?;
        if signatures.is_empty() {
            return Err(malformed("no `v1`"));
        }
        Ok(Self {
            timestamp_text,
            timestamp,
            signatures,
        })
    }

    /// Whether any `v1` value is the HMAC of `{t}.{body}` under any of `secrets`, compared in
    /// constant time (each comparison; which secret or value matched is not revealed).
    pub(crate) fn matches(&self, secrets: &[WebhookSecret], body: &[u8]) -> bool {
        let mut matched = false;
        for secret in secrets {
            let mac = signed_payload_mac(secret, self.timestamp_text, body);
            for signature in &self.signatures {
                // No early exit: every pair is checked, so timing does not say which one held.
                matched |= mac.clone().verify_slice(signature).is_ok();
            }
        }
        matched
    }
}

/// The HMAC-SHA256 of `{timestamp}.{body}` keyed with the whole secret, before finalization.
pub(crate) fn signed_payload_mac(
    secret: &WebhookSecret,
    timestamp: &str,
    body: &[u8],
) -> HmacSha256 {
    // HMAC accepts a key of any length (long keys are hashed first): this never fails.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret.key())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The hex `v1` value for `body` signed at `timestamp` with `secret`.
#[cfg_attr(not(feature = "testing"), allow(dead_code))]
pub(crate) fn sign_hex(secret: &WebhookSecret, timestamp: &str, body: &[u8]) -> String {
    hex::encode(
        signed_payload_mac(secret, timestamp, body)
            .finalize()
            .into_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_in_any_order_with_spaces_and_unknown_names() {
        let sig = "ab".repeat(32);
        let header = format!(" v0=zz , v1={sig} ,t=1702465200, ,x=");
        let parsed = SignatureHeader::parse(header.as_bytes()).expect("parses");
        assert_eq!(parsed.timestamp, 1_702_465_200);
        assert_eq!(parsed.timestamp_text, "1702465200");
        assert_eq!(parsed.signatures, vec![[0xab; 32]]);
    }

    #[test]
    fn what_the_signed_payload_needs_is_required() {
        let sig = "ab".repeat(32);
        for bad in [
            String::new(),
            format!("v1={sig}"),
            "t=1".to_owned(),
            format!("t=1,t=2,v1={sig}"),
            format!("t=-1,v1={sig}"),
            format!("t=+1,v1={sig}"),
            format!("t=1e9,v1={sig}"),
            format!("t=1,v1={}", "ab".repeat(31)),
            format!("t=1,v1={}", "zz".repeat(32)),
            format!("t=1,v1={sig},garbage"),
            format!("t=1{},v1={sig}", "0".repeat(20)),
        ] {
            let error = SignatureHeader::parse(bad.as_bytes()).expect_err(&bad);
            assert_eq!(error.kind(), WebhookErrorKind::MalformedSignature, "{bad}");
        }
    }
}
