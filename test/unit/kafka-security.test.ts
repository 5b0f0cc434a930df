import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConnectorConfig } from '../../src/config/index.js';
import { kafkaSecurityFrom, parseJaasConfig } from '../../src/kafka/security.js';
import { clientOptions } from '../../src/kafka/platformatic-topics.js';
import { sinkProducerOptions } from '../../src/kafka/sink.js';
import { workerSettingsFromEnv } from '../../src/worker/standalone.js';
import { parseProperties } from '../../src/worker/worker-properties.js';

const SCRAM = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="pgcdc" password="s3cr\\"et";';
const dir = mkdtempSync(join(tmpdir(), 'pgcdc-sec-unit-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
const CERT = readFileSync(join(dir, 'cert.pem'), 'utf8');

function check(props: Record<string, string>): { problems: string[]; result: ReturnType<typeof kafkaSecurityFrom> } {
  const problems: string[] = [];
  return { result: kafkaSecurityFrom(new Map(Object.entries(props)), problems), problems };
}

test('Java properties: separators, comments, escapes and \\ line continuation', () => {
  const p = parseProperties('# c\n! c2\nbootstrap.servers = a:1,\\\n    b:2\nsecurity.protocol:SASL_SSL\nsasl.jaas.config=x \\\n  y;\nk\\:ey value\\tv\n');
  assert.equal(p.get('bootstrap.servers'), 'a:1,b:2');
  assert.equal(p.get('security.protocol'), 'SASL_SSL');
  assert.equal(p.get('sasl.jaas.config'), 'x y;');
  assert.equal(p.get('k:ey'), 'value\tv');
});

test('JAAS config: Scram and Plain login modules, quoted values; bad syntax refused without quoting it', () => {
  const j = parseJaasConfig(SCRAM);
  assert.ok(typeof j !== 'string');
  assert.equal(j.module, 'org.apache.kafka.common.security.scram.ScramLoginModule');
  assert.equal(j.options.get('password'), 's3cr"et');
  assert.equal(typeof parseJaasConfig('PlainLoginModule username="a" password="b"'), 'string');
});

test('SASL_SSL + SCRAM-SHA-512 with a PEM truststore becomes TLS and SASL client options for every client', () => {
  const { problems, result } = check({
    'bootstrap.servers': 'kafka.example.com:9096', 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-512',
    'sasl.jaas.config': SCRAM, 'ssl.truststore.type': 'PEM', 'ssl.truststore.certificates': CERT,
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(result.brokers, ['kafka.example.com:9096']);
  assert.equal(result.security.sasl?.mechanism, 'SCRAM-SHA-512');
  assert.equal(result.security.sasl && 'password' in result.security.sasl ? result.security.sasl.password() : undefined, 's3cr"et');
  assert.equal(result.security.tls?.ca, CERT.trim());
  const connection = { brokers: result.brokers, clientId: 'x', security: result.security };
  const o = clientOptions(connection, 'admin') as { tls?: unknown; sasl?: { username: string } };
  assert.ok(o.tls);
  assert.equal(o.sasl?.username, 'pgcdc');
  // The password is not in what a log line of the options would print.
  assert.ok(!JSON.stringify(o).includes('s3cr'));
  assert.equal((sinkProducerOptions(connection, { compression: 'zstd' }) as { compression?: string }).compression, 'zstd');
});

test('mTLS with a PEM keystore file; empty endpoint identification turns the host name check off only', () => {
  writeFileSync(join(dir, 'client.pem'), readFileSync(join(dir, 'key.pem'), 'utf8') + CERT);
  const { problems, result } = check({
    'security.protocol': 'SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': join(dir, 'cert.pem'),
    'ssl.keystore.type': 'PEM', 'ssl.keystore.location': join(dir, 'client.pem'), 'ssl.endpoint.identification.algorithm': '',
  });
  assert.deepEqual(problems, []);
  assert.ok(result.security.tls?.cert && result.security.tls.key);
  assert.equal(result.security.tls?.checkServerIdentity?.('h', {} as never), undefined);
  assert.equal(result.security.sasl, undefined);
});

test('every problem is listed naming its key, never a secret value', () => {
  const { problems } = check({
    'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-512',
    'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="topsecret";',
    'ssl.truststore.type': 'JKS', 'ssl.truststore.location': '/nonexistent/ca.pem', 'ssl.keystore.password': 'topsecret',
    'ssl.endpoint.identification.algorithm': 'ldap', 'bootstrap.servers': 'nohost',
  });
  const text = problems.join('\n');
  for (const key of ['sasl.jaas.config', 'ssl.truststore.type', 'ssl.truststore.location', 'ssl.keystore.password', 'ssl.endpoint.identification.algorithm', 'bootstrap.servers']) {
    assert.ok(problems.some((p) => p.startsWith(key)), `${key} in:\n${text}`);
  }
  assert.ok(!text.includes('topsecret'), text);
  assert.ok(check({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'OAUTHBEARER' }).problems.some((p) => p.startsWith('sasl.jaas.config') && p.includes('OAuthBearerLoginModule')));
  assert.ok(check({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'GSSAPI' }).problems.some((p) => p.startsWith('sasl.mechanism') && p.includes('OAUTHBEARER')));
  assert.ok(check({ 'security.protocol': 'SASL_PLAINTEXT' }).problems.some((p) => p.startsWith('sasl.mechanism') && p.includes('GSSAPI')));
  assert.ok(check({ 'security.protocol': 'TLS' }).problems.some((p) => p.startsWith('security.protocol')));
  assert.ok(check({ 'sasl.jaas.config': SCRAM }).problems.some((p) => p.startsWith('sasl.jaas.config') && p.includes('PLAINTEXT')));
});

test('the environment overrides the properties file; PGCDC_KAFKA_BROKERS is an alias; a missing file names the setting and path', () => {
  const file = join(dir, 'worker.properties');
  writeFileSync(file, `bootstrap.servers=file:1\nsecurity.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\\n  username="u" password="p";\n`);
  const problems: string[] = [];
  const s = workerSettingsFromEnv({ PGCDC_WORKER_PROPERTIES: file, PGCDC_KAFKA_BOOTSTRAP_SERVERS: 'env:2', PGCDC_KAFKA_SASL_MECHANISM: 'PLAIN' }, problems);
  assert.deepEqual(problems, []);
  assert.deepEqual(s.kafkaBrokers, ['env:2']);
  assert.equal(s.kafkaSecurity.sasl && 'username' in s.kafkaSecurity.sasl ? s.kafkaSecurity.sasl.username : undefined, 'u');
  assert.equal(s.kafkaSecurity.tls?.ca, undefined); // system CAs
  assert.deepEqual(workerSettingsFromEnv({ PGCDC_KAFKA_BROKERS: 'a:1,b:2' }, []).kafkaBrokers, ['a:1', 'b:2']);
  const missing: string[] = [];
  workerSettingsFromEnv({ PGCDC_WORKER_PROPERTIES: '/nonexistent/w.properties', PGCDC_KAFKA_SSL_CIPHER_SUITES: 'x' }, missing);
  assert.ok(missing.some((p) => p.includes('PGCDC_WORKER_PROPERTIES') && p.includes('/nonexistent/w.properties')), missing.join('\n'));
  assert.ok(missing.some((p) => p.startsWith('PGCDC_KAFKA_SSL_CIPHER_SUITES')), missing.join('\n'));
});

test('producer.override.compression.type: the codecs the client implements; others refused naming the key', () => {
  const base = { name: 'c', 'database.hostname': 'h', 'database.user': 'u', 'database.dbname': 'd', 'topic.prefix': 'p' };
  for (const c of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    const r = validateConnectorConfig({ ...base, 'producer.override.compression.type': c });
    assert.deepEqual(r.errors, [], c);
    assert.equal(r.config?.compression, c);
  }
  assert.equal(validateConnectorConfig(base).config?.compression, 'none');
  const bad = validateConnectorConfig({ ...base, 'producer.override.compression.type': 'brotli' });
  assert.ok(bad.errors.some((e) => e.key === 'producer.override.compression.type'), JSON.stringify(bad.errors));
});

test('TLS sends SNI (managed services route by it) for host names, not for IP addresses', () => {
  const security = { tls: {} };
  assert.equal((clientOptions({ brokers: ['b-1.kafka.example.com:9096'], clientId: 'x', security }, 'admin') as { tlsServerName?: boolean }).tlsServerName, true);
  assert.equal((clientOptions({ brokers: ['127.0.0.1:9093'], clientId: 'x', security }, 'admin') as { tlsServerName?: boolean }).tlsServerName, false);
});
