//! A log capture for the tests that check what the SDK logs (never a credential, never a
//! body): every span, field and event, as text.

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// A [`tracing::Subscriber`] that keeps, as text, every span, field and event at every level
/// (errors with their sources), but the mock server's own events. Install it on the test's
/// thread with `tracing::subscriber::set_default(capture.clone())`.
#[derive(Clone, Default)]
pub(crate) struct Capture {
    text: Arc<Mutex<String>>,
    next_span: Arc<AtomicU64>,
}

impl Capture {
    /// Everything captured so far.
    pub(crate) fn text(&self) -> String {
        self.text
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn write(&self, line: String) {
        let mut text = self.text.lock().unwrap_or_else(PoisonError::into_inner);
        text.push_str(&line);
        text.push('\n');
    }
}

/// Writes every field as ` name=value`, strings raw, errors with their sources.
struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }

    fn record_error(
        &mut self,
        field: &tracing::field::Field,
        value: &(dyn std::error::Error + 'static),
    ) {
        let _ = write!(self.0, " {}={value} {value:?}", field.name());
        let mut source = value.source();
        while let Some(cause) = source {
            let _ = write!(self.0, " caused by {cause} {cause:?}");
            source = cause.source();
        }
    }
}

impl tracing::Subscriber for Capture {
    fn register_callsite(
        &self,
        _metadata: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::always()
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn enabled(&self, _metadata: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let id = self.next_span.fetch_add(1, Ordering::Relaxed) + 1;
        let mut fields = Fields(format!(
            "span {id} {} {}:",
            span.metadata().target(),
            span.metadata().name()
        ));
        span.record(&mut fields);
        self.write(fields.0);
        tracing::span::Id::from_u64(id)
    }

    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut fields = Fields(format!("record {}:", span.into_u64()));
        values.record(&mut fields);
        self.write(fields.0);
    }

    fn record_follows_from(&self, _span: &tracing::span::Id, _follows: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let metadata = event.metadata();
        // The mock server's own bookkeeping (it knows the requests it received): not the client.
        if metadata.target().starts_with("httpmock") {
            return;
        }
        let mut fields = Fields(format!("{} {}:", metadata.level(), metadata.target()));
        event.record(&mut fields);
        self.write(fields.0);
    }

    fn enter(&self, _span: &tracing::span::Id) {}

    fn exit(&self, _span: &tracing::span::Id) {}
}
