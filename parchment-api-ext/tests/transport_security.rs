//! What the HTTP client the SDK builds will not do, whatever the caller adjusts: follow a
//! redirect (carrying `x-organization-secret` to another origin), accept absurd time limits or
//! rates, or show a base URL's userinfo or query in `Debug`.

mod support;

use parchment_api_ext::{Client, ErrorKind, RetryPolicy};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use support::{ORG, ORG_SECRET, TOKEN};

/// A loopback server answering every request with `response`, counting connections.
fn serve(response: String) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let address = format!("http://{}", listener.local_addr().expect("an address"));
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (address, seen)
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed_even_with_the_callers_adjustments() {
    let (elsewhere, received) =
        serve("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}".to_owned());
    let (origin, _) = serve(format!(
        "HTTP/1.1 302 Found\r\nlocation: {elsewhere}/steal\r\ncontent-length: 0\r\n\
         connection: close\r\n\r\n"
    ));
    let client = Client::builder()
        .retry_policy(RetryPolicy::never())
        .base_url(origin)
        .access_token(TOKEN)
        .organization_secret(ORG_SECRET)
        // A caller who turns redirects on: the SDK's own policy is set after theirs.
        .configure_http_client(|http| http.redirect(reqwest::redirect::Policy::limited(5)))
        .build()
        .expect("a client");
    let error = client
        .organization(ORG)
        .users()
        .get("usr_1")
        .await
        .expect_err("a 302 is not a user");
    assert_eq!(error.kind(), ErrorKind::UnexpectedStatus, "{error}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(302));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        received.load(Ordering::SeqCst),
        0,
        "the other origin received a request"
    );
}

fn builder() -> parchment_api_ext::ClientBuilder {
    Client::builder()
        .base_url("http://127.0.0.1:9")
        .access_token(TOKEN)
        .organization_secret(ORG_SECRET)
}

fn assert_refused_naming(result: parchment_api_ext::Result<Client>, setting: &str) {
    let error = result.expect_err("the setting must be refused");
    assert_eq!(error.kind(), ErrorKind::Configuration, "{error}");
    assert!(error.to_string().contains(setting), "{error}");
}

#[test]
fn absurd_time_limits_are_refused_at_build_time() {
    for bad in [Duration::ZERO, Duration::MAX, Duration::from_secs(86_401)] {
        assert_refused_naming(builder().call_deadline(bad).build(), "call_deadline");
        assert_refused_naming(builder().attempt_timeout(bad).build(), "attempt_timeout");
        assert_refused_naming(builder().connect_timeout(bad).build(), "connect_timeout");
        assert_refused_naming(builder().timeout(bad).build(), "ClientBuilder::timeout");
        assert_refused_naming(builder().token_timeout(bad).build(), "token_timeout");
    }
    assert_refused_naming(
        builder().token_renewal_margin(Duration::MAX).build(),
        "token_renewal_margin",
    );
    let day = parchment_api_ext::MAX_TIME_LIMIT;
    builder()
        .call_deadline(day)
        .attempt_timeout(day)
        .connect_timeout(day)
        .timeout(day)
        .token_timeout(day)
        .token_renewal_margin(day)
        .build()
        .expect("a day is accepted");
    builder()
        .token_renewal_margin(Duration::ZERO)
        .build()
        .expect("renewing only at expiry is accepted");
}

#[test]
fn a_rate_limit_must_be_a_finite_positive_number() {
    for bad in [f64::NAN, 0.0, -1.0, f64::INFINITY, f64::NEG_INFINITY] {
        assert_refused_naming(builder().rate_limit(bad).build(), "rate_limit");
    }
    builder().rate_limit(0.5).build().expect("a slow rate");
    builder()
        .rate_limit(1e-300)
        .build()
        .expect("raised to one a minute");
}

#[test]
fn debug_of_the_builder_redacts_base_url_userinfo_and_query() {
    let shown = format!(
        "{:?}",
        builder().base_url("https://clinic:hunter2@api.example.test/v?sig=s3cr3t")
    );
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(!shown.contains("s3cr3t"), "{shown}");
    assert!(shown.contains("api.example.test/v"), "{shown}");
}
