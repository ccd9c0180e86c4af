//! FakeParchment through the public client, as a service's tests would use it: state that
//! later reads and lists show, generated users with realistic identifiers, pagination with an
//! opaque `lastKey`, every auth check (secrets, tokens that expire, scopes, organizations kept
//! apart), injected faults, a request log without secrets, and shutdown.
//!
//! One binary, split by concern; the helpers more than one concern needs are here, the ones any
//! FakeParchment test could use are in tests/support/fake.rs.

mod auth;
mod faults;
mod pagination;
mod seeded;
#[path = "../support/mod.rs"]
mod support;
mod users;

use chrono::NaiveDate;
use parchment_api_ext::testing::FakeParchment;
use parchment_api_ext::{Role, User, UserSummary, Users};

fn users_path(fake: &FakeParchment) -> String {
    format!(
        "/v1/organizations/{}/users",
        fake.credentials().organization_id
    )
}

fn user_path(fake: &FakeParchment, user_id: &str) -> String {
    format!("{}/{user_id}", users_path(fake))
}

/// The first user of the first page holding `role`.
async fn first_with_role(users: &Users, role: Role) -> UserSummary {
    let page = users.list().limit(100).send().await.expect("a page lists");
    page.users
        .iter()
        .find(|user| {
            user.roles
                .as_ref()
                .is_some_and(|roles| roles.contains(&role))
        })
        .cloned()
        .expect("the seeded users include this role")
}

async fn read(users: &Users, user_id: &str) -> User {
    users
        .get(user_id)
        .await
        .expect("the user reads")
        .into_inner()
}

/// `req_<epoch ms>_<6 chars>`.
fn is_parchment_request_id(id: &str) -> bool {
    let Some((digits, suffix)) = id
        .strip_prefix("req_")
        .and_then(|rest| rest.split_once('_'))
    else {
        return false;
    };
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && suffix.len() == 6
        && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a real date")
}
