//! [`Users`]: the user operations of one organization.

/// Builder setters for optional text fields, one line of doc each.
macro_rules! text_setters {
    ($($(#[$doc:meta])* $field:ident),+ $(,)?) => {$(
        $(#[$doc])*
        pub fn $field(mut self, value: impl Into<String>) -> Self {
            self.$field = Some(value.into());
            self
        }
    )+};
}
use text_setters;

mod create;
pub(crate) mod find;
mod list;
mod roles;
mod update;

pub use create::NewUser;
pub use list::ListUsers;
pub(crate) use roles::RoleLocks;
pub use update::{ProviderDetailsUpdate, UserUpdate};

use crate::cache::Entry;
use crate::engine::{Api, Call, Normalized, Sent};
use crate::error::{Error, ErrorKind, FieldError, Result};
use crate::models::{CreatedUser, UpdatedUser, User, UserRoles};
use crate::operation::Operation;
use crate::organization::Organization;
use crate::response::Response;
use crate::validate;
use parchment_api::{Role, types};

impl Organization {
    /// The organization's users.
    pub fn users(&self) -> Users {
        Users::new(self.clone())
    }
}

/// The users of one organization. From [`Organization::users`].
#[derive(Clone, Debug)]
pub struct Users {
    organization: Organization,
    /// Skip the read cache (see [`Users::fresh`]).
    fresh: bool,
}

/// The checked body, or a refusal listing the id errors and the body's together.
fn refuse_or_body<B>(
    operation: Operation,
    mut errors: Vec<FieldError>,
    body: std::result::Result<B, Vec<FieldError>>,
) -> Result<B> {
    match body {
        Ok(body) if errors.is_empty() => Ok(body),
        Ok(_) => Err(Error::invalid_input(operation.name, errors)),
        Err(body_errors) => {
            errors.extend(body_errors);
            Err(Error::invalid_input(operation.name, errors))
        }
    }
}

/// Refuses a call before sending when any check failed.
fn refuse_if_any(operation: &'static str, errors: Vec<FieldError>) -> Result<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::invalid_input(operation, errors))
    }
}

impl Users {
    pub(crate) fn new(organization: Organization) -> Self {
        Self {
            organization,
            fresh: false,
        }
    }

    /// These users, read past the client's read cache: reads go to Parchment, and refresh the
    /// cache with what they get. Without a read cache, the same as `self`.
    pub fn fresh(&self) -> Users {
        Self {
            organization: self.organization.clone(),
            fresh: true,
        }
    }

    /// The organization these users belong to.
    pub fn organization(&self) -> &Organization {
        &self.organization
    }

    /// Lists users, one page at a time or as a stream: see [`ListUsers`].
    pub fn list(&self) -> ListUsers {
        ListUsers::new(self.organization.clone()).fresh_if(self.fresh)
    }

    /// Reads one user, with provider details for prescribers. A user that does not exist is
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound).
    pub async fn get(&self, user_id: &str) -> Result<Response<User>> {
        let org = &self.organization;
        refuse_if_any(ReadUser::OPERATION.name, org.id_errors(Some(user_id)))?;
        let call = ReadUser { user_id };
        let entry = || Entry::User(user_id.to_owned());
        if let Some(cached) = org.cached(&call, entry, self.fresh) {
            return cached.await;
        }
        org.run(&call).await
    }

    /// Creates a user (see [`NewUser`] for what is required). Both documented response shapes
    /// give the new user's id. A user that already exists is [`ErrorKind::Conflict`](crate::ErrorKind::Conflict) with
    /// [`code`](Error::code) `USER_ALREADY_EXISTS`.
    pub async fn create(&self, user: NewUser) -> Result<Response<CreatedUser>> {
        let org = &self.organization;
        let body = refuse_or_body(
            CreateUser::OPERATION,
            org.id_errors(None),
            user.into_request(),
        )?;
        org.run(&CreateUser { body }).await
    }

    /// Changes the fields set in `update`; the others stay as they are. Roles are not changed
    /// here: see [`Users::set_roles`].
    pub async fn update(&self, user_id: &str, update: UserUpdate) -> Result<Response<UpdatedUser>> {
        let org = &self.organization;
        let body = refuse_or_body(
            UpdateUser::OPERATION,
            org.id_errors(Some(user_id)),
            update.into_request(),
        )?;
        org.run(&UpdateUser { user_id, body }).await
    }

    /// Replaces all of the user's roles with `roles` (not a merge). The set must not be empty
    /// and may hold only [assignable](Role::is_assignable) roles; duplicates are sent once.
    pub async fn set_roles(
        &self,
        user_id: &str,
        roles: impl IntoIterator<Item = Role>,
    ) -> Result<Response<UserRoles>> {
        let roles = roles::distinct(roles);
        let mut errors = self.organization.id_errors(Some(user_id));
        errors.extend(validate::assignable_roles(&roles));
        refuse_if_any(ReplaceUserRoles::OPERATION.name, errors)?;
        self.send_roles(user_id, roles).await
    }

    /// Sends already-checked roles.
    async fn send_roles(&self, user_id: &str, roles: Vec<Role>) -> Result<Response<UserRoles>> {
        let body = types::ReplaceUserRolesRequest {
            access_roles: roles,
        };
        self.organization
            .run(&ReplaceUserRoles { user_id, body })
            .await
    }

    /// Adds `roles` to the user's roles: reads the user, then replaces the roles with the union.
    ///
    /// Not atomic on the server: a change made elsewhere (another process or client) between
    /// the read and the write is overwritten. Within one client (all its clones) the helpers
    /// for one user run one at a time, so a grant and a revoke made together both take effect.
    /// Refused (nothing written) when the read did not report the user's roles
    /// (`access_roles` `null` or absent), since "not reported" is not "none". Refused (nothing written) when the user holds a role the API cannot write back
    /// (`owner`, `support`, or one the SDK does not know), since replacing would drop it; a
    /// `member` role (what a re-enabled user holds) is replaced. When nothing would change, no
    /// write is made and the response is the read's.
    pub async fn grant_roles(
        &self,
        user_id: &str,
        roles: impl IntoIterator<Item = Role>,
    ) -> Result<Response<UserRoles>> {
        let granted = roles::distinct(roles);
        self.change_roles("grant roles", user_id, &granted, &[], |current| {
            roles::union(current, &granted)
        })
        .await
    }

    /// Removes `roles` from the user's roles: reads the user, then replaces the roles with what
    /// remains. Removing every role is refused (disable the user instead). Same caveats as
    /// [`Users::grant_roles`]; in addition, a write whose answer still lists a revoked role is
    /// [`ErrorKind::Conflict`] (the revocation did not stick).
    pub async fn revoke_roles(
        &self,
        user_id: &str,
        roles: impl IntoIterator<Item = Role>,
    ) -> Result<Response<UserRoles>> {
        let revoked = roles::distinct(roles);
        self.change_roles("revoke roles", user_id, &[], &revoked, |current| {
            roles::difference(current, &revoked)
        })
        .await
    }

    async fn change_roles(
        &self,
        operation: &'static str,
        user_id: &str,
        added: &[Role],
        removed: &[Role],
        change: impl FnOnce(&[Role]) -> Vec<Role>,
    ) -> Result<Response<UserRoles>> {
        let mut errors = self.organization.id_errors(Some(user_id));
        if !added.is_empty() {
            errors.extend(validate::assignable_roles(added));
        }
        refuse_if_any(operation, errors)?;
        // One read-change-write per user at a time on this client: otherwise a grant that read
        // before a revoke wrote would put the revoked role back, and both would return Ok.
        let _one_at_a_time = self
            .organization
            .role_locks()
            .lock(self.organization.id(), user_id)
            .await;
        // Past the read cache: the new set is computed from the roles held now.
        let user = self.fresh().get(user_id).await?;
        if !user.roles_reported {
            // "Not reported" is not "no roles": a replacement computed from it would drop
            // every role the user holds.
            return Err(Error::invalid_input(
                operation,
                vec![FieldError::new(
                    "access_roles",
                    "not_reported",
                    "the server's read of the user did not report its roles, so a change \
                     cannot be computed from them; set the roles explicitly with set_roles",
                )],
            ));
        }
        let kept = roles::writable_base(&user.roles);
        refuse_if_any(operation, kept.errors)?;
        let wanted = change(&kept.roles);
        if roles::same_set(&wanted, &user.roles) {
            return Ok(user.map(|user| UserRoles {
                user_id: user.user_id,
                roles: user.roles,
            }));
        }
        refuse_if_any(operation, validate::assignable_roles(&wanted))?;
        let written = self.send_roles(user_id, wanted).await?;
        // The server answers with the roles now held: a revoked role still among them means
        // the change did not stick (another writer, outside this client, got in between).
        if let Some(kept) = removed.iter().find(|role| written.roles.contains(role)) {
            return Err(Error::new(
                ErrorKind::Conflict,
                operation,
                format!("the user still holds `{kept}` after the roles were replaced"),
            )
            .with_status(written.status())
            .with_request_id(written.request_id().map(str::to_owned)));
        }
        Ok(written)
    }

    /// Disables the user: sign-in is blocked and roles drop to `member`. Idempotent.
    pub async fn disable(&self, user_id: &str) -> Result<Response<UpdatedUser>> {
        let org = &self.organization;
        refuse_if_any(DisableUser::OPERATION.name, org.id_errors(Some(user_id)))?;
        org.run(&DisableUser { user_id }).await
    }

    /// Re-enables the user. Idempotent. The user comes back with the `member` role only: set
    /// the roles again (or use [`Users::enable_with_roles`]).
    pub async fn enable(&self, user_id: &str) -> Result<Response<UpdatedUser>> {
        let org = &self.organization;
        refuse_if_any(EnableUser::OPERATION.name, org.id_errors(Some(user_id)))?;
        org.run(&EnableUser { user_id }).await
    }

    /// Re-enables the user and gives them `roles`. The roles are checked before anything is
    /// sent; if the role replacement fails, the user stays enabled with `member` only, and the
    /// error says so through its operation (`replace user roles`).
    pub async fn enable_with_roles(
        &self,
        user_id: &str,
        roles: impl IntoIterator<Item = Role>,
    ) -> Result<Response<UserRoles>> {
        let roles = roles::distinct(roles);
        let mut errors = self.organization.id_errors(Some(user_id));
        errors.extend(validate::assignable_roles(&roles));
        refuse_if_any(EnableUser::OPERATION.name, errors)?;
        self.enable(user_id).await?;
        self.send_roles(user_id, roles).await
    }
}

// The operations, each described once.

/// `GET /v1/organizations/{organization_id}/users/{user_id}`.
struct ReadUser<'a> {
    user_id: &'a str,
}

impl Call for ReadUser<'_> {
    const OPERATION: Operation = Operation::READ_USER;
    type Envelope = types::ReadUserResponse;
    type Output = User;

    fn user_id(&self) -> Option<&str> {
        Some(self.user_id)
    }

    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
        api.read_user(organization_id, self.user_id)
    }

    fn normalize(data: types::User) -> Normalized<User> {
        Ok(User::from(data))
    }
}

/// `POST /v1/organizations/{organization_id}/users`.
struct CreateUser {
    body: types::CreateUserRequest,
}

impl Call for CreateUser {
    const OPERATION: Operation = Operation::CREATE_USER;
    type Envelope = types::CreateUserResponse;
    type Output = CreatedUser;

    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
        api.create_user(organization_id, &self.body)
    }

    /// Some pages return `{user_id}`, others `{parchment_user_id, external_user_id, url}`.
    fn normalize(created: types::CreatedUser) -> Normalized<CreatedUser> {
        let user_id = created.user_id.or(created.parchment_user_id).ok_or(
            "the create-user response names no user id (neither user_id nor parchment_user_id)",
        )?;
        Ok(CreatedUser {
            user_id,
            external_user_id: created.external_user_id,
            url: created.url,
        })
    }
}

/// `PUT /v1/organizations/{organization_id}/users/{user_id}` (changes the fields given).
struct UpdateUser<'a> {
    user_id: &'a str,
    body: types::UpdateUserRequest,
}

impl Call for UpdateUser<'_> {
    const OPERATION: Operation = Operation::UPDATE_USER;
    type Envelope = types::UpdateUserResponse;
    type Output = UpdatedUser;

    fn user_id(&self) -> Option<&str> {
        Some(self.user_id)
    }

    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
        api.update_user(organization_id, self.user_id, &self.body)
    }

    fn normalize(data: types::UserId) -> Normalized<UpdatedUser> {
        Ok(UpdatedUser::from(data))
    }
}

/// `PUT /v1/organizations/{organization_id}/users/{user_id}/roles`.
struct ReplaceUserRoles<'a> {
    user_id: &'a str,
    body: types::ReplaceUserRolesRequest,
}

impl Call for ReplaceUserRoles<'_> {
    const OPERATION: Operation = Operation::REPLACE_USER_ROLES;
    type Envelope = types::ReplaceUserRolesResponse;
    type Output = UserRoles;

    fn user_id(&self) -> Option<&str> {
        Some(self.user_id)
    }

    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
        api.replace_user_roles(organization_id, self.user_id, &self.body)
    }

    fn normalize(data: types::UserRoles) -> Normalized<UserRoles> {
        Ok(UserRoles::from(data))
    }
}

/// `PUT /v1/organizations/{organization_id}/users/{user_id}/disable`.
struct DisableUser<'a> {
    user_id: &'a str,
}

impl Call for DisableUser<'_> {
    const OPERATION: Operation = Operation::DISABLE_USER;
    type Envelope = types::UserStatusResponse;
    type Output = UpdatedUser;

    fn user_id(&self) -> Option<&str> {
        Some(self.user_id)
    }

    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
        api.disable_user(organization_id, self.user_id)
    }

    fn normalize(data: types::UserId) -> Normalized<UpdatedUser> {
        Ok(UpdatedUser::from(data))
    }
}

/// `PUT /v1/organizations/{organization_id}/users/{user_id}/enable`.
struct EnableUser<'a> {
    user_id: &'a str,
}

impl Call for EnableUser<'_> {
    const OPERATION: Operation = Operation::ENABLE_USER;
    type Envelope = types::UserStatusResponse;
    type Output = UpdatedUser;

    fn user_id(&self) -> Option<&str> {
        Some(self.user_id)
    }

    fn send<'a>(&'a self, api: &'a Api, organization_id: &'a str) -> impl Sent<'a, Self> {
        api.enable_user(organization_id, self.user_id)
    }

    fn normalize(data: types::UserId) -> Normalized<UpdatedUser> {
        Ok(UpdatedUser::from(data))
    }
}
