//! Logs: a subscriber capturing every span, field and event at trace level, set as this test's
//! default, sees the client at work and no credential.

use crate::support::log_capture::Capture;
use crate::support::{ORG, ORG_SECRET};
use crate::{
    ORG_A, SECRET_A, TOKEN_1, TOKEN_2, assert_no_credential, failing_token_mock, partner_client,
    revoked_token_mock, token_mock, validate, validate_mock,
};
use httpmock::MockServer;
use parchment_api_ext::OrganizationCredentials;
use std::time::Duration;

/// The client runs on this test's thread (a current-thread runtime), where the capture is the
/// default subscriber; the mock server answers on its own thread, and its events (which show the
/// headers it received) are left out of the capture in any case.
#[tokio::test]
async fn logs_at_trace_level_show_no_credential() {
    let capture = Capture::default();
    let _default = tracing::subscriber::set_default(capture.clone());

    let server = MockServer::start_async().await;
    let org = partner_client(&server).organization(ORG);
    let first_token = token_mock(&server, TOKEN_1).await;
    let accepting_first = validate_mock(&server, ORG, TOKEN_1, ORG_SECRET).await;
    validate(&org).await.expect("a token, then the call");
    validate(&org).await.expect("the cached token");
    // A revoked token: 401, a new token, a retry.
    accepting_first.delete_async().await;
    first_token.delete_async().await;
    let _refusing_first = revoked_token_mock(&server, TOKEN_1).await;
    let second_token = token_mock(&server, TOKEN_2).await;
    let accepting_second = validate_mock(&server, ORG, TOKEN_2, ORG_SECRET).await;
    validate(&org).await.expect("the retry with a new token");
    accepting_second.assert_async().await;
    // A failed call, and a failed token request for another organization.
    org.users()
        .get("usr_missing")
        .await
        .expect_err("no mock for this user: 404");
    let other = partner_client(&server)
        .organization_with(ORG_A, OrganizationCredentials::new(SECRET_A))
        .expect("valid organization credentials");
    second_token.delete_async().await;
    let _refusing = failing_token_mock(&server, Duration::ZERO).await;
    validate(&other).await.expect_err("a refused token request");

    let logs = capture.text();
    assert_no_credential("the captured logs", &logs);
    // The capture did see the client at work (so the check above is not vacuous): its events,
    // the organization's id and the request id of the refused token's 401.
    for expected in ["parchment_api_ext", ORG, "req_1705312200000_e401"] {
        assert!(
            logs.contains(expected),
            "the capture misses {expected:?}:\n{logs}"
        );
    }
}
