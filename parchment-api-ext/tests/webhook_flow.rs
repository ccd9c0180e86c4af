//! The whole partner path, end to end on loopback: a test service registered with the fake
//! receives the signed `prescription.created` a prescriber's write causes, verifies it, reads
//! the prescription it names through the SDK, asks for an SSO link to the patient, and the
//! fake resolves that link once. Every log line (at trace level), Debug and Display seen on
//! the way is checked for the secrets involved.

mod support;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use parchment_api_ext::testing::FakeParchment;
use parchment_api_ext::webhooks::{SIGNATURE_HEADER, WebhookEvent, WebhookSecret, WebhookVerifier};
use parchment_api_ext::{NewPatient, OrganizationCredentials, Scope, SsoTarget};
use std::fmt::Write as _;
use support::log_capture::Capture;
use tokio::sync::mpsc;

const WEBHOOK_SECRET: &str = "whsec_flow_7c1e5a9d3b2f4e6a";

#[derive(Clone)]
struct Service {
    verifier: WebhookVerifier,
    events: mpsc::UnboundedSender<WebhookEvent>,
}

/// The service's webhook endpoint: verify the raw body, then hand the event on.
async fn receive(State(service): State<Service>, headers: HeaderMap, body: Bytes) -> StatusCode {
    match service
        .verifier
        .verify(&body, headers.get(SIGNATURE_HEADER))
    {
        Ok(event) => {
            let _ = service.events.send(event);
            StatusCode::OK
        }
        Err(refused) => {
            StatusCode::from_u16(refused.status_code()).unwrap_or(StatusCode::BAD_REQUEST)
        }
    }
}

#[tokio::test]
async fn a_delivery_leads_to_the_prescription_and_a_one_use_sso_link_with_no_secret_shown() {
    let capture = Capture::default();
    let _default = tracing::subscriber::set_default(capture.clone());
    let mut printed = String::new();

    let fake = FakeParchment::start().await;
    let credentials = fake.credentials().clone();
    let (events, mut received) = mpsc::unbounded_channel();
    let service = Service {
        verifier: WebhookVerifier::new(WebhookSecret::new(WEBHOOK_SECRET).expect("a secret")),
        events,
    };
    let app = Router::new()
        .route("/webhooks/parchment", post(receive))
        .with_state(service);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!(
        "http://{}/webhooks/parchment",
        listener.local_addr().expect("an address")
    );
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    fake.register_webhook(&url, WEBHOOK_SECRET)
        .expect("a loopback URL");

    // The partner creates the patient; a prescriber writes a prescription in Parchment's UI.
    let client = fake.client();
    // Tokens carry only the scopes asked for: patients and prescriptions need their own.
    let scopes = [Scope::PATIENT_OPERATIONS, Scope::PRESCRIPTION_OPERATIONS].concat();
    let organization = client
        .organization_with(
            &credentials.organization_id,
            OrganizationCredentials::new(&credentials.organization_secret).scopes(&scopes),
        )
        .expect("the fake's organization");
    let acting = organization.acting_as(&credentials.acting_user);
    let created = acting
        .patients()
        .create(NewPatient::new("Jane", "Citizen").partner_patient_id("flow-1"))
        .await
        .expect("a patient");
    let _ = write!(printed, "{created:?}");
    let patient_id = created
        .into_inner()
        .patient()
        .patient_id
        .clone()
        .expect("a 201 carries the id");
    let scid = fake
        .write_prescription(
            &credentials.organization_id,
            &credentials.acting_user,
            &patient_id,
        )
        .expect("a prescription");

    // The service gets the delivery, verified, naming the patient and the prescription.
    let event = tokio::time::timeout(std::time::Duration::from_secs(10), received.recv())
        .await
        .expect("a delivery in time")
        .expect("a verified event");
    let _ = write!(printed, "{event:?}");
    assert_eq!(event.event_type.as_str(), "prescription.created");
    assert_eq!(event.data.patient_id.as_deref(), Some(patient_id.as_str()));
    assert_eq!(event.data.scid.as_deref(), Some(scid.as_str()));
    let named_user = event
        .data
        .user_id
        .clone()
        .unwrap_or(credentials.acting_user.clone());

    // It reads the prescription the event names, through the SDK.
    let event_patient = event.data.patient_id.clone().expect("a patient id");
    let event_scid = event.data.scid.clone().expect("a scid");
    let detail = organization
        .acting_as(&named_user)
        .prescriptions(&event_patient)
        .get(&event_scid)
        .await
        .expect("the prescription");
    let _ = write!(printed, "{detail:?}");
    assert_eq!(
        detail.into_inner().prescription.scid.as_deref(),
        Some(scid.as_str())
    );

    // It asks for a link to the patient's page, which the fake resolves once.
    let target = SsoTarget::patient_profile(&event_patient).expect("a valid id");
    let link = acting.sso_link(&target).await.expect("a link").into_inner();
    let _ = write!(printed, "{link:?} {target:?}");
    let redirect_url = link.expose_redirect_url().to_owned();
    let token = link.expose_token().to_owned();
    let signed_in = fake.resolve_sso_link(&redirect_url).expect("a first use");
    assert_eq!(signed_in.user_id, credentials.acting_user);
    assert_eq!(signed_in.organization_id, credentials.organization_id);
    assert_eq!(
        signed_in.redirect_path,
        format!("/dashboard/patients/{patient_id}")
    );
    assert!(
        fake.resolve_sso_link(&redirect_url).is_none(),
        "a second use is refused"
    );

    // A refusal on the way is printed too: a delivery with no signature.
    let refused = WebhookVerifier::new(WebhookSecret::new(WEBHOOK_SECRET).expect("a secret"))
        .verify(b"{}", None::<&str>)
        .expect_err("no signature header");
    let _ = write!(printed, "{refused} {refused:?} {client:?} {fake:?}");

    fake.webhooks_settled().await;
    server.abort();
    let logs = capture.text();
    assert!(
        logs.contains("parchment_call"),
        "the SDK's calls were captured: {logs}"
    );
    for secret in [
        credentials.partner_secret.as_str(),
        credentials.organization_secret.as_str(),
        WEBHOOK_SECRET,
        token.as_str(),
        redirect_url.as_str(),
    ] {
        assert!(!logs.contains(secret), "a log shows a secret: {logs}");
        assert!(
            !printed.contains(secret),
            "a Debug or Display shows a secret: {printed}"
        );
    }
    // The bearer tokens the fake issued are never logged either.
    assert!(!logs.to_lowercase().contains("bearer"), "{logs}");
}
