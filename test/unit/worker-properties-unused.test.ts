import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { warnUnusedProperties, workerSettingsFromEnv } from '../../src/worker/standalone.js';

/** A Connect worker's file carries keys pgcdc does not use: one warning at start names each. */
test('worker properties keys pgcdc does not use: one warning naming each; ssl./sasl. keys are not among them', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'pgcdc-props-')), 'connect-distributed.properties');
  writeFileSync(file, [
    'bootstrap.servers=kafka:9092', 'group.id=connect-cluster', 'key.converter=org.apache.kafka.connect.json.JsonConverter',
    'offset.storage.topic=connect-offsets', 'security.protocol=PLAINTEXT', '',
  ].join('\n'));
  const problems: string[] = [];
  const settings = workerSettingsFromEnv({ PGCDC_WORKER_PROPERTIES: file }, problems);
  assert.deepEqual(problems, []);
  assert.deepEqual(settings.unusedProperties, ['group.id', 'key.converter', 'offset.storage.topic']);
  const warned: { obj: unknown; msg: string }[] = [];
  const log = { warn: (obj: unknown, msg: string) => warned.push({ obj, msg }) } as never;
  warnUnusedProperties(settings, log);
  assert.equal(warned.length, 1);
  assert.match(warned[0]!.msg, /PGCDC_WORKER_PROPERTIES.*group\.id, key\.converter, offset\.storage\.topic/);
  assert.doesNotMatch(warned[0]!.msg, /prefixed/);
  // Security keys repeated per client (as Connect files do) are named, with what pgcdc uses instead.
  writeFileSync(file, 'producer.sasl.jaas.config=x\nconsumer.security.protocol=SASL_SSL\n');
  const perClient = workerSettingsFromEnv({ PGCDC_WORKER_PROPERTIES: file }, []);
  assert.deepEqual(perClient.unusedProperties, ['consumer.security.protocol', 'producer.sasl.jaas.config']);
  warnUnusedProperties(perClient, log);
  assert.match(warned[1]!.msg, /unprefixed security\.protocol, ssl\.\* and sasl\.\* keys to all its clients/);
  // An unknown ssl./sasl. key is refused (a problem), not merely warned about.
  writeFileSync(file, 'ssl.cipher.suites=x\n');
  const refused: string[] = [];
  assert.deepEqual(workerSettingsFromEnv({ PGCDC_WORKER_PROPERTIES: file }, refused).unusedProperties, []);
  assert.ok(refused.some((p) => p.startsWith('ssl.cipher.suites')), refused.join('\n'));
  // Every key used (or no file): no warning at all.
  const none: unknown[] = [];
  warnUnusedProperties(workerSettingsFromEnv({}, []), { warn: (...a: unknown[]) => none.push(a) } as never);
  assert.equal(none.length, 0);
});
