//! The cache itself (feature `read-cache`): moka underneath, generations, fingerprints.

use super::Entry;
use crate::clock::Clock;
use crate::error::{Error, ErrorKind, Result};
use crate::response::Response;
use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The longest real-time life of an entry, whatever the configured time to live.
const MAX_REAL_TIME_TO_LIVE: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// Settings of the read cache (off unless given to
/// [`ClientBuilder::read_cache`](crate::ClientBuilder::read_cache)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
#[cfg_attr(docsrs, doc(cfg(feature = "read-cache")))]
pub struct ReadCacheConfig {
    time_to_live: Duration,
    max_entries: u64,
}

impl ReadCacheConfig {
    /// Entries live `time_to_live`; at most 10,000 are kept.
    pub fn new(time_to_live: Duration) -> Self {
        Self {
            time_to_live,
            max_entries: 10_000,
        }
    }

    /// Keeps at most this many entries (users and list pages), evicting the least used.
    pub fn max_entries(mut self, max_entries: u64) -> Self {
        self.max_entries = max_entries;
        self
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
}

/// The cache of one client, shared by its clones.
pub(crate) struct ReadCache {
    entries: moka::future::Cache<Key, Stored>,
    generations: Mutex<HashMap<String, u64>>,
    time_to_live: Duration,
    clock: Arc<dyn Clock>,
    fingerprints: RandomState,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl ReadCache {
    pub(crate) fn new(config: &ReadCacheConfig, clock: Arc<dyn Clock>) -> Self {
        let entries = moka::future::Cache::builder()
            .max_capacity(config.max_entries)
            // Real-time expiry bounds memory; the logical expiry below uses the client's clock.
            // moka refuses lives over 1,000 years: "never" is capped at a year.
            .time_to_live(config.time_to_live.min(MAX_REAL_TIME_TO_LIVE))
            .build();
        Self {
            entries,
            generations: Mutex::new(HashMap::new()),
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

    fn generation(&self, organization_id: &str) -> u64 {
        let generations = self
            .generations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        generations.get(organization_id).copied().unwrap_or(0)
    }

    /// Makes every cached read of the organization unreachable (after a write).
    pub(crate) fn invalidate_organization(&self, organization_id: &str) {
        let mut generations = self
            .generations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *generations.entry(organization_id.to_owned()).or_insert(0) += 1;
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
        T: Clone + Send + Sync + 'static,
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

    fn store<T: Send + Sync + 'static>(&self, response: Response<T>) -> Stored {
        Stored {
            value: Arc::new(response),
            stored_at: self.clock.now(),
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
