//! Whatever bytes come back, under whatever status, the client returns a value or a typed error
//! that keeps the status: never a panic. Arbitrary bytes and arbitrary JSON (including values
//! shaped like the envelope) are served by a loopback server and read through the public client.

mod support;

use parchment_api_ext::{Client, ErrorKind, RetryPolicy};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use support::scripted::{Reply, Scripted};
use support::{ORG, ORG_SECRET, TOKEN};

/// One runtime and one server for all cases; each case sets the reply the server gives.
struct Harness {
    runtime: tokio::runtime::Runtime,
    reply: Arc<Mutex<Reply>>,
    client: Client,
    _server: Scripted,
}

impl Harness {
    fn new() -> Self {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        let reply = Arc::new(Mutex::new(Reply::raw(200, Vec::new())));
        let served = reply.clone();
        let server = runtime.block_on(Scripted::start(move |_, _| {
            served.lock().expect("not poisoned").clone()
        }));
        let client = Client::builder()
            .base_url(server.base_url())
            .access_token(TOKEN)
            .organization_secret(ORG_SECRET)
            .retry_policy(RetryPolicy::never())
            .build()
            .expect("a client");
        Self {
            runtime,
            reply,
            client,
            _server: server,
        }
    }

    /// Serves `status` with `body` to a read-user and a list-users call, and checks both.
    fn check(&self, status: u16, body: Vec<u8>) -> Result<(), TestCaseError> {
        *self.reply.lock().expect("not poisoned") =
            Reply::raw(status, body).header("x-request-id", "hdr-req-1");
        let users = self.client.organization(ORG).users();
        let (read, list) = self.runtime.block_on(async {
            (
                users.get("usr_1").await.map(drop),
                users.list().send().await.map(drop),
            )
        });
        for result in [read, list] {
            if let Err(error) = result {
                prop_assert_eq!(
                    error.status().map(|s| s.as_u16()),
                    Some(status),
                    "{:?}",
                    error
                );
                prop_assert!(error.request_id().is_some(), "{:?}", error);
                if status >= 400 {
                    prop_assert_ne!(error.kind(), ErrorKind::Decode);
                }
                // Display and Debug stay short whatever the body.
                prop_assert!(error.to_string().len() < 2_000);
                let debug = format!("{error:?}");
                prop_assert!(debug.len() < 4_000);
            } else {
                prop_assert!(
                    (200..300).contains(&status),
                    "a {} was taken for a success",
                    status
                );
            }
        }
        Ok(())
    }
}

fn statuses() -> impl Strategy<Value = u16> {
    prop::sample::select(vec![
        200u16, 201, 204, 400, 401, 403, 404, 409, 418, 422, 429, 500, 502, 503,
    ])
}

/// JSON of any shape, biased towards the envelope's member names.
fn json_values() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let key = prop::sample::select(vec![
            "success",
            "statusCode",
            "data",
            "error",
            "requestId",
            "users",
            "pagination",
            "lastKey",
            "user_id",
            "access_roles",
            "provider_details",
            "validation",
            "title",
            "detail",
            "code",
            "x",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(key.prop_map(str::to_owned), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(status in statuses(), body in prop::collection::vec(any::<u8>(), 0..512)) {
        HARNESS.with(|harness| harness.check(status, body))?;
    }

    #[test]
    fn arbitrary_json_never_panics(status in statuses(), value in json_values()) {
        HARNESS.with(|harness| harness.check(status, value.to_string().into_bytes()))?;
    }

    #[test]
    fn envelope_shaped_json_never_panics(status in statuses(), data in json_values(), error in json_values()) {
        let body = json!({"success": status < 300, "statusCode": 999, "data": data, "error": error, "requestId": "req_x"});
        HARNESS.with(|harness| harness.check(status, body.to_string().into_bytes()))?;
    }
}

thread_local! {
    static HARNESS: Harness = Harness::new();
}
