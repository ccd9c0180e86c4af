//! What the fake remembers: organizations, their users, issued tokens, and the fake's clock.
//! Each users operation is a method of [`Org`] that returns a [`Success`] or an [`ApiError`].

use super::drugs::Catalogues;
use super::error::ApiError;
use super::patients::Patients;
use super::rules;
use super::sso_links::SsoLinks;
use super::success::Success;
use super::user::FakeUser;
use crate::testing::identifiers;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;
use std::time::{Duration, Instant};

/// One organization of the fake.
#[derive(Debug)]
pub(crate) struct Org {
    pub(crate) secret: String,
    pub(crate) static_token: String,
    pub(crate) validated: bool,
    /// By id; ids are zero-padded counters, so this order is creation order.
    pub(crate) users: BTreeMap<String, FakeUser>,
    emails: HashSet<String>,
    next_user: u64,
    /// Keeps this organization's ids apart from every other's.
    pub(crate) namespace: u32,
    pub(crate) patients: Patients,
    pub(crate) drugs: Catalogues,
}

impl Org {
    /// An organization; `namespace` (its ordinal) keeps its user ids apart from every other
    /// organization's, as Parchment's are.
    pub(crate) fn new(secret: String, static_token: String, namespace: u32) -> Self {
        Self {
            secret,
            static_token,
            validated: false,
            users: BTreeMap::new(),
            emails: HashSet::new(),
            next_user: 1,
            namespace,
            patients: Patients::default(),
            drugs: Catalogues::default(),
        }
    }

    /// The user a path names; the documented 404 when the organization has none of that id.
    pub(crate) fn require_user(&self, user_id: &str) -> Result<&FakeUser, ApiError> {
        self.users
            .get(user_id)
            .ok_or_else(|| ApiError::not_found("User not found"))
    }

    fn next_id(&mut self) -> String {
        let id = format!("usr_{:04x}{:08x}", self.namespace, self.next_user);
        self.next_user += 1;
        id
    }

    /// Adds a user; `Err` with the documented 409 when the email is taken.
    pub(crate) fn insert(&mut self, mut user: FakeUser) -> Result<String, ApiError> {
        if !self.emails.insert(user.email.to_ascii_lowercase()) {
            return Err(ApiError::conflict(
                "A user with this email already exists in the organization",
            )
            .with_code("USER_ALREADY_EXISTS"));
        }
        user.user_id = self.next_id();
        let id = user.user_id.clone();
        self.users.insert(id.clone(), user);
        Ok(id)
    }

    /// Adds `count` generated users: every third a provider with full details.
    pub(crate) fn seed(&mut self, count: usize) {
        let start = self.next_user;
        // Saturating: a huge count ends at the id space instead of overflowing.
        let end = start.saturating_add(u64::try_from(count).unwrap_or(u64::MAX));
        for n in start..end {
            let (given, family) = identifiers::names(n);
            let provider = n % 3 == 0;
            let user = FakeUser {
                user_id: String::new(),
                email: format!(
                    "{}.{}.{n}@example.com",
                    given.to_ascii_lowercase(),
                    family.to_ascii_lowercase()
                ),
                external_user_id: Some(format!("PARTNER#USER_{n}")),
                full_name: format!("{}{given} {family}", if provider { "Dr " } else { "" }),
                roles: if provider {
                    vec!["provider".into()]
                } else {
                    vec![["admin", "receptionist", "rx_reader"][(n % 3) as usize].into()]
                },
                enabled: true,
                provider_details: if provider {
                    identifiers::provider_details(n)
                } else {
                    Map::new()
                },
            };
            // Generated emails carry the counter and cannot collide.
            let _ = self.insert(user);
        }
    }

    fn user_mut(&mut self, user_id: &str) -> Result<&mut FakeUser, ApiError> {
        self.users
            .get_mut(user_id)
            .ok_or_else(|| ApiError::not_found("User not found"))
    }

    pub(crate) fn list(
        &self,
        limit: Option<&str>,
        last_key: Option<&str>,
    ) -> Result<Success, ApiError> {
        let limit = match limit {
            None => 20,
            Some(text) => match text.parse::<usize>() {
                Ok(limit) if (1..=100).contains(&limit) => limit,
                _ => {
                    return Err(ApiError::bad_request(
                        "limit must be an integer from 1 to 100",
                    ));
                }
            },
        };
        let start = match last_key {
            None => Bound::Unbounded,
            Some(key) => Bound::Excluded(decode_key(key).ok_or_else(|| {
                ApiError::bad_request("lastKey is not a key this endpoint returned")
            })?),
        };
        let mut page = self
            .users
            .range::<String, _>((start, Bound::Unbounded))
            .map(|(_, user)| user);
        let users: Vec<&FakeUser> = page.by_ref().take(limit).collect();
        let more = page.next().is_some();
        let last_key = match (more, users.last()) {
            (true, Some(last)) => Value::String(encode_key(&last.user_id)),
            _ => Value::Null,
        };
        let items: Vec<Value> = users.iter().map(|user| user.to_list_item()).collect();
        Ok(Success::ok(
            "Users retrieved successfully",
            json!({"users": items, "pagination": {"total": self.users.len(), "limit": limit, "lastKey": last_key}}),
        ))
    }

    pub(crate) fn read(&self, user_id: &str) -> Result<Success, ApiError> {
        let user = self
            .users
            .get(user_id)
            .ok_or_else(|| ApiError::not_found("User not found"))?;
        Ok(Success::ok("User retrieved successfully", user.to_read()))
    }

    pub(crate) fn create(&mut self, body: &Value) -> Result<Success, ApiError> {
        let new = rules::create(body)?;
        let user = FakeUser {
            user_id: String::new(),
            full_name: format!("{} {}", new.given_name, new.family_name),
            email: new.email,
            external_user_id: new.partner_user_id.map(|id| format!("PARTNER#{id}")),
            roles: new.roles,
            enabled: true,
            provider_details: {
                let mut details = new.provider_details;
                details.insert("given_name".into(), json!(new.given_name));
                details.insert("family_name".into(), json!(new.family_name));
                details
            },
        };
        let id = self.insert(user)?;
        Ok(
            Success::with_status(201, "User created successfully", json!({"user_id": id}))
                .code("USER_CREATED"),
        )
    }

    pub(crate) fn update(&mut self, user_id: &str, body: &Value) -> Result<Success, ApiError> {
        let update = rules::update(body)?;
        let user = self.user_mut(user_id)?;
        if let Some(name) = update.full_name {
            user.full_name = name;
        }
        if let Some(details) = update.provider_details {
            user.provider_details.extend(details);
        }
        Ok(Success::ok(
            "User updated successfully",
            json!({"user_id": user_id}),
        ))
    }

    pub(crate) fn replace_roles(
        &mut self,
        user_id: &str,
        body: &Value,
    ) -> Result<Success, ApiError> {
        let roles = rules::roles(body)?;
        let user = self.user_mut(user_id)?;
        user.roles = roles;
        Ok(Success::ok(
            "User roles updated successfully",
            json!({"user_id": user_id, "access_roles": user.roles}),
        ))
    }

    /// Disabling drops the roles to `member`; enabling does not give them back.
    pub(crate) fn set_enabled(
        &mut self,
        user_id: &str,
        enabled: bool,
    ) -> Result<Success, ApiError> {
        let user = self.user_mut(user_id)?;
        if user.enabled != enabled {
            user.enabled = enabled;
            user.roles = vec!["member".into()];
        }
        let message = if enabled {
            "User enabled successfully"
        } else {
            "User disabled successfully"
        };
        Ok(Success::ok(message, json!({"user_id": user_id})))
    }

    pub(crate) fn validate(&mut self) -> Success {
        self.validated = true;
        Success::ok(
            "Organization validated successfully",
            json!({"validated": true}),
        )
    }
}

fn encode_key(user_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(json!({"user_id": user_id}).to_string())
}

fn decode_key(key: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(key).ok()?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    value.get("user_id")?.as_str().map(str::to_owned)
}

/// A token the fake issued.
#[derive(Debug, Clone)]
pub(crate) struct IssuedToken {
    pub(crate) organization_id: String,
    pub(crate) scopes: HashSet<String>,
    pub(crate) expires_at: Instant,
}

/// Everything the fake knows.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) orgs: HashMap<String, Org>,
    pub(crate) tokens: HashMap<String, IssuedToken>,
    pub(crate) tokens_issued: u64,
    /// How far a test has moved the fake's clock ahead of the real one.
    pub(crate) clock_offset: Duration,
    /// How many organizations were added after the first (each gets its own id namespace).
    pub(crate) namespaces: u32,
    /// SSO links issued and not yet used.
    pub(crate) sso: SsoLinks,
}

impl State {
    /// The fake's present: the real clock plus what tests advanced it by.
    pub(crate) fn now(&self) -> Instant {
        Instant::now() + self.clock_offset
    }

    /// The fake's wall clock: the real one plus what tests advanced it by.
    pub(crate) fn wall_now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + chrono::TimeDelta::from_std(self.clock_offset).unwrap_or_default()
    }

    /// Issues a token for `organization_id` lasting `lifetime`, granting `requested` scopes
    /// that exist.
    pub(crate) fn issue_token(
        &mut self,
        organization_id: &str,
        requested: &[String],
        lifetime: Duration,
    ) -> Value {
        self.tokens_issued += 1;
        let token = format!("fake_tok_{}_{:016x}", self.tokens_issued, fastrand::u64(..));
        let scopes: HashSet<String> = requested
            .iter()
            .filter(|scope| super::config::KNOWN_SCOPES.contains(&scope.as_str()))
            .cloned()
            .collect();
        let mut granted: Vec<&String> = scopes.iter().collect();
        granted.sort();
        let data = json!({"accessToken": token, "expiresIn": lifetime.as_secs(), "tokenType": "Bearer", "scope": granted});
        self.tokens.insert(
            token,
            IssuedToken {
                organization_id: organization_id.to_owned(),
                scopes,
                expires_at: self.now() + lifetime,
            },
        );
        data
    }
}
