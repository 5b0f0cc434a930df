import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { readTopics } from '../harness/topics.js';
import { SecureRegistry } from '../harness/secure-registry.js';

/**
 * Issue 14 (registry part): the shared registry behind a private nginx with TLS (a CA of the test's
 * own) and basic auth. A connector with the https URL, a PEM truststore and USER_INFO credentials
 * registers its schemas and streams; a wrong password and an untrusted CA fail it with errors that
 * name the setting to fix and never show the password, and register nothing (the access check runs before the slot is created).
 */
const BASE = 'pgcdc_it_regsec';
let services: TestServices;
let secure: SecureRegistry | undefined;
const running: RunningConnector[] = [];
const databases: string[] = [];

before(async () => {
  services = await testServices();
  secure = new SecureRegistry(services.registryUrl);
  await secure.start();
});

after(async () => {
  for (const r of running) await r.stop().catch(() => {});
  for (const d of databases) await dropDatabase(services, d).catch(() => {});
  await secure?.stop();
});

async function connectorOn(name: string, registry: Record<string, string>): Promise<{ r: RunningConnector; prefix: string }> {
  const db = await freshDatabase(services, name);
  databases.push(name);
  await withClient(db, (c) => c.query("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'snapshot')"));
  const raw = testConnectorConfig(db, services, name, {
    'value.converter.schema.registry.url': secure!.url,
    'key.converter.schema.registry.url': secure!.url,
    ...registry,
  });
  const r = await startConnector(services, raw);
  running.push(r);
  return { r, prefix: topicPrefixFor(name) };
}

/** The connector's slot, if one was created (registry access is checked before). */
async function slotOf(name: string): Promise<number> {
  return (await withClient(services.pg, (c) => c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [name]))).rowCount ?? 0;
}

/**
 * The connector's subjects (of table t) that exist in the plain registry: what actually got
 * registered. Asked per subject: a long-lived registry's subject list is cut at 1000 entries.
 */
async function subjectsOf(prefix: string): Promise<string[]> {
  const found: string[] = [];
  for (const subject of [`${prefix}.public.t-key`, `${prefix}.public.t-value`]) {
    const res = await fetch(`${services.registryUrl}/subjects/${encodeURIComponent(subject)}/versions`);
    if (res.status === 200) found.push(subject);
    else if (res.status !== 404) throw new Error(`registry answered ${res.status} for ${subject}`);
  }
  return found;
}

const userInfo = (password: string) => ({
  'value.converter.basic.auth.credentials.source': 'USER_INFO',
  'value.converter.basic.auth.user.info': `${secure!.user}:${password}`,
});

test('https with a PEM truststore and basic auth: schemas are registered and changes stream', async () => {
  const name = `${BASE}_ok`;
  const { r, prefix } = await connectorOn(name, {
    ...userInfo(secure!.password),
    'value.converter.schema.registry.ssl.truststore.type': 'PEM',
    'value.converter.schema.registry.ssl.truststore.location': secure!.caFile,
  });
  await eventually(() => r.connector.state === 'RUNNING', `${name} RUNNING (${r.connector.trace ?? ''})`, 60_000);
  await withClient({ ...services.pg, database: name }, (c) => c.query("INSERT INTO t VALUES (2, 'streamed')"));
  const topic = `${prefix}.public.t`;
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (all) => all.some((x) => x.value?.op === 'c'), 60_000);
  assert.ok(records.some((x) => x.value?.op === 'r'), 'snapshot record');
  assert.equal(records.find((x) => x.value?.op === 'c')!.value!.after.v, 'streamed');
  assert.deepEqual((await subjectsOf(prefix)).sort(), [`${topic}-key`, `${topic}-value`]);
  // the registrations went through the proxy, authenticated
  assert.match(readFileSync(secure!.accessLog, 'utf8'), new RegExp(`${secure!.user} .*"POST /apis/ccompat/v7/subjects/${topic.replace(/\./g, '\\.')}-value/versions HTTP/1\\.1" 200`));
});

test('inline PEM certificates and credentials in the URL (source URL) work too; messages never show them', async () => {
  const name = `${BASE}_url`;
  const withUserInfo = secure!.url.replace('https://', `https://${secure!.user}:${encodeURIComponent(secure!.password)}@`);
  const { r, prefix } = await connectorOn(name, {
    'value.converter.schema.registry.url': withUserInfo,
    'key.converter.schema.registry.url': withUserInfo,
    'value.converter.schema.registry.ssl.truststore.type': 'PEM',
    'value.converter.schema.registry.ssl.truststore.certificates': readFileSync(secure!.caFile, 'utf8'),
  });
  await eventually(() => r.connector.state === 'RUNNING', `${name} RUNNING (${r.connector.trace ?? ''})`, 60_000);
  await eventually(async () => (await subjectsOf(prefix)).length === 2, 'key and value subjects', 30_000);
});

test('a wrong password fails the connector naming value.converter.basic.auth.user.info, not the password; nothing registered', async () => {
  const name = `${BASE}_badpw`;
  const wrong = `wrong-${secure!.password}`;
  const { r, prefix } = await connectorOn(name, {
    ...userInfo(wrong),
    'value.converter.schema.registry.ssl.truststore.type': 'PEM',
    'value.converter.schema.registry.ssl.truststore.location': secure!.caFile,
  });
  await eventually(() => r.connector.state === 'FAILED', `${name} FAILED`, 30_000);
  const trace = r.connector.trace ?? '';
  assert.match(trace, /HTTP 401/);
  assert.match(trace, /value\.converter\.basic\.auth\.user\.info/);
  assert.ok(!trace.includes(wrong) && !trace.includes(secure!.password), trace);
  assert.deepEqual(await subjectsOf(prefix), []);
  assert.equal(await slotOf(name), 0, 'no slot created');
});

test('a certificate of an untrusted CA fails the connector naming the truststore key; nothing registered', async () => {
  const name = `${BASE}_untrusted`;
  const { r, prefix } = await connectorOn(name, {
    ...userInfo(secure!.password),
    'value.converter.schema.registry.ssl.truststore.type': 'PEM',
    'value.converter.schema.registry.ssl.truststore.location': secure!.otherCaFile,
  });
  await eventually(() => r.connector.state === 'FAILED', `${name} FAILED`, 30_000);
  const trace = r.connector.trace ?? '';
  assert.match(trace, /certificate pgcdc does not trust/);
  assert.match(trace, /value\.converter\.schema\.registry\.ssl\.truststore\.location/);
  assert.ok(!trace.includes(secure!.password), trace);
  assert.deepEqual(await subjectsOf(prefix), []);
  assert.equal(await slotOf(name), 0, 'no slot created');
});

test('a host name the certificate does not name fails naming endpoint.identification.algorithm; empty skips the check', async () => {
  const viaLocalhost = secure!.url.replace('127.0.0.1', 'localhost');
  const trust = {
    ...userInfo(secure!.password),
    'value.converter.schema.registry.url': viaLocalhost,
    'key.converter.schema.registry.url': viaLocalhost,
    'value.converter.schema.registry.ssl.truststore.type': 'PEM',
    'value.converter.schema.registry.ssl.truststore.location': secure!.caFile,
  };
  const checked = await connectorOn(`${BASE}_host`, trust);
  await eventually(() => checked.r.connector.state === 'FAILED', 'host name mismatch FAILED', 30_000);
  assert.match(checked.r.connector.trace ?? '', /ERR_TLS_CERT_ALTNAME_INVALID/);
  assert.match(checked.r.connector.trace ?? '', /value\.converter\.schema\.registry\.ssl\.endpoint\.identification\.algorithm/);
  assert.deepEqual(await subjectsOf(checked.prefix), []);
  const unchecked = await connectorOn(`${BASE}_nohost`, { ...trust, 'value.converter.schema.registry.ssl.endpoint.identification.algorithm': '' });
  await eventually(() => unchecked.r.connector.state === 'RUNNING', `RUNNING without the host name check (${unchecked.r.connector.trace ?? ''})`, 60_000);
  await eventually(async () => (await subjectsOf(unchecked.prefix)).length === 2, 'key and value subjects', 30_000);
});
