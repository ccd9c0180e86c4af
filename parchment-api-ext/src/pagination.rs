//! The lazy page stream every cursor-paginated list shares: fetch a page, follow its next key,
//! stop after the page without one, and refuse to follow a key the server already returned.

use crate::error::{Error, ErrorKind, Result};
use crate::response::Response;
use futures::{Stream, stream};
use std::collections::HashSet;
use std::future::Future;

/// A page that may name the key of the next one.
pub(crate) trait Paged {
    /// The next page's key; `None` on the last page.
    fn next_key(&self) -> Option<&str>;
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
    seen: HashSet<String>,
}

/// Every page, lazily (a page is fetched when the previous one has been consumed), starting
/// after `start`. Ends after the page without a next key; a key the server already returned
/// ends it with [`ErrorKind::PaginationLoop`] (after that page, which is good) rather than loop
/// forever. After an error the stream ends.
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
    let mut seen = HashSet::new();
    seen.extend(start.clone());
    let cursor = Cursor { fetch, seen };
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
                    let next = match page.next_key().map(str::to_owned) {
                        None => PageState::Done,
                        Some(key) if cursor.seen.insert(key.clone()) => {
                            PageState::Fetch(cursor, Some(key))
                        }
                        Some(_) => PageState::Fail(
                            Error::new(
                                ErrorKind::PaginationLoop,
                                operation,
                                "the server returned a pagination key it had already returned",
                            )
                            .with_status(page.status())
                            .with_request_id(page.request_id().map(str::to_owned)),
                        ),
                    };
                    Some((Ok(page), next))
                }
            }
        },
    )
}
