//! The blocking client: outside any runtime it runs the async client's operations to completion
//! (against a fake served by a runtime of its own, on background threads); inside a tokio
//! runtime it refuses with a typed error and sends nothing.

use parchment_api_ext::testing::{FakeConfig, FakeParchment};
use parchment_api_ext::{ErrorKind, NewUser, Role, UserUpdate, blocking};

/// A fake served by a multi-thread runtime's workers: the test thread itself runs no runtime.
struct BackgroundFake {
    runtime: tokio::runtime::Runtime,
    fake: Option<FakeParchment>,
}

impl BackgroundFake {
    fn start(config: FakeConfig) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the fake");
        let fake = runtime.block_on(FakeParchment::start_with(config));
        Self {
            runtime,
            fake: Some(fake),
        }
    }

    fn fake(&self) -> &FakeParchment {
        self.fake.as_ref().expect("running until dropped")
    }

    fn client(&self) -> blocking::Client {
        blocking::ClientBuilder::from_async(self.fake().client_builder())
            .build()
            .expect("succeeds")
    }
}

impl Drop for BackgroundFake {
    fn drop(&mut self) {
        if let Some(fake) = self.fake.take() {
            self.runtime.block_on(fake.shutdown());
        }
    }
}

#[test]
fn outside_a_runtime_the_user_operations_run_to_completion() {
    assert!(tokio::runtime::Handle::try_current().is_err());
    let server = BackgroundFake::start(FakeConfig::default().seed_users(30));
    let client = server.client();
    let organization = client.default_organization().expect("succeeds");

    assert!(*organization.validate().expect("succeeds"));
    let users = organization.users();
    let page = users.list().limit(5).send().expect("succeeds");
    assert_eq!(page.users.len(), 5);
    let everyone: Vec<_> = users
        .list()
        .limit(7)
        .iter()
        .collect::<Result<_, _>>()
        .expect("succeeds");
    assert_eq!(everyone.len(), 31, "five pages of 7 and the administrator");

    let created = users
        .create(NewUser::new("Ada", "Lovelace", "ada@example.com").roles([Role::Receptionist]))
        .expect("succeeds");
    let id = created.user_id.clone();
    users
        .update(&id, UserUpdate::new().full_name("Ada King"))
        .expect("succeeds");
    assert_eq!(
        users.get(&id).expect("succeeds").full_name.as_deref(),
        Some("Ada King")
    );
    users.grant_roles(&id, [Role::RxReader]).expect("succeeds");
    users
        .revoke_roles(&id, [Role::Receptionist])
        .expect("succeeds");
    let roles = users
        .set_roles(&id, [Role::Admin, Role::RxReader])
        .expect("succeeds");
    assert!(roles.roles.contains(&Role::Admin));
    users.disable(&id).expect("succeeds");
    users.enable(&id).expect("succeeds");

    let found = users
        .find_by_email("ADA@example.com")
        .expect("the search succeeds")
        .expect("the user is found");
    assert_eq!(found.user_id, id);
    let full: Vec<_> = users
        .read_all(4)
        .collect::<Result<_, _>>()
        .expect("succeeds");
    assert_eq!(full.len(), 32);
}

#[test]
fn a_client_built_outside_refuses_calls_made_inside_a_runtime_and_sends_nothing() {
    let server = BackgroundFake::start(FakeConfig::default());
    let client = server.client();
    let users = client.default_organization().expect("succeeds").users();
    let before = server.fake().requests().len();

    let async_runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime to call from");
    let (get, listed) = async_runtime.block_on(async {
        let get = users.get("usr_abc123def456").expect_err("refused");
        let listed: Vec<_> = users.list().iter().collect();
        (get, listed)
    });

    assert_eq!(get.kind(), ErrorKind::Configuration);
    assert!(get.to_string().contains("async runtime"), "{get}");
    assert_eq!(listed.len(), 1, "the refusal, then the end");
    assert_eq!(
        listed[0].as_ref().expect_err("refused").kind(),
        ErrorKind::Configuration
    );
    assert_eq!(server.fake().requests().len(), before, "nothing was sent");
    // Dropped inside the runtime, the client shuts its own down without panicking.
    async_runtime.block_on(async move { drop(client) });
    drop(users);
}

#[tokio::test]
async fn inside_a_tokio_test_building_is_refused_with_a_configuration_error() {
    let fake = FakeParchment::start().await;

    let refused = blocking::ClientBuilder::from_async(fake.client_builder())
        .build()
        .expect_err("refused");

    assert_eq!(refused.kind(), ErrorKind::Configuration);
    assert!(refused.to_string().contains("async runtime"), "{refused}");
    assert!(fake.requests().is_empty());
}
