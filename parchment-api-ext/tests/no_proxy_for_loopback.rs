//! A system proxy never sees a loopback call: `HTTP_PROXY` and `ALL_PROXY` point at a listener
//! that must receive nothing while the call reaches its loopback server. The call is made by a
//! child process of this test binary, started with the variables set: they are process-wide, and
//! setting them in a running test would be `unsafe`.

mod support;

use serde_json::json;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Set in the child process that makes the call.
const CHILD: &str = "PARCHMENT_NO_PROXY_TEST_CHILD";
/// This test's name, for the child to run it alone.
const TEST: &str = "proxy_variables_do_not_apply_to_a_loopback_base_url";

#[tokio::test]
async fn proxy_variables_do_not_apply_to_a_loopback_base_url() {
    let proxy = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let proxy_url = format!("http://{}", proxy.local_addr().expect("an address"));
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    std::thread::spawn(move || {
        for stream in proxy.incoming() {
            if stream.is_ok() {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    if std::env::var_os(CHILD).is_none() {
        // Setting variables in this process is `unsafe` (and forbidden here): run this same test
        // in a child process of this binary, with the proxy variables set for it alone.
        let status = std::process::Command::new(std::env::current_exe().expect("the test binary"))
            .args([TEST, "--exact", "--test-threads=1"])
            .env(CHILD, "1")
            .env("HTTP_PROXY", &proxy_url)
            .env("http_proxy", &proxy_url)
            .env("ALL_PROXY", &proxy_url)
            .env("all_proxy", &proxy_url)
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .status()
            .expect("the child test runs");
        assert!(
            status.success(),
            "the call through the child's client failed"
        );
        assert_eq!(
            connections.load(Ordering::SeqCst),
            0,
            "the proxy saw the call"
        );
        return;
    }
    // A plain loopback server (no mock library, whose own client might honour the proxy).
    let target = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let base_url = format!("http://{}", target.local_addr().expect("an address"));
    std::thread::spawn(move || {
        let body = support::envelope(json!({"user_id": "usr_1"})).to_string();
        for stream in target.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let user = support::client(&base_url)
        .organization(support::ORG)
        .users()
        .get("usr_1")
        .await
        .expect("the call reaches the loopback server directly");
    assert_eq!(user.user_id, "usr_1");
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "the proxy saw the call"
    );
}
