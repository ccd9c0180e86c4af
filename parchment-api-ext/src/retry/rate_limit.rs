//! [`RateLimiter`]: an optional cap on requests per second, shared by all clones of a client.
//!
//! Each request takes the next free slot on an evenly spaced schedule (a leaky bucket without
//! bursts); a caller whose slot is in the future waits for it. Slots are handed out under a
//! lock but waited for outside it.
//!
//! Two promises beyond spacing: a caller never waits past its call's deadline (a slot that
//! falls after the deadline is refused at once, with the slot given back), and a caller that
//! stops waiting (its future dropped: cancelled, or timed out by the caller) gives its slot
//! back, so the callers behind it are not delayed by someone who is no longer there. A given
//! back slot goes to the next caller that asks while that slot is still ahead.

use std::collections::BTreeSet;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tokio::time::Instant;

/// Spaces requests at least `interval` apart.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    interval: Duration,
    schedule: Mutex<Schedule>,
}

#[derive(Debug)]
struct Schedule {
    /// The first slot never handed out.
    next_free: Instant,
    /// Slots handed out and given back before their time; each is `interval` from its
    /// neighbours, so reusing one keeps the spacing.
    returned: BTreeSet<Instant>,
}

/// The slot a caller's wait would need is after its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PastDeadline {
    /// How long the caller would have had to wait.
    pub(crate) wait: Duration,
}

impl RateLimiter {
    /// At most `per_second` requests a second (values below one a minute, and NaN, are raised
    /// to one a minute; infinite and huge values are capped at a million a second).
    pub(crate) fn per_second(per_second: f64) -> Self {
        let per_second = if per_second.is_nan() {
            1.0 / 60.0
        } else {
            per_second.clamp(1.0 / 60.0, 1e6)
        };
        Self {
            interval: Duration::from_secs_f64(1.0 / per_second),
            schedule: Mutex::new(Schedule {
                next_free: Instant::now(),
                returned: BTreeSet::new(),
            }),
        }
    }

    fn schedule(&self) -> std::sync::MutexGuard<'_, Schedule> {
        self.schedule.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for this request's slot, or refuses at once when the slot would come after
    /// `deadline`. Dropping the returned future before it completes gives the slot back.
    pub(crate) async fn acquire(&self, deadline: Option<Instant>) -> Result<(), PastDeadline> {
        let now = Instant::now();
        let slot = {
            let mut schedule = self.schedule();
            // Slots given back that are already due are gaps in the past: nobody can use them.
            let due = schedule.returned.split_off(&now);
            schedule.returned = due;
            let slot = match schedule.returned.pop_first() {
                Some(slot) => slot,
                None => {
                    let slot = schedule.next_free.max(now);
                    schedule.next_free = slot + self.interval;
                    slot
                }
            };
            if let Some(deadline) = deadline
                && slot > deadline
            {
                give_back(&mut schedule, slot, self.interval);
                return Err(PastDeadline { wait: slot - now });
            }
            slot
        };
        let mut held = Held {
            limiter: self,
            slot,
            done: false,
        };
        tokio::time::sleep_until(slot).await;
        held.done = true;
        Ok(())
    }
}

/// Returns `slot` to the schedule: the last slot handed out rewinds the schedule, any other
/// is kept for the next caller.
fn give_back(schedule: &mut Schedule, slot: Instant, interval: Duration) {
    if slot + interval == schedule.next_free {
        schedule.next_free = slot;
        // Returned slots just before it may now rewind the schedule too.
        while let Some(&last) = schedule.returned.last()
            && last + interval == schedule.next_free
        {
            schedule.returned.pop_last();
            schedule.next_free = last;
        }
    } else {
        schedule.returned.insert(slot);
    }
}

/// A slot being waited for; given back if the wait does not finish.
struct Held<'a> {
    limiter: &'a RateLimiter,
    slot: Instant,
    done: bool,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if !self.done && self.slot > Instant::now() {
            let mut schedule = self.limiter.schedule();
            give_back(&mut schedule, self.slot, self.limiter.interval);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_by_the_interval() {
        let limiter = RateLimiter::per_second(10.0);
        let start = Instant::now();
        for _ in 0..5 {
            limiter.acquire(None).await.expect("the test set this up");
        }
        assert_eq!(start.elapsed(), Duration::from_millis(400));
    }

    #[tokio::test(start_paused = true)]
    async fn a_slot_past_the_deadline_is_refused_at_once_and_not_kept() {
        let limiter = RateLimiter::per_second(1.0);
        let start = Instant::now();
        limiter.acquire(None).await.expect("the test set this up"); // slot 0; the next is at 1 s
        let refused = limiter
            .acquire(Some(start + Duration::from_millis(500)))
            .await;
        assert_eq!(
            refused,
            Err(PastDeadline {
                wait: Duration::from_secs(1)
            })
        );
        assert_eq!(
            start.elapsed(),
            Duration::ZERO,
            "no sleeping past the deadline"
        );
        // The refused slot was given back: the next caller gets 1 s, not 2 s.
        limiter.acquire(None).await.expect("the test set this up");
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_waiter_gives_its_slot_back() {
        let limiter = Arc::new(RateLimiter::per_second(1.0));
        let start = Instant::now();
        limiter.acquire(None).await.expect("the test set this up"); // 0 s
        // Three waiters take 1 s, 2 s and 3 s; the first two give up after 100 ms.
        let waiter = |limiter: Arc<RateLimiter>| async move { limiter.acquire(None).await };
        let first = tokio::spawn(waiter(limiter.clone()));
        tokio::task::yield_now().await;
        let second = tokio::spawn(waiter(limiter.clone()));
        tokio::task::yield_now().await;
        let third = tokio::spawn(waiter(limiter.clone()));
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        first.abort();
        second.abort();
        assert!(
            first
                .await
                .expect_err("the task was aborted")
                .is_cancelled()
        );
        assert!(
            second
                .await
                .expect_err("the task was aborted")
                .is_cancelled()
        );
        // The next caller reuses the first given-back slot (1 s), the one after that the
        // second (2 s); without giving back they would wait until 4 s and 5 s.
        limiter.acquire(None).await.expect("the test set this up");
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        limiter.acquire(None).await.expect("the test set this up");
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        third
            .await
            .expect("the test set this up")
            .expect("the test set this up");
        assert_eq!(start.elapsed(), Duration::from_secs(3));
        // Then the schedule continues after the last slot handed out.
        limiter.acquire(None).await.expect("the test set this up");
        assert_eq!(start.elapsed(), Duration::from_secs(4));
    }

    #[tokio::test(start_paused = true)]
    async fn the_last_slot_given_back_rewinds_the_schedule() {
        let limiter = RateLimiter::per_second(1.0);
        let start = Instant::now();
        limiter.acquire(None).await.expect("the test set this up"); // 0 s
        let wait = limiter.acquire(None); // would be 1 s
        let _ = tokio::time::timeout(Duration::from_millis(10), wait).await;
        limiter.acquire(None).await.expect("the test set this up");
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[test]
    fn extreme_rates_do_not_panic() {
        for rate in [f64::NAN, 0.0, -1.0, f64::INFINITY, f64::NEG_INFINITY, 1e300] {
            let limiter = RateLimiter::per_second(rate);
            assert!(limiter.interval >= Duration::from_micros(1));
            assert!(limiter.interval <= Duration::from_secs(60));
        }
    }
}
