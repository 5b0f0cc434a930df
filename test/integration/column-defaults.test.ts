// Column defaults in the registered schemas, as Debezium writes them: `connect.default` and the
// Avro field default (the type first in an optional column's union), literal defaults parsed,
// computed ones (serial, now(), gen_random_uuid()) as placeholders, none where Debezium has none.
// A NOT NULL column added later with a DEFAULT is therefore a compatible new version: the
// connector streams on under the default schema.change.policy. A delete's before-image (identity
// DEFAULT: key only) carries the default for NOT NULL columns pgoutput did not send.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { readTopics, RegistryDecoder } from '../harness/topics.js';

const NAME = 'pgcdc_it_column_defaults';
let running: RunningConnector | undefined;

after(async () => {
  await running?.stop();
  await dropDatabase(await testServices(), NAME);
});

/** The `after` record's fields of a registered envelope, by name. */
function valueFields(envelope: any): Map<string, any> {
  const before = envelope.fields.find((f: any) => f.name === 'before'); // defines the Value record; after refers to it
  const record = before.type.find((t: unknown) => t !== 'null');
  return new Map(record.fields.map((f: any) => [f.name, f]));
}

test('registered schemas carry the column defaults; ADD COLUMN NOT NULL DEFAULT streams on', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  const sql = (text: string) => withClient(db, (c) => c.query(text));
  await sql(`CREATE TYPE mood AS ENUM ('sad', 'happy');
    CREATE TABLE t (
      id serial PRIMARY KEY,
      name text NOT NULL DEFAULT 'it''s',
      qty int DEFAULT 5,
      small smallint NOT NULL DEFAULT -3,
      price numeric(10,2) DEFAULT 1.5,
      loose numeric DEFAULT 2,
      flag boolean NOT NULL DEFAULT true,
      created timestamptz NOT NULL DEFAULT now(),
      d date DEFAULT '2020-01-02',
      u uuid DEFAULT gen_random_uuid(),
      m mood DEFAULT 'happy',
      n text DEFAULT NULL,
      arr int[] DEFAULT '{1,2}',
      plain text)`);
  running = await startConnector(services, testConnectorConfig(db, services, NAME, { 'table.include.list': 'public.t' }));
  const topic = `${topicPrefixFor(NAME)}.public.t`;
  await sql(`INSERT INTO t (plain) VALUES ('one')`);
  const [first] = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (r) => r.length >= 1);
  const decoder = new RegistryDecoder(services.registryUrl);
  const fields = valueFields(await decoder.schemaJson(first!.valueSchemaId!));

  const expect = (field: string, type: unknown, def: unknown) => assert.deepEqual({ type: fields.get(field).type, default: fields.get(field).default }, { type, default: def }, field);
  expect('id', { type: 'int', 'connect.default': 0 }, 0); // serial: nextval() → 0, as Debezium
  expect('name', { type: 'string', 'connect.default': "it's" }, "it's");
  expect('qty', [{ type: 'int', 'connect.default': 5 }, 'null'], 5);
  expect('small', { type: 'int', 'connect.default': -3, 'connect.type': 'int16' }, -3);
  assert.equal(fields.get('price').default, '\u0000\u0096', 'Decimal default: the unscaled bytes 150 at scale 2');
  assert.equal(fields.get('price').type[0]['connect.default'], '\u0000\u0096');
  expect('flag', { type: 'boolean', 'connect.default': true }, true);
  expect('created', { type: 'string', 'connect.version': 1, 'connect.default': '1970-01-01T00:00:00.000000Z', 'connect.name': 'io.debezium.time.ZonedTimestamp' }, '1970-01-01T00:00:00.000000Z');
  assert.equal(fields.get('d').default, 18263);
  assert.equal(fields.get('u').default, '00000000-0000-0000-0000-000000000000');
  assert.equal(fields.get('m').default, 'happy');
  for (const none of ['loose', 'n', 'arr', 'plain']) {
    assert.equal(fields.get(none).default, null, `${none}: no default`);
    assert.equal(fields.get(none).type[0], 'null', `${none}: null first in the union`);
  }
  assert.equal(first!.value!.after.name, "it's");
  // Debezium's extended headers (extended.headers.enabled=true by default)
  assert.equal(first!.headers['__debezium.context.connectorLogicalName'], topicPrefixFor(NAME));
  assert.equal(first!.headers['__debezium.context.connectorName'], 'postgresql');
  assert.equal(first!.headers['__debezium.context.taskId'], '0');
  assert.match(first!.headers['__debezium.context.runId'] ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

  // A NOT NULL column with a default: BACKWARD compatible thanks to the default; streams on.
  await sql(`ALTER TABLE t ADD COLUMN extra text NOT NULL DEFAULT 'z'; INSERT INTO t (plain) VALUES ('two'); DELETE FROM t WHERE plain = 'one'`);
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (r) => r.filter((x) => x.value).length >= 3 && r.some((x) => x.value === null));
  const second = records.find((r) => r.value?.op === 'c' && r.value.after.plain === 'two');
  assert.ok(second, 'the insert after ADD COLUMN ... NOT NULL DEFAULT was delivered');
  assert.equal(second.value!.after.extra, 'z');
  const deleted = records.find((r) => r.value?.op === 'd');
  assert.ok(deleted, 'the delete was delivered');
  assert.equal(deleted.value!.before.name, "it's", 'a NOT NULL column missing from the key-only before-image carries its default');
  assert.equal(deleted.value!.before.extra, 'z');
  assert.equal(deleted.value!.before.small, -3);
  const tombstone = records.find((r) => r.value === null);
  assert.equal(tombstone?.headers['__debezium.context.runId'], first!.headers['__debezium.context.runId'], 'the tombstone carries the same context headers');
  await eventually(() => running!.connector.state === 'RUNNING', 'the connector to be RUNNING');
});
