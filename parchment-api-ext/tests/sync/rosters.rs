//! Roster files: the sample rosters parse, agree, and plan, apply and check against the default
//! fake; CSV and JSON errors name the file, line or record and field; CSV headers are checked
//! and every column read.

use crate::{kinds, skip_reasons};
use parchment_api_ext::Role;
use parchment_api_ext::sync::{ActionKind, Roster, RosterSync, SkipReason, SyncOptions};
use parchment_api_ext::testing::FakeParchment;

#[test]
fn the_sample_rosters_parse_and_agree() {
    let csv = Roster::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/roster.csv"))
        .expect("the CSV sample is valid");
    let json = Roster::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/roster.json"))
        .expect("the JSON sample is valid");
    assert_eq!(csv.len(), 6);
    assert_eq!(
        serde_json::to_value(&csv).expect("serializes"),
        serde_json::to_value(&json).expect("serializes")
    );
}

#[test]
fn csv_errors_name_the_line_and_the_field() {
    let text = "\
organization_id,email,roles,enabled,date_of_birth,sex,prescriber_type
org-a,ok@example.com,admin,,,,
org-a,bad.role@example.com,admin;owner,,,,
org-a,bad.flag@example.com,admin,maybe,,,
org-a,bad.date@example.com,provider,,02/10/1969,X,
org-a,no.roles@example.com,,,,,
,orphan@example.com,admin,,,,
org-a,short@example.com
";
    let errors = Roster::from_csv_str(text).expect_err("several problems");
    let lines: Vec<String> = errors.errors().iter().map(ToString::to_string).collect();
    let expect = [
        "line 3, organization org-a, field `roles`: `owner` cannot be assigned",
        "line 4, field `enabled`: must be true or false",
        "line 5, field `date_of_birth`: must be a date written YYYY-MM-DD",
        "line 5, organization org-a, field `provider.sex`: must be M, F, I or N",
        "line 6, organization org-a, field `roles`: an enabled person needs at least one role",
        "line 7, field `organization_id`: is required",
        "line 8: the row cannot be read: it has 2 fields where the header has 7",
    ];
    for expected in expect {
        assert!(
            lines.iter().any(|line| line.starts_with(expected)),
            "missing {expected:?} in {lines:#?}"
        );
    }
    assert_eq!(lines.len(), expect.len(), "{lines:#?}");
}

#[test]
fn csv_headers_are_checked() {
    let errors =
        Roster::from_csv_str("organization_id,mail,roles,roles\norg-a,a@example.com,admin,admin\n")
            .expect_err("bad header");
    let text = errors.to_string();
    assert!(
        text.contains("line 1, field `mail`: is not a roster column (columns: organization_id, partner_user_id, email"),
        "{text}"
    );
    assert!(
        text.contains("line 1, field `roles`: appears twice in the header"),
        "{text}"
    );
    assert!(
        text.contains("line 1, field `email`: the header lacks this column"),
        "{text}"
    );
}

#[test]
fn csv_reads_every_column_and_comments() {
    let text = "\
# staff from the EMR
Organization_ID,partner_user_id,email,given_name,family_name,roles,enabled,date_of_birth,sex,hpii_number,prescriber_type,prescriber_number,qualifications
org-a, USER_9 ,Dana@Example.com,Dana,Scott,provider|admin,yes,1980-01-31,F,8003614900029560,M,1234567,\"MBBS, FRACGP\"
";
    let roster = Roster::from_csv_str(text).expect("valid");
    let person = &roster.organizations["org-a"][0];
    assert_eq!(person.partner_user_id.as_deref(), Some("USER_9"));
    assert_eq!(person.roles, [Role::Provider, Role::Admin]);
    assert_eq!(person.desired_full_name().as_deref(), Some("Dana Scott"));
    let provider = person.provider.as_ref().expect("provider columns");
    assert_eq!(provider.qualifications.as_deref(), Some("MBBS, FRACGP"));
    assert_eq!(
        provider.date_of_birth,
        chrono::NaiveDate::from_ymd_opt(1980, 1, 31)
    );
}

#[test]
fn json_errors_name_the_line_or_the_record_and_field() {
    let syntax = Roster::from_json_str(
        "{\n  \"organizations\": {\n    \"org-a\": [\n      {\"email\": \"a@example.com\",, }\n",
    )
    .expect_err("syntax");
    assert_eq!(syntax.errors()[0].line, Some(4), "{syntax}");

    let unknown = Roster::from_json_str(r#"{"organizations": {"org-a": [{"email": "a@example.com", "roles": ["admin"], "role": "x"}]}}"#)
        .expect_err("unknown member");
    assert!(
        unknown.to_string().contains("unknown field `role`"),
        "{unknown}"
    );

    let rules = Roster::from_json_str(
        r#"{"organizations": {"org-a": [
            {"email": "a@example.com", "roles": ["admin"]},
            {"email": "b@example.com", "roles": ["provider"], "provider": {"prescriber_type": "M"}}
        ]}}"#,
    )
    .expect_err("rules");
    let text = rules.to_string();
    assert!(text.contains("organization org-a, record 2, field `provider.qualifications`: is required with a prescriber_type"), "{text}");
    assert!(
        text.contains("organization org-a, record 2, field `provider.prescriber_number`"),
        "{text}"
    );
}

#[tokio::test]
async fn the_sample_roster_plans_applies_and_checks_against_the_default_fake() {
    let fake = FakeParchment::start().await;
    let roster = Roster::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/roster.csv"))
        .expect("the CSV sample is valid");
    let sync = RosterSync::new(fake.client())
        .options(SyncOptions::new().acting_user(&fake.credentials().acting_user));
    let organization_id = &fake.credentials().organization_id;

    let plan = sync.plan(&roster).await.expect("valid");

    assert_eq!(
        kinds(&plan, organization_id),
        [ActionKind::Create, ActionKind::Create, ActionKind::SetRoles]
    );
    assert_eq!(
        skip_reasons(&plan, organization_id),
        [SkipReason::PruningOff]
    );
    // What `parchment sync plan examples/roster.csv` shows (run with --nocapture to see it).
    println!("{plan}");
    let report = sync.apply(&plan, |_| {}).await;
    println!("{report}");
    assert_eq!(report.total().done, 3, "{report}");
    let check = sync.plan(&roster).await.expect("valid");
    assert!(!check.has_drift(), "{check}");
}

#[test]
fn errors_from_a_file_name_it() {
    let path = std::env::temp_dir().join(format!("sync-roster-{}.csv", std::process::id()));
    std::fs::write(
        &path,
        "# comment first\norganization_id,email,roles\norg-a,a@example.com,owner\n",
    )
    .expect("a temp file");
    let errors = Roster::from_path(&path).expect_err("owner");
    std::fs::remove_file(&path).expect("removed");
    let error = &errors.errors()[0];
    assert_eq!(
        error.file.as_deref(),
        Some(path.display().to_string().as_str())
    );
    assert_eq!(error.line, Some(3), "comments count as lines: {error}");
    assert!(error.to_string().starts_with(&format!(
        "{}, line 3, organization org-a, field `roles`",
        path.display()
    )));
}
