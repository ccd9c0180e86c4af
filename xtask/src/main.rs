//! Developer commands for parchment-rs. Run as `cargo xtask <command>`.
//!
//! - `regenerate [--check]`: write (or verify) the code generated from `openapi/parchment.yaml`.
//! - `ci`: the whole gate that `.ci/run` runs.
//! - `lint-spec`: the spec validator and Redocly's recommended ruleset over the spec.
//! - `fake-server [--port N] [--seed N]`: FakeParchment as a process.
//! - `conformance`: schemathesis checks FakeParchment against the spec.
//! - `bench [--no-build-time]`: the SDK against a hand-written client; writes BENCHMARKS.md.

mod bench;
mod ci;
mod fake;
mod regenerate;

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("regenerate") => regenerate::run(&args[1..]),
        Some("ci") => ci::run(&args[1..]),
        Some("lint-spec") => ci::lint_spec(&args[1..]),
        Some("fake-server") => fake::fake_server(&args[1..]),
        Some("conformance") => fake::conformance(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <regenerate [--check] | ci | lint-spec | fake-server [--port N] | conformance | bench>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The cargo that started this command (`cargo xtask` sets `CARGO`), or `cargo` on `PATH`.
fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// The root of the workspace the command runs in, found at run time from the current directory.
///
/// Not the path xtask was compiled in: two clones sharing one `CARGO_TARGET_DIR` share the
/// xtask binary, and each must act on its own files.
fn workspace_root() -> Result<PathBuf> {
    let manifest = cargo_output(&["locate-project", "--workspace", "--message-format", "plain"])?;
    let manifest = PathBuf::from(manifest.trim());
    let root = manifest
        .parent()
        .with_context(|| format!("{} has no parent directory", manifest.display()))?;
    Ok(root.to_path_buf())
}

/// Where cargo puts what it builds for this workspace (`CARGO_TARGET_DIR`, `build.target-dir`
/// or `<root>/target`), as cargo itself reports it.
fn target_dir(root: &Path) -> Result<PathBuf> {
    let metadata = Command::new(cargo())
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root)
        .output()
        .context("starting cargo metadata")?;
    if !metadata.status.success() {
        bail!(
            "cargo metadata failed ({}): {}",
            metadata.status,
            String::from_utf8_lossy(&metadata.stderr)
        );
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&metadata.stdout).context("reading cargo metadata")?;
    let dir = metadata["target_directory"]
        .as_str()
        .context("cargo metadata reported no target_directory")?;
    Ok(PathBuf::from(dir))
}

/// A binary of this workspace built by `cargo build` (debug profile).
fn built_binary(root: &Path, name: &str) -> Result<PathBuf> {
    Ok(target_dir(root)?
        .join("debug")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX)))
}

fn cargo_output(args: &[&str]) -> Result<String> {
    let output = Command::new(cargo())
        .args(args)
        .output()
        .with_context(|| format!("starting cargo {}", args[0]))?;
    if !output.status.success() {
        bail!(
            "cargo {} failed ({}): {}",
            args[0],
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    String::from_utf8(output.stdout).with_context(|| format!("cargo {}'s output", args[0]))
}
