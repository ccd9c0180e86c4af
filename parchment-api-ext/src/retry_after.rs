//! Reading `Retry-After`, in each of its forms: delta-seconds, or an HTTP-date in any of the
//! three forms HTTP allows (IMF-fixdate, the obsolete RFC 850 form, and asctime's).

use reqwest::header::HeaderValue;
use std::time::{Duration, SystemTime};

/// `Retry-After` as a wait: delta-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00
/// GMT`, `Wednesday, 21-Oct-15 07:28:00 GMT` or `Wed Oct 21 07:28:00 2015`), measured from now;
/// a date in the past is no wait. `None` when unreadable.
pub(crate) fn parse_retry_after(value: &HeaderValue) -> Option<Duration> {
    wait_from(value.to_str().ok()?, SystemTime::now())
}

/// The wait `text` asks for, as seen at `now`.
fn wait_from(text: &str, now: SystemTime) -> Option<Duration> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(text).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Option<Duration> {
        parse_retry_after(&HeaderValue::from_str(text).expect("a valid header value"))
    }

    /// 1994-11-06 08:48:37 UTC: a minute before the date of RFC 9110's examples.
    fn a_minute_before_the_example() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777 - 60)
    }

    #[test]
    fn reads_delta_seconds() {
        assert_eq!(parse("120"), Some(Duration::from_secs(120)));
        assert_eq!(parse(" 0 "), Some(Duration::ZERO));
    }

    #[test]
    fn reads_an_imf_fixdate() {
        let now = a_minute_before_the_example();
        let wait = wait_from("Sun, 06 Nov 1994 08:49:37 GMT", now);
        assert_eq!(wait, Some(Duration::from_secs(60)));
    }

    #[test]
    fn reads_the_obsolete_rfc_850_form() {
        let now = a_minute_before_the_example();
        let wait = wait_from("Sunday, 06-Nov-94 08:49:37 GMT", now);
        assert_eq!(wait, Some(Duration::from_secs(60)));
    }

    #[test]
    fn reads_the_asctime_form() {
        let now = a_minute_before_the_example();
        let wait = wait_from("Sun Nov  6 08:49:37 1994", now);
        assert_eq!(wait, Some(Duration::from_secs(60)));
    }

    #[test]
    fn reads_an_http_date_relative_to_now() {
        let in_a_minute = SystemTime::now() + Duration::from_secs(60);
        let wait = parse(&httpdate::fmt_http_date(in_a_minute)).expect("an HTTP-date");
        assert!(
            wait > Duration::from_secs(55) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
    }

    #[test]
    fn a_past_date_means_no_wait() {
        assert_eq!(parse("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse("Wed Oct 21 07:28:00 2015"), Some(Duration::ZERO));
    }

    #[test]
    fn garbage_is_not_a_wait() {
        for text in [
            "soon",
            "-5",
            "1.5",
            "",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "2026-11-23T10:00:00Z",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }
}
