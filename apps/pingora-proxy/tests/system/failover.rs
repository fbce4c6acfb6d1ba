//! Health: active checks, passive ejection, retries on another server, all-down answers.

use crate::support::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const INTERVAL: Duration = Duration::from_millis(200);
const RETRIES: u32 = 2;

#[test]
fn killing_one_of_two_servers_loses_no_request_and_it_comes_back() {
    let a = Upstream::start("a");
    let b = Upstream::start("b");
    let a_port = a.port;
    let a_addr = a.addr();
    // Passive ejection off (max_fails: 0): the health metric must come from the active checks.
    let yaml = format!(
        "{SERVER}upstreams:\n{}routes:\n  - {{prefix: /, upstream: pool}}\n",
        upstream_yaml("pool", &[a.addr(), b.addr()], "").replace("max_fails: 1", "max_fails: 0")
    );
    let gw = Gateway::start(&yaml);
    assert_eq!(gw.upstream_health("pool", &a_addr), Some(1.0));

    // A steady stream from two clients while `a` is killed.
    let stream = RequestStream::start(gw.port);
    thread::sleep(Duration::from_millis(700));
    let before = a.hits();
    assert!(before > 0, "a should have served part of the stream");
    a.kill();
    let killed = Instant::now();
    let detected = Gateway::wait_for(Duration::from_secs(5), || {
        gw.upstream_health("pool", &a_addr) == Some(0.0)
    })
    .map(|_| killed.elapsed())
    .expect("pingora_upstream_health should drop to 0");
    thread::sleep(Duration::from_millis(800));
    let (sent, failures) = stream.finish();
    assert!(
        failures.is_empty(),
        "{} of {} requests failed: {:?}",
        failures.len(),
        sent,
        &failures[..failures.len().min(5)]
    );
    // interval × retries, plus one scrape and scheduling slack on a loaded 2-core machine.
    let bound = INTERVAL * RETRIES + Duration::from_millis(300);
    assert!(
        detected <= bound,
        "down after {detected:?}, expected within {bound:?}"
    );
    eprintln!("failover: {sent} requests, none failed; marked down {detected:?} after the kill");

    // Back on the same port: healthy again, and it takes traffic.
    let a2 = Upstream::start_on("a", a_port);
    Gateway::wait_for(Duration::from_secs(5), || {
        gw.upstream_health("pool", &a_addr) == Some(1.0)
    })
    .expect("a should be healthy again");
    for i in 0..40 {
        assert_eq!(get(gw.port, &format!("/again/{i}")).unwrap().status, 200);
    }
    assert!(
        a2.hits() >= 10,
        "the restarted server got {} of 40 requests",
        a2.hits()
    );
}

#[test]
fn every_server_down_answers_problem_json_with_the_request_id() {
    let dead = format!("127.0.0.1:{}", free_port());
    let yaml = format!(
        "{SERVER}upstreams:\n{}routes:\n  - {{prefix: /, upstream: pool}}\n",
        upstream_yaml("pool", std::slice::from_ref(&dead), "")
    );
    let gw = Gateway::start(&yaml);
    let mut seen = Vec::new();
    // 502 while the server is merely unreachable, 503 once it is known down.
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline && !seen.contains(&503) {
        let r = send(
            gw.port,
            &Req::get("/x").header("X-Request-Id", "trace-me-1"),
        )
        .unwrap();
        assert!(
            r.status == 502 || r.status == 503,
            "{} {}",
            r.status,
            r.text()
        );
        assert!(r
            .header("content-type")
            .unwrap()
            .starts_with("application/problem+json"));
        let p = r.json();
        for member in [
            "type",
            "title",
            "status",
            "detail",
            "instance",
            "code",
            "request_id",
        ] {
            assert!(p.get(member).is_some(), "problem lacks {member}: {p}");
        }
        assert_eq!(p["request_id"], "trace-me-1");
        assert_eq!(r.header("x-request-id"), Some("trace-me-1"));
        assert_eq!(p["status"], r.status);
        seen.push(r.status);
        thread::sleep(Duration::from_millis(50));
    }
    assert!(seen.contains(&503), "{seen:?}");
    assert_eq!(gw.upstream_health("pool", &dead), Some(0.0));
    // The gateway itself stays healthy.
    assert_eq!(get(gw.port, "/healthz").unwrap().status, 200);
}

#[test]
fn passive_ejection_without_active_checks() {
    let live = Upstream::start("live");
    let dead = format!("127.0.0.1:{}", free_port());
    let yaml = format!(
        "{SERVER}upstreams:
  - name: pool
    servers: ['{}', '{dead}']
    health_check: {{enabled: false}}
    load_balancing: {{algorithm: round_robin, max_fails: 2, fail_timeout: 2s}}
    connect_timeout: 1s
routes:\n  - {{prefix: /, upstream: pool}}\n",
        live.addr()
    );
    let gw = Gateway::start(&yaml);
    assert_eq!(
        gw.upstream_health("pool", &dead),
        Some(1.0),
        "no active checks: up until it fails"
    );
    // Until ejected, requests that pick the dead server are retried on the live one.
    let mut failed_over = 0;
    for i in 0..6 {
        let id = format!("warm-{i}");
        assert_eq!(status_of(&gw, &id), 200);
        if attempts(&gw, &id) == 2 {
            failed_over += 1;
        }
        if gw.upstream_health("pool", &dead) == Some(0.0) {
            break;
        }
    }
    assert_eq!(
        failed_over, 2,
        "max_fails = 2 failed attempts before the ejection"
    );
    let ejected_at = Instant::now();
    assert_eq!(
        gw.upstream_health("pool", &dead),
        Some(0.0),
        "ejected after max_fails"
    );
    // While ejected, nothing is sent its way: one attempt per request.
    for i in 0..10 {
        let id = format!("ejected-{i}");
        assert_eq!(status_of(&gw, &id), 200);
        assert_eq!(
            attempts(&gw, &id),
            1,
            "request {i} went to the ejected server"
        );
    }
    assert!(
        ejected_at.elapsed() < Duration::from_secs(2),
        "test too slow to observe the ejection window"
    );
    // After fail_timeout it is tried again.
    Gateway::wait_for(Duration::from_secs(5), || {
        gw.upstream_health("pool", &dead) == Some(1.0)
    })
    .expect("back after fail_timeout");
    assert!(
        ejected_at.elapsed() >= Duration::from_millis(1500),
        "came back too early"
    );
    let mut retried = false;
    for i in 0..4 {
        let id = format!("after-{i}");
        assert_eq!(status_of(&gw, &id), 200);
        retried |= attempts(&gw, &id) == 2;
    }
    assert!(
        retried,
        "the server should get a new chance after fail_timeout"
    );
}

#[test]
fn a_draining_server_gets_no_new_requests_and_its_signal_is_not_forwarded() {
    let a = Upstream::start("a");
    let b = Upstream::start("b");
    let a_addr = a.addr();
    let yaml = format!(
        "{SERVER}upstreams:\n{}routes:\n  - {{prefix: /, upstream: pool}}\n",
        upstream_yaml("pool", &[a.addr(), b.addr()], "")
    );
    let gw = Gateway::start(&yaml);
    for i in 0..4 {
        assert_eq!(get(gw.port, &format!("/warm/{i}")).unwrap().status, 200);
    }
    assert!(a.hits() > 0 && b.hits() > 0, "round robin uses both");

    a.set_draining(true);
    // Round robin reaches `a` within two requests; its answer is served, without the signal.
    let mut signalled = false;
    for i in 0..2 {
        let r = get(gw.port, &format!("/drain/{i}")).unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("x-draining"),
            None,
            "the drain signal must not reach clients"
        );
        signalled |= r.header("x-upstream") == Some("a");
    }
    assert!(signalled, "a answered once while draining");
    assert_eq!(gw.upstream_health("pool", &a_addr), Some(0.0));
    let before = a.hits();
    for i in 0..30 {
        let r = get(gw.port, &format!("/after/{i}")).unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-upstream"), Some("b"));
    }
    assert_eq!(
        a.hits(),
        before,
        "no new request reached the draining server"
    );
}

/// Two clients sending GETs through the gateway until `finish`, recording every failed request.
struct RequestStream {
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicUsize>,
    failures: Arc<Mutex<Vec<String>>>,
    clients: Vec<thread::JoinHandle<()>>,
}

impl RequestStream {
    fn start(port: u16) -> RequestStream {
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicUsize::new(0));
        let failures = Arc::new(Mutex::new(Vec::new()));
        let clients = (0..2)
            .map(|c| {
                let (stop, sent, failures) = (stop.clone(), sent.clone(), failures.clone());
                thread::spawn(move || {
                    let mut i = 0;
                    while !stop.load(SeqCst) && i < 5_000 {
                        i += 1;
                        sent.fetch_add(1, SeqCst);
                        match get(port, &format!("/stream/{c}/{i}")) {
                            Ok(r) if r.status == 200 => {}
                            Ok(r) => {
                                failures
                                    .lock()
                                    .unwrap()
                                    .push(format!("{}: {}", r.status, r.text()))
                            }
                            Err(e) => failures.lock().unwrap().push(e.to_string()),
                        }
                    }
                })
            })
            .collect();
        RequestStream {
            stop,
            sent,
            failures,
            clients,
        }
    }

    /// Stops the clients; the number of requests sent and the failures.
    fn finish(self) -> (usize, Vec<String>) {
        self.stop.store(true, SeqCst);
        for c in self.clients {
            c.join().unwrap();
        }
        let failures = self.failures.lock().unwrap().clone();
        (self.sent.load(SeqCst), failures)
    }
}

/// How many servers the request with this id went to, from its access log line.
fn attempts(gw: &Gateway, id: &str) -> u64 {
    let mut n = None;
    Gateway::wait_for(Duration::from_secs(5), || {
        n = gw
            .access_log()
            .iter()
            .find(|l| l["request_id"] == id)
            .and_then(|l| l["attempts"].as_u64());
        n.is_some()
    });
    n.expect("access log line")
}

/// The status of `GET /x` sent with this request id.
fn status_of(gw: &Gateway, id: &str) -> u16 {
    send(gw.port, &Req::get("/x").header("X-Request-Id", id))
        .unwrap()
        .status
}
