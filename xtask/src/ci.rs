//! `cargo xtask ci`: the whole gate, in the order that fails fastest.
//!
//! The spec validator is `openapi-spec-validator` from PyPI; `.ci/run` installs it into
//! `target/ci-venv`. Locally, install it there the same way or put it on `PATH`.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

/// The README's test command; `README.md` is checked to still say so.
const TEST_COMMAND: &[&str] = &["cargo", "test", "--workspace", "--all-features"];

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
    let validator = spec_validator(&root)?;
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
    let command = TEST_COMMAND.join(" ");
    if !readme.contains(&command) {
        bail!("README.md no longer shows the test command `{command}` that CI runs");
    }
    Ok(())
}

fn spec_validator(root: &Path) -> Result<String> {
    let in_venv = root.join("target/ci-venv/bin/openapi-spec-validator");
    if in_venv.exists() {
        return Ok(in_venv.display().to_string());
    }
    let on_path = Command::new("openapi-spec-validator")
        .arg("--help")
        .output();
    match on_path {
        Ok(output) if output.status.success() => Ok("openapi-spec-validator".to_owned()),
        _ => bail!(
            "openapi-spec-validator not found: run .ci/run, or \
             `python3 -m venv target/ci-venv && target/ci-venv/bin/pip install openapi-spec-validator`"
        ),
    }
}

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
