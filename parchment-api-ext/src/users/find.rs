//! The finders on [`Users`]: one user by email or by the partner's own id, and every user read
//! in full with bounded concurrency. Also the matching rules, shared with roster sync so that a
//! finder and a sync plan never disagree about who a user is.

use super::Users;
use crate::error::{Error, FieldError, Result};
use crate::models::{User, UserSummary};
use futures::{Stream, StreamExt, TryStreamExt, future, stream};
use std::pin::pin;

/// Pages the finders ask for: the largest the API allows, so a search makes the fewest requests.
const FIND_PAGE_SIZE: u32 = 100;

/// An email as users are matched by it: trimmed and lower case (Parchment treats emails
/// case-insensitively, and rosters and forms carry stray spaces).
pub(crate) fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Whether Parchment's `external_user_id` is this partner id. Parchment stores the partner's id
/// prefixed with the partner's name (`PARTNER#USER_12345` for `USER_12345`), so either form
/// matches; the prefix is never compared, and an id given with its prefix matches only exactly.
pub(crate) fn is_partner_id(external_user_id: &str, partner_user_id: &str) -> bool {
    external_user_id == partner_user_id
        || external_user_id
            .split_once('#')
            .is_some_and(|(_, id)| id == partner_user_id)
}

impl Users {
    /// The first listed user whose email is `email`, compared case-insensitively and without
    /// surrounding spaces; `None` when no user has it.
    ///
    /// Pages are read lazily (100 users each) and reading stops at the page holding the
    /// match, so a user near the start costs one request and a user who does not exist costs
    /// one per page. A user whose list entry carries no email is not matched (the list shape
    /// some pages use has only ids: see [`Users::read_all`]). An empty email is
    /// [`InvalidInput`](crate::ErrorKind::InvalidInput) and nothing is sent.
    pub async fn find_by_email(&self, email: &str) -> Result<Option<UserSummary>> {
        let wanted = email_key(email);
        if wanted.is_empty() {
            return Err(refusal("email", "must not be empty"));
        }
        self.find_first(move |user| {
            user.email
                .as_deref()
                .is_some_and(|email| email_key(email) == wanted)
        })
        .await
    }

    /// The first listed user whose `external_user_id` is the partner's id `external_id`, given
    /// as the partner knows it (`USER_12345`) or as Parchment reports it
    /// (`PARTNER#USER_12345`): Parchment prefixes the partner's id with the partner's name, and
    /// the prefix is not compared. The same rule roster sync matches people by. `None` when no
    /// user has it.
    ///
    /// Reads pages lazily and stops at the match, like [`Users::find_by_email`]. An empty id is
    /// [`InvalidInput`](crate::ErrorKind::InvalidInput) and nothing is sent.
    pub async fn find_by_external_id(&self, external_id: &str) -> Result<Option<UserSummary>> {
        let wanted = external_id.trim().to_owned();
        if wanted.is_empty() {
            return Err(refusal("external_user_id", "must not be empty"));
        }
        self.find_first(move |user| {
            user.external_user_id
                .as_deref()
                .is_some_and(|external| is_partner_id(external, &wanted))
        })
        .await
    }

    /// Every user of the organization in full (as [`Users::get`] reads them), for lists whose
    /// pages carry partial records. Lists the users page by page and reads up to
    /// `concurrency` of them at a time, in list order.
    ///
    /// The first error ends the stream (later reads are not started). A `concurrency` of 0 is
    /// [`InvalidInput`](crate::ErrorKind::InvalidInput): the stream yields that error alone
    /// and nothing is sent.
    pub fn read_all(
        &self,
        concurrency: usize,
    ) -> impl Stream<Item = Result<User>> + Send + 'static {
        let users = self.clone();
        let refused = (concurrency == 0).then(|| refusal("concurrency", "must be at least 1"));
        let reads = self
            .list()
            .limit(FIND_PAGE_SIZE)
            .stream()
            .map_ok(move |summary| {
                let users = users.clone();
                async move { Ok(users.get(&summary.user_id).await?.into_inner()) }
            })
            .try_buffered(concurrency.max(1));
        match refused {
            Some(error) => stream::once(future::ready(Err(error))).left_stream(),
            None => reads.right_stream(),
        }
    }

    /// The first listed user that `matches`, reading no page after the one it is on.
    async fn find_first(
        &self,
        matches: impl Fn(&UserSummary) -> bool,
    ) -> Result<Option<UserSummary>> {
        let users = self.list().limit(FIND_PAGE_SIZE).stream();
        let mut found = pin!(users.try_filter(|user| future::ready(matches(user))));
        found.next().await.transpose()
    }
}

/// A finder's refusal of its argument, before anything is sent.
fn refusal(field: &'static str, message: &'static str) -> Error {
    Error::invalid_input(
        "find users",
        vec![FieldError::new(field, "invalid", message)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partner_ids_match_with_or_without_the_partner_prefix() {
        assert!(is_partner_id("PARTNER#USER_1", "USER_1"));
        assert!(is_partner_id("PARTNER#USER_1", "PARTNER#USER_1"));
        assert!(is_partner_id("USER_1", "USER_1"));
        assert!(!is_partner_id("PARTNER#USER_10", "USER_1"));
        assert!(!is_partner_id("USER_1", "PARTNER#USER_2"));
        assert!(!is_partner_id("OTHER#USER_1", "PARTNER#USER_1"));
    }

    #[test]
    fn emails_match_without_case_or_surrounding_spaces() {
        assert_eq!(
            email_key("  Jane.Citizen@Example.COM "),
            "jane.citizen@example.com"
        );
    }
}
