//! An organization's patients and the prescriptions written for them: create (201; 202
//! "Conflict Detected" when a patient with the same given name, family name and date of birth
//! exists, still created; 409 on a duplicate `partner_patient_id`), partial update, and the
//! paginated and single prescription reads.
//!
//! Patients belong to the organization: any of its users may act on them. The prescription
//! list shows what the path's user wrote (its one `prescriber` block names that user); the
//! single read finds any of the patient's prescriptions and names its own prescriber.

use super::error::ApiError;
use super::ids;
use super::patient_rules;
use super::prescriptions::{FakePrescription, Prescription};
use super::success::Success;
use super::user::FakeUser;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

/// Kind tag of patient ids (see [`ids::uuid_like`]).
const PATIENT_KIND: u16 = 0x9a7;

/// One patient.
#[derive(Debug)]
pub(crate) struct Patient {
    pub(crate) patient_id: String,
    /// The fields as written (the address under the update's key).
    record: Map<String, Value>,
    /// By sequence number: creation order.
    prescriptions: BTreeMap<u64, Prescription>,
    by_scid: HashMap<String, u64>,
}

impl Patient {
    fn text(&self, field: &str) -> Option<&str> {
        self.record.get(field).and_then(Value::as_str)
    }

    pub(crate) fn partner_patient_id(&self) -> Option<&str> {
        self.text("partner_patient_id")
    }

    /// The patient block of prescription reads: the identity fields it has.
    fn summary(&self) -> Value {
        let mut summary = Map::new();
        summary.insert("patient_id".into(), json!(self.patient_id));
        for field in [
            "partner_patient_id",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
        ] {
            if let Some(value) = self.record.get(field) {
                summary.insert(field.into(), value.clone());
            }
        }
        Value::Object(summary)
    }

    /// The update's `data`: id and demographics, the ones it has.
    fn updated(&self) -> Value {
        let mut data = Map::new();
        data.insert("patient_id".into(), json!(self.patient_id));
        for field in [
            "family_name",
            "given_name",
            "date_of_birth",
            "sex",
            "phone",
            "email",
        ] {
            if let Some(value) = self.record.get(field) {
                data.insert(field.into(), value.clone());
            }
        }
        Value::Object(data)
    }

    /// The key of the demographic match: names (case and outer spaces ignored) and date of
    /// birth; `None` without all three.
    fn demographic_key(record: &Map<String, Value>) -> Option<String> {
        let part = |field: &str| record.get(field).and_then(Value::as_str);
        let (given, family, born) = (
            part("given_name")?,
            part("family_name")?,
            part("date_of_birth")?,
        );
        Some(format!(
            "{}\u{0}{}\u{0}{born}",
            given.trim().to_lowercase(),
            family.trim().to_lowercase()
        ))
    }

    /// The address as kept (update's key), if any.
    #[cfg(test)]
    fn address(&self) -> Option<&Value> {
        self.record.get(patient_rules::ADDRESS)
    }
}

/// The patients of one organization.
#[derive(Debug, Default)]
pub(crate) struct Patients {
    by_id: HashMap<String, Patient>,
    by_partner_id: HashMap<String, String>,
    /// How many patients have each demographic key.
    demographics: HashMap<String, usize>,
    next_patient: u64,
    next_prescription: u64,
}

/// A lookup the test API makes when it writes a prescription.
#[derive(Debug)]
pub(crate) struct Written {
    pub(crate) scid: String,
    pub(crate) partner_patient_id: Option<String>,
}

impl Patients {
    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }

    #[cfg(test)]
    fn get(&self, patient_id: &str) -> Option<&Patient> {
        self.by_id.get(patient_id)
    }

    fn patient(&self, patient_id: &str) -> Result<&Patient, ApiError> {
        self.by_id
            .get(patient_id)
            .ok_or_else(|| ApiError::resource_not_found("Patient not found in this organization"))
    }

    /// `POST .../users/{user_id}/patients`.
    pub(crate) fn create(
        &mut self,
        namespace: u32,
        partner_id: &str,
        base_url: &str,
        body: &Value,
    ) -> Result<Success, ApiError> {
        let record = patient_rules::create(body)?;
        let partner_patient_id = record
            .get("partner_patient_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(id) = &partner_patient_id
            && self.by_partner_id.contains_key(id)
        {
            return Err(ApiError::conflict(
                "A patient with this partner_patient_id already exists",
            ));
        }
        let key = Patient::demographic_key(&record);
        let conflict = key
            .as_ref()
            .is_some_and(|key| self.demographics.get(key).is_some_and(|n| *n > 0));
        self.next_patient += 1;
        let patient_id = ids::uuid_like(namespace, PATIENT_KIND, self.next_patient);
        if let Some(key) = key {
            *self.demographics.entry(key).or_default() += 1;
        }
        let record_partner = record
            .get("partner_id")
            .and_then(Value::as_str)
            .unwrap_or(partner_id)
            .to_owned();
        if let Some(id) = &partner_patient_id {
            self.by_partner_id.insert(id.clone(), patient_id.clone());
        }
        self.by_id.insert(
            patient_id.clone(),
            Patient {
                patient_id: patient_id.clone(),
                record,
                prescriptions: BTreeMap::new(),
                by_scid: HashMap::new(),
            },
        );
        let external = format!(
            "{record_partner}#{}",
            partner_patient_id.as_deref().unwrap_or(&patient_id)
        );
        let data = json!({
            "external_patient_id": external,
            "parchment_patient_id": patient_id,
            "url": format!("{base_url}/dashboard/patients/{patient_id}"),
        });
        Ok(if conflict {
            Success::with_status(202, "Conflict Detected", data)
        } else {
            Success::with_status(201, "Patient created successfully", data)
        })
    }

    /// `PUT .../users/{user_id}/patients/{patient_id}`: absent fields unchanged, `null`
    /// clears.
    pub(crate) fn update(&mut self, patient_id: &str, body: &Value) -> Result<Success, ApiError> {
        let patient = self.by_id.get_mut(patient_id).ok_or_else(|| {
            ApiError::resource_not_found("Patient not found in this organization")
        })?;
        let changes = patient_rules::update(body, &patient.record)?;
        let before = Patient::demographic_key(&patient.record);
        patient_rules::apply(&mut patient.record, changes);
        let after = Patient::demographic_key(&patient.record);
        if before != after {
            if let Some(key) = before
                && let Some(count) = self.demographics.get_mut(&key)
            {
                *count = count.saturating_sub(1);
            }
            if let Some(key) = after {
                *self.demographics.entry(key).or_default() += 1;
            }
        }
        Ok(Success::ok(
            "Patient updated successfully",
            patient.updated(),
        ))
    }

    /// Writes a prescription for `patient_id` by `prescriber_id` (the test API).
    pub(crate) fn write(
        &mut self,
        namespace: u32,
        patient_id: &str,
        prescriber_id: &str,
        written: &FakePrescription,
        created_date: &str,
        count: usize,
    ) -> Option<Written> {
        let patient = self.by_id.get_mut(patient_id)?;
        let mut last = None;
        for _ in 0..count {
            self.next_prescription += 1;
            let seq = self.next_prescription;
            let scid = ids::scid(namespace, seq);
            patient.by_scid.insert(scid.clone(), seq);
            patient.prescriptions.insert(
                seq,
                Prescription {
                    scid: scid.clone(),
                    prescriber_id: prescriber_id.to_owned(),
                    written: written.clone(),
                    created_date: created_date.to_owned(),
                },
            );
            last = Some(scid);
        }
        Some(Written {
            scid: last?,
            partner_patient_id: patient.partner_patient_id().map(str::to_owned),
        })
    }

    /// `GET .../patients/{patient_id}/prescriptions`: what `prescriber` wrote, `limit` (1 to
    /// 50, default 20) at a time, from after `last_key`.
    pub(crate) fn list_prescriptions(
        &self,
        patient_id: &str,
        prescriber: &FakeUser,
        limit: Option<&str>,
        last_key: Option<&str>,
    ) -> Result<Success, ApiError> {
        let patient = self.patient(patient_id)?;
        let limit = match limit {
            None => 20,
            Some(text) => match text.parse::<usize>() {
                Ok(limit) if (1..=50).contains(&limit) => limit,
                _ => {
                    return Err(ApiError::bad_request(
                        "limit must be an integer from 1 to 50",
                    ));
                }
            },
        };
        let (start, offset) = match last_key {
            None => (Bound::Unbounded, 0),
            Some(key) => {
                let (seq, offset) = decode_key(key).ok_or_else(|| {
                    ApiError::bad_request("lastKey is not a key this endpoint returned")
                })?;
                (Bound::Excluded(seq), offset)
            }
        };
        let mut mine = patient
            .prescriptions
            .range((start, Bound::Unbounded))
            .filter(|(_, p)| p.prescriber_id == prescriber.user_id);
        let page: Vec<(&u64, &Prescription)> = mine.by_ref().take(limit).collect();
        let has_next = mine.next().is_some();
        let last_key = match (has_next, page.last()) {
            (true, Some((seq, _))) => Value::String(encode_key(**seq, offset + page.len())),
            _ => Value::Null,
        };
        let items: Vec<Value> = page.iter().map(|(_, p)| p.to_list_item()).collect();
        let (_title, given, family) = prescriber.names();
        let mut success = Success::ok(
            "Patient prescriptions retrieved successfully",
            json!({
                "patient": patient.summary(),
                "prescriber": {"given_name": given, "family_name": family, "user_id": prescriber.user_id},
                "prescriptions": items,
            }),
        );
        success.pagination = Some(json!({
            "count": page.len(),
            "hasNext": has_next,
            "limit": limit,
            "offset": offset,
            "lastKey": last_key,
        }));
        Ok(success)
    }

    /// `GET .../patients/{patient_id}/prescriptions/{scid}`; `users` names its prescriber.
    pub(crate) fn read_prescription(
        &self,
        patient_id: &str,
        scid: &str,
        users: &BTreeMap<String, FakeUser>,
    ) -> Result<Success, ApiError> {
        let patient = self.patient(patient_id)?;
        let prescription = patient
            .by_scid
            .get(scid)
            .and_then(|seq| patient.prescriptions.get(seq))
            .ok_or_else(|| {
                ApiError::new(
                    404,
                    "not-found",
                    "Resource not found",
                    format!("Prescription {scid} was not found for patient {patient_id}"),
                )
                .with_bare_type("PRESCRIPTION_NOT_FOUND")
            })?;
        let prescriber = match users.get(&prescription.prescriber_id) {
            Some(user) => {
                let (title, given, family) = user.names();
                json!({"title": title, "given_name": given, "family_name": family, "user_id": user.user_id})
            }
            None => json!({"user_id": prescription.prescriber_id}),
        };
        Ok(Success::ok(
            "Prescriptions retrieved successfully",
            json!({"patient": patient.summary(), "prescription": prescription.to_detail(prescriber)}),
        )
        .code("SUCCESS"))
    }

    /// Whether the patient has the prescription `scid`.
    #[cfg(test)]
    pub(crate) fn has_prescription(&self, patient_id: &str, scid: &str) -> bool {
        self.get(patient_id)
            .is_some_and(|patient| patient.by_scid.contains_key(scid))
    }

    /// How many prescriptions the patient has.
    pub(crate) fn prescription_count(&self, patient_id: &str) -> usize {
        self.by_id
            .get(patient_id)
            .map_or(0, |patient| patient.prescriptions.len())
    }
}

fn encode_key(seq: u64, offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(json!({"seq": seq, "offset": offset}).to_string())
}

fn decode_key(key: &str) -> Option<(u64, usize)> {
    let bytes = URL_SAFE_NO_PAD.decode(key).ok()?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    let seq = value.get("seq")?.as_u64()?;
    let offset = usize::try_from(value.get("offset")?.as_u64()?).ok()?;
    Some((seq, offset))
}

#[cfg(test)]
mod tests {
    use super::Patients;
    use serde_json::json;

    #[test]
    fn create_keeps_the_address_under_the_update_key() {
        let mut patients = Patients::default();
        let body = json!({
            "given_name": "Ada", "family_name": "Lovelace",
            "australian_street_address": {"street_number": "1", "street_name": "George St",
                "suburb": "Sydney", "state": "NSW", "postcode": "2000"}
        });
        let created = patients.create(0, "p", "http://x", &body).ok();
        let id = created
            .and_then(|s| s.data["parchment_patient_id"].as_str().map(str::to_owned))
            .unwrap_or_default();
        let address = patients.get(&id).and_then(|p| p.address().cloned());
        assert_eq!(address.map(|a| a["suburb"].clone()), Some(json!("Sydney")));
    }
}
