//! Blocking HTTP/1.1 clients with full control of the bytes sent (chunked bodies, raw headers).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// Send the body with `Transfer-Encoding: chunked` in chunks of this size.
    pub chunked: Option<usize>,
    pub keep_alive: bool,
}

impl Req {
    pub fn new(method: &str, path: &str) -> Req {
        Req {
            method: method.into(),
            path: path.into(),
            headers: vec![("Host".into(), "localhost".into())],
            body: None,
            chunked: None,
            keep_alive: false,
        }
    }

    pub fn get(path: &str) -> Req {
        Req::new("GET", path)
    }

    pub fn header(mut self, name: &str, value: &str) -> Req {
        if name.eq_ignore_ascii_case("host") {
            self.headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case("host"));
        }
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Req {
        self.body = Some(body.into());
        self
    }

    pub fn chunked(mut self, size: usize) -> Req {
        self.chunked = Some(size);
        self
    }

    pub fn keep_alive(mut self) -> Req {
        self.keep_alive = true;
        self
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{} {} HTTP/1.1\r\n", self.method, self.path).into_bytes();
        for (k, v) in &self.headers {
            out.extend(format!("{k}: {v}\r\n").bytes());
        }
        if !self.keep_alive {
            out.extend(b"Connection: close\r\n");
        }
        match (&self.body, self.chunked) {
            (Some(body), Some(size)) => {
                out.extend(b"Transfer-Encoding: chunked\r\n\r\n");
                for chunk in body.chunks(size.max(1)) {
                    out.extend(format!("{:x}\r\n", chunk.len()).bytes());
                    out.extend(chunk);
                    out.extend(b"\r\n");
                }
                out.extend(b"0\r\n\r\n");
            }
            (Some(body), None) => {
                out.extend(format!("Content-Length: {}\r\n\r\n", body.len()).bytes());
                out.extend(body);
            }
            (None, _) => out.extend(b"\r\n"),
        }
        out
    }
}

pub fn connect(port: u16) -> io::Result<TcpStream> {
    let s = TcpStream::connect_timeout(&format!("127.0.0.1:{port}").parse().unwrap(), TIMEOUT)?;
    s.set_read_timeout(Some(TIMEOUT))?;
    s.set_write_timeout(Some(TIMEOUT))?;
    s.set_nodelay(true)?;
    Ok(s)
}

/// One request on a new connection.
pub fn send(port: u16, req: &Req) -> io::Result<Response> {
    let mut stream = connect(port)?;
    stream.write_all(&req.to_bytes())?;
    let mut reader = BufReader::new(stream);
    read_response(&mut reader, req.method == "HEAD")
}

pub fn get(port: u16, path: &str) -> io::Result<Response> {
    send(port, &Req::get(path))
}

/// Several requests over one keep-alive connection.
pub struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    pub fn open(port: u16) -> io::Result<Conn> {
        Ok(Conn {
            reader: BufReader::new(connect(port)?),
        })
    }

    pub fn send(&mut self, req: &Req) -> io::Result<Response> {
        self.reader.get_mut().write_all(&req.to_bytes())?;
        read_response(&mut self.reader, req.method == "HEAD")
    }

    pub fn into_inner(self) -> BufReader<TcpStream> {
        self.reader
    }
}

pub fn read_head<R: BufRead>(r: &mut R) -> io::Result<(u16, Vec<(String, String)>)> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed before a response",
        ));
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("bad status line {line:?}"),
            )
        })?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        r.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    Ok((status, headers))
}

pub fn read_response<R: BufRead>(r: &mut R, head_request: bool) -> io::Result<Response> {
    let (status, headers) = read_head(r)?;
    let find = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if head_request || status < 200 || status == 204 || status == 304 {
        // no body
    } else if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size_line = String::new();
            r.read_line(&mut size_line)?;
            let size = usize::from_str_radix(size_line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("bad chunk size {size_line:?}"),
                    )
                })?;
            if size == 0 {
                let mut trailer = String::new();
                r.read_line(&mut trailer)?;
                break;
            }
            let mut chunk = vec![0; size + 2];
            r.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(len) = find("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(len, 0);
        r.read_exact(&mut body)?;
    } else {
        r.read_to_end(&mut body)?;
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// One WebSocket frame (FIN set). Clients must mask; servers must not.
pub fn ws_frame(opcode: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mut out = vec![0x80 | opcode];
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => out.push(mask_bit | n as u8),
        n if n <= u16::MAX as usize => {
            out.push(mask_bit | 126);
            out.extend((n as u16).to_be_bytes());
        }
        n => {
            out.push(mask_bit | 127);
            out.extend((n as u64).to_be_bytes());
        }
    }
    match mask {
        Some(m) => {
            out.extend(m);
            out.extend(payload.iter().enumerate().map(|(i, b)| b ^ m[i % 4]));
        }
        None => out.extend(payload),
    }
    out
}

pub fn read_ws_frame<R: Read>(r: &mut R) -> io::Result<(u8, Vec<u8>)> {
    let mut head = [0u8; 2];
    r.read_exact(&mut head)?;
    let opcode = head[0] & 0x0f;
    let masked = head[1] & 0x80 != 0;
    let len = match head[1] & 0x7f {
        126 => {
            let mut b = [0u8; 2];
            r.read_exact(&mut b)?;
            u16::from_be_bytes(b) as usize
        }
        127 => {
            let mut b = [0u8; 8];
            r.read_exact(&mut b)?;
            u64::from_be_bytes(b) as usize
        }
        n => n as usize,
    };
    let mut mask = [0u8; 4];
    if masked {
        r.read_exact(&mut mask)?;
    }
    let mut payload = vec![0; len];
    r.read_exact(&mut payload)?;
    if masked {
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= mask[i % 4];
        }
    }
    Ok((opcode, payload))
}

/// A TLS client limited to the given protocol range, verifying nothing (test certificates).
pub fn tls_connect(
    port: u16,
    min: openssl::ssl::SslVersion,
    max: openssl::ssl::SslVersion,
) -> Result<openssl::ssl::SslStream<TcpStream>, String> {
    use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
    let mut builder = SslConnector::builder(SslMethod::tls_client()).map_err(|e| e.to_string())?;
    builder.set_verify(SslVerifyMode::NONE);
    // Let this client offer old protocols at all (OpenSSL 3 hides them below security level 1),
    // so a refusal can only come from the server.
    builder.set_security_level(0);
    builder
        .set_cipher_list("ALL:@SECLEVEL=0")
        .map_err(|e| e.to_string())?;
    builder
        .set_min_proto_version(Some(min))
        .map_err(|e| e.to_string())?;
    builder
        .set_max_proto_version(Some(max))
        .map_err(|e| e.to_string())?;
    let connector = builder.build();
    let tcp = connect(port).map_err(|e| e.to_string())?;
    connector
        .configure()
        .map_err(|e| e.to_string())?
        .verify_hostname(false)
        .use_server_name_indication(false)
        .connect("localhost", tcp)
        .map_err(|e| e.to_string())
}
