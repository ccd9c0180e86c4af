//! `parchment patients create|update`: patients of the selected organization, on behalf of a
//! user (`--as USER_ID`, else the configured acting user).
//!
//! Parchment documents no patient read or list. What is printed is kept to ids and status:
//! a patient's names, Medicare and DVA numbers, phone and date of birth are never echoed
//! (with `--dry-run`, only the names of the fields that would be sent).

use crate::command::{ActingArgs, Context, DryRun, Outcome, Run};
use crate::failure::CliError;
use crate::output::{self, cell};
use chrono::NaiveDate;
use parchment_api_ext::{DvaCardColor, NewPatient, PatientCreated, PatientUpdate, Scope, Sex};
use serde_json::json;

/// `parchment patients ...`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum PatientsCommand {
    /// Create a patient (a possible duplicate is accepted and said so). Prints the new id.
    Create(CreateArgs),
    /// Change a patient's details; only the fields given are sent.
    Update(UpdateArgs),
}

/// The fields both commands may send.
#[derive(Debug, clap::Args)]
pub(crate) struct PatientFields {
    /// Date of birth, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD")]
    date_of_birth: Option<NaiveDate>,
    /// Sex: M, F, I or N.
    #[arg(long)]
    sex: Option<Sex>,
    /// Email address.
    #[arg(long)]
    email: Option<String>,
    /// Australian phone number (0412345678, +61412345678).
    #[arg(long)]
    phone: Option<String>,
    /// Medicare card number.
    #[arg(long)]
    medicare_card_number: Option<String>,
    /// Medicare individual reference number (digits).
    #[arg(long)]
    medicare_irn: Option<String>,
    /// Medicare card expiry, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD")]
    medicare_valid_to: Option<NaiveDate>,
    /// DVA file number.
    #[arg(long)]
    dva_file_number: Option<String>,
    /// DVA card colour: W, O or G (needs --dva-file-number).
    #[arg(long)]
    dva_card_color: Option<DvaCardColor>,
}

impl PatientFields {
    /// The names of the fields given (what a dry run shows instead of their values).
    fn names(&self) -> Vec<&'static str> {
        [
            ("date_of_birth", self.date_of_birth.is_some()),
            ("sex", self.sex.is_some()),
            ("email", self.email.is_some()),
            ("phone", self.phone.is_some()),
            ("medicare_card_number", self.medicare_card_number.is_some()),
            ("medicare_irn", self.medicare_irn.is_some()),
            ("medicare_valid_to", self.medicare_valid_to.is_some()),
            ("dva_file_number", self.dva_file_number.is_some()),
            ("dva_card_color", self.dva_card_color.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect()
    }
}

/// `patients create --given-name .. --family-name .. [fields]`
#[derive(Debug, clap::Args)]
pub(crate) struct CreateArgs {
    /// Given name.
    #[arg(long)]
    given_name: String,
    /// Family name.
    #[arg(long)]
    family_name: String,
    /// The partner's own id of the patient (a duplicate is refused by Parchment).
    #[arg(long)]
    partner_patient_id: Option<String>,
    #[command(flatten)]
    fields: PatientFields,
    #[command(flatten)]
    acting: ActingArgs,
    #[command(flatten)]
    dry_run: DryRun,
}

/// `patients update PATIENT_ID [fields]`
#[derive(Debug, clap::Args)]
pub(crate) struct UpdateArgs {
    /// Parchment's id of the patient.
    patient_id: String,
    /// Given name.
    #[arg(long)]
    given_name: Option<String>,
    /// Family name.
    #[arg(long)]
    family_name: Option<String>,
    /// The 16-digit Individual Healthcare Identifier.
    #[arg(long)]
    ihi_number: Option<String>,
    #[command(flatten)]
    fields: PatientFields,
    #[command(flatten)]
    acting: ActingArgs,
    #[command(flatten)]
    dry_run: DryRun,
}

impl Run for PatientsCommand {
    async fn run(self, context: &Context) -> Result<Outcome, CliError> {
        match self {
            PatientsCommand::Create(args) => create(args, context).await,
            PatientsCommand::Update(args) => update(args, context).await,
        }
    }
}

async fn create(args: CreateArgs, context: &Context) -> Result<Outcome, CliError> {
    let acting = args.acting.acting(context, Scope::PATIENT_OPERATIONS)?;
    let out = context.output();
    if args.dry_run.dry_run {
        let mut names = vec!["given_name", "family_name"];
        names.extend(
            args.partner_patient_id
                .as_ref()
                .map(|_| "partner_patient_id"),
        );
        names.extend(args.fields.names());
        dry_run_report(
            context,
            "create patient",
            format!(
                "POST /v1/organizations/{}/users/{}/patients",
                acting.organization().id(),
                acting.user_id()
            ),
            &names,
        );
        return Ok(Outcome::Done);
    }
    let mut patient = NewPatient::new(args.given_name, args.family_name);
    if let Some(id) = args.partner_patient_id {
        patient = patient.partner_patient_id(id);
    }
    let fields = args.fields;
    if let Some(date) = fields.date_of_birth {
        patient = patient.date_of_birth(date);
    }
    if let Some(sex) = fields.sex {
        patient = patient.sex(sex);
    }
    if let Some(email) = fields.email {
        patient = patient.email(email);
    }
    if let Some(phone) = fields.phone {
        patient = patient.phone(phone);
    }
    if let Some(number) = fields.medicare_card_number {
        patient = patient.medicare_card_number(number);
    }
    if let Some(irn) = fields.medicare_irn {
        patient = patient.medicare_irn(irn);
    }
    if let Some(date) = fields.medicare_valid_to {
        patient = patient.medicare_valid_to(date);
    }
    if let Some(number) = fields.dva_file_number {
        patient = patient.dva_file_number(number);
    }
    if let Some(color) = fields.dva_card_color {
        patient = patient.dva_card_color(color);
    }
    let response = acting.patients().create(patient).await?;
    let request_id = response.request_id().map(str::to_owned);
    let created = response.into_inner();
    let state = match &created {
        PatientCreated::Accepted { .. } => {
            "accepted (a patient with the same names and date of birth exists)"
        }
        _ => "created",
    };
    let patient = created.patient();
    if out.json() {
        out.json_line(&json!({
            "patient_id": patient.patient_id,
            "external_patient_id": patient.external_patient_id,
            "url": patient.url,
            "conflicts": created.has_conflicts(),
            "request_id": request_id,
        }));
    } else {
        output::write_stdout(&output::fields(&[
            ("patient_id", cell(patient.patient_id.as_deref())),
            (
                "external_patient_id",
                cell(patient.external_patient_id.as_deref()),
            ),
            ("status", state.to_owned()),
            ("request_id", cell(request_id.as_deref())),
        ]));
    }
    Ok(Outcome::Done)
}

async fn update(args: UpdateArgs, context: &Context) -> Result<Outcome, CliError> {
    // Updating needs `update:patient`, which Parchment lists as coming soon: only `patients
    // update` asks for it, so that creating works where it is not granted yet.
    let acting = args.acting.acting(context, &[Scope::UpdatePatient])?;
    let out = context.output();
    let mut names = Vec::new();
    names.extend(args.given_name.as_ref().map(|_| "given_name"));
    names.extend(args.family_name.as_ref().map(|_| "family_name"));
    names.extend(args.ihi_number.as_ref().map(|_| "ihi_number"));
    names.extend(args.fields.names());
    if names.is_empty() {
        return Err(CliError::Usage(
            "nothing to update: give the fields to change (see --help)".into(),
        ));
    }
    if args.dry_run.dry_run {
        dry_run_report(
            context,
            "update patient",
            format!(
                "PUT /v1/organizations/{}/users/{}/patients/{}",
                acting.organization().id(),
                acting.user_id(),
                cell(Some(&args.patient_id))
            ),
            &names,
        );
        return Ok(Outcome::Done);
    }
    let mut update = PatientUpdate::new();
    if let Some(name) = args.given_name {
        update = update.given_name(name);
    }
    if let Some(name) = args.family_name {
        update = update.family_name(name);
    }
    if let Some(ihi) = args.ihi_number {
        update = update.ihi_number(ihi);
    }
    let fields = args.fields;
    if let Some(date) = fields.date_of_birth {
        update = update.date_of_birth(date);
    }
    if let Some(sex) = fields.sex {
        update = update.sex(sex);
    }
    if let Some(email) = fields.email {
        update = update.email(email);
    }
    if let Some(phone) = fields.phone {
        update = update.phone(phone);
    }
    if let Some(number) = fields.medicare_card_number {
        update = update.medicare_card_number(number);
    }
    if let Some(irn) = fields.medicare_irn {
        update = update.medicare_irn(irn);
    }
    if let Some(date) = fields.medicare_valid_to {
        update = update.medicare_valid_to(date);
    }
    if let Some(number) = fields.dva_file_number {
        update = update.dva_file_number(number);
    }
    if let Some(color) = fields.dva_card_color {
        update = update.dva_card_color(color);
    }
    let response = acting.patients().update(&args.patient_id, update).await?;
    let request_id = response.request_id().map(str::to_owned);
    let patient = response.into_inner();
    let patient_id = patient.patient_id.unwrap_or(args.patient_id);
    if out.json() {
        out.json_line(&json!({
            "patient_id": patient_id,
            "updated": names,
            "request_id": request_id,
        }));
    } else {
        output::write_stdout(&output::fields(&[
            ("patient_id", cell(Some(&patient_id))),
            ("updated", names.join(", ")),
            ("request_id", cell(request_id.as_deref())),
        ]));
    }
    Ok(Outcome::Done)
}

/// What a patient write would send: the request line and the names of the fields, never
/// their values (they are personal and health data).
fn dry_run_report(context: &Context, action: &str, request: String, names: &[&str]) {
    let out = context.output();
    if out.json() {
        out.json_line(&json!({
            "dry_run": true, "action": action, "request": request, "fields": names,
        }));
    } else {
        output::write_stdout(&format!(
            "dry run: would {action}: {request}\n  fields: {}\n(nothing was sent)\n",
            names.join(", ")
        ));
    }
}
