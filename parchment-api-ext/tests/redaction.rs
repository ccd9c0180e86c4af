//! The bearer token and the organization secret never show in what a service prints or logs:
//! the builder, the client and its handles, errors of every origin (server, gateway, network,
//! configuration) and their source chains. They are still sent on the wire: redaction is not
//! achieved by leaving them out.

mod support;

use httpmock::Method::GET;
use httpmock::MockServer;
use parchment_api_ext::{Client, Error, ErrorKind};
use serde_json::json;
use std::collections::HashMap;
use support::{ORG, ORG_SECRET, TOKEN};

/// Where read user of `usr_1` in [`ORG`] goes.
const USER_PATH: &str = "/v1/organizations/org_7f3a/users/usr_1";

/// The variables [`Client::from_vars`] needs, all set.
fn vars() -> HashMap<&'static str, String> {
    HashMap::from([
        ("PARCHMENT_ACCESS_TOKEN", TOKEN.to_owned()),
        ("PARCHMENT_ORGANIZATION_SECRET", ORG_SECRET.to_owned()),
        ("PARCHMENT_ORGANIZATION_ID", ORG.to_owned()),
        ("PARCHMENT_BASE_URL", "http://127.0.0.1:9".to_owned()),
    ])
}

fn from_vars(vars: &HashMap<&'static str, String>) -> parchment_api_ext::Result<Client> {
    Client::from_vars(|name| vars.get(name).cloned())
}

/// Panics when `printed` holds either credential, or the distinctive tail of either (a partial
/// leak is still a leak).
fn assert_no_secret(what: &str, printed: &str) {
    for secret in [TOKEN, ORG_SECRET, &TOKEN[18..], &ORG_SECRET[16..]] {
        assert!(
            !printed.contains(secret),
            "{what} shows a credential ({secret:?}): {printed}"
        );
    }
}

/// Everything a log line may carry of `error`: Display (plain and alternate), Debug (plain and
/// pretty), and the same of every error in its source chain (what `anyhow`'s `{:#}` and `{:?}`
/// print).
fn everything_printed(error: &Error) -> String {
    let mut printed = format!("{error}\n{error:#}\n{error:?}\n{error:#?}\n");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        printed.push_str(&format!("{cause}\n{cause:?}\n"));
        source = cause.source();
    }
    printed
}

/// Serves one answer to read user and returns the error the public client fails with.
async fn read_user_error(respond: impl FnOnce(httpmock::Then) -> httpmock::Then) -> Error {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path(USER_PATH);
            let _configured = respond(then);
        })
        .await;
    let error = support::client(&server.base_url())
        .organization(ORG)
        .users()
        .get("usr_1")
        .await
        .expect_err("the mock answers with a failure");
    mock.assert_async().await;
    error
}

// ---------------------------------------------------------------------------------------------
// The builder, the client and its handles
// ---------------------------------------------------------------------------------------------

#[test]
fn the_builder_debug_hides_both_credentials() {
    let builder = Client::builder()
        .base_url("http://127.0.0.1:9")
        .access_token(TOKEN)
        .organization_secret(ORG_SECRET)
        .default_organization(ORG);
    let printed = format!("{builder:?}\n{builder:#?}");
    assert_no_secret("ClientBuilder's Debug", &printed);
    // Not an empty Debug: the builder still shows what it is safe to show.
    assert!(printed.contains("127.0.0.1:9"), "{printed}");
}

#[test]
fn the_client_and_its_handles_hide_both_credentials_in_debug() {
    let client = support::client("http://127.0.0.1:9");
    let organization = client.organization(ORG);
    let users = organization.users();
    let list = users.list().limit(5);
    for (what, printed) in [
        ("Client", format!("{client:?}\n{client:#?}")),
        (
            "Organization",
            format!("{organization:?}\n{organization:#?}"),
        ),
        ("Users", format!("{users:?}\n{users:#?}")),
        ("ListUsers", format!("{list:?}\n{list:#?}")),
    ] {
        assert_no_secret(what, &printed);
    }
    assert!(
        format!("{organization:?}").contains(ORG),
        "ids are not secrets"
    );
}

#[test]
fn a_client_from_vars_hides_both_credentials_in_debug() {
    let client = from_vars(&vars()).expect("every variable is set");
    assert_no_secret("Client from vars", &format!("{client:?}\n{client:#?}"));
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_unauthorized_error_hides_both_credentials() {
    let error = read_user_error(|then| {
        then.status(401).json_body(support::error_envelope(
            401,
            "authentication-required",
            "Authentication required",
            "Invalid or expired access token",
        ))
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert_no_secret("a 401 error", &everything_printed(&error));
}

#[tokio::test]
async fn an_html_502_echoing_the_credentials_is_masked_everywhere() {
    let page = format!(
        "<html>Authorization: Bearer {TOKEN} x-organization-secret: {ORG_SECRET} \
         <body>502 Bad Gateway</body></html>"
    );
    let error = read_user_error(move |then| {
        then.status(502)
            .header("content-type", "text/html")
            .body(page)
    })
    .await;
    assert_eq!(error.kind(), ErrorKind::Server);
    let snippet = error
        .body_snippet()
        .expect("a non-envelope body leaves a snippet");
    assert!(snippet.starts_with("<html"), "{snippet}");
    assert_no_secret("the body snippet", snippet);
    assert_no_secret("a 502 error", &everything_printed(&error));
}

#[tokio::test]
async fn an_undecodable_json_401_echoing_the_token_stays_out_of_every_printout() {
    // An OAuth-style gateway answer: `error` is a string, not the envelope's problem object, so
    // the body does not decode; the decoder's own message must not carry the body along.
    let body = json!({ "error": format!("invalid_token: Bearer {TOKEN} is not valid") });
    let error = read_user_error(move |then| then.status(401).json_body(body)).await;
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    if let Some(snippet) = error.body_snippet() {
        assert_no_secret("the body snippet", snippet);
    }
    assert_no_secret("an undecodable 401", &everything_printed(&error));
}

#[tokio::test]
async fn a_refused_connection_error_hides_both_credentials() {
    let port = {
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port to bind");
        listener
            .local_addr()
            .expect("a bound listener has an address")
            .port()
    };
    let error = support::client(&format!("http://127.0.0.1:{port}"))
        .organization(ORG)
        .users()
        .get("usr_1")
        .await
        .expect_err("nothing listens on the port");
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert_no_secret("a transport error", &everything_printed(&error));
}

#[test]
fn a_configuration_error_hides_both_credentials() {
    let error = Client::builder()
        .access_token(TOKEN)
        .base_url("http://example.com")
        .organization_secret(ORG_SECRET)
        .build()
        .expect_err("plain http to a non-loopback host is refused");
    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert_no_secret("a configuration error", &everything_printed(&error));
}

#[test]
fn from_vars_without_the_access_token_names_the_variable() {
    let mut vars = vars();
    vars.remove("PARCHMENT_ACCESS_TOKEN");
    let error = from_vars(&vars).expect_err("the access token is required");
    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert!(
        error.to_string().contains("PARCHMENT_ACCESS_TOKEN"),
        "{error}"
    );
    assert_no_secret("a missing-variable error", &everything_printed(&error));
}

#[test]
fn from_vars_with_an_empty_access_token_names_it_and_hides_the_secret() {
    let mut vars = vars();
    vars.insert("PARCHMENT_ACCESS_TOKEN", String::new());
    let error = from_vars(&vars).expect_err("an empty access token is refused");
    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert!(
        error.to_string().contains("PARCHMENT_ACCESS_TOKEN"),
        "{error}"
    );
    assert_no_secret("an empty-variable error", &everything_printed(&error));
}

// ---------------------------------------------------------------------------------------------
// The wire
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn both_credentials_are_sent_on_the_wire() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(USER_PATH)
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("x-organization-secret", ORG_SECRET);
            then.status(200).json_body(support::envelope(json!({
                "user_id": "usr_1",
                "full_name": "John Doe",
                "access_roles": ["admin"]
            })));
        })
        .await;
    let user = support::client(&server.base_url())
        .organization(ORG)
        .users()
        .get("usr_1")
        .await
        .expect("the mock answers only a request carrying both credentials");
    mock.assert_async().await;
    assert_eq!(user.user_id, "usr_1");
}
