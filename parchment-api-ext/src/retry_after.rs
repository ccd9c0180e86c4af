//! Reading `Retry-After`, in both of its forms.

use reqwest::header::HeaderValue;
use std::time::Duration;

/// `Retry-After` as a wait: delta-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00
/// GMT`, measured from now; a date in the past is no wait). `None` when unreadable.
pub(crate) fn parse_retry_after(value: &HeaderValue) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Option<Duration> {
        parse_retry_after(&HeaderValue::from_str(text).expect("a valid header value"))
    }

    #[test]
    fn reads_delta_seconds() {
        assert_eq!(parse("120"), Some(Duration::from_secs(120)));
        assert_eq!(parse(" 0 "), Some(Duration::ZERO));
    }

    #[test]
    fn reads_an_http_date_relative_to_now() {
        let in_a_minute = chrono::Utc::now() + chrono::Duration::seconds(60);
        let header = in_a_minute.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        let wait = parse(&header).expect("an HTTP-date");
        assert!(
            wait > Duration::from_secs(55) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
    }

    #[test]
    fn a_past_date_means_no_wait() {
        assert_eq!(parse("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
    }

    #[test]
    fn garbage_is_not_a_wait() {
        assert_eq!(parse("soon"), None);
        assert_eq!(parse("-5"), None);
    }
}
