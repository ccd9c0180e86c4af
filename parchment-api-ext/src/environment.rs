//! Where the API lives: Parchment's environments, or any base URL.

use crate::error::Error;
use std::fmt;
use std::str::FromStr;

/// A Parchment environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Environment {
    /// `https://api.parchmenthealth.io/external`.
    Production,
    /// `https://api.sandbox.parchmenthealth.io/external`: for integration work.
    Sandbox,
    /// `https://api.dev.parchmenthealth.io/external`: used by the reference's samples; not
    /// listed as a partner environment.
    Dev,
}

impl Environment {
    /// The environment's base URL (without a trailing `/`).
    pub fn base_url(self) -> &'static str {
        match self {
            Self::Production => "https://api.parchmenthealth.io/external",
            Self::Sandbox => "https://api.sandbox.parchmenthealth.io/external",
            Self::Dev => "https://api.dev.parchmenthealth.io/external",
        }
    }

    /// The name `FromStr` reads: `production`, `sandbox` or `dev`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Production => "production",
            Self::Sandbox => "sandbox",
            Self::Dev => "dev",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Environment {
    type Err = Error;

    /// Reads `production` (or `prod`), `sandbox` or `dev`, in any case.
    fn from_str(name: &str) -> Result<Self, Error> {
        match name.trim().to_ascii_lowercase().as_str() {
            "production" | "prod" => Ok(Self::Production),
            "sandbox" => Ok(Self::Sandbox),
            "dev" => Ok(Self::Dev),
            _ => Err(Error::configuration(
                "unknown environment: expected production, sandbox or dev",
            )),
        }
    }
}
