'use strict'
// A certificate authority made for one test run, and server certificates it signs: what the
// TLS tests trust and serve. Keys come from Node's crypto; node-forge writes the X.509.

const crypto = require('node:crypto')
const forge = require('node-forge')

function rsaKeys() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  const pem = (key, type) => key.export({ type, format: 'pem' })
  return {
    publicKey: forge.pki.publicKeyFromPem(pem(publicKey, 'spki')),
    privateKey: forge.pki.privateKeyFromPem(pem(privateKey, 'pkcs8')),
    privateKeyPem: pem(privateKey, 'pkcs8'),
  }
}

function certificate({ subject, issuer, keys, signer, serial, extensions }) {
  const cert = forge.pki.createCertificate()
  cert.publicKey = keys.publicKey
  cert.serialNumber = serial
  cert.validity.notBefore = new Date(Date.now() - 60_000)
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000)
  cert.setSubject([{ name: 'commonName', value: subject }])
  cert.setIssuer([{ name: 'commonName', value: issuer }])
  cert.setExtensions(extensions)
  cert.sign(signer, forge.md.sha256.create())
  return forge.pki.certificateToPem(cert)
}

let serials = 1

/** A new CA: `caPem` to trust, `server(names)` to sign a server certificate and key. */
function makeCa(name = 'OpenRoom test CA') {
  const caKeys = rsaKeys()
  const caPem = certificate({
    subject: name,
    issuer: name,
    keys: caKeys,
    signer: caKeys.privateKey,
    serial: String(serials++).padStart(2, '0'),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  })
  return {
    caPem,
    /** A certificate for `names` (DNS names), with its private key, both PEM. */
    server(names) {
      const keys = rsaKeys()
      const cert = certificate({
        subject: names[0],
        issuer: name,
        keys,
        signer: caKeys.privateKey,
        serial: String(serials++).padStart(2, '0'),
        extensions: [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
          { name: 'extKeyUsage', serverAuth: true },
          { name: 'subjectAltName', altNames: names.map((value) => ({ type: 2, value })) },
        ],
      })
      return { cert, key: keys.privateKeyPem }
    },
  }
}

module.exports = { makeCa }
