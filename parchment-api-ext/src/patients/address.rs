//! [`PatientAddress`]: a patient's Australian address, as a create or an update writes it.

use parchment_api::AustralianState;
use parchment_api::types;

/// A patient's Australian address. When one is sent, all five parts are required; the street
/// number is at most 5 characters, the street name and the suburb at most 100. Create sends it
/// as `australian_street_address`, update as `australian_address` (each as its page documents).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PatientAddress {
    /// Street number (`12`, `4A`).
    pub street_number: String,
    /// Street name (`Collins Street`).
    pub street_name: String,
    /// Suburb.
    pub suburb: String,
    /// State or territory.
    pub state: AustralianState,
    /// Postcode.
    pub postcode: String,
}

impl PatientAddress {
    /// An address of its five parts.
    pub fn new(
        street_number: impl Into<String>,
        street_name: impl Into<String>,
        suburb: impl Into<String>,
        state: AustralianState,
        postcode: impl Into<String>,
    ) -> Self {
        Self {
            street_number: street_number.into(),
            street_name: street_name.into(),
            suburb: suburb.into(),
            state,
            postcode: postcode.into(),
        }
    }

    /// The wire form of an already-checked address. The generated types check the same
    /// lengths; a disagreement is reported as a field error, never a panic.
    pub(crate) fn into_wire(
        self,
        prefix: &str,
    ) -> Result<types::PatientAddress, Vec<crate::error::FieldError>> {
        let invalid = |name: &str| {
            vec![crate::error::FieldError::new(
                format!("{prefix}.{name}"),
                "invalid",
                "is not accepted by the API's constraints",
            )]
        };
        Ok(types::PatientAddress {
            street_number: self
                .street_number
                .try_into()
                .map_err(|_| invalid("street_number"))?,
            street_name: self
                .street_name
                .try_into()
                .map_err(|_| invalid("street_name"))?,
            suburb: self.suburb.try_into().map_err(|_| invalid("suburb"))?,
            state: self.state,
            postcode: self.postcode.try_into().map_err(|_| invalid("postcode"))?,
        })
    }
}

/// An address locates a person: Debug shows only the state.
impl std::fmt::Debug for PatientAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatientAddress")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}
