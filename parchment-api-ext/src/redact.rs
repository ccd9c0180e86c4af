//! Short, credential-free snippets of bodies that were not the API's envelope.
//!
//! A gateway's HTML error page can echo request headers; a snippet must never carry a token or
//! a secret into an error report. Snippets are cut short and every long unbroken run of token
//! characters (what bearer tokens, secrets and base64 keys look like) is masked, and so is
//! every exact credential value sent with the request, however short.

/// At most this many characters of a body are kept.
const SNIPPET_CHARS: usize = 80;

/// Runs of token characters at least this long are masked.
const MASK_FROM: usize = 16;

/// The redacted start of `body`, or `None` for an empty body. `secrets` are the credential
/// values sent with the request (header values): each occurrence is masked before anything is
/// cut, so that not even a prefix of one shows.
pub(crate) fn snippet(body: &[u8], secrets: &[&str]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    // Mask over a longer window than is kept, so a token that straddles the cut is judged by
    // its whole length, not by the prefix that would show.
    let mut window: String = text.chars().take(SNIPPET_CHARS * 64).collect();
    for secret in secrets.iter().filter(|secret| !secret.is_empty()) {
        window = window.replace(secret, "[redacted]");
    }
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() >= MASK_FROM {
            out.push_str("[redacted]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in window.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | '/' | '=' | '~') {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(if c.is_control() { ' ' } else { c });
        }
    }
    flush(&mut run, &mut out);
    if out.chars().count() > SNIPPET_CHARS {
        out = out.chars().take(SNIPPET_CHARS).collect();
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::snippet;

    #[test]
    fn keeps_a_short_html_page_readable() {
        let html = b"<html><body><h1>502 Bad Gateway</h1></body></html>";
        assert_eq!(
            snippet(html, &[]).as_deref(),
            Some("<html><body><h1>502 Bad Gateway</h1></body></html>")
        );
    }

    #[test]
    fn masks_token_like_runs_and_cuts_long_bodies() {
        let body = format!(
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9abcdef {}",
            "x ".repeat(100)
        );
        let out = snippet(body.as_bytes(), &[]).expect("a snippet");
        assert!(!out.contains("eyJhbGciOiJIUzI1NiJ9abcdef"), "{out}");
        assert!(out.contains("Bearer [redacted]"), "{out}");
        assert!(out.ends_with('…'));
        assert!(out.chars().count() <= 81);
    }

    #[test]
    fn masks_the_exact_credentials_sent_even_short_ones() {
        let body = b"<p>bad secret: os-123 for partner pk_1</p>";
        let out = snippet(body, &["os-123", "pk_1", ""]).expect("a snippet");
        assert_eq!(out, "<p>bad secret: [redacted] for partner [redacted]</p>");
    }

    #[test]
    fn an_empty_body_has_no_snippet() {
        assert_eq!(snippet(b"   \n", &[]), None);
    }
}
