//! One JSON line per request: time, request id, method, path, status, route, upstream server,
//! latency. Only the path is logged (never the query string, which may carry codes or tokens),
//! and never a header: no Authorization, no cookies.

use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Serialize)]
pub struct Entry<'a> {
    pub time: String,
    pub request_id: &'a str,
    pub client_ip: Option<String>,
    pub method: &'a str,
    pub path: &'a str,
    pub status: u16,
    pub route: Option<&'a str>,
    pub upstream: Option<&'a str>,
    pub server: Option<&'a str>,
    pub latency_ms: f64,
    pub attempts: usize,
    pub bytes_sent: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

pub enum AccessLog {
    Stdout,
    Stderr,
    File(Mutex<File>),
}

impl AccessLog {
    pub fn open(target: &str) -> std::io::Result<AccessLog> {
        Ok(match target {
            "stdout" | "-" => AccessLog::Stdout,
            "stderr" => AccessLog::Stderr,
            path => AccessLog::File(Mutex::new(
                OpenOptions::new().create(true).append(true).open(path)?,
            )),
        })
    }

    /// Writes the line with a single write call, so concurrent lines never interleave.
    pub fn write(&self, entry: &Entry) {
        let mut line = match serde_json::to_vec(entry) {
            Ok(line) => line,
            Err(_) => return,
        };
        line.push(b'\n');
        let _ = match self {
            AccessLog::Stdout => std::io::stdout().lock().write_all(&line),
            AccessLog::Stderr => std::io::stderr().lock().write_all(&line),
            AccessLog::File(f) => f.lock().unwrap_or_else(|p| p.into_inner()).write_all(&line),
        };
    }
}

/// RFC 3339 UTC with milliseconds, e.g. `2025-07-08T12:34:56.789Z`.
pub fn now_rfc3339() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format_rfc3339(now.as_secs() as i64, now.subsec_millis())
}

fn format_rfc3339(secs: i64, millis: u32) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_times() {
        assert_eq!(format_rfc3339(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_rfc3339(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        assert_eq!(
            format_rfc3339(1_751_977_696, 789),
            "2025-07-08T12:28:16.789Z"
        );
    }
}
