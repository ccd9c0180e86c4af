//! `cargo xtask bench`: the SDK against a hand-written client, written to BENCHMARKS.md.
//!
//! Runs `benches/sdk_vs_baseline.rs` (scenarios 1-4 and 6, release build), counts the
//! instructions of a read and of a streamed prescription under callgrind (when valgrind is
//! installed; see `instructions`), then
//! `benches/roster_sync.rs` (plan and apply a roster for 100 organizations × 200 users with 5%
//! drift against the fake), and times scenario 5 here: a clean debug build of a minimal consumer
//! of `parchment-api-ext` against one of reqwest, serde and tokio alone, each in its own empty
//! target directory.

mod instructions;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const RESULTS: &str = "xtask/bench-results.json";
/// Earlier figures, kept by hand, appended to the report (so that it shows before and after).
const HISTORY: &str = "xtask/bench-history.md";
const REPORT: &str = "BENCHMARKS.md";

pub(crate) fn run(args: &[String]) -> Result<()> {
    let skip_build_time = match args {
        [] => false,
        [flag] if flag == "--no-build-time" => true,
        _ => bail!("usage: cargo xtask bench [--no-build-time]"),
    };
    let root = crate::workspace_root()?;
    let target = crate::target_dir(&root)?;
    let runtime_json = target.join("bench-runtime.json");
    let status = cargo_bench(&root, "testing", "sdk_vs_baseline")
        .args(["--", "--json"])
        .arg(&runtime_json)
        .status()
        .context("starting cargo bench")?;
    if !status.success() {
        bail!("the benchmark failed ({status})");
    }
    let mut results: Value = serde_json::from_str(&std::fs::read_to_string(&runtime_json)?)?;
    let counted = instructions::rows(&root, &target)?;
    results["rows"]
        .as_array_mut()
        .context("rows")?
        .extend(counted);
    results["roster_sync"] = roster_sync(&root)?;
    let build_time = if skip_build_time {
        None
    } else {
        Some(build_times(&root, &target)?)
    };
    if let Some((sdk, baseline)) = build_time {
        let row = json!({
            "scenario": "5. clean debug build of a minimal consumer",
            "unit": "s", "sdk": sdk, "baseline": baseline, "ratio": sdk / baseline,
            "target": "≤ 1.3 (reported)", "meets_target": sdk / baseline <= 1.3
        });
        results["rows"].as_array_mut().context("rows")?.push(row);
    }
    results["machine"] = json!(machine());
    results["date"] = json!(today());
    std::fs::write(
        root.join(RESULTS),
        serde_json::to_string_pretty(&results)? + "\n",
    )?;
    let history = std::fs::read_to_string(root.join(HISTORY))
        .with_context(|| format!("reading {HISTORY}"))?;
    std::fs::write(root.join(REPORT), report(&results) + "\n" + &history)?;
    println!("wrote {RESULTS} and {REPORT}");
    Ok(())
}

/// `cargo bench` of one of the ext crate's benchmarks, run in the workspace.
fn cargo_bench(root: &Path, features: &str, bench: &str) -> Command {
    let mut command = Command::new("cargo");
    command
        .args([
            "bench",
            "--package",
            "parchment-api-ext",
            "--features",
            features,
        ])
        .args(["--bench", bench])
        .current_dir(root);
    command
}

/// The roster sync scenario's JSON document (its defaults are the scenario's sizes).
fn roster_sync(root: &Path) -> Result<Value> {
    let output = cargo_bench(root, "testing,sync", "roster_sync")
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("starting the roster sync benchmark")?;
    if !output.status.success() {
        bail!("the roster sync benchmark failed ({})", output.status);
    }
    serde_json::from_slice(&output.stdout).context("the roster sync benchmark's JSON")
}

/// Seconds for a clean debug build of the SDK consumer and of the baseline consumer.
fn build_times(root: &Path, target: &Path) -> Result<(f64, f64)> {
    let dir = target.join("bench-consumers");
    consumer(
        &dir.join("sdk"),
        &format!(
            "parchment-api-ext = {{ path = {:?} }}\ntokio = {{ version = \"1\", features = [\"macros\", \"rt\"] }}",
            root.join("parchment-api-ext")
        ),
        r#"#[tokio::main(flavor = "current_thread")]
async fn main() {
    let client = parchment_api_ext::Client::builder().access_token("t").organization_secret("s").build().expect("a client");
    let user = client.organization("org").users().get("usr_1").await;
    println!("{:?}", user.map(|u| u.user_id.clone()));
}"#,
        root,
    )?;
    consumer(
        &dir.join("baseline"),
        "reqwest = { version = \"0.13\", default-features = false, features = [\"json\", \"query\", \"stream\", \"rustls\"] }\n\
         serde = { version = \"1\", features = [\"derive\"] }\nserde_json = \"1\"\n\
         tokio = { version = \"1\", features = [\"macros\", \"rt\"] }",
        r#"#[derive(serde::Deserialize, Debug)]
struct Envelope { data: User }
#[derive(serde::Deserialize, Debug)]
struct User { user_id: String }
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let client = reqwest::Client::new();
    let response = client.get("https://api.parchmenthealth.io/external/v1/organizations/org/users/usr_1")
        .bearer_auth("t").header("x-organization-secret", "s").send().await;
    if let Ok(response) = response {
        let body = response.bytes().await.unwrap_or_default();
        println!("{:?}", serde_json::from_slice::<Envelope>(&body).map(|e| e.data.user_id));
    }
}"#,
        root,
    )?;
    Ok((
        time_clean_build(&dir.join("sdk"))?,
        time_clean_build(&dir.join("baseline"))?,
    ))
}

/// Writes a consumer crate (its own workspace, with the workspace's lock file so that both
/// sides build the same versions).
fn consumer(dir: &Path, dependencies: &str, main: &str, root: &Path) -> Result<()> {
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"consumer\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{dependencies}\n\n[workspace]\n"
        ),
    )?;
    std::fs::write(dir.join("src/main.rs"), main)?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    Ok(())
}

fn time_clean_build(dir: &Path) -> Result<f64> {
    let target = dir.join("target");
    let _ = std::fs::remove_dir_all(&target);
    // Fetch first, so that only compilation is timed.
    let fetch = Command::new("cargo")
        .arg("fetch")
        .current_dir(dir)
        .status()?;
    if !fetch.success() {
        bail!("fetching {} failed", dir.display());
    }
    let started = Instant::now();
    let status = Command::new("cargo")
        .args(["build", "--quiet"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(dir)
        .status()?;
    if !status.success() {
        bail!("building {} failed", dir.display());
    }
    Ok(started.elapsed().as_secs_f64())
}

fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!("{cores} cores, {model}; {rustc}")
}

fn today() -> String {
    Command::new("date")
        .arg("+%Y-%m-%d")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn report(results: &Value) -> String {
    let mut out = String::from(
        "# Benchmarks: the SDK against a hand-written client\n\n\
         Written by `cargo xtask bench`; do not edit by hand. Each runtime scenario runs the SDK\n\
         (`parchment-api-ext`, default retry policy on) and a minimal hand-written reqwest +\n\
         serde_json client with the same policies a careful service sets (no redirects, the\n\
         SDK's default 10 s connect and 30 s total time limits, no proxy for loopback),\n\
         interleaved, against one loopback server answering canned bytes; medians are\n\
         reported. Until 2026-12-02 the baseline set no time limit, which spared it a timer\n\
         per request; until 2026-12-03 it skipped the envelope's message, timestamp, request\n\
         id and code, which the SDK's `Response` returns (decoding them costs the baseline\n\
         2.6k instructions per read). The ratio is SDK/baseline (for throughput, higher is\n\
         better). Raw numbers: `xtask/bench-results.json`.\n\n",
    );
    out.push_str(&format!(
        "Machine: {}. Date: {}.\n\n",
        results["machine"].as_str().unwrap_or("?"),
        results["date"].as_str().unwrap_or("?")
    ));
    out.push_str("| scenario | SDK | baseline | unit | ratio | target | met |\n|---|---:|---:|---|---:|---|---|\n");
    for row in results["rows"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "| {} | {:.1} | {:.1} | {} | {:.3} | {} | {} |\n",
            row["scenario"].as_str().unwrap_or("?"),
            row["sdk"].as_f64().unwrap_or(0.0),
            row["baseline"].as_f64().unwrap_or(0.0),
            row["unit"].as_str().unwrap_or(""),
            row["ratio"].as_f64().unwrap_or(0.0),
            row["target"].as_str().unwrap_or(""),
            if row["meets_target"].as_bool().unwrap_or(false) {
                "yes"
            } else {
                "no"
            },
        ));
    }
    let rss = &results["stream_peak_rss_growth_bytes"];
    let mib = |key: &str| rss[key].as_f64().unwrap_or(0.0) / (1024.0 * 1024.0);
    out.push_str(&format!(
        "\nPeak RSS growth while streaming (target: flat, under 16 MiB): SDK {:.2} MiB for 10,000 users, \
         {:.2} MiB for 100,000; baseline {:.2} / {:.2} MiB.\n\nErrors in the concurrent scenario: {}.\n",
        mib("sdk_10k"), mib("sdk_100k"), mib("baseline_10k"), mib("baseline_100k"),
        results["concurrent_errors"]
    ));
    out.push_str(&roster_sync_report(&results["roster_sync"]));
    out
}

/// The roster sync section: requests against the fewest the job needs, time against what the
/// rate limit allows.
fn roster_sync_report(sync: &Value) -> String {
    let number = |value: &Value| value.as_f64().unwrap_or(0.0);
    let requests = &sync["requests"];
    let seconds = &sync["seconds"];
    let outcomes = &sync["outcomes"];
    let actions = sync["actions_planned"]
        .as_object()
        .map(|kinds| {
            kinds
                .iter()
                .map(|(kind, count)| format!("{count} {kind}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    format!(
        "\n## Roster sync: plan and apply across many organizations\n\n\
         `benches/roster_sync.rs` against FakeParchment: {orgs} organizations × {users} users, \
         {drift:.0}% drift ({changes} changes to the roster), {concurrency} organizations at a time, \
         client rate limit {rate} requests/s.\n\n\
         - Plan: {actions}. Outcomes: {done} done, {skipped} skipped, {failed} failed; \
         a second plan afterwards has drift: {drifted}.\n\
         - Requests: {made} made against a minimum of {minimum} (one list page per 100 users, one \
         write per action, two for an enable that also sets roles): ratio {request_ratio:.3} (target 1.0). {pages} list pages, {reads} user \
         reads, {writes} writes, {tokens} token requests.\n\
         - Wall time: {total:.2} s (plan {plan:.2} s, apply {apply:.2} s) against a rate-limit floor of \
         {floor:.2} s for those requests: ratio {time_ratio:.3}.\n",
        orgs = sync["organizations"],
        users = sync["users_per_organization"],
        drift = number(&sync["drift"]) * 100.0,
        changes = sync["changes_made_to_roster"],
        concurrency = sync["concurrency"],
        rate = sync["rate_limit_per_second"],
        done = outcomes["done"],
        skipped = outcomes["skipped"],
        failed = outcomes["failed"],
        drifted = if sync["converged"].as_bool().unwrap_or(false) {
            "no"
        } else {
            "yes"
        },
        made = requests["made"],
        minimum = requests["minimum"],
        request_ratio = number(&requests["ratio"]),
        pages = requests["list_pages"],
        reads = requests["user_reads"],
        writes = requests["writes"],
        tokens = requests["token_requests"],
        total = number(&seconds["total"]),
        plan = number(&seconds["plan"]),
        apply = number(&seconds["apply"]),
        floor = number(&seconds["rate_limit_floor"]),
        time_ratio = number(&seconds["ratio_to_floor"]),
    )
}
