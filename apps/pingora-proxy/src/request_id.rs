//! `x-request-id`: kept when the client sent a sane one (the platform's rule: 1–128 of
//! `[A-Za-z0-9._:-]`), otherwise a fresh UUID v4. The gateway is where ids are born.

use rand::RngCore;

pub const HEADER: &str = "x-request-id";

pub fn is_acceptable(id: &[u8]) -> bool {
    (1..=128).contains(&id.len())
        && id.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// The incoming id if acceptable, else a new one.
pub fn from_incoming(incoming: Option<&[u8]>) -> String {
    match incoming {
        Some(id) if is_acceptable(id) => String::from_utf8_lossy(id).into_owned(),
        _ => generate(),
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
        assert_eq!(from_incoming(Some(b"abc-123.x:y_z")), "abc-123.x:y_z");
        for bad in [&b""[..], b"has space", b"quote\"", &[b'a'; 129]] {
            let id = from_incoming(Some(bad));
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
