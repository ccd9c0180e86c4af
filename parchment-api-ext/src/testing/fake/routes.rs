//! The fake's one route table: method and path pattern → who may call it and the handler.
//! Routing, the 405 answer and its `Allow` header, and the scope checks all read this table,
//! so a route is added in one place.

use super::auth;
use super::call::Call;
use super::error::ApiError;
use super::sso;
use super::state::Org;
use super::success::Success;
use hyper::Method;

/// Who may call a route.
#[derive(Debug, Clone, Copy)]
pub(super) enum Access {
    /// Partner credential headers, checked by the handler itself (token, SSO).
    Partner,
    /// Bearer token and organization secret for the path's organization, with this scope.
    Scope(&'static str),
    /// Anyone: the handler checks what the request carries (the SSO link's one-time token).
    Open,
}

/// A handler: the `data` of a success, or the error to answer.
pub(super) type Handler = fn(&mut Call<'_>) -> Result<Success, ApiError>;

/// One route: `pattern` is a path whose `{name}` segments match any one segment.
pub(super) struct Route {
    pub(super) method: Method,
    pub(super) pattern: &'static str,
    pub(super) access: Access,
    pub(super) handler: Handler,
}

const fn route(method: Method, pattern: &'static str, access: Access, handler: Handler) -> Route {
    Route {
        method,
        pattern,
        access,
        handler,
    }
}

use Access::{Open, Partner, Scope};

/// The path's organization and its user `{user_id}`, who must exist (else 404).
fn org_and_user<'c>(call: &'c mut Call<'_>) -> Result<(&'c mut Org, String), ApiError> {
    let user = call.param("user_id");
    let org = call.org()?;
    org.require_user(&user)?;
    Ok((org, user))
}

/// Every route the fake serves.
static ROUTES: &[Route] = &[
    route(Method::POST, "/v1/token", Partner, auth::token),
    route(
        Method::GET,
        "/v1/organizations/{organization_id}/validate",
        Scope("read:user"),
        |call| Ok(call.org()?.validate()),
    ),
    route(
        Method::GET,
        "/v1/organizations/{organization_id}/users",
        Scope("read:users"),
        |call| {
            let limit = call.query("limit");
            let last_key = call.query("lastKey");
            call.org()?.list(limit.as_deref(), last_key.as_deref())
        },
    ),
    route(
        Method::POST,
        "/v1/organizations/{organization_id}/users",
        Scope("create:user"),
        |call| {
            let body = call.json()?;
            call.org()?.create(&body)
        },
    ),
    route(
        Method::GET,
        "/v1/organizations/{organization_id}/users/{user_id}",
        Scope("read:user"),
        |call| {
            let user = call.param("user_id");
            call.org()?.read(&user)
        },
    ),
    route(
        Method::PUT,
        "/v1/organizations/{organization_id}/users/{user_id}",
        Scope("update:user"),
        |call| {
            let (user, body) = (call.param("user_id"), call.json()?);
            call.org()?.update(&user, &body)
        },
    ),
    route(
        Method::PUT,
        "/v1/organizations/{organization_id}/users/{user_id}/roles",
        Scope("update:user"),
        |call| {
            let (user, body) = (call.param("user_id"), call.json()?);
            call.org()?.replace_roles(&user, &body)
        },
    ),
    route(
        Method::PUT,
        "/v1/organizations/{organization_id}/users/{user_id}/disable",
        Scope("update:user"),
        |call| {
            let user = call.param("user_id");
            call.org()?.set_enabled(&user, false)
        },
    ),
    route(
        Method::PUT,
        "/v1/organizations/{organization_id}/users/{user_id}/enable",
        Scope("update:user"),
        |call| {
            let user = call.param("user_id");
            call.org()?.set_enabled(&user, true)
        },
    ),
    route(Method::POST, "/v1/sso", Partner, sso::issue),
    route(Method::GET, "/auth/sso", Open, sso::resolve),
    route(
        Method::POST,
        "/v1/organizations/{organization_id}/users/{user_id}/patients",
        Scope("create:patient"),
        |call| {
            let body = call.json()?;
            let (partner, base) = (
                call.shared.config.partner_id.clone(),
                call.shared.base_url.clone(),
            );
            let (org, _user) = org_and_user(call)?;
            let namespace = org.namespace;
            org.patients.create(namespace, &partner, &base, &body)
        },
    ),
    route(
        Method::PUT,
        "/v1/organizations/{organization_id}/users/{user_id}/patients/{patient_id}",
        Scope("update:patient"),
        |call| {
            let (body, patient) = (call.json()?, call.param("patient_id"));
            let (org, _user) = org_and_user(call)?;
            org.patients.update(&patient, &body)
        },
    ),
    route(
        Method::GET,
        "/v1/organizations/{organization_id}/users/{user_id}/patients/{patient_id}/prescriptions",
        Scope("read:patient_prescription"),
        |call| {
            let (limit, last_key) = (call.query("limit"), call.query("lastKey"));
            let patient = call.param("patient_id");
            let (org, user) = org_and_user(call)?;
            let prescriber = org.require_user(&user)?;
            org.patients.list_prescriptions(
                &patient,
                prescriber,
                limit.as_deref(),
                last_key.as_deref(),
            )
        },
    ),
    route(
        Method::GET,
        "/v1/organizations/{organization_id}/users/{user_id}/patients/{patient_id}/prescriptions/{scid}",
        Scope("read:patient_prescription"),
        |call| {
            let (patient, scid) = (call.param("patient_id"), call.param("scid"));
            let (org, _user) = org_and_user(call)?;
            org.patients.read_prescription(&patient, &scid, &org.users)
        },
    ),
    route(
        Method::POST,
        "/v1/organizations/{organization_id}/users/{user_id}/custom-drugs",
        Scope("create:custom_drug"),
        |call| {
            let body = call.json()?;
            let (org, user) = org_and_user(call)?;
            let namespace = org.namespace;
            org.drugs.create_for_user(namespace, &user, &body)
        },
    ),
    route(
        Method::GET,
        "/v1/organizations/{organization_id}/users/{user_id}/custom-drugs",
        Scope("read:custom_drug"),
        |call| {
            let (org, user) = org_and_user(call)?;
            Ok(org.drugs.list_for_user(&user))
        },
    ),
    route(
        Method::PUT,
        "/v1/organizations/{organization_id}/users/{user_id}/custom-drugs/{drug_id}",
        Scope("update:custom_drug"),
        |call| {
            let (body, drug) = (call.json()?, call.param("drug_id"));
            let (org, user) = org_and_user(call)?;
            org.drugs.update_for_user(&user, &drug, &body)
        },
    ),
    route(
        Method::POST,
        "/v1/organizations/{organization_id}/custom-drugs",
        Scope("create:custom_drug"),
        |call| {
            let body = call.json()?;
            let org = call.org()?;
            let namespace = org.namespace;
            org.drugs.bulk_create(namespace, &body)
        },
    ),
    route(
        Method::GET,
        "/v1/organizations/{organization_id}/custom-drugs",
        Scope("read:custom_drug"),
        |call| Ok(call.org()?.drugs.list_organization()),
    ),
    route(
        Method::DELETE,
        "/v1/organizations/{organization_id}/custom-drugs",
        Scope("delete:custom_drug"),
        |call| {
            let confirm = call.query("confirm");
            call.org()?.drugs.delete_organization(confirm.as_deref())
        },
    ),
];

/// What the table says about a request's method and path.
pub(super) enum Lookup<'p> {
    /// A route, with the values of its `{name}` segments.
    Found(&'static Route, Vec<(&'static str, &'p str)>),
    /// The path is known but not for this method: the methods it serves.
    WrongMethod(Vec<&'static Method>),
    /// No route has this path.
    NotFound,
}

/// The `{name}` values if `pattern` matches `segments`.
fn matches<'p>(
    pattern: &'static str,
    segments: &[&'p str],
) -> Option<Vec<(&'static str, &'p str)>> {
    let mut params = Vec::new();
    let mut parts = pattern.trim_start_matches('/').split('/');
    for segment in segments {
        let part = parts.next()?;
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) => params.push((name, *segment)),
            None if part == *segment => {}
            None => return None,
        }
    }
    parts.next().is_none().then_some(params)
}

/// Looks `method` and the decoded path `segments` up in the table.
pub(super) fn lookup<'p>(method: &Method, segments: &[&'p str]) -> Lookup<'p> {
    let mut allowed = Vec::new();
    for route in ROUTES {
        if let Some(params) = matches(route.pattern, segments) {
            if route.method == *method {
                return Lookup::Found(route, params);
            }
            allowed.push(&route.method);
        }
    }
    if allowed.is_empty() {
        Lookup::NotFound
    } else {
        Lookup::WrongMethod(allowed)
    }
}

#[cfg(test)]
mod tests {
    use super::{Lookup, lookup};
    use hyper::Method;

    #[test]
    fn the_table_gives_params_and_allowed_methods() {
        let path = ["v1", "organizations", "org_1", "users", "usr_2"];
        match lookup(&Method::GET, &path) {
            Lookup::Found(route, params) => {
                assert_eq!(
                    route.pattern,
                    "/v1/organizations/{organization_id}/users/{user_id}"
                );
                assert_eq!(params, [("organization_id", "org_1"), ("user_id", "usr_2")]);
            }
            _ => panic!("GET user is a route"),
        }
        match lookup(&Method::DELETE, &path) {
            Lookup::WrongMethod(allowed) => assert_eq!(allowed, [&Method::GET, &Method::PUT]),
            _ => panic!("DELETE user is not served"),
        }
        assert!(matches!(
            lookup(&Method::GET, &["v1", "nope"]),
            Lookup::NotFound
        ));
        assert!(matches!(
            lookup(
                &Method::GET,
                &["v1", "organizations", "o", "users", "u", "x", "y"]
            ),
            Lookup::NotFound
        ));
    }
}
