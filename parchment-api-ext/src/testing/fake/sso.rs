//! SSO links: `POST /v1/sso` (the five credential headers, a `redirect_path`) answers a
//! short-lived link to the fake itself, `GET /auth/sso?token=...` resolves it once (302 to the
//! path). A second use, or a use after the fake's clock passed the expiry, is refused.

use super::auth;
use super::call::Call;
use super::error::ApiError;
use super::rules;
use super::sso_links::{Grant, LIFETIME, SsoSignIn};
use super::success::Success;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// A redirect path as Parchment's portal takes it: starts with `/`, and is a path only (no
/// `//`, no `..`, no scheme or control characters).
fn check_path(path: &str) -> Result<(), ApiError> {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains("..")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && !path.split('?').next().unwrap_or("").contains(':');
    if ok {
        Ok(())
    } else {
        let mut error =
            ApiError::bad_request("redirect_path must be a portal path starting with /");
        error.validation = vec![(
            "redirect_path".into(),
            "must start with / and be a path only".into(),
        )];
        Err(error)
    }
}

/// `POST /v1/sso`.
pub(super) fn issue(call: &mut Call<'_>) -> Result<Success, ApiError> {
    let (organization_id, user_id) = auth::partner_headers(call)?;
    let body = call.json()?;
    let object = rules::object(&body)?;
    rules::known_members(object, &["redirect_path"], &[])?;
    let Some(Value::String(path)) = object.get("redirect_path") else {
        return Err(ApiError::bad_request("redirect_path is required"));
    };
    check_path(path)?;
    let now = call.state.now();
    let links = &mut call.state.sso;
    links.retain_unexpired(now);
    let claims = json!({"org": organization_id, "sub": user_id, "exp_in": LIFETIME.as_secs()});
    let signature: Vec<u8> = (0..32).map(|_| fastrand::u8(..)).collect();
    let token = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    );
    let encoded: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
    let redirect_url = format!(
        "{}/auth/sso?token={token}&redirect={encoded}",
        call.shared.base_url
    );
    links.insert(
        token.clone(),
        Grant {
            sign_in: SsoSignIn {
                organization_id,
                user_id,
                redirect_path: path.clone(),
            },
            expires_at: now + LIFETIME,
        },
    );
    Ok(Success::ok(
        "SSO token generated successfully",
        json!({"sso_token": token, "redirect_url": redirect_url, "expires_in": LIFETIME.as_secs()}),
    ))
}

/// `GET /auth/sso?token=...`: 302 to the link's path, once.
pub(super) fn resolve(call: &mut Call<'_>) -> Result<Success, ApiError> {
    let token = call.query("token").unwrap_or_default();
    let now = call.state.now();
    let sign_in = call
        .state
        .sso
        .resolve(&token, now)
        .ok_or_else(|| ApiError::unauthorized("The SSO link is invalid, used or expired"))?;
    let mut success = Success::with_status(
        302,
        "Signed in",
        json!({"redirect_path": sign_in.redirect_path, "user_id": sign_in.user_id}),
    );
    success.location = Some(sign_in.redirect_path);
    Ok(success)
}
