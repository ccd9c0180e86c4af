//! What the server task and the [`FakeParchment`](super::FakeParchment) handle share: the
//! configuration, the state behind one lock, queued faults, the request log, webhooks.

use super::config::{FakeConfig, Fault, LoggedRequest};
use super::state::State;
use super::webhooks::Webhooks;
use std::collections::VecDeque;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// What the server task and the handle share.
pub(crate) struct Shared {
    pub(crate) config: FakeConfig,
    /// `http://127.0.0.1:<port>`: SSO links and patient URLs point at the fake itself.
    pub(crate) base_url: String,
    pub(crate) webhooks: Arc<Webhooks>,
    pub(crate) runtime: tokio::runtime::Handle,
    pub(crate) state: Mutex<State>,
    pub(crate) faults: Mutex<VecDeque<Fault>>,
    pub(crate) log: Mutex<Vec<LoggedRequest>>,
    /// Connection tasks the accept loop holds: running ones, since it reaps each as it ends.
    pub(crate) open_connections: AtomicUsize,
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    pub(crate) fn next_fault(&self) -> Option<Fault> {
        lock(&self.faults).pop_front()
    }

    pub(crate) fn log(&self, request: LoggedRequest) {
        lock(&self.log).push(request);
    }
}
