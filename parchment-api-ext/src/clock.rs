//! The SDK's notion of "now", so that token expiry (and anything else that ages) can be tested
//! without waiting.

use std::fmt;
use std::time::Instant;

/// A source of the current instant. The default is the system's monotonic clock; tests use
/// `testing::ManualClock` (feature `testing`).
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> Instant;
}

/// The system's monotonic clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}
