//! [`RosterError`]: what is wrong with a roster, and where (file line, record, field).

use serde::Serialize;
use std::fmt;

/// One problem with a roster: where it is (as precisely as the source allows) and what.
///
/// Never holds a field's value: the message says what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RosterError {
    /// The file, for rosters read with [`Roster::from_path`](super::Roster::from_path).
    pub file: Option<String>,
    /// The file's line (1-based), for rosters read from CSV or JSON.
    pub line: Option<u64>,
    /// The record within its organization (CSV: the data row, 1-based; JSON: the index in
    /// `users`, 1-based).
    pub record: Option<usize>,
    /// The organization the record belongs to, when known.
    pub organization_id: Option<String>,
    /// The field (CSV column or JSON member), when the problem is one field's.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl RosterError {
    pub(crate) fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: None,
            line: None,
            record: None,
            organization_id: None,
            field: Some(field.into()),
            message: message.into(),
        }
    }

    pub(crate) fn whole(message: impl Into<String>) -> Self {
        Self {
            field: None,
            ..Self::new("", message)
        }
    }

    pub(crate) fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    pub(crate) fn at_record(mut self, record: usize) -> Self {
        self.record.get_or_insert(record);
        self
    }

    pub(crate) fn in_organization(mut self, organization_id: &str) -> Self {
        self.organization_id
            .get_or_insert_with(|| organization_id.to_owned());
        self
    }
}

impl fmt::Display for RosterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = Vec::new();
        if let Some(file) = &self.file {
            place.push(file.clone());
        }
        if let Some(line) = self.line {
            place.push(format!("line {line}"));
        }
        if let Some(organization_id) = &self.organization_id {
            place.push(format!("organization {organization_id}"));
        }
        if let Some(record) = self.record {
            place.push(format!("record {record}"));
        }
        if let Some(field) = &self.field {
            place.push(format!("field `{field}`"));
        }
        if place.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", place.join(", "), self.message)
        }
    }
}

/// Every problem found in a roster (never empty), in source order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RosterErrors(pub Vec<RosterError>);

impl RosterErrors {
    pub(crate) fn result(errors: Vec<RosterError>) -> Result<(), Self> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Self(errors))
        }
    }

    /// The problems.
    pub fn errors(&self) -> &[RosterError] {
        &self.0
    }

    /// How many problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always `false`: a `RosterErrors` holds at least one problem.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<RosterError> for RosterErrors {
    fn from(error: RosterError) -> Self {
        Self(vec![error])
    }
}

impl fmt::Display for RosterErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        write!(
            f,
            "the roster has {count} problem{}",
            if count == 1 { "" } else { "s" }
        )?;
        for error in &self.0 {
            write!(f, "\n  {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RosterErrors {}
