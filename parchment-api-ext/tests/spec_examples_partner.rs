//! Every example body of the patient, prescription and custom-drug operations in
//! `openapi/parchment.yaml` is a fixture: each decodes into the generated type its operation and
//! status promise without losing a member, and the documented variants come out typed (dates,
//! counts, open enums read without regard to case).

use parchment_api::types::{
    BulkCreateCustomDrugsResponse, CreatePatientRequest, CreatePatientResponse,
    CustomDrugListResponse, CustomDrugResponse, CustomDrugUpdate, DeleteCustomDrugsResponse,
    ErrorResponse, ListPrescriptionsResponse, NewCustomDrug, ReadPrescriptionResponse,
    UpdatePatientResponse,
};
use parchment_api::{
    DvaCardColor, IndigenousType, Patch, PrescriptionStatus, PrescriptionType, Sex,
    UpdatePatientRequest,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const SPEC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/parchment.yaml");

/// The partner operations and how many examples each has at least (request bodies, successes
/// and errors, shared `components/responses` examples counted per use).
const OPERATIONS: &[(&str, usize)] = &[
    ("create_patient", 8),
    ("update_patient", 6),
    ("list_prescriptions", 4),
    ("read_prescription", 4),
    ("create_user_custom_drug", 4),
    ("list_user_custom_drugs", 4),
    ("update_user_custom_drug", 5),
    ("bulk_create_organization_custom_drugs", 5),
    ("list_organization_custom_drugs", 3),
    ("delete_organization_custom_drugs", 4),
];

fn spec() -> Value {
    let text = std::fs::read_to_string(SPEC_PATH).expect("openapi/parchment.yaml is readable");
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("the spec is valid YAML");
    serde_json::to_value(yaml).expect("the spec converts to JSON")
}

#[derive(Debug, Clone)]
struct Example {
    operation_id: String,
    /// `"request"` for a request body, else the response status.
    status: String,
    name: String,
    value: Value,
}

fn resolve<'a>(doc: &'a Value, mut node: &'a Value) -> &'a Value {
    while let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        let target = reference.strip_prefix('#').expect("local $refs only");
        node = doc.pointer(target).expect("the $ref points somewhere");
    }
    node
}

fn push_examples(doc: &Value, content: &Value, op: &str, status: &str, out: &mut Vec<Example>) {
    let Some(json) = content.get("application/json") else {
        return;
    };
    if let Some(value) = json.get("example") {
        out.push(Example {
            operation_id: op.to_owned(),
            status: status.to_owned(),
            name: "example".to_owned(),
            value: value.clone(),
        });
    }
    for (name, entry) in json
        .get("examples")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let entry = resolve(doc, entry);
        out.push(Example {
            operation_id: op.to_owned(),
            status: status.to_owned(),
            name: name.clone(),
            value: entry.get("value").expect("an example with a value").clone(),
        });
    }
}

/// Every request and response example of the partner operations.
fn partner_examples(doc: &Value) -> Vec<Example> {
    let mut out = Vec::new();
    for item in doc["paths"].as_object().expect("paths").values() {
        for method in ["get", "put", "post", "delete"] {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let op = operation["operationId"].as_str().expect("an operationId");
            if !OPERATIONS.iter().any(|(name, _)| *name == op) {
                continue;
            }
            if let Some(body) = operation.get("requestBody") {
                let body = resolve(doc, body);
                push_examples(doc, &body["content"], op, "request", &mut out);
            }
            for (status, response) in operation["responses"].as_object().expect("responses") {
                let response = resolve(doc, response);
                if let Some(content) = response.get("content") {
                    push_examples(doc, content, op, status, &mut out);
                }
            }
        }
    }
    out
}

/// `value` without `null` members (generated types do not write `None` back).
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(_, member)| !member.is_null())
                .map(|(key, member)| (key.clone(), without_nulls(member)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// JSON equality up to the documented normalizations: a count written as a number comes back
/// as its text, a midnight timestamp read as a date comes back as the date, and an enum read
/// without regard to case comes back in its documented spelling (`ACTIVE` as `Active`).
fn same_json(written: &Value, expected: &Value) -> bool {
    match (written, expected) {
        (Value::Number(w), Value::Number(e)) => w.as_f64() == e.as_f64(),
        (Value::String(w), Value::Number(e)) => *w == e.to_string(),
        (Value::String(w), Value::String(e)) => {
            w.eq_ignore_ascii_case(e)
                || (w.len() == 10 && e.starts_with(w.as_str()) && e[10..].starts_with('T'))
        }
        (Value::Array(w), Value::Array(e)) => {
            w.len() == e.len() && w.iter().zip(e).all(|(w, e)| same_json(w, e))
        }
        (Value::Object(w), Value::Object(e)) => {
            w.len() == e.len()
                && w.iter()
                    .all(|(key, w)| e.get(key).is_some_and(|e| same_json(w, e)))
        }
        (w, e) => w == e,
    }
}

/// Decodes `example` into `T` and checks that writing it back gives the example again, so
/// that a member the type does not know is caught, not silently dropped. `keep_nulls` for the
/// patient update, whose `null`s are meaningful and written back.
fn decode_losslessly<T: DeserializeOwned + Serialize>(
    example: &Example,
    keep_nulls: bool,
) -> Result<T, String> {
    let typed: T = serde_json::from_value(example.value.clone())
        .map_err(|e| format!("does not decode into {}: {e}", std::any::type_name::<T>()))?;
    let written = serde_json::to_value(&typed).map_err(|e| format!("does not encode: {e}"))?;
    let (written, expected) = if keep_nulls {
        (written, example.value.clone())
    } else {
        (without_nulls(&written), without_nulls(&example.value))
    };
    if !same_json(&written, &expected) {
        return Err(format!(
            "loses or changes members when decoded into {}:\n  spec:    {expected}\n  decoded: {written}",
            std::any::type_name::<T>()
        ));
    }
    Ok(typed)
}

fn check(example: &Example) -> Result<(), String> {
    let status = example.status.as_str();
    let is_error = status.starts_with('4') || status.starts_with('5');
    match (example.operation_id.as_str(), status) {
        ("create_patient", "request") => {
            decode_losslessly::<CreatePatientRequest>(example, false).map(drop)
        }
        ("update_patient", "request") => {
            decode_losslessly::<UpdatePatientRequest>(example, true).map(drop)
        }
        ("create_user_custom_drug", "request") => {
            decode_losslessly::<NewCustomDrug>(example, false).map(drop)
        }
        ("update_user_custom_drug", "request") => {
            decode_losslessly::<CustomDrugUpdate>(example, false).map(drop)
        }
        ("bulk_create_organization_custom_drugs", "request") => {
            decode_losslessly::<Vec<NewCustomDrug>>(example, false).map(drop)
        }
        ("create_patient", "201" | "202") => {
            decode_losslessly::<CreatePatientResponse>(example, false).map(drop)
        }
        ("update_patient", "200") => {
            decode_losslessly::<UpdatePatientResponse>(example, false).map(drop)
        }
        ("list_prescriptions", "200") => {
            decode_losslessly::<ListPrescriptionsResponse>(example, false).map(drop)
        }
        ("read_prescription", "200") => {
            decode_losslessly::<ReadPrescriptionResponse>(example, false).map(drop)
        }
        ("create_user_custom_drug", "201") | ("update_user_custom_drug", "200") => {
            decode_losslessly::<CustomDrugResponse>(example, false).map(drop)
        }
        ("list_user_custom_drugs" | "list_organization_custom_drugs", "200") => {
            decode_losslessly::<CustomDrugListResponse>(example, false).map(drop)
        }
        ("bulk_create_organization_custom_drugs", "200") => {
            decode_losslessly::<BulkCreateCustomDrugsResponse>(example, false).map(drop)
        }
        ("delete_organization_custom_drugs", "200") => {
            decode_losslessly::<DeleteCustomDrugsResponse>(example, false).map(drop)
        }
        (_, _) if is_error => decode_losslessly::<ErrorResponse>(example, false).map(drop),
        (operation, status) => Err(format!(
            "no generated type is mapped for {operation} {status}"
        )),
    }
}

#[test]
fn every_partner_example_decodes_into_its_generated_type() {
    let examples = partner_examples(&spec());
    let failures: Vec<String> = examples
        .iter()
        .filter_map(|example| {
            check(example).err().map(|why| {
                format!(
                    "{} {} example `{}` {why}",
                    example.operation_id, example.status, example.name
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "examples that fail:\n{}",
        failures.join("\n")
    );
    for (operation, at_least) in OPERATIONS {
        let count = examples
            .iter()
            .filter(|example| example.operation_id == *operation)
            .count();
        assert!(
            count >= *at_least,
            "{operation}: {count} examples, expected at least {at_least}"
        );
        for wanted in ["401", "403"] {
            assert!(
                examples
                    .iter()
                    .any(|e| e.operation_id == *operation && e.status == wanted),
                "{operation} has no {wanted} example"
            );
        }
    }
}

#[test]
fn the_checker_refuses_a_misspelt_member() {
    let typo = Example {
        operation_id: "list_prescriptions".to_owned(),
        status: "200".to_owned(),
        name: "typo".to_owned(),
        value: serde_json::json!({"data": {"prescriptions": [{"scid": "X", "stauts": "Active"}]}}),
    };
    assert!(check(&typo).is_err());
}

fn example(operation_id: &str, status: &str, name: &str) -> Value {
    partner_examples(&spec())
        .into_iter()
        .find(|e| e.operation_id == operation_id && e.status == status && e.name == name)
        .unwrap_or_else(|| panic!("no {operation_id} {status} example `{name}`"))
        .value
}

fn decode<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("the example decodes")
}

#[test]
fn create_patient_202_is_a_success_body_with_the_new_ids() {
    let created: CreatePatientResponse =
        decode(example("create_patient", "202", "conflict_detected"));
    assert_eq!(created.message.as_deref(), Some("Conflict Detected"));
    let data = created.data.expect("ids");
    assert_eq!(
        data.parchment_patient_id.as_deref(),
        Some("pat_def456ghi789")
    );
    assert_eq!(data.external_patient_id.as_deref(), Some("CLINIKO#12346"));
}

#[test]
fn create_patient_request_types_its_enums_and_dates() {
    let body: CreatePatientRequest = decode(example("create_patient", "request", "full"));
    assert_eq!(body.dva_card_color, Some(DvaCardColor::Gold));
    assert_eq!(body.indigenous_type, Some(IndigenousType::Aboriginal));
    assert_eq!(body.sex, Some(Sex::Female));
    assert_eq!(
        body.date_of_birth.map(|d| d.date().to_string()).as_deref(),
        Some("1990-01-15")
    );
}

#[test]
fn update_patient_request_keeps_clears_apart_from_absent_fields() {
    let body: UpdatePatientRequest = decode(example(
        "update_patient",
        "request",
        "clear_medicare_set_dva",
    ));
    assert_eq!(body.medicare_card_number, Patch::Clear);
    assert_eq!(body.medicare_valid_to, Patch::Clear);
    assert_eq!(body.dva_card_color, Patch::Set(DvaCardColor::White));
    assert_eq!(body.phone, None);
    let body: UpdatePatientRequest =
        decode(example("update_patient", "request", "contact_and_address"));
    assert_eq!(body.indigenous_type, Some(IndigenousType::Aboriginal));
    assert!(body.medicare_card_number.is_unchanged());
}

#[test]
fn list_prescriptions_types_status_dates_counts_and_keeps_the_page_blocks() {
    let page: ListPrescriptionsResponse = decode(example("list_prescriptions", "200", "one_page"));
    let data = page.data;
    let patient = data.patient.expect("the patient block");
    assert_eq!(
        patient
            .date_of_birth
            .map(|d| d.date().to_string())
            .as_deref(),
        Some("1990-01-15"),
        "a midnight timestamp is the date"
    );
    assert_eq!(
        data.prescriber.and_then(|p| p.user_id).as_deref(),
        Some("usr_abc123def456")
    );
    let [active, failed] = &data.prescriptions[..] else {
        panic!("two prescriptions");
    };
    assert_eq!(active.status, Some(PrescriptionStatus::Active));
    assert_eq!(active.prescription_type, Some(PrescriptionType::Electronic));
    let created = active.created_date.as_ref().expect("created_date");
    assert_eq!(created.offset(), None, "created_date has no zone");
    assert_eq!(created.naive().to_string(), "2025-06-30 00:11:22");
    assert_eq!(active.quantity.as_ref().and_then(|q| q.as_u64()), Some(20));
    assert_eq!(failed.status, Some(PrescriptionStatus::Error));
    assert!(
        failed
            .error
            .as_ref()
            .and_then(|e| e.description.as_deref())
            .is_some_and(|d| d.contains("exchange"))
    );
    let pagination = page.pagination.expect("top-level pagination");
    assert_eq!(pagination.has_next, Some(true));
    assert!(pagination.last_key.is_some());

    let last: ListPrescriptionsResponse = decode(example(
        "list_prescriptions",
        "200",
        "last_page_older_prescriber",
    ));
    assert_eq!(last.pagination.and_then(|p| p.last_key), None);
    assert_eq!(last.data.prescriber.and_then(|p| p.user_id), None);
}

#[test]
fn read_prescription_upper_case_status_is_active_and_the_404_type_is_a_bare_code() {
    let read: ReadPrescriptionResponse = decode(example("read_prescription", "200", "active"));
    assert_eq!(read.code.as_deref(), Some("SUCCESS"));
    assert_eq!(read.success, None, "the example has no success member");
    assert_eq!(
        read.data.prescription.status,
        Some(PrescriptionStatus::Active)
    );
    assert_eq!(
        read.data
            .prescription
            .prescriber
            .and_then(|p| p.title)
            .as_deref(),
        Some("Dr")
    );
    let missing: ErrorResponse = decode(example(
        "read_prescription",
        "404",
        "prescription_not_found",
    ));
    assert_eq!(
        missing.error.and_then(|e| e.type_).as_deref(),
        Some("PRESCRIPTION_NOT_FOUND")
    );
}

#[test]
fn custom_drug_counts_read_from_strings_and_numbers() {
    let list: CustomDrugListResponse =
        decode(example("list_user_custom_drugs", "200", "two_drugs"));
    let [text, number] = &list.data[..] else {
        panic!("two drugs");
    };
    assert_eq!(text.quantity.as_ref().map(|q| q.as_str()), Some("20"));
    assert_eq!(number.quantity.as_ref().map(|q| q.as_str()), Some("1"));
    assert_eq!(
        number.max_repeats.as_ref().and_then(|m| m.as_u64()),
        Some(2)
    );
    assert_eq!(text.brand_name, None, "unset optional fields are left out");
    let none: CustomDrugListResponse = decode(example("list_user_custom_drugs", "200", "none"));
    assert!(none.data.is_empty());
}

#[test]
fn bulk_create_result_lists_failures_by_one_based_index() {
    let result: BulkCreateCustomDrugsResponse = decode(example(
        "bulk_create_organization_custom_drugs",
        "200",
        "partial_success",
    ));
    assert_eq!(result.data.failure_count, Some(1));
    let failures = result.data.failures.expect("failures");
    assert_eq!(failures[0].index, Some(2));
    let deleted: DeleteCustomDrugsResponse = decode(example(
        "delete_organization_custom_drugs",
        "200",
        "deleted",
    ));
    assert!(deleted.data.is_empty());
}
