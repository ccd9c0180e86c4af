//! Developer commands for parchment-rs. Run as `cargo xtask <command>`.
//!
//! - `regenerate [--check]`: write (or verify) the code generated from `openapi/parchment.yaml`.
//! - `ci`: the whole gate that `.ci/run` runs.
//! - `fake-server [--port N] [--seed N]`: FakeParchment as a process.
//! - `conformance`: schemathesis checks FakeParchment against the spec.
//! - `bench [--no-build-time]`: the SDK against a hand-written client; writes BENCHMARKS.md.

mod bench;
mod ci;
mod fake;
mod regenerate;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("regenerate") => regenerate::run(&args[1..]),
        Some("ci") => ci::run(&args[1..]),
        Some("fake-server") => fake::fake_server(&args[1..]),
        Some("conformance") => fake::conformance(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <regenerate [--check] | ci | fake-server [--port N] | conformance | bench>"
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

/// The workspace root, whatever directory cargo was started from.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}
