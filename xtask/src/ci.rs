//! `cargo xtask ci`: the whole gate, in the order that fails fastest.
//!
//! The spec validator (`openapi-spec-validator`) and the conformance tool (`schemathesis`) come
//! from PyPI, the spec linter (Redocly CLI, pinned to [`REDOCLY_VERSION`]) from npm; `.ci/run`
//! installs them into `target/ci-venv` and `target/redocly`. Locally, run `.ci/run` once or put
//! them on `PATH`.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

/// The README's test command; `README.md` is checked to still say so.
const TEST_COMMAND: &[&str] = &["cargo", "test", "--workspace", "--all-features"];
/// The README's first command, the quickstart (a cargo alias in `.cargo/config.toml`).
const QUICKSTART_COMMAND: &str = "cargo quickstart";

pub(crate) fn run(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        bail!("usage: cargo xtask ci");
    }
    let root = crate::workspace_root()?;
    readme_names_test_command(&root)?;
    step(&root, "format", &["cargo", "fmt", "--all", "--check"], &[])?;
    step(
        &root,
        "clippy",
        &[
            "cargo",
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    println!("==> generated code: cargo xtask regenerate --check");
    crate::regenerate::run(&["--check".to_owned()])?;
    check_spec(&root)?;
    let (passed, failed) = tests(&root)?;
    quickstart(&root)?;
    crate::fake::conformance(&[])?;
    step(
        &root,
        "docs",
        &["cargo", "doc", "--workspace", "--no-deps", "--all-features"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    tls_backends(&root)?;
    package(&root)?;
    println!("xtask ci: all gates passed");
    // The closing line CI reads: every test of the README's test command.
    println!("tests: {passed} passed, {failed} failed");
    Ok(())
}

/// `cargo xtask lint-spec`: the spec validator and the spec linter, as the gate runs them.
pub(crate) fn lint_spec(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        bail!("usage: cargo xtask lint-spec");
    }
    check_spec(&crate::workspace_root()?)
}

fn check_spec(root: &Path) -> Result<()> {
    let validator = venv_tool(root, "openapi-spec-validator")?;
    step(
        root,
        "spec validator",
        &[&validator, "openapi/parchment.yaml"],
        &[],
    )?;
    spec_lint(root)
}

fn readme_names_test_command(root: &Path) -> Result<()> {
    let readme = std::fs::read_to_string(root.join("README.md")).context("reading README.md")?;
    for command in [TEST_COMMAND.join(" "), QUICKSTART_COMMAND.to_owned()] {
        if !readme.contains(&command) {
            bail!("README.md no longer shows the command `{command}` that CI runs");
        }
    }
    Ok(())
}

/// Runs the README's test command, echoing its output, and counts what its `test result`
/// lines report.
fn tests(root: &Path) -> Result<(u64, u64)> {
    use std::io::{BufRead, BufReader};
    println!(
        "==> tests (the README's test command): {}",
        TEST_COMMAND.join(" ")
    );
    let mut child = Command::new(TEST_COMMAND[0])
        .args(&TEST_COMMAND[1..])
        .current_dir(root)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("starting the tests")?;
    let (mut passed, mut failed) = (0, 0);
    let stdout = child.stdout.take().context("the tests' output")?;
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        println!("{line}");
        if let Some(summary) = line.strip_prefix("test result: ") {
            let count = |word: &str| {
                summary
                    .split(';')
                    .find_map(|part| {
                        part.trim()
                            .trim_start_matches("ok. ")
                            .trim_start_matches("FAILED. ")
                            .strip_suffix(word)
                    })
                    .and_then(|n| n.trim().parse::<u64>().ok())
                    .unwrap_or(0)
            };
            passed += count(" passed");
            failed += count(" failed");
        }
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("tests failed ({status}): {passed} passed, {failed} failed");
    }
    Ok((passed, failed))
}

/// A Python tool `.ci/run` installs into `target/ci-venv`, or the same tool on `PATH`.
///
/// That `target/` is the workspace's own directory, not cargo's target directory: tools stay
/// with the clone that installed them, wherever `CARGO_TARGET_DIR` points.
pub(crate) fn venv_tool(root: &Path, name: &str) -> Result<String> {
    let in_venv = root.join("target/ci-venv/bin").join(name);
    if in_venv.exists() {
        return Ok(in_venv.display().to_string());
    }
    match Command::new(name).arg("--help").output() {
        Ok(output) if output.status.success() => Ok(name.to_owned()),
        _ => {
            bail!("{name} not found: run .ci/run, or install it into target/ci-venv (see .ci/run)")
        }
    }
}

/// The Redocly CLI version `.ci/run` installs; the lint refuses any other, so that the ruleset
/// cannot change under the spec unnoticed.
const REDOCLY_VERSION: &str = "2.77.0";

/// Redocly CLI's recommended ruleset over the spec. Its warnings (an example that does not
/// validate against its schema, say) fail the gate as its errors do.
fn spec_lint(root: &Path) -> Result<()> {
    let installed = root.join("target/redocly/node_modules/.bin/redocly");
    let redocly = if installed.exists() {
        installed.display().to_string()
    } else {
        "redocly".to_owned()
    };
    println!("==> spec lint: {redocly} lint openapi/parchment.yaml (recommended ruleset)");
    let output = Command::new(&redocly)
        .args(["lint", "--format", "json", "openapi/parchment.yaml"])
        .current_dir(root)
        .output()
        .with_context(|| {
            format!("starting {redocly}: run .ci/run, or install @redocly/cli@{REDOCLY_VERSION} (see .ci/run)")
        })?;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).with_context(|| {
        format!(
            "reading redocly's report ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
    })?;
    let version = report["version"].as_str().unwrap_or("unknown");
    if version != REDOCLY_VERSION {
        bail!("redocly {version} found, the gate pins {REDOCLY_VERSION}: run .ci/run");
    }
    let problems = report["problems"].as_array().cloned().unwrap_or_default();
    for problem in &problems {
        let location = &problem["location"][0];
        println!(
            "{}:{}:{} {} {}: {}",
            location["source"]["ref"].as_str().unwrap_or("?"),
            location["start"]["line"],
            location["start"]["col"],
            problem["severity"].as_str().unwrap_or("?"),
            problem["ruleId"].as_str().unwrap_or("?"),
            problem["message"].as_str().unwrap_or("?"),
        );
    }
    if !problems.is_empty() || !output.status.success() {
        bail!(
            "spec lint: {} problems ({} errors, {} warnings)",
            problems.len(),
            report["totals"]["errors"],
            report["totals"]["warnings"]
        );
    }
    Ok(())
}

/// The TLS features of `parchment-api-ext`, each one a complete choice on its own.
const TLS_FEATURES: &[&str] = &["rustls", "rustls-ring", "native-tls"];

/// Builds `parchment-api-ext` with each TLS choice alone and runs its TLS test (a client builds
/// without set-up and opens a handshake), then checks that the choices that promise to avoid
/// aws-lc (and its C and cmake build) do.
fn tls_backends(root: &Path) -> Result<()> {
    for feature in TLS_FEATURES {
        step(
            root,
            &format!("TLS choice {feature}"),
            &[
                "cargo",
                "test",
                "--package",
                "parchment-api-ext",
                "--no-default-features",
                "--features",
                feature,
                "--test",
                "tls",
            ],
            &[],
        )?;
    }
    for feature in ["rustls-ring", "native-tls"] {
        let tree = Command::new("cargo")
            .args([
                "tree",
                "--package",
                "parchment-api-ext",
                "--no-default-features",
            ])
            .args([
                "--features",
                feature,
                "--edges",
                "normal",
                "--prefix",
                "none",
            ])
            .current_dir(root)
            .output()
            .context("starting cargo tree")?;
        if !tree.status.success() {
            bail!("cargo tree failed ({})", tree.status);
        }
        if String::from_utf8_lossy(&tree.stdout)
            .lines()
            .any(|line| line.starts_with("aws-lc-sys "))
        {
            bail!(
                "with the {feature} feature alone, parchment-api-ext still depends on aws-lc-sys"
            );
        }
    }
    Ok(())
}

/// Both crates as they would be published: `cargo package` builds each from its own packaged
/// sources (no path that exists only in the workspace), and the dry run checks the rest of what
/// crates.io would.
fn package(root: &Path) -> Result<()> {
    const CRATES: &[&str] = &[
        "--package",
        "parchment-api",
        "--package",
        "parchment-api-ext",
    ];
    step(
        root,
        "package",
        &[&["cargo", "package"], CRATES].concat(),
        &[],
    )?;
    step(
        root,
        "publish dry run",
        &[&["cargo", "publish", "--dry-run", "--no-verify"], CRATES].concat(),
        &[],
    )
}

/// The README's first command, checked for the lines a newcomer should see.
fn quickstart(root: &Path) -> Result<()> {
    println!("==> quickstart (the README's first command): {QUICKSTART_COMMAND}");
    let output = Command::new("cargo")
        .arg("quickstart")
        .current_dir(root)
        .env_remove(crate::fake::ENVIRONMENT_VARIABLE)
        .env_remove(crate::fake::BASE_URL_VARIABLE)
        .output()
        .context("starting the quickstart")?;
    let transcript = String::from_utf8_lossy(&output.stdout);
    print!("{transcript}");
    if !output.status.success() {
        bail!(
            "the quickstart failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    for expected in QUICKSTART_LINES {
        if !transcript.contains(expected) {
            bail!("the quickstart's output lacks `{expected}`");
        }
    }
    Ok(())
}

/// What the quickstart must show: each step, a request id, and the two errors.
const QUICKSTART_LINES: &[&str] = &[
    "against FakeParchment",
    "validated: true",
    "of them providers",
    "prescriber type M",
    "full name \"Dr Darlene Scott\"",
    "roles now provider, admin",
    "Dr Darlene Scott (usr_",
    "(request id req_",
    "prescription ",
    "sign-in link to the patient's page issued",
    "InvalidInput: replace user roles failed: access_roles[0]: `owner` cannot be assigned",
    "NotFound: read user failed with HTTP 404",
    "Done.",
];

fn step(root: &Path, name: &str, command: &[&str], env: &[(&str, &str)]) -> Result<()> {
    println!("==> {name}: {}", command.join(" "));
    let status = Command::new(command[0])
        .args(&command[1..])
        .envs(env.iter().copied())
        .current_dir(root)
        .status()
        .with_context(|| format!("starting {}", command[0]))?;
    if !status.success() {
        bail!("{name} failed ({status})");
    }
    Ok(())
}
