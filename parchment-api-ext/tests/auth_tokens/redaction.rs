//! Redaction: `Debug` of the builder, client, credentials and handles, and every error of the
//! token path (Display, Debug, sources, body snippets), show no credential.

use crate::support::{ORG, ORG_SECRET};
use crate::{
    ORG_A, ORG_B, PARTNER_ID, PARTNER_SECRET, SECRET_A, SECRET_B, TOKEN_1, TOKEN_2,
    assert_no_credential, failing_token_mock, partner_builder, partner_client, token_mock,
    token_mock_after, validate, validate_mock,
};
use httpmock::prelude::*;
use parchment_api_ext::{Error, ErrorKind, OrganizationCredentials, PartnerCredentials, Scope};
use serde_json::json;
use std::time::Duration;

/// Display (plain and alternate) and Debug (plain and pretty) of `error` and its sources.
fn everything_printed(error: &Error) -> String {
    let mut printed = format!("{error}\n{error:#}\n{error:?}\n{error:#?}\n");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        printed.push_str(&format!("{cause}\n{cause:?}\n"));
        source = cause.source();
    }
    printed
}

#[tokio::test]
async fn debug_of_the_builder_client_credentials_and_handles_shows_no_credential() {
    let server = MockServer::start_async().await;
    let _token = token_mock(&server, TOKEN_1).await;
    let _resource = validate_mock(&server, ORG_A, TOKEN_1, SECRET_A).await;
    let builder = partner_builder(&server);
    let client = builder.clone().build().expect("a valid client");
    let partner = PartnerCredentials::new(PARTNER_ID, PARTNER_SECRET);
    let org_credentials = OrganizationCredentials::new(SECRET_A)
        .acting_user("usr_a")
        .scopes(Scope::USER_OPERATIONS);
    let org_a = client
        .organization_with(ORG_A, org_credentials.clone())
        .expect("valid organization credentials");
    let org_b = client
        .organization_with(ORG_B, OrganizationCredentials::new(SECRET_B))
        .expect("valid organization credentials");
    // With a token in the cache, too.
    validate(&org_a).await.expect("a token is cached");

    for (what, printed) in [
        ("ClientBuilder", format!("{builder:?}\n{builder:#?}")),
        ("Client", format!("{client:?}\n{client:#?}")),
        ("PartnerCredentials", format!("{partner:?}\n{partner:#?}")),
        (
            "OrganizationCredentials",
            format!("{org_credentials:?}\n{org_credentials:#?}"),
        ),
        ("Organization a", format!("{org_a:?}\n{org_a:#?}")),
        ("Organization b", format!("{org_b:?}\n{org_b:#?}")),
        ("Users", format!("{:?}", client.organization(ORG).users())),
    ] {
        assert_no_credential(what, &printed);
    }
    // Not empty printouts: what is safe to show is shown.
    assert!(format!("{builder:?}").contains(PARTNER_ID));
    assert!(format!("{client:?}").contains(PARTNER_ID));
    assert!(format!("{partner:?}").contains(PARTNER_ID));
    assert!(format!("{org_credentials:?}").contains("usr_a"));
    assert!(format!("{org_a:?}").contains(ORG_A));
}

#[tokio::test]
async fn errors_from_the_token_path_show_no_credential() {
    let server = MockServer::start_async().await;
    let org = partner_client(&server).organization(ORG);
    let mut errors = Vec::new();

    let refusing = failing_token_mock(&server, Duration::ZERO).await;
    errors.push(validate(&org).await.expect_err("a refused token request"));
    refusing.delete_async().await;

    let empty = token_mock(&server, "").await;
    errors.push(validate(&org).await.expect_err("an empty token"));
    empty.delete_async().await;

    let expired = token_mock_after(&server, TOKEN_1, 0, Duration::ZERO).await;
    errors.push(
        validate(&org)
            .await
            .expect_err("a token that expires at once"),
    );
    expired.delete_async().await;

    // A 200 whose body does not decode, yet carries the token.
    let undecodable = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/token");
            then.status(200).json_body(json!({
                "success": true,
                "data": {"accessToken": TOKEN_2, "expiresIn": "an hour"}
            }));
        })
        .await;
    errors.push(
        validate(&org)
            .await
            .expect_err("an undecodable token response"),
    );
    undecodable.delete_async().await;

    // An OAuth-style gateway answer echoing the partner secret.
    let echoing = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/token");
            then.status(401).json_body(json!({
                "error": format!("invalid_client: {PARTNER_SECRET} / {ORG_SECRET}")
            }));
        })
        .await;
    errors.push(validate(&org).await.expect_err("an echoing 401"));
    echoing.assert_async().await;

    let kinds: Vec<_> = errors.iter().map(Error::kind).collect();
    assert_eq!(
        kinds,
        [
            ErrorKind::Unauthorized,
            ErrorKind::Decode,
            ErrorKind::Decode,
            ErrorKind::Decode,
            ErrorKind::Unauthorized
        ]
    );
    for error in &errors {
        assert_eq!(error.operation(), "create token");
        assert_no_credential("a token-path error", &everything_printed(error));
        if let Some(snippet) = error.body_snippet() {
            assert_no_credential("a body snippet", snippet);
        }
    }
}
