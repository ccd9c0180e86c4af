//! FakeParchment as a long-running process: thousands of connections (sequential,
//! concurrent, abandoned mid-request, stalled in their headers, with oversized bodies) leave
//! no connection task behind, memory flat and the server idle; `parchment-fake` refuses a
//! `--seed` it would overflow on or take hours to build.

use parchment_api_ext::testing::{FakeConfig, FakeParchment};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn address(fake: &FakeParchment) -> SocketAddr {
    fake.base_url()
        .trim_start_matches("http://")
        .parse()
        .expect("an address")
}

/// One request on its own connection; returns the status line's code.
async fn one_request(address: SocketAddr, org: &str) -> u16 {
    let mut stream = TcpStream::connect(address).await.expect("connected");
    let request = format!(
        "GET /v1/organizations/{org}/validate HTTP/1.1\r\nhost: fake\r\nconnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("sent");
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply).await;
    String::from_utf8_lossy(&reply)
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

/// Resident memory of this process, in KiB (Linux).
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// User + system CPU time of this process so far, in clock ticks (Linux).
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

async fn wait_for_no_connections(fake: &FakeParchment, within: Duration) {
    let deadline = Instant::now() + within;
    while fake.open_connections() > 0 {
        assert!(
            Instant::now() < deadline,
            "{} connections still open",
            fake.open_connections()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_connections_leave_nothing_behind() {
    let fake = FakeParchment::start_with(
        FakeConfig::default().header_read_timeout(Duration::from_millis(1500)),
    )
    .await;
    let address = address(&fake);
    let org = fake.credentials().organization_id.clone();
    // Warm up allocator pools and the runtime before the baseline.
    for _ in 0..200 {
        assert_eq!(one_request(address, &org).await, 401);
    }
    wait_for_no_connections(&fake, Duration::from_secs(3)).await;
    let baseline = rss_kib();
    let started = Instant::now();

    for _ in 0..2_000 {
        assert_eq!(one_request(address, &org).await, 401);
    }
    for _wave in 0..8 {
        let requests: Vec<_> = (0..250)
            .map(|_| {
                let org = org.clone();
                tokio::spawn(async move { one_request(address, &org).await })
            })
            .collect();
        for request in requests {
            assert_eq!(request.await.expect("joined"), 401);
        }
    }
    // Abandoned mid-request: half a request line, then the client goes away.
    for _ in 0..500 {
        let mut stream = TcpStream::connect(address).await.expect("connected");
        stream.write_all(b"GET /v1/organiza").await.expect("sent");
    }
    // Stalled: headers started and never finished; the server must close them itself. (The
    // header timeout is generous: on a loaded machine a client task may be scheduled late.)
    let mut stalled = Vec::new();
    for _ in 0..100 {
        let mut stream = TcpStream::connect(address).await.expect("connected");
        stream
            .write_all(b"GET /v1/token HTTP/1.1\r\nhost: fake\r\n")
            .await
            .expect("sent");
        stalled.push(stream);
    }
    // Oversized bodies are refused from the declared length, without reading them.
    for _ in 0..50 {
        let mut stream = TcpStream::connect(address).await.expect("connected");
        let head = "POST /v1/token HTTP/1.1\r\nhost: fake\r\ncontent-type: application/json\r\n\
                    content-length: 2097152\r\nconnection: close\r\n\r\n";
        stream.write_all(head.as_bytes()).await.expect("sent");
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply).await;
        assert!(
            String::from_utf8_lossy(&reply).starts_with("HTTP/1.1 413"),
            "{}",
            String::from_utf8_lossy(&reply)
        );
    }
    for mut stream in stalled {
        // Whatever the server says last (nothing, or a 408), it ends the connection.
        let mut rest = Vec::new();
        let ended =
            tokio::time::timeout(Duration::from_secs(8), stream.read_to_end(&mut rest)).await;
        assert!(ended.is_ok(), "the server closes a stalled connection");
    }
    wait_for_no_connections(&fake, Duration::from_secs(3)).await;
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "bounded in time"
    );

    if let (Some(before), Some(after)) = (baseline, rss_kib()) {
        // 4,650 connections; a leak of even one small task each would show well above this.
        assert!(
            after < before + 32 * 1024,
            "memory grew from {before} KiB to {after} KiB"
        );
    }
    // Idle after: nothing left spinning (a spinning accept loop burns a whole second here).
    if let Some(before) = cpu_ticks() {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let after = cpu_ticks().unwrap_or(before);
        assert!(
            after - before <= 20,
            "{} ticks of CPU while idle",
            after - before
        );
    }
    // And still serving.
    assert_eq!(one_request(address, &org).await, 401);
}

#[test]
fn the_process_refuses_a_seed_it_would_overflow_on() {
    let binary = env!("CARGO_BIN_EXE_parchment-fake");
    for seed in [
        "18446744073709551615",
        "99999999999999999999999",
        "1000001",
        "-1",
    ] {
        let output = std::process::Command::new(binary)
            .args(["--port", "0", "--seed", seed])
            .output()
            .expect("the binary runs");
        assert_eq!(output.status.code(), Some(2), "--seed {seed}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("usage"));
    }
}

#[test]
fn the_process_serves_with_a_valid_seed() {
    use std::io::{BufRead, BufReader};
    let binary = env!("CARGO_BIN_EXE_parchment-fake");
    let mut child = std::process::Command::new(binary)
        .args(["--port", "0", "--seed", "1000"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut first = String::new();
    if let Some(stdout) = child.stdout.take() {
        let _ = BufReader::new(stdout).read_line(&mut first);
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        first.starts_with("FakeParchment listening on http://127.0.0.1:"),
        "{first}"
    );
}
