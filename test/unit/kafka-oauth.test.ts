import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { kafkaSecurityFrom } from '../../src/kafka/security.js';
import { clientOptions } from '../../src/kafka/platformatic-topics.js';
import { checkJwt, requestToken, type TokenRequestSettings } from '../../src/kafka/oauth-token-request.js';
import { OAuthTokenSource, refreshAtMs } from '../../src/kafka/oauth-token-source.js';
import { classifyKafkaError } from '../../src/errors/classify-kafka.js';
import { PgcdcError } from '../../src/errors/pgcdc-error.js';

const MODULE = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule';
const HANDLER = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler';
const SECRET = 'cl1ent-s3cret';

const base = (extra: Record<string, string> = {}): Record<string, string> => ({
  'security.protocol': 'SASL_SSL',
  'sasl.mechanism': 'OAUTHBEARER',
  'sasl.login.callback.handler.class': HANDLER,
  'sasl.oauthbearer.token.endpoint.url': 'https://idp.example.com/oauth2/token',
  'sasl.jaas.config': `${MODULE} required clientId="pgcdc" clientSecret="${SECRET}" scope="kafka" extension_logicalCluster="lkc-123";`,
  ...extra,
});

function check(props: Record<string, string>) {
  const problems: string[] = [];
  const result = kafkaSecurityFrom(new Map(Object.entries(props)), problems);
  return { problems, result, text: problems.join('\n') };
}

const jwt = (payload: Record<string, unknown>) => `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;

test('OAUTHBEARER as a Connect worker writes it: the token provider and SASL extensions go to every client; the secret never shows', () => {
  const { problems, result } = check(base({ 'sasl.login.refresh.buffer.seconds': '60', 'sasl.login.retry.backoff.max.ms': '2000' }));
  assert.deepEqual(problems, []);
  const sasl = result.security.sasl;
  assert.ok(sasl && sasl.mechanism === 'OAUTHBEARER');
  assert.equal(typeof sasl.token, 'function');
  assert.deepEqual(sasl.oauthBearerExtensions, { logicalCluster: 'lkc-123' });
  const o = clientOptions({ brokers: ['b:9092'], clientId: 'x', security: result.security }, 'admin') as { sasl?: { mechanism: string; token?: unknown } };
  assert.equal(o.sasl?.mechanism, 'OAUTHBEARER');
  assert.equal(typeof o.sasl?.token, 'function');
  assert.ok(!JSON.stringify(o).includes(SECRET));
  // Kafka 3.x's name of the handler, and Kafka 4.1's client-credentials keys instead of the JAAS options.
  assert.deepEqual(check(base({ 'sasl.login.callback.handler.class': 'org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerLoginCallbackHandler' })).problems, []);
  assert.deepEqual(check(base({
    'sasl.jaas.config': `${MODULE} required;`,
    'sasl.oauthbearer.jwt.retriever.class': 'org.apache.kafka.common.security.oauthbearer.ClientCredentialsJwtRetriever',
    'sasl.oauthbearer.client.credentials.client.id': 'pgcdc', 'sasl.oauthbearer.client.credentials.client.secret': SECRET, 'sasl.oauthbearer.scope': 'kafka',
  })).problems, []);
});

test('OAUTHBEARER refusals name the key, never the secret', () => {
  const cases: [Record<string, string>, string][] = [
    [base({ 'sasl.login.callback.handler.class': '' }), 'sasl.login.callback.handler.class'],
    [base({ 'sasl.login.callback.handler.class': 'com.example.MyHandler' }), 'sasl.login.callback.handler.class'],
    [base({ 'sasl.oauthbearer.token.endpoint.url': '' }), 'sasl.oauthbearer.token.endpoint.url'],
    [base({ 'sasl.oauthbearer.token.endpoint.url': 'file:///tmp/token' }), 'sasl.oauthbearer.token.endpoint.url'],
    [base({ 'sasl.oauthbearer.token.endpoint.url': `https://u:${SECRET}@idp/token` }), 'sasl.oauthbearer.token.endpoint.url'],
    [base({ 'sasl.jaas.config': `${MODULE} required clientId="pgcdc";` }), 'sasl.jaas.config'],
    [base({ 'sasl.jaas.config': `${MODULE} required clientId="pgcdc" clientSecret="${SECRET}" unsecuredLoginStringClaim_sub="x";` }), 'sasl.jaas.config'],
    [base({ 'sasl.jaas.config': `${MODULE} required clientId="pgcdc" clientSecret="${SECRET}" extension_auth="x";` }), 'sasl.jaas.config'],
    [base({ 'sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="${SECRET}";` }), 'sasl.jaas.config'],
    [base({ 'sasl.oauthbearer.client.credentials.client.secret': SECRET }), 'sasl.oauthbearer.client.credentials.client.secret'],
    [base({ 'sasl.oauthbearer.jwt.retriever.class': 'org.apache.kafka.common.security.oauthbearer.JwtBearerJwtRetriever' }), 'sasl.oauthbearer.jwt.retriever.class'],
    [base({ 'sasl.login.refresh.window.factor': '0.3' }), 'sasl.login.refresh.window.factor'],
    [base({ 'sasl.login.refresh.window.jitter': 'x' }), 'sasl.login.refresh.window.jitter'],
    [base({ 'sasl.login.refresh.min.period.seconds': '901' }), 'sasl.login.refresh.min.period.seconds'],
    [base({ 'sasl.login.refresh.buffer.seconds': '-1' }), 'sasl.login.refresh.buffer.seconds'],
    [base({ 'sasl.login.connect.timeout.ms': '0' }), 'sasl.login.connect.timeout.ms'],
    [base({ 'sasl.login.read.timeout.ms': '1.5' }), 'sasl.login.read.timeout.ms'],
    [base({ 'sasl.login.retry.backoff.ms': '500', 'sasl.login.retry.backoff.max.ms': '100' }), 'sasl.login.retry.backoff.max.ms'],
    [base({ 'sasl.oauthbearer.header.urlencode': 'yes' }), 'sasl.oauthbearer.header.urlencode'],
    // Keys pgcdc does not implement (broker-side or other retrievers) are refused, not ignored.
    [base({ 'sasl.oauthbearer.expected.audience': 'kafka' }), 'sasl.oauthbearer.expected.audience'],
    [base({ 'sasl.oauthbearer.assertion.algorithm': 'RS256' }), 'sasl.oauthbearer.assertion.algorithm'],
    [base({ 'sasl.login.class': 'x' }), 'sasl.login.class'],
    // The OAUTHBEARER keys under another mechanism would do nothing.
    [{ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="${SECRET}";`, 'sasl.login.refresh.buffer.seconds': '60' }, 'sasl.login.refresh.buffer.seconds'],
  ];
  for (const [props, key] of cases) {
    const { problems, text } = check(props);
    assert.ok(problems.some((p) => p.startsWith(key) || p.includes(`${key}:`)), `${key} in:\n${text}`);
    assert.ok(!text.includes(SECRET), text);
  }
});

test("refresh time: Kafka's window factor and jitter, bounded by the buffer and the minimum period", () => {
  const r = { windowFactor: 0.8, windowJitter: 0.05, minPeriodSeconds: 60, bufferSeconds: 300 };
  // One hour: 80% (+ jitter) = 48-51 min, before the 5 min buffer.
  assert.equal(refreshAtMs(0, 3_600_000, r, 0), 2_880_000);
  assert.equal(refreshAtMs(0, 3_600_000, r, 1), 3_060_000);
  // Ten minutes: 80% = 8 min would be inside the buffer; capped at exp - 300 s, but not before 60 s.
  assert.equal(refreshAtMs(0, 600_000, r, 0), 300_000);
  assert.equal(refreshAtMs(0, 400_000, r, 0), 100_000);
  // 20 s: too short for buffer and min period: the window factor alone (16 s), always before expiry.
  assert.equal(refreshAtMs(1000, 21_000, r, 0), 17_000);
  assert.ok(refreshAtMs(1000, 21_000, r, 1) < 21_000);
});

test('token source: one request while fresh, a new one after the refresh time, the old token kept while a refresh fails', async () => {
  let now = 1_000_000;
  let calls = 0;
  let failing = false;
  const settings = { tokenEndpointUrl: 'http://idp/token' } as TokenRequestSettings;
  const source = new OAuthTokenSource(settings, { windowFactor: 0.8, windowJitter: 0, minPeriodSeconds: 60, bufferSeconds: 300 }, async () => {
    calls++;
    if (failing) throw new PgcdcError('sink-transient', 'down');
    return { token: `t${calls}`, expiresAtMs: now + 20_000, principal: 'p' };
  }, () => now);
  assert.equal(await source.token(), 't1');
  now += 15_000;
  assert.equal(await source.token(), 't1');
  assert.equal(calls, 1);
  now += 1_500; // past 16 s
  assert.equal(await source.token(), 't2');
  assert.equal(calls, 2);
  now += 17_000;
  failing = true;
  assert.equal(await source.token(), 't2', 'still valid for 3 s');
  now += 3_000;
  await assert.rejects(source.token(), /down/);
  failing = false;
  assert.equal(await source.token(), 't5', 'the failed attempts counted, then a fresh token');
});

test('the access token must be a JWT with exp and the sub claim (sasl.oauthbearer.sub.claim.name)', () => {
  const s = { tokenEndpointUrl: 'http://idp/token', subClaimName: 'sub', scopeClaimName: 'scope' };
  assert.equal(checkJwt(jwt({ sub: 'svc', exp: 100, scope: 'a b' }), s).expiresAtMs, 100_000);
  assert.throws(() => checkJwt('opaque-token', s), /not a JWT/);
  assert.throws(() => checkJwt(jwt({ sub: 'svc' }), s), /exp/);
  assert.throws(() => checkJwt(jwt({ client_id: 'svc', exp: 100 }), s), /sasl\.oauthbearer\.sub\.claim\.name/);
  assert.equal(checkJwt(jwt({ client_id: 'svc', exp: 100 }), { ...s, subClaimName: 'client_id' }).principal, 'svc');
  assert.throws(() => checkJwt(jwt({ sub: 'svc', exp: 100, scope: 5 }), s), /sasl\.oauthbearer\.scope\.claim\.name/);
});

/** A token endpoint answering `answer` for each request, recording what it was sent. */
async function endpoint(answer: (n: number) => { status: number; body: unknown } | 'hang') {
  const seen: { auth: string; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ auth: req.headers.authorization ?? '', body: Buffer.concat(chunks).toString() });
      const a = answer(seen.length);
      if (a === 'hang') return;
      res.writeHead(a.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  return { url, seen, close: () => { server.closeAllConnections(); return new Promise<void>((r) => server.close(() => r())); } };
}

const settingsFor = (url: string, extra: Partial<TokenRequestSettings> = {}): TokenRequestSettings => ({
  tokenEndpointUrl: url, clientId: 'pgcdc', clientSecret: () => SECRET, scope: 'kafka', headerUrlencode: false,
  subClaimName: 'sub', scopeClaimName: 'scope', connectTimeoutMs: 1000, readTimeoutMs: 300, retryBackoffMs: 10, retryBackoffMaxMs: 500, ...extra,
});

test('token request: client_credentials form, the secret as basic authentication; 5xx retried with backoff', async () => {
  const exp = Math.floor(Date.now() / 1000) + 60;
  const e = await endpoint((n) => (n < 3 ? { status: 503, body: {} } : { status: 200, body: { access_token: jwt({ sub: 'pgcdc', exp }) } }));
  try {
    const t = await requestToken(settingsFor(e.url));
    assert.equal(t.expiresAtMs, exp * 1000);
    assert.equal(e.seen.length, 3);
    assert.equal(e.seen[0]!.auth, `Basic ${Buffer.from(`pgcdc:${SECRET}`).toString('base64')}`);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(e.seen[0]!.body)), { grant_type: 'client_credentials', scope: 'kafka' });
  } finally {
    await e.close();
  }
});

test('token request: invalid_client is permanent naming sasl.jaas.config; unreachable and timeouts are retriable; no secret in messages', async () => {
  const refused = await endpoint(() => ({ status: 401, body: { error: 'invalid_client', error_description: 'Invalid client credentials' } }));
  try {
    const err = await requestToken(settingsFor(refused.url)).catch((x: unknown) => x);
    assert.ok(err instanceof PgcdcError);
    assert.equal(err.retriable, false);
    assert.match(err.message, /HTTP 401 invalid_client.*sasl\.jaas\.config/);
    assert.equal(refused.seen.length, 1, 'a refusal is not retried');
    assert.ok(!err.message.includes(SECRET));
    // Through the client library's wrapping (NetworkError > AuthenticationError > provider's error), still permanent.
    const wrapped = Object.assign(new Error('Connection to 127.0.0.1:9092 failed.'), { code: 'PLT_KFK_NETWORK', canRetry: true, cause: Object.assign(new Error('The SASL/OAUTHBEARER token provider threw an error.'), { cause: err }) });
    const classified = classifyKafkaError(wrapped, 'connecting to Kafka');
    assert.equal(classified.retriable, false);
    assert.match(classified.message, /sasl\.jaas\.config/);
  } finally {
    await refused.close();
  }
  const hang = await endpoint(() => 'hang');
  try {
    const started = Date.now();
    const err = await requestToken(settingsFor(hang.url, { retryBackoffMaxMs: 0 })).catch((x: unknown) => x);
    assert.ok(err instanceof PgcdcError && err.retriable, String(err));
    assert.match((err as Error).message, /sasl\.login\.read\.timeout\.ms/);
    assert.ok(Date.now() - started < 3000);
  } finally {
    await hang.close();
  }
  const down = await requestToken(settingsFor('http://127.0.0.1:1/token', { retryBackoffMaxMs: 50 })).catch((x: unknown) => x);
  assert.ok(down instanceof PgcdcError && down.retriable && down.kind === 'sink-transient', String(down));
  assert.equal(classifyKafkaError(Object.assign(new Error('x'), { cause: down }), 'c').retriable, true);
});

test("token request over https: an untrusted certificate is permanent and says how to trust a private CA", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgcdc-oauth-unit-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  const server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
    const err = await requestToken(settingsFor(url)).catch((x: unknown) => x);
    assert.ok(err instanceof PgcdcError && !err.retriable, String(err));
    assert.match((err as Error).message, /NODE_EXTRA_CA_CERTS/);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
