//! TLS under whichever backend feature the crate is built with (`cargo xtask ci` runs this file
//! once per choice: `rustls`, `rustls-ring`, `native-tls`, each alone): a client builds without
//! any set-up call and opens a TLS handshake, whether the SDK builds the HTTP client or the
//! service does from `http_client_builder`.

use parchment_api_ext::{Client, ClientBuilder, ErrorKind, http_client_builder};
use std::time::Duration;
use tokio::io::AsyncReadExt;

/// Builds a client for a local `https://` listener, makes one call, and returns the first bytes
/// the listener received and the call's error (the listener never answers the handshake).
async fn first_bytes_of_a_call(
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> ([u8; 3], parchment_api_ext::Error) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a local port");
    let port = listener.local_addr().expect("its address").port();
    let first_bytes = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("the client connects");
        let mut buf = [0u8; 3];
        socket
            .read_exact(&mut buf)
            .await
            .expect("the client speaks first");
        buf
    });
    let builder = Client::builder()
        .base_url(format!("https://127.0.0.1:{port}"))
        .access_token("a-token")
        .organization_secret("an-organization-secret")
        .timeout(Duration::from_secs(5));
    let client = configure(builder)
        .build()
        .expect("an https client builds without set-up");
    let call = tokio::spawn(async move { client.organization("org_1").users().get("usr_1").await });
    let record = first_bytes.await.expect("the listener ran");
    let error = call
        .await
        .expect("the call ran without panicking")
        .expect_err("the listener never answers the handshake");
    (record, error)
}

fn assert_tls_handshake(record: [u8; 3], error: &parchment_api_ext::Error) {
    assert_eq!(record[0], 0x16, "a TLS handshake record");
    assert_eq!(record[1], 0x03, "TLS major version 3");
    assert!(
        matches!(error.kind(), ErrorKind::Transport | ErrorKind::Timeout),
        "{error}"
    );
}

#[tokio::test]
async fn the_client_the_sdk_builds_speaks_tls() {
    let (record, error) = first_bytes_of_a_call(|builder| builder).await;
    assert_tls_handshake(record, &error);
}

#[tokio::test]
async fn a_client_with_an_adjusted_http_client_speaks_tls() {
    let (record, error) = first_bytes_of_a_call(|builder| {
        builder.configure_http_client(|http| http.pool_max_idle_per_host(1))
    })
    .await;
    assert_tls_handshake(record, &error);
}

/// Run with `--features rustls-ring` alone, this is the case that would panic without the SDK's
/// configuration: reqwest built with rustls but no crypto provider.
#[test]
fn building_from_http_client_builder_outside_a_runtime_does_not_panic() {
    let http = http_client_builder().expect("the TLS backend is set up");
    http.build().expect("reqwest builds it");
}
