import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { OidcServer } from '../harness/oidc-server.js';
import { portNear } from '../harness/private-process.js';
import { SecureKafka } from '../harness/secure-kafka.js';
import { WorkerProcess } from '../harness/worker-process.js';
import { openKafka } from '../../src/kafka/client.js';

/**
 * Issue 14: the worker reaches a Kafka that wants SASL/OAUTHBEARER, with tokens from an OIDC token
 * endpoint (client_credentials), configured as a Kafka Connect worker is (KIP-768 keys). The broker
 * (a private KRaft 4.3.1) validates the RS256 JWTs against the test identity provider's JWKS and
 * ends each session when its token expires, so streaming past the first expiry needs a fresh token.
 */
const NAME = 'pgcdc_it_kafka_oauth';
const LIFETIME_S = 20;
let shared: TestServices;
let oidc: OidcServer;
let kafka: SecureKafka;
let db: pg.ClientConfig;
let dir: string;
const workers: WorkerProcess[] = [];

before(async () => {
  shared = await testServices();
  oidc = new OidcServer();
  await oidc.start(await portNear(29020));
  kafka = new SecureKafka({ basePort: 29000, oauth: { jwksUrl: oidc.jwksUrl, audience: oidc.audience, issuer: oidc.issuer } });
  await kafka.start();
  db = await freshDatabase(shared, NAME);
  await withClient(db, (c) => c.query('CREATE TABLE items (id int PRIMARY KEY, label text)'));
  dir = mkdtempSync(join(tmpdir(), 'pgcdc-oauth-'));
});

after(async () => {
  for (const w of workers) await w.kill('SIGKILL').catch(() => {});
  await kafka?.cleanup();
  await oidc?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const oauthProps = (secret: string) => [
  '# copied from a Connect worker: group.id and the converters are not pgcdc\'s',
  'group.id=connect-cluster',
  'key.converter=io.confluent.connect.avro.AvroConverter',
  'security.protocol=SASL_PLAINTEXT',
  'sasl.mechanism=OAUTHBEARER',
  'sasl.login.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler',
  `sasl.oauthbearer.token.endpoint.url=${oidc.tokenUrl}`,
  'sasl.login.connect.timeout.ms=5000',
  'sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required \\',
  `    clientId="${oidc.clientId}" clientSecret="${secret}" scope="kafka";`,
  '',
].join('\n');

function oauthWorker(name: string, secret: string): WorkerProcess {
  const file = join(dir, `${name}.properties`);
  writeFileSync(file, oauthProps(secret));
  const services = { ...shared, kafkaBrokers: [`127.0.0.1:${kafka.oauthPort}`] };
  const w = new WorkerProcess(services, testConnectorConfig(db, shared, name), `pgcdc-offsets-${name}`, { PGCDC_WORKER_PROPERTIES: file });
  workers.push(w);
  w.start();
  return w;
}

/** What the broker holds, read over its PLAINTEXT listener (the test's, not the worker's). */
const plain = () => openKafka({ clientId: 'pgcdc-test-oauth', brokers: [`127.0.0.1:${kafka.plainPort}`] });

async function changeEvents(topic: string): Promise<number> {
  const reader = plain();
  if (!(await reader.listTopics().catch(() => [] as string[])).includes(topic)) return 0;
  return (await reader.compactedLog(topic).readAll().catch(() => new Map())).size;
}

test('OAUTHBEARER: changes arrive; tokens of 20 s are renewed before they expire and streaming goes on past the first expiry', async () => {
  oidc.lifetimeSeconds = LIFETIME_S;
  const w = oauthWorker(NAME, oidc.clientSecret);
  const topic = `${topicPrefixFor(NAME)}.public.items`;
  const fail = (err: unknown) => {
    throw new Error(`${(err as Error).message}\n${w.output.slice(-3000)}`);
  };
  await withClient(db, async (c) => {
    for (let i = 1; i <= 5; i++) await c.query('INSERT INTO items VALUES ($1, $2)', [i, `row ${i}`]);
  });
  await eventually(async () => (await changeEvents(topic)) >= 5, `5 change events on ${topic}`, 90_000).catch(fail);
  assert.ok(oidc.issued.length >= 1);
  const firstExpiry = oidc.issued[0]!.expiresAtMs;
  // Past the first token's expiry (and the broker's clock skew of 1 s), then more changes.
  await new Promise((r) => setTimeout(r, Math.max(0, firstExpiry - Date.now()) + 4000));
  await withClient(db, async (c) => {
    for (let i = 6; i <= 10; i++) await c.query('INSERT INTO items VALUES ($1, $2)', [i, `row ${i}`]);
  });
  await eventually(async () => (await changeEvents(topic)) >= 10, `10 change events on ${topic} after the first token expired`, 60_000).catch(fail);
  assert.ok(oidc.issued.length >= 2, `a second token was requested (issued: ${oidc.issued.length})`);
  for (let i = 1; i < oidc.issued.length; i++) {
    assert.ok(oidc.issued[i]!.atMs < oidc.issued[i - 1]!.expiresAtMs, `token ${i + 1} was requested before token ${i} expired`);
  }
  // Lazily, on the clients' (re-)authentications: not a request per connection.
  assert.ok(oidc.issued.length <= 6, `tokens are reused until their refresh time (issued: ${oidc.issued.length})`);
  assert.equal(oidc.refused, 0);
  assert.ok(!/SASL authentication failed/.test(w.output), w.output.slice(-3000));
  assert.ok(!w.output.includes(oidc.clientSecret), 'the client secret is never logged');
  // The Connect worker keys pgcdc does not read: one warning naming each.
  const warnings = w.output.split('\n').filter((l) => l.includes('does not use'));
  assert.equal(warnings.length, 1, w.output.slice(0, 3000));
  assert.match(warnings[0]!, /group\.id, key\.converter/);
  await w.kill('SIGTERM');
});

test('OAUTHBEARER with a wrong client secret: a permanent error naming sasl.jaas.config, not the secret; nothing created', async () => {
  const name = `${NAME}_badsecret`;
  const wrong = 'not-the-client-secret-4711';
  const refusedBefore = oidc.refused;
  const w = oauthWorker(name, wrong);
  await eventually(() => /sasl\.jaas\.config/.test(w.output), `an error naming sasl.jaas.config; output:\n${w.output.slice(-3000)}`, 60_000)
    .catch((err) => { throw new Error(`${(err as Error).message}\n${w.output.slice(-3000)}`); });
  assert.match(w.output, /invalid_client/);
  assert.ok(!w.output.includes(wrong), w.output.slice(-3000));
  assert.ok(oidc.refused > refusedBefore);
  // Permanent: not retried by pgcdc's backoff (the run stops, exit 1), only the client library's own few attempts.
  await eventually(async () => (await w.exitCode()) !== undefined, `the run to stop; output:\n${w.output.slice(-3000)}`, 30_000);
  assert.equal(await w.exitCode(), 1);
  assert.ok(oidc.refused - refusedBefore <= 5, `token requests refused: ${oidc.refused - refusedBefore}`);
  await w.kill('SIGKILL');
  const topics = await plain().listTopics();
  assert.ok(!topics.some((t) => t.includes(name) || t.startsWith(topicPrefixFor(name))), topics.join(','));
});
