//! The SDK against a hand-written reqwest + serde_json client, side by side, on loopback.
//!
//! One hyper server serves canned bytes (so the server costs both sides the same); each
//! scenario runs both clients in alternating order over several rounds and reports medians and
//! the SDK/baseline ratio. `cargo xtask bench` runs this in release mode, adds the build-time
//! scenario, and writes BENCHMARKS.md; `cargo bench --bench sdk_vs_baseline -- --json FILE`
//! runs it alone.

use bytes::Bytes;
use futures::TryStreamExt;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use parchment_api_ext::{Client, testing::decode_users_page};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

const TOKEN: &str = "bench-token";
const SECRET: &str = "bench-secret";
const USERS_PER_PAGE: usize = 100;
/// The prescriptions list serves at most 50 a page.
const PRESCRIPTIONS_PER_PAGE: usize = 50;

// ---------------------------------------------------------------- the canned server

/// Bytes the server answers with, built once.
struct Canned {
    user: Bytes,
    /// A page of 100 users split around its `lastKey` value: prefix, key, suffix.
    page_prefix: Bytes,
    page_suffix: Bytes,
    last_page: Bytes,
    /// A page of 50 prescriptions, split the same way.
    prescriptions_prefix: Bytes,
    prescriptions_suffix: Bytes,
    prescriptions_last: Bytes,
}

fn prescription(n: usize) -> Value {
    json!({
        "prescription_type": "ELECTRONIC", "scid": format!("2F3WFX{n:012}"), "status": "Active",
        "created_date": "2025-06-30T00:11:22",
        "url": format!("https://egw-etp-int-qrcode-web-au-se.azurewebsites.net/scripts/2F3WFX{n:012}"),
        "item_name": "Amoxicillin 500mg capsule", "quantity": "20", "number_of_repeats_authorised": "1",
        "repeat_intervals": "0", "pbs_code": "1234K", "item_strength": "500mg", "item_form": "Capsule",
        "route_administration": "Oral", "schedule_number": "S4", "private_prescription": false,
        "emergency_supply": false, "brand_substitution_not_allowed": false,
        "patient_instructions": "One capsule three times a day", "error": null
    })
}

/// A body split around the value of `marker`: the prefix up to its opening quote, the suffix
/// from its closing quote.
fn split_at_marker(body: &str, marker: &str) -> (Bytes, Bytes) {
    let (prefix, suffix) = body
        .split_once(&format!("\"{marker}\""))
        .expect("the marker is in the body");
    (
        Bytes::from(format!("{prefix}\"")),
        Bytes::from(format!("\"{suffix}")),
    )
}

/// The body with `key` spliced between `prefix` and `suffix`.
fn splice(prefix: &Bytes, key: &str, suffix: &Bytes) -> Bytes {
    let mut body = Vec::with_capacity(prefix.len() + key.len() + suffix.len());
    body.extend_from_slice(prefix);
    body.extend_from_slice(key.as_bytes());
    body.extend_from_slice(suffix);
    Bytes::from(body)
}

fn envelope(data: Value) -> Value {
    json!({
        "success": true, "statusCode": 200, "message": "OK", "data": data,
        "timestamp": "2024-01-25T09:15:00.000Z", "requestId": "req_1706171700000_abc123"
    })
}

fn provider(n: usize) -> Value {
    json!({
        "user_id": format!("usr_{n:012}"), "email": format!("user{n}@example.com"),
        "external_user_id": format!("PARTNER#USER_{n}"), "full_name": "Dr Darlene Cameron",
        "access_roles": ["admin", "provider"]
    })
}

impl Canned {
    fn new() -> Self {
        let user = envelope(json!({
            "user_id": "usr_abc123def456", "email": "darlene.cameron@example.com",
            "full_name": "Dr Darlene Cameron", "access_roles": ["admin", "provider"],
            "provider_details": {
                "title": "Dr", "hpii_number": "8003614900029560", "erx_entity_id": "F3WFX",
                "prescriber_number": "1234567", "provider_number": "123456", "prescriber_type": "M",
                "ahpra_number": "1234567896321", "qualifications": "MBBS", "hospital_provider_number": "H123456",
                "family_name": "Cameron", "given_name": "Darlene", "date_of_birth": "1969-10-02T00:00:00.000Z",
                "sex": "F", "phone": "0412345678",
                "australian_address": {"street_number": "1", "street_name": "Collins Street", "suburb": "Melbourne", "state": "VIC", "postcode": "3000"}
            }
        }));
        let users: Vec<Value> = (0..USERS_PER_PAGE).map(provider).collect();
        let marker = "LAST_KEY_MARKER";
        let page = envelope(json!({"users": users, "pagination": {"total": 100_000, "limit": 100, "lastKey": marker}})).to_string();
        let (page_prefix, page_suffix) = split_at_marker(&page, marker);
        let last = envelope(json!({"users": users, "pagination": {"total": 100_000, "limit": 100, "lastKey": null}})).to_string();
        let prescriptions: Vec<Value> = (0..PRESCRIPTIONS_PER_PAGE).map(prescription).collect();
        let prescriptions_page = |last_key: Value| {
            let mut body = envelope(json!({
                "patient": {"patient_id": "pat_1", "given_name": "Jane", "family_name": "Citizen",
                            "date_of_birth": "1990-01-15", "sex": "F", "partner_patient_id": "12345"},
                "prescriber": {"given_name": "Darlene", "family_name": "Cameron", "user_id": "usr_1"},
                "prescriptions": prescriptions,
            }));
            body["pagination"] = json!({"count": 50, "hasNext": !last_key.is_null(), "limit": 50, "offset": 0, "lastKey": last_key});
            body.to_string()
        };
        let (prescriptions_prefix, prescriptions_suffix) =
            split_at_marker(&prescriptions_page(json!(marker)), marker);
        Self {
            user: Bytes::from(user.to_string()),
            page_prefix,
            page_suffix,
            last_page: Bytes::from(last),
            prescriptions_prefix,
            prescriptions_suffix,
            prescriptions_last: Bytes::from(prescriptions_page(Value::Null)),
        }
    }

    /// Page `n` of a list whose organization id says how many pages it has (`pages1000`).
    fn page(&self, pages: usize, n: usize) -> Bytes {
        if n + 1 >= pages {
            return self.last_page.clone();
        }
        splice(&self.page_prefix, &format!("p{}", n + 1), &self.page_suffix)
    }

    /// Page `n` of a prescriptions list of `pages` pages.
    fn prescriptions(&self, pages: usize, n: usize) -> Bytes {
        if n + 1 >= pages {
            return self.prescriptions_last.clone();
        }
        let key = format!("p{}", n + 1);
        splice(&self.prescriptions_prefix, &key, &self.prescriptions_suffix)
    }
}

/// The page a `lastKey=pN` query asks for (0 without one).
fn requested_page(request: &Request<hyper::body::Incoming>) -> usize {
    request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("lastKey=p")))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn answer(canned: &Canned, request: &Request<hyper::body::Incoming>) -> Bytes {
    let path = request.uri().path();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["v1", "organizations", org, "users"] => {
            let pages = org.trim_start_matches("pages").parse().unwrap_or(1);
            canned.page(pages, requested_page(request))
        }
        [
            "v1",
            "organizations",
            org,
            "users",
            _,
            "patients",
            _,
            "prescriptions",
        ] => {
            let pages = org.trim_start_matches("pages").parse().unwrap_or(1);
            canned.prescriptions(pages, requested_page(request))
        }
        _ => canned.user.clone(),
    }
}

async fn start_server(canned: Arc<Canned>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let address = listener.local_addr().expect("its address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let canned = canned.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                    let body = answer(&canned, &request);
                    async move {
                        let mut response = Response::new(Full::new(body));
                        response
                            .headers_mut()
                            .insert("content-type", "application/json".parse().expect("valid"));
                        Ok::<_, std::convert::Infallible>(response)
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    format!("http://{address}")
}

// ---------------------------------------------------------------- the hand-written baseline

/// What a service would write by hand: reqwest, serde_json, plain structs.
struct Baseline {
    http: reqwest::Client,
    base_url: String,
}

/// The envelope with what the SDK's `Response` returns beside `data` (its message,
/// timestamp, request id and code), as plain strings.
#[allow(dead_code)]
#[derive(Deserialize)]
struct BaselineEnvelope<T> {
    data: T,
    message: Option<String>,
    timestamp: Option<String>,
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    code: Option<String>,
}

/// The same information the SDK returns for a user, as plain strings.
#[allow(dead_code)]
#[derive(Deserialize)]
struct BaselineUser {
    user_id: String,
    email: Option<String>,
    external_user_id: Option<String>,
    full_name: Option<String>,
    title: Option<String>,
    erx_entity_id: Option<String>,
    access_roles: Vec<String>,
    provider_details: Option<BaselineProvider>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct BaselineProvider {
    title: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    date_of_birth: Option<String>,
    sex: Option<String>,
    phone: Option<String>,
    hpii_number: Option<String>,
    erx_entity_id: Option<String>,
    prescriber_type: Option<String>,
    prescriber_number: Option<String>,
    provider_number: Option<String>,
    ahpra_number: Option<String>,
    qualifications: Option<String>,
    hospital_provider_number: Option<String>,
    australian_address: Option<BaselineAddress>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct BaselineAddress {
    street_number: Option<String>,
    street_name: Option<String>,
    suburb: Option<String>,
    state: Option<String>,
    postcode: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct BaselineSummary {
    user_id: String,
    email: Option<String>,
    external_user_id: Option<String>,
    full_name: Option<String>,
    access_roles: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct BaselinePage {
    users: Vec<BaselineSummary>,
    pagination: BaselinePagination,
}

/// A prescription list item, as a service would decode it by hand.
#[allow(dead_code)]
#[derive(Deserialize)]
struct BaselinePrescription {
    prescription_type: Option<String>,
    scid: Option<String>,
    status: Option<String>,
    created_date: Option<String>,
    url: Option<String>,
    item_name: Option<String>,
    quantity: Option<Value>,
    number_of_repeats_authorised: Option<Value>,
    repeat_intervals: Option<Value>,
    pbs_code: Option<String>,
    item_strength: Option<String>,
    item_form: Option<String>,
    route_administration: Option<String>,
    schedule_number: Option<String>,
    private_prescription: Option<bool>,
    emergency_supply: Option<bool>,
    brand_substitution_not_allowed: Option<bool>,
    patient_instructions: Option<String>,
    error: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct BaselinePrescriptionsData {
    patient: Option<Value>,
    prescriber: Option<Value>,
    prescriptions: Vec<BaselinePrescription>,
}

/// The prescriptions list puts its pagination beside `data`.
#[allow(dead_code)]
#[derive(Deserialize)]
struct BaselinePrescriptionsEnvelope {
    data: BaselinePrescriptionsData,
    pagination: Option<BaselinePagination>,
    message: Option<String>,
    timestamp: Option<String>,
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    code: Option<String>,
}

#[derive(Deserialize)]
struct BaselinePagination {
    #[serde(rename = "lastKey")]
    last_key: Option<String>,
}

impl Baseline {
    fn new(base_url: &str) -> Self {
        // What a careful hand-written client sets, as the SDK does: time limits (a production
        // client without one can hang forever), no redirects, no proxy for loopback.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(parchment_api_ext::DEFAULT_CONNECT_TIMEOUT)
            .timeout(parchment_api_ext::DEFAULT_TIMEOUT)
            .no_proxy()
            .build()
            .expect("a client");
        Self {
            http,
            base_url: base_url.to_owned(),
        }
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        url: String,
        query: &[(&str, String)],
    ) -> Result<T, String> {
        self.get_envelope::<BaselineEnvelope<T>>(url, query)
            .await
            .map(|envelope| envelope.data)
    }

    async fn get_envelope<E: serde::de::DeserializeOwned>(
        &self,
        url: String,
        query: &[(&str, String)],
    ) -> Result<E, String> {
        let response = self
            .http
            .get(url)
            .query(query)
            .bearer_auth(TOKEN)
            .header("x-organization-secret", SECRET)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("status {}", response.status()));
        }
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        serde_json::from_slice::<E>(&body).map_err(|e| e.to_string())
    }

    async fn read_user(&self, org: &str, user: &str) -> Result<BaselineUser, String> {
        self.get(
            format!("{}/v1/organizations/{org}/users/{user}", self.base_url),
            &[],
        )
        .await
    }

    /// Every user of every page, counted as they arrive (pages are not kept).
    async fn stream_users(&self, org: &str) -> Result<usize, String> {
        let mut count = 0;
        let mut key: Option<String> = None;
        loop {
            let mut query = vec![("limit", USERS_PER_PAGE.to_string())];
            if let Some(key) = &key {
                query.push(("lastKey", key.clone()));
            }
            let page: BaselinePage = self
                .get(
                    format!("{}/v1/organizations/{org}/users", self.base_url),
                    &query,
                )
                .await?;
            count += page.users.len();
            match page.pagination.last_key {
                Some(next) => key = Some(next),
                None => return Ok(count),
            }
        }
    }
}

impl Baseline {
    /// Every prescription of every page, counted as they arrive.
    async fn stream_prescriptions(&self, org: &str) -> Result<usize, String> {
        let url = format!(
            "{}/v1/organizations/{org}/users/usr_1/patients/pat_1/prescriptions",
            self.base_url
        );
        let mut count = 0;
        let mut key: Option<String> = None;
        loop {
            let mut query = vec![("limit", PRESCRIPTIONS_PER_PAGE.to_string())];
            if let Some(key) = &key {
                query.push(("lastKey", key.clone()));
            }
            let page: BaselinePrescriptionsEnvelope =
                self.get_envelope(url.clone(), &query).await?;
            count += page.data.prescriptions.len();
            match page.pagination.and_then(|p| p.last_key) {
                Some(next) => key = Some(next),
                None => return Ok(count),
            }
        }
    }
}

// ---------------------------------------------------------------- measurement

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

/// The resident set's high-water mark since the last reset, and the current size, in bytes.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Resets the high-water mark to the current size (Linux: `5` to clear_refs).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

struct Row {
    scenario: &'static str,
    unit: &'static str,
    sdk: f64,
    baseline: f64,
    target: &'static str,
    /// Whether lower is better (latency, time) or higher (throughput).
    lower_is_better: bool,
    limit: f64,
}

impl Row {
    fn ratio(&self) -> f64 {
        self.sdk / self.baseline
    }

    fn meets_target(&self) -> bool {
        if self.lower_is_better {
            self.ratio() <= self.limit
        } else {
            self.ratio() >= self.limit
        }
    }

    fn json(&self) -> Value {
        json!({
            "scenario": self.scenario, "unit": self.unit, "sdk": self.sdk, "baseline": self.baseline,
            "ratio": self.ratio(), "target": self.target, "meets_target": self.meets_target()
        })
    }
}

/// Which side goes first in pair `i`: they alternate, so that neither always meets a warmer or
/// a busier machine.
fn sides(i: usize) -> [usize; 2] {
    if i.is_multiple_of(2) { [0, 1] } else { [1, 0] }
}

/// Median latencies (µs) of `sdk` and `baseline`, interleaved call by call over `pairs` pairs.
async fn interleaved_latency(
    pairs: usize,
    mut sdk: impl AsyncFnMut(),
    mut baseline: impl AsyncFnMut(),
) -> (f64, f64) {
    let (mut sdk_all, mut base_all) = (Vec::with_capacity(pairs), Vec::with_capacity(pairs));
    for pair in 0..pairs {
        for side in sides(pair) {
            let started = Instant::now();
            if side == 0 {
                sdk().await;
                sdk_all.push(started.elapsed().as_secs_f64() * 1e6);
            } else {
                baseline().await;
                base_all.push(started.elapsed().as_secs_f64() * 1e6);
            }
        }
    }
    (median(&mut sdk_all), median(&mut base_all))
}

/// Read-user latency, the two clients interleaved call by call.
async fn sequential_latency(sdk: &Client, baseline: &Baseline) -> Row {
    let users = sdk.organization("org").users();
    let (sdk, baseline) = interleaved_latency(
        4000,
        async || {
            users.get("usr_1").await.expect("the SDK call succeeds");
        },
        async || {
            baseline
                .read_user("org", "usr_1")
                .await
                .expect("the baseline call succeeds");
        },
    )
    .await;
    Row {
        scenario: "1. read user, sequential: median latency",
        unit: "µs",
        sdk,
        baseline,
        target: "≤ 1.02",
        lower_is_better: true,
        limit: 1.02,
    }
}

/// Read-user latency with the SDK's read cache on (every read after the first is a hit)
/// against the baseline's uncached reads: what the cache saves a service that rereads users.
async fn cached_read_latency(cached: &Client, baseline: &Baseline) -> Row {
    let users = cached.organization("org").users();
    users.get("usr_1").await.expect("fills the cache");
    let (sdk, baseline) = interleaved_latency(
        2000,
        async || {
            let user = users.get("usr_1").await.expect("a cache hit");
            assert!(user.is_from_cache());
        },
        async || {
            baseline
                .read_user("org", "usr_1")
                .await
                .expect("the baseline call succeeds");
        },
    )
    .await;
    Row {
        scenario: "6. read user, cached (SDK read cache on, baseline uncached): median latency",
        unit: "µs",
        sdk,
        baseline,
        target: "≤ 0.5 (reported)",
        lower_is_better: true,
        limit: 0.5,
    }
}

/// Waves of 1,000 read-user calls at once through one client, the two clients' waves
/// alternating; the median wave's calls per second.
async fn concurrent_throughput(sdk: &Client, baseline: &Arc<Baseline>) -> (Row, usize) {
    const CALLS: usize = 1000;
    const PAIRS: usize = 30;
    let (mut sdk_rates, mut base_rates) = (Vec::new(), Vec::new());
    let mut errors = 0;
    for pair in 0..PAIRS {
        for side in sides(pair) {
            let started = Instant::now();
            errors += if side == 0 {
                sdk_wave(sdk, CALLS).await
            } else {
                baseline_wave(baseline, CALLS).await
            };
            let rate = CALLS as f64 / started.elapsed().as_secs_f64();
            if side == 0 {
                sdk_rates.push(rate)
            } else {
                base_rates.push(rate)
            }
        }
    }
    let row = Row {
        scenario: "2. 1,000 concurrent read-user calls: throughput",
        unit: "calls/s",
        sdk: median(&mut sdk_rates),
        baseline: median(&mut base_rates),
        target: "≥ 0.97",
        lower_is_better: false,
        limit: 0.97,
    };
    (row, errors)
}

/// `calls` SDK reads at once; the number that failed.
async fn sdk_wave(sdk: &Client, calls: usize) -> usize {
    let users = sdk.organization("org").users();
    let outcomes = futures::future::join_all((0..calls).map(|_| {
        let users = users.clone();
        async move { users.get("usr_1").await.is_ok() }
    }))
    .await;
    outcomes.iter().filter(|ok| !**ok).count()
}

/// `calls` baseline reads at once; the number that failed.
async fn baseline_wave(baseline: &Arc<Baseline>, calls: usize) -> usize {
    let outcomes = futures::future::join_all((0..calls).map(|_| {
        let baseline = baseline.clone();
        async move { baseline.read_user("org", "usr_1").await.is_ok() }
    }))
    .await;
    outcomes.iter().filter(|ok| !**ok).count()
}

/// Streams `pages` pages of 100 users through both sides; throughput and peak RSS growth.
async fn stream(sdk: &Client, baseline: &Baseline, pages: usize, rounds: usize) -> (Row, u64, u64) {
    let org = format!("pages{pages}");
    let expected = pages * USERS_PER_PAGE;
    let (mut sdk_rates, mut base_rates) = (Vec::new(), Vec::new());
    let (mut sdk_growth, mut base_growth) = (0u64, 0u64);
    for round in 0..rounds {
        for side in sides(round) {
            reset_peak();
            let (_, before) = memory();
            let started = Instant::now();
            let count = if side == 0 {
                sdk_users(sdk, pages).await
            } else {
                baseline
                    .stream_users(&org)
                    .await
                    .expect("the baseline stream succeeds")
            };
            assert_eq!(count, expected);
            let rate = count as f64 / started.elapsed().as_secs_f64();
            let (peak, _) = memory();
            let growth = peak.saturating_sub(before);
            if side == 0 {
                sdk_rates.push(rate);
                sdk_growth = sdk_growth.max(growth);
            } else {
                base_rates.push(rate);
                base_growth = base_growth.max(growth);
            }
        }
    }
    let row = Row {
        scenario: if pages >= 1000 {
            "3. stream 100,000 users (1,000 pages): throughput"
        } else {
            "3b. stream 10,000 users (100 pages): throughput"
        },
        unit: "users/s",
        sdk: median(&mut sdk_rates),
        baseline: median(&mut base_rates),
        target: "≥ 0.97",
        lower_is_better: false,
        limit: 0.97,
    };
    (row, sdk_growth, base_growth)
}

/// Streams 10,000 prescriptions (200 pages of 50) through both sides.
async fn stream_prescriptions(sdk: &Client, baseline: &Baseline, rounds: usize) -> Row {
    const PAGES: usize = 200;
    let org = format!("pages{PAGES}");
    let expected = PAGES * PRESCRIPTIONS_PER_PAGE;
    let (mut sdk_rates, mut base_rates) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        for side in sides(round) {
            let started = Instant::now();
            let count = if side == 0 {
                sdk_prescriptions(sdk, PAGES).await
            } else {
                baseline
                    .stream_prescriptions(&org)
                    .await
                    .expect("the baseline stream succeeds")
            };
            assert_eq!(count, expected);
            let rate = count as f64 / started.elapsed().as_secs_f64();
            if side == 0 {
                sdk_rates.push(rate);
            } else {
                base_rates.push(rate);
            }
        }
    }
    Row {
        scenario: "3c. stream 10,000 prescriptions (200 pages): throughput",
        unit: "items/s",
        sdk: median(&mut sdk_rates),
        baseline: median(&mut base_rates),
        target: "≥ 0.97",
        lower_is_better: false,
        limit: 0.97,
    }
}

/// Decoding one page, the two decoders alternating in batches.
fn decode(canned: &Canned) -> Row {
    const BATCH: usize = 200;
    const PAIRS: usize = 60;
    let page = canned.page(2, 0);
    let (mut sdk_ns, mut base_ns) = (Vec::new(), Vec::new());
    for pair in 0..PAIRS {
        for side in sides(pair) {
            let started = Instant::now();
            for _ in 0..BATCH {
                if side == 0 {
                    let page = decode_users_page(std::hint::black_box(&page)).expect("decodes");
                    std::hint::black_box(page);
                } else {
                    let page: BaselineEnvelope<BaselinePage> =
                        serde_json::from_slice(std::hint::black_box(&page)).expect("decodes");
                    std::hint::black_box(page);
                }
            }
            let ns = started.elapsed().as_nanos() as f64 / BATCH as f64;
            if side == 0 {
                sdk_ns.push(ns)
            } else {
                base_ns.push(ns)
            }
        }
    }
    Row {
        scenario: "4. decode one 100-user page",
        unit: "ns/op",
        sdk: median(&mut sdk_ns),
        baseline: median(&mut base_ns),
        target: "≤ 1.5",
        lower_is_better: true,
        limit: 1.5,
    }
}

/// The users the SDK streams from an organization of `pages` pages of 100 (none for 0).
async fn sdk_users(sdk: &Client, pages: usize) -> usize {
    if pages == 0 {
        return 0;
    }
    sdk.organization(format!("pages{pages}"))
        .users()
        .list()
        .limit(USERS_PER_PAGE as u32)
        .stream()
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await
        .expect("the SDK stream succeeds")
}

/// The prescriptions the SDK streams for `pages` pages of 50 (none for 0).
async fn sdk_prescriptions(sdk: &Client, pages: usize) -> usize {
    if pages == 0 {
        return 0;
    }
    sdk.organization(format!("pages{pages}"))
        .acting_as("usr_1")
        .prescriptions("pat_1")
        .list()
        .limit(PRESCRIPTIONS_PER_PAGE as u32)
        .stream()
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await
        .expect("the SDK stream succeeds")
}

/// One side's work alone, for an instruction count (see `BENCH_CALLGRIND` in `main`).
async fn callgrind_workload(sdk: &Client, baseline: &Baseline, side: &str, calls: usize) {
    let users = sdk.organization("org").users();
    for _ in 0..50 {
        users.get("usr_1").await.expect("warm-up");
        baseline.read_user("org", "usr_1").await.expect("warm-up");
    }
    sdk_prescriptions(sdk, 2).await;
    baseline
        .stream_prescriptions("pages2")
        .await
        .expect("warm-up");
    match side {
        "sdk" => {
            for _ in 0..calls {
                drop(users.get("usr_1").await.expect("a read"));
            }
        }
        "baseline" => {
            for _ in 0..calls {
                drop(baseline.read_user("org", "usr_1").await.expect("a read"));
            }
        }
        "sdk-prescriptions" => {
            assert_eq!(
                sdk_prescriptions(sdk, calls).await,
                calls * PRESCRIPTIONS_PER_PAGE
            );
        }
        "baseline-prescriptions" if calls > 0 => {
            let count = baseline
                .stream_prescriptions(&format!("pages{calls}"))
                .await
                .expect("the baseline stream succeeds");
            assert_eq!(count, calls * PRESCRIPTIONS_PER_PAGE);
        }
        "baseline-prescriptions" => {}
        "sdk-users" => assert_eq!(sdk_users(sdk, calls).await, calls * USERS_PER_PAGE),
        "baseline-users" if calls > 0 => {
            let count = baseline
                .stream_users(&format!("pages{calls}"))
                .await
                .expect("the baseline stream succeeds");
            assert_eq!(count, calls * USERS_PER_PAGE);
        }
        "baseline-users" => {}
        other => panic!("BENCH_CALLGRIND={other}: not a side"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // cargo bench passes `--bench`; only `--json FILE` is ours.
    let json_path = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1))
        .cloned();
    // An instruction count must repeat: one thread, so no worker parks, steals or wakes by
    // chance. The timed scenarios run on the multi-thread runtime services use.
    let runtime = if std::env::var_os("BENCH_CALLGRIND").is_some() {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    }
    .enable_all()
    .build()
    .expect("a runtime");
    let canned = Arc::new(Canned::new());
    let results = runtime.block_on(async {
        let base_url = start_server(canned.clone()).await;
        let sdk = Client::builder()
            .base_url(&base_url)
            .access_token(TOKEN)
            .organization_secret(SECRET)
            .build()
            .expect("an SDK client");
        let baseline = Arc::new(Baseline::new(&base_url));
        // For callgrind: `BENCH_CALLGRIND=<side> BENCH_CALLS=N`, after the warm-up, nothing
        // else: `sdk` or `baseline` read one user N times; `sdk-users` or `baseline-users`
        // stream N pages of 100 users, `sdk-prescriptions` or `baseline-prescriptions` N pages
        // of 50 prescriptions. Run it with N and with 0 under `valgrind --tool=callgrind`; the
        // difference of the totals over the calls (or items) made is the instruction count of
        // one read-user call (one streamed item), client and in-process server together.
        if let Ok(side) = std::env::var("BENCH_CALLGRIND") {
            let calls: usize = std::env::var("BENCH_CALLS")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(1000);
            callgrind_workload(&sdk, &baseline, &side, calls).await;
            return json!({ "callgrind": side, "calls": calls });
        }
        // Warm both connection pools and code paths.
        for _ in 0..200 {
            sdk.organization("org")
                .users()
                .get("usr_1")
                .await
                .expect("warm-up");
            baseline.read_user("org", "usr_1").await.expect("warm-up");
        }
        let mut rows = vec![sequential_latency(&sdk, &baseline).await];
        // For a profiler: one side of scenario 2 alone, for a while.
        match std::env::var("BENCH_PROFILE_CONCURRENT").as_deref() {
            Ok("sdk") => {
                for _ in 0..200 {
                    sdk_wave(&sdk, 1000).await;
                }
                return json!({});
            }
            Ok("baseline") => {
                for _ in 0..200 {
                    baseline_wave(&baseline, 1000).await;
                }
                return json!({});
            }
            _ => {}
        }
        let (concurrent, errors) = concurrent_throughput(&sdk, &baseline).await;
        rows.push(concurrent);
        let (stream_100k, sdk_growth_100k, base_growth_100k) =
            stream(&sdk, &baseline, 1000, 3).await;
        let (stream_10k, sdk_growth_10k, base_growth_10k) = stream(&sdk, &baseline, 100, 10).await;
        rows.push(stream_100k);
        rows.push(stream_10k);
        rows.push(stream_prescriptions(&sdk, &baseline, 10).await);
        rows.push(decode(&canned));
        let cached = Client::builder()
            .base_url(&base_url)
            .access_token(TOKEN)
            .organization_secret(SECRET)
            .read_cache(parchment_api_ext::ReadCacheConfig::new(
                std::time::Duration::from_secs(600),
            ))
            .build()
            .expect("an SDK client with a read cache");
        rows.push(cached_read_latency(&cached, &baseline).await);
        json!({
            "rows": rows.iter().map(Row::json).collect::<Vec<_>>(),
            "concurrent_errors": errors,
            "stream_peak_rss_growth_bytes": {
                "sdk_10k": sdk_growth_10k, "sdk_100k": sdk_growth_100k,
                "baseline_10k": base_growth_10k, "baseline_100k": base_growth_100k,
                "target": "flat, under 16 MiB"
            }
        })
    });
    let text = serde_json::to_string_pretty(&results).expect("serializable");
    println!("{text}");
    if let Some(path) = json_path {
        std::fs::write(&path, &text).expect("the results file is writable");
    }
}
