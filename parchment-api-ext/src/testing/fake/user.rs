//! [`FakeUser`]: one user of the fake, and how reads, lists and prescription blocks show it.

use serde_json::{Map, Value, json};

/// One user of the fake.
#[derive(Debug, Clone)]
pub(crate) struct FakeUser {
    pub(crate) user_id: String,
    pub(crate) email: String,
    pub(crate) external_user_id: Option<String>,
    pub(crate) full_name: String,
    pub(crate) roles: Vec<String>,
    pub(crate) enabled: bool,
    /// Provider fields as sent (dates as `YYYY-MM-DD`); empty for non-providers.
    pub(crate) provider_details: Map<String, Value>,
}

impl FakeUser {
    /// Title, given and family name, as prescription reads show the prescriber: from the
    /// provider details when they have them, else from the full name.
    pub(crate) fn names(&self) -> (String, String, String) {
        let detail = |field: &str| {
            self.provider_details
                .get(field)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let full = self.full_name.trim();
        let (title, rest) = match full.strip_prefix("Dr ") {
            Some(rest) => ("Dr", rest),
            None => ("", full),
        };
        let (given, family) = rest.split_once(' ').unwrap_or((rest, ""));
        (
            detail("title").unwrap_or_else(|| title.to_owned()),
            detail("given_name").unwrap_or_else(|| given.to_owned()),
            detail("family_name").unwrap_or_else(|| family.to_owned()),
        )
    }

    pub(crate) fn is_provider(&self) -> bool {
        self.roles.iter().any(|role| role == "provider")
    }

    /// The read-user `data`: provider details for providers (dates of birth as the midnight UTC
    /// timestamps Parchment returns), none for others.
    pub(crate) fn to_read(&self) -> Value {
        let mut user = json!({
            "user_id": self.user_id,
            "email": self.email,
            "full_name": self.full_name,
            "access_roles": self.roles,
        });
        if let Some(external) = &self.external_user_id {
            user["external_user_id"] = json!(external);
        }
        if self.is_provider() {
            let mut details = self.provider_details.clone();
            if let Some(Value::String(date)) = details.get("date_of_birth") {
                let timestamp = format!("{date}T00:00:00.000Z");
                details.insert("date_of_birth".into(), Value::String(timestamp));
            }
            user["provider_details"] = Value::Object(details);
        }
        user
    }

    /// The list-users item.
    pub(crate) fn to_list_item(&self) -> Value {
        let mut item = json!({
            "user_id": self.user_id,
            "email": self.email,
            "full_name": self.full_name,
            "access_roles": self.roles,
        });
        if let Some(external) = &self.external_user_id {
            item["external_user_id"] = json!(external);
        }
        item
    }
}
