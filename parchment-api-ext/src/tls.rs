//! The TLS backend, chosen by cargo feature, and the HTTP client builder set up for it.
//!
//! - `rustls` (the default): rustls with the aws-lc-rs crypto provider, reqwest's own default;
//!   nothing to set up.
//! - `rustls-ring`: rustls with the ring crypto provider. reqwest ships no provider for it and
//!   would panic when a client is built without one installed, so the builder comes with a
//!   rustls configuration on ring and the platform's certificate verifier. A provider the
//!   service installed process-wide (`CryptoProvider::install_default`) is used instead; this
//!   crate never installs one itself, so a service's own `install_default().unwrap()` cannot
//!   fail because of it.
//! - `native-tls`: the platform's TLS (OpenSSL on Linux, Secure Transport on macOS, SChannel on
//!   Windows).
//!
//! With more than one enabled (`--all-features`), the most specific wins: `native-tls`, then
//! `rustls-ring`, then `rustls`.

#[cfg(not(any(feature = "rustls", feature = "rustls-ring", feature = "native-tls")))]
compile_error!(
    "parchment-api-ext needs a TLS backend: enable one of its features `rustls` (the default), \
     `rustls-ring` or `native-tls`"
);

use crate::Result;

/// A `reqwest::ClientBuilder` set up for the TLS backend this crate was built with.
///
/// [`ClientBuilder::build`](crate::ClientBuilder::build) starts from it (adjusted by
/// [`ClientBuilder::configure_http_client`](crate::ClientBuilder::configure_http_client)); start
/// from it too for HTTP clients of your own: with the `rustls-ring` feature, a
/// `reqwest::Client::builder()` of your own panics on `build()` unless a rustls crypto provider
/// is installed, and this one does not.
///
/// # Errors
///
/// [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) when the platform's certificate
/// verifier cannot be set up (`rustls-ring` only).
pub fn http_client_builder() -> Result<reqwest::ClientBuilder> {
    let builder = reqwest::Client::builder();
    #[cfg(feature = "native-tls")]
    let builder = builder.tls_backend_native();
    #[cfg(all(feature = "rustls-ring", not(feature = "native-tls")))]
    let builder = ring::with_ring(builder)?;
    Ok(builder)
}

#[cfg(all(feature = "rustls-ring", not(feature = "native-tls")))]
mod ring {
    use crate::{Error, Result};
    use rustls::crypto::CryptoProvider;
    use rustls_platform_verifier::BuilderVerifierExt;
    use std::sync::Arc;

    /// rustls on ring, unless the service installed a provider of its own.
    pub(super) fn with_ring(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder> {
        if CryptoProvider::get_default().is_some() {
            // reqwest uses the installed provider.
            return Ok(builder.tls_backend_rustls());
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(BuilderVerifierExt::with_platform_verifier)
            .map_err(|e| {
                Error::configuration("TLS (rustls on ring) could not be set up").with_source(e)
            })?
            .with_no_client_auth();
        // reqwest recognises a `rustls::ClientConfig` of the rustls it links; another rustls
        // would make `build()` fail with an error, not panic.
        Ok(builder.tls_backend_preconfigured(config))
    }
}
