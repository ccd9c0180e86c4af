//! `parchment-fake`: FakeParchment as a process, for teams testing from other languages.
//!
//! ```text
//! cargo xtask fake-server --port 8080 [--seed 500]
//! ```
//! Prints the base URL and the test credentials it accepts, then serves until stopped.

use parchment_api_ext::testing::{FakeConfig, FakeParchment};
use std::process::ExitCode;

/// The most generated users `--seed` takes: enough for any load test, and small enough that
/// the fake starts in seconds instead of counting towards an overflow.
const MAX_SEED: usize = 1_000_000;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut config = FakeConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().and_then(|value| value.parse::<usize>().ok());
        match (flag.as_str(), value) {
            ("--port", Some(port)) => match u16::try_from(port) {
                Ok(port) => config = config.port(port),
                Err(_) => return usage(),
            },
            ("--seed", Some(count)) if count <= MAX_SEED => config = config.seed_users(count),
            _ => return usage(),
        }
    }
    let fake = match FakeParchment::try_start(config).await {
        Ok(fake) => fake,
        Err(error) => {
            eprintln!("parchment-fake: could not listen: {error}");
            return ExitCode::FAILURE;
        }
    };
    let credentials = fake.credentials();
    println!("FakeParchment listening on {}", fake.base_url());
    println!("  PARCHMENT_BASE_URL={}", fake.base_url());
    println!(
        "  PARCHMENT_ORGANIZATION_ID={}",
        credentials.organization_id
    );
    println!(
        "  PARCHMENT_ORGANIZATION_SECRET={}",
        credentials.organization_secret
    );
    println!(
        "  PARCHMENT_ACCESS_TOKEN={}   (static; or use the partner credentials below)",
        credentials.static_token
    );
    println!("  PARCHMENT_PARTNER_ID={}", credentials.partner_id);
    println!("  PARCHMENT_PARTNER_SECRET={}", credentials.partner_secret);
    println!("  PARCHMENT_USER_ID={}", credentials.acting_user);
    if let Some(sample) = fake.user_ids(&credentials.organization_id, 2).get(1) {
        println!("  sample user (not the administrator): {sample}");
    }
    println!("These are the fake's test credentials, not real ones. Stop with Ctrl-C.");
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    eprintln!("usage: parchment-fake [--port PORT] [--seed USERS (at most {MAX_SEED})]");
    ExitCode::from(2)
}
