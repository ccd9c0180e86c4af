//! The quickstart: the main job of the SDK, end to end, as a short transcript.
//!
//! ```text
//! cargo quickstart            # against FakeParchment on loopback: no credentials needed
//! cargo quickstart -- --write # with PARCHMENT_* set: against that environment, writes allowed
//! ```
//!
//! With no `PARCHMENT_*` variables it starts the fake and walks the whole job: validate the
//! integration, stream every user, read a provider, update their details, replace their roles,
//! read back, create a patient and read the prescription the fake's prescriber writes for them
//! (with a sign-in link to the patient's page), and show a refusal and a 404 with their request
//! ids. With the variables set (see
//! `parchment_api_ext::env_vars`) it runs against that environment, read-only unless `--write`
//! is given; even then it writes back the values it read, so nothing changes.

use futures::TryStreamExt;
use parchment_api_ext::testing::FakeParchment;
use parchment_api_ext::{
    Client, NewPatient, Organization, OrganizationCredentials, ProviderDetailsUpdate, Response,
    Role, Scope, Sex, SsoTarget, User, UserSummary, UserUpdate, env_vars,
};
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("quickstart failed: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Where the quickstart runs.
enum Target {
    /// The fake, started here; kept alive for the run.
    Fake(FakeParchment),
    /// A real environment from `PARCHMENT_*`; `write` allows the write steps.
    Real { write: bool },
}

async fn run() -> Result<(), parchment_api_ext::Error> {
    let configured = [env_vars::BASE_URL, env_vars::ENVIRONMENT]
        .iter()
        .any(|name| std::env::var_os(name).is_some());
    let write = std::env::args().any(|arg| arg == "--write");
    let (target, client) = if configured {
        (Target::Real { write }, Client::from_env()?)
    } else {
        let fake = FakeParchment::start().await;
        let client = fake.client();
        (Target::Fake(fake), client)
    };
    let organization = client.default_organization()?;
    match &target {
        Target::Fake(fake) => println!(
            "parchment-rs quickstart, against FakeParchment at {} (no credentials needed)",
            fake.base_url()
        ),
        Target::Real { write } => println!(
            "parchment-rs quickstart, against {} ({})",
            client.base_url(),
            if *write {
                "writes allowed; values are written back unchanged"
            } else {
                "read-only; pass --write to include the write steps"
            }
        ),
    }
    let writes = match target {
        Target::Fake(_) => Writes::Change,
        Target::Real { write: true } => Writes::Unchanged,
        Target::Real { write: false } => Writes::None,
    };

    step(1, "Validate the integration");
    if writes == Writes::None {
        println!("   skipped (validating marks the organization as integrated)");
    } else {
        let validated = organization.validate().await?;
        println!(
            "   organization {} validated: {}{}",
            organization.id(),
            *validated,
            id(&validated)
        );
    }

    step(2, "Stream every user, 5 per page");
    let everyone: Vec<UserSummary> = organization
        .users()
        .list()
        .limit(5)
        .stream()
        .try_collect()
        .await?;
    let providers: Vec<&UserSummary> = everyone
        .iter()
        .filter(|user| {
            user.roles
                .as_ref()
                .is_some_and(|roles| roles.contains(&Role::Provider))
        })
        .collect();
    println!(
        "   {} users, {} of them providers",
        everyone.len(),
        providers.len()
    );

    step(3, "Read one provider");
    let Some(provider) = providers.first() else {
        println!("   no provider in this organization; stopping here");
        return Ok(());
    };
    let user = organization.users().get(&provider.user_id).await?;
    describe(&user);

    step(4, "Update their details");
    let (name, qualifications) = match writes {
        Writes::None => {
            println!("   skipped (read-only)");
            return refusals(&organization).await;
        }
        Writes::Change => (
            "Dr Darlene Scott".to_owned(),
            "MBBS, FRACGP, FACRRM".to_owned(),
        ),
        Writes::Unchanged => (
            user.full_name.clone().unwrap_or_default(),
            user.provider_details
                .as_ref()
                .and_then(|d| d.qualifications.clone())
                .unwrap_or_default(),
        ),
    };
    let update = UserUpdate::new()
        .full_name(&name)
        .provider_details(ProviderDetailsUpdate::new().qualifications(&qualifications));
    let updated = organization.users().update(&user.user_id, update).await?;
    println!(
        "   full name \"{name}\", qualifications \"{qualifications}\"{}",
        id(&updated)
    );

    step(5, "Replace their roles");
    let roles = match writes {
        Writes::Change => vec![Role::Provider, Role::Admin],
        _ => user.roles.clone(),
    };
    let replaced = organization.users().set_roles(&user.user_id, roles).await?;
    println!("   roles now {}{}", list(&replaced.roles), id(&replaced));

    step(6, "Read back");
    describe(&organization.users().get(&user.user_id).await?);

    if let Target::Fake(fake) = &target {
        patient(fake, &client, &user.user_id).await?;
    }
    refusals(&organization).await
}

/// Step 7, against the fake only (it writes a patient, and only the fake can play the
/// prescriber): a patient, the prescription written for them in Parchment's UI, read back, and
/// a sign-in link to the patient's page.
async fn patient(
    fake: &FakeParchment,
    client: &Client,
    prescriber: &str,
) -> Result<(), parchment_api_ext::Error> {
    step(
        7,
        "Create a patient; read the prescription their prescriber wrote",
    );
    let credentials = fake.credentials();
    // Tokens carry only the scopes asked for: patients and prescriptions need their own.
    let scopes = [Scope::PATIENT_OPERATIONS, Scope::PRESCRIPTION_OPERATIONS].concat();
    let organization = client.organization_with(
        &credentials.organization_id,
        OrganizationCredentials::new(&credentials.organization_secret).scopes(&scopes),
    )?;
    let acting = organization.acting_as(prescriber);
    let born = chrono::NaiveDate::from_ymd_opt(1990, 1, 15).unwrap_or_default();
    let new_patient = NewPatient::new("Jane", "Citizen")
        .partner_patient_id("QUICKSTART-1")
        .date_of_birth(born)
        .sex(Sex::Female);
    let created = acting.patients().create(new_patient).await?;
    let patient_id = created.patient().patient_id.clone().unwrap_or_default();
    println!("   patient {patient_id} created{}", id(&created));
    // What a prescriber does in Parchment's UI; the fake does it on request.
    if let Err(error) =
        fake.write_prescription(&credentials.organization_id, prescriber, &patient_id)
    {
        println!("   the fake wrote no prescription: {error:?}");
        return Ok(());
    }
    let prescriptions = acting.prescriptions(patient_id.as_str());
    let written: Vec<_> = prescriptions.list().stream().try_collect().await?;
    for prescription in &written {
        println!(
            "   prescription {} ({}): {}",
            prescription.scid.as_deref().unwrap_or("-"),
            prescription.status.as_ref().map_or("-", |s| s.as_str()),
            prescription.item_name.as_deref().unwrap_or("-"),
        );
    }
    let link = acting
        .sso_link(&SsoTarget::patient_profile(&patient_id)?)
        .await?;
    // The link signs the prescriber in: a credential, never printed.
    println!(
        "   sign-in link to the patient's page issued, valid for {} s{}",
        link.expires_in().as_secs(),
        id(&link)
    );
    Ok(())
}

/// Whether and how the write steps run.
#[derive(PartialEq)]
enum Writes {
    /// Read-only.
    None,
    /// Write back what was read.
    Unchanged,
    /// Change things (the fake only).
    Change,
}

/// Steps 8 and 9: what a refusal and a missing user look like.
async fn refusals(organization: &Organization) -> Result<(), parchment_api_ext::Error> {
    step(8, "A call refused before sending (nothing is sent)");
    match organization
        .users()
        .set_roles("usr_any", [Role::Owner])
        .await
    {
        Err(error) => {
            println!("   {:?}: {error}", error.kind());
        }
        Ok(_) => println!("   unexpectedly accepted"),
    }

    step(9, "A user that does not exist");
    match organization.users().get("usr_does_not_exist").await {
        Err(error) => println!("   {:?}: {error}", error.kind()),
        Ok(_) => println!("   unexpectedly found"),
    }
    println!("Done.");
    Ok(())
}

fn step(number: u32, title: &str) {
    println!("{number}. {title}");
}

fn id<T>(response: &Response<T>) -> String {
    response
        .request_id()
        .map(|id| format!("   (request id {id})"))
        .unwrap_or_default()
}

fn list(roles: &[Role]) -> String {
    roles
        .iter()
        .map(Role::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe(user: &Response<User>) {
    let name = user.full_name.as_deref().unwrap_or("(no name)");
    println!(
        "   {name} ({}), roles {}{}",
        user.user_id,
        list(&user.roles),
        id(user)
    );
    if let Some(details) = &user.provider_details {
        let born = details
            .date_of_birth
            .map(|date| date.to_string())
            .unwrap_or_else(|| "unknown".into());
        let prescriber = details
            .prescriber_type
            .as_ref()
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default();
        println!(
            "   prescriber type {prescriber}, prescriber number {}, born {born}, qualifications {}",
            details.prescriber_number.as_deref().unwrap_or("-"),
            details.qualifications.as_deref().unwrap_or("-"),
        );
    }
}
