//! Custom drugs: each prescriber's own catalogue (create, update, list with the
//! organization's) and the organization's shared one (bulk create with a per-item outcome,
//! list, delete all with `confirm=true`). The rules: seven required fields on create, the
//! documented maximum lengths, `quantity` and `max_repeats` as strings (a number is coerced),
//! a non-empty bulk list.

use super::error::{ApiError, Violation};
use super::ids;
use super::rules;
use super::success::Success;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};

/// Kind tag of custom drug ids.
const DRUG_KIND: u16 = 0xd36;

/// At most this many failures are listed in a bulk result (`failureCount` counts them all).
const LISTED_FAILURES: usize = 50;

/// Every field, with its maximum length (`None`: the coerced numbers), required ones first.
const FIELDS: &[(&str, Option<usize>)] = &[
    ("item_generic_name", Some(280)),
    ("item_strength", Some(100)),
    ("item_form", Some(50)),
    ("route_of_administration", Some(50)),
    ("quantity", None),
    ("max_repeats", None),
    ("poison_class", Some(2)),
    ("item_trade_name", Some(280)),
    ("brand_name", Some(100)),
    ("custom_product_id", Some(50)),
    ("description", Some(280)),
    ("patient_instructions", Some(250)),
    ("doctor_instructions", Some(50)),
];
const REQUIRED: usize = 7;

/// One drug's fields as stored (the optional ones only when set), without its id.
type Drug = Map<String, Value>;

/// Checks a drug body: all fields on create, only those sent on update (where `null` clears
/// an optional field; on create it is refused). Returns the changes, or the failed fields.
fn check(body: &Value, create: bool) -> Result<Vec<(String, Option<Value>)>, Vec<Violation>> {
    let object = match rules::object(body) {
        Ok(object) => object,
        Err(_) => return Err(vec![("body".into(), "must be a JSON object".into())]),
    };
    let mut violations = Vec::new();
    if let Some(unknown) = object
        .keys()
        .find(|key| !FIELDS.iter().any(|(field, _)| field == key))
    {
        violations.push((unknown.clone(), "is not a custom drug field".to_owned()));
    }
    let mut changes = Vec::new();
    for (index, (field, max)) in FIELDS.iter().enumerate() {
        let required = index < REQUIRED;
        let text = match object.get(*field) {
            None if create && required => {
                violations.push(((*field).into(), "is required".into()));
                continue;
            }
            None => continue,
            Some(Value::Null) if required => {
                violations.push(((*field).into(), "must not be null".into()));
                continue;
            }
            // A new drug has nothing to clear: the documented body is strings only, so a
            // `null` there is a wrong type, as the spec says.
            Some(Value::Null) if create => {
                violations.push(((*field).into(), "must be a string".into()));
                continue;
            }
            Some(Value::Null) => {
                changes.push(((*field).to_owned(), None));
                continue;
            }
            Some(Value::String(text)) => text.clone(),
            Some(Value::Number(number)) if max.is_none() => number.to_string(),
            Some(_) => {
                violations.push(((*field).into(), "must be a string".into()));
                continue;
            }
        };
        if required && text.trim().is_empty() {
            violations.push(((*field).into(), "must not be empty".into()));
        } else if let Some(max) = max
            && text.chars().count() > *max
        {
            violations.push(((*field).into(), format!("must be at most {max} characters")));
        } else {
            changes.push(((*field).to_owned(), Some(Value::String(text))));
        }
    }
    if violations.is_empty() {
        Ok(changes)
    } else {
        Err(violations)
    }
}

fn with_id(id: &str, drug: &Drug) -> Value {
    let mut shown = Map::with_capacity(drug.len() + 1);
    shown.insert("custom_drug_id".into(), json!(id));
    shown.extend(drug.iter().map(|(k, v)| (k.clone(), v.clone())));
    Value::Object(shown)
}

/// Both catalogues of one organization.
#[derive(Debug, Default)]
pub(crate) struct Catalogues {
    /// The organization's, by id (ids sort in creation order).
    organization: BTreeMap<String, Drug>,
    /// Each user's own, by user id then drug id.
    users: HashMap<String, BTreeMap<String, Drug>>,
    next_drug: u64,
}

impl Catalogues {
    fn new_id(&mut self, namespace: u32) -> String {
        self.next_drug += 1;
        ids::uuid_like(namespace, DRUG_KIND, self.next_drug)
    }

    /// How many drugs: the organization's, and the user's own when `user_id` is given.
    pub(crate) fn count(&self, user_id: Option<&str>) -> usize {
        self.organization.len()
            + user_id
                .and_then(|user| self.users.get(user))
                .map_or(0, BTreeMap::len)
    }

    /// The ids of the user's own drugs, in creation order.
    #[cfg(test)]
    pub(crate) fn user_drug_ids(&self, user_id: &str) -> Vec<String> {
        self.users
            .get(user_id)
            .map(|drugs| drugs.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// `POST .../users/{user_id}/custom-drugs`.
    pub(crate) fn create_for_user(
        &mut self,
        namespace: u32,
        user_id: &str,
        body: &Value,
    ) -> Result<Success, ApiError> {
        let changes =
            check(body, true).or_else(|v| ApiError::bad_fields(v).map(|()| Vec::new()))?;
        let drug: Drug = changes
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
        let id = self.new_id(namespace);
        let shown = with_id(&id, &drug);
        self.users
            .entry(user_id.to_owned())
            .or_default()
            .insert(id, drug);
        Ok(Success::with_status(201, "Custom drug created successfully", shown).code("SUCCESS"))
    }

    /// `PUT .../users/{user_id}/custom-drugs/{drug_id}`: only the user's own drugs.
    pub(crate) fn update_for_user(
        &mut self,
        user_id: &str,
        drug_id: &str,
        body: &Value,
    ) -> Result<Success, ApiError> {
        let drug = self
            .users
            .get_mut(user_id)
            .and_then(|drugs| drugs.get_mut(drug_id))
            .ok_or_else(|| ApiError::resource_not_found("Custom drug not found for this user"))?;
        let changes =
            check(body, false).or_else(|v| ApiError::bad_fields(v).map(|()| Vec::new()))?;
        for (field, value) in changes {
            match value {
                Some(value) => drug.insert(field, value),
                None => drug.remove(&field),
            };
        }
        Ok(Success::ok("Custom drug updated successfully", with_id(drug_id, drug)).code("SUCCESS"))
    }

    /// `GET .../users/{user_id}/custom-drugs`: the organization's, then the user's.
    pub(crate) fn list_for_user(&self, user_id: &str) -> Success {
        let mine = self.users.get(user_id);
        let drugs: Vec<Value> = self
            .organization
            .iter()
            .chain(mine.into_iter().flatten())
            .map(|(id, drug)| with_id(id, drug))
            .collect();
        let message = "Retrieved custom drugs successfully";
        Success::ok(message, Value::Array(drugs)).code("SUCCESS")
    }

    /// `GET .../custom-drugs`: the organization's only.
    pub(crate) fn list_organization(&self) -> Success {
        let drugs: Vec<Value> = self
            .organization
            .iter()
            .map(|(id, drug)| with_id(id, drug))
            .collect();
        Success::ok("Retrieved custom drugs successfully", Value::Array(drugs)).code("SUCCESS")
    }

    /// `POST .../custom-drugs`: each item on its own; 200 when one succeeded, 400 when all
    /// failed.
    pub(crate) fn bulk_create(
        &mut self,
        namespace: u32,
        body: &Value,
    ) -> Result<Success, ApiError> {
        let Some(items) = body.as_array() else {
            return Err(ApiError::bad_request(
                "the body must be a JSON array of custom drugs",
            ));
        };
        if items.is_empty() {
            return Err(ApiError::bad_request(
                "the list of custom drugs must not be empty",
            ));
        }
        let mut failures = Vec::new();
        let mut failure_count = 0usize;
        let mut created = 0usize;
        for (index, item) in items.iter().enumerate() {
            match check(item, true) {
                Ok(changes) => {
                    let drug: Drug = changes
                        .into_iter()
                        .filter_map(|(k, v)| v.map(|v| (k, v)))
                        .collect();
                    let id = self.new_id(namespace);
                    self.organization.insert(id, drug);
                    created += 1;
                }
                Err(violations) => {
                    failure_count += 1;
                    if failures.len() < LISTED_FAILURES {
                        let error = violations
                            .iter()
                            .map(|(field, message)| format!("{field} {message}"))
                            .collect::<Vec<_>>()
                            .join("; ");
                        failures.push(json!({"index": index + 1, "error": error}));
                    }
                }
            }
        }
        if created == 0 {
            let mut error = ApiError::bad_request("Every custom drug in the request failed");
            error.validation = failures
                .iter()
                .map(|failure| {
                    (
                        format!("[{}]", failure["index"]),
                        failure["error"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect();
            return Err(error);
        }
        Ok(Success::ok(
            "Custom drugs processed",
            json!({
                "total": items.len(),
                "successCount": created,
                "failureCount": failure_count,
                "failures": failures,
            }),
        )
        .code("SUCCESS"))
    }

    /// `DELETE .../custom-drugs?confirm=true`: every organization drug; users' are kept.
    pub(crate) fn delete_organization(
        &mut self,
        confirm: Option<&str>,
    ) -> Result<Success, ApiError> {
        if confirm != Some("true") {
            return Err(ApiError::bad_request(
                "confirm=true is required to delete every organization custom drug",
            ));
        }
        self.organization.clear();
        Ok(Success::ok("Success", json!({})))
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use serde_json::json;

    #[test]
    fn numbers_are_coerced_and_lengths_checked() {
        let body = json!({"item_generic_name": "Paracetamol", "item_strength": "500mg",
            "item_form": "Tablet", "route_of_administration": "Oral", "quantity": 20,
            "max_repeats": "2", "poison_class": "S2"});
        let changes = check(&body, true).unwrap_or_default();
        assert!(changes.contains(&("quantity".into(), Some(json!("20")))));
        let mut long = body.clone();
        long["poison_class"] = json!("S44");
        assert_eq!(
            check(&long, true).err().map(|v| v[0].0.clone()),
            Some("poison_class".to_owned())
        );
    }

    #[test]
    fn null_clears_on_update_only() {
        let mut body = json!({"item_generic_name": "Paracetamol", "item_strength": "500mg",
            "item_form": "Tablet", "route_of_administration": "Oral", "quantity": "20",
            "max_repeats": "2", "poison_class": "S2"});
        body["doctor_instructions"] = json!(null);
        let refused = check(&body, true).err().unwrap_or_default();
        assert_eq!(
            refused,
            [(
                "doctor_instructions".to_owned(),
                "must be a string".to_owned()
            )]
        );
        let cleared = check(&json!({"doctor_instructions": null}), false).unwrap_or_default();
        assert_eq!(cleared, [("doctor_instructions".to_owned(), None)]);
    }
}
