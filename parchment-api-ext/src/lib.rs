//! parchment-api-ext (work in progress).
#![forbid(unsafe_code)]

#[cfg(feature = "testing")]
pub mod testing;
