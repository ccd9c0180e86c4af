//! `parchment prescriptions list|get PATIENT_ID`: the prescriptions written for a patient of
//! the selected organization, read on behalf of a user (`--as USER_ID`, else the configured
//! acting user).
//!
//! Tables keep to the Script ID, status, item and date. The eScript token link (which
//! dispenses the prescription) and the patient's details are never in a table; `--json`
//! prints each prescription as the API returned it.

use crate::command::{ActingArgs, Context, Outcome, Run};
use crate::failure::CliError;
use crate::output::{self, cell};
use crate::progress::Progress;
use futures::StreamExt;
use parchment_api_ext::{Prescription, Scope};
use serde_json::json;

/// `parchment prescriptions ...`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum PrescriptionsCommand {
    /// List a patient's prescriptions (every page, or --max of them). JSON lines with --json.
    List(ListArgs),
    /// Read one prescription by its Script ID.
    Get(GetArgs),
}

/// `prescriptions list PATIENT_ID [--page-size N] [--max N]`
#[derive(Debug, clap::Args)]
pub(crate) struct ListArgs {
    /// Parchment's id of the patient.
    patient_id: String,
    /// Prescriptions per page requested (1 to 100).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    page_size: Option<u32>,
    /// Stop after this many prescriptions.
    #[arg(long, value_name = "N")]
    max: Option<usize>,
    #[command(flatten)]
    acting: ActingArgs,
}

/// `prescriptions get PATIENT_ID SCID`
#[derive(Debug, clap::Args)]
pub(crate) struct GetArgs {
    /// Parchment's id of the patient.
    patient_id: String,
    /// The Script ID (SCID) of the prescription.
    scid: String,
    #[command(flatten)]
    acting: ActingArgs,
}

impl Run for PrescriptionsCommand {
    async fn run(self, context: &Context) -> Result<Outcome, CliError> {
        match self {
            PrescriptionsCommand::List(args) => list(args, context).await,
            PrescriptionsCommand::Get(args) => get(args, context).await,
        }
    }
}

/// A table row: Script ID, status, item, date written.
fn row(prescription: &Prescription) -> Vec<String> {
    vec![
        cell(prescription.scid.as_deref()),
        cell(prescription.status.as_ref().map(|status| status.as_str())),
        cell(prescription.item_name.as_deref()),
        cell(prescription.created_date.as_ref().map(|date| date.as_str())),
    ]
}

const HEADERS: [&str; 4] = ["SCID", "STATUS", "ITEM", "CREATED"];

async fn list(args: ListArgs, context: &Context) -> Result<Outcome, CliError> {
    let acting = args
        .acting
        .acting(context, Scope::PRESCRIPTION_OPERATIONS)?;
    let out = context.output();
    let mut request = acting.prescriptions(&args.patient_id).list();
    if let Some(size) = args.page_size {
        request = request.limit(size);
    }
    if let Some(max) = args.max {
        request = request.max_items(max);
    }
    let progress = Progress::new(out, "prescriptions");
    let mut stream = std::pin::pin!(request.stream());
    let mut rows = Vec::new();
    while let Some(prescription) = stream.next().await {
        let prescription = match prescription {
            Ok(prescription) => prescription,
            Err(error) => {
                progress.finish();
                return Err(CliError::Api(error));
            }
        };
        progress.advance(1);
        // JSON lines go out as they arrive; a table needs every row for its widths.
        if out.json() {
            out.json_line(&prescription.to_wire());
        } else {
            rows.push(row(&prescription));
        }
    }
    progress.finish();
    if !out.json() {
        let count = rows.len();
        output::write_stdout(&output::table(&HEADERS, &rows));
        output::write_stdout(&format!(
            "{count} prescription(s) for patient {}\n",
            cell(Some(&args.patient_id))
        ));
    }
    Ok(Outcome::Done)
}

async fn get(args: GetArgs, context: &Context) -> Result<Outcome, CliError> {
    let acting = args
        .acting
        .acting(context, Scope::PRESCRIPTION_OPERATIONS)?;
    let out = context.output();
    let response = acting
        .prescriptions(&args.patient_id)
        .get(&args.scid)
        .await?;
    let request_id = response.request_id().map(str::to_owned);
    let detail = response.into_inner();
    let prescription = &detail.prescription;
    if out.json() {
        out.json_line(&json!({
            "prescription": prescription.to_wire(),
            "patient_id": detail.patient.as_ref().and_then(|patient| patient.patient_id.clone()),
            "request_id": request_id,
        }));
        return Ok(Outcome::Done);
    }
    let [scid, status, item, created] = <[String; 4]>::try_from(row(prescription))
        .unwrap_or_else(|_| std::array::from_fn(|_| "-".to_owned()));
    output::write_stdout(&output::fields(&[
        ("scid", scid),
        ("status", status),
        ("item", item),
        ("created", created),
        (
            "type",
            cell(
                prescription
                    .prescription_type
                    .as_ref()
                    .map(|kind| kind.as_str()),
            ),
        ),
        ("request_id", cell(request_id.as_deref())),
    ]));
    Ok(Outcome::Done)
}
