import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, RUN_ID, testConnectorConfig } from '../harness/connector.js';
import { WorkerHttp } from '../harness/worker-http.js';

const DB = 'pgcdc_it_rest_security';
const TOKEN = `tok-${RUN_ID}-9d2f`;
// Secrets only providers know (must appear nowhere: not even in requests pgcdc sends) ...
const FILE_CANARY = `canaryfile${RUN_ID}x71`;
const ENV_CANARY = `canaryenv${RUN_ID}x72`;
// ... and secrets written in clear (must not come back in answers or logs).
const CLEAR_CANARY = `canaryclear${RUN_ID}x73`;
const FOREIGN_CANARY = `canaryforeign${RUN_ID}x74`;
const dir = mkdtempSync(join(tmpdir(), 'pgcdc-rest-security-'));
const outside = mkdtempSync(join(tmpdir(), 'pgcdc-rest-security-out-'));

let services: TestServices;
let db: pg.ClientConfig;
let open: WorkerHttp;
let secured: WorkerHttp;
let receiver: Server;
let receiverUrl = '';
const received: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, DB);
  await withClient(db, (c) => c.query('CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, \'a\')'));
  writeFileSync(join(dir, 'secrets.properties'), `pw=${FILE_CANARY}\n`);
  writeFileSync(join(outside, 'other.properties'), `pw=${FILE_CANARY}\n`);
  symlinkSync('/dev/zero', join(dir, 'zero'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  // Records every request; as a "registry" it answers like an internal service with a long body.
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body });
      if (req.url?.startsWith('/registry')) {
        res.writeHead(409, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ internal: `${'x'.repeat(300)} ${FOREIGN_CANARY} ${'y'.repeat(2000)}`, status: 'conflict' }));
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  const address = receiver.address();
  receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  open = new WorkerHttp(services, 'sec-open');
  secured = new WorkerHttp(services, 'sec-auth', {
    env: {
      PGCDC_REST_TOKEN: TOKEN,
      PGCDC_CONFIG_PROVIDERS: 'file,env',
      PGCDC_CONFIG_PROVIDERS_FILE_PARAM_ALLOWED_PATHS: `${dir},/dev/zero`,
      PGCDC_CONFIG_PROVIDERS_ENV_PARAM_ALLOWLIST_PATTERN: 'PGCDC_CANARY_.*',
      PGCDC_CANARY_ENV: ENV_CANARY,
    },
    authHeader: `Bearer ${TOKEN}`,
  });
  await Promise.all([open.start(), secured.start()]);
});

after(async () => {
  await Promise.all([open?.stop(), secured?.stop()]);
  receiver?.close();
  await dropDatabase(services, DB);
});

/** Every answer and every log line of both workers, and (for provider secrets) every request they sent. */
function assertNoCanary(where: string): void {
  const answers = [...open.responses, ...secured.responses].join('\n');
  const logs = open.output + secured.output;
  const sent = JSON.stringify(received);
  for (const canary of [FILE_CANARY, ENV_CANARY, CLEAR_CANARY, FOREIGN_CANARY]) {
    assert.ok(!answers.includes(canary), `${where}: ${canary} in a REST answer`);
    assert.ok(!logs.includes(canary), `${where}: ${canary} in the worker log`);
  }
  for (const canary of [FILE_CANARY, ENV_CANARY]) assert.ok(!sent.includes(canary), `${where}: ${canary} in an outgoing request`);
}

function config(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const c = testConnectorConfig(db, services, name, overrides);
  delete c.name;
  return c;
}

const validate = (worker: WorkerHttp, body: Record<string, unknown>) =>
  worker.request('PUT', '/connector-plugins/PostgresConnector/config/validate', { name: 'sec_validate', ...body });
const errorsOf = (answer: { body: any }, key: string): string[] =>
  answer.body.configs.find((c: any) => c.definition.name === key)?.value.errors ?? [];

test('config providers are off by default: a reference is refused naming the key and the provider', async () => {
  const answer = await open.request('POST', '/connectors', { name: 'sec_off', config: config('sec_off', { 'database.password': '${file:/etc/shadow:root}' }) });
  assert.equal(answer.status, 400);
  assert.match(answer.body.message, /database\.password.*\$\{file:\/etc\/shadow:root\}.*config provider "file" is not enabled/);
  const v = await validate(open, { ...config('sec_off'), 'database.password': '${env:HOME}' });
  assert.match(errorsOf(v, 'database.password').join(), /config provider "env" is not enabled/);
  assert.deepEqual((await open.request('GET', '/connectors')).body, [], 'nothing created');
  assertNoCanary('providers off');
});

test('with providers on: allowed paths and names enforced, references only in secret keys', async () => {
  const base = config('sec_refs');
  const v = await validate(secured, {
    ...base,
    'database.password': `\${file:${outside}/other.properties:pw}`,
    'topic.prefix': '${env:PGCDC_CANARY_ENV}',
    'alert.webhook.url': `\${file:${dir}/secrets.properties:pw}`,
    'heartbeat.action.query': '${env:PGCDC_CANARY_ENV}',
    'value.converter.schema.registry.url': '${env:PGCDC_CANARY_ENV}',
    'database.sslpassword': '${env:HOME}',
  });
  assert.match(errorsOf(v, 'database.password').join(), /not under PGCDC_CONFIG_PROVIDERS_FILE_PARAM_ALLOWED_PATHS/);
  for (const key of ['topic.prefix', 'alert.webhook.url', 'heartbeat.action.query', 'value.converter.schema.registry.url']) {
    assert.match(errorsOf(v, key).join(), /accepted only in secret keys/, key);
  }
  assert.match(errorsOf(v, 'database.sslpassword').join(), /HOME is not allowed/);
  const ok = await validate(secured, { ...base, 'database.password': `\${file:${dir}/secrets.properties:pw}\${env:PGCDC_CANARY_ENV}` });
  assert.equal(ok.body.error_count, 0, JSON.stringify(ok.body.configs.filter((c: any) => c.value.errors.length)));
  assertNoCanary('providers on');
});

test('/dev/zero and a FIFO are refused at once, and the worker keeps answering', async () => {
  const started = Date.now();
  const [zero, fifo, link, info] = await Promise.all([
    validate(secured, { ...config('sec_dev'), 'database.password': '${file:/dev/zero:x}' }),
    validate(secured, { ...config('sec_dev'), 'database.password': `\${file:${dir}/fifo:x}` }),
    validate(secured, { ...config('sec_dev'), 'database.password': `\${file:${dir}/zero:x}` }),
    secured.request('GET', '/'),
  ]);
  assert.ok(Date.now() - started < 3000, `${Date.now() - started} ms`);
  assert.match(errorsOf(zero, 'database.password').join(), /not a regular file/);
  assert.match(errorsOf(fifo, 'database.password').join(), /not a regular file/);
  assert.match(errorsOf(link, 'database.password').join(), /outside|not a regular file/);
  assert.equal(info.status, 200);
  assert.equal((await secured.request('GET', '/connectors')).status, 200);
});

test('validating 10,000 keys answers in well under two seconds; a catastrophic regex is refused', async () => {
  const big: Record<string, unknown> = { ...config('sec_big') };
  for (let i = 0; i < 10_000; i++) big[`custom.key.${i}`] = `value-${i}`;
  let started = Date.now();
  const [answer, alive] = await Promise.all([validate(open, big), open.request('GET', '/')]);
  const ms = Date.now() - started;
  assert.equal(answer.status, 200);
  assert.equal(answer.body.warnings.length, 10_000);
  assert.equal(alive.status, 200);
  assert.ok(ms < 2000, `${ms} ms`);

  started = Date.now();
  const regex = await validate(open, { ...config('sec_re'), 'table.include.list': 'public\\.a{35}(a+)+b' });
  const message = errorsOf(regex, 'table.include.list').join();
  assert.match(message, /table\.include\.list/);
  assert.ok(message.includes('a{35}(a+)+b'), message);
  assert.match(message, /nested quantifiers/);
  const created = await open.request('POST', '/connectors', { name: 'sec_re', config: config('sec_re', { 'column.exclude.list': '(x|xx)+y' }) });
  assert.equal(created.status, 400);
  assert.match(created.body.message, /column\.exclude\.list/);
  assert.ok(Date.now() - started < 1000);
});

test('intervals beyond the timer range are refused naming the key', async () => {
  const answer = await open.request('POST', '/connectors', {
    name: 'sec_ms',
    config: config('sec_ms', { 'poll.interval.ms': '2147483648', 'heartbeat.interval.ms': '2147483647', 'metrics.log.interval.ms': '99999999999' }),
  });
  assert.equal(answer.status, 400);
  assert.deepEqual(answer.body.errors.map((e: any) => e.key).sort(), ['metrics.log.interval.ms', 'poll.interval.ms']);
  assert.match(answer.body.message, /poll\.interval\.ms: must be at most 2147483647/);
});

/** A raw HTTP request with a chosen Host header (fetch does not let a caller set it). */
function withHost(port: number, host: string): Promise<{ status: number; body: any }> {
  return new Promise((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/connectors', headers: { host } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', fail);
    req.end();
  });
}

test('without authentication only loopback Host names are served (DNS rebinding)', async () => {
  const evil = await withHost(open.port, 'evil.example');
  assert.equal(evil.status, 421);
  assert.equal(evil.body.error_code, 421);
  assert.match(evil.body.message, /evil\.example.*PGCDC_REST_ALLOWED_HOSTS/);
  assert.equal((await withHost(open.port, `evil.example:${open.port}`)).status, 421);
  for (const host of [`localhost:${open.port}`, `127.0.0.1:${open.port}`, `[::1]:${open.port}`, 'LOCALHOST']) {
    assert.equal((await withHost(open.port, host)).status, 200, host);
  }
});

test('registry URL at a foreign HTTP service: the status trace names the status, never its body', async () => {
  const name = 'sec_ssrf';
  const answer = await secured.request('POST', '/connectors', {
    name,
    config: config(name, { 'value.converter.schema.registry.url': `${receiverUrl}/registry`, 'key.converter.schema.registry.url': `${receiverUrl}/registry` }),
  });
  assert.equal(answer.status, 201, answer.text);
  let trace = '';
  await eventually(async () => {
    trace = (await secured.request('GET', `/connectors/${name}/status`)).body.connector.trace ?? '';
    return /schema registry/.test(trace);
  }, 'a registry error in the trace', 60_000);
  assert.match(trace, /incompatible/);
  assert.ok(!trace.includes(FOREIGN_CANARY) && !trace.includes('xxxxxxxxxx'), trace.slice(0, 500));
  assert.equal((await secured.request('DELETE', `/connectors/${name}`)).status, 204);
  assertNoCanary('ssrf');
});

test('a full connector lifecycle with canary secrets in every secret-like key leaks none of them', async () => {
  const name = 'sec_life';
  // A client key file that does not exist is refused naming the keys, never their values.
  const refused = await secured.request('POST', '/connectors', { name, config: config(name, { 'database.sslpassword': CLEAR_CANARY, 'database.sslkey': `/keys/${CLEAR_CANARY}.pem` }) });
  assert.equal(refused.status, 400, refused.text);
  assert.match(refused.text, /database\.sslkey/);
  assert.ok(!refused.text.includes(CLEAR_CANARY), refused.text);
  const secretConfig = config(name, {
    'database.password': `\${file:${dir}/secrets.properties:pw}\${env:PGCDC_CANARY_ENV}`,
    'ssl.key.password': CLEAR_CANARY,
    // sent to the shared registry, which runs without authentication and ignores them
    'value.converter.basic.auth.credentials.source': 'USER_INFO',
    'value.converter.basic.auth.user.info': `user:${CLEAR_CANARY}`,
    'key.converter.basic.auth.credentials.source': 'USER_INFO',
    'key.converter.basic.auth.user.info': `user:${CLEAR_CANARY}`,
    'producer.override.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="${CLEAR_CANARY}";`,
    'vault.token': CLEAR_CANARY,
    'my.secret': CLEAR_CANARY,
    'aws.access.key.id': CLEAR_CANARY,
    'alert.webhook.url': `${receiverUrl}/hook?x=1`.replace('http://', `http://hook:${CLEAR_CANARY}@`),
  });
  const ok = (status: number, expected: number[], what: string) => assert.ok(expected.includes(status), `${what}: ${status}`);
  const created = await secured.request('POST', '/connectors', { name, config: secretConfig });
  ok(created.status, [201], `create ${created.text}`);
  await eventually(async () => (await secured.request('GET', `/connectors/${name}/status`)).body.connector.state === 'RUNNING', `${name} RUNNING`, 60_000);
  ok((await secured.request('GET', `/connectors/${name}`)).status, [200], 'get');
  const shown = (await secured.request('GET', `/connectors/${name}/config`)).body;
  assert.equal(shown['ssl.key.password'], '[hidden]');
  assert.equal(shown['my.secret'], '[hidden]');
  assert.equal(shown['alert.webhook.url'], `http://hook:[hidden]@${receiverUrl.slice(7)}/hook?x=1`);
  ok((await secured.request('GET', `/connectors/${name}/tasks`)).status, [200], 'tasks');
  ok((await secured.request('GET', '/connectors?expand=info&expand=status')).status, [200], 'expand');
  const v = await validate(secured, { ...secretConfig, 'alert.webhook.url': `http://hook:${CLEAR_CANARY}@bad host/` });
  assert.match(errorsOf(v, 'alert.webhook.url').join(), /\[hidden\]/);
  ok((await secured.request('PUT', `/connectors/${name}/pause`)).status, [202], 'pause');
  ok((await secured.request('PUT', `/connectors/${name}/resume`)).status, [202], 'resume');
  ok((await secured.request('PUT', `/connectors/${name}/stop`)).status, [204], 'stop');
  ok((await secured.request('GET', `/connectors/${name}/offsets`)).status, [200], 'offsets');
  const badOffsets = await secured.request('PATCH', `/connectors/${name}/offsets`, { offsets: [{ partition: { server: 'nope' }, offset: { lsn: 1 } }] });
  ok(badOffsets.status, [400], 'bad offsets');
  ok((await secured.request('PUT', `/connectors/${name}/resume`)).status, [202], 'resume after stop');
  // A config update sent back with [hidden] keeps the stored secrets.
  ok((await secured.request('PUT', `/connectors/${name}/config`, { ...shown, 'max.batch.size': '1000' })).status, [200], 'put config');
  ok((await secured.request('POST', `/connectors/${name}/restart?includeTasks=true`)).status, [202], 'restart');
  await eventually(async () => (await secured.request('GET', `/connectors/${name}/status`)).body.connector.state === 'RUNNING', `${name} RUNNING again`, 60_000);
  ok((await secured.request('GET', '/metrics')).status, [200], 'metrics');
  ok((await secured.request('DELETE', `/connectors/${name}`)).status, [204], 'delete');
  assertNoCanary('lifecycle');
});

test('failed logins are logged at warn without the credential and rate-limited per address', async () => {
  const guess = `guess-${RUN_ID}-zz`;
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) statuses.push((await secured.request('GET', '/connectors', undefined, { headers: { authorization: `Bearer ${guess}${i}` } })).status);
  assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
  assert.deepEqual(statuses.slice(10), [429, 429]);
  const locked = await secured.request('GET', '/connectors');
  assert.equal(locked.status, 429, 'the address is locked out, even with the right token');
  assert.ok(Number(locked.headers.get('retry-after')) > 0);
  assert.equal(locked.body.error_code, 429);
  assert.match(secured.output, /"level":40[^\n]*REST login failed/);
  assert.ok(!secured.output.includes(guess), 'the guessed credential is not logged');
  assert.equal((await secured.request('GET', '/health')).status, 200, 'liveness still answers');
});
