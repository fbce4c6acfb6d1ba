//! A real upstream HTTP/1.1 server on 127.0.0.1 (thread per connection, keep-alive). It echoes
//! requests as JSON, answers `/health`, streams SSE at `/sse`, echoes WebSocket frames at `/ws`
//! and serves a JWKS at `/jwks`. `kill()` drops the listener and every open connection at once,
//! like a crashed process.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

#[derive(Default)]
struct Shared {
    hits: AtomicUsize,
    health_hits: AtomicUsize,
    jwks_hits: AtomicUsize,
    unhealthy: AtomicBool,
    draining: AtomicBool,
    stopped: AtomicBool,
    jwks: Mutex<String>,
    conns: Mutex<Vec<TcpStream>>,
    last_request: Mutex<Option<serde_json::Value>>,
}

pub struct Upstream {
    pub name: String,
    pub port: u16,
    shared: Arc<Shared>,
}

impl Upstream {
    pub fn start(name: &str) -> Upstream {
        Self::bind(
            name,
            TcpListener::bind("127.0.0.1:0").expect("bind upstream"),
        )
    }

    /// Starts again on a given port (a restarted instance).
    pub fn start_on(name: &str, port: u16) -> Upstream {
        let mut last = None;
        for _ in 0..50 {
            match TcpListener::bind(("127.0.0.1", port)) {
                Ok(l) => return Self::bind(name, l),
                Err(e) => last = Some(e),
            }
            thread::sleep(Duration::from_millis(100));
        }
        panic!("cannot rebind 127.0.0.1:{port}: {last:?}");
    }

    fn bind(name: &str, listener: TcpListener) -> Upstream {
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared::default());
        let s = shared.clone();
        let server_name = name.to_string();
        thread::spawn(move || {
            for stream in listener.incoming() {
                if s.stopped.load(SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                if let Ok(clone) = stream.try_clone() {
                    s.conns.lock().unwrap().push(clone);
                }
                let s = s.clone();
                let name = server_name.clone();
                thread::spawn(move || {
                    let _ = serve(stream, &name, &s);
                });
            }
            // Dropping the listener here refuses new connections.
        });
        Upstream {
            name: name.to_string(),
            port,
            shared,
        }
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Requests other than health checks and JWKS fetches.
    pub fn hits(&self) -> usize {
        self.shared.hits.load(SeqCst)
    }

    pub fn health_hits(&self) -> usize {
        self.shared.health_hits.load(SeqCst)
    }

    pub fn jwks_hits(&self) -> usize {
        self.shared.jwks_hits.load(SeqCst)
    }

    pub fn set_jwks(&self, jwks: &str) {
        *self.shared.jwks.lock().unwrap() = jwks.to_string();
    }

    /// Answers every request with `x-draining: 1`, as a platform service does while it shuts down.
    pub fn set_draining(&self, draining: bool) {
        self.shared.draining.store(draining, SeqCst);
    }

    pub fn set_healthy(&self, healthy: bool) {
        self.shared.unhealthy.store(!healthy, SeqCst);
    }

    /// The last echoed request as JSON (method, path, headers, body_len).
    pub fn last_request(&self) -> Option<serde_json::Value> {
        self.shared.last_request.lock().unwrap().clone()
    }

    /// Stops like a killed process: no new connections, every open one reset.
    pub fn kill(&self) {
        if self.shared.stopped.swap(true, SeqCst) {
            return;
        }
        // Wake the accept loop so it drops the listener.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        for c in self.shared.conns.lock().unwrap().drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
        // Let the accept thread exit and the port close.
        for _ in 0..100 {
            if TcpStream::connect_timeout(
                &format!("127.0.0.1:{}", self.port).parse().unwrap(),
                Duration::from_millis(100),
            )
            .is_err()
            {
                break;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.kill();
    }
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn read_request<R: BufRead>(r: &mut R) -> io::Result<Option<Request>> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "bad request line",
        ));
    };
    let (method, target) = (method.to_string(), target.to_string());
    let mut headers = Vec::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let mut req = Request {
        method,
        target,
        headers,
        body: Vec::new(),
    };
    if req
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size = String::new();
            if r.read_line(&mut size)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "body cut short",
                ));
            }
            let n = usize::from_str_radix(size.trim(), 16)
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
            if n == 0 {
                let mut end = String::new();
                r.read_line(&mut end)?;
                break;
            }
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk)?;
            req.body.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(n) = req
        .header("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        req.body.resize(n, 0);
        r.read_exact(&mut req.body)?;
    }
    Ok(Some(req))
}

fn respond(
    w: &mut TcpStream,
    status: u16,
    content_type: &str,
    extra: &[(&str, String)],
    body: &[u8],
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    w.write_all(&out)
}

fn serve(stream: TcpStream, name: &str, s: &Shared) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    while let Some(req) = read_request(&mut reader)? {
        if s.stopped.load(SeqCst) {
            return Ok(());
        }
        let path = req.target.split('?').next().unwrap_or("").to_string();
        let close = req
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        match path.as_str() {
            "/health" => {
                s.health_hits.fetch_add(1, SeqCst);
                let status = if s.unhealthy.load(SeqCst) { 503 } else { 200 };
                respond(&mut writer, status, "text/plain", &[], b"ok")?;
            }
            "/jwks" => {
                s.jwks_hits.fetch_add(1, SeqCst);
                let body = s.jwks.lock().unwrap().clone();
                respond(&mut writer, 200, "application/json", &[], body.as_bytes())?;
            }
            p if p.ends_with("/sse") => {
                s.hits.fetch_add(1, SeqCst);
                send_events(&mut writer)?;
            }
            p if p.ends_with("/ws")
                && req
                    .header("upgrade")
                    .is_some_and(|u| u.eq_ignore_ascii_case("websocket")) =>
            {
                s.hits.fetch_add(1, SeqCst);
                accept_websocket(&mut writer, &req)?;
                return websocket_echo(&mut reader, &mut writer);
            }
            p if p.ends_with("/slow") => {
                s.hits.fetch_add(1, SeqCst);
                thread::sleep(Duration::from_millis(1500));
                respond(&mut writer, 200, "text/plain", &[], b"slow")?;
            }
            _ => {
                s.hits.fetch_add(1, SeqCst);
                echo(&mut writer, &req, name, s)?;
            }
        }
        if close {
            break;
        }
    }
    Ok(())
}

/// Three server-sent events, 400 ms apart, in a chunked response.
fn send_events(writer: &mut TcpStream) -> io::Result<()> {
    writer.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n")?;
    for i in 1..=3 {
        let event = format!("data: event-{i}\n\n");
        writer.write_all(format!("{:x}\r\n{event}\r\n", event.len()).as_bytes())?;
        writer.flush()?;
        if i < 3 {
            thread::sleep(Duration::from_millis(400));
        }
    }
    writer.write_all(b"0\r\n\r\n")?;
    Ok(())
}

/// The 101 answer to a WebSocket upgrade request (RFC 6455 `Sec-WebSocket-Accept`).
fn accept_websocket(writer: &mut TcpStream, req: &Request) -> io::Result<()> {
    let key = req.header("sec-websocket-key").unwrap_or_default();
    let accept = STANDARD.encode(openssl::sha::sha1(
        format!("{key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11").as_bytes(),
    ));
    writer.write_all(
        format!("HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: {accept}\r\n\r\n").as_bytes(),
    )
}

/// Answers with a JSON description of the request (server name, method, path, headers, body length).
fn echo(writer: &mut TcpStream, req: &Request, name: &str, s: &Shared) -> io::Result<()> {
    let headers: BTreeMap<_, _> = req.headers.iter().cloned().collect();
    let echo = serde_json::json!({
        "server": name, "method": req.method, "path": req.target,
        "headers": headers, "body_len": req.body.len(),
    });
    *s.last_request.lock().unwrap() = Some(echo.clone());
    let mut extra = vec![("x-upstream", name.to_string())];
    if s.draining.load(SeqCst) {
        extra.push(("x-draining", "1".to_string()));
    }
    respond(
        writer,
        200,
        "application/json",
        &extra,
        echo.to_string().as_bytes(),
    )
}

/// Echoes every data frame back (unmasked, as a server must); answers close with close.
fn websocket_echo<R: Read>(r: &mut R, w: &mut TcpStream) -> io::Result<()> {
    loop {
        let (opcode, payload) = super::client::read_ws_frame(r)?;
        if opcode == 0x8 {
            w.write_all(&super::client::ws_frame(0x8, &payload, None))?;
            return Ok(());
        }
        w.write_all(&super::client::ws_frame(opcode, &payload, None))?;
    }
}
