//! The lazy page stream every cursor-paginated list shares: fetch a page, follow its next key,
//! stop after the page without one, and refuse to follow a key the server already returned.
//!
//! The stream is bounded whatever the server sends: at most [`MAX_PAGES`] pages, keys of at
//! most [`MAX_KEY_BYTES`] (a longer one is refused, not sent back), and at most
//! [`MAX_EMPTY_PAGES`] empty pages in a row that still name a next key (a server handing out
//! fresh keys for empty pages would otherwise be followed forever). Keys already seen are
//! remembered as a 128-bit keyed digest (random keys per stream, so a server cannot aim for a
//! collision), not as the key: memory per page is fixed, however long the keys.

use crate::error::{Error, ErrorKind, Result};
use crate::response::Response;
use futures::{Stream, stream};
use std::collections::HashSet;
use std::future::Future;
use std::hash::{BuildHasher, RandomState};

/// The most pages one stream fetches (ten million items at the largest page size).
pub(crate) const MAX_PAGES: usize = 100_000;
/// The longest pagination key followed.
pub(crate) const MAX_KEY_BYTES: usize = 4 * 1024;
/// Empty pages in a row that still name a next key before the stream gives up.
pub(crate) const MAX_EMPTY_PAGES: usize = 3;

/// A page that may name the key of the next one.
pub(crate) trait Paged {
    /// The next page's key; `None` on the last page.
    fn next_key(&self) -> Option<&str>;
    /// Whether the page holds no items.
    fn is_empty(&self) -> bool;
}

/// Where the page stream stands.
enum PageState<F> {
    /// Fetch the page after this key (`None`: the first page).
    Fetch(Box<Cursor<F>>, Option<String>),
    /// Report this error, then end.
    Fail(Error),
    Done,
}

/// What the stream carries from one page to the next.
struct Cursor<F> {
    fetch: F,
    seen: SeenKeys,
    pages: usize,
    empty_in_a_row: usize,
}

/// Digests of the keys followed so far.
struct SeenKeys {
    hashers: (RandomState, RandomState),
    digests: HashSet<(u64, u64)>,
}

impl SeenKeys {
    fn new() -> Self {
        Self {
            hashers: (RandomState::new(), RandomState::new()),
            digests: HashSet::new(),
        }
    }

    /// Remembers `key`; false when it was already seen.
    fn insert(&mut self, key: &str) -> bool {
        let digest = (self.hashers.0.hash_one(key), self.hashers.1.hash_one(key));
        self.digests.insert(digest)
    }
}

/// Every page, lazily (a page is fetched when the previous one has been consumed), starting
/// after `start`. Ends after the page without a next key; a key the server already returned
/// ends it with [`ErrorKind::PaginationLoop`] (after that page, which is good) rather than loop
/// forever, and so do the bounds of the module doc (too many pages, too many empty pages in a
/// row); a key longer than [`MAX_KEY_BYTES`] ends it with [`ErrorKind::Decode`].
/// After an error the stream ends.
pub(crate) fn pages<P, F, Fut>(
    operation: &'static str,
    start: Option<String>,
    fetch: F,
) -> impl Stream<Item = Result<Response<P>>> + Send + 'static
where
    P: Paged + Send + 'static,
    F: Fn(Option<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Response<P>>> + Send + 'static,
{
    let mut seen = SeenKeys::new();
    if let Some(start) = &start {
        seen.insert(start);
    }
    let cursor = Cursor {
        fetch,
        seen,
        pages: 0,
        empty_in_a_row: 0,
    };
    stream::unfold(
        PageState::Fetch(Box::new(cursor), start),
        move |state| async move {
            match state {
                PageState::Done => None,
                PageState::Fail(error) => Some((Err(error), PageState::Done)),
                PageState::Fetch(mut cursor, key) => {
                    let page = match (cursor.fetch)(key).await {
                        Ok(page) => page,
                        Err(error) => return Some((Err(error), PageState::Done)),
                    };
                    cursor.pages += 1;
                    if page.is_empty() {
                        cursor.empty_in_a_row += 1;
                    } else {
                        cursor.empty_in_a_row = 0;
                    }
                    let fail = |kind, message: &'static str| {
                        PageState::Fail(
                            Error::new(kind, operation, message)
                                .with_status(page.status())
                                .with_request_id(page.request_id().map(str::to_owned)),
                        )
                    };
                    let next = match page.next_key() {
                        None => PageState::Done,
                        Some(key) if key.len() > MAX_KEY_BYTES => fail(
                            ErrorKind::Decode,
                            "the server returned a pagination key longer than 4 KiB; not following it",
                        ),
                        Some(_) if cursor.pages >= MAX_PAGES => fail(
                            ErrorKind::PaginationLoop,
                            "the server promised more pages after 100,000; not following",
                        ),
                        Some(_) if cursor.empty_in_a_row >= MAX_EMPTY_PAGES => fail(
                            ErrorKind::PaginationLoop,
                            "the server returned 3 empty pages in a row that still promised more",
                        ),
                        Some(key) if cursor.seen.insert(key) => {
                            let key = key.to_owned();
                            PageState::Fetch(cursor, Some(key))
                        }
                        Some(_) => fail(
                            ErrorKind::PaginationLoop,
                            "the server returned a pagination key it had already returned",
                        ),
                    };
                    Some((Ok(page), next))
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::EnvelopeInfo;
    use futures::StreamExt;
    use reqwest::StatusCode;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A page of `items` items naming `next`.
    struct TestPage {
        items: usize,
        next: Option<String>,
    }

    impl Paged for TestPage {
        fn next_key(&self) -> Option<&str> {
            self.next.as_deref()
        }
        fn is_empty(&self) -> bool {
            self.items == 0
        }
    }

    /// Drains a stream whose server answers page `n` (counting from 0) with `script(n)`;
    /// returns the pages' item counts, the final error and the number of fetches.
    async fn drain(
        script: impl Fn(usize) -> TestPage + Send + Sync + 'static,
    ) -> (Vec<usize>, Option<Error>, usize) {
        let fetches = Arc::new(AtomicUsize::new(0));
        let script = Arc::new(script);
        let counter = fetches.clone();
        let stream = pages("test", None, move |_key| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let script = script.clone();
            async move {
                Ok(Response::new(
                    script(n),
                    StatusCode::OK,
                    EnvelopeInfo::default(),
                ))
            }
        });
        let mut items = Vec::new();
        let mut error = None;
        futures::pin_mut!(stream);
        while let Some(page) = stream.next().await {
            match page {
                Ok(page) => items.push(page.items),
                Err(e) => error = Some(e),
            }
        }
        (items, error, fetches.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn empty_pages_with_fresh_keys_end_the_stream() {
        // Before the bound this never ended: every page was empty with a new key.
        let (items, error, fetches) = drain(|n| TestPage {
            items: 0,
            next: Some(format!("key-{n}")),
        })
        .await;
        assert_eq!(fetches, MAX_EMPTY_PAGES);
        assert_eq!(items, [0, 0, 0]);
        assert_eq!(
            error.expect("the test set this up").kind(),
            ErrorKind::PaginationLoop
        );
    }

    #[tokio::test]
    async fn an_empty_page_between_full_ones_is_followed() {
        let (items, error, _) = drain(|n| TestPage {
            items: if n % 3 == 1 { 0 } else { 5 },
            next: (n < 6).then(|| format!("key-{n}")),
        })
        .await;
        assert!(error.is_none());
        assert_eq!(items, [5, 0, 5, 5, 0, 5, 5]);
    }

    #[tokio::test]
    async fn a_key_longer_than_4_kib_is_not_followed() {
        let (items, error, fetches) = drain(|n| TestPage {
            items: 1,
            next: Some(format!("{n}{}", "k".repeat(MAX_KEY_BYTES))),
        })
        .await;
        assert_eq!((items.len(), fetches), (1, 1));
        assert_eq!(
            error.expect("the test set this up").kind(),
            ErrorKind::Decode
        );
    }

    #[tokio::test]
    async fn pages_are_bounded() {
        let (items, error, fetches) = drain(|n| TestPage {
            items: 1,
            next: Some(n.to_string()),
        })
        .await;
        assert_eq!((items.len(), fetches), (MAX_PAGES, MAX_PAGES));
        assert_eq!(
            error.expect("the test set this up").kind(),
            ErrorKind::PaginationLoop
        );
    }

    #[tokio::test]
    async fn a_repeated_key_is_still_a_loop() {
        let (items, error, _) = drain(|n| TestPage {
            items: 1,
            next: Some(if n < 2 { n.to_string() } else { "0".into() }),
        })
        .await;
        assert_eq!(items.len(), 3);
        assert_eq!(
            error.expect("the test set this up").kind(),
            ErrorKind::PaginationLoop
        );
    }

    #[test]
    fn seen_keys_are_fixed_size_digests() {
        let mut seen = SeenKeys::new();
        assert!(seen.insert(&"x".repeat(4096)));
        assert!(!seen.insert(&"x".repeat(4096)));
        assert!(seen.insert("y"));
        assert_eq!(seen.digests.len(), 2);
    }
}
