//! TLS on the server's one port (`wss://` and `https://`), through rustls: the certificate
//! chain and private key an operator gives as PEM. Without them the port speaks plain
//! `ws://`/`http://`, for a server behind a proxy that terminates TLS.

use std::fmt;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// A certificate chain and its private key, as PEM (what `--tls-cert` and `--tls-key` name,
/// or `startServer({ tls: { cert, key } })` gives).
#[derive(Clone)]
pub struct TlsIdentity {
    pub cert_pem: Arc<[u8]>,
    pub key_pem: Arc<[u8]>,
}

/// The key never reaches a log through a config printed for debugging.
impl fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("cert_pem", &format_args!("{} bytes", self.cert_pem.len()))
            .field("key_pem", &format_args!("(hidden)"))
            .finish()
    }
}

/// Why the TLS settings cannot be used; each says which setting to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsError {
    #[error("the TLS certificate (--tls-cert, tls.cert) has no PEM certificate (-----BEGIN CERTIFICATE----- …)")]
    NoCertificate,
    #[error("the TLS certificate (--tls-cert, tls.cert) cannot be read: {0}")]
    BadCertificate(String),
    #[error("the TLS key (--tls-key, tls.key) has no PEM private key (-----BEGIN PRIVATE KEY----- …): {0}")]
    BadKey(String),
    #[error("the TLS certificate and key cannot be used together: {0}")]
    Unusable(String),
}

impl TlsIdentity {
    /// The acceptor that speaks TLS with this identity (HTTP/1.1 only: WebSocket upgrades
    /// need it).
    pub fn acceptor(&self) -> Result<TlsAcceptor, TlsError> {
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&self.cert_pem)
            .collect::<Result<_, _>>()
            .map_err(|error| TlsError::BadCertificate(error.to_string()))?;
        if chain.is_empty() {
            return Err(TlsError::NoCertificate);
        }
        let key = PrivateKeyDer::from_pem_slice(&self.key_pem)
            .map_err(|error| TlsError::BadKey(error.to_string()))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| TlsError::Unusable(error.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|error| TlsError::Unusable(error.to_string()))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}
