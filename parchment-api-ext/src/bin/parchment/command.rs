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
    /// A check found differences (exit 3): `sync check`.
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

    /// [`organization`](Self::organization), its tokens asking for `scopes`.
    pub(crate) fn organization_scoped(
        &self,
        scopes: &'static [parchment_api_ext::Scope],
    ) -> Result<Target, CliError> {
        self.setup()?
            .select_scoped(self.global.org.as_deref(), Some(scopes))
    }

    /// The configured organization with this id, with its own credentials (for rosters,
    /// which name organizations by id); a configuration error naming it when none is.
    pub(crate) fn organization_by_id(&self, id: &str) -> Result<Target, CliError> {
        self.setup()?.by_id(id)
    }

    /// The client organizations are addressed through.
    pub(crate) fn client(&self) -> Result<parchment_api_ext::Client, CliError> {
        Ok(self.setup()?.client().clone())
    }

    /// The `--org` flag as given.
    pub(crate) fn org_flag(&self) -> Option<&str> {
        self.global.org.as_deref()
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

/// `--as USER_ID`, flattened into the commands made on behalf of a user (patients,
/// prescriptions).
#[derive(Debug, clap::Args)]
pub(crate) struct ActingArgs {
    /// The user to act as (usually the prescriber); default: the configured acting user
    /// (`acting_user` in the config file, or PARCHMENT_USER_ID).
    #[arg(long = "as", value_name = "USER_ID")]
    pub(crate) user_id: Option<String>,
}

impl ActingArgs {
    /// The selected organization's calls on behalf of the user `--as` names, or its
    /// configured acting user, with tokens asking for `scopes` (what the command needs).
    pub(crate) fn acting(
        &self,
        context: &Context,
        scopes: &'static [parchment_api_ext::Scope],
    ) -> Result<parchment_api_ext::ActingUser, CliError> {
        let target = context.organization_scoped(scopes)?;
        let user_id = self
            .user_id
            .clone()
            .or_else(|| target.acting_user.clone())
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "no user to act as for {}: pass --as USER_ID, or set acting_user in the \
                     config file (or PARCHMENT_USER_ID)",
                    target.label()
                ))
            })?;
        Ok(target.organization.acting_as(user_id))
    }
}
