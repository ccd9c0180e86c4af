//! `parchment sync`, `patients` and `prescriptions`, end to end: the built binary spawned
//! against a FakeParchment started here, with a config file naming two organizations (each
//! with its own secret) or the `PARCHMENT_*` variables.
//!
//! Every run checks that no secret appears on stdout or stderr; writes are checked in the
//! fake's state and its request log.

mod support;

use parchment_api_ext::testing::{FakeConfig, FakeParchment};
use serde_json::Value;
use support::cli::{
    ORG_SECRET, PARTNER_SECRET, SECOND_ORG_SECRET, TempFile, fake_env, fake_with, run, vars, writes,
};

async fn fake() -> FakeParchment {
    // No sample records: the patient test counts the patients the CLI creates.
    fake_with(FakeConfig::default().seed_users(30).sample_records(false)).await
}

/// The fake with a second organization, a config file naming both (each with its own
/// secret, the second's through a variable), and the variables the runs get.
struct TwoClinics {
    fake: FakeParchment,
    _config: TempFile,
    env: Vec<(String, String)>,
}

async fn two_clinics() -> TwoClinics {
    let fake = fake().await;
    let credentials = fake.credentials().clone();
    let second_admin = fake.add_organization("org_second", SECOND_ORG_SECRET);
    let config = TempFile::new(
        "two.toml",
        &format!(
            r#"
base_url = "{base_url}"
default_organization = "first"

[partner]
id = "{partner_id}"
secret_env = "CLI_TEST_PARTNER_SECRET"

[organizations.first]
id = "{first_id}"
secret_env = "CLI_TEST_FIRST_SECRET"
acting_user = "{first_admin}"

[organizations.second]
id = "org_second"
secret_env = "CLI_TEST_SECOND_SECRET"
acting_user = "{second_admin}"
"#,
            base_url = fake.base_url(),
            partner_id = credentials.partner_id,
            first_id = credentials.organization_id,
            first_admin = credentials.acting_user,
        ),
    );
    let env = vars(&[
        ("PARCHMENT_CONFIG", config.path()),
        ("CLI_TEST_PARTNER_SECRET", PARTNER_SECRET),
        ("CLI_TEST_FIRST_SECRET", ORG_SECRET),
        ("CLI_TEST_SECOND_SECRET", SECOND_ORG_SECRET),
    ]);
    TwoClinics {
        fake,
        _config: config,
        env,
    }
}

/// Both clinics as they are, plus one new person in each.
const ROSTER: &str = "\
# the admins as they are, and one new person per clinic
organization_id,email,given_name,family_name,roles
org_fake_clinic,practice.admin@example.com,,,admin
org_fake_clinic,new.receptionist@example.com,Nina,Newman,receptionist
org_second,admin@org_second.example.com,,,admin
org_second,second.reader@example.com,Sam,Second,rx_reader
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_plan_then_apply_then_check_converges_across_two_clinics() {
    let clinics = two_clinics().await;
    let (fake, env) = (&clinics.fake, &clinics.env);
    let first = fake.credentials().organization_id.clone();
    let roster = TempFile::new("roster.csv", ROSTER);
    let before = (fake.user_count(&first), fake.user_count("org_second"));

    let drift = run(env, &["sync", "check", roster.path()]).await;
    assert_eq!(drift.code, 3, "drift exits 3: {}", drift.stderr);
    assert!(drift.stdout.contains("new.receptionist@example.com"));

    let plan = run(env, &["sync", "plan", roster.path()]).await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(
        plan.stdout
            .contains("organization org_fake_clinic: 1 action(s)")
            && plan.stdout.contains("organization org_second: 1 action(s)"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("+ create") && plan.stdout.contains("second.reader@example.com"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("2 organization(s), 2 action(s), 2 to apply"),
        "{}",
        plan.stdout
    );
    // The seeded users the roster does not name are left alone.
    assert!(
        plan.stdout.contains("30 not in the roster left alone"),
        "{}",
        plan.stdout
    );

    let json = run(env, &["--json", "sync", "plan", roster.path()])
        .await
        .json();
    let organizations = json["organizations"].as_array().expect("organizations");
    assert_eq!(organizations.len(), 2);
    assert_eq!(organizations[1]["organization_id"], "org_second");
    assert_eq!(organizations[1]["status"]["state"], "ready");
    assert_eq!(writes(&fake.requests()).len(), 0, "planning writes nothing");

    // No terminal and no --yes: refused before anything is read.
    let requests = fake.requests().len();
    let unasked = run(env, &["sync", "apply", roster.path()]).await;
    assert_eq!(unasked.code, 2, "{}", unasked.stderr);
    assert!(unasked.stderr.contains("--yes"), "{}", unasked.stderr);
    assert_eq!(fake.requests().len(), requests, "nothing was sent");

    let dry = run(env, &["sync", "apply", roster.path(), "--dry-run"]).await;
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(dry.stdout.contains("+ create"));
    assert!(dry.stderr.contains("dry run: nothing applied"));
    assert_eq!(
        writes(&fake.requests()).len(),
        0,
        "a dry run writes nothing"
    );

    let apply = run(env, &["sync", "apply", roster.path(), "--yes"]).await;
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    assert!(
        apply.stdout.contains("+ create"),
        "shows the plan: {}",
        apply.stdout
    );
    assert!(
        apply.stdout.contains("2 done, 0 skipped, 0 failed"),
        "{}",
        apply.stdout
    );
    assert_eq!(
        (fake.user_count(&first), fake.user_count("org_second")),
        (before.0 + 1, before.1 + 1)
    );
    // The fake checks each organization's own secret: every write was accepted, in both.
    let written = writes(&fake.requests())
        .into_iter()
        .map(|write| (write.path.contains("org_second"), write.status))
        .collect::<Vec<_>>();
    assert_eq!(written.len(), 2, "one write per change");
    assert!(written.iter().any(|(second, _)| *second));
    assert!(
        written.iter().all(|(_, status)| *status < 300),
        "{written:?}"
    );

    let check = run(env, &["sync", "check", roster.path()]).await;
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(
        check.stdout.contains("in sync: 2 organization(s)"),
        "{}",
        check.stdout
    );
    let again = run(env, &["--json", "sync", "apply", roster.path(), "--yes"]).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json()["report"], Value::Null, "nothing left to apply");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_exits_3_on_drift_and_honours_org_and_the_safety_options() {
    let clinics = two_clinics().await;
    let (fake, env) = (&clinics.fake, &clinics.env);
    // The second clinic's only user, its admin, would lose admin (the first clinic's seeded
    // users may hold admin too, so the refusal is shown on the second).
    let roster = TempFile::new(
        "drift.csv",
        "organization_id,email,roles\n\
         org_fake_clinic,practice.admin@example.com,admin\n\
         org_second,admin@org_second.example.com,rx_reader\n",
    );

    let check = run(env, &["--json", "sync", "check", roster.path()]).await;
    assert_eq!(check.code, 3, "{}", check.stderr);
    let plan = check.json();
    assert_eq!(plan["organizations"][0]["status"]["state"], "ready");
    assert_eq!(plan["organizations"][1]["status"]["state"], "refused");

    // --org narrows the run to one organization of the roster: the first is in sync.
    let first = run(env, &["--org", "first", "sync", "check", roster.path()]).await;
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);

    // Refused by the safety rules even when forced (the clinic would be left without an
    // admin): exit 2, nothing written.
    let apply = run(env, &["sync", "apply", roster.path(), "--yes", "--force"]).await;
    assert_eq!(apply.code, 2, "{}{}", apply.stdout, apply.stderr);
    assert!(apply.stdout.contains("REFUSED"), "{}", apply.stdout);
    assert!(apply.stderr.contains("org_second"), "{}", apply.stderr);
    assert_eq!(writes(&fake.requests()).len(), 0);

    let bad = run(env, &["sync", "plan", roster.path(), "--concurrency", "0"]).await;
    assert_eq!(bad.code, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roster_organization_without_credentials_exits_2_naming_it() {
    let clinics = two_clinics().await;
    let (fake, env) = (&clinics.fake, &clinics.env);
    let roster = TempFile::new(
        "third.csv",
        "organization_id,email,roles\n\
         org_fake_clinic,practice.admin@example.com,admin\n\
         org_third,someone@example.com,admin\n",
    );
    let requests = fake.requests().len();
    let plan = run(env, &["sync", "plan", roster.path()]).await;
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    assert!(
        plan.stderr
            .contains("no credentials for organization org_third"),
        "{}",
        plan.stderr
    );
    assert_eq!(fake.requests().len(), requests, "nothing was sent");

    // The variables hold one organization's secret: another is a configuration error too.
    let two = TempFile::new("two-orgs.csv", ROSTER);
    let variables = run(&fake_env(fake), &["sync", "check", two.path()]).await;
    assert_eq!(variables.code, 2, "{}", variables.stderr);
    assert!(
        variables
            .stderr
            .contains("no credentials for organization org_second"),
        "{}",
        variables.stderr
    );

    let broken = TempFile::new(
        "broken.csv",
        "organization_id,email,roles\norg_x,a@example.com,owner\n",
    );
    let refused = run(env, &["sync", "plan", broken.path()]).await;
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("owner"), "{}", refused.stderr);
    assert_eq!(fake.requests().len(), requests, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patients_create_then_prescriptions_list_and_get() {
    let fake = fake().await;
    let env = fake_env(&fake);
    let credentials = fake.credentials().clone();
    let org = credentials.organization_id.clone();
    let phone = "0412345678";
    let medicare = "2123456701";
    let create_args = [
        "patients",
        "create",
        "--given-name",
        "Jane",
        "--family-name",
        "Citizen",
        "--date-of-birth",
        "1990-01-15",
        "--sex",
        "F",
        "--phone",
        phone,
        "--medicare-card-number",
        medicare,
    ];

    let dry = run(&env, &[&create_args[..], &["--dry-run"]].concat()).await;
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout.contains("phone") && !dry.stdout.contains(phone),
        "{}",
        dry.stdout
    );
    assert_eq!(writes(&fake.requests()).len(), 0);

    let created = run(&env, &create_args).await;
    assert_eq!(created.code, 0, "{}", created.stderr);
    for personal in [phone, medicare, "Jane", "1990-01-15"] {
        assert!(!created.stdout.contains(personal), "{}", created.stdout);
    }
    assert_eq!(fake.patient_count(&org), 1);
    let json = run(&env, &[&["--json"], &create_args[..]].concat())
        .await
        .json();
    let patient_id = json["patient_id"]
        .as_str()
        .expect("a patient id")
        .to_owned();
    assert!(created.stdout.contains("patient_id:"), "{}", created.stdout);

    let update = run(
        &env,
        &[
            "patients",
            "update",
            &patient_id,
            "--email",
            "jane@example.com",
        ],
    )
    .await;
    assert_eq!(update.code, 0, "{}", update.stderr);
    assert!(update.stdout.contains("updated:") && update.stdout.contains("email"));

    let prescriber = &credentials.acting_user;
    let scids: Vec<String> = (0..2)
        .map(|_| {
            fake.write_prescription(&org, prescriber, &patient_id)
                .expect("the fake writes a prescription")
        })
        .collect();

    let table = run(&env, &["prescriptions", "list", &patient_id]).await;
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(table.stdout.starts_with("SCID"), "{}", table.stdout);
    for scid in &scids {
        assert!(table.stdout.contains(scid.as_str()), "{}", table.stdout);
    }
    assert!(
        table.stdout.contains("2 prescription(s)"),
        "{}",
        table.stdout
    );
    for personal in [phone, medicare, "Jane", "Citizen"] {
        assert!(!table.stdout.contains(personal), "{}", table.stdout);
    }

    let lines = run(&env, &["--json", "prescriptions", "list", &patient_id]).await;
    let lines = lines.json_lines();
    assert_eq!(lines.len(), 2);
    let listed: Vec<&str> = lines
        .iter()
        .filter_map(|line| line["scid"].as_str())
        .collect();
    assert_eq!(listed.len(), 2);

    let get = run(&env, &["prescriptions", "get", &patient_id, &scids[0]]).await;
    assert_eq!(get.code, 0, "{}", get.stderr);
    assert!(
        get.stdout.contains(&format!("scid:       {}", scids[0])),
        "{}",
        get.stdout
    );

    // A bad acting user id is refused before sending.
    let requests = fake.requests().len();
    let bad = run(
        &env,
        &["prescriptions", "list", &patient_id, "--as", "bad id/.."],
    )
    .await;
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert_eq!(fake.requests().len(), requests);
}
