//! Progress of long work (listing thousands of users): an indicatif bar on stderr, drawn only
//! when stdout and stderr are terminals and `--json` is off; otherwise nothing at all.

use crate::output::Output;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar counting `unit`s, hidden when progress is not allowed.
pub(crate) struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub(crate) fn new(output: &Output, unit: &'static str) -> Self {
        let bar = if output.progress_allowed() {
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        // The template is a constant: a bad one is a programming error, shown as a plain bar.
        if let Ok(style) = ProgressStyle::with_template(&format!(
            "{{spinner}} {{pos}}/{{len}} {unit} [{{elapsed_precise}}] {{wide_bar}}"
        )) {
            bar.set_style(style);
        }
        Self { bar }
    }

    /// The total, once the server says it.
    pub(crate) fn total(&self, total: Option<u64>) {
        if let Some(total) = total {
            self.bar.set_length(total.max(self.bar.position()));
        }
    }

    pub(crate) fn advance(&self, by: usize) {
        self.bar.inc(u64::try_from(by).unwrap_or(u64::MAX));
        if self
            .bar
            .length()
            .is_some_and(|length| length < self.bar.position())
        {
            self.bar.set_length(self.bar.position());
        }
    }

    /// Removes the bar before the results are printed.
    pub(crate) fn finish(self) {
        self.bar.finish_and_clear();
    }
}
