//! Trust for `wss://` servers: the operating system's roots, plus the certificates in the file
//! `NODE_EXTRA_CA_CERTS` names (as Node itself honours it), plus the app's own PEM (`tls.ca`,
//! for a private CA). Host names are always verified; there is no switch to accept any
//! certificate. A handshake that fails on the certificate is told apart from a network
//! failure ([`certificate_failure`]), because trying again cannot fix it.

use std::sync::{Arc, OnceLock};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{CertificateError, ClientConfig, RootCertStore};

/// The system's roots and `NODE_EXTRA_CA_CERTS`, loaded once per process (reading the
/// system's store takes tens of milliseconds).
static SHARED_ROOTS: OnceLock<RootCertStore> = OnceLock::new();

/// Why a `tls.ca` cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaError {
    #[error("tls.ca has no PEM certificate (-----BEGIN CERTIFICATE----- …); give the CA's certificate in PEM form")]
    NoCertificate,
    #[error("tls.ca has a certificate that cannot be used: {0}")]
    Unusable(String),
}

/// The certificates of a PEM text, each checked as a trust anchor.
pub fn parse_ca_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, CaError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|error| CaError::Unusable(error.to_string()))?;
    if certs.is_empty() {
        return Err(CaError::NoCertificate);
    }
    let mut store = RootCertStore::empty();
    for cert in &certs {
        store
            .add(cert.clone())
            .map_err(|error| CaError::Unusable(error.to_string()))?;
    }
    Ok(certs)
}

fn shared_roots() -> &'static RootCertStore {
    SHARED_ROOTS.get_or_init(|| {
        let mut roots = RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        for error in &native.errors {
            tracing::debug!(%error, "a system certificate could not be loaded");
        }
        let (added, ignored) = roots.add_parsable_certificates(native.certs);
        tracing::debug!(added, ignored, "system certificates loaded");
        if let Some(path) = std::env::var_os("NODE_EXTRA_CA_CERTS") {
            // Node warns and goes on when the file is unreadable; so does this.
            match std::fs::read(&path) {
                Ok(pem) => match parse_ca_pem(&pem) {
                    Ok(certs) => {
                        let (added, _) = roots.add_parsable_certificates(certs);
                        tracing::debug!(added, path = ?path, "NODE_EXTRA_CA_CERTS loaded");
                    }
                    Err(error) => {
                        tracing::warn!(path = ?path, %error, "NODE_EXTRA_CA_CERTS ignored")
                    }
                },
                Err(error) => {
                    tracing::warn!(path = ?path, %error, "NODE_EXTRA_CA_CERTS unreadable")
                }
            }
        }
        roots
    })
}

/// The client TLS settings for an engine: the shared roots plus `extra_ca` (already checked
/// with [`parse_ca_pem`]). Built on first use, so an engine that never meets `wss://` never
/// reads the system's store.
#[derive(Debug, Default)]
pub struct Trust {
    extra_ca: Option<Arc<[u8]>>,
    config: OnceLock<Result<Arc<ClientConfig>, String>>,
}

impl Trust {
    pub fn new(extra_ca: Option<Arc<[u8]>>) -> Self {
        Trust {
            extra_ca,
            config: OnceLock::new(),
        }
    }

    /// The settings to connect with, or why there are none.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, String> {
        self.config
            .get_or_init(|| {
                let mut roots = shared_roots().clone();
                if let Some(pem) = &self.extra_ca {
                    // Checked when the engine was made; a certificate that fails now is left out.
                    if let Ok(certs) = parse_ca_pem(pem) {
                        roots.add_parsable_certificates(certs);
                    }
                }
                let provider = Arc::new(rustls::crypto::ring::default_provider());
                ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map(|builder| {
                        Arc::new(builder.with_root_certificates(roots).with_no_client_auth())
                    })
                    .map_err(|error| format!("TLS cannot be set up: {error}"))
            })
            .clone()
    }
}

/// What went wrong with the server's certificate, in words an app developer can act on; None
/// when `error` is not about the certificate (a network failure, worth trying again).
pub fn certificate_failure(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut source = Some(error);
    while let Some(current) = source {
        if let Some(rustls::Error::InvalidCertificate(problem)) =
            current.downcast_ref::<rustls::Error>()
        {
            return Some(describe(problem));
        }
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            if let Some(inner) = io.get_ref() {
                if let Some(found) = certificate_failure(inner) {
                    return Some(found);
                }
            }
        }
        source = current.source();
    }
    None
}

fn describe(problem: &CertificateError) -> String {
    match problem {
        CertificateError::UnknownIssuer => "the server's certificate is signed by an unknown issuer: trust its CA with the tls.ca option or NODE_EXTRA_CA_CERTS".into(),
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            format!("the server's certificate is not valid for this host name ({problem:?}): connect with a name the certificate lists")
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            format!("the server's certificate has expired ({problem:?})")
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            format!("the server's certificate is not valid yet ({problem:?}): check the clocks")
        }
        CertificateError::Revoked => "the server's certificate has been revoked".into(),
        other => format!("the server's certificate was refused: {other:?}"),
    }
}
