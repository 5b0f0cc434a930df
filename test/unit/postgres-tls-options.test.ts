import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { attemptOrder, sslOption, tlsOptions, triesNext } from '../../src/postgres/connect-options.js';
import { validateConnectorConfig } from '../../src/config/index.js';
import { isSecretKey } from '../../src/config/secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'pgcdc-tls-unit-'));
const ca = join(dir, 'ca.crt');
const key = join(dir, 'client.key');
const encryptedKey = join(dir, 'client-enc.key');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=unit', '-keyout', key, '-out', ca], { stdio: 'ignore' });
execFileSync('openssl', ['pkey', '-in', key, '-aes256', '-passout', 'pass:unit-pass-phrase', '-out', encryptedKey], { stdio: 'ignore' });
writeFileSync(join(dir, 'junk.key'), 'not a key');
// pgjdbc's formats: a DER certificate and a PKCS#8 DER key (.pk8), encrypted or not
const derCert = join(dir, 'client.der');
const derKey = join(dir, 'client.pk8');
const derKeyEncrypted = join(dir, 'client-enc.pk8');
execFileSync('openssl', ['x509', '-in', ca, '-outform', 'DER', '-out', derCert], { stdio: 'ignore' });
execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', key, '-outform', 'DER', '-out', derKey], { stdio: 'ignore' });
execFileSync('openssl', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-passout', 'pass:unit-pass-phrase', '-in', key, '-outform', 'DER', '-out', derKeyEncrypted], { stdio: 'ignore' });
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('attempt order per sslmode follows libpq', () => {
  assert.deepEqual(attemptOrder('disable'), ['plain']);
  assert.deepEqual(attemptOrder('allow'), ['plain', 'tls']);
  assert.deepEqual(attemptOrder('prefer'), ['tls', 'plain']);
  for (const m of ['require', 'verify-ca', 'verify-full'] as const) assert.deepEqual(attemptOrder(m), ['tls']);
});

test('fallback: prefer only when the server refuses SSL; allow only when the plain connection is refused at authentication', () => {
  const noSsl = new Error('The server does not support SSL connections');
  const hba = Object.assign(new Error('no pg_hba.conf entry for host "127.0.0.1", user "u", database "d", no encryption'), { code: '28000' });
  assert.equal(triesNext('prefer', 'tls', noSsl), true);
  assert.equal(triesNext('prefer', 'tls', Object.assign(new Error('self-signed'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })), false);
  assert.equal(triesNext('prefer', 'tls', new Error('connect ECONNREFUSED')), false);
  assert.equal(triesNext('allow', 'plain', hba), true);
  assert.equal(triesNext('allow', 'plain', new Error('connect ECONNREFUSED')), false);
  assert.equal(triesNext('require', 'tls', noSsl), false);
  assert.equal(triesNext('verify-full', 'tls', noSsl), false);
});

test('TLS options: what each mode checks', () => {
  const opts = (o: Parameters<typeof tlsOptions>[0]) => tlsOptions(o);
  const noIdentityCheck = (o: ConnectionOptions) => o.checkServerIdentity?.('x', {} as never) === undefined && o.checkServerIdentity !== undefined;
  for (const m of ['prefer', 'allow', 'require'] as const) {
    const o = opts({ sslmode: m });
    assert.equal(o.rejectUnauthorized, false, m);
    assert.equal(o.ca, undefined);
    assert.ok(noIdentityCheck(o));
  }
  // require with a root certificate checks the chain, like verify-ca (libpq)
  const req = opts({ sslmode: 'require', sslrootcert: ca });
  assert.equal(req.rejectUnauthorized, true);
  assert.match(String(req.ca), /BEGIN CERTIFICATE/);
  assert.ok(noIdentityCheck(req));
  // prefer with a root certificate does not verify (libpq)
  assert.equal(opts({ sslmode: 'prefer', sslrootcert: ca }).rejectUnauthorized, false);
  const vca = opts({ sslmode: 'verify-ca', sslrootcert: ca });
  assert.equal(vca.rejectUnauthorized, true);
  assert.ok(noIdentityCheck(vca));
  const vfull = opts({ sslmode: 'verify-full', sslrootcert: ca });
  assert.equal(vfull.rejectUnauthorized, true);
  assert.equal(vfull.checkServerIdentity, undefined, 'Node checks the host name');
  assert.equal(sslOption({ sslmode: 'verify-full', sslrootcert: ca }, 'plain'), false);
});

test('TLS option errors name the key; a decrypted client key is not enumerable', () => {
  assert.throws(() => tlsOptions({ sslmode: 'verify-full' }), /database\.sslrootcert is not set/);
  assert.throws(() => tlsOptions({ sslmode: 'verify-ca', sslrootcert: join(dir, 'missing.crt') }), /database\.sslrootcert: the file it names does not exist/);
  assert.throws(() => tlsOptions({ sslmode: 'require', sslcert: ca }), /database\.sslkey/);
  assert.throws(() => tlsOptions({ sslmode: 'require', sslcert: ca, sslkey: encryptedKey }), /database\.sslpassword is not set/);
  assert.throws(() => tlsOptions({ sslmode: 'require', sslcert: ca, sslkey: encryptedKey, sslpassword: 'nope' }), /database\.sslpassword does not decrypt/);
  assert.throws(() => tlsOptions({ sslmode: 'require', sslcert: ca, sslkey: join(dir, 'junk.key') }), /database\.sslkey: the key cannot be used: it is not a PKCS#8 DER key/);
  const o = tlsOptions({ sslmode: 'require', sslcert: ca, sslkey: encryptedKey, sslpassword: 'unit-pass-phrase' });
  assert.match(String(o.key), /BEGIN PRIVATE KEY/);
  assert.ok(!Object.keys(o).includes('key'));
  assert.ok(!JSON.stringify(o).includes('PRIVATE'));
  assert.ok(!JSON.stringify(o).includes('unit-pass-phrase'));
});

test('validation: sslmode values, verify-* need sslrootcert, files must exist, sslpassword is secret', () => {
  const base = { name: 'x', 'database.hostname': 'h', 'database.user': 'u', 'database.dbname': 'd', 'topic.prefix': 'p' };
  for (const m of ['disable', 'allow', 'prefer', 'require']) assert.ok(validateConnectorConfig({ ...base, 'database.sslmode': m }).config, m);
  const v = validateConnectorConfig({ ...base, 'database.sslmode': 'verify-ca' });
  assert.ok(v.errors.some((e) => e.key === 'database.sslmode' && /set database\.sslrootcert/.test(e.message)), JSON.stringify(v.errors));
  assert.ok(validateConnectorConfig({ ...base, 'database.sslmode': 'verify-full', 'database.sslrootcert': ca }).config);
  const missing = validateConnectorConfig({ ...base, 'database.sslcert': join(dir, 'nope.crt'), 'database.sslkey': key });
  assert.ok(missing.errors.some((e) => e.key === 'database.sslcert' && /does not exist/.test(e.message)));
  const disabled = validateConnectorConfig({ ...base, 'database.sslmode': 'disable', 'database.sslcert': ca, 'database.sslkey': key });
  assert.ok(disabled.errors.some((e) => e.key === 'database.sslcert' && /sslmode=disable/.test(e.message)), JSON.stringify(disabled.errors));
  const half = validateConnectorConfig({ ...base, 'database.sslkey': key });
  assert.ok(half.errors.some((e) => e.key === 'database.sslkey' && /database\.sslcert/.test(e.message)));
  const full = validateConnectorConfig({ ...base, 'database.sslcert': ca, 'database.sslkey': encryptedKey, 'database.sslpassword': 'unit-pass-phrase' });
  assert.ok(full.config, JSON.stringify(full.errors));
  assert.equal(full.config.database.sslpassword, 'unit-pass-phrase');
  assert.equal(isSecretKey('database.sslpassword'), true);
  assert.ok(!validateConnectorConfig({ ...base, 'database.sslmode': 'bogus' }).config);
});

test('DER certificates and PKCS#8 DER keys (pgjdbc formats) are read too', () => {
  const plainDer = tlsOptions({ sslmode: 'require', sslcert: derCert, sslkey: derKey });
  assert.match(String(plainDer.cert), /BEGIN CERTIFICATE/);
  assert.match(String(plainDer.key), /BEGIN PRIVATE KEY/);
  assert.match(String(tlsOptions({ sslmode: 'require', sslcert: derCert, sslkey: derKeyEncrypted, sslpassword: 'unit-pass-phrase' }).key), /BEGIN PRIVATE KEY/);
  assert.throws(() => tlsOptions({ sslmode: 'require', sslcert: derCert, sslkey: derKeyEncrypted }), /database\.sslpassword is not set/);
  assert.match(String(tlsOptions({ sslmode: 'verify-ca', sslrootcert: derCert }).ca), /BEGIN CERTIFICATE/);
  assert.throws(() => tlsOptions({ sslmode: 'verify-ca', sslrootcert: join(dir, 'junk.key') }), /database\.sslrootcert: .*no PEM or DER X\.509 certificate/);
});
