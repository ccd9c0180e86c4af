//! Webhook verification as a receiver sees it: a delivery (raw body bytes and the
//! `X-Webhook-Signature` value) is either a typed event or a typed refusal naming the check that
//! failed, and nothing it prints holds the secret or the body.

use parchment_api_ext::ErrorKind;
use parchment_api_ext::testing::webhooks::{ManualWallClock, SampleEvent, sign, sign_with_all};
use parchment_api_ext::webhooks::{
    DEFAULT_TOLERANCE, WebhookError, WebhookErrorKind, WebhookEventType, WebhookSecret,
    WebhookVerifier,
};
use proptest::prelude::*;
use std::sync::Arc;
use std::time::Duration;

const SECRET: &str = "whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH";
const NEW_SECRET: &str = "whsec_rotated_new_secret_value_0123456789";
const T: u64 = 1_702_465_200;
const BODY: &[u8] = br#"{"event_type":"prescription.created","event_id":"evt_00000000000000000000000000000001","data":{"scid":"ABC"}}"#;

// Known answers, computed independently of this crate when the test was written:
//   printf '%s' '1702465200.<BODY>' | openssl dgst -sha256 -hmac '<secret>'
// and the same with python3: hmac.new(secret, b"1702465200." + BODY, hashlib.sha256).hexdigest()
// (both agree). The key is the whole secret, `whsec_` prefix included.
const KAT_SECRET: &str = "5dc3eb7ce5e9c7fa6b3f6e6de84c672f8988da710c95b3819cca1db86def8862";
const KAT_NEW_SECRET: &str = "b0c2ce2f15098b552e096fcb2c367f96296554918378a2e9f1efaf80475c69a6";
// The same body and timestamp keyed with the secret *without* its prefix: must not verify.
const KAT_WITHOUT_PREFIX: &str = "972a14647d4fa755bb34ddd402e4c3540b4fc8e385ff45d3ee8602c0bafc1d74";

fn secret(text: &str) -> WebhookSecret {
    WebhookSecret::new(text).expect("a valid secret")
}

fn clock_at(t: u64) -> ManualWallClock {
    ManualWallClock::at_unix(t)
}

fn verifier_at(t: u64) -> (WebhookVerifier, ManualWallClock) {
    let clock = clock_at(t);
    let verifier = WebhookVerifier::new(secret(SECRET)).wall_clock(Arc::new(clock.clone()));
    (verifier, clock)
}

fn refusal(result: Result<impl std::fmt::Debug, WebhookError>) -> WebhookError {
    result.expect_err("the delivery should be refused")
}

#[test]
fn known_answer_vectors_verify_and_the_signer_matches_them() {
    let (verifier, _) = verifier_at(T);
    let header = format!("t={T},v1={KAT_SECRET}");
    let event = verifier.verify(BODY, Some(&header)).expect("verifies");
    assert_eq!(event.event_type, WebhookEventType::PrescriptionCreated);
    assert_eq!(event.data.scid.as_deref(), Some("ABC"));

    assert_eq!(sign(&secret(SECRET), BODY, T), header);
    assert_eq!(
        sign(&secret(NEW_SECRET), BODY, T),
        format!("t={T},v1={KAT_NEW_SECRET}")
    );
    // Upper-case hex is the same value.
    let upper = format!("t={T},v1={}", KAT_SECRET.to_uppercase());
    assert!(verifier.verify(BODY, Some(&upper)).is_ok());
}

#[test]
fn the_whsec_prefix_is_part_of_the_key() {
    let (verifier, _) = verifier_at(T);
    let header = format!("t={T},v1={KAT_WITHOUT_PREFIX}");
    let error = refusal(verifier.verify(BODY, Some(&header)));
    assert_eq!(error.kind(), WebhookErrorKind::BadSignature);
}

#[test]
fn a_tampered_body_or_timestamp_is_a_bad_signature() {
    let (verifier, _) = verifier_at(T);
    let header = format!("t={T},v1={KAT_SECRET}");
    let mut tampered = BODY.to_vec();
    let at = tampered.len() - 5;
    tampered[at] = b'X';
    for body in [
        tampered.as_slice(),
        &BODY[..BODY.len() - 1],
        b"",
        // Re-serialized JSON (a space added) no longer matches: the raw bytes are what count.
        br#"{"event_type": "prescription.created","event_id":"evt_00000000000000000000000000000001","data":{"scid":"ABC"}}"#,
    ] {
        let error = refusal(verifier.verify(body, Some(&header)));
        assert_eq!(error.kind(), WebhookErrorKind::BadSignature);
        assert_eq!(error.status_code(), 401);
    }
    // The signature is over the timestamp too: moving `t` breaks it.
    let moved = format!("t={},v1={KAT_SECRET}", T + 1);
    let error = refusal(verifier.verify(BODY, Some(&moved)));
    assert_eq!(error.kind(), WebhookErrorKind::BadSignature);
    // A different secret does not verify.
    let other = WebhookVerifier::new(secret(NEW_SECRET)).wall_clock(Arc::new(clock_at(T)));
    let error = refusal(other.verify(BODY, Some(&header)));
    assert_eq!(error.kind(), WebhookErrorKind::BadSignature);
}

#[test]
fn header_parts_in_any_order_with_whitespace_and_unknown_parts() {
    let (verifier, _) = verifier_at(T);
    for header in [
        format!("v1={KAT_SECRET},t={T}"),
        format!(" t = {T} ,\tv1 = {KAT_SECRET} "),
        format!("v0=deadbeef,t={T},scheme=hmac,v1={KAT_SECRET},v2=zzz"),
        format!("t={T},,v1={KAT_SECRET},"),
    ] {
        assert!(
            verifier.verify(BODY, Some(&header)).is_ok(),
            "{header} should verify"
        );
    }
}

#[test]
fn replay_after_the_window_is_stale_and_a_future_timestamp_is_refused() {
    let (verifier, clock) = verifier_at(T);
    let header = sign(&secret(SECRET), BODY, T);

    // Exactly at the edge of the five-minute window: still accepted, either way.
    clock.set_unix(T + 300);
    assert!(verifier.verify(BODY, Some(&header)).is_ok());
    clock.advance(Duration::from_secs(1));
    let error = refusal(verifier.verify(BODY, Some(&header)));
    assert_eq!(error.kind(), WebhookErrorKind::Stale);
    assert_eq!(error.skew(), Some(Duration::from_secs(301)));
    assert_eq!(error.status_code(), 401);

    clock.set_unix(T - 300);
    assert!(verifier.verify(BODY, Some(&header)).is_ok());
    clock.set_unix(T - 301);
    let error = refusal(verifier.verify(BODY, Some(&header)));
    assert_eq!(error.kind(), WebhookErrorKind::Future);
    assert_eq!(error.skew(), Some(Duration::from_secs(301)));

    assert_eq!(DEFAULT_TOLERANCE, Duration::from_secs(300));
}

#[test]
fn the_tolerance_is_configurable() {
    let clock = clock_at(T + 60);
    let strict = WebhookVerifier::new(secret(SECRET))
        .tolerance(Duration::from_secs(30))
        .wall_clock(Arc::new(clock.clone()));
    let header = sign(&secret(SECRET), BODY, T);
    assert_eq!(
        refusal(strict.verify(BODY, Some(&header))).kind(),
        WebhookErrorKind::Stale
    );
    let lenient = strict.tolerance(Duration::from_secs(60));
    assert!(lenient.verify(BODY, Some(&header)).is_ok());
}

#[test]
fn a_forged_old_delivery_is_a_bad_signature_not_stale() {
    // Stale is only said of deliveries that were really signed: a forgery is a forgery.
    let (verifier, _) = verifier_at(T + 3600);
    let header = format!("t={T},v1={}", "00".repeat(32));
    assert_eq!(
        refusal(verifier.verify(BODY, Some(&header))).kind(),
        WebhookErrorKind::BadSignature
    );
}

#[test]
fn rotation_two_v1_values_and_two_secrets() {
    let old = secret(SECRET);
    let new = secret(NEW_SECRET);

    // Parchment signs with both secrets during a rotation; a receiver that knows either accepts.
    let both = sign_with_all(&[&new, &old], BODY, T);
    assert_eq!(both, format!("t={T},v1={KAT_NEW_SECRET},v1={KAT_SECRET}"));
    for known in [SECRET, NEW_SECRET] {
        let verifier = WebhookVerifier::new(secret(known)).wall_clock(Arc::new(clock_at(T)));
        assert!(verifier.verify(BODY, Some(&both)).is_ok(), "{known}");
    }
    // One good value among bad ones is enough.
    let mixed = format!("t={T},v1={},v1={KAT_SECRET}", "ab".repeat(32));
    let (verifier, _) = verifier_at(T);
    assert!(verifier.verify(BODY, Some(&mixed)).is_ok());

    // A receiver configured with both secrets accepts deliveries signed with either one.
    let rotating = WebhookVerifier::new(new.clone())
        .also_accept(old.clone())
        .wall_clock(Arc::new(clock_at(T)));
    for signer in [&old, &new] {
        let header = sign(signer, BODY, T);
        assert!(rotating.verify(BODY, Some(&header)).is_ok());
    }
    let stranger = sign(&secret("whsec_someone_else"), BODY, T);
    assert_eq!(
        refusal(rotating.verify(BODY, Some(&stranger))).kind(),
        WebhookErrorKind::BadSignature
    );
}

#[test]
fn a_missing_or_malformed_header_is_refused_before_anything_else() {
    let (verifier, _) = verifier_at(T);
    let error = refusal(verifier.verify(BODY, None::<&str>));
    assert_eq!(error.kind(), WebhookErrorKind::MissingSignature);
    assert_eq!(error.status_code(), 401);

    for header in [
        String::new(),
        "garbage".to_owned(),
        format!("t={T}"),
        format!("v1={KAT_SECRET}"),
        format!("t=,v1={KAT_SECRET}"),
        format!("t=soon,v1={KAT_SECRET}"),
        format!("t={T},t={T},v1={KAT_SECRET}"),
        format!("t={T},v1=5a2c7f3e"),
        format!("t={T},v1={}", "g".repeat(64)),
        format!("t={T},v1={KAT_SECRET}{}", ",v1=".repeat(2000)),
    ] {
        let error = refusal(verifier.verify(BODY, Some(&header)));
        assert_eq!(
            error.kind(),
            WebhookErrorKind::MalformedSignature,
            "{header:?}"
        );
        assert_eq!(error.status_code(), 400);
    }
    // Not text at all (an HTTP header value may hold any bytes).
    let bytes: &[u8] = b"t=1702465200,v1=\xff\xfe";
    assert_eq!(
        refusal(verifier.verify(BODY, Some(bytes))).kind(),
        WebhookErrorKind::MalformedSignature
    );
}

#[test]
fn a_body_that_is_not_an_event_after_a_good_signature_is_invalid_event() {
    let (verifier, _) = verifier_at(T);
    for body in [
        &b"not json at all"[..],
        b"[1,2,3]",
        br#"{"event_type":"prescription.created"}"#,
        br#"{"event_id":"evt_1","event_type":42}"#,
        br#"{"event_id":"evt_1","event_type":"prescription.created","data":{"patient_id":"Jane Citizen","scid":7}}"#,
        br#"{"event_id":"evt_1","#,
    ] {
        let header = sign(&secret(SECRET), body, T);
        let error = refusal(verifier.verify(body, Some(&header)));
        assert_eq!(error.kind(), WebhookErrorKind::InvalidEvent);
        assert_eq!(error.status_code(), 400);
        // The refusal says where, not what: no value of the body is quoted.
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("Jane"), "{shown}");
        assert!(!shown.contains("not json"), "{shown}");
    }
    // A body that is not an event is not even looked at when the signature fails.
    let error = refusal(verifier.verify(
        b"not json",
        Some(&sign(&secret(NEW_SECRET), b"not json", T)),
    ));
    assert_eq!(error.kind(), WebhookErrorKind::BadSignature);
}

#[test]
fn the_missing_field_is_named() {
    let (verifier, _) = verifier_at(T);
    let body = br#"{"event_type":"prescription.created"}"#;
    let error = refusal(verifier.verify(body, Some(&sign(&secret(SECRET), body, T))));
    assert!(
        error.to_string().contains("missing field `event_id`"),
        "{error}"
    );
}

#[test]
fn the_newer_revision_decodes() {
    let sample = SampleEvent::prescription_created();
    let delivery = sample.signed(&secret(SECRET), T);
    let (verifier, _) = verifier_at(T);
    let event = verifier
        .verify(&delivery.body, Some(&delivery.signature))
        .expect("verifies");
    assert_eq!(event.event_id, "evt_0123456789abcdef0123456789abcdef");
    assert_eq!(event.event_type, WebhookEventType::PrescriptionCreated);
    assert_eq!(event.event_type.as_str(), "prescription.created");
    assert_eq!(
        event.timestamp.map(|t| t.to_rfc3339()),
        Some("2025-12-19T04:12:45.123+00:00".to_owned())
    );
    assert_eq!(event.partner_id.as_deref(), Some("partner_sample"));
    assert_eq!(
        event.organization_id.as_deref(),
        Some("4f1c2b9e-7a3d-4c5e-9b8a-1d2e3f4a5b6c")
    );
    assert_eq!(
        event.data.patient_id.as_deref(),
        Some("f03b972b-1c2d-4e5f-8a9b-0c1d2e3f4a5b")
    );
    assert_eq!(event.data.partner_patient_id.as_deref(), Some("PP-1001"));
    assert_eq!(
        event.data.user_id.as_deref(),
        Some("7d9e8f10-2a3b-4c5d-9e8f-a1b2c3d4e5f6")
    );
    assert_eq!(event.data.scid.as_deref(), Some("2KTX7QW9RZBD4MXJ1N"));
    assert!(event.data.extra.is_empty());
    let metadata = event.metadata.expect("metadata is present");
    assert_eq!(metadata.reserved_1, None);
}

#[test]
fn the_older_revision_decodes_with_the_organization_inside_data() {
    let delivery = SampleEvent::prescription_created()
        .organization_id("org-in-data")
        .older_revision()
        .signed(&secret(SECRET), T);
    let body: serde_json::Value = serde_json::from_slice(&delivery.body).expect("json");
    assert!(body.get("organization_id").is_none());
    assert!(body.get("metadata").is_none());
    assert_eq!(body["data"]["organization_id"], "org-in-data");

    let (verifier, _) = verifier_at(T);
    let event = verifier
        .verify(&delivery.body, Some(&delivery.signature))
        .expect("verifies");
    assert_eq!(event.organization_id.as_deref(), Some("org-in-data"));
    assert_eq!(event.partner_id, None);
    assert_eq!(event.metadata, None);
    assert!(
        event.data.extra.is_empty(),
        "organization_id is not left in extra"
    );
}

#[test]
fn unknown_event_types_and_extra_data_are_kept() {
    let delivery = SampleEvent::prescription_created()
        .event_type("prescription.teleported")
        .data_field("dose", serde_json::json!({"mg": 5}))
        .signed(&secret(SECRET), T);
    let (verifier, _) = verifier_at(T);
    let event = verifier
        .verify(&delivery.body, Some(&delivery.signature))
        .expect("verifies");
    assert!(event.event_type.is_unknown());
    assert_eq!(event.event_type.as_str(), "prescription.teleported");
    assert_eq!(event.event_type.to_string(), "prescription.teleported");
    assert_eq!(event.data.extra["dose"]["mg"], 5);

    // A known name always decodes to its variant: Unknown never stands for a known type.
    assert_eq!(
        WebhookEventType::parse("prescription.created"),
        WebhookEventType::PrescriptionCreated
    );
    assert!(!WebhookEventType::parse("prescription.ceased").is_unknown());
    assert!(WebhookEventType::parse("Prescription.Created").is_unknown());
}

#[test]
fn debug_of_an_event_prints_ids_but_not_extra_data_or_metadata() {
    let body = serde_json::json!({
        "event_type": "prescription.created",
        "event_id": "evt_1",
        "data": {"patient_id": "pat_1", "patient_name": "Jane Citizen", "medicare": "2123456701"},
        "metadata": {"reserved_1": "partner-visit-note-secret", "reserved_2": null}
    })
    .to_string();
    let (verifier, _) = verifier_at(T);
    let header = sign(&secret(SECRET), body.as_bytes(), T);
    let event = verifier
        .verify(body.as_bytes(), Some(&header))
        .expect("verifies");
    let debug = format!("{event:?} {event:#?}");
    assert!(debug.contains("pat_1"), "{debug}");
    assert!(debug.contains("evt_1"), "{debug}");
    for hidden in [
        "Jane",
        "2123456701",
        "partner-visit-note-secret",
        "patient_name",
    ] {
        assert!(!debug.contains(hidden), "{hidden} in {debug}");
    }
    assert_eq!(event.data.extra["patient_name"], "Jane Citizen");
}

#[test]
fn nothing_printed_holds_the_secret() {
    let verifier = WebhookVerifier::new(secret(SECRET)).also_accept(secret(NEW_SECRET));
    let mut shown = vec![format!("{verifier:?}"), format!("{:?}", secret(SECRET))];
    let (verifier_at_t, _) = verifier_at(T + 10_000);
    let stale_header = sign(&secret(SECRET), BODY, T);
    let not_event = b"{\"whsec_test\": 1}";
    let refusals = [
        verifier.verify(BODY, None::<&str>),
        verifier.verify(BODY, Some("t=1,v1=zz")),
        verifier.verify(b"tampered", Some(&sign(&secret(SECRET), BODY, T))),
        verifier_at_t.verify(BODY, Some(&stale_header)),
        verifier_at(T - 10_000).0.verify(BODY, Some(&stale_header)),
        verifier_at(T)
            .0
            .verify(not_event, Some(&sign(&secret(SECRET), not_event, T))),
    ];
    let mut kinds = Vec::new();
    for result in refusals {
        let error = result.expect_err("refused");
        kinds.push(error.kind());
        shown.push(format!("{error}"));
        shown.push(format!("{error:?}"));
        shown.push(format!("{error:#?}"));
    }
    assert_eq!(
        kinds,
        [
            WebhookErrorKind::MissingSignature,
            WebhookErrorKind::MalformedSignature,
            WebhookErrorKind::BadSignature,
            WebhookErrorKind::Stale,
            WebhookErrorKind::Future,
            WebhookErrorKind::InvalidEvent,
        ]
    );
    for text in &shown {
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains(NEW_SECRET), "{text}");
        assert!(!text.contains("5WbX5kEW"), "{text}");
        assert!(!text.contains(KAT_SECRET), "{text}");
        assert!(!text.contains("tampered"), "{text}");
        assert!(!text.contains("prescription.created"), "{text}");
    }
}

#[test]
fn unusable_secrets_are_refused_without_echoing_them() {
    for bad in ["", " whsec_x", "whsec_x\n", "whsec_\u{0}x"] {
        let error = WebhookSecret::new(bad).expect_err("refused");
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert_eq!(error.field_errors()[0].field, "webhook_secret");
        if !bad.trim().is_empty() {
            assert!(!format!("{error} {error:?}").contains("whsec_x"));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// No header string, however odd, panics the parser: every outcome is a value.
    #[test]
    fn no_header_panics(header in any::<String>()) {
        let (verifier, _) = verifier_at(T);
        let _ = verifier.verify(BODY, Some(&header));
    }

    /// Header-shaped strings (the grammar's own characters) reach the deeper checks.
    #[test]
    fn no_header_shaped_string_panics(header in "[tv10-9a-f=, \t.+-]{0,200}") {
        let (verifier, _) = verifier_at(T);
        let result = verifier.verify(BODY, Some(&header));
        prop_assert!(result.is_err());
    }

    /// Arbitrary bytes as the header value never panic either.
    #[test]
    fn no_header_bytes_panic(header in proptest::collection::vec(any::<u8>(), 0..300)) {
        let (verifier, _) = verifier_at(T);
        let _ = verifier.verify(BODY, Some(header.as_slice()));
    }
}
