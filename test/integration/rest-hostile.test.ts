/**
 * Issue 7, scenario 11: malformed, hostile and oversized REST input. Guarantee: every such request
 * gets a 4xx in Kafka Connect's error shape `{error_code, message}`, nothing is created (no
 * connector, slot, publication or topic), and the worker process keeps running and answering.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { openKafka } from '../../src/kafka/client.js';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { WorkerHttp, type HttpAnswer } from '../harness/worker-http.js';

const DB = 'pgcdc_it_rest_hostile';
const NAME = 'pgcdc_it_rest_hostile';
let services: TestServices;
let db: pg.ClientConfig;
let worker: WorkerHttp;

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, DB);
  await withClient(db, (c) => c.query('CREATE TABLE items (id int PRIMARY KEY, label text)'));
  worker = new WorkerHttp(services, 'hostile');
  await worker.start();
});

after(async () => {
  await worker?.stop();
  await dropDatabase(services, DB);
});

const config = () => testConnectorConfig(db, services, NAME);

function assertKafkaConnectError(answer: { status: number; body: any; text: string }, what: string, status?: number | RegExp): void {
  if (typeof status === 'number') assert.equal(answer.status, status, `${what}: ${answer.text.slice(0, 300)}`);
  else assert.ok(answer.status >= 400 && answer.status < 500, `${what}: a 4xx, got ${answer.status} ${answer.text.slice(0, 300)}`);
  assert.ok(answer.body && typeof answer.body === 'object', `${what}: a JSON body, got ${JSON.stringify(answer.text.slice(0, 300))}`);
  assert.equal(answer.body.error_code, answer.status, `${what}: error_code`);
  assert.equal(typeof answer.body.message, 'string', `${what}: message`);
  assert.ok(answer.body.message.length > 0 && answer.body.message.length < 2000, `${what}: a short message, got ${answer.body.message.length} characters`);
  if (status instanceof RegExp) assert.match(answer.body.message, status, what);
}

/** Sends bytes as they are (methods and request lines fetch refuses to send) and reads the answer. */
function rawHttp(request: string | Buffer, timeoutMs = 20_000): Promise<{ status: number; text: string; body: any }> {
  return new Promise((done, fail) => {
    const socket = connect(worker.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      fail(new Error(`no answer within ${timeoutMs} ms to ${JSON.stringify(String(request).slice(0, 80))}`));
    }, timeoutMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => {}); // the server may close while we still write: the answer is what counts
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = raw.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      let text = rest.join('\r\n\r\n');
      if (/transfer-encoding: chunked/i.test(head)) text = dechunk(text);
      let body: any = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
      done({ status, text: raw, body });
    });
    socket.end(request);
  });
}

function dechunk(text: string): string {
  let out = '';
  for (let rest = text; ; ) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

async function stillServing(what: string): Promise<void> {
  const root = await worker.request('GET', '/');
  assert.equal(root.status, 200, `${what}: the worker still answers GET /`);
  assert.deepEqual((await worker.request('GET', '/connectors')).body, [], `${what}: no connector was created`);
}

test('malformed JSON, wrong content types and oversized bodies get 400/413/415 and create nothing', async () => {
  const post = (raw: string | undefined, headers: Record<string, string>) => worker.request('POST', '/connectors', undefined, { raw, headers });
  const json = { 'content-type': 'application/json' };
  for (const raw of ['{', '{"name": "x", "config": {}}}', '{"name": NaN}', "{'name': 'x'}", '{"name":"x","config":{},}', '\u0000', 'null', '[]', '"x"', '123', '{"name":"x","config":{"a":"\\ud800"}}garbage']) {
    assertKafkaConnectError(await post(raw, json), `body ${JSON.stringify(raw)}`, 400);
  }
  for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/jsonx', 'json']) {
    assertKafkaConnectError(await post(JSON.stringify({ name: NAME, config: config() }), { 'content-type': type }), `content type ${type}`, 415);
  }

  // 10 MB with a Content-Length: refused before it is read.
  const tenMb = JSON.stringify({ name: NAME, config: { ...config(), filler: 'x'.repeat(10 * 1024 * 1024) } });
  const started = Date.now();
  assertKafkaConnectError(await post(tenMb, json), '10 MB body', 413);
  // 10 MB chunked (no Content-Length): counted while streaming in, refused at the limit.
  const chunked = await rawHttp(
    `POST /connectors HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n` +
      `${(tenMb.length).toString(16)}\r\n${tenMb}\r\n0\r\n\r\n`,
  );
  assertKafkaConnectError(chunked, '10 MB chunked body', 413);
  assert.ok(Date.now() - started < 20_000, `oversized bodies are refused quickly (${Date.now() - started} ms)`);
  // A Content-Length that lies (shorter than the body, then a second "request" of junk).
  const lying = await rawHttp(`POST /connectors HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{"name":"x","config":{}}`);
  assertKafkaConnectError(lying, 'Content-Length shorter than the body', 400);
  await stillServing('after malformed bodies');
});

test('deeply nested JSON and non-string config values are refused naming the key, and the process survives', async () => {
  const depth = 100_000;
  const nestedObject = `{"name":"${NAME}","config":{"connector.class":"io.debezium.connector.postgresql.PostgresConnector","deep":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`;
  const nestedArray = `{"name":"${NAME}","config":{"deep":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
  for (const [what, raw] of [['nested objects', nestedObject], ['nested arrays', nestedArray]] as const) {
    for (const path of ['/connectors', `/connectors/${NAME}/config`, '/connector-plugins/PostgresConnector/config/validate']) {
      const method = path === '/connectors' ? 'POST' : 'PUT';
      const body = path === '/connectors' ? raw : raw.slice(raw.indexOf('"config":') + 9, -1);
      const answer = await worker.request(method, path, undefined, { raw: body, headers: { 'content-type': 'application/json' } });
      if (path.endsWith('/validate')) {
        // validation answers 200 with the errors counted, as Kafka Connect does
        assert.equal(answer.status, 200, `${what} ${path}: ${answer.text.slice(0, 300)}`);
        assert.ok(answer.body.error_count >= 1, `${what} ${path}: error_count`);
      } else {
        assertKafkaConnectError(answer, `${what} ${method} ${path}`, 400);
      }
    }
  }
  await stillServing('after deeply nested bodies');

  const typed = await worker.request('POST', '/connectors', {
    name: NAME,
    config: { ...config(), 'database.port': { port: 5432 }, 'slot.name': ['a', 'b'], 'snapshot.fetch.size': 'Infinity', 'tombstones.on.delete': 'yes', 'tasks.max': -1 },
  });
  assertKafkaConnectError(typed, 'non-string config values', 400);
  const keys = typed.body.errors.map((e: { key: string }) => e.key).sort();
  assert.deepEqual(keys, ['database.port', 'slot.name', 'snapshot.fetch.size', 'tasks.max', 'tombstones.on.delete']);
  // a huge config value is refused by validation (not stored), and its text is not echoed back whole
  const huge = await worker.request('POST', '/connectors', { name: NAME, config: { ...config(), 'snapshot.mode': 'y'.repeat(500_000) } });
  assertKafkaConnectError(huge, 'a 500 kB config value', 400);
  await stillServing('after mistyped config values');
});

test('huge, unicode and path-traversal connector names get 400 (or 404 where no such connector can exist)', async () => {
  const bodyNames = ['../x', '..', '.', '%2e%2e', '..%2fx', 'a\u0000b', '\u0000', 'café', '名前', '😀', 'a\u202eb', 'x'.repeat(201), 'x'.repeat(200_000), ' x', 'x\n', 'a/b', 'a\\b', 'CON:', '$(id)', '${env:HOME}'];
  for (const name of bodyNames) {
    assertKafkaConnectError(await worker.request('POST', '/connectors', { name, config: { ...config(), name } }), `body name ${JSON.stringify(name.slice(0, 40))}`, 400);
  }
  const pathNames = ['..%2fx', '%2e%2e', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', 'a%00b', '%00', 'caf%C3%A9', '%F0%9F%98%80', '%E2%80%AEx', 'x'.repeat(5000), '%ZZ', '%', '%C0%AE%C0%AE', '%ff'];
  for (const p of pathNames) {
    for (const [method, suffix] of [['GET', '/status'], ['PUT', '/config'], ['DELETE', ''], ['PUT', '/pause'], ['GET', '/offsets']] as const) {
      const answer = await worker.request(method, `/connectors/${p}${suffix}`, method === 'PUT' && suffix === '/config' ? config() : undefined);
      // (a client that normalizes %2e%2e sends `/`: a method that path does not have is Connect's 405)
      assertKafkaConnectError(answer, `${method} /connectors/${p.slice(0, 40)}${suffix}`, /Invalid connector name|not found|Unknown endpoint|Invalid URL|too long|Method Not Allowed/);
    }
  }
  // traversal in the raw request line never reaches another route or a file
  for (const target of ['/connectors/../connectors', '/connectors/%2e%2e/connectors', '/../../etc/passwd', '/connectors/..;/x', '//connectors', '/connectors/x/../../']) {
    const answer = await rawHttp(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    if (answer.status === 200) assert.doesNotMatch(answer.text, /root:/, `${target} reads no file`);
    else assertKafkaConnectError(answer, `request line ${target}`);
  }
  await stillServing('after hostile names');
});

test('unknown methods, query-string junk and header abuse get a 4xx in Kafka Connect shape', async () => {
  for (const [method, path] of [['PATCH', '/connectors'], ['DELETE', '/connectors'], ['PUT', '/'], ['POST', `/connectors/${NAME}/status`], ['PROPFIND', '/connectors'], ['TRACE', '/'], ['FOO', '/connectors'], ['OPTIONS', '/connectors'], ['CONNECT', '127.0.0.1:80']] as const) {
    const answer = await rawHttp(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    assertKafkaConnectError(answer, `${method} ${path}`);
  }
  // Kafka Connect ignores an unknown expansion: an entry per connector without it, not an error
  for (const query of ['?expand=bogus', `?expand=${'s'.repeat(10_000)}`]) {
    const bogus = await worker.request('GET', `/connectors${query}`);
    assert.equal(bogus.status, 200, bogus.text);
    for (const entry of Object.values(bogus.body as Record<string, object>)) assert.deepEqual(entry, {});
  }
  const undecodable = await worker.request('GET', '/connectors?expand=status&expand=%ZZ');
  assert.equal(undecodable.status, 200, undecodable.text);
  for (const entry of Object.values(undecodable.body as Record<string, object>)) assert.deepEqual(Object.keys(entry), ['status']);
  for (const query of [ '?__proto__[x]=1', '?constructor=1', '?expand[]=status', '?%00=1', '?expand=status&junk']) {
    assertKafkaConnectError(await worker.request('GET', `/connectors${query}`), `query ${query.slice(0, 40)}`, 400);
  }
  for (const query of ['?includeTasks=maybe', '?onlyFailed=1&x=2']) {
    assertKafkaConnectError(await worker.request('POST', `/connectors/nope/restart${query}`), `restart query ${query}`);
  }
  // a request line or headers beyond the server's limits, and garbage instead of HTTP
  assertKafkaConnectError(await rawHttp(`GET /connectors?${'q'.repeat(100_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`), '100 kB request line', 431);
  assertKafkaConnectError(await rawHttp(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Junk: ${'j'.repeat(100_000)}\r\nConnection: close\r\n\r\n`), '100 kB header', 431);
  assertKafkaConnectError(await rawHttp('\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003 not http\r\n\r\n'), 'TLS hello / binary garbage');
  assertKafkaConnectError(await rawHttp('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\nConnection: close\r\n\r\n'), 'negative Content-Length', 400);
  await stillServing('after unknown methods and junk');
});

test('after every hostile request: no slot, publication or topic was created, and a valid connector still works', async () => {
  const created = await withClient(db, async (c) => ({
    slots: (await c.query('SELECT slot_name FROM pg_replication_slots WHERE database = $1', [DB])).rowCount,
    publications: (await c.query('SELECT 1 FROM pg_publication')).rowCount,
  }));
  assert.deepEqual(created, { slots: 0, publications: 0 });
  assert.deepEqual((await openKafka({ clientId: 'pgcdc-test', brokers: services.kafkaBrokers }).listTopics()).filter((t) => t.startsWith(topicPrefixFor(NAME))), []);
  const ok: HttpAnswer = await worker.request('POST', '/connectors', { name: NAME, config: { ...config(), 'snapshot.mode': 'no_data' } });
  assert.equal(ok.status, 201, ok.text);
  assert.equal((await worker.request('DELETE', `/connectors/${NAME}`)).status, 204);
  assert.doesNotMatch(worker.output, /RangeError|Maximum call stack|FATAL|uncaught/i, 'the worker log shows no crash');
});
