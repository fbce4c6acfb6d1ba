//! `x-request-id`: kept when the client sent a sane one (the platform's rule: 1–128 of
//! `[A-Za-z0-9._:-]`), otherwise a fresh UUID v4. The gateway is where ids are born.

use http::HeaderValue;
use rand::RngCore;

pub const HEADER: &str = "x-request-id";

pub fn is_acceptable(id: &[u8]) -> bool {
    (1..=128).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// The incoming id if acceptable (shared, not copied), else a new one.
pub fn from_incoming(incoming: Option<&HeaderValue>) -> HeaderValue {
    match incoming {
        Some(id) if is_acceptable(id.as_bytes()) => id.clone(),
        _ => HeaderValue::try_from(generate()).expect("a UUID is a valid header value"),
    }
}

/// A random (version 4) UUID in its usual 8-4-4-4-12 form.
pub fn generate() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(HEX[(byte >> 4) as usize] as char);
        out.push(HEX[(byte & 0xf) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_sane_ids_and_replaces_others() {
        let incoming = |v: &[u8]| HeaderValue::from_bytes(v).unwrap();
        assert_eq!(
            from_incoming(Some(&incoming(b"abc-123.x:y_z"))),
            "abc-123.x:y_z"
        );
        for bad in [&b""[..], b"has space", b"quote\"", &[b'a'; 129]] {
            let id = from_incoming(Some(&incoming(bad)));
            assert_eq!(id.len(), 36, "{bad:?} should be replaced");
        }
        assert_eq!(from_incoming(None).len(), 36);
    }

    #[test]
    fn uuid_shape() {
        let id = generate();
        let parts: Vec<_> = id.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
        assert_eq!(&id[14..15], "4");
        assert_ne!(generate(), id);
    }
}
