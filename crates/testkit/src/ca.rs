//! A certificate authority made for one test: its certificate (to trust), and certificates it
//! signs for the names a test server answers to. Nothing is written to disk.

use rcgen::{BasicConstraints, Certificate, CertificateParams, DnType, IsCa, KeyPair};

/// A CA and what it signed, all as PEM.
pub struct TestCa {
    /// The CA's certificate: what a client is told to trust.
    pub ca_pem: String,
    ca_cert: Certificate,
    ca_key: KeyPair,
}

/// A server certificate and its key, as PEM.
pub struct ServerIdentity {
    pub cert_pem: String,
    pub key_pem: String,
}

impl TestCa {
    /// A new CA named `name`.
    pub fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let ca_key = KeyPair::generate().expect("a CA key");
        let ca_cert = params.self_signed(&ca_key).expect("a CA certificate");
        TestCa {
            ca_pem: ca_cert.pem(),
            ca_cert,
            ca_key,
        }
    }

    /// A certificate for `names` (host names or IP addresses), signed by this CA.
    pub fn server(&self, names: &[&str]) -> ServerIdentity {
        let names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
        let params = CertificateParams::new(names).expect("server parameters");
        let key = KeyPair::generate().expect("a server key");
        let cert = params
            .signed_by(&key, &self.ca_cert, &self.ca_key)
            .expect("a server certificate");
        ServerIdentity {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}
