//! `cargo xtask ci`: the whole gate, in the order that fails fastest.
//!
//! The spec validator (`openapi-spec-validator`) and the conformance tool (`schemathesis`) come
//! from PyPI; `.ci/run` installs them into `target/ci-venv`. Locally, run `.ci/run` once or put
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
    let root = crate::workspace_root();
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
    crate::regenerate::run(&["--check".to_owned()])?;
    let validator = venv_tool(&root, "openapi-spec-validator")?;
    step(
        &root,
        "spec validator",
        &[&validator, "openapi/parchment.yaml"],
        &[],
    )?;
    step(
        &root,
        "tests (the README's test command)",
        TEST_COMMAND,
        &[],
    )?;
    quickstart(&root)?;
    crate::fake::conformance(&[])?;
    step(
        &root,
        "docs",
        &["cargo", "doc", "--workspace", "--no-deps", "--all-features"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    println!("xtask ci: all gates passed");
    Ok(())
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

/// A Python tool `.ci/run` installs into `target/ci-venv`, or the same tool on `PATH`.
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
