//! [`LenientDate`] and [`Timestamp`]: the dates of patients and prescriptions, typed.
//!
//! Parchment writes one date two ways (`1990-01-15` and `1990-01-15T00:00:00.000Z`) and
//! timestamps with a zone or without one (`created_date` is `2025-06-30T00:11:22`). Both types
//! read every documented form; a date is written back as `YYYY-MM-DD`, a timestamp exactly as it
//! came (its zone, or lack of one, is information).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};
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
        let text = text.trim();
        let bytes = text.as_bytes();
        // The documented forms, `YYYY-MM-DD` alone or before a `T`, read in place: searching
        // for the `T` first cost more than reading the date.
        if matches!(bytes.get(10), None | Some(b'T'))
            && let Some(date) = bytes.get(..10).and_then(iso_date)
        {
            return Ok(Self(date));
        }
        let date_part = text.split_once('T').map_or(text, |(date, _)| date);
        if let Some(date) = iso_date(date_part.as_bytes()) {
            return Ok(Self(date));
        }
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
        // A parse failure's message names the problem, never the value (a date of birth).
        // serde_json's message for a value of another type does quote it: the SDK's decode
        // errors keep only the kind and position of a serde error, never its text.
        crate::text_value::parse_str(deserializer, "holding a date", str::parse::<Self>)
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
        if let Some((local, offset)) = common_timestamp(raw.as_bytes()) {
            return Ok(Self {
                raw: raw.to_owned(),
                local,
                offset,
            });
        }
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

/// The forms Parchment writes, read directly: chrono's general parsers interpret a format
/// description on every call, which cost a prescription stream a tenth of its time (measured
/// with callgrind). Anything else (other zones, lower-case `t`, leap seconds, a trailing dot)
/// returns `None` and goes to chrono, so the two paths accept the same texts with the same
/// results (see the test that compares them).
///
/// `YYYY-MM-DD`.
fn iso_date(text: &[u8]) -> Option<NaiveDate> {
    match text {
        [y @ .., b'-', m1, m2, b'-', d1, d2] if y.len() == 4 => NaiveDate::from_ymd_opt(
            i32::try_from(digits(y)?).ok()?,
            digits(&[*m1, *m2])?,
            digits(&[*d1, *d2])?,
        ),
        _ => None,
    }
}

/// `YYYY-MM-DDTHH:MM:SS`, then optionally `.` and 1-9 digits, then optionally `Z`.
fn common_timestamp(text: &[u8]) -> Option<(NaiveDateTime, Option<FixedOffset>)> {
    if text.len() < 19 || text[10] != b'T' || text[13] != b':' || text[16] != b':' {
        return None;
    }
    let date = iso_date(&text[..10])?;
    let (hour, minute, second) = (
        digits(&text[11..13])?,
        digits(&text[14..16])?,
        digits(&text[17..19])?,
    );
    let (rest, offset) = match &text[19..] {
        [rest @ .., b'Z'] => (rest, Some(FixedOffset::east_opt(0)?)),
        rest => (rest, None),
    };
    let nanos = match rest {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            digits(fraction)? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    // chrono reads a fraction only on a timestamp with a zone or with `%.f`: both allow it.
    Some((date.and_time(time), offset))
}

/// The number written by ASCII digits only (at most 9 of them: no overflow).
fn digits(text: &[u8]) -> Option<u32> {
    if text.is_empty() || text.len() > 9 {
        return None;
    }
    text.iter().try_fold(0u32, |number, byte| {
        byte.is_ascii_digit()
            .then(|| number * 10 + u32::from(byte - b'0'))
    })
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
        crate::text_value::parse_str(deserializer, "holding a timestamp", str::parse::<Self>)
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

    #[test]
    fn the_direct_readers_agree_with_chrono() {
        let chrono_timestamp = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .map(|moment| (moment.naive_local(), Some(*moment.offset())))
                .or_else(|_| {
                    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                        .map(|local| (local, None))
                })
                .ok()
        };
        let texts = [
            "2025-06-30T00:11:22",
            "2025-06-30T00:11:22Z",
            "2025-06-30T00:11:22.5",
            "2025-06-30T00:11:22.000Z",
            "2025-06-30T23:59:59.123456789Z",
            "2024-02-29T12:00:00",
            "2023-02-29T12:00:00",
            "2025-13-01T00:00:00",
            "2025-06-30T24:00:00",
            "2025-06-30T00:60:00",
            "2025-06-30T00:11:2x",
            "2025-06-30 00:11:22",
            "2025-06-30T00:11:22.",
            "2025-06-30T00:11:22+10:00",
            "0999-01-01T00:00:00",
        ];
        for text in texts {
            if let Some(direct) = common_timestamp(text.as_bytes()) {
                assert_eq!(Some(direct), chrono_timestamp(text), "{text}");
            }
            let parsed = text
                .parse::<Timestamp>()
                .ok()
                .map(|t| (t.naive(), t.offset()));
            assert_eq!(parsed, chrono_timestamp(text), "{text}");
        }
        for text in [
            "1990-01-15",
            "2024-02-29",
            "2023-02-29",
            "1990-1-15",
            "19900115",
            "+1990-01-15",
            "0001-01-01",
        ] {
            if let Some(direct) = iso_date(text.as_bytes()) {
                assert_eq!(Some(direct), text.parse::<NaiveDate>().ok(), "{text}");
            }
            assert_eq!(
                text.parse::<LenientDate>().ok().map(LenientDate::date),
                text.parse::<NaiveDate>().ok(),
                "{text}"
            );
        }
        // The common forms do take the direct path.
        assert!(common_timestamp(b"2025-06-30T00:11:22").is_some());
        assert!(common_timestamp(b"2025-06-30T00:11:22.000Z").is_some());
        assert!(iso_date(b"1990-01-15").is_some());
    }
}
