//! The harness of the `parchment` binary's end-to-end tests (tests/cli.rs, tests/cli_sync.rs):
//! the secrets the runs are handed, a FakeParchment configured with them, the `PARCHMENT_*`
//! variables for it, one run of the binary (checked to print no secret), the writes in the
//! fake's request log, and temporary files for configs and rosters.

use parchment_api_ext::testing::{FakeConfig, FakeParchment, LoggedRequest};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The fake's partner secret.
pub(crate) const PARTNER_SECRET: &str = "ps-7f3a9e-partner-secret";
/// The fake's first organization's secret.
pub(crate) const ORG_SECRET: &str = "os-51c2d0-org-secret";
/// The fake's static access token.
pub(crate) const STATIC_TOKEN: &str = "st-a81b44-static-token";
/// The secret of a second organization a test adds.
pub(crate) const SECOND_ORG_SECRET: &str = "os-9e07aa-second-secret";
/// A secret the fake does not accept.
pub(crate) const WRONG_SECRET: &str = "os-000bad-wrong-secret";
/// Every secret any test hands the binary: none may ever be printed.
pub(crate) const SECRETS: &[&str] = &[
    PARTNER_SECRET,
    ORG_SECRET,
    STATIC_TOKEN,
    SECOND_ORG_SECRET,
    WRONG_SECRET,
];

/// What a run of the binary printed and how it exited.
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// Each stdout line as a JSON value.
    pub(crate) fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|line| serde_json::from_str(line).expect("each stdout line is a JSON value"))
            .collect()
    }

    /// Stdout as exactly one JSON document.
    pub(crate) fn json(&self) -> Value {
        let lines = self.json_lines();
        assert_eq!(lines.len(), 1, "one JSON document: {}", self.stdout);
        lines.into_iter().next().unwrap_or_default()
    }

    /// Stderr as one JSON document.
    pub(crate) fn stderr_json(&self) -> Value {
        serde_json::from_str(self.stderr.trim()).expect("stderr is one JSON document")
    }
}

/// A FakeParchment started from `config`, with the partner secret, organization secret and
/// static token above.
pub(crate) async fn fake_with(mut config: FakeConfig) -> FakeParchment {
    config.partner_secret = PARTNER_SECRET.into();
    config.organization_secret = ORG_SECRET.into();
    config.static_token = STATIC_TOKEN.into();
    FakeParchment::start_with(config).await
}

/// `(name, value)` pairs as owned environment variables.
pub(crate) fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

/// The `PARCHMENT_*` variables for the fake's first organization, with partner credentials.
pub(crate) fn fake_env(fake: &FakeParchment) -> Vec<(String, String)> {
    let credentials = fake.credentials();
    vars(&[
        ("PARCHMENT_BASE_URL", fake.base_url()),
        ("PARCHMENT_PARTNER_ID", &credentials.partner_id),
        ("PARCHMENT_PARTNER_SECRET", PARTNER_SECRET),
        ("PARCHMENT_USER_ID", &credentials.acting_user),
        ("PARCHMENT_ORGANIZATION_ID", &credentials.organization_id),
        ("PARCHMENT_ORGANIZATION_SECRET", ORG_SECRET),
    ])
}

/// Runs the binary with exactly these variables (none inherited) and stdin that is not a
/// terminal, and checks that no secret was printed. Blocking, so on the blocking pool: the
/// fake keeps serving meanwhile.
pub(crate) async fn run(env: &[(String, String)], args: &[&str]) -> Run {
    let env = env.to_vec();
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_parchment"))
            .args(&args)
            .env_clear()
            .envs(env)
            .stdin(Stdio::null())
            .output()
            .expect("the parchment binary runs")
    })
    .await
    .expect("the run finished");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    for secret in SECRETS {
        assert!(
            !run.stdout.contains(secret),
            "a secret on stdout: {}",
            run.stdout
        );
        assert!(
            !run.stderr.contains(secret),
            "a secret on stderr: {}",
            run.stderr
        );
    }
    run
}

/// Requests that changed something: anything but reads and token requests.
pub(crate) fn writes(requests: &[LoggedRequest]) -> Vec<&LoggedRequest> {
    requests
        .iter()
        .filter(|request| request.method != "GET" && request.path != "/v1/token")
        .collect()
}

/// A temporary file, removed when dropped; unique per call, since the tests run at once.
pub(crate) struct TempFile(PathBuf);

impl TempFile {
    /// Writes `text` to a new file whose name ends in `name`.
    pub(crate) fn new(name: &str, text: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "parchment-cli-{}-{}-{name}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, text).expect("the file is written");
        Self(path)
    }

    /// The file's path, for the command line.
    pub(crate) fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temp path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
