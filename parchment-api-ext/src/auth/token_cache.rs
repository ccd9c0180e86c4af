//! Cached access tokens, one per (organization, acting user, scope set, credentials), fetched
//! single-flight.
//!
//! However many calls find a slot empty or due for renewal at once, one token request is made:
//! the first caller starts it as a shared future and the others await the same future. A
//! failure fails every caller that waited on that request and leaves no entry behind, unless
//! the token being renewed is still valid: then it is kept and served until it expires. The
//! cache holds at most [`MAX_TOKENS`] entries: a service taking organization ids from its
//! requests cannot grow it without bound.

use crate::auth::scope::ScopeSet;
use crate::error::Error;
use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use reqwest::header::HeaderValue;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The longest a token is kept, whatever `expiresIn` says (Parchment's tokens last an hour).
pub(crate) const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The most tokens (and fetches under way) one client keeps. When full, expired tokens go
/// first, then those closest to expiry.
pub(crate) const MAX_TOKENS: usize = 10_000;

/// Which token a call needs. Holds ids, scope names and a keyed fingerprint of every
/// credential that obtains the token (partner id and secret, organization id and secret, acting
/// user, scopes), never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TokenKey {
    pub(crate) organization_id: String,
    pub(crate) acting_user: String,
    pub(crate) scopes: ScopeSet,
    pub(crate) credentials: u64,
}

/// An access token ready to send.
#[derive(Clone)]
pub(crate) struct Token {
    /// `Bearer ...`, marked sensitive.
    pub(crate) authorization: HeaderValue,
    /// When the server says it stops working.
    pub(crate) expires_at: Instant,
    /// When it should be replaced: `expires_at` less the safety margin.
    pub(crate) renew_at: Instant,
    /// Which fetch produced it, to drop exactly this token after a 401.
    pub(crate) serial: u64,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("authorization", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .field("serial", &self.serial)
            .finish()
    }
}

impl Token {
    /// A token issued at `issued_at`, valid `expires_in` (at most [`MAX_TOKEN_LIFETIME`]: a
    /// server's absurd expiry must neither overflow the clock nor pin a token for years), to be
    /// renewed `margin` before it ends (at most half its life, so that a short-lived token is
    /// still used).
    pub(crate) fn new(
        authorization: HeaderValue,
        issued_at: Instant,
        expires_in: Duration,
        margin: Duration,
        serial: u64,
    ) -> Self {
        let expires_in = expires_in.min(MAX_TOKEN_LIFETIME);
        let expires_at = issued_at + expires_in;
        let renew_at = expires_at - margin.min(expires_in / 2);
        Self {
            authorization,
            expires_at,
            renew_at,
            serial,
        }
    }
}

type TokenFetch = Shared<BoxFuture<'static, Result<Token, Error>>>;

enum Slot {
    Fetching {
        fetch: TokenFetch,
        serial: u64,
        /// The token being renewed, served if the renewal fails while it is still valid.
        previous: Option<Token>,
    },
    Ready(Token),
}

impl Slot {
    /// When the slot's token stops working (a fetch under way: never, it is kept first).
    fn expires_at(&self) -> Option<Instant> {
        match self {
            Slot::Ready(token) => Some(token.expires_at),
            Slot::Fetching { .. } => None,
        }
    }
}

/// A token and whether it was fetched for this call (as opposed to reused from the cache).
pub(crate) struct Obtained {
    pub(crate) token: Token,
    pub(crate) reused: bool,
}

/// The token cache of one client, shared by its clones.
#[derive(Default)]
pub(crate) struct TokenCache {
    slots: Mutex<HashMap<TokenKey, Slot>>,
    serials: AtomicU64,
}

impl TokenCache {
    /// The cached token for `key` if it is not due for renewal at `now`; otherwise the result of
    /// one shared request made with `fetch` (given the serial its token must carry).
    pub(crate) async fn get(
        &self,
        key: &TokenKey,
        now: Instant,
        fetch: impl FnOnce(u64) -> BoxFuture<'static, Result<Token, Error>>,
    ) -> Result<Obtained, Error> {
        let (pending, serial, previous) = {
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            match slots.get(key) {
                Some(Slot::Ready(token)) if now < token.renew_at => {
                    return Ok(Obtained {
                        token: token.clone(),
                        reused: true,
                    });
                }
                Some(Slot::Fetching {
                    fetch,
                    serial,
                    previous,
                }) => (fetch.clone(), *serial, previous.clone()),
                other => {
                    let previous = match other {
                        Some(Slot::Ready(token)) if now < token.expires_at => Some(token.clone()),
                        _ => None,
                    };
                    if other.is_none() && slots.len() >= MAX_TOKENS {
                        evict(&mut slots, now);
                    }
                    let serial = self.serials.fetch_add(1, Ordering::Relaxed) + 1;
                    let shared = fetch(serial).shared();
                    slots.insert(
                        key.clone(),
                        Slot::Fetching {
                            fetch: shared.clone(),
                            serial,
                            previous: previous.clone(),
                        },
                    );
                    (shared, serial, previous)
                }
            }
        };
        let result = pending.await;
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let ours = matches!(
            slots.get(key),
            Some(Slot::Fetching { serial: current, .. }) if *current == serial
        );
        match result {
            Ok(token) => {
                if ours {
                    slots.insert(key.clone(), Slot::Ready(token.clone()));
                }
                Ok(Obtained {
                    token,
                    reused: false,
                })
            }
            // A failed renewal keeps the token it was renewing while that still works.
            Err(error) => match previous {
                Some(token) if now < token.expires_at => {
                    if ours {
                        slots.insert(key.clone(), Slot::Ready(token.clone()));
                    }
                    tracing::info!(
                        kind = ?error.kind(),
                        request_id = error.request_id(),
                        "token renewal failed; the current token is still valid and kept"
                    );
                    Ok(Obtained {
                        token,
                        reused: true,
                    })
                }
                _ => {
                    if ours {
                        slots.remove(key);
                    }
                    Err(error)
                }
            },
        }
    }

    /// Drops the token with `serial` (one the server refused) for exactly these credentials,
    /// unless it was already replaced.
    pub(crate) fn discard(&self, key: &TokenKey, serial: u64) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if matches!(slots.get(key), Some(Slot::Ready(token)) if token.serial == serial) {
            slots.remove(key);
        }
    }

    /// How many entries (tokens and fetches under way) the cache holds.
    pub(crate) fn len(&self) -> usize {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// Makes room in a full cache: drops expired tokens, and if none had expired, the tenth of the
/// tokens closest to expiry (fetches under way are kept: callers wait on them).
fn evict(slots: &mut HashMap<TokenKey, Slot>, now: Instant) {
    slots.retain(|_, slot| slot.expires_at().is_none_or(|expires_at| now < expires_at));
    if slots.len() < MAX_TOKENS {
        return;
    }
    let mut expiries: Vec<Instant> = slots.values().filter_map(Slot::expires_at).collect();
    expiries.sort_unstable();
    if let Some(cutoff) = expiries.get(MAX_TOKENS / 10).copied() {
        slots.retain(|_, slot| {
            slot.expires_at()
                .is_none_or(|expires_at| expires_at > cutoff)
        });
    }
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("entries", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::scope::{Scope, ScopeSet};
    use crate::error::ErrorKind;
    use std::sync::atomic::AtomicUsize;

    fn key() -> TokenKey {
        TokenKey {
            organization_id: "org".into(),
            acting_user: "usr".into(),
            scopes: ScopeSet::new(&[Scope::ReadUser]),
            credentials: 1,
        }
    }

    fn token(serial: u64, now: Instant) -> Token {
        let value = HeaderValue::from_static("Bearer t");
        Token::new(
            value,
            now,
            Duration::from_secs(3600),
            Duration::from_secs(60),
            serial,
        )
    }

    #[tokio::test]
    async fn a_ready_token_is_reused_until_renewal_then_fetched_again() {
        let cache = TokenCache::default();
        let start = Instant::now();
        let fetches = AtomicUsize::new(0);
        let fetch = |serial| {
            fetches.fetch_add(1, Ordering::SeqCst);
            async move { Ok(token(serial, start)) }.boxed()
        };
        assert!(
            !cache
                .get(&key(), start, fetch)
                .await
                .expect("fetched")
                .reused
        );
        let later = start + Duration::from_secs(3539);
        let fetch = |serial| {
            fetches.fetch_add(1, Ordering::SeqCst);
            async move { Ok(token(serial, start)) }.boxed()
        };
        assert!(
            cache
                .get(&key(), later, fetch)
                .await
                .expect("cached")
                .reused
        );
        let due = start + Duration::from_secs(3540);
        let fetch = |serial| {
            fetches.fetch_add(1, Ordering::SeqCst);
            async move { Ok(token(serial, due)) }.boxed()
        };
        assert!(!cache.get(&key(), due, fetch).await.expect("renewed").reused);
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_fetch_leaves_the_slot_empty_for_the_next_call() {
        let cache = TokenCache::default();
        let now = Instant::now();
        let failing =
            |_| async { Err(Error::new(ErrorKind::Unauthorized, "create token", "no")) }.boxed();
        assert!(cache.get(&key(), now, failing).await.is_err());
        let ok = |serial| async move { Ok(token(serial, now)) }.boxed();
        assert!(
            !cache
                .get(&key(), now, ok)
                .await
                .expect("fetched anew")
                .reused
        );
    }

    #[tokio::test]
    async fn failed_fetches_leave_no_entry_and_a_full_cache_makes_room() {
        let cache = TokenCache::default();
        let now = Instant::now();
        for n in 0..20 {
            let failing = |_| {
                async { Err(Error::new(ErrorKind::Unauthorized, "create token", "no")) }.boxed()
            };
            let key = TokenKey {
                organization_id: format!("org{n}"),
                ..key()
            };
            assert!(cache.get(&key, now, failing).await.is_err());
        }
        assert_eq!(cache.len(), 0, "no entry per failed fetch");

        for n in 0..MAX_TOKENS + 5 {
            let key = TokenKey {
                organization_id: format!("org{n}"),
                ..key()
            };
            let ok = |serial| async move { Ok(token(serial, now)) }.boxed();
            cache.get(&key, now, ok).await.expect("issued");
        }
        assert!(cache.len() <= MAX_TOKENS, "bounded: {}", cache.len());
    }

    #[tokio::test]
    async fn a_failed_renewal_serves_the_still_valid_token() {
        let cache = TokenCache::default();
        let start = Instant::now();
        let ok = |serial| async move { Ok(token(serial, start)) }.boxed();
        cache.get(&key(), start, ok).await.expect("issued");
        let due = start + Duration::from_secs(3550);
        let failing =
            |_| async { Err(Error::new(ErrorKind::Server, "create token", "down")) }.boxed();
        let kept = cache
            .get(&key(), due, failing)
            .await
            .expect("the old token");
        assert!(kept.reused);
        let expired = start + Duration::from_secs(3600);
        let failing =
            |_| async { Err(Error::new(ErrorKind::Server, "create token", "down")) }.boxed();
        assert!(cache.get(&key(), expired, failing).await.is_err());
    }

    #[test]
    fn an_absurd_expiry_is_capped_not_overflowed() {
        let now = Instant::now();
        let value = HeaderValue::from_static("Bearer t");
        let token = Token::new(
            value,
            now,
            Duration::from_secs(u64::MAX),
            Duration::from_secs(60),
            1,
        );
        assert_eq!(token.expires_at, now + MAX_TOKEN_LIFETIME);
    }

    #[test]
    fn a_short_lived_token_is_renewed_at_half_life_not_before_it_is_issued() {
        let now = Instant::now();
        let value = HeaderValue::from_static("Bearer t");
        let token = Token::new(
            value,
            now,
            Duration::from_secs(30),
            Duration::from_secs(60),
            1,
        );
        assert_eq!(token.renew_at, now + Duration::from_secs(15));
    }
}
