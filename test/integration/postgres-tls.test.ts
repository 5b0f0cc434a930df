import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { validateConnectorConfig } from '../../src/config/index.js';
import { classifyPostgresError } from '../../src/errors/classify-postgres.js';
import { clientConfig, connect, type DatabaseSettings } from '../../src/postgres/connection.js';
import { testServices } from '../harness/services.js';
import { eventually, startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { readTopics } from '../harness/topics.js';
import { CERT_USER, CLIENT_KEY_PASSPHRASE, TlsPostgres } from '../harness/tls-postgres.js';

/**
 * database.sslmode against a private PostgreSQL with ssl=on (self-signed CA, server certificate for
 * localhost/127.0.0.1, a role admitted only by client certificate), and against the shared server,
 * which has ssl=off, for prefer's fallback to plain.
 */
const tls = new TlsPostgres();
const running: RunningConnector[] = [];

before(async () => {
  await tls.start();
  await admin(async (c) => {
    await c.query(`CREATE ROLE ${CERT_USER} LOGIN SUPERUSER REPLICATION`);
    await c.query('CREATE TABLE items (id int PRIMARY KEY, name text)');
  });
});

after(async () => {
  for (const r of running) await r.stop().catch(() => {});
  await tls.cleanup();
});

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ ...tls.server.connection });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** ssl per backend of the connections whose application_name starts with pgcdc, walsenders included. */
async function pgcdcSessions(): Promise<{ application_name: string; backend_type: string; ssl: boolean }[]> {
  return (await admin((c) => c.query(
    `SELECT a.application_name, a.backend_type, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s ON s.pid = a.pid WHERE a.application_name LIKE 'pgcdc%'`,
  ))).rows;
}

function settings(over: Partial<DatabaseSettings>): DatabaseSettings {
  return { host: '127.0.0.1', port: tls.server.port, user: 'postgres', password: null, dbname: 'postgres', sslmode: 'prefer', ...over };
}

async function runConnector(name: string, overrides: Record<string, unknown>): Promise<RunningConnector> {
  const services = await testServices();
  const db = { ...tls.server.connection, database: 'postgres' };
  const r = await startConnector(services, testConnectorConfig(db, services, name, { 'table.include.list': 'public.items', ...overrides }));
  running.push(r);
  return r;
}

test('sslmode=prefer against a TLS server: the connector streams and every connection, walsender included, is encrypted', async () => {
  const name = 'pgcdc_it_tls_prefer';
  await admin((c) => c.query(`INSERT INTO items SELECT g, 'snap' FROM generate_series(100, 199) g`)); // read by the snapshot workers
  const r = await runConnector(name, { 'snapshot.max.threads': '2', 'snapshot.chunk.rows': '20' });
  assert.equal(r.connector.state, 'RUNNING');
  await admin((c) => c.query(`INSERT INTO items VALUES (1, 'one')`));
  const services = await testServices();
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [`${topicPrefixFor(name)}.public.items`], (rs) => rs.length >= 101);
  assert.ok(records.length >= 101);
  // every connection pgcdc opened, the short-lived snapshot ones included (log_connections=on)
  const opened = readFileSync(tls.server.log, 'utf8').split('\n').filter((l) => /connection authorized: .*application_name=pgcdc/.test(l));
  assert.ok(opened.length >= 4, opened.join('\n'));
  assert.deepEqual(opened.filter((l) => !/SSL enabled/.test(l)), [], 'every pgcdc connection is encrypted');
  assert.ok(opened.some((l) => l.includes('replication connection authorized')), 'the replication connections are logged');
  let sessions: Awaited<ReturnType<typeof pgcdcSessions>> = [];
  await eventually(async () => (sessions = await pgcdcSessions()).some((s) => s.backend_type === 'walsender'), 'the walsender to show');
  assert.ok(sessions.length >= 2, JSON.stringify(sessions));
  assert.deepEqual(sessions.filter((s) => !s.ssl), [], 'every pgcdc connection uses TLS');
  await r.stop();
  running.splice(running.indexOf(r), 1);
});

test('sslmode=verify-full with the CA connects (by IP and by name); with another CA it fails naming database.sslrootcert', async () => {
  for (const host of ['127.0.0.1', 'localhost']) {
    const c = await connect(clientConfig(settings({ host, sslmode: 'verify-full', sslrootcert: tls.certs.ca })));
    const row = (await c.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0];
    await c.end();
    assert.equal(row.ssl, true, host);
  }
  const err = await connect(clientConfig(settings({ sslmode: 'verify-full', sslrootcert: tls.certs.otherCa }))).then(() => null, (e: unknown) => e);
  assert.ok(err, 'a server certificate from another CA is refused');
  const classified = classifyPostgresError(err, 'connecting', 'connect');
  assert.equal(classified.kind, 'config');
  assert.match(classified.remedy ?? '', /database\.sslrootcert/);
});

test('a connector with sslmode=verify-full streams through the CA', async () => {
  const r = await runConnector('pgcdc_it_tls_verify', { 'database.hostname': 'localhost', 'database.sslmode': 'verify-full', 'database.sslrootcert': tls.certs.ca });
  assert.equal(r.connector.state, 'RUNNING');
  await eventually(async () => (await pgcdcSessions()).some((s) => s.backend_type === 'walsender' && s.ssl), 'an encrypted walsender');
  await r.stop();
  running.splice(running.indexOf(r), 1);
});

test('a connector whose database.sslrootcert is another CA fails (not retried) with a trace naming the key', async () => {
  const r = await runConnector('pgcdc_it_tls_wrong_ca', { 'database.sslmode': 'verify-full', 'database.sslrootcert': tls.certs.otherCa });
  await eventually(() => r.connector.state === 'FAILED', 'the connector to fail');
  assert.match(r.connector.trace ?? '', /database\.sslrootcert/);
  await r.stop();
  running.splice(running.indexOf(r), 1);
});

test('verify-full without database.sslrootcert, or with a missing file, is refused at validation naming the key', async () => {
  const services = await testServices();
  const base = testConnectorConfig({ ...tls.server.connection, database: 'postgres' }, services, 'pgcdc_it_tls_refused');
  const missing = validateConnectorConfig({ ...base, 'database.sslmode': 'verify-full' });
  assert.equal(missing.config, undefined);
  assert.ok(missing.errors.some((e) => e.key === 'database.sslmode' && /database\.sslrootcert/.test(e.message)), JSON.stringify(missing.errors));
  const noFile = validateConnectorConfig({ ...base, 'database.sslmode': 'verify-full', 'database.sslrootcert': '/nonexistent/ca.crt' });
  assert.ok(noFile.errors.some((e) => e.key === 'database.sslrootcert' && /does not exist/.test(e.message)), JSON.stringify(noFile.errors));
  // at connect time (the file went away after validation) the error names the key too
  assert.throws(() => clientConfig(settings({ sslmode: 'verify-ca', sslrootcert: '/nonexistent/ca.crt' })), /database\.sslrootcert/);
});

test('against the shared server with ssl=off, prefer falls back to plain and require fails clearly', async (t) => {
  const services = await testServices();
  const shared = new pg.Client({ ...services.pg });
  await shared.connect();
  const ssl = (await shared.query('SHOW ssl')).rows[0].ssl;
  await shared.end();
  if (ssl !== 'off') return t.skip('the shared PostgreSQL has ssl on');
  const db: DatabaseSettings = { host: services.pg.host, port: services.pg.port, user: services.pg.user, password: null, dbname: services.pg.database, sslmode: 'prefer' };
  const c = await connect(clientConfig(db));
  assert.equal((await c.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0].ssl, false);
  await c.end();
  // the fallback is remembered: the next config (e.g. the replication connection's) starts plain
  assert.equal(clientConfig(db).ssl, false);
  const repl = await connect(clientConfig({ ...db }, { replication: 'database' } as never));
  await repl.end();
  const err = await connect(clientConfig({ ...db, sslmode: 'require' })).then(() => null, (e: unknown) => e);
  assert.match(classifyPostgresError(err, 'connecting', 'connect').remedy ?? '', /ssl=off/);
});

test('client certificate authentication (pg_hba cert) with an encrypted key and database.sslpassword', async () => {
  const certSettings = { user: CERT_USER, host: 'localhost', sslmode: 'verify-full' as const, sslrootcert: tls.certs.ca, sslcert: tls.certs.clientCert };
  const c = await connect(clientConfig(settings({ ...certSettings, sslkey: tls.certs.clientKeyEncrypted, sslpassword: CLIENT_KEY_PASSPHRASE })));
  assert.equal((await c.query('SELECT current_user AS u')).rows[0].u, CERT_USER);
  await c.end();
  assert.throws(() => clientConfig(settings({ ...certSettings, sslkey: tls.certs.clientKeyEncrypted, sslpassword: 'wrong' })), /database\.sslpassword/);
  assert.throws(() => clientConfig(settings({ ...certSettings, sslkey: tls.certs.clientKeyEncrypted })), /database\.sslpassword/);
  // allow: the plain attempt is refused by pg_hba.conf (reject for non-TLS), so it retries with TLS and the certificate
  const allowed = await connect(clientConfig(settings({ user: CERT_USER, sslmode: 'allow', sslcert: tls.certs.clientCert, sslkey: tls.certs.clientKey })));
  assert.equal((await allowed.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0].ssl, true);
  await allowed.end();
  // allow against a server that takes plain connections stays plain
  const plain = await connect(clientConfig(settings({ sslmode: 'allow' })));
  assert.equal((await plain.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0].ssl, false);
  await plain.end();
  // without a certificate the role is refused
  await assert.rejects(connect(clientConfig(settings({ user: CERT_USER, sslmode: 'require' }))));

  const r = await runConnector('pgcdc_it_tls_cert', {
    'database.user': CERT_USER, 'database.hostname': 'localhost', 'database.sslmode': 'verify-full', 'database.sslrootcert': tls.certs.ca,
    'database.sslcert': tls.certs.clientCert, 'database.sslkey': tls.certs.clientKeyEncrypted, 'database.sslpassword': CLIENT_KEY_PASSPHRASE,
  });
  assert.equal(r.connector.state, 'RUNNING');
  await eventually(async () => (await admin((c2) => c2.query(`SELECT 1 FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.usename = $1 AND a.backend_type = 'walsender' AND s.ssl AND s.client_dn = $2`, [CERT_USER, `/CN=${CERT_USER}`]))).rowCount === 1, 'the walsender authenticated by certificate');
  await r.stop();
  running.splice(running.indexOf(r), 1);
});
