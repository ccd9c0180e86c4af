//! [`RateLimiter`]: an optional cap on requests per second, shared by all clones of a client.
//!
//! Each request takes the next free slot on an evenly spaced schedule (a leaky bucket without
//! bursts); a caller whose slot is in the future waits for it. Slots are handed out under a
//! lock but waited for outside it.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tokio::time::Instant;

/// Spaces requests at least `interval` apart.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    interval: Duration,
    next_free: Mutex<Instant>,
}

impl RateLimiter {
    /// At most `per_second` requests a second (values below one a minute are raised to it).
    pub(crate) fn per_second(per_second: f64) -> Self {
        let per_second = per_second.max(1.0 / 60.0);
        Self {
            interval: Duration::from_secs_f64(1.0 / per_second),
            next_free: Mutex::new(Instant::now()),
        }
    }

    /// Waits for this request's slot.
    pub(crate) async fn acquire(&self) {
        let slot = {
            let mut next_free = self
                .next_free
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let slot = (*next_free).max(Instant::now());
            *next_free = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_by_the_interval() {
        let limiter = RateLimiter::per_second(10.0);
        let start = Instant::now();
        for _ in 0..5 {
            limiter.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::from_millis(400));
    }
}
