//! Patients, prescriptions and custom drugs through the public client: the bytes sent
//! (method, path, credentials, body), the typed values back, the refusals (nothing sent), and
//! that patient data never shows in Debug, Display or errors.

mod support;

use chrono::NaiveDate;
use futures::TryStreamExt;
use httpmock::prelude::*;
use parchment_api_ext::{
    AustralianState, ConfirmDeleteAll, CustomDrugUpdate, DvaCardColor, Error, ErrorKind,
    IndigenousType, ItemOutcome, NewCustomDrug, NewPatient, PatientAddress, PatientCreated,
    PatientUpdate, PrescriptionStatus, Scope, Sex,
};
use serde_json::json;
use support::{ORG, ORG_SECRET, TOKEN, envelope, error_envelope};

const USER: &str = "usr_abc123def456";
const PATIENTS: &str = "/v1/organizations/org_7f3a/users/usr_abc123def456/patients";
const USER_DRUGS: &str = "/v1/organizations/org_7f3a/users/usr_abc123def456/custom-drugs";
const ORG_DRUGS: &str = "/v1/organizations/org_7f3a/custom-drugs";

fn acting(server: &MockServer) -> parchment_api_ext::ActingUser {
    support::client(&server.base_url())
        .organization(ORG)
        .acting_as(USER)
}

/// A mock server that answers anything (so a sent request would be seen), and its catch-all.
async fn server_counting_requests() -> (MockServer, usize) {
    let server = MockServer::start_async().await;
    let id = server
        .mock_async(|_when, then| {
            then.status(500);
        })
        .await
        .id();
    (server, id)
}

/// Asserts `result` is an InvalidInput refusal naming `field`, and that nothing was sent.
async fn assert_refused<T>(
    server: &MockServer,
    catch_all: usize,
    result: Result<T, Error>,
    field: &str,
) -> Error {
    let Err(error) = result else {
        panic!("the call must be refused ({field})");
    };
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    let fields: Vec<_> = error
        .field_errors()
        .iter()
        .map(|e| e.field.as_str())
        .collect();
    assert!(fields.contains(&field), "expected {field}, got {fields:?}");
    let calls = httpmock::Mock::new(catch_all, server).calls_async().await;
    assert_eq!(calls, 0, "a refused call must send nothing");
    error
}

fn jane() -> NewPatient {
    NewPatient::new("Jane", "Citizen")
        .partner_patient_id("12345")
        .date_of_birth(NaiveDate::from_ymd_opt(1990, 1, 15).expect("a date"))
        .sex(Sex::Female)
        .phone("0412345678")
        .medicare_card_number("2123456701")
        .medicare_irn("1")
        .dva_file_number("NX123456")
        .dva_card_color(DvaCardColor::Gold)
        .indigenous_type(IndigenousType::Aboriginal)
        .address(PatientAddress::new(
            "12",
            "Collins Street",
            "Melbourne",
            AustralianState::Vic,
            "3000",
        ))
}

fn amoxicillin() -> NewCustomDrug {
    NewCustomDrug::new("Amoxicillin")
        .item_strength("500mg")
        .item_form("Capsule")
        .route_of_administration("Oral")
        .quantity(20)
        .max_repeats("0")
        .poison_class("S4")
}

fn drug_json(id: &str) -> serde_json::Value {
    json!({
        "custom_drug_id": id, "item_generic_name": "Amoxicillin", "item_strength": "500mg",
        "item_form": "Capsule", "route_of_administration": "Oral", "quantity": 20,
        "max_repeats": "0", "poison_class": "S4"
    })
}

#[tokio::test]
async fn create_patient_sends_the_body_with_the_street_address_key_and_reads_201_as_created() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATIENTS)
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("x-organization-secret", ORG_SECRET)
                .json_body(json!({
                    "given_name": "Jane", "family_name": "Citizen", "partner_patient_id": "12345",
                    "date_of_birth": "1990-01-15", "sex": "F", "phone": "0412345678",
                    "medicare_card_number": "2123456701", "medicare_irn": "1",
                    "dva_file_number": "NX123456", "dva_card_color": "G",
                    "indigenous_type": "aboriginal",
                    "australian_street_address": {
                        "street_number": "12", "street_name": "Collins Street",
                        "suburb": "Melbourne", "state": "VIC", "postcode": "3000"
                    }
                }));
            let mut body = envelope(json!({
                "external_patient_id": "CLINIKO#12345",
                "parchment_patient_id": "pat_abc123def456",
                "url": "https://app.parchment.health/dashboard/patients/pat_abc123def456"
            }));
            body["statusCode"] = json!(201);
            then.status(201).json_body(body);
        })
        .await;

    let created = acting(&server)
        .patients()
        .create(jane())
        .await
        .expect("created");
    mock.assert_async().await;
    assert!(!created.has_conflicts());
    let PatientCreated::Created(patient) = &*created else {
        panic!("a 201 is Created");
    };
    assert_eq!(patient.patient_id.as_deref(), Some("pat_abc123def456"));
    assert_eq!(
        patient.external_patient_id.as_deref(),
        Some("CLINIKO#12345")
    );
    assert_eq!(created.request_id(), Some("req_1705312200000_abc123"));
}

#[tokio::test]
async fn create_patient_202_is_accepted_with_its_message_and_ids_and_sent_once() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(PATIENTS);
            let mut body = envelope(json!({
                "external_patient_id": "CLINIKO#12346",
                "parchment_patient_id": "pat_def456ghi789"
            }));
            body["statusCode"] = json!(202);
            body["message"] = json!("Conflict Detected");
            then.status(202).json_body(body);
        })
        .await;
    let client = parchment_api_ext::Client::builder()
        .base_url(server.base_url())
        .access_token(TOKEN)
        .organization_secret(ORG_SECRET)
        .build()
        .expect("a client with the default retry policy");
    let created = client
        .organization(ORG)
        .acting_as(USER)
        .patients()
        .create(NewPatient::new("Jane", "Citizen"))
        .await
        .expect("a 202 is a success");
    assert_eq!(mock.calls_async().await, 1, "never retried");
    match &*created {
        PatientCreated::Accepted { patient, message } => {
            assert_eq!(patient.patient_id.as_deref(), Some("pat_def456ghi789"));
            assert_eq!(message.as_deref(), Some("Conflict Detected"));
        }
        other => panic!("a 202 is Accepted, got {other:?}"),
    }
    assert_eq!(created.status().as_u16(), 202);
}

#[tokio::test]
async fn a_duplicate_partner_patient_id_is_a_conflict() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(PATIENTS);
            then.status(409).json_body(error_envelope(
                409,
                "resource-conflict",
                "Conflict",
                "A patient with this partner patient ID already exists",
            ));
        })
        .await;
    let error = acting(&server)
        .patients()
        .create(jane())
        .await
        .expect_err("an error");
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert_eq!(error.request_id(), Some("req_1705312200000_e409"));
}

#[tokio::test]
async fn update_patient_sends_set_and_null_members_only_and_the_address_key() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path(format!("{PATIENTS}/pat_abc123def456"))
                .header("x-organization-secret", ORG_SECRET)
                .json_body(json!({
                    "phone": "+61412345678",
                    "medicare_card_number": null,
                    "medicare_irn": null,
                    "dva_file_number": "NX123456",
                    "dva_card_color": "W",
                    "australian_address": {
                        "street_number": "12", "street_name": "Collins Street",
                        "suburb": "Melbourne", "state": "VIC", "postcode": "3000"
                    }
                }));
            then.status(200).json_body(envelope(json!({
                "patient_id": "pat_abc123def456", "family_name": "Citizen", "given_name": "Jane",
                "date_of_birth": "1990-01-15T00:00:00.000Z", "sex": "F", "phone": "+61412345678"
            })));
        })
        .await;
    let update = PatientUpdate::new()
        .phone("+61412345678")
        .clear_medicare_card_number()
        .clear_medicare_irn()
        .dva_file_number("NX123456")
        .dva_card_color(DvaCardColor::White)
        .address(PatientAddress::new(
            "12",
            "Collins Street",
            "Melbourne",
            AustralianState::Vic,
            "3000",
        ));
    let updated = acting(&server)
        .patients()
        .update("pat_abc123def456", update)
        .await
        .expect("updated");
    mock.assert_async().await;
    assert_eq!(updated.patient_id.as_deref(), Some("pat_abc123def456"));
    assert_eq!(updated.date_of_birth, NaiveDate::from_ymd_opt(1990, 1, 15));
}

#[tokio::test]
async fn an_empty_update_sends_an_empty_object() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path(format!("{PATIENTS}/pat_1"))
                .json_body(json!({}));
            then.status(200)
                .json_body(envelope(json!({"patient_id": "pat_1"})));
        })
        .await;
    acting(&server)
        .patients()
        .update("pat_1", PatientUpdate::new())
        .await
        .expect("updated");
    mock.assert_async().await;
}

#[tokio::test]
async fn patient_rules_are_checked_before_sending() {
    let (server, catch_all) = server_counting_requests().await;
    let patients = acting(&server).patients();
    let cases: Vec<(NewPatient, &str)> = vec![
        (NewPatient::new(" ", "Citizen"), "given_name"),
        (NewPatient::new("Jane", ""), "family_name"),
        (jane().phone("04-1234-5678"), "phone"),
        (jane().phone("0112345678"), "phone"),
        (jane().phone("+14155550123"), "phone"),
        (jane().phone("041234567"), "phone"),
        (jane().medicare_irn("1a"), "medicare_irn"),
        (
            NewPatient::new("Jane", "Citizen").dva_card_color(DvaCardColor::Gold),
            "dva_file_number",
        ),
        (jane().sex(Sex::Other), "sex"),
        (jane().email("jane.example.com"), "email"),
        (
            jane().address(PatientAddress::new(
                "123456",
                "Collins Street",
                "Melbourne",
                AustralianState::Vic,
                "3000",
            )),
            "australian_street_address.street_number",
        ),
        (
            jane().address(PatientAddress::new(
                "12",
                "x".repeat(101),
                "Melbourne",
                AustralianState::Vic,
                "3000",
            )),
            "australian_street_address.street_name",
        ),
        (
            jane().address(PatientAddress::new(
                "12",
                "Collins Street",
                "y".repeat(101),
                AustralianState::Vic,
                "3000",
            )),
            "australian_street_address.suburb",
        ),
        (
            jane().address(PatientAddress::new(
                "12",
                "Collins Street",
                "Melbourne",
                AustralianState::Vic,
                "",
            )),
            "australian_street_address.postcode",
        ),
    ];
    for (patient, field) in cases {
        assert_refused(&server, catch_all, patients.create(patient).await, field).await;
    }
    let updates: Vec<(PatientUpdate, &str)> = vec![
        (PatientUpdate::new().phone("0412 345 678"), "phone"),
        (PatientUpdate::new().medicare_irn("one"), "medicare_irn"),
        (
            PatientUpdate::new().dva_card_color(DvaCardColor::Orange),
            "dva_file_number",
        ),
        (
            PatientUpdate::new()
                .dva_card_color(DvaCardColor::Orange)
                .clear_dva_file_number(),
            "dva_file_number",
        ),
        (PatientUpdate::new().ihi_number("80036"), "ihi_number"),
        (PatientUpdate::new().sex(Sex::from("X")), "sex"),
        (PatientUpdate::new().given_name(""), "given_name"),
        (
            PatientUpdate::new().address(PatientAddress::new(
                "12",
                "",
                "Melbourne",
                AustralianState::from("ZZ"),
                "3000",
            )),
            "australian_address.state",
        ),
    ];
    for (update, field) in updates {
        assert_refused(
            &server,
            catch_all,
            patients.update("pat_1", update).await,
            field,
        )
        .await;
    }
    assert_refused(
        &server,
        catch_all,
        patients.update("..", PatientUpdate::new()).await,
        "patient_id",
    )
    .await;
    let bad_user = support::client(&server.base_url())
        .organization(ORG)
        .acting_as("a/b");
    assert_refused(
        &server,
        catch_all,
        bad_user.patients().create(jane()).await,
        "user_id",
    )
    .await;
}

#[tokio::test]
async fn refusals_and_debug_never_show_patient_data() {
    let (server, catch_all) = server_counting_requests().await;
    let patient = jane()
        .email("jane.citizen@example.com")
        .phone("0499999999x");
    let debug = format!("{patient:?}");
    let error = assert_refused(
        &server,
        catch_all,
        acting(&server).patients().create(patient).await,
        "phone",
    )
    .await;
    let update = PatientUpdate::new()
        .given_name("Jane")
        .medicare_card_number("2123456701")
        .date_of_birth(NaiveDate::from_ymd_opt(1990, 1, 15).expect("a date"));
    let shown = [
        debug,
        format!("{error}"),
        format!("{error:?}"),
        format!("{update:?}"),
        format!(
            "{:?}",
            PatientAddress::new(
                "12",
                "Collins Street",
                "Melbourne",
                AustralianState::Vic,
                "3000"
            )
        ),
    ];
    for text in shown {
        for secret in [
            "Jane",
            "Citizen",
            "0499999999",
            "0412345678",
            "2123456701",
            "NX123456",
            "jane.citizen",
            "1990",
            "Collins",
        ] {
            assert!(!text.contains(secret), "{secret} shows in {text}");
        }
    }
}

#[tokio::test]
async fn prescriptions_stream_follows_last_key_and_keeps_the_page_blocks() {
    let server = MockServer::start_async().await;
    let list = format!("{PATIENTS}/pat_1/prescriptions");
    let prescription = |scid: &str, status: &str| {
        json!({"scid": scid, "status": status, "prescription_type": "ELECTRONIC",
               "created_date": "2025-06-30T00:11:22", "quantity": 20})
    };
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(&list)
                .query_param("limit", "2")
                .query_param_missing("lastKey")
                .header("authorization", format!("Bearer {TOKEN}"));
            let mut body = envelope(json!({
                "patient": {"patient_id": "pat_1", "given_name": "Jane",
                            "date_of_birth": "1990-01-15T00:00:00.000Z"},
                "prescriber": {"given_name": "Darlene", "family_name": "Cameron", "user_id": USER},
                "prescriptions": [prescription("S1", "Active"), prescription("S2", "ACTIVE")]
            }));
            body["pagination"] =
                json!({"count": 2, "hasNext": true, "limit": 2, "offset": 0, "lastKey": "k1"});
            then.status(200).json_body(body);
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(&list)
                .query_param("limit", "2")
                .query_param("lastKey", "k1");
            let mut body = envelope(json!({
                "prescriptions": [{"scid": "S3", "status": "Error",
                                   "error": {"description": "not sent"}}]
            }));
            body["pagination"] = json!({"count": 1, "hasNext": false, "lastKey": null});
            then.status(200).json_body(body);
        })
        .await;
    let prescriptions = acting(&server).prescriptions("pat_1");
    let page = prescriptions.list().limit(2).send().await.expect("a page");
    assert_eq!(page.next_key.as_deref(), Some("k1"));
    assert_eq!(
        page.patient.as_ref().and_then(|p| p.date_of_birth),
        NaiveDate::from_ymd_opt(1990, 1, 15)
    );
    assert_eq!(
        page.prescriber.as_ref().and_then(|p| p.user_id.as_deref()),
        Some(USER)
    );
    let all: Vec<_> = prescriptions
        .list()
        .limit(2)
        .stream()
        .try_collect()
        .await
        .expect("every prescription");
    let statuses: Vec<_> = all.iter().map(|p| p.status.clone()).collect();
    assert_eq!(
        statuses,
        [
            Some(PrescriptionStatus::Active),
            Some(PrescriptionStatus::Active),
            Some(PrescriptionStatus::Error)
        ]
    );
    assert_eq!(all[2].error_description.as_deref(), Some("not sent"));
    assert_eq!(all[0].quantity.as_ref().map(|q| q.as_str()), Some("20"));
    assert_eq!(first.calls_async().await, 2);
    assert_eq!(second.calls_async().await, 1);
    let debug = format!("{:?}", page.patient);
    assert!(
        !debug.contains("Jane") && !debug.contains("1990"),
        "{debug}"
    );
}

#[tokio::test]
async fn a_repeated_prescriptions_key_ends_the_stream_with_a_pagination_loop() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{PATIENTS}/pat_1/prescriptions"));
            let mut body = envelope(json!({"prescriptions": [{"scid": "S1"}]}));
            body["pagination"] = json!({"lastKey": "same"});
            then.status(200).json_body(body);
        })
        .await;
    let results: Vec<_> = futures::StreamExt::collect::<Vec<_>>(
        acting(&server).prescriptions("pat_1").list().pages(),
    )
    .await;
    assert_eq!(results.len(), 3, "two good pages, then the loop");
    let error = results[2].as_ref().expect_err("an error");
    assert_eq!(error.kind(), ErrorKind::PaginationLoop);
}

#[tokio::test]
async fn prescription_limits_and_ids_are_checked_before_sending() {
    let (server, catch_all) = server_counting_requests().await;
    let prescriptions = acting(&server).prescriptions("pat_1");
    for limit in [0, 51] {
        assert_refused(
            &server,
            catch_all,
            prescriptions.list().limit(limit).send().await,
            "limit",
        )
        .await;
    }
    assert_refused(
        &server,
        catch_all,
        prescriptions.list().last_key("").send().await,
        "lastKey",
    )
    .await;
    assert_refused(&server, catch_all, prescriptions.get("a?b").await, "scid").await;
    assert_refused(
        &server,
        catch_all,
        acting(&server).prescriptions("").get("S1").await,
        "patient_id",
    )
    .await;
}

#[tokio::test]
async fn read_prescription_types_the_detail_and_a_missing_one_is_not_found() {
    let server = MockServer::start_async().await;
    let one = format!("{PATIENTS}/pat_1/prescriptions/2F3WFX8J4WQH8T72X9");
    server
        .mock_async(|when, then| {
            when.method(GET).path(&one);
            then.status(200).json_body(json!({
                "message": "Prescriptions retrieved successfully", "code": "SUCCESS",
                "data": {
                    "patient": {"patient_id": "pat_1"},
                    "prescription": {"scid": "2F3WFX8J4WQH8T72X9", "status": "ACTIVE",
                                     "created_date": "2025-06-30T00:11:22",
                                     "prescriber": {"title": "Dr", "user_id": USER}}
                }
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{PATIENTS}/pat_1/prescriptions/MISSING"));
            then.status(404).json_body(json!({
                "success": false, "statusCode": 404,
                "error": {"type": "PRESCRIPTION_NOT_FOUND", "title": "Resource not found",
                          "detail": "Prescription MISSING not found for patient pat_1"},
                "requestId": "req_404"
            }));
        })
        .await;
    let prescriptions = acting(&server).prescriptions("pat_1");
    let detail = prescriptions
        .get("2F3WFX8J4WQH8T72X9")
        .await
        .expect("a prescription");
    assert_eq!(detail.prescription.status, Some(PrescriptionStatus::Active));
    assert_eq!(detail.code(), Some("SUCCESS"));
    assert_eq!(
        detail
            .prescription
            .prescriber
            .as_ref()
            .and_then(|p| p.user_id.as_deref()),
        Some(USER)
    );
    let missing = prescriptions.get("MISSING").await.expect_err("an error");
    assert_eq!(missing.kind(), ErrorKind::NotFound);
    assert_eq!(missing.request_id(), Some("req_404"));
}

#[tokio::test]
async fn user_custom_drugs_create_list_and_update_on_the_wire() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path(USER_DRUGS).json_body(json!({
                "item_generic_name": "Amoxicillin", "item_strength": "500mg",
                "item_form": "Capsule", "route_of_administration": "Oral",
                "quantity": "20", "max_repeats": "0", "poison_class": "S4"
            }));
            then.status(201).json_body(envelope(drug_json("cd-1")));
        })
        .await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET).path(USER_DRUGS);
            then.status(200)
                .json_body(envelope(json!([drug_json("cd-1"), drug_json("cd-org")])));
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path(format!("{USER_DRUGS}/cd-1"))
                .json_body(json!({"max_repeats": "1", "patient_instructions": "With food"}));
            then.status(200).json_body(envelope(drug_json("cd-1")));
        })
        .await;
    let drugs = acting(&server).custom_drugs();
    let created = drugs.create(amoxicillin()).await.expect("created");
    assert_eq!(created.custom_drug_id.as_deref(), Some("cd-1"));
    assert_eq!(created.quantity.as_ref().and_then(|q| q.as_u64()), Some(20));
    assert_eq!(drugs.list().await.expect("listed").len(), 2);
    drugs
        .update(
            "cd-1",
            CustomDrugUpdate::new()
                .max_repeats(1)
                .patient_instructions("With food"),
        )
        .await
        .expect("updated");
    create.assert_async().await;
    list.assert_async().await;
    update.assert_async().await;
}

#[tokio::test]
async fn custom_drug_rules_are_checked_before_sending() {
    let (server, catch_all) = server_counting_requests().await;
    let drugs = acting(&server).custom_drugs();
    let missing = NewCustomDrug::new("Amoxicillin");
    let error = assert_refused(
        &server,
        catch_all,
        drugs.create(missing).await,
        "poison_class",
    )
    .await;
    assert_eq!(
        error.field_errors().len(),
        6,
        "the six other required fields at once"
    );
    for (drug, field) in [
        (amoxicillin().poison_class("S10"), "poison_class"),
        (amoxicillin().item_form("f".repeat(51)), "item_form"),
        (
            amoxicillin().patient_instructions("p".repeat(251)),
            "patient_instructions",
        ),
        (
            amoxicillin().doctor_instructions("d".repeat(51)),
            "doctor_instructions",
        ),
        (
            amoxicillin().item_generic_name("g".repeat(281)),
            "item_generic_name",
        ),
        (amoxicillin().brand_name("b".repeat(101)), "brand_name"),
        (
            amoxicillin().custom_product_id("c".repeat(51)),
            "custom_product_id",
        ),
    ] {
        assert_refused(&server, catch_all, drugs.create(drug).await, field).await;
    }
    assert_refused(
        &server,
        catch_all,
        drugs
            .update("cd-1", CustomDrugUpdate::new().item_strength(""))
            .await,
        "item_strength",
    )
    .await;
    assert_refused(
        &server,
        catch_all,
        drugs.update("", CustomDrugUpdate::new()).await,
        "drug_id",
    )
    .await;
    let org = support::client(&server.base_url())
        .organization(ORG)
        .custom_drugs();
    assert_refused(
        &server,
        catch_all,
        org.bulk_create(Vec::new()).await,
        "items",
    )
    .await;
    assert_refused(
        &server,
        catch_all,
        org.bulk_create([amoxicillin(), amoxicillin().item_form("")])
            .await,
        "items[1].item_form",
    )
    .await;
}

#[tokio::test]
async fn bulk_create_maps_one_based_failures_back_to_the_items_and_reports_truncation() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path(ORG_DRUGS).json_body(json!([
                {"item_generic_name": "Amoxicillin", "item_strength": "500mg",
                 "item_form": "Capsule", "route_of_administration": "Oral",
                 "quantity": "20", "max_repeats": "0", "poison_class": "S4"},
                {"item_generic_name": "Paracetamol", "item_strength": "500mg",
                 "item_form": "Capsule", "route_of_administration": "Oral",
                 "quantity": "20", "max_repeats": "0", "poison_class": "S4"},
                {"item_generic_name": "Ibuprofen", "item_strength": "500mg",
                 "item_form": "Capsule", "route_of_administration": "Oral",
                 "quantity": "20", "max_repeats": "0", "poison_class": "S4"}
            ]));
            then.status(200).json_body(envelope(json!({
                "total": 3, "successCount": 1, "failureCount": 2,
                "failures": [{"index": 2, "error": "duplicate"}]
            })));
        })
        .await;
    let outcome = support::client(&server.base_url())
        .organization(ORG)
        .custom_drugs()
        .bulk_create([
            amoxicillin(),
            amoxicillin().item_generic_name("Paracetamol"),
            amoxicillin().item_generic_name("Ibuprofen"),
        ])
        .await
        .expect("a bulk outcome");
    mock.assert_async().await;
    assert!(outcome.failures_truncated, "2 failures counted, 1 listed");
    let outcomes: Vec<_> = outcome
        .items
        .iter()
        .map(|item| item.outcome.clone())
        .collect();
    assert_eq!(
        outcomes,
        [
            ItemOutcome::Unknown,
            ItemOutcome::Failed {
                error: Some("duplicate".into())
            },
            ItemOutcome::Unknown
        ]
    );
    let failed: Vec<_> = outcome.failed().map(|(index, _)| index).collect();
    assert_eq!(failed, [1]);
    assert_eq!(
        outcome.items[1].drug,
        amoxicillin().item_generic_name("Paracetamol")
    );
}

#[tokio::test]
async fn bulk_create_all_failed_is_a_bad_request() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(ORG_DRUGS);
            then.status(400).json_body(error_envelope(
                400,
                "bad-request",
                "Bad Request",
                "All custom drugs failed to be created",
            ));
        })
        .await;
    let error = support::client(&server.base_url())
        .organization(ORG)
        .custom_drugs()
        .bulk_create([amoxicillin()])
        .await
        .expect_err("an error");
    assert_eq!(error.kind(), ErrorKind::BadRequest);
}

#[tokio::test]
async fn delete_all_always_sends_confirm_true_and_accepts_200_and_204() {
    for status in [200, 204] {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(DELETE)
                    .path(ORG_DRUGS)
                    .query_param("confirm", "true")
                    .header("x-organization-secret", ORG_SECRET);
                let then = then.status(status).header("x-request-id", "req_del");
                if status == 200 {
                    then.json_body(envelope(json!({})));
                }
            })
            .await;
        let deleted = support::client(&server.base_url())
            .organization(ORG)
            .custom_drugs()
            .delete_all_irreversibly(ConfirmDeleteAll::EveryOrganizationCustomDrug)
            .await
            .unwrap_or_else(|error| panic!("{status} is a success: {error}"));
        mock.assert_async().await;
        assert_eq!(deleted.status().as_u16(), status);
        assert!(deleted.request_id().is_some());
    }
}

#[tokio::test]
async fn list_organization_drugs_reads_the_catalogue() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(ORG_DRUGS);
            then.status(200)
                .json_body(envelope(json!([{"custom_drug_id": "cd-org",
                "item_generic_name": "Paracetamol", "quantity": "100", "max_repeats": 0}])));
        })
        .await;
    let drugs = support::client(&server.base_url())
        .organization(ORG)
        .custom_drugs()
        .list()
        .await
        .expect("the catalogue");
    assert_eq!(drugs[0].max_repeats.as_ref().map(|m| m.as_str()), Some("0"));
    assert_eq!(drugs[0].brand_name, None);
}

#[test]
fn the_scope_helpers_name_what_the_operations_need() {
    assert_eq!(Scope::PATIENT_OPERATIONS, [Scope::CreatePatient]);
    assert_eq!(
        Scope::PRESCRIPTION_OPERATIONS,
        [Scope::ReadPatientPrescription]
    );
    let drugs: Vec<_> = Scope::CUSTOM_DRUG_OPERATIONS
        .iter()
        .map(Scope::as_str)
        .collect();
    assert_eq!(
        drugs,
        [
            "create:custom_drug",
            "read:custom_drug",
            "update:custom_drug",
            "delete:custom_drug"
        ]
    );
}
