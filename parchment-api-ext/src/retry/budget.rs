//! [`RetryBudget`]: a token bucket shared by a client's calls, so that a sustained outage does
//! not multiply the traffic sent to Parchment.
//!
//! Every retry withdraws tokens (a time-out more, as it held a connection longest); every
//! success puts one back. When the bucket is empty, failures are returned without retry until
//! successes refill it. The numbers follow the AWS SDKs' standard retry quota.

use std::sync::atomic::{AtomicU32, Ordering};

/// Tokens a retry after an error response or a broken connection costs.
pub(crate) const RETRY_COST: u32 = 5;
/// Tokens a retry after a time-out costs.
pub(crate) const TIMEOUT_COST: u32 = 10;
/// Tokens a success returns.
const SUCCESS_REFUND: u32 = 1;
/// The bucket's size by default: 100 retries' worth.
pub(crate) const DEFAULT_CAPACITY: u32 = 500;

/// The shared retry budget of one client.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    capacity: u32,
    tokens: AtomicU32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl RetryBudget {
    /// A full bucket of `capacity` tokens.
    pub(crate) fn new(capacity: u32) -> Self {
        Self {
            capacity,
            tokens: AtomicU32::new(capacity),
        }
    }

    /// Takes `cost` tokens if there are that many.
    pub(crate) fn withdraw(&self, cost: u32) -> bool {
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |tokens| {
                tokens.checked_sub(cost)
            })
            .is_ok()
    }

    /// Puts a success's token back, up to the capacity.
    pub(crate) fn refund(&self) {
        let _at_capacity =
            self.tokens
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |tokens| {
                    (tokens < self.capacity).then(|| (tokens + SUCCESS_REFUND).min(self.capacity))
                });
    }

    /// Tokens left.
    #[cfg(test)]
    pub(crate) fn remaining(&self) -> u32 {
        self.tokens.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withdrawals_stop_at_empty_and_successes_refill_up_to_capacity() {
        let budget = RetryBudget::new(10);
        assert!(budget.withdraw(RETRY_COST));
        assert!(budget.withdraw(RETRY_COST));
        assert!(!budget.withdraw(RETRY_COST));
        for _ in 0..20 {
            budget.refund();
        }
        assert_eq!(budget.remaining(), 10);
    }
}
