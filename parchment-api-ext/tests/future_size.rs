//! The futures a caller holds stay small: executors and combinators move them, and a
//! kilobytes-large future was measured to cost a third of the SDK's own time per call (the
//! generated call, its decoded response and the cache's loading future are boxed where made).

use parchment_api_ext::{Client, ReadCacheConfig};
use std::time::Duration;

/// Generous for debug builds (release builds are smaller still); the unboxed state was 6-23 KB.
const LIMIT: usize = 2048;

fn client(cache: bool) -> Client {
    let builder = Client::builder()
        .base_url("http://127.0.0.1:9")
        .access_token("t")
        .organization_secret("s");
    let builder = if cache {
        builder.read_cache(ReadCacheConfig::new(Duration::from_secs(60)))
    } else {
        builder
    };
    builder.build().expect("a client")
}

#[test]
fn read_list_and_write_futures_stay_under_two_kilobytes() {
    for cache in [false, true] {
        let users = client(cache).organization("org").users();
        let sizes = [
            ("get", std::mem::size_of_val(&users.get("usr_1"))),
            ("list", std::mem::size_of_val(&users.list().send())),
            (
                "set_roles",
                std::mem::size_of_val(&users.set_roles("usr_1", [parchment_api_ext::Role::Admin])),
            ),
            ("disable", std::mem::size_of_val(&users.disable("usr_1"))),
        ];
        for (operation, size) in sizes {
            assert!(size <= LIMIT, "{operation} (cache {cache}): {size} bytes");
        }
    }
}
