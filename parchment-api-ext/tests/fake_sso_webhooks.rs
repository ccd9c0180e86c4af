//! FakeParchment's SSO links and webhook deliveries, observed from outside: `POST /v1/sso`
//! refuses each missing or wrong credential header, its link resolves once and not after it
//! expires; a written prescription reaches a loopback receiver as a signed
//! `prescription.created` (the HMAC recomputed here), retried on 5xx, 408 and 429 with
//! backoff and the same `event_id`, never on other 4xx, timed out per attempt, and never
//! blocking the write.

mod fake_wire;

use fake_wire::{ALL_SCOPES, Api, answer, http};
use hmac::{Hmac, Mac};
use parchment_api_ext::testing::{DeliveryOutcome, FakeConfig, FakeParchment};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const SECRET: &str = "whsec_test_5f2c8e1a9b7d4c3e";

fn sso_request(
    fake: &FakeParchment,
    skip: Option<&str>,
    wrong: Option<&str>,
) -> reqwest::RequestBuilder {
    let c = fake.credentials();
    let headers = [
        ("x-partner-id", c.partner_id.clone()),
        ("x-partner-secret", c.partner_secret.clone()),
        ("x-organization-id", c.organization_id.clone()),
        ("x-organization-secret", c.organization_secret.clone()),
        ("x-user-id", c.acting_user.clone()),
    ];
    let mut request = http().post(format!("{}/v1/sso", fake.base_url()));
    for (name, value) in headers {
        if skip == Some(name) {
            continue;
        }
        let value = if wrong == Some(name) {
            format!("{value}-wrong")
        } else {
            value
        };
        request = request.header(name, value);
    }
    request
}

async fn sso(fake: &FakeParchment, path: &str) -> fake_wire::Answer {
    answer(
        sso_request(fake, None, None)
            .json(&json!({"redirect_path": path}))
            .send()
            .await
            .expect("answered"),
    )
    .await
}

#[tokio::test]
async fn an_sso_link_points_at_the_fake_and_resolves_once() {
    let fake = FakeParchment::start().await;
    let issued = sso(&fake, "/dashboard/patients/abc-123/prescriptions").await;
    assert_eq!(issued.status, 200, "{:?}", issued.body);
    assert_eq!(issued.body["success"], json!(true));
    let data = &issued.body["data"];
    assert_eq!(data["expires_in"], json!(300));
    let token = data["sso_token"].as_str().expect("a token").to_owned();
    assert_eq!(token.split('.').count(), 3, "JWT-shaped");
    let url = data["redirect_url"].as_str().expect("a URL").to_owned();
    assert!(
        url.starts_with(&format!("{}/auth/sso?token=", fake.base_url())),
        "{url}"
    );
    assert!(
        url.ends_with("&redirect=%2Fdashboard%2Fpatients%2Fabc-123%2Fprescriptions"),
        "{url}"
    );

    let first = http().get(&url).send().await.expect("answered");
    assert_eq!(first.status().as_u16(), 302);
    assert_eq!(
        first
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/dashboard/patients/abc-123/prescriptions")
    );
    let second = answer(http().get(&url).send().await.expect("answered")).await;
    assert_eq!(second.status, 401);
    assert_eq!(second.body["success"], json!(false));
    assert_eq!(
        second.body["error"]["type"],
        json!("https://parchment.health/errors/authentication-required")
    );
    assert!(fake.resolve_sso_link(&url).is_none(), "used up");

    let log = format!("{:?}", fake.requests());
    assert!(!log.contains(&token), "the token is not logged: {log}");
}

#[tokio::test]
async fn the_helper_resolves_a_link_once_and_the_clock_expires_it() {
    let fake = FakeParchment::start().await;
    let c = fake.credentials().clone();
    let url = |answer: &fake_wire::Answer| {
        answer.body["data"]["redirect_url"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };

    let fresh = url(&sso(&fake, "/embed/prescriptions/approval").await);
    fake.advance_clock(Duration::from_secs(299));
    let signed_in = fake.resolve_sso_link(&fresh).expect("valid for 300 s");
    assert_eq!(signed_in.redirect_path, "/embed/prescriptions/approval");
    assert_eq!(signed_in.user_id, c.acting_user);
    assert_eq!(signed_in.organization_id, c.organization_id);
    assert!(fake.resolve_sso_link(&fresh).is_none());

    let stale = url(&sso(&fake, "/dashboard/patients/p1").await);
    fake.advance_clock(Duration::from_secs(301));
    assert!(fake.resolve_sso_link(&stale).is_none(), "expired");
    let stale_http = url(&sso(&fake, "/dashboard/patients/p2").await);
    fake.advance_clock(Duration::from_secs(301));
    assert_eq!(
        http()
            .get(&stale_http)
            .send()
            .await
            .expect("answered")
            .status()
            .as_u16(),
        401
    );
    assert!(
        fake.resolve_sso_link("http://127.0.0.1/auth/sso?token=made-up")
            .is_none()
    );
    assert!(fake.resolve_sso_link("not a url").is_none());
}

#[tokio::test]
async fn each_missing_or_wrong_sso_header_is_a_401_envelope() {
    let fake = FakeParchment::start().await;
    for header in [
        "x-partner-id",
        "x-partner-secret",
        "x-organization-id",
        "x-organization-secret",
        "x-user-id",
    ] {
        for (skip, wrong) in [(Some(header), None), (None, Some(header))] {
            let refused = answer(
                sso_request(&fake, skip, wrong)
                    .json(&json!({"redirect_path": "/dashboard"}))
                    .send()
                    .await
                    .expect("answered"),
            )
            .await;
            assert_eq!(refused.status, 401, "{header} skip={skip:?}");
            assert_eq!(refused.body["success"], json!(false));
            assert!(refused.body["error"]["title"].is_string());
            assert!(refused.body["requestId"].is_string());
            assert!(refused.body.get("data").is_none());
        }
    }
    // A bearer token is not what SSO takes.
    let api = Api::new(&fake, ALL_SCOPES).await;
    let bearer_only = http()
        .post(format!("{}/v1/sso", fake.base_url()))
        .bearer_auth(&api.token)
        .json(&json!({"redirect_path": "/dashboard"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(bearer_only.status().as_u16(), 401);
}

#[tokio::test]
async fn a_redirect_path_must_be_a_portal_path() {
    let fake = FakeParchment::start().await;
    let bad = [
        json!({"redirect_path": "dashboard"}),
        json!({"redirect_path": "//evil.example/x"}),
        json!({"redirect_path": "https://evil.example/x"}),
        json!({"redirect_path": "/a/../admin"}),
        json!({"redirect_path": "/a\nb"}),
        json!({"redirect_path": 42}),
        json!({}),
        json!({"redirect_path": "/ok", "extra": 1}),
    ];
    for body in bad {
        let refused = answer(
            sso_request(&fake, None, None)
                .json(&body)
                .send()
                .await
                .expect("answered"),
        )
        .await;
        assert_eq!(refused.status, 400, "{body}");
    }
    let with_query = sso(
        &fake,
        "/embed/patients/p1/prescriptions?custom_drug_id=d1&x=a%20b",
    )
    .await;
    assert_eq!(with_query.status, 200);
}

/// What the receiver saw of one delivery.
#[derive(Debug, Clone)]
struct Received {
    at: Instant,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// A loopback webhook receiver answering `statuses` in turn (then 200), or never answering.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

async fn receiver(statuses: &[u16], hang: bool) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bound");
    let url = format!(
        "http://{}/hooks/parchment",
        listener.local_addr().expect("addr")
    );
    let received = Arc::new(Mutex::new(Vec::new()));
    let statuses = Arc::new(Mutex::new(
        statuses.iter().copied().collect::<VecDeque<u16>>(),
    ));
    let seen = received.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (seen, statuses) = (seen.clone(), statuses.clone());
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    let Ok(n) = stream.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                    if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                        break end;
                    }
                };
                let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
                let headers: Vec<(String, String)> = head
                    .lines()
                    .skip(1)
                    .filter_map(|line| line.split_once(':'))
                    .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
                    .collect();
                let length: usize = headers
                    .iter()
                    .find(|(n, _)| n == "content-length")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                let mut body = buffer[head_end + 4..].to_vec();
                while body.len() < length {
                    let Ok(n) = stream.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    body.extend_from_slice(&chunk[..n]);
                }
                seen.lock().expect("lock").push(Received {
                    at: Instant::now(),
                    headers,
                    body,
                });
                if hang {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    return;
                }
                let status = statuses.lock().expect("lock").pop_front().unwrap_or(200);
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    });
    Receiver { url, received }
}

impl Receiver {
    fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }
}

fn quick() -> FakeConfig {
    FakeConfig::default().webhook_backoff(Duration::from_millis(20))
}

/// A fake, a registered receiver answering `statuses`, and a written prescription:
/// (fake, receiver, patient id, scid).
async fn deliver(
    config: FakeConfig,
    statuses: &[u16],
) -> (FakeParchment, Receiver, String, String) {
    let fake = FakeParchment::start_with(config).await;
    let hook = receiver(statuses, false).await;
    fake.register_webhook(&hook.url, SECRET).expect("loopback");
    let api = Api::new(&fake, ALL_SCOPES).await;
    let patient = api.new_patient("P-hook").await;
    let c = fake.credentials();
    let scid = fake
        .write_prescription(&c.organization_id, &c.acting_user, &patient)
        .expect("written");
    tokio::time::timeout(Duration::from_secs(20), fake.webhooks_settled())
        .await
        .expect("settles");
    (fake, hook, patient, scid)
}

/// Checks the signature header against the body with the secret, as a receiver would.
fn verify(received: &Received) -> i64 {
    let header = received.header("x-webhook-signature").expect("signed");
    let (t, v1) = header.split_once(',').expect("t and v1");
    let t = t.strip_prefix("t=").expect("t=");
    let v1 = v1.strip_prefix("v1=").expect("v1=");
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key");
    mac.update(format!("{t}.").as_bytes());
    mac.update(&received.body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v1, expected, "the signature holds");
    // A tampered body does not verify.
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key");
    mac.update(format!("{t}.").as_bytes());
    mac.update(&[&received.body[..], b" "].concat());
    let tampered: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_ne!(v1, tampered);
    t.parse().expect("unix seconds")
}

#[tokio::test]
async fn a_written_prescription_is_delivered_signed_and_shaped() {
    let (fake, hook, patient, scid) = deliver(quick(), &[]).await;
    let received = hook.received();
    assert_eq!(received.len(), 1);
    let delivery = &received[0];
    assert_eq!(delivery.header("content-type"), Some("application/json"));
    assert_eq!(
        delivery.header("user-agent"),
        Some("Parchment-Webhooks/1.0")
    );
    let t = verify(delivery);
    assert!((chrono::Utc::now().timestamp() - t).abs() < 60);
    let event = delivery.json();
    let c = fake.credentials();
    assert_eq!(event["event_type"], json!("prescription.created"));
    let event_id = event["event_id"].as_str().unwrap_or("");
    assert!(
        event_id.starts_with("evt_") && event_id.len() == 36,
        "{event_id}"
    );
    assert!(
        event_id[4..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert!(
        chrono::DateTime::parse_from_rfc3339(event["timestamp"].as_str().unwrap_or("")).is_ok()
    );
    assert_eq!(event["partner_id"], json!(c.partner_id));
    assert_eq!(event["organization_id"], json!(c.organization_id));
    assert_eq!(
        event["data"],
        json!({"patient_id": patient, "partner_patient_id": "P-hook", "user_id": c.acting_user, "scid": scid})
    );
    assert_eq!(
        event["metadata"],
        json!({"reserved_1": null, "reserved_2": null, "reserved_3": null})
    );
    let log = fake.webhook_deliveries();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].attempt, log[0].outcome),
        (1, DeliveryOutcome::Status(200))
    );
    assert_eq!(log[0].event_id, event_id);
    assert_eq!(log[0].url, hook.url);
    assert!(!format!("{log:?}").contains(SECRET), "no secret in the log");
}

#[tokio::test]
async fn a_500_is_retried_with_backoff_and_the_same_event() {
    let config = FakeConfig::default().webhook_backoff(Duration::from_millis(150));
    let (fake, hook, _, _) = deliver(config, &[500, 500]).await;
    let received = hook.received();
    assert_eq!(received.len(), 3);
    let ids: Vec<Value> = received
        .iter()
        .map(|r| r.json()["event_id"].clone())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert!(
        received.iter().all(|r| r.body == received[0].body),
        "the same bytes each time"
    );
    for r in &received {
        verify(r);
    }
    let (gap1, gap2) = (
        received[1].at - received[0].at,
        received[2].at - received[1].at,
    );
    assert!(gap1 >= Duration::from_millis(150), "{gap1:?}");
    assert!(gap2 >= Duration::from_millis(300), "doubled: {gap2:?}");
    let outcomes: Vec<(u32, DeliveryOutcome)> = fake
        .webhook_deliveries()
        .iter()
        .map(|d| (d.attempt, d.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            (1, DeliveryOutcome::Status(500)),
            (2, DeliveryOutcome::Status(500)),
            (3, DeliveryOutcome::Status(200))
        ]
    );
}

#[tokio::test]
async fn three_failures_end_the_delivery() {
    let (fake, hook, _, _) = deliver(quick(), &[503, 502, 500, 500]).await;
    assert_eq!(hook.received().len(), 3);
    assert_eq!(fake.webhook_deliveries().last().map(|d| d.attempt), Some(3));
}

#[tokio::test]
async fn a_4xx_is_not_retried_except_408_and_429() {
    for status in [400, 401, 404, 410, 422] {
        let (fake, hook, _, _) = deliver(quick(), &[status]).await;
        assert_eq!(hook.received().len(), 1, "{status}");
        assert_eq!(fake.webhook_deliveries().len(), 1, "{status}");
    }
    let (fake, hook, _, _) = deliver(quick(), &[408, 429]).await;
    assert_eq!(hook.received().len(), 3);
    let outcomes: Vec<DeliveryOutcome> = fake
        .webhook_deliveries()
        .iter()
        .map(|d| d.outcome)
        .collect();
    assert_eq!(
        outcomes,
        [
            DeliveryOutcome::Status(408),
            DeliveryOutcome::Status(429),
            DeliveryOutcome::Status(200)
        ]
    );
}

#[tokio::test]
async fn a_hanging_receiver_times_out_per_attempt_and_never_blocks_the_write() {
    let config = quick()
        .webhook_timeout(Duration::from_millis(200))
        .webhook_attempts(2);
    let fake = FakeParchment::start_with(config).await;
    let hook = receiver(&[], true).await;
    fake.register_webhook(&hook.url, SECRET).expect("loopback");
    let api = Api::new(&fake, ALL_SCOPES).await;
    let patient = api.new_patient("P-1").await;
    let c = fake.credentials();
    let started = Instant::now();
    fake.write_prescription(&c.organization_id, &c.acting_user, &patient)
        .expect("written");
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "the write does not wait"
    );
    // The API keeps answering while the delivery hangs.
    assert_eq!(api.get("/custom-drugs").await.status, 200);
    tokio::time::timeout(Duration::from_secs(5), fake.webhooks_settled())
        .await
        .expect("settles");
    let outcomes: Vec<DeliveryOutcome> = fake
        .webhook_deliveries()
        .iter()
        .map(|d| d.outcome)
        .collect();
    assert_eq!(
        outcomes,
        [DeliveryOutcome::TimedOut, DeliveryOutcome::TimedOut]
    );
    assert_eq!(hook.received().len(), 2);
}

#[tokio::test]
async fn an_unreachable_receiver_is_retried_then_given_up() {
    let fake = FakeParchment::start_with(quick()).await;
    let closed = TcpListener::bind("127.0.0.1:0").await.expect("bound");
    let url = format!("http://{}/hook", closed.local_addr().expect("addr"));
    drop(closed);
    fake.register_webhook(&url, SECRET).expect("loopback");
    let api = Api::new(&fake, ALL_SCOPES).await;
    let patient = api.new_patient("P-1").await;
    let c = fake.credentials();
    fake.write_prescription(&c.organization_id, &c.acting_user, &patient)
        .expect("written");
    tokio::time::timeout(Duration::from_secs(5), fake.webhooks_settled())
        .await
        .expect("settles");
    let outcomes: Vec<DeliveryOutcome> = fake
        .webhook_deliveries()
        .iter()
        .map(|d| d.outcome)
        .collect();
    assert_eq!(outcomes, [DeliveryOutcome::ConnectionFailed; 3]);
}

#[tokio::test]
async fn only_loopback_urls_can_be_registered() {
    let fake = FakeParchment::start().await;
    for url in [
        "http://example.com/hook",
        "https://10.0.0.1/hook",
        "ftp://127.0.0.1/hook",
        "not a url",
    ] {
        let refused = fake.register_webhook(url, SECRET);
        assert!(refused.is_err(), "{url}");
        assert!(
            !refused
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
                .contains(SECRET)
        );
    }
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://[::1]:9/hook",
    ] {
        assert!(fake.register_webhook(url, SECRET).is_ok(), "{url}");
    }
}

#[tokio::test]
async fn seeded_prescriptions_send_no_webhooks() {
    let fake = FakeParchment::start_with(quick()).await;
    let hook = receiver(&[], false).await;
    fake.register_webhook(&hook.url, SECRET).expect("loopback");
    let api = Api::new(&fake, ALL_SCOPES).await;
    let patient = api.new_patient("P-1").await;
    let c = fake.credentials();
    fake.seed_prescriptions(
        &c.organization_id,
        &c.acting_user,
        &patient,
        &parchment_api_ext::testing::FakePrescription::active(),
        100,
    )
    .expect("seeded");
    fake.webhooks_settled().await;
    assert!(fake.webhook_deliveries().is_empty());
    assert!(hook.received().is_empty());
}
