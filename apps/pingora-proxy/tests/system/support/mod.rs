//! Test harness: the real gateway binary, real upstream servers on 127.0.0.1 ephemeral ports,
//! and small blocking HTTP/TLS/WebSocket clients. Every wait is bounded.

#![allow(dead_code)]

pub mod client;
pub mod jwt;
pub mod upstream;

pub use client::*;
pub use upstream::Upstream;

use std::fs::File;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A port nothing listens on right now (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn scratch_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "pingora-proxy-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_pingora-proxy")
}

/// Runs the binary to completion (for `--validate`), with a clean environment.
pub fn run_binary(args: &[&str], env: &[(&str, &str)]) -> (ExitStatus, String, String) {
    let mut cmd = Command::new(binary());
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    clean_env(&mut cmd);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run pingora-proxy");
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Variables of the surrounding shell that would change the gateway's configuration.
fn clean_env(cmd: &mut Command) {
    for (key, _) in std::env::vars() {
        if key.starts_with("UPSTREAM_")
            || matches!(
                key.as_str(),
                "PINGORA_CONFIG" | "OAUTH_ISSUER" | "PUBLIC_URL" | "OAUTH_JWKS_URL"
            )
        {
            cmd.env_remove(key);
        }
    }
    cmd.env("RUST_LOG", "warn,gateway=info,pingora_load_balancing=info");
}

pub struct Gateway {
    pub port: u16,
    child: Option<Child>,
    pub dir: PathBuf,
}

impl Gateway {
    /// Starts the gateway with `yaml`, where `{bind}` is replaced by a free loopback address.
    /// Waits until `/healthz` answers.
    pub fn start(yaml: &str) -> Gateway {
        Self::start_with_env(yaml, &[])
    }

    pub fn start_with_env(yaml: &str, env: &[(&str, &str)]) -> Gateway {
        Self::start_opts(yaml, env, false)
    }

    /// For a TLS listener: readiness is checked over TLS.
    pub fn start_tls(yaml: &str) -> Gateway {
        Self::start_opts(yaml, &[], true)
    }

    fn start_opts(yaml: &str, env: &[(&str, &str)], tls: bool) -> Gateway {
        for _attempt in 0..3 {
            let port = free_port();
            let dir = scratch_dir();
            let config = dir.join("gateway.yaml");
            std::fs::write(
                &config,
                yaml.replace("{bind}", &format!("127.0.0.1:{port}")),
            )
            .unwrap();
            let mut cmd = Command::new(binary());
            cmd.arg("--config").arg(&config).current_dir(&dir);
            clean_env(&mut cmd);
            for (k, v) in env {
                cmd.env(k, v);
            }
            cmd.stdin(Stdio::null())
                .stdout(File::create(dir.join("stdout.log")).unwrap())
                .stderr(File::create(dir.join("stderr.log")).unwrap());
            let child = cmd.spawn().expect("spawn pingora-proxy");
            let mut gw = Gateway {
                port,
                child: Some(child),
                dir,
            };
            if gw.wait_ready(Duration::from_secs(20), tls) {
                return gw;
            }
            // Lost a race for the port, or failed: show why, then try once more.
            eprintln!("gateway did not start on {port}:\n{}", gw.stderr());
            gw.kill();
        }
        panic!("the gateway did not start");
    }

    fn wait_ready(&mut self, limit: Duration, tls: bool) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(Ok(Some(_))) = self.child.as_mut().map(|c| c.try_wait()) {
                return false;
            }
            if tls {
                use openssl::ssl::SslVersion;
                if let Ok(mut s) = tls_connect(self.port, SslVersion::TLS1_2, SslVersion::TLS1_3) {
                    use std::io::Write;
                    if s.write_all(&Req::get("/healthz").to_bytes()).is_ok() {
                        if let Ok(r) = read_response(&mut std::io::BufReader::new(s), false) {
                            if r.status == 200 {
                                return true;
                            }
                        }
                    }
                }
            } else if let Ok(r) = get(self.port, "/healthz") {
                if r.status == 200 {
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn stdout(&self) -> String {
        std::fs::read_to_string(self.dir.join("stdout.log")).unwrap_or_default()
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.join("stderr.log")).unwrap_or_default()
    }

    pub fn access_log(&self) -> Vec<serde_json::Value> {
        self.stdout()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    pub fn metrics(&self) -> String {
        get(self.port, "/metrics")
            .map(|r| r.text())
            .unwrap_or_default()
    }

    /// The value of one metric sample, e.g. `pingora_upstream_health{server="...",upstream="..."}`.
    pub fn metric(&self, sample: &str) -> Option<f64> {
        self.metrics().lines().find_map(|l| {
            l.strip_prefix(sample)
                .and_then(|rest| rest.trim().parse().ok())
        })
    }

    pub fn upstream_health(&self, upstream: &str, server: &str) -> Option<f64> {
        self.metric(&format!(
            "pingora_upstream_health{{server=\"{server}\",upstream=\"{upstream}\"}}"
        ))
    }

    /// Polls `check` until it is true or `limit` passes; returns the time it took.
    pub fn wait_for(limit: Duration, mut check: impl FnMut() -> bool) -> Option<Duration> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if check() {
                return Some(start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(|c| c.id()).unwrap_or(0)
    }

    /// Sends SIGTERM and waits (bounded) for the exit.
    pub fn terminate(&mut self, limit: Duration) -> Option<(ExitStatus, Duration)> {
        let pid = self.pid().to_string();
        let start = Instant::now();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        while start.elapsed() < limit {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                self.child = None;
                return Some((status, start.elapsed()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!("--- gateway stderr ---\n{}", self.stderr());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The `server:` section every system test starts from (the listener is filled in by `Gateway`).
pub const SERVER: &str = "
server:
  bind_address: '{bind}'
  worker_threads: 2
  grace_period: 0
  graceful_shutdown_timeout: 1
";

/// One upstream block with fast active health checks (interval 200ms, retries 2).
pub fn upstream_yaml(name: &str, servers: &[String], extra: &str) -> String {
    let list = servers
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "  - name: {name}
    servers: [{list}]
    health_check: {{path: /health, interval: 200ms, timeout: 200ms, retries: 2}}
    load_balancing: {{algorithm: round_robin, max_fails: 1, fail_timeout: 1s}}
    connect_timeout: 1s
    read_timeout: 5s
{extra}"
    )
}
