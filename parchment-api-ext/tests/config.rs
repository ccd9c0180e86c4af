//! Building clients: base URLs, environments, variables, transport settings, TLS.

mod support;

use httpmock::prelude::*;
use parchment_api_ext::{Client, Environment, ErrorKind, env_vars};
use serde_json::json;
use std::collections::HashMap;
use support::{ORG, ORG_SECRET, TOKEN, envelope};

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

async fn serve_user(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/organizations/org_7f3a/users/usr_1");
            then.status(200)
                .json_body(envelope(json!({"user_id": "usr_1"})));
        })
        .await
}

#[tokio::test]
async fn a_trailing_slash_on_the_base_url_does_not_double_the_path_slash() {
    let server = MockServer::start_async().await;
    let mock = serve_user(&server).await;
    let client = support::client(&format!("{}/", server.base_url()));
    client
        .organization(ORG)
        .users()
        .get("usr_1")
        .await
        .expect("the path has one slash");
    mock.assert_async().await;
}

#[tokio::test]
async fn from_vars_builds_a_client_for_the_default_organization() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/organizations/org_7f3a/users/usr_1")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("x-organization-secret", ORG_SECRET);
            then.status(200)
                .json_body(envelope(json!({"user_id": "usr_1"})));
        })
        .await;
    let base_url = server.base_url();
    let client = Client::from_vars(vars(&[
        (env_vars::BASE_URL, &base_url),
        (env_vars::ENVIRONMENT, "production"),
        (env_vars::ACCESS_TOKEN, TOKEN),
        (env_vars::ORGANIZATION_SECRET, ORG_SECRET),
        (env_vars::ORGANIZATION_ID, ORG),
    ]))
    .expect("every variable is set");
    assert_eq!(
        client.base_url(),
        base_url,
        "the base URL wins over the environment"
    );
    let organization = client
        .default_organization()
        .expect("set from the variables");
    organization.users().get("usr_1").await.expect("the user");
    mock.assert_async().await;
}

#[test]
fn from_vars_reads_the_environment_name() {
    let client = Client::from_vars(vars(&[
        (env_vars::ENVIRONMENT, "Sandbox"),
        (env_vars::ACCESS_TOKEN, TOKEN),
        (env_vars::ORGANIZATION_SECRET, ORG_SECRET),
        (env_vars::ORGANIZATION_ID, ORG),
    ]))
    .expect("every variable is set");
    assert_eq!(client.base_url(), Environment::Sandbox.base_url());
}

#[test]
fn from_vars_names_a_missing_empty_or_bad_variable() {
    let complete = [
        (env_vars::ENVIRONMENT, "sandbox"),
        (env_vars::ACCESS_TOKEN, TOKEN),
        (env_vars::ORGANIZATION_SECRET, ORG_SECRET),
        (env_vars::ORGANIZATION_ID, ORG),
    ];
    for (index, (name, _)) in complete.iter().enumerate() {
        let mut missing = complete.to_vec();
        missing.remove(index);
        let error = Client::from_vars(vars(&missing)).expect_err("a variable is missing");
        assert_eq!(error.kind(), ErrorKind::Configuration);
        assert!(
            error.to_string().contains(name),
            "{error} should name {name}"
        );

        let mut empty = complete.to_vec();
        empty[index].1 = "  ";
        let error = Client::from_vars(vars(&empty)).expect_err("a variable is empty");
        assert!(
            error.to_string().contains(name),
            "{error} should name {name}"
        );
    }
    let mut bad = complete.to_vec();
    bad[0].1 = "staging";
    let error = Client::from_vars(vars(&bad)).expect_err("no such environment");
    assert!(error.to_string().contains(env_vars::ENVIRONMENT), "{error}");
}

#[test]
fn plain_http_is_refused_except_to_loopback_or_when_allowed() {
    let build = |url: &str, allow: bool| {
        Client::builder()
            .base_url(url)
            .access_token(TOKEN)
            .organization_secret(ORG_SECRET)
            .allow_insecure_http(allow)
            .build()
    };
    let error = build("http://api.parchmenthealth.io/external", false)
        .expect_err("plain http to a remote host");
    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert!(error.to_string().contains("http://"), "{error}");
    assert!(build("http://localhost:8080", false).is_ok());
    assert!(build("http://test-gateway.internal", true).is_ok());
    assert_eq!(
        build("not a url", false).expect_err("unparseable").kind(),
        ErrorKind::Configuration
    );
}

#[test]
fn both_credentials_are_required() {
    let error = Client::builder()
        .organization_secret(ORG_SECRET)
        .build()
        .expect_err("no token");
    assert!(error.to_string().contains("access token"), "{error}");
    let error = Client::builder()
        .access_token(TOKEN)
        .build()
        .expect_err("no secret");
    assert!(error.to_string().contains("organization secret"), "{error}");
    let error = Client::builder()
        .access_token("line\nbreak")
        .organization_secret(ORG_SECRET)
        .build()
        .expect_err("a token a header cannot carry");
    assert_eq!(error.kind(), ErrorKind::Configuration);
}

#[tokio::test]
async fn the_user_agent_and_the_callers_http_adjustments_are_used() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/organizations/org_7f3a/users/usr_1")
                .header("user-agent", "clinic-sync/2.1");
            then.status(200)
                .json_body(envelope(json!({"user_id": "usr_1"})));
        })
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .access_token(TOKEN)
        .organization_secret(ORG_SECRET)
        .user_agent("clinic-sync/2.1")
        .configure_http_client(|http| http.pool_max_idle_per_host(1))
        .build()
        .expect("a client");
    client
        .organization(ORG)
        .users()
        .get("usr_1")
        .await
        .expect("the user");
    mock.assert_async().await;
}

#[tokio::test]
async fn clones_share_one_client_across_tasks() {
    let server = MockServer::start_async().await;
    let mock = serve_user(&server).await;
    let client = support::client(&server.base_url());
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .organization(ORG)
                    .users()
                    .get("usr_1")
                    .await
                    .map(|user| user.user_id.clone())
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(
            task.await
                .expect("the task ran")
                .expect("the call succeeded"),
            "usr_1"
        );
    }
    assert_eq!(mock.calls_async().await, 20);
}

/// `https://` works without any set-up call: the client opens a TLS handshake (a ClientHello
/// record, content type 0x16, version 3.x) to a local listener, rather than failing to build or
/// panicking for want of a crypto provider.
#[tokio::test]
async fn https_base_urls_speak_tls_without_set_up() {
    use tokio::io::AsyncReadExt;
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
    let client = Client::builder()
        .base_url(format!("https://127.0.0.1:{port}"))
        .access_token(TOKEN)
        .organization_secret(ORG_SECRET)
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .expect("an https client");
    let call = tokio::spawn(async move { client.organization(ORG).users().get("usr_1").await });
    let record = first_bytes.await.expect("the listener ran");
    assert_eq!(record[0], 0x16, "a TLS handshake record");
    assert_eq!(record[1], 0x03, "TLS major version 3");
    let error = call
        .await
        .expect("the call ran")
        .expect_err("the listener never answers the handshake");
    assert!(
        matches!(error.kind(), ErrorKind::Transport | ErrorKind::Timeout),
        "{error}"
    );
}
