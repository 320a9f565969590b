/** The CA and serving certificate of `berth up` with tokens (lib/cli/certs.ts): made once, kept, reissued when they no longer fit. */
import test from 'ava';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureServingCert } from '../../lib/cli/certs.js';

test('a CA and a serving certificate it signs, for the given names; kept as they are while they fit; reissued (same CA) for a new address', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-pki-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = ensureServingCert(dir, ['127.0.0.1', '::1', 'localhost']);
  const ca = new X509Certificate(first.caPem);
  const cert = new X509Certificate(readFileSync(first.certFile));
  t.true(ca.ca);
  t.false(cert.ca);
  t.true(cert.checkIssued(ca) && cert.verify(ca.publicKey));
  t.truthy(cert.checkIP('127.0.0.1'));
  t.truthy(cert.checkIP('::1'));
  t.truthy(cert.checkHost('localhost'));
  t.falsy(cert.checkIP('10.1.2.3'));
  t.true(cert.checkPrivateKey(createPrivateKey(readFileSync(first.keyFile))));
  t.is(statSync(first.keyFile).mode & 0o777, 0o600, 'private keys readable by their owner only');
  t.is(statSync(join(dir, 'ca.key')).mode & 0o777, 0o600);

  const before = readFileSync(first.certFile, 'utf8');
  const again = ensureServingCert(dir, ['127.0.0.1', 'localhost']);
  t.is(again.caPem, first.caPem);
  t.is(readFileSync(again.certFile, 'utf8'), before, 'reused across restarts');

  const wider = ensureServingCert(dir, ['127.0.0.1', 'localhost', '10.1.2.3']);
  t.is(wider.caPem, first.caPem, 'the same CA: kubeconfigs handed out stay valid');
  const reissued = new X509Certificate(readFileSync(wider.certFile));
  t.not(reissued.fingerprint256, cert.fingerprint256);
  t.truthy(reissued.checkIP('10.1.2.3'));
  t.true(reissued.verify(ca.publicKey));
});

test('a certificate file that is not one is named', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-pki-bad-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  ensureServingCert(dir, ['127.0.0.1']);
  writeFileSync(join(dir, 'ca.crt'), 'not a certificate\n');
  t.throws(() => ensureServingCert(dir, ['127.0.0.1']), { message: new RegExp(`${join(dir, 'ca.crt')}: not a PEM certificate`) });
});
