//! The wall clock that webhook timestamps are checked against.
//!
//! Webhook timestamps are Unix seconds from Parchment's clock, so they are compared with the
//! system's wall clock (not the monotonic clock the rest of the SDK ages tokens with). Tests
//! replace it with `testing::webhooks::ManualWallClock` (feature `testing`).

use std::fmt;
use std::time::SystemTime;

/// A source of the current wall-clock time.
pub trait WallClock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system's wall clock (keep it synchronised with NTP: skew makes deliveries stale).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemWallClock;

impl WallClock for SystemWallClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}
