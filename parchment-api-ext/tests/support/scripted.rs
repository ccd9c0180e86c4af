//! A scripted HTTP/1.1 server on 127.0.0.1 for fault injection: each request gets the reply a
//! script computes from its sequence number, with optional delays, lying lengths, bodies
//! streamed without a length, and redirects. Every connection is closed after one exchange,
//! and the server stops when dropped.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
}

impl Seen {
    /// The value of header `name`, if sent.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How a reply's body is sent.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// These bytes, with a matching `Content-Length`.
    Exact(Vec<u8>),
    /// `Content-Length: declared`, but only `sent` bytes before the connection closes.
    Truncated { declared: usize, sent: Vec<u8> },
    /// `total` bytes of `x`, chunked, with no `Content-Length`.
    Chunked { total: usize },
}

/// One reply.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Body,
    pub(crate) delay: Duration,
}

impl Reply {
    /// A JSON reply.
    pub(crate) fn json(status: u16, body: &serde_json::Value) -> Self {
        let mut reply = Self::raw(status, body.to_string().into_bytes());
        reply
            .headers
            .push(("content-type".into(), "application/json".into()));
        reply
    }

    /// A reply with these body bytes and no content type.
    pub(crate) fn raw(status: u16, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Body::Exact(body),
            delay: Duration::ZERO,
        }
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Waits before answering.
    pub(crate) fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Replaces the body's sending.
    pub(crate) fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }
}

type Script = dyn Fn(usize, &Seen) -> Reply + Send + Sync;

/// The running server.
pub(crate) struct Scripted {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Scripted {
    /// Starts a server answering request number `n` (from 0) with `script(n, request)`.
    pub(crate) async fn start(
        script: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self::start_on("127.0.0.1", script).await
    }

    /// Like [`Scripted::start`], on another loopback address (such as `127.0.0.2`).
    pub(crate) async fn start_on(
        host: &str,
        script: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind((host, 0)).await.expect("a loopback port");
        let port = listener.local_addr().expect("its address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let counter = Arc::new(AtomicUsize::new(0));
        let task = {
            let seen = seen.clone();
            tokio::spawn(async move {
                while let Ok((socket, _)) = listener.accept().await {
                    let (seen, script, counter) = (seen.clone(), script.clone(), counter.clone());
                    tokio::spawn(async move {
                        let _ = serve(socket, &seen, &*script, &counter).await;
                    });
                }
            })
        };
        Self { port, seen, task }
    }

    /// The port it listens on.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The requests received so far.
    pub(crate) fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("not poisoned").clone()
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    mut socket: tokio::net::TcpStream,
    seen: &Mutex<Vec<Seen>>,
    script: &Script,
    counter: &AtomicUsize,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let header_end = loop {
        let mut chunk = [0u8; 4096];
        let read = socket.read(&mut chunk).await?;
        if read == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let path = request_line.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let request = Seen {
        method,
        path,
        headers,
    };
    let body_length: usize = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body_read = buffer.len() - header_end - 4;
    while body_read < body_length {
        let mut chunk = [0u8; 4096];
        let read = socket.read(&mut chunk).await?;
        if read == 0 {
            break;
        }
        body_read += read;
    }
    let number = counter.fetch_add(1, Ordering::SeqCst);
    seen.lock().expect("not poisoned").push(request.clone());
    let reply = script(number, &request);
    tokio::time::sleep(reply.delay).await;
    let mut head = format!(
        "HTTP/1.1 {} Scripted\r\nconnection: close\r\n",
        reply.status
    );
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    match reply.body {
        Body::Exact(bytes) => {
            head.push_str(&format!("content-length: {}\r\n\r\n", bytes.len()));
            socket.write_all(head.as_bytes()).await?;
            socket.write_all(&bytes).await?;
        }
        Body::Truncated { declared, sent } => {
            head.push_str(&format!("content-length: {declared}\r\n\r\n"));
            socket.write_all(head.as_bytes()).await?;
            socket.write_all(&sent).await?;
        }
        Body::Chunked { total } => {
            head.push_str("transfer-encoding: chunked\r\n\r\n");
            socket.write_all(head.as_bytes()).await?;
            let chunk = vec![b'x'; 64 * 1024];
            let mut left = total;
            while left > 0 {
                let size = left.min(chunk.len());
                socket.write_all(format!("{size:x}\r\n").as_bytes()).await?;
                socket.write_all(&chunk[..size]).await?;
                socket.write_all(b"\r\n").await?;
                left -= size;
            }
            socket.write_all(b"0\r\n\r\n").await?;
        }
    }
    socket.shutdown().await
}
