//! What every subcommand shares: the global flags, the [`Context`] it runs in, the [`Run`]
//! trait it implements, and the [`Outcome`] that becomes the exit code.

use crate::config::{self, Setup, Target};
use crate::failure::CliError;
use crate::output::Output;
use std::cell::OnceCell;
use std::path::PathBuf;

/// Flags accepted before or after any subcommand.
#[derive(Debug, clap::Args)]
pub(crate) struct GlobalArgs {
    /// The config file naming the organizations and where their secrets are (TOML; see
    /// examples/parchment.toml). Without one, the PARCHMENT_* variables are used.
    #[arg(long, global = true, env = "PARCHMENT_CONFIG", value_name = "PATH")]
    pub(crate) config: Option<PathBuf>,
    /// The organization to act on: a name from the config file, or an organization id.
    #[arg(long, global = true, value_name = "NAME|ID")]
    pub(crate) org: Option<String>,
    /// Print JSON for scripts: one document, or one object a line for lists.
    #[arg(long, global = true)]
    pub(crate) json: bool,
}

/// `--dry-run`, flattened into every write.
#[derive(Debug, Clone, Copy, clap::Args)]
pub(crate) struct DryRun {
    /// Print what would be sent and send no write (reads may still be made, to show what
    /// would change).
    #[arg(long)]
    pub(crate) dry_run: bool,
}

/// How a subcommand ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Everything asked was done (exit 0).
    Done,
    /// A check found differences (exit 3); for `sync check` and the like.
    #[allow(dead_code)] // the first user is the roster sync's `check`
    Drift,
}

impl Outcome {
    pub(crate) fn exit_code(self) -> u8 {
        match self {
            Outcome::Done => 0,
            Outcome::Drift => crate::failure::EXIT_DRIFT,
        }
    }
}

/// A subcommand: its parsed arguments run themselves in a [`Context`].
pub(crate) trait Run {
    async fn run(self, context: &Context) -> Result<Outcome, CliError>;
}

/// The global flags, the output settings, and the credentials (loaded on first use, so that
/// `fake` and `--help` need none).
pub(crate) struct Context {
    global: GlobalArgs,
    output: Output,
    setup: OnceCell<Setup>,
}

impl Context {
    pub(crate) fn new(global: GlobalArgs) -> Self {
        let output = Output::new(global.json);
        Self {
            global,
            output,
            setup: OnceCell::new(),
        }
    }

    pub(crate) fn output(&self) -> &Output {
        &self.output
    }

    fn setup(&self) -> Result<&Setup, CliError> {
        if let Some(setup) = self.setup.get() {
            return Ok(setup);
        }
        let setup = config::load(self.global.config.as_deref(), |name| {
            std::env::var(name).ok()
        })?;
        Ok(self.setup.get_or_init(|| setup))
    }

    /// The organization `--org` names, or the default one.
    pub(crate) fn organization(&self) -> Result<Target, CliError> {
        self.setup()?.select(self.global.org.as_deref())
    }

    /// The organization `--org` names; without `--org`, every configured organization (for
    /// commands that span clinics).
    pub(crate) fn organizations(&self) -> Result<Vec<Target>, CliError> {
        match &self.global.org {
            Some(org) => Ok(vec![self.setup()?.select(Some(org))?]),
            None => self.setup()?.all(),
        }
    }
}
