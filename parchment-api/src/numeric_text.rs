//! [`NumericText`]: a count the server writes as a string (`"20"`) or as a number (`20`).

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A count such as a drug's `quantity` or `max_repeats`: Parchment sends strings but accepts
/// (and may echo) numbers. Kept as text, as the API defines it; [`NumericText::as_u64`] reads it
/// as a number when it is one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NumericText(String);

impl NumericText {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value as a whole number, when it is one.
    pub fn as_u64(&self) -> Option<u64> {
        self.0.trim().parse().ok()
    }
}

impl From<String> for NumericText {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl From<&str> for NumericText {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl From<u32> for NumericText {
    fn from(n: u32) -> Self {
        Self(n.to_string())
    }
}

impl fmt::Display for NumericText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for NumericText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for NumericText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextOrNumber;

        impl Visitor<'_> for TextOrNumber {
            type Value = NumericText;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<NumericText, E> {
                Ok(NumericText(text.to_owned()))
            }

            fn visit_u64<E: de::Error>(self, n: u64) -> Result<NumericText, E> {
                Ok(NumericText(n.to_string()))
            }

            fn visit_i64<E: de::Error>(self, n: i64) -> Result<NumericText, E> {
                Ok(NumericText(n.to_string()))
            }

            fn visit_f64<E: de::Error>(self, n: f64) -> Result<NumericText, E> {
                Ok(NumericText(n.to_string()))
            }
        }

        deserializer.deserialize_any(TextOrNumber)
    }
}

impl schemars::JsonSchema for NumericText {
    fn schema_name() -> String {
        "NumericText".to_owned()
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        crate::dates::string_schema("A count, as a string (numbers are read too).")
    }
}

#[cfg(test)]
mod tests {
    use super::NumericText;

    #[test]
    fn reads_strings_and_numbers_and_writes_strings() {
        let from_text: NumericText = serde_json::from_str(r#""20""#).expect("a string");
        let from_number: NumericText = serde_json::from_str("20").expect("a number");
        assert_eq!(from_text, from_number);
        assert_eq!(from_number.as_u64(), Some(20));
        assert_eq!(
            serde_json::to_string(&from_number).expect("encodes"),
            r#""20""#
        );
        assert!(serde_json::from_str::<NumericText>("true").is_err());
    }
}
