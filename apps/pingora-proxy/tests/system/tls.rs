//! TLS termination: TLS 1.2 and 1.3 accepted, TLS 1.1 refused. The test makes its own
//! self-signed certificate.

use crate::support::*;
use openssl::asn1::Asn1Time;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::ssl::SslVersion;
use openssl::x509::extension::SubjectAlternativeName;
use openssl::x509::{X509NameBuilder, X509};
use std::io::{BufReader, Write};
use std::path::Path;

fn self_signed(dir: &Path) -> (String, String) {
    let key = PKey::from_ec_key(
        EcKey::generate(&EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap()).unwrap(),
    )
    .unwrap();
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", "localhost").unwrap();
    let name = name.build();
    let mut cert = X509::builder().unwrap();
    cert.set_version(2).unwrap();
    cert.set_subject_name(&name).unwrap();
    cert.set_issuer_name(&name).unwrap();
    cert.set_pubkey(&key).unwrap();
    cert.set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    cert.set_not_after(&Asn1Time::days_from_now(1).unwrap())
        .unwrap();
    let san = SubjectAlternativeName::new()
        .dns("localhost")
        .ip("127.0.0.1")
        .build(&cert.x509v3_context(None, None))
        .unwrap();
    cert.append_extension(san).unwrap();
    cert.sign(&key, MessageDigest::sha256()).unwrap();
    let cert_file = dir.join("server.crt");
    let key_file = dir.join("server.key");
    std::fs::write(&cert_file, cert.build().to_pem().unwrap()).unwrap();
    std::fs::write(&key_file, key.private_key_to_pem_pkcs8().unwrap()).unwrap();
    (
        cert_file.display().to_string(),
        key_file.display().to_string(),
    )
}

#[test]
fn tls12_and_tls13_succeed_and_tls11_is_refused() {
    let app = Upstream::start("app");
    let dir = scratch_dir();
    let (cert, key) = self_signed(&dir);
    let yaml = format!(
        "{SERVER}  tls:
    enabled: true
    cert_file: '{cert}'
    key_file: '{key}'
    protocols: ['TLSv1.2', 'TLSv1.3']
upstreams:\n{}routes:\n  - {{prefix: /, upstream: app}}\n",
        upstream_yaml("app", &[app.addr()], "")
    );
    let gw = Gateway::start_tls(&yaml);

    for (version, name) in [
        (SslVersion::TLS1_2, "TLSv1.2"),
        (SslVersion::TLS1_3, "TLSv1.3"),
    ] {
        let mut s = tls_connect(gw.port, version, version)
            .unwrap_or_else(|e| panic!("{name} handshake failed: {e}"));
        assert_eq!(s.ssl().version_str(), name);
        s.write_all(&Req::get("/secure/x").to_bytes()).unwrap();
        let r = read_response(&mut BufReader::new(s), false).unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["headers"]["x-forwarded-proto"], "https");
    }

    let refused = tls_connect(gw.port, SslVersion::TLS1_1, SslVersion::TLS1_1);
    let err = refused
        .map(|_| ())
        .expect_err("a TLS 1.1 handshake must fail");
    // The client did offer TLS 1.1 (its own settings allow it); the server said no.
    assert!(
        !err.contains("no protocols available") && !err.contains("no ciphers available"),
        "client-side failure: {err}"
    );
    assert!(
        err.contains("protocol version")
            || err.contains("unsupported protocol")
            || err.contains("alert"),
        "{err}"
    );
    // Plain HTTP on the TLS port gets no HTTP answer.
    assert!(get(gw.port, "/secure/x")
        .map(|r| r.status != 200)
        .unwrap_or(true));
    std::fs::remove_dir_all(dir).ok();
}
