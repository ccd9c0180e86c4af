//! The `parchment` command line, end to end: the built binary spawned against a FakeParchment
//! started here, with credentials passed through environment variables or a config file.
//!
//! Every run checks that no secret (partner secret, organization secrets, static token)
//! appears on stdout or stderr; writes are checked in the fake's state, dry runs in its
//! request log.

mod support;

use parchment_api_ext::Role;
use parchment_api_ext::testing::{FakeConfig, FakeParchment, LoggedRequest};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use support::cli::{
    ORG_SECRET, PARTNER_SECRET, SECOND_ORG_SECRET, STATIC_TOKEN, TempFile, WRONG_SECRET, fake_env,
    fake_with, run, writes,
};
use support::fake::users;

async fn fake() -> FakeParchment {
    fake_with(FakeConfig::default().seed_users(30)).await
}

/// The user ids of the fake's first organization: [admin, second, third, ...].
fn user_ids(fake: &FakeParchment) -> Vec<String> {
    fake.user_ids(&fake.credentials().organization_id, 10)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_list_prints_every_user_as_a_table_or_json_lines() {
    let fake = fake().await;
    let env = fake_env(&fake);
    let total = fake.user_count(&fake.credentials().organization_id);

    let table = run(&env, &["users", "list", "--page-size", "7"]).await;
    assert_eq!(table.code, 0, "{}", table.stderr);
    let mut lines = table.stdout.lines();
    let header = lines.next().unwrap_or_default();
    assert!(header.starts_with("USER ID") && header.contains("EMAIL") && header.contains("ROLES"));
    assert!(table.stdout.contains("practice.admin@example.com"));
    assert!(
        table
            .stdout
            .contains(&format!("{total} user(s) in org_fake_clinic"))
    );
    // Not a terminal: no progress bar, nothing on stderr.
    assert_eq!(table.stderr, "");

    let json = run(&env, &["--json", "users", "list", "--page-size", "7"]).await;
    assert_eq!(json.code, 0, "{}", json.stderr);
    let users = json.json_lines();
    assert_eq!(users.len(), total);
    assert_eq!(users[0]["user_id"], fake.credentials().acting_user.as_str());
    assert_eq!(users[0]["roles"], serde_json::json!(["admin"]));

    let some = run(&env, &["--json", "users", "list", "--max", "3"]).await;
    assert_eq!(some.json_lines().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_get_prints_the_user_and_its_request_id() {
    let fake = fake().await;
    let env = fake_env(&fake);
    let id = user_ids(&fake)[1].clone();

    let human = run(&env, &["users", "get", &id]).await;
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(
        human.stdout.contains(&format!("user_id:          {id}")),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("(request id req_"));

    let json = run(&env, &["users", "get", &id, "--json"]).await.json();
    assert_eq!(json["user_id"], id.as_str());
    assert!(
        json["request_id"]
            .as_str()
            .is_some_and(|rid| rid.starts_with("req_"))
    );
    assert!(json["roles"].is_array());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_user_exits_1_with_kind_status_and_request_id() {
    let fake = fake().await;
    let env = fake_env(&fake);

    let human = run(&env, &["users", "get", "usr_missing"]).await;
    assert_eq!(human.code, 1);
    assert_eq!(human.stdout, "");
    assert!(
        human
            .stderr
            .contains("read user failed: not_found, HTTP 404"),
        "{}",
        human.stderr
    );
    assert!(human.stderr.contains("request id req_"), "{}", human.stderr);

    let json = run(&env, &["--json", "users", "get", "usr_missing"]).await;
    assert_eq!(json.code, 1);
    let error = &json.stderr_json()["error"];
    assert_eq!(error["kind"], "not_found");
    assert_eq!(error["status"], 404);
    assert!(
        error["request_id"]
            .as_str()
            .is_some_and(|rid| rid.starts_with("req_"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_change_the_organization() {
    let fake = fake().await;
    let env = fake_env(&fake);
    let ids = user_ids(&fake);
    let users = users(&fake);

    let set = run(
        &env,
        &["users", "roles", &ids[1], "--set", "admin,provider"],
    )
    .await;
    assert_eq!(set.code, 0, "{}", set.stderr);
    assert!(
        set.stderr.contains("-> admin, provider"),
        "shows the change: {}",
        set.stderr
    );
    assert!(
        set.stdout
            .starts_with(&format!("roles set: {}: admin, provider", ids[1]))
    );
    let user = users.get(&ids[1]).await.expect("the user exists");
    assert_eq!(user.roles, [Role::Admin, Role::Provider]);

    let grant = run(
        &env,
        &["--json", "users", "roles", &ids[1], "--grant", "rx_reader"],
    )
    .await;
    assert_eq!(
        grant.json()["roles"],
        serde_json::json!(["admin", "provider", "rx_reader"])
    );
    let revoke = run(&env, &["users", "roles", &ids[1], "--revoke", "admin"]).await;
    assert_eq!(revoke.code, 0, "{}", revoke.stderr);
    let user = users.get(&ids[1]).await.expect("the user exists");
    assert_eq!(user.roles, [Role::Provider, Role::RxReader]);
    let shown = run(&env, &["users", "roles", &ids[1]]).await;
    assert_eq!(shown.stdout, format!("{}: provider, rx_reader\n", ids[1]));

    let disable = run(&env, &["--json", "users", "disable", &ids[2]]).await;
    assert_eq!(disable.code, 0, "{}", disable.stderr);
    assert_eq!(disable.json()["action"], "disabled");
    let user = users.get(&ids[2]).await.expect("the user exists");
    assert_eq!(user.roles, [Role::Member]);

    let enable = run(
        &env,
        &["users", "enable", &ids[2], "--roles", "receptionist"],
    )
    .await;
    assert_eq!(enable.code, 0, "{}", enable.stderr);
    let user = users.get(&ids[2]).await.expect("the user exists");
    assert_eq!(user.roles, [Role::Receptionist]);

    let update = run(
        &env,
        &["users", "update", &ids[3], "--full-name", "Jo Citizen"],
    )
    .await;
    assert_eq!(update.code, 0, "{}", update.stderr);
    let user = users.get(&ids[3]).await.expect("the user exists");
    assert_eq!(user.full_name.as_deref(), Some("Jo Citizen"));

    let before = fake.user_count(&fake.credentials().organization_id);
    let create = run(
        &env,
        &[
            "--json",
            "users",
            "create",
            "--given-name",
            "Riley",
            "--family-name",
            "Nguyen",
            "--email",
            "riley.nguyen@example.com",
            "--roles",
            "receptionist",
        ],
    )
    .await;
    assert_eq!(create.code, 0, "{}", create.stderr);
    let created = create.json();
    assert_eq!(created["action"], "created");
    let new_id = created["user_id"]
        .as_str()
        .expect("the new user's id")
        .to_owned();
    assert_eq!(
        fake.user_count(&fake.credentials().organization_id),
        before + 1
    );
    let user = users.get(&new_id).await.expect("the new user exists");
    assert_eq!(user.email.as_deref(), Some("riley.nguyen@example.com"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_runs_write_nothing() {
    let fake = fake().await;
    let env = fake_env(&fake);
    let ids = user_ids(&fake);
    let users = users(&fake);
    let roles_before = users
        .get(&ids[1])
        .await
        .expect("the user exists")
        .roles
        .clone();
    let count_before = fake.user_count(&fake.credentials().organization_id);

    let runs: Vec<Vec<&str>> = vec![
        vec!["users", "roles", &ids[1], "--set", "admin", "--dry-run"],
        vec!["users", "roles", &ids[1], "--grant", "admin", "--dry-run"],
        vec!["users", "disable", &ids[1], "--dry-run"],
        vec!["users", "enable", &ids[1], "--roles", "admin", "--dry-run"],
        vec![
            "users",
            "update",
            &ids[1],
            "--full-name",
            "X Y",
            "--dry-run",
        ],
        vec![
            "users",
            "create",
            "--given-name",
            "A",
            "--family-name",
            "B",
            "--email",
            "a@b.example",
            "--dry-run",
        ],
        vec!["orgs", "validate", "--dry-run"],
    ];
    for args in &runs {
        let human = run(&env, args).await;
        assert_eq!(human.code, 0, "{args:?}: {}", human.stderr);
        assert!(
            human.stdout.starts_with("dry run: would "),
            "{args:?}: {}",
            human.stdout
        );
        assert!(human.stdout.ends_with("\n") && human.stdout.contains(" ("));
        let mut json_args = args.clone();
        json_args.insert(0, "--json");
        let json = run(&env, &json_args).await.json();
        assert_eq!(json["dry_run"], true, "{args:?}");
    }
    let disable = run(&env, &["users", "disable", &ids[1], "--dry-run"]).await;
    assert!(
        disable.stdout.contains("can no longer sign in"),
        "{}",
        disable.stdout
    );
    let set = run(
        &env,
        &["users", "roles", &ids[1], "--set", "admin", "--dry-run"],
    )
    .await;
    assert!(set.stdout.contains("access_roles: admin"), "{}", set.stdout);

    let requests = fake.requests();
    assert_eq!(writes(&requests), Vec::<&LoggedRequest>::new());
    assert!(
        !requests
            .iter()
            .any(|request| request.path.ends_with("/validate"))
    );
    assert!(!fake.is_validated(&fake.credentials().organization_id));
    assert_eq!(
        users.get(&ids[1]).await.expect("the user exists").roles,
        roles_before
    );
    assert_eq!(
        fake.user_count(&fake.credentials().organization_id),
        count_before
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_and_configuration_errors_exit_2_and_send_nothing() {
    let fake = fake().await;
    let env = fake_env(&fake);
    let id = user_ids(&fake)[1].clone();

    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["users", "frobnicate"], "unrecognized subcommand"),
        (
            vec!["users", "roles", &id, "--set", "superuser"],
            "unknown role `superuser`",
        ),
        (
            vec![
                "users", "roles", &id, "--set", "admin", "--grant", "provider",
            ],
            "cannot be used with",
        ),
        (vec!["users", "roles", &id, "--force"], "--set"),
        (vec!["users", "update", &id], "nothing to update"),
        (vec!["users", "list", "--page-size", "500"], "limit"),
        (
            vec!["users", "roles", &id, "--set", "owner"],
            "`owner` cannot be assigned",
        ),
        (
            vec![
                "users",
                "create",
                "--given-name",
                "A",
                "--family-name",
                "B",
                "--email",
                "a@b.example",
                "--roles",
                "provider",
            ],
            "hpii_number: required",
        ),
    ];
    for (args, expected) in cases {
        let failed = run(&env, &args).await;
        assert_eq!(failed.code, 2, "{args:?}: {}", failed.stderr);
        assert!(
            failed.stderr.contains(expected),
            "{args:?}: {}",
            failed.stderr
        );
    }
    // `--set owner` read the user first (to show the change); nothing was written.
    assert_eq!(writes(&fake.requests()), Vec::<&LoggedRequest>::new());

    // A missing variable is named, never a value.
    let mut partial = env.clone();
    partial.retain(|(name, _)| name != "PARCHMENT_ORGANIZATION_SECRET");
    let missing = run(&partial, &["users", "list"]).await;
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("PARCHMENT_ORGANIZATION_SECRET is not set"),
        "{}",
        missing.stderr
    );
    let json = run(&partial, &["--json", "users", "list"]).await;
    assert_eq!(json.code, 2);
    assert_eq!(json.stderr_json()["error"]["kind"], "configuration");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_documents_the_exit_codes() {
    let help = run(&[], &["--help"]).await;
    assert_eq!(help.code, 0);
    for line in [
        "Exit codes:",
        "0  success",
        "1  a call failed",
        "2  usage or configuration",
        "3  drift found",
    ] {
        assert!(help.stdout.contains(line), "{line}: {}", help.stdout);
    }
    for command in ["users", "orgs", "fake"] {
        assert!(help.stdout.contains(command), "{command}");
    }
    let users = run(&[], &["users", "--help"]).await;
    for command in [
        "list", "get", "update", "roles", "create", "enable", "disable",
    ] {
        assert!(
            users.stdout.contains(command),
            "{command}: {}",
            users.stdout
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_file_names_several_organizations() {
    let fake = fake().await;
    let credentials = fake.credentials().clone();
    let second_admin = fake.add_organization("org_second", SECOND_ORG_SECRET);
    let config = TempFile::new(
        "several.toml",
        &format!(
            r#"
base_url = "{base_url}"
default_organization = "first"

[partner]
id = "{partner_id}"
secret_env = "CLI_TEST_PARTNER_SECRET"

[organizations.first]
id = "{first_id}"
secret = "{ORG_SECRET}"
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
    let env: Vec<(String, String)> = [
        ("PARCHMENT_CONFIG", config.path()),
        ("CLI_TEST_PARTNER_SECRET", PARTNER_SECRET),
        ("CLI_TEST_SECOND_SECRET", SECOND_ORG_SECRET),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect();

    let first = run(&env, &["--json", "users", "list"]).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.json_lines()[0]["email"], "practice.admin@example.com");
    for selector in ["second", "org_second"] {
        let second = run(&env, &["--org", selector, "--json", "users", "list"]).await;
        assert_eq!(second.code, 0, "{}", second.stderr);
        let lines = second.json_lines();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["email"], "admin@org_second.example.com");
    }

    let validate = run(&env, &["orgs", "validate", "--all"]).await;
    assert_eq!(validate.code, 0, "{}", validate.stderr);
    assert!(validate.stdout.contains("first") && validate.stdout.contains("second"));
    assert!(fake.is_validated(&credentials.organization_id));
    assert!(fake.is_validated("org_second"));

    let unknown = run(&env, &["--org", "third", "users", "list"]).await;
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("no organization named `third`"),
        "{}",
        unknown.stderr
    );

    // The second organization's variable missing: commands about the first still work.
    let mut without_second = env.clone();
    without_second.retain(|(name, _)| name != "CLI_TEST_SECOND_SECRET");
    assert_eq!(
        run(&without_second, &["users", "list", "--max", "1"])
            .await
            .code,
        0
    );
    let missing = run(&without_second, &["--org", "second", "users", "list"]).await;
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("CLI_TEST_SECOND_SECRET is not set"),
        "{}",
        missing.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_secrets_and_broken_config_files_are_never_echoed() {
    let fake = fake().await;
    let credentials = fake.credentials().clone();
    let wrong = TempFile::new(
        "wrong.toml",
        &format!(
            "base_url = \"{}\"\naccess_token = \"{STATIC_TOKEN}\"\n\n[organizations.clinic]\nid = \"{}\"\nsecret = \"{WRONG_SECRET}\"\n",
            fake.base_url(),
            credentials.organization_id
        ),
    );
    let env = vec![("PARCHMENT_CONFIG".to_owned(), wrong.path().to_owned())];
    let refused = run(&env, &["users", "list"]).await;
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("unauthorized, HTTP 401"),
        "{}",
        refused.stderr
    );
    let refused = run(&env, &["--json", "users", "get", "usr_000000000001"]).await;
    assert_eq!(refused.stderr_json()["error"]["status"], 401);

    // A syntax error on the secret's line: the line number, not the line.
    let broken = TempFile::new(
        "broken.toml",
        &format!(
            "base_url = \"{}\"\n[partner]\nid = \"p\"\nsecret = \"{PARTNER_SECRET}\" oops\n",
            fake.base_url()
        ),
    );
    let env = vec![("PARCHMENT_CONFIG".to_owned(), broken.path().to_owned())];
    let failed = run(&env, &["users", "list"]).await;
    assert_eq!(failed.code, 2);
    assert!(failed.stderr.contains("line 4"), "{}", failed.stderr);
    // A secret given twice, inline and by variable, is refused without showing either.
    let twice = TempFile::new(
        "twice.toml",
        &format!(
            "base_url = \"{}\"\n[partner]\nid = \"p\"\nsecret = \"{PARTNER_SECRET}\"\nsecret_env = \"X\"\n",
            fake.base_url()
        ),
    );
    let env = vec![("PARCHMENT_CONFIG".to_owned(), twice.path().to_owned())];
    let failed = run(&env, &["users", "list"]).await;
    assert_eq!(failed.code, 2);
    assert!(failed.stderr.contains("not both"), "{}", failed.stderr);
}

/// A child process, killed if the test fails before stopping it.
struct Running(Option<std::process::Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fake_serves_until_sigterm_and_prints_what_to_connect_with() {
    let mut child = Running(Some(
        Command::new(env!("CARGO_BIN_EXE_parchment"))
            .args(["fake", "--port", "0", "--seed", "3"])
            .env_clear()
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the fake starts"),
    ));
    let process = child.0.as_mut().expect("the child is running");
    let pid = process.id();
    let stdout = process.stdout.take().expect("its stdout");
    let settings = tokio::task::spawn_blocking(move || {
        let mut settings = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("a line");
            if line.starts_with("These are the fake's test credentials") {
                break;
            }
            if let Some((name, value)) = line.trim().split_once('=') {
                let value = value.split_whitespace().next().unwrap_or_default();
                settings.push((name.to_owned(), value.to_owned()));
            }
        }
        settings
    })
    .await
    .expect("the settings were read");
    let names: Vec<&str> = settings.iter().map(|(name, _)| name.as_str()).collect();
    assert!(names.contains(&"PARCHMENT_BASE_URL") && names.contains(&"PARCHMENT_PARTNER_SECRET"));

    // What it printed is enough to use it (the static token is left out: partner credentials).
    let env: Vec<_> = settings
        .into_iter()
        .filter(|(name, _)| name != "PARCHMENT_ACCESS_TOKEN")
        .collect();
    let listed = run(&env, &["--json", "users", "list"]).await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert_eq!(listed.json_lines().len(), 4);

    let stopped = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(stopped.success());
    let mut process = child.0.take().expect("the child is running");
    let status = tokio::task::spawn_blocking(move || process.wait())
        .await
        .expect("waited")
        .expect("the fake exits");
    assert!(status.success(), "SIGTERM stops the fake cleanly: {status}");
}
