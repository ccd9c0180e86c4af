//! [`ManualClock`]: time that moves only when a test says so.

use crate::clock::Clock;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A [`Clock`] for tests: starts at the moment it is made and moves only by
/// [`advance`](Self::advance). Give it to [`ClientBuilder::clock`](crate::ClientBuilder::clock)
/// (as an `Arc`) to test token expiry without waiting.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Instant>,
}

impl ManualClock {
    /// A clock standing at the present instant.
    pub fn new() -> Self {
        Self {
            now: Mutex::new(Instant::now()),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
