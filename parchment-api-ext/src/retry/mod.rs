//! When a failed attempt is tried again, and after how long.
//!
//! One place decides: [`RetryPolicy::decide`] looks at the error, whether the operation is
//! idempotent, the attempt number, the time left before the call's deadline, and the client's
//! shared [`RetryBudget`]. GET and PUT (idempotent here: PUT replaces) are retried on 408, 429,
//! 500, 502, 503, 504, time-outs and broken connections; POST (create user, token) only when
//! the connection could not be made, so the request provably never arrived.

mod budget;
mod rate_limit;

pub(crate) use budget::RetryBudget;
pub(crate) use rate_limit::RateLimiter;

use crate::error::{Error, ErrorKind};
use std::time::Duration;

/// How failed attempts are retried. The default: 3 attempts in all, backoff from 100 ms
/// doubling to at most 5 s with jitter, and a server's `Retry-After` honoured up to 30 s.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The default policy (see the type's documentation).
    pub fn new() -> Self {
        Self::default()
    }

    /// No retries: every failure is returned as it happens.
    pub fn never() -> Self {
        Self::default().max_attempts(1)
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff before the first retry; it doubles with each retry up to
    /// [`max_backoff`](Self::max_backoff). Each wait is drawn between half and all of it.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest backoff between two attempts.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest `Retry-After` the client waits. A server asking for more gets its error
    /// returned at once, with [`Error::retry_after`] set, for the caller to schedule.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The backoff before retry number `retry` (1 for the first), with jitter.
    fn backoff(&self, retry: u32) -> Duration {
        let doubling = 2u32.saturating_pow(retry.saturating_sub(1));
        let ceiling = self
            .initial_backoff
            .saturating_mul(doubling)
            .min(self.max_backoff);
        let half = ceiling / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// Whether and when to try again after `error` on attempt `attempt` (1-based).
    pub(crate) fn decide(&self, error: &Error, attempt: CallState<'_>) -> Decision {
        if attempt.number >= self.max_attempts {
            return Decision::GiveUp("attempts exhausted");
        }
        if !retryable(error, attempt.idempotent) {
            return Decision::GiveUp("not retryable");
        }
        let wait = match error.retry_after() {
            Some(asked) if asked > self.max_retry_after => {
                return Decision::GiveUp("Retry-After beyond the policy's limit");
            }
            Some(asked) => asked,
            None => self.backoff(attempt.number),
        };
        if attempt.time_left.is_some_and(|left| wait >= left) {
            return Decision::GiveUp("the wait would pass the call's deadline");
        }
        let cost = if error.kind() == ErrorKind::Timeout {
            budget::TIMEOUT_COST
        } else {
            budget::RETRY_COST
        };
        if !attempt.budget.withdraw(cost) {
            return Decision::GiveUp("the client's retry budget is spent");
        }
        Decision::RetryAfter(wait)
    }
}

/// Where a call stands when an attempt failed.
pub(crate) struct CallState<'a> {
    /// The attempt that failed, 1-based.
    pub(crate) number: u32,
    /// Whether the operation may be repeated without effect (GET, PUT).
    pub(crate) idempotent: bool,
    /// Time left before the call's deadline, if it has one.
    pub(crate) time_left: Option<Duration>,
    /// The client's retry budget.
    pub(crate) budget: &'a RetryBudget,
}

/// What to do after a failed attempt.
#[derive(Debug, PartialEq)]
pub(crate) enum Decision {
    /// Try again after this wait.
    RetryAfter(Duration),
    /// Return the error; the reason is for the logs.
    GiveUp(&'static str),
}

/// Whether `error` may go away if the same request is sent again.
fn retryable(error: &Error, idempotent: bool) -> bool {
    if !idempotent {
        // A POST that reached the server may have taken effect: repeat it only if it never left.
        return error.is_connect();
    }
    error.is_retryable()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    fn status_error(status: u16) -> Error {
        let status = StatusCode::from_u16(status).expect("a valid status");
        Error::new(ErrorKind::from_status(status), "read user", "failed").with_status(status)
    }

    fn state(number: u32, idempotent: bool, budget: &RetryBudget) -> CallState<'_> {
        CallState {
            number,
            idempotent,
            time_left: None,
            budget,
        }
    }

    #[test]
    fn retries_only_the_documented_transient_statuses() {
        let budget = RetryBudget::default();
        let policy = RetryPolicy::default();
        for status in [408, 429, 500, 502, 503, 504] {
            let decision = policy.decide(&status_error(status), state(1, true, &budget));
            assert!(
                matches!(decision, Decision::RetryAfter(_)),
                "{status}: {decision:?}"
            );
        }
        for status in [400, 401, 403, 404, 409, 422, 501] {
            let decision = policy.decide(&status_error(status), state(1, true, &budget));
            assert_eq!(decision, Decision::GiveUp("not retryable"), "{status}");
        }
    }

    #[test]
    fn a_post_is_retried_only_when_it_never_left() {
        let budget = RetryBudget::default();
        let policy = RetryPolicy::default();
        let decision = policy.decide(&status_error(503), state(1, false, &budget));
        assert_eq!(decision, Decision::GiveUp("not retryable"));
        let refused = Error::new(ErrorKind::Transport, "create user", "could not connect")
            .with_connect_failure();
        assert!(matches!(
            policy.decide(&refused, state(1, false, &budget)),
            Decision::RetryAfter(_)
        ));
    }

    #[test]
    fn stops_after_max_attempts() {
        let budget = RetryBudget::default();
        let policy = RetryPolicy::default().max_attempts(2);
        assert!(matches!(
            policy.decide(&status_error(503), state(1, true, &budget)),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            policy.decide(&status_error(503), state(2, true, &budget)),
            Decision::GiveUp("attempts exhausted")
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(300));
        for _ in 0..100 {
            let first = policy.backoff(1);
            assert!(
                first >= Duration::from_millis(50) && first <= Duration::from_millis(100),
                "{first:?}"
            );
            let second = policy.backoff(2);
            assert!(
                second >= Duration::from_millis(100) && second <= Duration::from_millis(200),
                "{second:?}"
            );
            let capped = policy.backoff(10);
            assert!(
                capped >= Duration::from_millis(150) && capped <= Duration::from_millis(300),
                "{capped:?}"
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap_and_the_deadline() {
        let budget = RetryBudget::default();
        let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(10));
        let asked =
            |seconds| status_error(429).with_retry_after(Some(Duration::from_secs(seconds)));
        assert_eq!(
            policy.decide(&asked(3), state(1, true, &budget)),
            Decision::RetryAfter(Duration::from_secs(3))
        );
        assert_eq!(
            policy.decide(&asked(11), state(1, true, &budget)),
            Decision::GiveUp("Retry-After beyond the policy's limit")
        );
        let short_deadline = CallState {
            time_left: Some(Duration::from_secs(2)),
            ..state(1, true, &budget)
        };
        assert_eq!(
            policy.decide(&asked(3), short_deadline),
            Decision::GiveUp("the wait would pass the call's deadline")
        );
    }

    #[test]
    fn a_spent_budget_stops_retries() {
        let budget = RetryBudget::new(budget::RETRY_COST);
        let policy = RetryPolicy::default();
        assert!(matches!(
            policy.decide(&status_error(503), state(1, true, &budget)),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            policy.decide(&status_error(503), state(1, true, &budget)),
            Decision::GiveUp("the client's retry budget is spent")
        );
    }
}
