//! The cache itself (feature `read-cache`): moka underneath, generations, fingerprints.

use super::Entry;
use crate::clock::Clock;
use crate::error::{Error, ErrorKind, Result};
use crate::response::Response;
use serde::Serialize;
use std::any::Any;
use std::future::Future;
use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The longest real-time life of an entry, whatever the configured time to live.
const MAX_REAL_TIME_TO_LIVE: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// How many organization generations the cache keeps: a fixed table, whatever the number of
/// organizations a service reads (ids taken from requests must not grow memory). Organizations
/// whose ids land in one slot share a generation, so a write to one also retires the other's
/// entries: more misses, never a stale read (keys still name the organization).
const GENERATION_SLOTS: usize = 4096;

/// What an entry costs besides its data: the key's strings, moka's bookkeeping, the `Arc`.
const ENTRY_OVERHEAD_BYTES: u64 = 256;

/// Settings of the read cache (off unless given to
/// [`ClientBuilder::read_cache`](crate::ClientBuilder::read_cache)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
#[cfg_attr(docsrs, doc(cfg(feature = "read-cache")))]
pub struct ReadCacheConfig {
    time_to_live: Duration,
    max_entries: u64,
    max_bytes: u64,
}

impl ReadCacheConfig {
    /// Entries live `time_to_live`; at most 10,000 are kept, weighing at most 64 MiB together.
    pub fn new(time_to_live: Duration) -> Self {
        Self {
            time_to_live,
            max_entries: 10_000,
            max_bytes: 64 * 1024 * 1024,
        }
    }

    /// Keeps at most this many entries (users and list pages), evicting the least used.
    pub fn max_entries(mut self, max_entries: u64) -> Self {
        self.max_entries = max_entries;
        self
    }

    /// Keeps entries weighing at most this many bytes together, evicting the least used.
    ///
    /// An entry weighs the size of its data as JSON, plus its key and a fixed overhead: an
    /// estimate of the memory it holds, not an exact count. A page of 100 users weighs about
    /// as much as 100 users, so a count alone would not bound memory. Both limits apply.
    pub fn max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// The weight below which no entry counts: the byte budget shared out over the entry
    /// limit, so that small entries still count against `max_entries`.
    fn floor_weight(&self) -> u64 {
        self.max_bytes
            .checked_div(self.max_entries)
            .unwrap_or(self.max_bytes)
            .max(1)
    }
}

/// How the read cache has served so far (see [`Client::cache_stats`](crate::Client::cache_stats)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
#[cfg_attr(docsrs, doc(cfg(feature = "read-cache")))]
pub struct CacheStats {
    /// Reads served from the cache.
    pub hits: u64,
    /// Reads that went to Parchment (concurrent misses of one entry count once).
    pub misses: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    organization_id: String,
    generation: u64,
    credentials: u64,
    entry: Entry,
}

#[derive(Clone)]
struct Stored {
    value: Arc<dyn Any + Send + Sync>,
    stored_at: Instant,
    /// The data's size as JSON, in bytes, measured when it was stored.
    data_bytes: u64,
}

impl Key {
    fn bytes(&self) -> u64 {
        let entry = match &self.entry {
            Entry::User(user_id) => user_id.len(),
            Entry::Page { last_key, .. } => last_key.as_deref().map_or(0, str::len),
        };
        (self.organization_id.len() + entry) as u64
    }
}

/// The cache of one client, shared by its clones.
pub(crate) struct ReadCache {
    entries: moka::future::Cache<Key, Stored>,
    generations: Box<[AtomicU64]>,
    time_to_live: Duration,
    clock: Arc<dyn Clock>,
    fingerprints: RandomState,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl ReadCache {
    pub(crate) fn new(config: &ReadCacheConfig, clock: Arc<dyn Clock>) -> Self {
        // moka bounds one total weight; each entry weighs at least the floor, so the count of
        // entries stays within `max_entries` and their estimated size within `max_bytes`.
        let floor = config.floor_weight();
        let capacity = if config.max_entries == 0 {
            0
        } else {
            config.max_bytes.max(floor)
        };
        let entries = moka::future::Cache::builder()
            .max_capacity(capacity)
            .weigher(move |key: &Key, stored: &Stored| {
                let weight = stored.data_bytes + key.bytes() + ENTRY_OVERHEAD_BYTES;
                u32::try_from(weight.max(floor)).unwrap_or(u32::MAX)
            })
            // Real-time expiry bounds memory; the logical expiry below uses the client's clock.
            // moka refuses lives over 1,000 years: "never" is capped at a year.
            .time_to_live(config.time_to_live.min(MAX_REAL_TIME_TO_LIVE))
            .build();
        Self {
            entries,
            generations: (0..GENERATION_SLOTS).map(|_| AtomicU64::new(0)).collect(),
            time_to_live: config.time_to_live,
            clock,
            fingerprints: RandomState::new(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// A fingerprint of credentials: equal for equal credentials within this client, and not
    /// the credentials themselves.
    pub(crate) fn fingerprint(&self, credentials: impl Hash) -> u64 {
        self.fingerprints.hash_one(credentials)
    }

    /// The organization's slot in the generation table (keyed, so ids chosen by an outsider
    /// cannot be aimed at one slot).
    fn generation_slot(&self, organization_id: &str) -> &AtomicU64 {
        let slot = self.fingerprints.hash_one(("generation", organization_id)) as usize;
        &self.generations[slot % self.generations.len()]
    }

    fn generation(&self, organization_id: &str) -> u64 {
        self.generation_slot(organization_id)
            .load(Ordering::Acquire)
    }

    /// Makes every cached read of the organization unreachable (after a write).
    pub(crate) fn invalidate_organization(&self, organization_id: &str) {
        self.generation_slot(organization_id)
            .fetch_add(1, Ordering::AcqRel);
    }

    /// A guard that invalidates the organization when dropped: when the write it covers has
    /// returned, failed, or been cancelled by its caller (a dropped future may still have
    /// reached Parchment).
    pub(crate) fn invalidate_when_done<'a>(
        &'a self,
        organization_id: &'a str,
    ) -> InvalidateOnDrop<'a> {
        InvalidateOnDrop {
            cache: self,
            organization_id,
        }
    }

    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    /// The cached response for `entry` if it is younger than the time to live, else the one
    /// `fetch` returns (made once however many callers miss at once). `fresh` skips the lookup
    /// and stores the new response.
    pub(crate) async fn get_or_fetch<T, F>(
        &self,
        organization_id: &str,
        credentials: u64,
        entry: Entry,
        fresh: bool,
        fetch: F,
    ) -> Result<Response<T>>
    where
        T: Clone + Serialize + Send + Sync + 'static,
        F: Future<Output = Result<Response<T>>>,
    {
        let key = Key {
            organization_id: organization_id.to_owned(),
            generation: self.generation(organization_id),
            credentials,
            entry,
        };
        if fresh {
            self.misses.fetch_add(1, Ordering::Relaxed);
            return match fetch.await {
                Ok(response) => {
                    self.entries.insert(key, self.store(response.clone())).await;
                    Ok(response)
                }
                Err(error) => {
                    // Parchment just said the user is gone: the cache must not say otherwise.
                    if error.kind() == ErrorKind::NotFound {
                        self.entries.invalidate(&key).await;
                    }
                    Err(error)
                }
            };
        }
        if let Some(stored) = self.entries.get(&key).await {
            if let Some(response) = self.young(&stored) {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Ok(response);
            }
            self.entries.invalidate(&key).await;
        }
        let fetched_here = AtomicBool::new(false);
        let stored = self
            .entries
            .try_get_with(key, async {
                fetched_here.store(true, Ordering::Relaxed);
                self.misses.fetch_add(1, Ordering::Relaxed);
                fetch.await.map(|response| self.store(response))
            })
            .await
            .map_err(|error: Arc<Error>| Error::clone(&error))?;
        let response = downcast::<T>(&stored)?;
        if fetched_here.load(Ordering::Relaxed) {
            Ok(response)
        } else {
            // Another caller's request filled the entry while this one waited.
            self.hits.fetch_add(1, Ordering::Relaxed);
            Ok(response.served_from_cache())
        }
    }

    fn store<T: Serialize + Send + Sync + 'static>(&self, response: Response<T>) -> Stored {
        let data_bytes = json_size(&*response);
        Stored {
            value: Arc::new(response),
            stored_at: self.clock.now(),
            data_bytes,
        }
    }

    /// The stored response, marked as cached, if it has not outlived the time to live.
    fn young<T: Clone + 'static>(&self, stored: &Stored) -> Option<Response<T>> {
        let age = self.clock.now().saturating_duration_since(stored.stored_at);
        if age >= self.time_to_live {
            return None;
        }
        downcast::<T>(stored).ok().map(Response::served_from_cache)
    }
}

/// See [`ReadCache::invalidate_when_done`].
pub(crate) struct InvalidateOnDrop<'a> {
    cache: &'a ReadCache,
    organization_id: &'a str,
}

impl Drop for InvalidateOnDrop<'_> {
    fn drop(&mut self) {
        self.cache.invalidate_organization(self.organization_id);
    }
}

/// The size of `value` as JSON, counted without building the text.
fn json_size(value: &impl Serialize) -> u64 {
    struct ByteCounter(u64);
    impl std::io::Write for ByteCounter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len() as u64;
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = ByteCounter(0);
    // Serializing our own models cannot fail; if it did, the entry would weigh the floor.
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
}

fn downcast<T: Clone + 'static>(stored: &Stored) -> Result<Response<T>> {
    stored
        .value
        .downcast_ref::<Response<T>>()
        .cloned()
        // Keys name what they hold, so a mismatch cannot happen; report it rather than panic.
        .ok_or_else(|| Error::configuration("the read cache held another kind of value"))
}

impl std::fmt::Debug for ReadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadCache")
            .field("time_to_live", &self.time_to_live)
            .field("entries", &self.entries.entry_count())
            .field("stats", &self.stats())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::response::EnvelopeInfo;
    use reqwest::StatusCode;

    fn cache(config: &ReadCacheConfig) -> ReadCache {
        ReadCache::new(config, Arc::new(SystemClock))
    }

    /// Reads `count` users of `bytes` bytes each into the cache, then lets moka settle.
    async fn fill(cache: &ReadCache, count: usize, bytes: usize) {
        for index in 0..count {
            let response =
                Response::new("x".repeat(bytes), StatusCode::OK, EnvelopeInfo::default());
            let entry = Entry::User(format!("user-{index}"));
            cache
                .get_or_fetch("org-1", 7, entry, false, async { Ok(response) })
                .await
                .expect("the fetch succeeds");
        }
        cache.entries.run_pending_tasks().await;
    }

    #[tokio::test]
    async fn large_entries_are_held_to_the_byte_budget() {
        let config = ReadCacheConfig::new(Duration::from_secs(60))
            .max_entries(10_000)
            .max_bytes(1024 * 1024);
        let cache = cache(&config);
        // 200 entries of 64 KiB each: 12.8 MiB offered, far fewer entries than the count limit.
        fill(&cache, 200, 64 * 1024).await;
        assert!(
            cache.entries.weighted_size() <= 1024 * 1024,
            "weighed {} bytes",
            cache.entries.weighted_size()
        );
        assert!(
            cache.entries.entry_count() <= 16,
            "{} entries",
            cache.entries.entry_count()
        );
    }

    #[tokio::test]
    async fn small_entries_are_still_held_to_the_entry_limit() {
        let config = ReadCacheConfig::new(Duration::from_secs(60)).max_entries(50);
        let cache = cache(&config);
        fill(&cache, 500, 10).await;
        assert!(
            cache.entries.entry_count() <= 50,
            "{} entries",
            cache.entries.entry_count()
        );
        assert!(cache.entries.entry_count() > 0, "the cache keeps something");
    }

    #[tokio::test]
    async fn a_cache_of_no_entries_keeps_none() {
        let config = ReadCacheConfig::new(Duration::from_secs(60)).max_entries(0);
        let cache = cache(&config);
        fill(&cache, 20, 10).await;
        assert_eq!(cache.entries.entry_count(), 0);
    }

    #[test]
    fn writes_to_any_number_of_organizations_share_the_fixed_table() {
        let cache = cache(&ReadCacheConfig::new(Duration::from_secs(60)));
        let writes = 200_000;
        for index in 0..writes {
            cache.invalidate_organization(&format!("org-{index}"));
        }
        // Each write moved exactly one of the table's slots on: the organizations share the
        // slots instead of adding entries of their own.
        let moved: u64 = cache
            .generations
            .iter()
            .map(|slot| slot.load(Ordering::Relaxed))
            .sum();
        assert_eq!(moved, writes);
        // Every organization written to has moved on from generation 0.
        assert!(cache.generation("org-12345") > 0);
        assert!(cache.generation("org-199999") > 0);
    }

    #[test]
    fn organizations_sharing_a_slot_drop_each_others_reads_and_never_keep_a_stale_one() {
        let cache = cache(&ReadCacheConfig::new(Duration::from_secs(60)));
        let same_slot =
            |a: &str, b: &str| std::ptr::eq(cache.generation_slot(a), cache.generation_slot(b));
        let neighbour = (1..100_000)
            .map(|index| format!("org-{index}"))
            .find(|id| same_slot(id, "org-0"))
            .expect("a table of 4096 slots has a neighbour of org-0 among 100,000 ids");
        let before = cache.generation(&neighbour);
        cache.invalidate_organization("org-0");
        // A collision costs the neighbour its cached reads (one more miss), never a stale hit.
        assert_eq!(cache.generation(&neighbour), before + 1);
    }

    #[test]
    fn a_write_moves_its_own_organization_on() {
        let cache = cache(&ReadCacheConfig::new(Duration::from_secs(60)));
        let before = cache.generation("org-1");
        cache.invalidate_organization("org-1");
        assert_eq!(cache.generation("org-1"), before + 1);
    }

    #[test]
    fn json_size_counts_the_serialized_bytes() {
        assert_eq!(json_size(&"abc"), 5);
        assert_eq!(json_size(&vec![1, 2, 3]), 7);
    }
}
