//! [`Call`]: what a route handler reads (path values, query, headers, body, the locked
//! state and the shared configuration), and the path decoding routing uses.

use super::error::ApiError;
use super::shared::Shared;
use super::state::{Org, State};
use bytes::Bytes;
use hyper::HeaderMap;
use serde_json::Value;

/// Everything a handler may read, with the fake's state locked for the whole call.
pub(super) struct Call<'a> {
    pub(super) shared: &'a Shared,
    pub(super) state: &'a mut State,
    pub(super) params: Vec<(&'static str, &'a str)>,
    pub(super) headers: &'a HeaderMap,
    pub(super) query: &'a str,
    pub(super) body: &'a Bytes,
}

impl Call<'_> {
    /// The value of the path's `{name}` segment (empty if the pattern has none).
    pub(super) fn param(&self, name: &str) -> String {
        self.params
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
            .unwrap_or_default()
    }

    /// The path's organization (its existence was checked with the credentials).
    pub(super) fn org(&mut self) -> Result<&mut Org, ApiError> {
        let id = self.param("organization_id");
        self.state
            .orgs
            .get_mut(&id)
            .ok_or_else(|| ApiError::unauthorized("Valid authentication token is required"))
    }

    /// The body as JSON, or the documented 400.
    pub(super) fn json(&self) -> Result<Value, ApiError> {
        serde_json::from_slice(self.body)
            .map_err(|_| ApiError::invalid_request("the request body is not valid JSON"))
    }

    /// A query parameter, decoded.
    pub(super) fn query(&self, name: &str) -> Option<String> {
        // Form encoding writes a space as `+` in queries (not in paths).
        self.query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| percent_decode(&value.replace('+', " ")))
    }

    /// A request header as text ("" when absent or not text).
    pub(super) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits stays as it is.
pub(super) fn percent_decode(text: &str) -> String {
    let hex = |byte: u8| (byte as char).to_digit(16).map(|d| d as u8);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(high * 16 + low);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn percent_escapes_decode() {
        assert_eq!(percent_decode("PARTNER%20USER%25"), "PARTNER USER%");
        assert_eq!(percent_decode("a%2Fb"), "a/b");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%é%"), "%é%");
        assert_eq!(percent_decode("a+b"), "a+b");
    }
}
