//! Webhook deliveries: when a test writes a prescription, every registered (loopback)
//! endpoint gets a signed `prescription.created` event in the background, with Parchment's
//! documented behaviour: a time limit per attempt (10 s), up to 3 attempts with exponential
//! backoff, no retry on a 4xx except 408 and 429, the same `event_id` on every attempt.
//!
//! Signature: `X-Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, keyed with the
//! whole secret string as issued (`whsec_` prefix included), over the bytes `{t}.{raw body}`.
//! Each attempt is signed afresh at its own time, by the testing kit's
//! [`sign`](crate::testing::webhooks::sign): the one signer users test their handlers with.

use crate::testing::webhooks::sign;
use crate::webhooks::WebhookSecret;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// One attempt to deliver an event, as the fake's delivery log keeps it (no secret, no body).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// The event's id (`evt_` + 32 hex), the same on every attempt.
    pub event_id: String,
    /// `prescription.created`.
    pub event_type: String,
    /// The endpoint.
    pub url: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// What the endpoint did.
    pub outcome: DeliveryOutcome,
}

/// What one delivery attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryOutcome {
    /// The endpoint answered with this status.
    Status(u16),
    /// No answer within the attempt's time limit.
    TimedOut,
    /// The connection could not be made or broke.
    ConnectionFailed,
}

impl DeliveryOutcome {
    /// Whether another attempt follows (if any are left): anything but a 2xx, and a 4xx only
    /// when it is 408 or 429.
    fn retryable(self) -> bool {
        match self {
            Self::Status(status) if (200..300).contains(&status) => false,
            Self::Status(status) if (400..500).contains(&status) => status == 408 || status == 429,
            _ => true,
        }
    }
}

/// A webhook endpoint the fake refuses: it only delivers to loopback `http(s)` URLs, signed
/// with a secret Parchment could issue (not empty, no outer whitespace or control characters,
/// as [`WebhookSecret::new`] checks).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookUrlError {
    /// Why.
    pub reason: &'static str,
}

impl fmt::Display for WebhookUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "webhook URL refused: {}", self.reason)
    }
}

impl std::error::Error for WebhookUrlError {}

/// How the fake delivers (from [`FakeConfig`](super::FakeConfig)).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DeliveryPolicy {
    pub(crate) attempts: u32,
    pub(crate) first_backoff: Duration,
    pub(crate) timeout: Duration,
}

impl DeliveryPolicy {
    /// The pause before `attempt` (2, 3, ...): the first backoff, doubled each time.
    fn backoff_before(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(2).min(16);
        self.first_backoff.saturating_mul(1 << doublings)
    }
}

struct Endpoint {
    url: String,
    secret: WebhookSecret,
}

/// Counts a delivery as in flight until its task ends (or is aborted).
struct InFlight(watch::Sender<usize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// The registered endpoints, the delivery log, and the deliveries under way.
pub(crate) struct Webhooks {
    endpoints: Mutex<Vec<Endpoint>>,
    log: Mutex<Vec<WebhookDelivery>>,
    in_flight: watch::Sender<usize>,
    tasks: Mutex<JoinSet<()>>,
    client: reqwest::Client,
    policy: DeliveryPolicy,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One event to deliver.
pub(crate) struct Event {
    pub(crate) event_id: String,
    pub(crate) event_type: &'static str,
    pub(crate) body: String,
}

impl Webhooks {
    pub(crate) fn new(policy: DeliveryPolicy) -> Self {
        // Deliveries go to loopback only: no proxy, and no redirect can take them elsewhere.
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self {
            endpoints: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
            in_flight: watch::channel(0).0,
            tasks: Mutex::new(JoinSet::new()),
            client,
            policy,
        }
    }

    /// Registers a loopback endpoint.
    pub(crate) fn register(&self, url: &str, secret: &str) -> Result<(), WebhookUrlError> {
        let parsed = url::Url::parse(url).map_err(|_| WebhookUrlError {
            reason: "not a URL",
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(WebhookUrlError {
                reason: "the scheme must be http or https",
            });
        }
        let loopback = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
            None => false,
        };
        if !loopback {
            return Err(WebhookUrlError {
                reason: "the fake delivers to loopback addresses only",
            });
        }
        let secret = WebhookSecret::new(secret).map_err(|_| WebhookUrlError {
            reason: "the secret is empty or has outer whitespace or control characters",
        })?;
        lock(&self.endpoints).push(Endpoint {
            url: url.to_owned(),
            secret,
        });
        Ok(())
    }

    pub(crate) fn has_endpoints(&self) -> bool {
        !lock(&self.endpoints).is_empty()
    }

    pub(crate) fn deliveries(&self) -> Vec<WebhookDelivery> {
        lock(&self.log).clone()
    }

    /// Waits until no delivery is under way.
    pub(crate) async fn settled(&self) {
        let mut watching = self.in_flight.subscribe();
        let _ = watching.wait_for(|n| *n == 0).await;
    }

    /// Stops every delivery under way.
    pub(crate) fn abort_all(&self) {
        lock(&self.tasks).abort_all();
    }

    /// Starts delivering `event` to every endpoint, on `runtime`, in the background; `now`
    /// gives the fake's wall clock (unix seconds) when each attempt is signed.
    pub(crate) fn dispatch(
        self: &std::sync::Arc<Self>,
        runtime: &tokio::runtime::Handle,
        event: &Event,
        now: std::sync::Arc<dyn Fn() -> i64 + Send + Sync>,
    ) {
        let targets: Vec<(String, WebhookSecret)> = lock(&self.endpoints)
            .iter()
            .map(|e| (e.url.clone(), e.secret.clone()))
            .collect();
        let mut tasks = lock(&self.tasks);
        // Reap finished deliveries so that the set stays as small as what is under way.
        while tasks.try_join_next().is_some() {}
        for (url, secret) in targets {
            self.in_flight.send_modify(|n| *n += 1);
            let guard = InFlight(self.in_flight.clone());
            let this = self.clone();
            let (event_id, event_type, body) =
                (event.event_id.clone(), event.event_type, event.body.clone());
            let now = now.clone();
            tasks.spawn_on(
                async move {
                    let _guard = guard;
                    this.deliver(&url, &secret, &event_id, event_type, &body, &*now)
                        .await;
                },
                runtime,
            );
        }
    }

    async fn deliver(
        &self,
        url: &str,
        secret: &WebhookSecret,
        event_id: &str,
        event_type: &'static str,
        body: &str,
        now: &(dyn Fn() -> i64 + Send + Sync),
    ) {
        for attempt in 1..=self.policy.attempts.max(1) {
            if attempt > 1 {
                tokio::time::sleep(self.policy.backoff_before(attempt)).await;
            }
            // The fake's clock is never before 1970; a negative time would sign as 0.
            let timestamp = u64::try_from(now()).unwrap_or_default();
            let signature = sign(secret, body.as_bytes(), timestamp);
            let sent = self
                .client
                .post(url)
                .timeout(self.policy.timeout)
                .header("content-type", "application/json")
                .header("user-agent", "Parchment-Webhooks/1.0")
                .header("x-webhook-signature", signature)
                .body(body.to_owned())
                .send()
                .await;
            let outcome = match sent {
                Ok(response) => DeliveryOutcome::Status(response.status().as_u16()),
                Err(error) if error.is_timeout() => DeliveryOutcome::TimedOut,
                Err(_) => DeliveryOutcome::ConnectionFailed,
            };
            lock(&self.log).push(WebhookDelivery {
                event_id: event_id.to_owned(),
                event_type: event_type.to_owned(),
                url: url.to_owned(),
                attempt,
                outcome,
            });
            if !outcome.retryable() {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{DeliveryOutcome, DeliveryPolicy, Webhooks, sign};
    use crate::webhooks::WebhookSecret;
    use std::time::Duration;

    #[test]
    fn deliveries_are_signed_by_the_testing_kit() {
        // Computed independently: Python's hmac.new(b"whsec_test", b'1702465200.{"a":1}',
        // hashlib.sha256).hexdigest().
        let secret = WebhookSecret::new("whsec_test").expect("a valid secret");
        assert_eq!(
            sign(&secret, br#"{"a":1}"#, 1_702_465_200),
            "t=1702465200,v1=3a19fe6915ab6a091ef191cc6dcbf28f0599e3b066e42389b60911b634b517aa"
        );
    }

    #[test]
    fn an_endpoint_needs_a_secret_parchment_could_issue() {
        let hooks = Webhooks::new(DeliveryPolicy {
            attempts: 1,
            first_backoff: Duration::ZERO,
            timeout: Duration::from_secs(1),
        });
        for secret in ["", " whsec_x", "whsec_x\n"] {
            assert!(
                hooks.register("http://127.0.0.1:9/", secret).is_err(),
                "{secret:?}"
            );
        }
        assert!(hooks.register("http://127.0.0.1:9/", "whsec_x").is_ok());
    }

    #[test]
    fn retry_classes_and_backoff() {
        assert!(!DeliveryOutcome::Status(200).retryable());
        assert!(!DeliveryOutcome::Status(400).retryable());
        assert!(DeliveryOutcome::Status(408).retryable());
        assert!(DeliveryOutcome::Status(429).retryable());
        assert!(DeliveryOutcome::Status(500).retryable());
        assert!(DeliveryOutcome::TimedOut.retryable());
        let policy = DeliveryPolicy {
            attempts: 3,
            first_backoff: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
        };
        assert_eq!(policy.backoff_before(2), Duration::from_secs(1));
        assert_eq!(policy.backoff_before(3), Duration::from_secs(2));
        assert_eq!(policy.backoff_before(4), Duration::from_secs(4));
    }
}
