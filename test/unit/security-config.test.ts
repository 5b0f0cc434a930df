import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  backtrackingRisk, findReferences, isSecretKey, providerPolicyFromEnv, readProviderFile, redactConfig,
  redactUrlCredentials, resolveConfigProviders, validateConnectorConfig, FILE_MAX_BYTES,
} from '../../src/config/index.js';
import { prepareConfig } from '../../src/worker/validation.js';

const minimal = {
  name: 'sec', 'database.hostname': 'localhost', 'database.user': 'cdc', 'database.dbname': 'db', 'topic.prefix': 'sec',
};

test('catastrophic include/exclude regexes are refused naming the key and the pattern; common ones pass', () => {
  for (const p of ['public\\.a{35}(a+)+b', '(a*)*', '(a|aa)+', '(\\w+\\.)+x', '(a)\\1', '.*.*.*.*x', 'a?a?a?a?a?a?b']) {
    assert.ok(backtrackingRisk(p), p);
  }
  for (const p of ['public\\.orders', 'public\\..*', 'inventory\\.customers_\\d{1,3}', '(public|audit)\\.(orders|items)', '.*\\.audit_.*', '[a-z]+_[0-9]+', 'a{2,5}(ab){3}']) {
    assert.equal(backtrackingRisk(p), undefined, p);
  }
  const { errors } = validateConnectorConfig({ ...minimal, 'table.include.list': 'public\\.a{35}(a+)+b', 'snapshot.include.collection.list': '(x+)+' });
  const table = errors.find((e) => e.key === 'table.include.list')!;
  assert.match(table.message, /table\.include\.list/);
  assert.ok(table.message.includes('public\\\\.a{35}(a+)+b'), table.message);
  assert.match(table.message, /nested quantifiers/);
  assert.ok(errors.some((e) => e.key === 'snapshot.include.collection.list'));
  // What passes runs fast even on the longest identifiers.
  const started = performance.now();
  const { config } = validateConnectorConfig({ ...minimal, 'table.include.list': '.*.*.*x,[a-z]+_[a-z]+_[a-z]+z' });
  for (let i = 0; i < 50; i++) config!.filters.table('s'.repeat(63), 'a'.repeat(63));
  assert.ok(performance.now() - started < 1000, `${performance.now() - started} ms`);
});

test('scans are linear: references, URL credentials, properties', () => {
  const junk = `\${${':'.repeat(1_000_000)}`;
  let started = performance.now();
  assert.deepEqual(findReferences(junk), []);
  assert.equal(redactUrlCredentials(`a://${'b'.repeat(1_000_000)}`).length, 1_000_004);
  assert.equal(redactUrlCredentials('x'.repeat(500_000) + '://'.repeat(100_000)).length, 800_000);
  assert.ok(performance.now() - started < 500, `${performance.now() - started} ms`);
  assert.equal(redactUrlCredentials('see http://u:p%40ss@h:1/x and https://tok@h2/ ok'), 'see http://u:[hidden]@h:1/x and https://[hidden]@h2/ ok');
  started = performance.now();
  assert.deepEqual(findReferences('a${env:X}b${file:/p:k:z}').map((r) => [r.provider, r.path, r.key]), [['env', undefined, 'X'], ['file', '/p', 'k:z']]);
  assert.ok(performance.now() - started < 50);
});

test('secret-like keys are hidden; intervals beyond the timer range are refused naming the key', () => {
  for (const k of ['database.password', 'database.sslpassword', 'ssl.key.password', 'producer.override.sasl.jaas.config', 'value.converter.basic.auth.user.info', 'x.secret', 'vault.token', 'ssl.key', 'aws.access.key.id', 'api.key', 'database.sslkey']) {
    assert.ok(isSecretKey(k), k);
  }
  for (const k of ['database.user', 'key.converter', 'message.key.columns', 'topic.prefix']) assert.ok(!isSecretKey(k), k);
  assert.equal(redactConfig({ 'database.sslpassword': 'canary' })['database.sslpassword'], '[hidden]');
  const { errors } = validateConnectorConfig({ ...minimal, 'poll.interval.ms': String(2 ** 31), 'slot.retry.delay.ms': '9007199254740991', 'offset.flush.interval.ms': String(2 ** 31 - 1) });
  assert.deepEqual(errors.map((e) => e.key).sort(), ['poll.interval.ms', 'slot.retry.delay.ms']);
  assert.match(errors[0]!.message, /at most 2147483647/);
});

test('worker provider settings: off by default, an enabled provider needs its allowlist', () => {
  const problems: string[] = [];
  assert.deepEqual(providerPolicyFromEnv({}, problems), { fileAllowedPaths: null, envAllowlist: null });
  assert.deepEqual(problems, []);
  providerPolicyFromEnv({ PGCDC_CONFIG_PROVIDERS: 'file,env,vault' }, problems);
  assert.equal(problems.length, 3);
  assert.match(problems.join('\n'), /vault/);
  assert.match(problems.join('\n'), /ALLOWED_PATHS must list/);
  assert.match(problems.join('\n'), /ALLOWLIST_PATTERN must be/);
  const ok = providerPolicyFromEnv({ PGCDC_CONFIG_PROVIDERS: 'env', PGCDC_CONFIG_PROVIDERS_ENV_PARAM_ALLOWLIST_PATTERN: 'DB_.*' }, []);
  assert.ok(ok.envAllowlist?.test('DB_PW') && !ok.envAllowlist.test('XDB_PW'));
});

test('provider files: allowed paths, links, regular files, size cap, no waiting on a FIFO', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgcdc-prov-'));
  const other = mkdtempSync(join(tmpdir(), 'pgcdc-prov-out-'));
  writeFileSync(join(dir, 'ok.properties'), 'pw=canary-in-file\n');
  writeFileSync(join(other, 'out.properties'), 'pw=outside\n');
  writeFileSync(join(dir, 'big.properties'), 'x'.repeat(FILE_MAX_BYTES + 1));
  symlinkSync(join(other, 'out.properties'), join(dir, 'link.properties'));
  symlinkSync('/dev/zero', join(dir, 'zero'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  assert.equal(await readProviderFile(join(dir, 'ok.properties'), [dir]), 'pw=canary-in-file\n');
  const why = async (path: string, allowed = [dir]) => readProviderFile(path, allowed).then(() => 'read', (e: Error) => e.message);
  assert.match(await why(join(other, 'out.properties')), /not under/);
  assert.match(await why(`${dir}/../${other.split('/').pop()}/out.properties`), /not under/);
  assert.match(await why(join(dir, 'link.properties')), /outside/);
  assert.match(await why('/dev/zero', ['/dev']), /not a regular file/);
  assert.match(await why(join(dir, 'zero'), [dir, '/dev']), /not a regular file/);
  assert.match(await why(join(dir, 'big.properties')), /larger than/);
  const started = Date.now();
  assert.match(await why(join(dir, 'fifo')), /not a regular file/);
  assert.ok(Date.now() - started < 1000);
  assert.match(await why('relative/x'), /absolute/);

  const policy = { fileAllowedPaths: [dir], envAllowlist: /PGCDC_CANARY_.*/ };
  const r = await resolveConfigProviders({ ...minimal, 'database.password': `\${file:${dir}/ok.properties:pw}` }, { policy });
  assert.equal(r.config['database.password'], 'canary-in-file');
  const rest = await resolveConfigProviders({ 'database.password': '${env:PGCDC_REST_TOKEN}' }, { policy, env: { PGCDC_REST_TOKEN: 't' } });
  assert.match(rest.errors[0]!.message, /not allowed/, 'the worker\'s own credentials are never offered');
});

test('preparing a config of 10,000 keys is linear', async () => {
  const big: Record<string, unknown> = { ...minimal };
  for (let i = 0; i < 10_000; i++) {
    big[`k${i}.password`] = `secret-${i}`;
    big[`u${i}`] = `v${i}`;
  }
  const started = performance.now();
  const prepared = await prepareConfig(big);
  const ms = performance.now() - started;
  assert.equal(prepared.warnings.length, 20_000);
  assert.ok(ms < 1500, `${Math.round(ms)} ms`);
});
