import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { readTopicRecords } from '../harness/topic-reader.js';
import { RegistryDecoder } from '../harness/topics.js';
import { javaSerializedString } from '../../src/events/column-masks.js';

const NAME = 'pgcdc_it_settings_masks';
let running: RunningConnector | undefined;

after(async () => {
  await running?.stop();
  await dropDatabase(await testServices(), NAME);
});

/** Every record of a topic from the start, raw bytes and decoded, until `until` holds. */
async function readRaw(brokers: string[], registryUrl: string, topic: string, until: (values: any[]) => boolean) {
  const decoder = new RegistryDecoder(registryUrl);
  const raw: Buffer[] = [];
  const records: { key: any; value: any }[] = [];
  await readTopicRecords(brokers, [topic], async (r) => {
    raw.push(r.key ?? Buffer.alloc(0), r.value ?? Buffer.alloc(0));
    for (const [, v] of r.headers) raw.push(v);
    records.push({ key: (await decoder.decode(r.key)).value, value: (await decoder.decode(r.value)).value });
    return until(records.map((x) => x.value));
  });
  return { raw: Buffer.concat(raw), records };
}

test('masked, hashed and truncated columns never reach Kafka in clear, in the snapshot and the stream; message.key.columns keys the records', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, async (c) => {
    await c.query(`CREATE TABLE users (id int PRIMARY KEY, ssn text, email varchar(40), bio text, region text NOT NULL)`);
    await c.query(`ALTER TABLE users REPLICA IDENTITY FULL`);
    await c.query(`INSERT INTO users VALUES (1, 'CANARYSSN-SNAP', 'canary-snap@x.org', 'CANARYBIO-snapshot-tail', 'emea')`);
  });
  running = await startConnector(services, testConnectorConfig(db, services, NAME, {
    'column.mask.with.6.chars': 'public.users.ssn',
    'column.mask.hash.v2.SHA-256.with.salt.pepper': 'public.users.email',
    'column.truncate.to.9.chars': 'public.users.bio',
    'message.key.columns': 'public.users:region,id',
  }));
  await eventually(() => running!.connector.streaming !== null, 'streaming to start', 60_000);
  await withClient(db, async (c) => {
    await c.query(`INSERT INTO users VALUES (2, 'CANARYSSN-STREAM', 'canary-strm@x.org', 'CANARYBIO-stream-tail', 'apac')`);
    await c.query(`UPDATE users SET ssn = 'CANARYSSN-UPDATED', region = 'amer' WHERE id = 2`);
    await c.query(`DELETE FROM users WHERE id = 1`);
    await c.query(`INSERT INTO users VALUES (99, NULL, NULL, NULL, 'done')`);
  });
  const topic = `${topicPrefixFor(NAME)}.public.users`;
  const { raw, records } = await readRaw(services.kafkaBrokers, services.registryUrl, topic, (values) => values.some((v) => v?.after?.region === 'done'));

  for (const canary of ['CANARYSSN', 'canary-snap', 'canary-strm', '-tail']) {
    assert.equal(raw.indexOf(canary), -1, `"${canary}" must not appear in any record's bytes`);
  }
  const changes = records.filter((r) => r.value !== null);
  assert.deepEqual(changes.map((r) => r.value.op), ['r', 'c', 'd', 'c', 'd', 'c'], 'the region change (part of the message key) is a delete and a create');
  const snap = changes[0]!.value.after;
  assert.equal(snap.ssn, '******');
  assert.equal(snap.email, createHash('sha256').update('pepper').update('canary-snap@x.org').digest('hex').slice(0, 40));
  assert.equal(snap.bio, 'CANARYBIO'.slice(0, 9));
  assert.notEqual(createHash('sha256').update('pepper').update(javaSerializedString('canary-snap@x.org')).digest('hex').slice(0, 40), snap.email, 'v2 hashes the plain bytes');
  assert.equal(changes[1]!.value.after.ssn, '******');
  assert.equal(changes[1]!.value.after.bio, 'CANARYBIO');
  assert.equal(changes[5]!.value.after.ssn, '******', 'a masked null is masked too, as Debezium does');
  assert.equal(changes[5]!.value.after.email, null);
  // Keys: region then id, as listed.
  assert.deepEqual(changes.map((r) => r.key), [
    { region: 'emea', id: 1 }, { region: 'apac', id: 2 }, { region: 'apac', id: 2 }, { region: 'amer', id: 2 }, { region: 'emea', id: 1 }, { region: 'done', id: 99 },
  ]);
  // The registered value schema marks the masked and truncated fields as Debezium's column mappers do.
  const latest = (await (await fetch(`${services.registryUrl}/subjects/${topic}-value/versions/latest`)).json()) as { schema: string };
  assert.match(latest.schema, /"connect.parameters":\{"masked":"true"\}/);
  assert.match(latest.schema, /"connect.parameters":\{"truncateLength":"9"\}/);
  assert.equal(running.connector.state, 'RUNNING');
});
