//! The runtime a blocking client owns, and the refusal to block inside another one.

use crate::error::{Error, Result};
use std::fmt;
use std::future::Future;

/// A current-thread tokio runtime, built once per client.
pub(crate) struct Runtime {
    /// `None` only while dropping.
    runtime: Option<tokio::runtime::Runtime>,
}

impl Runtime {
    /// A new runtime, refused inside a running one (see [`refuse_inside_a_runtime`]).
    pub(crate) fn new() -> Result<Self> {
        refuse_inside_a_runtime()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("parchment-blocking")
            .build()
            .map_err(|error| {
                Error::configuration(format!(
                    "the blocking client's runtime could not be built: {error}"
                ))
            })?;
        Ok(Self {
            runtime: Some(runtime),
        })
    }

    /// Runs `future` to completion on this runtime, or refuses inside another runtime.
    pub(crate) fn block_on<T>(&self, future: impl Future<Output = Result<T>>) -> Result<T> {
        refuse_inside_a_runtime()?;
        match &self.runtime {
            Some(runtime) => runtime.block_on(future),
            None => Err(Error::configuration(
                "the blocking client's runtime is shut down",
            )),
        }
    }

    /// Runs `f` with this runtime as the current one (for building what may spawn on it).
    pub(crate) fn enter<T>(&self, f: impl FnOnce() -> T) -> T {
        match &self.runtime {
            Some(runtime) => {
                let _guard = runtime.enter();
                f()
            }
            None => f(),
        }
    }
}

/// Blocking on a thread that drives an async runtime would stall every task of it (and tokio
/// panics when a runtime is started inside another), so the blocking client refuses there.
fn refuse_inside_a_runtime() -> Result<()> {
    match tokio::runtime::Handle::try_current() {
        Err(_) => Ok(()),
        Ok(_) => Err(Error::configuration(
            "the blocking client was used inside an async runtime, where blocking would stall \
             it: use parchment_api_ext::Client (async) there, or call the blocking client from \
             a thread of its own (tokio::task::spawn_blocking)",
        )),
    }
}

impl Drop for Runtime {
    /// Dropped inside an async runtime (a blocking client moved into async code), a runtime
    /// cannot wait for its tasks without panicking: it is then shut down in the background.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                runtime.shutdown_background();
            } else {
                drop(runtime);
            }
        }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Runtime(current_thread)")
    }
}
