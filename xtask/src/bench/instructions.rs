//! Instruction counts per call under callgrind: a figure that does not move with the load of
//! the machine, where wall-clock ratios on two shared cores move by 5-10%.
//!
//! The benchmark binary runs one side's work alone (`BENCH_CALLGRIND=<side> BENCH_CALLS=N`, on
//! a current-thread runtime so that the count repeats), once with N calls and once with none;
//! the difference over N is what one call costs, client and in-process server together.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One scenario: the two sides' workloads, how many calls, and how many items a call is.
struct Scenario {
    name: &'static str,
    unit: &'static str,
    sdk: &'static str,
    baseline: &'static str,
    calls: usize,
    items_per_call: usize,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "1b. read user: instructions per call (callgrind, client and server)",
        unit: "instr/call",
        sdk: "sdk",
        baseline: "baseline",
        calls: 400,
        items_per_call: 1,
    },
    Scenario {
        name: "3d. stream users: instructions per user (callgrind, client and server)",
        unit: "instr/item",
        sdk: "sdk-users",
        baseline: "baseline-users",
        calls: 20,
        items_per_call: 100,
    },
    Scenario {
        name: "3e. stream prescriptions: instructions per item (callgrind, client and server)",
        unit: "instr/item",
        sdk: "sdk-prescriptions",
        baseline: "baseline-prescriptions",
        calls: 40,
        items_per_call: 50,
    },
];

/// The rows of the instruction-count scenarios, or none (with a note) without valgrind.
pub(crate) fn rows(root: &Path, target: &Path) -> Result<Vec<Value>> {
    let has_valgrind = Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !has_valgrind {
        eprintln!("valgrind is not installed: no instruction counts");
        return Ok(Vec::new());
    }
    let binary = bench_binary(root)?;
    let out_dir = target.join("callgrind");
    std::fs::create_dir_all(&out_dir)?;
    let mut rows = Vec::new();
    for scenario in SCENARIOS {
        let per_item = |side: &str| -> Result<f64> {
            let full = count(&binary, &out_dir, side, scenario.calls)?;
            let empty = count(&binary, &out_dir, side, 0)?;
            let items = (scenario.calls * scenario.items_per_call) as f64;
            Ok(full.saturating_sub(empty) as f64 / items)
        };
        let (sdk, baseline) = (per_item(scenario.sdk)?, per_item(scenario.baseline)?);
        let ratio = sdk / baseline;
        rows.push(json!({
            "scenario": scenario.name, "unit": scenario.unit, "sdk": sdk, "baseline": baseline,
            "ratio": ratio, "target": "≤ 1.03", "meets_target": ratio <= 1.03
        }));
    }
    Ok(rows)
}

/// The release build of `benches/sdk_vs_baseline.rs`, as cargo reports it.
fn bench_binary(root: &Path) -> Result<PathBuf> {
    let output = super::cargo_bench(root, "testing", "sdk_vs_baseline")
        .args(["--no-run", "--message-format=json"])
        .stderr(Stdio::inherit())
        .output()
        .context("building the benchmark")?;
    if !output.status.success() {
        bail!("building the benchmark failed ({})", output.status);
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["target"]["name"] == "sdk_vs_baseline")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .context("cargo reported no benchmark executable")
}

/// The total instruction count of one run of `side` with `calls` calls.
fn count(binary: &Path, out_dir: &Path, side: &str, calls: usize) -> Result<u64> {
    let out_file = out_dir.join(format!("{side}-{calls}.out"));
    let status = Command::new("valgrind")
        .args(["--tool=callgrind", "--quiet"])
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(binary)
        .arg("--bench")
        .env("BENCH_CALLGRIND", side)
        .env("BENCH_CALLS", calls.to_string())
        .stdout(Stdio::null())
        .status()
        .context("starting valgrind")?;
    if !status.success() {
        bail!("callgrind of {side} with {calls} calls failed ({status})");
    }
    let profile = std::fs::read_to_string(&out_file)
        .with_context(|| format!("reading {}", out_file.display()))?;
    total(&profile).with_context(|| format!("no total in {}", out_file.display()))
}

/// The `summary:` (or `totals:`) line of a callgrind profile: instructions executed.
fn total(profile: &str) -> Option<u64> {
    profile.lines().find_map(|line| {
        let value = line
            .strip_prefix("summary:")
            .or_else(|| line.strip_prefix("totals:"))?;
        value.split_whitespace().next()?.parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::total;

    #[test]
    fn reads_the_total_of_a_profile() {
        let profile = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\n\nfl=(1) a.rs\n\nsummary: 123456\ntotals: 123456\n";
        assert_eq!(total(profile), Some(123_456));
        assert_eq!(total("events: Ir\n"), None);
    }
}
