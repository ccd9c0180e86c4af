//! A webhook receiver in axum: the verifier mounted on a route, from raw body to typed event.
//!
//! ```sh
//! PARCHMENT_WEBHOOK_SECRET=whsec_... cargo run -p parchment-api-ext --example webhook_receiver --features testing
//! # or, to watch it accept a signed sample and refuse a tampered one, then exit:
//! cargo run -p parchment-api-ext --example webhook_receiver --features testing -- --demo
//! ```
//!
//! What matters, whatever the framework: read the body as raw bytes (a JSON extractor would
//! re-serialize it and break the signature), give the verifier the `X-Webhook-Signature` value,
//! answer 2xx at once (Parchment waits 10 s at most and retries otherwise) and do the work
//! afterwards; refuse with 400/401 and no details; deduplicate on `event_id` (delivery is at
//! least once).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use parchment_api_ext::testing::webhooks::SampleEvent;
use parchment_api_ext::webhooks::{SIGNATURE_HEADER, WebhookEvent, WebhookSecret, WebhookVerifier};
use tokio::sync::mpsc;

#[derive(Clone)]
struct AppState {
    verifier: WebhookVerifier,
    events: mpsc::Sender<WebhookEvent>,
}

async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    match state.verifier.verify(&body, headers.get(SIGNATURE_HEADER)) {
        Ok(event) => {
            // Hand the event to a worker and acknowledge; never process inline.
            match state.events.try_send(event) {
                Ok(()) => StatusCode::OK,
                // Full queue: 503 lets Parchment retry later.
                Err(_) => StatusCode::SERVICE_UNAVAILABLE,
            }
        }
        Err(refused) => {
            // Log which check failed, never the body or the header.
            eprintln!("webhook refused: {}", refused.kind());
            StatusCode::from_u16(refused.status_code()).unwrap_or(StatusCode::BAD_REQUEST)
        }
    }
}

async fn work(mut events: mpsc::Receiver<WebhookEvent>) {
    let mut seen = std::collections::HashSet::new();
    while let Some(event) = events.recv().await {
        if !seen.insert(event.event_id.clone()) {
            continue; // a redelivery
        }
        // Ids only: read the prescription by `data.scid` through the SDK from here.
        println!(
            "{} {} patient {:?} scid {:?}",
            event.event_id, event.event_type, event.data.patient_id, event.data.scid
        );
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let demo = std::env::args().any(|arg| arg == "--demo");
    let secret = match std::env::var("PARCHMENT_WEBHOOK_SECRET") {
        Ok(secret) => secret,
        Err(_) if demo => "whsec_demo_only".to_owned(),
        Err(_) => return Err("set PARCHMENT_WEBHOOK_SECRET (or pass --demo)".into()),
    };
    let secret = WebhookSecret::new(secret)?;
    let (events, queue) = mpsc::channel(1024);
    tokio::spawn(work(queue));
    let app = Router::new()
        .route("/webhooks/parchment", post(receive))
        .with_state(AppState {
            verifier: WebhookVerifier::new(secret.clone()),
            events,
        });
    let address = if demo {
        "127.0.0.1:0"
    } else {
        "127.0.0.1:3000"
    };
    let listener = tokio::net::TcpListener::bind(address).await?;
    let url = format!("http://{}/webhooks/parchment", listener.local_addr()?);
    println!("listening on {url}");
    if !demo {
        axum::serve(listener, app).await?;
        return Ok(());
    }

    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::new();
    let delivery = SampleEvent::prescription_created().signed_now(&secret);
    let mut tampered = delivery.body.clone();
    tampered.extend_from_slice(b" ");
    for (label, body) in [("signed", delivery.body.clone()), ("tampered", tampered)] {
        let status = http
            .post(&url)
            .header(SIGNATURE_HEADER, &delivery.signature)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?
            .status();
        println!("{label} delivery: HTTP {}", status.as_u16());
    }
    let unsigned = http.post(&url).body("{}").send().await?.status();
    println!("unsigned delivery: HTTP {}", unsigned.as_u16());
    // Let the worker print the accepted event before exiting.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    Ok(())
}
