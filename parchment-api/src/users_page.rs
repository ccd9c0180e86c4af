//! [`UsersPage`]: the list-users `data` in either documented form, decoded in one pass.
//!
//! The spec says `oneOf: [array, object]`, which progenitor generates as a serde `untagged`
//! enum. Untagged enums buffer the whole value into an intermediate tree and then decode it
//! again for each variant tried: for a 100-user page that doubled the decoding time. A JSON
//! array and a JSON object are told apart by their first token, so this replacement decodes
//! each form directly.

use crate::types::{UserSummary, UsersPageObject};
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A list page in either documented form.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum UsersPage {
    /// A plain array of users.
    Array(Vec<UserSummary>),
    /// An object with `users` and `pagination`.
    UsersPageObject(UsersPageObject),
}

impl From<Vec<UserSummary>> for UsersPage {
    fn from(users: Vec<UserSummary>) -> Self {
        Self::Array(users)
    }
}

impl From<UsersPageObject> for UsersPage {
    fn from(page: UsersPageObject) -> Self {
        Self::UsersPageObject(page)
    }
}

impl<'de> Deserialize<'de> for UsersPage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PageVisitor;

        impl<'de> Visitor<'de> for PageVisitor {
            type Value = UsersPage;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of users, or an object with `users`")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<UsersPage, A::Error> {
                Vec::deserialize(SeqAccessDeserializer::new(seq)).map(UsersPage::Array)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<UsersPage, A::Error> {
                UsersPageObject::deserialize(MapAccessDeserializer::new(map))
                    .map(UsersPage::UsersPageObject)
            }
        }

        deserializer.deserialize_any(PageVisitor)
    }
}

impl schemars::JsonSchema for UsersPage {
    fn schema_name() -> String {
        "UsersPage".to_owned()
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            metadata: Some(Box::new(schemars::schema::Metadata {
                description: Some("A list page in either documented form.".to_owned()),
                ..Default::default()
            })),
            subschemas: Some(Box::new(schemars::schema::SubschemaValidation {
                one_of: Some(vec![
                    generator.subschema_for::<Vec<UserSummary>>(),
                    generator.subschema_for::<UsersPageObject>(),
                ]),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_decode_and_anything_else_is_refused() {
        let array: UsersPage =
            serde_json::from_str(r#"[{"user_id": "usr_1", "email": "a@example.com"}]"#)
                .expect("the array form");
        assert!(matches!(array, UsersPage::Array(users) if users[0].user_id == "usr_1"));
        let object: UsersPage =
            serde_json::from_str(r#"{"users": [], "pagination": {"lastKey": "k"}}"#)
                .expect("the object form");
        assert!(matches!(object, UsersPage::UsersPageObject(page) if page.users.is_empty()));
        assert!(serde_json::from_str::<UsersPage>(r#""users""#).is_err());
        assert!(serde_json::from_str::<UsersPage>(r#"{"pagination": {}}"#).is_err());
    }

    #[test]
    fn it_serializes_as_it_came() {
        let page: UsersPage = serde_json::from_str(r#"[{"user_id": "usr_1"}]"#).expect("decodes");
        assert_eq!(
            serde_json::to_string(&page).expect("encodes"),
            r#"[{"user_id":"usr_1"}]"#
        );
    }
}
