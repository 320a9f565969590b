/**
 * The certificates `berth up` serves HTTPS with when it takes bearer tokens:
 * kubectl (client-go) sends a kubeconfig's token only over TLS, so a token
 * over plain http is as good as none. A self-signed CA and a serving
 * certificate it signs live in `<data>/pki/` and are reused across restarts
 * (a kubeconfig handed out keeps working); the serving certificate is issued
 * again when it no longer covers the addresses or is near its end, and the
 * CA only when it is missing or expiring.
 *
 * Generation uses node-forge (one package, no dependencies, no global
 * polyfill; @peculiar/x509 needs reflect-metadata patched into the process
 * and a dozen packages, the `openssl` binary is not on every machine and its
 * options differ between versions). The RSA keys themselves come from
 * node:crypto (OpenSSL inside Node); forge only lays out and signs the
 * certificates. Reading and checking them needs only node:crypto.
 */
import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import forge from 'node-forge';

export interface ServingCert {
  /** PEM of the CA that signed the serving certificate (what a kubeconfig's certificate-authority-data holds). */
  readonly caPem: string;
  readonly certFile: string;
  readonly keyFile: string;
}

const CA_NAME = 'berth-ca';
const DAY = 86_400_000;
const CA_DAYS = 3650;
const SERVING_DAYS = 365;
/** Issue again when less than this is left, so a restart never serves a certificate about to expire. */
const RENEW_BEFORE_DAYS = 30;

/**
 * The CA and serving certificate in `dir` for these host names and IPs
 * (created, or reused when still good). Throws with the file's path when a
 * file there cannot be read as what it should be.
 */
export function ensureServingCert(dir: string, hosts: readonly string[]): ServingCert {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = { caCert: join(dir, 'ca.crt'), caKey: join(dir, 'ca.key'), cert: join(dir, 'apiserver.crt'), key: join(dir, 'apiserver.key') };
  const now = Date.now();
  let ca = existsSync(files.caCert) && existsSync(files.caKey) ? readCert(files.caCert) : undefined;
  if (!ca || !goodUntil(ca, now) || !ca.ca) {
    ca = createCa(files.caCert, files.caKey);
  }
  const serving = existsSync(files.cert) && existsSync(files.key) ? readCert(files.cert) : undefined;
  const keep = serving && goodUntil(serving, now) && serving.checkIssued(ca) && serving.verify(ca.publicKey) && hosts.every((h) => covers(serving, h)) && keyMatches(serving, files.key);
  if (!keep) issueServing(ca, files.caKey, hosts, files.cert, files.key);
  return { caPem: ca.toString(), certFile: files.cert, keyFile: files.key };
}

function readCert(file: string): X509Certificate {
  try {
    return new X509Certificate(readFileSync(file));
  } catch (err) {
    throw new Error(`${file}: not a PEM certificate (${(err as Error).message}); remove it and berth up makes a new one`);
  }
}

function goodUntil(cert: X509Certificate, now: number): boolean {
  return Date.parse(cert.validTo) - now > RENEW_BEFORE_DAYS * DAY && Date.parse(cert.validFrom) <= now + DAY;
}

function covers(cert: X509Certificate, host: string): boolean {
  return isIP(host) ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined;
}

function keyMatches(cert: X509Certificate, keyFile: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(readFileSync(keyFile)));
  } catch {
    return false; // unreadable or another key: issue a new pair
  }
}

interface KeyPair {
  readonly privatePem: string;
  readonly publicPem: string;
}

function generateKeys(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** A forge certificate with a random positive serial and validity from a minute ago (clock skew) for `days`, capped at `notAfter`. */
function newCert(publicPem: string, subjectCN: string, issuerCN: string, days: number, notAfter = Infinity): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  const serial = randomBytes(16);
  serial[0]! &= 0x7f; // DER integers are signed: keep it positive
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60_000);
  cert.validity.notAfter = new Date(Math.min(now + days * DAY, notAfter));
  cert.setSubject([{ name: 'commonName', value: subjectCN }]);
  cert.setIssuer([{ name: 'commonName', value: issuerCN }]);
  return cert;
}

/** forge ends PEM lines with CRLF; node:crypto and most tools write LF. */
function pemOf(cert: forge.pki.Certificate): string {
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}

function createCa(certFile: string, keyFile: string): X509Certificate {
  const keys = generateKeys();
  const cert = newCert(keys.publicPem, CA_NAME, CA_NAME, CA_DAYS);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privatePem), forge.md.sha256.create());
  const pem = pemOf(cert);
  writeFileSync(keyFile, keys.privatePem, { mode: 0o600 });
  writeFileSync(certFile, pem, { mode: 0o644 });
  return new X509Certificate(pem);
}

function issueServing(ca: X509Certificate, caKeyFile: string, hosts: readonly string[], certFile: string, keyFile: string): void {
  const caKey = forge.pki.privateKeyFromPem(createPrivateKey(readFileSync(caKeyFile)).export({ type: 'pkcs1', format: 'pem' }).toString());
  const caCert = forge.pki.certificateFromPem(ca.toString());
  const keys = generateKeys();
  const cert = newCert(keys.publicPem, 'berth-apiserver', CA_NAME, SERVING_DAYS, Date.parse(ca.validTo));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    // GeneralName types: 2 dNSName, 7 iPAddress.
    { name: 'subjectAltName', altNames: hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  writeFileSync(keyFile, keys.privatePem, { mode: 0o600 });
  writeFileSync(certFile, pemOf(cert), { mode: 0o644 });
}
