//! `parchment`: the Parchment partner API from a shell, for operations staff and scripts.
//!
//! ```text
//! cargo parchment users list                      # every user of the organization, as a table
//! cargo parchment --json users get usr_abc123     # one JSON document
//! cargo parchment --org clinic-b users roles usr_abc123 --set admin,provider --dry-run
//! cargo parchment orgs validate --all
//! cargo parchment sync plan roster.csv            # what a roster sync would change
//! cargo parchment sync apply roster.csv --yes     # make it so; `sync check` exits 3 on drift
//! cargo parchment patients create --given-name Jane --family-name Citizen --as usr_doc
//! cargo parchment prescriptions list pat_123 --json
//! cargo parchment fake --port 8080                # FakeParchment, until Ctrl-C
//! ```
//!
//! # Credentials
//! Never from command-line arguments (they would land in shell history and `ps`), never
//! printed. Either a config file (`--config PATH` or `PARCHMENT_CONFIG`; the format is
//! documented in `config.rs` and shown in `examples/parchment.toml`) naming several
//! organizations, each with its secret or the environment variable holding it, selected with
//! `--org NAME|ID`; or, without a config file, the `PARCHMENT_*` variables the SDK's
//! `Client::from_env` reads, for their one organization. Every organization of a config file
//! is addressed with its own secret (`Client::organization_with`): a secret belongs to one
//! organization, so an organization without one configured is a configuration error naming it.
//!
//! # Output
//! A human table by default; with `--json` one JSON document on stdout (JSON lines, one object
//! a line, for lists). Errors go to stderr: operation, kind, HTTP status, code and request id,
//! never a response body or a secret (as JSON on stderr with `--json`). Writes take
//! `--dry-run`: they print what would be sent and send no write (they may read, to show what
//! would change). A progress bar is drawn on stderr for long listings when both stdout and
//! stderr are terminals, never with `--json`.
//!
//! # Exit codes
//! 0 success; 1 a call failed (an HTTP error, a time-out, a broken connection); 2 a usage or
//! configuration error, or input refused before anything was sent; 3 drift found (`sync
//! check` found differences).
//!
//! # Adding a command
//! Each subcommand is one module whose arguments type implements [`command::Run`]; it is listed
//! once, in the `subcommands!` invocation below (as `sync.rs`, `patients.rs` and
//! `prescriptions.rs` are).

mod command;
mod config;
mod failure;
#[cfg(feature = "testing")]
mod fake;
mod orgs;
mod output;
mod patients;
mod prescriptions;
mod progress;
mod sync;
mod users;

use clap::Parser;
use command::{Context, GlobalArgs, Outcome, Run};
use failure::CliError;
use std::process::ExitCode;

/// How `--help` ends: the exit codes and where credentials come from.
const AFTER_HELP: &str = "\
Credentials come from a config file (--config or PARCHMENT_CONFIG; see examples/parchment.toml)
or from the PARCHMENT_* environment variables; never from arguments, and they are never printed.

Exit codes:
  0  success
  1  a call failed (HTTP error, time-out, broken connection); the request id is printed
  2  usage or configuration error, or input refused before anything was sent
  3  drift found (a check found differences)";

/// Lists each subcommand once: the variant, its arguments type, and its help. Generates the
/// `Command` enum and its dispatch, so that a new subcommand is one module and one line here.
macro_rules! subcommands {
    ($(
        $(#[cfg($cfg:meta)])?
        $(#[doc = $doc:literal])*
        $(#[command($($command:tt)*)])?
        $variant:ident($args:ty),
    )+) => {
        /// The subcommands.
        #[derive(Debug, clap::Subcommand)]
        // Parsed once per process: the size of the largest variant costs nothing worth a box.
        #[allow(clippy::large_enum_variant)]
        enum Command {
            $(
                $(#[cfg($cfg)])?
                $(#[doc = $doc])*
                $(#[command($($command)*)])?
                $variant($args),
            )+
        }

        impl Command {
            async fn run(self, context: &Context) -> Result<Outcome, CliError> {
                match self {
                    $(
                        $(#[cfg($cfg)])?
                        Command::$variant(command) => command.run(context).await,
                    )+
                }
            }
        }
    };
}

subcommands! {
    /// Users of an organization: list, read, update, roles, create, enable, disable.
    #[command(subcommand)]
    Users(users::UsersCommand),
    /// Organizations: validate the credentials (and mark them integrated).
    #[command(subcommand)]
    Orgs(orgs::OrgsCommand),
    /// Roster sync: plan, apply or check a roster (CSV or JSON) across organizations.
    #[command(subcommand)]
    Sync(sync::SyncCommand),
    /// Patients, on behalf of a user (--as): create, update.
    #[command(subcommand)]
    Patients(patients::PatientsCommand),
    /// A patient's prescriptions, on behalf of a user (--as): list, get.
    #[command(subcommand)]
    Prescriptions(prescriptions::PrescriptionsCommand),
    #[cfg(feature = "testing")]
    /// Serve FakeParchment on loopback and print its base URL and test credentials, until
    /// Ctrl-C (built with the `testing` feature only).
    Fake(fake::FakeArgs),
}

/// The Parchment partner API from the command line.
#[derive(Debug, Parser)]
#[command(name = "parchment", version, after_help = AFTER_HELP)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version to stdout with exit 0, usage errors with exit 2.
            let _ = error.print();
            return ExitCode::from(failure::exit_code_of_clap(&error));
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: could not start the runtime: {error}");
            return ExitCode::from(failure::EXIT_FAILED);
        }
    };
    let context = Context::new(cli.global);
    match runtime.block_on(cli.command.run(&context)) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(error) => {
            error.report(context.output());
            ExitCode::from(error.exit_code())
        }
    }
}
