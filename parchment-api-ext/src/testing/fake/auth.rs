//! Who may call the fake: the token endpoint (partner and organization credentials, acting
//! user, scopes) and the check every organization route makes (organization secret, bearer
//! token unexpired and carrying the route's scope).

use super::call::Call;
use super::error::ApiError;
use super::rules;
use super::state::State;
use super::success::Success;
use serde_json::Value;

/// The organization secret must match, and the bearer token must be the organization's static
/// token or one the fake issued for it, unexpired, with `scope`.
pub(super) fn authorize(
    state: &State,
    org_id: &str,
    headers: &hyper::HeaderMap,
    scope: &str,
) -> Result<(), ApiError> {
    let refused = || ApiError::unauthorized("Valid authentication token is required");
    let org = state.orgs.get(org_id).ok_or_else(refused)?;
    let secret = headers
        .get("x-organization-secret")
        .and_then(|v| v.to_str().ok());
    if secret != Some(org.secret.as_str()) {
        return Err(refused());
    }
    let bearer = headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(refused)?;
    if bearer == org.static_token {
        return Ok(());
    }
    let token = state.tokens.get(bearer).ok_or_else(refused)?;
    if token.organization_id != org_id || token.expires_at <= state.now() {
        return Err(refused());
    }
    if !token.scopes.contains(scope) {
        return Err(ApiError::insufficient_scope(scope));
    }
    Ok(())
}

/// The five credential headers of the token and SSO endpoints: partner id and secret,
/// organization id and secret, and an enabled user of that organization. Returns the
/// organization and user ids.
pub(super) fn partner_headers(call: &Call<'_>) -> Result<(String, String), ApiError> {
    let config = &call.shared.config;
    if call.header("x-partner-id") != config.partner_id
        || call.header("x-partner-secret") != config.partner_secret
    {
        return Err(ApiError::unauthorized("Invalid partner credentials"));
    }
    let org_id = call.header("x-organization-id");
    let org = call
        .state
        .orgs
        .get(org_id)
        .ok_or_else(|| ApiError::unauthorized("Invalid organization credentials"))?;
    if call.header("x-organization-secret") != org.secret {
        return Err(ApiError::unauthorized("Invalid organization credentials"));
    }
    let user_id = call.header("x-user-id");
    if !org.users.get(user_id).is_some_and(|user| user.enabled) {
        return Err(ApiError::unauthorized(
            "The user is not an active user of the organization",
        ));
    }
    Ok((org_id.to_owned(), user_id.to_owned()))
}

/// `POST /v1/token`.
pub(super) fn token(call: &mut Call<'_>) -> Result<Success, ApiError> {
    let (org_id, _user) = partner_headers(call)?;
    let body = call.json()?;
    rules::known_members(rules::object(&body)?, &["grantType", "scope"], &[])?;
    let grant = body.get("grantType").and_then(Value::as_str);
    let scopes: Option<Vec<String>> =
        body.get("scope")
            .and_then(Value::as_array)
            .and_then(|scopes| {
                scopes
                    .iter()
                    .map(|s| s.as_str().map(str::to_owned))
                    .collect()
            });
    let (Some("client_credentials"), Some(scopes)) = (grant, scopes) else {
        return Err(ApiError::invalid_request(
            "grantType must be client_credentials and scope an array of scopes",
        ));
    };
    if scopes.is_empty() {
        return Err(ApiError::invalid_request(
            "scope must name at least one scope",
        ));
    }
    let lifetime = call.shared.config.token_lifetime;
    let data = call.state.issue_token(&org_id, &scopes, lifetime);
    Ok(Success::ok("Token generated successfully", data))
}
