//! WebSocket upgrades and server-sent events pass through, unbuffered.

use crate::support::*;
use std::io::{BufReader, Read, Write};
use std::time::{Duration, Instant};

fn gateway() -> (Upstream, Gateway) {
    let app = Upstream::start("app");
    let yaml = format!(
        "{SERVER}upstreams:\n{}routes:\n  - {{prefix: /, upstream: app}}\n",
        upstream_yaml("app", &[app.addr()], "")
    );
    let gw = Gateway::start(&yaml);
    (app, gw)
}

#[test]
fn websocket_echo_through_the_gateway() {
    let (_app, gw) = gateway();
    let mut s = connect(gw.port).unwrap();
    s.write_all(
        b"GET /live/ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    .unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let (status, headers) = read_head(&mut r).unwrap();
    assert_eq!(status, 101);
    let accept = headers
        .iter()
        .find(|(k, _)| k == "sec-websocket-accept")
        .map(|(_, v)| v.as_str());
    assert_eq!(
        accept,
        Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
        "RFC 6455's example key"
    );
    let big: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    let messages: [(u8, &[u8]); 3] = [(0x1, b"hello"), (0x1, "über ✓".as_bytes()), (0x2, &big)];
    for (opcode, payload) in messages {
        s.write_all(&ws_frame(opcode, payload, Some([1, 2, 3, 4])))
            .unwrap();
        let (op, echoed) = read_ws_frame(&mut r).unwrap();
        assert_eq!((op, echoed.len()), (opcode, payload.len()));
        assert!(echoed == payload);
    }
    s.write_all(&ws_frame(0x8, &[0x03, 0xe8], Some([9, 9, 9, 9])))
        .unwrap();
    assert_eq!(read_ws_frame(&mut r).unwrap().0, 0x8);
}

#[test]
fn server_sent_events_arrive_as_they_are_sent() {
    let (_app, gw) = gateway();
    let mut s = connect(gw.port).unwrap();
    s.write_all(
        &Req::get("/events/sse")
            .header("Accept", "text/event-stream")
            .to_bytes(),
    )
    .unwrap();
    let start = Instant::now();
    let mut seen = String::new();
    let mut first_at = None;
    let mut buf = [0u8; 4096];
    while !seen.contains("event-3") && start.elapsed() < Duration::from_secs(10) {
        let n = s.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        if first_at.is_none() && seen.contains("data: event-1") {
            first_at = Some(start.elapsed());
        }
    }
    let last_at = start.elapsed();
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
    assert!(
        seen.to_ascii_lowercase()
            .contains("content-type: text/event-stream"),
        "{seen}"
    );
    assert!(
        seen.contains("data: event-2") && seen.contains("data: event-3"),
        "{seen}"
    );
    let first_at = first_at.expect("first event");
    // The upstream sends an event every 400 ms: a buffering proxy would deliver them together.
    assert!(
        last_at - first_at >= Duration::from_millis(600),
        "first at {first_at:?}, last at {last_at:?}"
    );
}
