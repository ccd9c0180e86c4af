//! Values decoded from a JSON string without an owned copy of the text.
//!
//! serde's `Deserialize` for `Cow<str>` always builds a `String`: decoding an open enum or a
//! date through it cost an allocation for every role, sex, prescriber type and date of every
//! response. [`parse_str`] hands the parser the text as the deserializer holds it (borrowed
//! from the body when it has no escapes).

use serde::Deserializer;
use serde::de::{Error, Unexpected, Visitor};
use std::fmt;

/// Deserializes a string and parses it with `parse`; `expecting` completes "a string ..." in
/// the error for a value of another JSON type. A parse error becomes the deserializer's error
/// with the parse error's message.
pub(crate) fn parse_str<'de, D, T, E>(
    deserializer: D,
    expecting: &'static str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    E: fmt::Display,
{
    deserializer.deserialize_str(ParseStr { expecting, parse })
}

struct ParseStr<F> {
    expecting: &'static str,
    parse: F,
}

impl<T, E: fmt::Display, F: FnOnce(&str) -> Result<T, E>> Visitor<'_> for ParseStr<F> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "a string {}", self.expecting)
    }

    fn visit_str<R: Error>(self, text: &str) -> Result<T, R> {
        (self.parse)(text).map_err(R::custom)
    }

    /// Formats that carry strings as bytes (as serde's `String` accepts them).
    fn visit_bytes<R: Error>(self, bytes: &[u8]) -> Result<T, R> {
        match std::str::from_utf8(bytes) {
            Ok(text) => self.visit_str(text),
            Err(_) => Err(R::invalid_value(
                Unexpected::Other("bytes that are not UTF-8"),
                &self,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_str;

    fn number(json: &str) -> Result<u32, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(json);
        parse_str(&mut deserializer, "of digits", |text| text.parse::<u32>())
    }

    #[test]
    fn the_text_is_parsed_borrowed_or_unescaped() {
        assert_eq!(number(r#""42""#).ok(), Some(42));
        // An escape makes serde_json hand over a transient copy: parsed the same.
        assert_eq!(number(r#""\u0034\u0032""#).ok(), Some(42));
    }

    #[test]
    fn a_parse_error_keeps_the_parser_message_and_another_type_names_what_was_expected() {
        let parse_error = number(r#""4x""#).err().map(|e| e.to_string());
        assert!(parse_error.is_some_and(|message| message.contains("invalid digit")));
        let wrong_type = number("true").err().map(|e| e.to_string());
        assert!(wrong_type.is_some_and(|message| message.contains("a string of digits")));
    }

    #[test]
    fn bytes_are_read_as_utf8_text() {
        use serde::de::value::{BytesDeserializer, Error};
        let parsed = parse_str(
            BytesDeserializer::<Error>::new(b"42"),
            "",
            str::parse::<u32>,
        );
        assert_eq!(parsed.ok(), Some(42));
        let refused = parse_str(
            BytesDeserializer::<Error>::new(b"\xff"),
            "",
            str::parse::<u32>,
        );
        assert!(refused.is_err());
    }
}
