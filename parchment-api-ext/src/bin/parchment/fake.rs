//! `parchment fake`: FakeParchment as a process (feature `testing`), like
//! `cargo xtask fake-server`: prints its base URL and the test credentials it accepts, then
//! serves until Ctrl-C or SIGTERM.
//!
//! The credentials printed are the fake's own test values, made up for it; printing them is the
//! point of the command. The last line of the human output starts with `These are the fake's
//! test credentials`: scripts wait for it before connecting.

use crate::command::{Context, Outcome, Run};
use crate::failure::CliError;
use crate::output;
use parchment_api_ext::testing::{FakeConfig, FakeParchment};
use serde_json::json;

/// `parchment fake [--port PORT] [--seed USERS]`
#[derive(Debug, clap::Args)]
pub(crate) struct FakeArgs {
    /// The port to listen on, on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// How many generated users the organization starts with, besides its administrator.
    #[arg(long, default_value_t = 12)]
    seed: usize,
}

impl Run for FakeArgs {
    async fn run(self, context: &Context) -> Result<Outcome, CliError> {
        let config = FakeConfig::default().port(self.port).seed_users(self.seed);
        let fake = FakeParchment::try_start(config).await.map_err(|error| {
            CliError::Usage(format!(
                "the fake could not listen on port {}: {error}",
                self.port
            ))
        })?;
        let credentials = fake.credentials();
        let sample = fake
            .user_ids(&credentials.organization_id, 2)
            .get(1)
            .cloned();
        if context.output().json() {
            context.output().json_line(&json!({
                "base_url": fake.base_url(),
                "organization_id": credentials.organization_id,
                "organization_secret": credentials.organization_secret,
                "access_token": credentials.static_token,
                "partner_id": credentials.partner_id,
                "partner_secret": credentials.partner_secret,
                "user_id": credentials.acting_user,
                "sample_user": sample,
            }));
        } else {
            let mut text = format!("FakeParchment listening on {}\n", fake.base_url());
            for (name, value) in [
                ("PARCHMENT_BASE_URL", fake.base_url()),
                ("PARCHMENT_ORGANIZATION_ID", &credentials.organization_id),
                (
                    "PARCHMENT_ORGANIZATION_SECRET",
                    &credentials.organization_secret,
                ),
                ("PARCHMENT_ACCESS_TOKEN", &credentials.static_token),
                ("PARCHMENT_PARTNER_ID", &credentials.partner_id),
                ("PARCHMENT_PARTNER_SECRET", &credentials.partner_secret),
                ("PARCHMENT_USER_ID", &credentials.acting_user),
            ] {
                text.push_str(&format!("  {name}={value}\n"));
            }
            if let Some(sample) = &sample {
                text.push_str(&format!(
                    "  sample user (not the administrator): {sample}\n"
                ));
            }
            text.push_str(
                "These are the fake's test credentials, not real ones. Stop with Ctrl-C.\n",
            );
            output::write_stdout(&text);
        }
        stopped().await;
        fake.shutdown().await;
        Ok(Outcome::Done)
    }
}

/// Returns on Ctrl-C, or on SIGTERM where there are signals.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
