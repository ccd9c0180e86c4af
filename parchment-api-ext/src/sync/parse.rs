//! Reading a [`Roster`] from CSV or JSON; every problem says its line (or record) and field.

use super::error::{RosterError, RosterErrors};
use super::roster::{Person, ProviderProfile, Roster};
use chrono::NaiveDate;
use parchment_api::{PrescriberType, Role, Sex};
use std::path::Path;

/// The CSV columns, in the order the sample file uses. Only `organization_id`, `email` and
/// `roles` are required; the others may be left out or left empty.
pub const CSV_COLUMNS: &[&str] = &[
    "organization_id",
    "partner_user_id",
    "email",
    "given_name",
    "family_name",
    "full_name",
    "title",
    "roles",
    "enabled",
    "date_of_birth",
    "sex",
    "phone",
    "hpii_number",
    "prescriber_type",
    "prescriber_number",
    "qualifications",
    "provider_number",
    "ahpra_number",
    "hospital_provider_number",
];

const REQUIRED_COLUMNS: &[&str] = &["organization_id", "email", "roles"];

impl Roster {
    /// Reads a CSV roster (see the [module docs](crate::sync) for the format). Every problem
    /// is reported at once, with its line and column.
    pub fn from_csv_str(text: &str) -> Result<Self, RosterErrors> {
        Self::from_csv_reader(text.as_bytes())
    }

    /// Reads a CSV roster from `reader`.
    pub fn from_csv_reader(reader: impl std::io::Read) -> Result<Self, RosterErrors> {
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .from_reader(reader);
        let headers = csv
            .headers()
            .map_err(|error| csv_error(&error, "the header row cannot be read"))?
            .clone();
        // Comments may come before the header: its line is where the reader found it.
        let header_line = headers.position().map_or(1, csv::Position::line);
        let columns = header_columns(&headers, header_line)?;
        let mut roster = Roster::new();
        let mut errors = Vec::new();
        for record in csv.records() {
            let record = match record {
                Ok(record) => record,
                Err(error) => {
                    errors.push(csv_error(&error, "the row cannot be read"));
                    continue;
                }
            };
            let line = record.position().map_or(0, csv::Position::line);
            let cell = |name: &str| {
                columns
                    .iter()
                    .position(|column| column == name)
                    .and_then(|index| record.get(index))
                    .filter(|value| !value.is_empty())
            };
            let mut row = Row {
                errors: Vec::new(),
                line,
            };
            let organization_id = cell("organization_id").unwrap_or_default().to_owned();
            if organization_id.is_empty() {
                row.fail("organization_id", "is required");
            }
            let person = row.person(&cell);
            errors.append(&mut row.errors);
            if !organization_id.is_empty() {
                roster.add(organization_id, person);
            }
        }
        if let Err(mut more) = roster.check() {
            errors.append(&mut more.0);
        }
        errors.sort_by_key(|error| error.line);
        RosterErrors::result(errors).map(|()| roster)
    }

    /// Reads a JSON roster (see the [module docs](crate::sync) for the format).
    pub fn from_json_str(text: &str) -> Result<Self, RosterErrors> {
        let roster: Roster = serde_json::from_str(text).map_err(|error| {
            RosterError::whole(format!("not a roster: {error}")).at_line(error.line() as u64)
        })?;
        roster.check()?;
        Ok(roster)
    }

    /// Reads a roster file: JSON when its name ends in `.json`, CSV otherwise. Errors name the
    /// file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, RosterErrors> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|error| {
            RosterError::whole(format!("{} cannot be read: {error}", path.display()))
        })?;
        let is_json = path
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("json"));
        let parsed = if is_json {
            Self::from_json_str(&text)
        } else {
            Self::from_csv_str(&text)
        };
        parsed.map_err(|mut errors| {
            for error in &mut errors.0 {
                error.file = Some(path.display().to_string());
            }
            errors
        })
    }
}

fn csv_error(error: &csv::Error, what: &str) -> RosterError {
    let problem = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{what}: it has {len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => format!("{what}: it is not valid UTF-8"),
        _ => format!("{what}: {error}"),
    };
    let error_at = RosterError::whole(problem);
    match error.position() {
        Some(position) => error_at.at_line(position.line()),
        None => error_at,
    }
}

/// The header's column names, after checking them against [`CSV_COLUMNS`].
fn header_columns(headers: &csv::StringRecord, line: u64) -> Result<Vec<String>, RosterErrors> {
    let columns: Vec<String> = headers.iter().map(str::to_ascii_lowercase).collect();
    let mut errors = Vec::new();
    for (index, column) in columns.iter().enumerate() {
        if !CSV_COLUMNS.contains(&column.as_str()) {
            errors.push(
                RosterError::new(
                    column.clone(),
                    format!(
                        "is not a roster column (columns: {})",
                        CSV_COLUMNS.join(", ")
                    ),
                )
                .at_line(line),
            );
        } else if columns[..index].contains(column) {
            errors.push(
                RosterError::new(column.clone(), "appears twice in the header").at_line(line),
            );
        }
    }
    for required in REQUIRED_COLUMNS {
        if !columns.iter().any(|column| column == required) {
            errors.push(RosterError::new(*required, "the header lacks this column").at_line(line));
        }
    }
    RosterErrors::result(errors).map(|()| columns)
}

/// One CSV row being read, and what is wrong with it so far.
struct Row {
    errors: Vec<RosterError>,
    line: u64,
}

impl Row {
    fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors
            .push(RosterError::new(field, message).at_line(self.line));
    }

    fn person<'a>(&mut self, cell: &impl Fn(&str) -> Option<&'a str>) -> Person {
        let text = |name: &str| cell(name).map(str::to_owned);
        let mut person = Person::new(cell("email").unwrap_or_default());
        person.source_line = Some(self.line);
        person.partner_user_id = text("partner_user_id");
        person.given_name = text("given_name");
        person.family_name = text("family_name");
        person.full_name = text("full_name");
        person.title = text("title");
        person.roles = cell("roles").map(parse_roles).unwrap_or_default();
        person.enabled = match cell("enabled") {
            None => true,
            Some(value) => match value.to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" | "1" => true,
                "false" | "no" | "n" | "0" => false,
                _ => {
                    self.fail("enabled", "must be true or false (or yes/no, 1/0)");
                    true
                }
            },
        };
        let mut profile = ProviderProfile::new();
        if let Some(value) = cell("date_of_birth") {
            match value.parse::<NaiveDate>() {
                Ok(date) => profile.date_of_birth = Some(date),
                Err(_) => self.fail("date_of_birth", "must be a date written YYYY-MM-DD"),
            }
        }
        profile.sex = cell("sex").map(Sex::from);
        profile.prescriber_type = cell("prescriber_type").map(PrescriberType::from);
        profile.phone = text("phone");
        profile.hpii_number = text("hpii_number");
        profile.prescriber_number = text("prescriber_number");
        profile.qualifications = text("qualifications");
        profile.provider_number = text("provider_number");
        profile.ahpra_number = text("ahpra_number");
        profile.hospital_provider_number = text("hospital_provider_number");
        if !profile.is_empty() {
            person.provider = Some(profile);
        }
        person
    }
}

/// `admin;provider` (also `admin provider` or `admin|provider`): roles as parsed, so an
/// unknown one is kept and reported by the roster check.
fn parse_roles(cell: &str) -> Vec<Role> {
    let mut roles = Vec::new();
    for name in cell.split([';', '|', ' ']).filter(|name| !name.is_empty()) {
        let role: Role = name.to_ascii_lowercase().as_str().into();
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    roles
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_split_on_any_separator() {
        assert_eq!(
            parse_roles("Admin; provider|rx_reader admin"),
            [Role::Admin, Role::Provider, Role::RxReader]
        );
    }
}
