import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig } from '../harness/connector.js';
import { WorkerHttp } from '../harness/worker-http.js';

const CLI = resolve(new URL('../../src/cli.js', import.meta.url).pathname);
const DB = 'pgcdc_it_rest_access';
const TOKEN = 'test-token-7f3a9c';
const BASIC = 'admin:b4sic-pw';
let services: TestServices;
let db: pg.ClientConfig;
let secured: WorkerHttp;
const dir = mkdtempSync(join(tmpdir(), 'pgcdc-rest-access-'));

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, PGCDC_REST_TOKEN: '', PGCDC_REST_BASIC_AUTH: '', ...env } }, (err, stdout, stderr) => {
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, DB);
  await withClient(db, (c) => c.query('CREATE TABLE notes (id int PRIMARY KEY, body text)'));
  // Listens on every interface: allowed because authentication is on.
  secured = new WorkerHttp(services, 'access', {
    env: { PGCDC_REST_HOST: '0.0.0.0', PGCDC_REST_TOKEN: TOKEN, PGCDC_REST_BASIC_AUTH: BASIC },
    authHeader: `Bearer ${TOKEN}`,
  });
  await secured.start();
});

after(async () => {
  await secured?.stop();
  await dropDatabase(services, DB);
});

test('with authentication on, requests need the bearer token or the basic credentials', async () => {
  const none = await secured.request('GET', '/connectors', undefined, { headers: { authorization: '' } });
  assert.equal(none.status, 401);
  assert.equal(none.body.error_code, 401);
  assert.match(none.headers.get('www-authenticate') ?? '', /Basic/);
  const wrong = await secured.request('GET', '/connectors', undefined, { headers: { authorization: 'Bearer nope' } });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.message, 'Invalid credentials');
  const badBasic = await secured.request('GET', '/', undefined, { headers: { authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` } });
  assert.equal(badBasic.status, 401);
  assert.equal((await secured.request('GET', '/connectors')).status, 200, 'bearer token');
  const basic = await secured.request('GET', '/connectors', undefined, { headers: { authorization: `Basic ${Buffer.from(BASIC).toString('base64')}` } });
  assert.equal(basic.status, 200, 'basic credentials');
  const doc = (await secured.request('GET', '/openapi.json')).body;
  assert.ok(doc.components.securitySchemes.bearer, 'the OpenAPI description declares the authentication');
});

test('without authentication a non-loopback bind is refused with a clear error', async () => {
  const open = new WorkerHttp(services, 'open', { env: { PGCDC_REST_HOST: '0.0.0.0' } });
  open.port = 1; // never listened on: the worker must refuse before binding
  open.spawn();
  assert.equal(await open.exited(), 2);
  assert.match(open.output, /PGCDC_REST_HOST=0\.0\.0\.0 is not a loopback address, and the REST API has no authentication/);
  assert.match(open.output, /PGCDC_REST_TOKEN/);

  const badAuth = new WorkerHttp(services, 'badauth', { env: { PGCDC_REST_BASIC_AUTH: 'only-a-user-no-colon-secret' } });
  badAuth.port = 1;
  badAuth.spawn();
  assert.equal(await badAuth.exited(), 2);
  assert.match(badAuth.output, /PGCDC_REST_BASIC_AUTH must be user:password/);
  assert.ok(!badAuth.output.includes('only-a-user-no-colon-secret'), 'the credential is not repeated');
});

test('TLS: the worker serves HTTPS with the given certificate', async () => {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const tls = new WorkerHttp(services, 'tls', { env: { PGCDC_REST_TLS_CERT: cert, PGCDC_REST_TLS_KEY: key }, tlsCa: readFileSync(cert, 'utf8') });
  try {
    await tls.start();
    const root = await tls.request('GET', '/');
    assert.equal(root.status, 200);
    assert.ok(tls.url.startsWith('https://'));
    await assert.rejects(fetch(`http://127.0.0.1:${tls.port}/`), 'plain HTTP gets no answer');
  } finally {
    assert.equal((await tls.stop()).code, 0);
  }
});

test('CLI: register, list, status, pause, resume, restart, delete over the REST API with the token', async () => {
  const url = ['--url', secured.url];
  const auth = { PGCDC_REST_TOKEN: TOKEN };
  const name = 'pgcdc_it_rest_cli';
  const { name: _n, ...config } = testConnectorConfig(db, services, name, { 'snapshot.mode': 'no_data' });
  const file = join(dir, 'cli-connector.json');
  writeFileSync(file, JSON.stringify({ name, config }));

  const help = await cli(['register', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: pgcdc register <file.json>/);
  const unauthenticated = await cli(['list', ...url]);
  assert.equal(unauthenticated.code, 1);
  assert.match(unauthenticated.stderr, /Authentication required.*\(HTTP 401\)/);

  const registered = await cli(['register', file, ...url], auth);
  assert.equal(registered.code, 0, registered.stderr);
  assert.equal(JSON.parse(registered.stdout).name, name);
  let listed: CliResult | undefined;
  await eventually(async () => (listed = await cli(['list', ...url], auth)).stdout.includes(`${name}\tRUNNING`), 'list to show the connector RUNNING')
    .catch((e: Error) => assert.fail(`${e.message}; last: ${JSON.stringify(listed)}`));

  assert.equal((await cli(['pause', name, ...url], auth)).code, 0);
  const status = await cli(['status', name, ...url], auth);
  assert.equal(JSON.parse(status.stdout).connector.state, 'PAUSED');
  assert.equal((await cli(['resume', name, ...url], auth)).code, 0);
  assert.equal((await cli(['restart', name, ...url], auth)).code, 0);
  await eventually(async () => JSON.parse((await cli(['status', name, ...url], auth)).stdout).connector.state === 'RUNNING', 'RUNNING after restart');
  assert.equal((await cli(['delete', name, ...url], auth)).code, 0);

  const missing = await cli(['status', name, ...url], auth);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, new RegExp(`Connector ${name} not found \\(HTTP 404\\)`));
  const usage = await cli(['status', ...url], auth);
  assert.equal(usage.code, 2);
});

test('SIGTERM exits 1 with a message when connectors do not stop within PGCDC_SHUTDOWN_TIMEOUT_MS', async () => {
  const hasty = new WorkerHttp(services, 'hasty', { env: { PGCDC_SHUTDOWN_TIMEOUT_MS: '1' } });
  await hasty.start();
  const name = 'pgcdc_it_rest_hasty';
  const { name: _n, ...config } = testConnectorConfig(db, services, name, { 'snapshot.mode': 'no_data' });
  const created = await hasty.request('POST', '/connectors', { name, config }, { headers: { 'content-type': 'application/json; charset=utf-8' } });
  assert.equal(created.status, 201, created.text);
  await eventually(async () => (await hasty.request('GET', `/connectors/${name}/status`)).body.connector.state === 'RUNNING', 'RUNNING');
  const { code } = await hasty.stop('SIGTERM');
  assert.equal(code, 1);
  assert.match(hasty.output, /did not stop within 1 ms after SIGTERM/);
});
