import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactConfig, validateConnectorConfig } from '../../src/config/index.js';
import { registryTarget } from '../../src/registry/registry-response.js';
import { registryTls } from '../../src/registry/registry-access.js';
import { registryAuthFailure, registryRequestFailure } from '../../src/errors/classify-registry.js';

const minimal = {
  name: 'reg', 'database.hostname': 'localhost', 'database.user': 'cdc', 'database.dbname': 'db', 'topic.prefix': 'reg',
  'value.converter.schema.registry.url': 'https://registry.example:8443/apis/ccompat/v7',
};
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function errorsFor(extra: Record<string, string>): Map<string, string> {
  const { errors } = validateConnectorConfig({ ...minimal, ...extra });
  return new Map(errors.map((e) => [e.key, e.message]));
}

test('USER_INFO basic auth, a PEM truststore and the host name check build the registry access', () => {
  const { config, errors } = validateConnectorConfig({
    ...minimal,
    'value.converter.basic.auth.credentials.source': 'USER_INFO',
    'value.converter.basic.auth.user.info': 'APIKEY:s3cr3t:with:colons',
    'key.converter.basic.auth.credentials.source': 'USER_INFO',
    'key.converter.basic.auth.user.info': 'APIKEY:s3cr3t:with:colons',
    'value.converter.schema.registry.ssl.truststore.type': 'PEM',
    'value.converter.schema.registry.ssl.truststore.certificates': PEM,
    'value.converter.schema.registry.ssl.endpoint.identification.algorithm': '',
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(config!.registry, {
    url: minimal['value.converter.schema.registry.url'], basicUserInfo: 'APIKEY:s3cr3t:with:colons', bearerToken: null,
    truststore: { file: null, pem: PEM }, checkHostname: false,
  });
  const target = registryTarget(config!.registry);
  assert.equal(target.authorization, `Basic ${Buffer.from('APIKEY:s3cr3t:with:colons').toString('base64')}`);
  assert.equal(target.authKey, 'value.converter.basic.auth.user.info');
  const shown = redactConfig(config!.raw);
  assert.equal(shown['value.converter.basic.auth.user.info'], '[hidden]');
  assert.equal(shown['key.converter.basic.auth.user.info'], '[hidden]');
  // defaults: URL source, host name checked, no truststore
  const plain = validateConnectorConfig(minimal).config!;
  assert.deepEqual(plain.registry, { url: minimal['value.converter.schema.registry.url'], basicUserInfo: null, bearerToken: null, truststore: null, checkHostname: true });
});

test('a bearer token is sent as Bearer; credentials in the URL go in the header, never in what is shown', () => {
  const { config, errors } = validateConnectorConfig({ ...minimal, 'value.converter.bearer.auth.credentials.source': 'STATIC_TOKEN', 'value.converter.bearer.auth.token': 'tok3n' });
  assert.deepEqual(errors, []);
  assert.equal(registryTarget(config!.registry).authorization, 'Bearer tok3n');
  assert.equal(redactConfig(config!.raw)['value.converter.bearer.auth.token'], '[hidden]');
  const url = registryTarget('https://us%40r:p%3Ass@registry.example/apis/ccompat/v7/');
  assert.equal(url.base, 'https://registry.example/apis/ccompat/v7');
  assert.equal(url.shown, 'https://registry.example/apis/ccompat/v7');
  assert.equal(url.authorization, `Basic ${Buffer.from('us@r:p:ss').toString('base64')}`);
  assert.match(url.authKey!, /value\.converter\.schema\.registry\.url/);
});

test('refusals name the key: SASL_INHERIT, OAuth, JKS/PKCS12, other ssl keys, half-set pairs', () => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ 'value.converter.basic.auth.credentials.source': 'SASL_INHERIT' }, 'value.converter.basic.auth.credentials.source', /SASL_INHERIT.*not supported/],
    [{ 'value.converter.basic.auth.credentials.source': 'USER_INFO' }, 'value.converter.basic.auth.user.info', /required/],
    [{ 'value.converter.basic.auth.credentials.source': 'USER_INFO', 'value.converter.basic.auth.user.info': 'nocolon' }, 'value.converter.basic.auth.user.info', /user:password/],
    [{ 'value.converter.basic.auth.user.info': 'u:p' }, 'value.converter.basic.auth.user.info', /USER_INFO/],
    [{ 'value.converter.bearer.auth.credentials.source': 'OAUTHBEARER' }, 'value.converter.bearer.auth.credentials.source', /not supported/],
    [{ 'value.converter.bearer.auth.credentials.source': 'STATIC_TOKEN' }, 'value.converter.bearer.auth.token', /required/],
    [{ 'value.converter.bearer.auth.token': 't' }, 'value.converter.bearer.auth.token', /STATIC_TOKEN/],
    [{ 'value.converter.basic.auth.credentials.source': 'USER_INFO', 'value.converter.basic.auth.user.info': 'u:p', 'value.converter.bearer.auth.credentials.source': 'STATIC_TOKEN', 'value.converter.bearer.auth.token': 't' }, 'value.converter.bearer.auth.credentials.source', /cannot both/],
    [{ 'value.converter.schema.registry.ssl.truststore.type': 'JKS' }, 'value.converter.schema.registry.ssl.truststore.type', /JKS.*not supported/],
    [{ 'value.converter.schema.registry.ssl.truststore.type': 'PKCS12' }, 'value.converter.schema.registry.ssl.truststore.type', /not supported/],
    [{ 'value.converter.schema.registry.ssl.truststore.location': '/x.pem' }, 'value.converter.schema.registry.ssl.truststore.type', /must be PEM/],
    [{ 'value.converter.schema.registry.ssl.truststore.type': 'PEM' }, 'value.converter.schema.registry.ssl.truststore.type', /exactly one/],
    [{ 'value.converter.schema.registry.ssl.truststore.type': 'PEM', 'value.converter.schema.registry.ssl.truststore.certificates': 'junk' }, 'value.converter.schema.registry.ssl.truststore.certificates', /PEM/],
    [{ 'value.converter.schema.registry.ssl.truststore.type': 'PEM', 'value.converter.schema.registry.ssl.truststore.certificates': PEM, 'value.converter.schema.registry.url': 'http://plain:8081' }, 'value.converter.schema.registry.ssl.truststore.type', /https/],
    [{ 'value.converter.schema.registry.ssl.endpoint.identification.algorithm': 'ldaps' }, 'value.converter.schema.registry.ssl.endpoint.identification.algorithm', /https.*empty/],
    [{ 'value.converter.schema.registry.ssl.truststore.password': 'pw' }, 'value.converter.schema.registry.ssl.truststore.password', /not supported/],
    [{ 'value.converter.schema.registry.ssl.keystore.location': '/k.jks' }, 'value.converter.schema.registry.ssl.keystore.location', /not supported/],
    [{ 'key.converter.schema.registry.ssl.truststore.type': 'JKS' }, 'key.converter.schema.registry.ssl.truststore.type', /not supported/],
    [{ 'value.converter.bearer.auth.issuer.endpoint.url': 'https://idp' }, 'value.converter.bearer.auth.issuer.endpoint.url', /not supported/],
    [{ 'key.converter.basic.auth.credentials.source': 'USER_INFO' }, 'key.converter.basic.auth.credentials.source', /one registry client/],
    [{ 'value.converter.basic.auth.credentials.source': 'USER_INFO', 'value.converter.basic.auth.user.info': 'u:p', 'key.converter.basic.auth.credentials.source': 'USER_INFO', 'key.converter.basic.auth.user.info': 'other:pw' }, 'key.converter.basic.auth.user.info', /equal to value\.converter\.basic\.auth\.user\.info/],
  ];
  for (const [extra, key, message] of cases) {
    const errors = errorsFor(extra);
    assert.match(errors.get(key) ?? `no error for ${key}: ${JSON.stringify([...errors])}`, message, JSON.stringify(extra));
    for (const [, m] of errors) {
      assert.ok(!m.includes('other:pw') && !m.includes(':p"'), m);
    }
  }
});

test('a truststore file is read once the client needs it; an unreadable one names the key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgcdc-trust-'));
  const file = join(dir, 'ca.pem');
  writeFileSync(file, PEM);
  const access = { url: 'https://r.example', basicUserInfo: null, bearerToken: null, truststore: { file, pem: null }, checkHostname: true };
  assert.deepEqual(registryTls(access), { ca: PEM, checkHostname: true, trustKey: 'value.converter.schema.registry.ssl.truststore.location' });
  assert.throws(() => registryTls({ ...access, truststore: { file: join(dir, 'missing.pem'), pem: null } }), /truststore\.location.*ENOENT/);
  assert.equal(registryTls({ ...access, truststore: null }), null);
});

test('401/403 and untrusted certificates are permanent errors naming the key, not the secret', () => {
  const auth = registryAuthFailure(401, 'https://r.example/apis/ccompat/v7', 'registering subject "t-value"', 'value.converter.basic.auth.user.info');
  assert.equal(auth.retriable, false);
  assert.match(auth.message, /HTTP 401.*value\.converter\.basic\.auth\.user\.info/);
  const none = registryAuthFailure(403, 'https://r.example', 'x', null);
  assert.match(none.message, /basic\.auth\.credentials\.source=USER_INFO/);
  const cert = registryRequestFailure(new TypeError('fetch failed', { cause: { code: 'SELF_SIGNED_CERT_IN_CHAIN' } }), 'https://r.example', 'x', 'value.converter.schema.registry.ssl.truststore.location', 'h');
  assert.equal(cert.retriable, false);
  assert.match(cert.describe(), /SELF_SIGNED_CERT_IN_CHAIN.*truststore\.location/);
  const host = registryRequestFailure(new TypeError('fetch failed', { cause: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' } }), 'https://r.example', 'x', 't', 'value.converter.schema.registry.ssl.endpoint.identification.algorithm');
  assert.match(host.describe(), /endpoint\.identification\.algorithm/);
  const down = registryRequestFailure(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }), 'https://r.example', 'x', 't', 'h');
  assert.equal(down.retriable, true);
});
