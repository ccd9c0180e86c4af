//! The encoder of path parameters the generated client calls (`cargo xtask regenerate` puts it
//! in place of progenitor's): the same characters encoded, with no copy of a segment that
//! needs none. Every valid Parchment id is such a segment, so a call's URL is built with no
//! allocation but its own.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use std::borrow::Cow;

/// progenitor-client 0.15.1's set: the URL standard's path percent-encode set, plus `/` (a
/// segment must stay one segment) and `%` (an id is sent as it is, never pre-encoded).
const PATH_SET: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

/// `segment`, percent-encoded for one path segment; borrowed when nothing needs encoding.
pub(crate) fn encode_path(segment: &str) -> Cow<'_, str> {
    utf8_percent_encode(segment, PATH_SET).into()
}

#[cfg(test)]
mod tests {
    use super::encode_path;
    use std::borrow::Cow;

    #[test]
    fn encodes_what_progenitor_encodes() {
        let samples = [
            "usr_abc123def456",
            "PARTNER#USER_1",
            "a/b",
            "50%",
            "with space",
            "q?x=1",
            "\"quoted\"",
            "<tag>",
            "`{}`",
            "tab\tnewline\n",
            "émile",
            "",
            "a.b-c~d_e",
        ];
        for sample in samples {
            assert_eq!(
                encode_path(sample),
                progenitor_client::encode_path(sample),
                "{sample:?}"
            );
        }
        // Every ASCII character, one at a time.
        for byte in 0u8..=127 {
            let text = char::from(byte).to_string();
            assert_eq!(encode_path(&text), progenitor_client::encode_path(&text));
        }
    }

    #[test]
    fn borrows_a_segment_that_needs_no_encoding() {
        assert!(matches!(
            encode_path("org_0123-abc"),
            Cow::Borrowed("org_0123-abc")
        ));
        assert!(matches!(encode_path("a b"), Cow::Owned(encoded) if encoded == "a%20b"));
    }
}
