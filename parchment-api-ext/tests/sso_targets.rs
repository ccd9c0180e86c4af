//! SSO redirect targets: each documented page becomes the exact `redirect_path` Parchment
//! documents, ids and query parameters are encoded, and anything that could lead elsewhere is a
//! typed refusal naming the field.

use parchment_api_ext::{ErrorKind, FormQuery, SsoTarget, SsoTargetKind};

const PATIENT: &str = "f03b972b-1c2d-4e5f-8a9b-0c1d2e3f4a5b";

fn refused_field(result: parchment_api_ext::Result<SsoTarget>) -> String {
    let error = result.expect_err("should be refused");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(error.attempts(), 0);
    error.field_errors()[0].field.clone()
}

#[test]
fn the_documented_pages() {
    let cases = [
        (
            SsoTarget::patient_profile(PATIENT).expect("valid"),
            SsoTargetKind::PatientProfile,
            format!("/dashboard/patients/{PATIENT}"),
        ),
        (
            SsoTarget::prescribe(PATIENT).expect("valid"),
            SsoTargetKind::Prescribe,
            format!("/dashboard/patients/{PATIENT}/prescriptions"),
        ),
        (
            SsoTarget::embed_prescription_form(PATIENT).expect("valid"),
            SsoTargetKind::EmbedPrescriptionForm,
            format!("/embed/patients/{PATIENT}/prescriptions"),
        ),
        (
            SsoTarget::embed_prescription(PATIENT, "rx_123").expect("valid"),
            SsoTargetKind::EmbedPrescription,
            format!("/embed/patients/{PATIENT}/prescriptions/rx_123"),
        ),
        (
            SsoTarget::embed_approvals(),
            SsoTargetKind::EmbedApprovals,
            "/embed/prescriptions/approval".to_owned(),
        ),
    ];
    for (target, kind, path) in cases {
        assert_eq!(target.kind(), kind);
        assert_eq!(target.redirect_path(), path);
    }
}

#[test]
fn ids_are_percent_encoded_as_one_segment() {
    let target = SsoTarget::patient_profile("pat 1+é%").expect("valid");
    assert_eq!(
        target.redirect_path(),
        "/dashboard/patients/pat%201%2B%C3%A9%25"
    );
    let target = SsoTarget::embed_prescription("a.b", "x~y_z-1").expect("valid");
    assert_eq!(
        target.redirect_path(),
        "/embed/patients/a.b/prescriptions/x~y_z-1"
    );
}

#[test]
fn ids_that_would_change_the_path_are_refused() {
    for bad in [
        "", ".", "..", "a..b", "a/b", "a\\b", "a?b", "a#b", "a\nb", "a\u{85}b",
    ] {
        assert_eq!(
            refused_field(SsoTarget::patient_profile(bad)),
            "patient_id",
            "{bad:?}"
        );
        assert_eq!(refused_field(SsoTarget::prescribe(bad)), "patient_id");
        assert_eq!(
            refused_field(SsoTarget::embed_prescription_form(bad)),
            "patient_id"
        );
        assert_eq!(
            refused_field(SsoTarget::embed_prescription(PATIENT, bad)),
            "prescription_id"
        );
    }
    // Both ids wrong: both named.
    let error = SsoTarget::embed_prescription("", "a/b").expect_err("refused");
    let fields: Vec<_> = error
        .field_errors()
        .iter()
        .map(|e| e.field.as_str())
        .collect();
    assert_eq!(fields, ["patient_id", "prescription_id"]);
}

#[test]
fn form_query_parameters_are_encoded_never_concatenated_raw() {
    let query = FormQuery::new()
        .param("custom_drug_id", "cd_1")
        .param("note", "a&b=c d?#/")
        .param("partner ref", "ü")
        .param("note", "again");
    let target = SsoTarget::embed_prescription_form_with(PATIENT, query).expect("valid");
    assert_eq!(
        target.redirect_path(),
        format!(
            "/embed/patients/{PATIENT}/prescriptions?custom_drug_id=cd_1&note=a%26b%3Dc%20d%3F%23%2F\
             &partner%20ref=%C3%BC&note=again"
        )
    );
    // No parameters: no `?`.
    let target = SsoTarget::embed_prescription_form_with(PATIENT, FormQuery::new()).expect("ok");
    assert!(!target.redirect_path().contains('?'));
}

#[test]
fn bad_query_parameters_are_refused_by_position() {
    let query = FormQuery::new()
        .param("ok", "fine")
        .param("", "empty key")
        .param("line", "a\nb");
    let error = SsoTarget::embed_prescription_form_with(PATIENT, query).expect_err("refused");
    let fields: Vec<_> = error
        .field_errors()
        .iter()
        .map(|e| e.field.as_str())
        .collect();
    assert_eq!(fields, ["query[1].key", "query[2].value"]);
    // A bad patient id and a bad parameter together are both reported.
    let error = SsoTarget::embed_prescription_form_with("a/b", FormQuery::new().param("", "x"))
        .expect_err("refused");
    assert_eq!(error.field_errors().len(), 2);
}

#[test]
fn debug_shows_ids_but_not_query_values() {
    let query = FormQuery::new().param("note", "Jane Citizen, Medicare 2123456701");
    assert_eq!(format!("{query:?}"), r#"["note"]"#);
    let target = SsoTarget::embed_prescription_form_with(PATIENT, query).expect("valid");
    let debug = format!("{target:?}");
    assert!(debug.contains(PATIENT), "{debug}");
    assert!(debug.contains("[1 params]"), "{debug}");
    assert!(!debug.contains("Jane"), "{debug}");
    assert!(!debug.contains("2123456701"), "{debug}");
}

#[test]
fn custom_paths_that_stay_on_the_portal_are_kept_as_given() {
    for good in [
        "/",
        "/dashboard",
        "/dashboard/patients/p1/prescriptions?tab=active&sort=desc",
        "/embed/patients/p%201/prescriptions",
        "/a.b/c",
    ] {
        let target = SsoTarget::custom(good).expect(good);
        assert_eq!(target.kind(), SsoTargetKind::Custom);
        assert_eq!(target.redirect_path(), good);
    }
}

#[test]
fn custom_paths_that_could_lead_elsewhere_are_refused() {
    for bad in [
        "",
        "dashboard",
        "https://evil.example/",
        "javascript:alert(1)",
        "//evil.example/path",
        "/dashboard//x",
        "/redirect?to=https://evil.example",
        "/../admin",
        "/dashboard/..",
        "/a\\b",
        "\\\\evil.example",
        "/a\nb",
        "/a\tb",
        "/a b",
        "/a\u{7f}",
        "/a\u{85}",
        "/%2e%2e/admin",
        "/%2E%2E/admin",
        "/%2f%2fevil.example",
        "/a%5cb",
        "/a%0ab",
        "/a%",
        "/a%zz",
        "/a%2",
    ] {
        assert_eq!(
            refused_field(SsoTarget::custom(bad)),
            "redirect_path",
            "{bad:?}"
        );
    }
    let long = format!("/{}", "a".repeat(1024));
    assert_eq!(refused_field(SsoTarget::custom(&long)), "redirect_path");
}

#[test]
fn a_custom_path_with_a_query_hides_it_in_debug() {
    let target = SsoTarget::custom("/embed/patients/p1/prescriptions?note=Jane&x=1").expect("ok");
    let debug = format!("{target:?}");
    assert!(!debug.contains("Jane"), "{debug}");
    assert!(debug.contains("[2 params]"), "{debug}");
}
