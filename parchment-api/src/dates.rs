//! [`LenientDate`] and [`Timestamp`]: the dates of patients and prescriptions, typed.
//!
//! Parchment writes one date two ways (`1990-01-15` and `1990-01-15T00:00:00.000Z`) and
//! timestamps with a zone or without one (`created_date` is `2025-06-30T00:11:22`). Both types
//! read every documented form; a date is written back as `YYYY-MM-DD`, a timestamp exactly as it
//! came (its zone, or lack of one, is information).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A calendar date, sent as `YYYY-MM-DD`, read from a date or from a timestamp (its date part:
/// Parchment writes dates of birth as midnight UTC).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LenientDate(NaiveDate);

impl LenientDate {
    /// The date.
    pub fn date(self) -> NaiveDate {
        self.0
    }
}

impl From<NaiveDate> for LenientDate {
    fn from(date: NaiveDate) -> Self {
        Self(date)
    }
}

impl From<LenientDate> for NaiveDate {
    fn from(date: LenientDate) -> Self {
        date.0
    }
}

/// A text that is neither a date nor a timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidDate;

impl fmt::Display for InvalidDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a date (YYYY-MM-DD) nor a timestamp starting with one")
    }
}

impl std::error::Error for InvalidDate {}

impl FromStr for LenientDate {
    type Err = InvalidDate;

    fn from_str(text: &str) -> Result<Self, InvalidDate> {
        let date_part = text.trim().split_once('T').map_or(text.trim(), |(d, _)| d);
        date_part.parse().map(Self).map_err(|_| InvalidDate)
    }
}

impl fmt::Display for LenientDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// Dates of birth are personal data: Debug says only that there is one.
impl fmt::Debug for LenientDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LenientDate([redacted])")
    }
}

impl Serialize for LenientDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LenientDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        // The message names the problem, never the value (a date of birth).
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for LenientDate {
    fn schema_name() -> String {
        "LenientDate".to_owned()
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        string_schema("A date: YYYY-MM-DD, or a timestamp whose date part is read.")
    }
}

/// A moment as Parchment wrote it: with a zone (`Z`, `+10:00`) or without one.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    raw: String,
    local: NaiveDateTime,
    offset: Option<FixedOffset>,
}

impl Timestamp {
    /// The date and time as written, without its zone.
    pub fn naive(&self) -> NaiveDateTime {
        self.local
    }

    /// The zone, when the server wrote one.
    pub fn offset(&self) -> Option<FixedOffset> {
        self.offset
    }

    /// The moment in UTC, when the server wrote a zone; `None` for a zone-less timestamp
    /// (Parchment does not say which zone `created_date` is in).
    pub fn utc(&self) -> Option<DateTime<Utc>> {
        let offset = self.offset?;
        self.local
            .and_local_timezone(offset)
            .single()
            .map(|moment| moment.with_timezone(&Utc))
    }

    /// The text as the server sent it.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

/// A text that is not a timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidTimestamp;

impl fmt::Display for InvalidTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an ISO 8601 timestamp (with or without a zone)")
    }
}

impl std::error::Error for InvalidTimestamp {}

impl FromStr for Timestamp {
    type Err = InvalidTimestamp;

    fn from_str(text: &str) -> Result<Self, InvalidTimestamp> {
        let raw = text.trim();
        if let Ok(moment) = DateTime::parse_from_rfc3339(raw) {
            return Ok(Self {
                raw: raw.to_owned(),
                local: moment.naive_local(),
                offset: Some(*moment.offset()),
            });
        }
        NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f")
            .map(|local| Self {
                raw: raw.to_owned(),
                local,
                offset: None,
            })
            .map_err(|_| InvalidTimestamp)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.raw)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> String {
        "Timestamp".to_owned()
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        string_schema("An ISO 8601 timestamp, with or without a zone.")
    }
}

pub(crate) fn string_schema(description: &str) -> schemars::schema::Schema {
    schemars::schema::SchemaObject {
        instance_type: Some(schemars::schema::InstanceType::String.into()),
        metadata: Some(Box::new(schemars::schema::Metadata {
            description: Some(description.to_owned()),
            ..Default::default()
        })),
        ..Default::default()
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_reads_from_both_documented_forms_and_writes_one() {
        let date: LenientDate = serde_json::from_str(r#""1990-01-15T00:00:00.000Z""#).expect("ts");
        assert_eq!(
            date.date(),
            NaiveDate::from_ymd_opt(1990, 1, 15).expect("a date")
        );
        assert_eq!(
            serde_json::to_string(&date).expect("encodes"),
            r#""1990-01-15""#
        );
        let plain: LenientDate = serde_json::from_str(r#""1990-01-15""#).expect("a date");
        assert_eq!(plain, date);
        assert!(serde_json::from_str::<LenientDate>(r#""1990-02-30""#).is_err());
        assert!(serde_json::from_str::<LenientDate>(r#""15/01/1990""#).is_err());
    }

    #[test]
    fn a_date_error_and_debug_do_not_show_the_date() {
        let error = serde_json::from_str::<LenientDate>(r#""1990-13-45""#).expect_err("an error");
        assert!(!error.to_string().contains("1990"), "{error}");
        let date: LenientDate = "1990-01-15".parse().expect("a date");
        assert!(!format!("{date:?}").contains("1990"));
    }

    #[test]
    fn timestamps_with_and_without_a_zone() {
        let zoneless: Timestamp = "2025-06-30T00:11:22".parse().expect("zone-less");
        assert_eq!(zoneless.offset(), None);
        assert_eq!(zoneless.utc(), None);
        assert_eq!(zoneless.naive().to_string(), "2025-06-30 00:11:22");
        let utc: Timestamp = "2025-06-30T00:11:22.000Z".parse().expect("with Z");
        assert_eq!(utc.naive(), zoneless.naive());
        assert_eq!(
            utc.utc().map(|t| t.timestamp()),
            Some(zoneless.naive().and_utc().timestamp())
        );
        assert_eq!(
            serde_json::to_string(&zoneless).expect("encodes"),
            r#""2025-06-30T00:11:22""#
        );
        assert!("yesterday".parse::<Timestamp>().is_err());
    }
}
