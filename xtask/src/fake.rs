//! `cargo xtask fake-server` and `cargo xtask conformance`: FakeParchment as a process, and
//! schemathesis checking it against the spec.

use anyhow::{Context, Result, bail};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Variables that would point the quickstart at a real environment.
pub(crate) const ENVIRONMENT_VARIABLE: &str = "PARCHMENT_ENVIRONMENT";
/// See [`ENVIRONMENT_VARIABLE`].
pub(crate) const BASE_URL_VARIABLE: &str = "PARCHMENT_BASE_URL";

/// The fake's binary, for `cargo build` or `cargo run`.
const FAKE_BIN: &[&str] = &[
    "--quiet",
    "--package",
    "parchment-api-ext",
    "--features",
    "testing",
    "--bin",
    "parchment-fake",
];

/// `cargo xtask fake-server [--port N] [--seed N]`: runs the fake in the foreground.
pub(crate) fn fake_server(args: &[String]) -> Result<()> {
    let root = crate::workspace_root()?;
    let status = Command::new("cargo")
        .arg("run")
        .args(FAKE_BIN)
        .arg("--")
        .args(args)
        .current_dir(&root)
        .status()
        .context("starting cargo")?;
    if !status.success() {
        bail!("the fake server exited with {status}");
    }
    Ok(())
}

/// The fake, started for a conformance run and stopped when dropped.
struct RunningFake {
    child: Child,
    /// The `NAME=value` lines it printed.
    settings: HashMap<String, String>,
    sample_user: String,
}

impl Drop for RunningFake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_fake(root: &Path) -> Result<RunningFake> {
    let status = Command::new("cargo")
        .arg("build")
        .args(FAKE_BIN)
        .current_dir(root)
        .status()
        .context("building the fake")?;
    if !status.success() {
        bail!("building the fake failed ({status})");
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut child = Command::new(crate::built_binary(root, "parchment-fake")?)
        .args(["--port", &port.to_string(), "--seed", "40"])
        .stdout(Stdio::piped())
        .spawn()
        .context("starting the fake")?;
    let stdout = child.stdout.take().context("the fake's output")?;
    let mut running = RunningFake {
        child,
        settings: HashMap::new(),
        sample_user: String::new(),
    };
    // The fake prints its settings, then a last line; it is listening by then.
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        let line = line.trim();
        if let Some((name, value)) = line.split_once('=') {
            let value = value.split_whitespace().next().unwrap_or_default();
            running.settings.insert(name.to_owned(), value.to_owned());
        } else if let Some(sample) = line.strip_prefix("sample user (not the administrator): ") {
            running.sample_user = sample.to_owned();
        } else if line.starts_with("These are the fake's test credentials") {
            return Ok(running);
        }
    }
    bail!("the fake stopped before it was ready")
}

/// `cargo xtask conformance`: starts the fake and runs schemathesis over every operation.
pub(crate) fn conformance(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        bail!("usage: cargo xtask conformance");
    }
    let root = crate::workspace_root()?;
    let schemathesis = crate::ci::venv_tool(&root, "schemathesis")?;
    let fake = start_fake(&root)?;
    let setting = |name: &str| {
        fake.settings
            .get(name)
            .cloned()
            .with_context(|| format!("the fake did not print {name}"))
    };
    let env = [
        ("PARCHMENT_FAKE_TOKEN", setting("PARCHMENT_ACCESS_TOKEN")?),
        (
            "PARCHMENT_FAKE_ORG_SECRET",
            setting("PARCHMENT_ORGANIZATION_SECRET")?,
        ),
        (
            "PARCHMENT_FAKE_PARTNER_ID",
            setting("PARCHMENT_PARTNER_ID")?,
        ),
        (
            "PARCHMENT_FAKE_PARTNER_SECRET",
            setting("PARCHMENT_PARTNER_SECRET")?,
        ),
        (
            "PARCHMENT_FAKE_ORG_ID",
            setting("PARCHMENT_ORGANIZATION_ID")?,
        ),
        ("PARCHMENT_FAKE_USER_ID", fake.sample_user.clone()),
    ];
    println!(
        "==> conformance: schemathesis against FakeParchment at {}",
        setting("PARCHMENT_BASE_URL")?
    );
    let status = Command::new(schemathesis)
        .args([
            "--config-file",
            "xtask/conformance/schemathesis.toml",
            "run",
            "openapi/parchment.yaml",
        ])
        .args(["--url", &setting("PARCHMENT_BASE_URL")?])
        .args(["--max-examples", "100", "--seed", "20261123"])
        .args(["--generation-database", "none", "--no-color"])
        .envs(env)
        .current_dir(&root)
        .status()
        .context("starting schemathesis")?;
    drop(fake);
    if !status.success() {
        bail!("schemathesis found the fake disagreeing with the spec ({status})");
    }
    Ok(())
}
