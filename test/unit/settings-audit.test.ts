import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { classifyKey, toConnectValidationResponse, validateConnectorConfig } from '../../src/config/index.js';
import { REFUSED_NAMES, REFUSED_PREFIXES } from '../../src/config/keys-refused.js';
import { ChangeEventBuilder, type ChangeRecord, type TxContext } from '../../src/events/change-events.js';
import { compileColumnRules, hashValue, javaSerializedString } from '../../src/events/column-masks.js';
import { messageKeyChooser } from '../../src/events/message-key.js';
import { buildTableSchema, type SchemaContext } from '../../src/events/table-schema.js';
import type { RelationMessage } from '../../src/decoding/messages.js';
import type { TableFacts } from '../../src/postgres/catalog.js';
import { PgcdcError } from '../../src/errors/pgcdc-error.js';

const minimal = {
  name: 'settings-audit',
  'database.hostname': 'db.local',
  'database.user': 'cdc',
  'database.dbname': 'inventory',
  'topic.prefix': 'dbserver1',
};

/** Every error of the config, as key → messages. */
function errorsOf(extra: Record<string, unknown>): Map<string, string[]> {
  const { errors } = validateConnectorConfig({ ...minimal, ...extra });
  const out = new Map<string, string[]>();
  for (const e of errors) out.set(e.key, [...(out.get(e.key) ?? []), e.message]);
  return out;
}

function assertRefused(key: string, value: unknown, pattern: RegExp = /not supported by pgcdc yet/): void {
  const errors = errorsOf({ [key]: value });
  const messages = errors.get(key);
  assert.ok(messages && messages.length > 0, `${key}=${JSON.stringify(value)} must be refused; errors: ${JSON.stringify([...errors])}`);
  assert.ok(messages.some((m) => m.includes(key)), `the error names ${key}: ${messages}`);
  assert.match(messages.join(' '), pattern, key);
}

test('every refused Debezium key is an error naming it, unless its value asks for what pgcdc does', () => {
  for (const [name, r] of Object.entries(REFUSED_NAMES)) {
    assert.equal(classifyKey(name), 'refused', name);
    assertRefused(name, 'something-else');
    for (const ok of r.accepts ?? []) {
      const errors = errorsOf({ [name]: ok.toUpperCase() });
      assert.ok(!errors.has(name), `${name}=${ok} asks for what pgcdc does: ${errors.get(name)}`);
    }
  }
  for (const [prefix] of REFUSED_PREFIXES) {
    assertRefused(prefix, 'unwrap');
    assertRefused(`${prefix}.unwrap.type`, 'io.debezium.transforms.ExtractNewRecordState');
  }
  assert.ok(!errorsOf({ transforms: '' }).has('transforms'), 'an empty transforms list is harmless');
  // Also as one config: every problem at once, each under its key.
  const all = errorsOf({ transforms: 'unwrap', 'transforms.unwrap.type': 'x', 'column.propagate.source.type': '.*', 'publish.via.partition.root': 'true', converters: 'c' });
  for (const k of ['transforms', 'transforms.unwrap.type', 'column.propagate.source.type', 'publish.via.partition.root', 'converters']) assert.ok(all.has(k), k);
});

test('declared keys pgcdc implements only partly refuse the values it would ignore, naming the key', () => {
  assertRefused('max.queue.size.in.bytes', '1048576');
  assertRefused('slot.max.retries', '3');
  assertRefused('slot.retry.delay.ms', '500');
  assertRefused('time.precision.mode', 'connect');
  assertRefused('snapshot.mode', 'custom');
  assertRefused('key.converter.schema.registry.url', 'http://other-registry:8081');
  // The defaults (and a key registry equal to the values' one) pass.
  const { config, errors } = validateConnectorConfig({
    ...minimal,
    'provide.transaction.metadata': 'false', 'max.queue.size.in.bytes': '0', 'topic.heartbeat.prefix': '__debezium-heartbeat',
    'slot.max.retries': '6', 'slot.retry.delay.ms': '10000',
    'value.converter.schema.registry.url': 'http://r:8081/apis/ccompat/v7', 'key.converter.schema.registry.url': 'http://r:8081/apis/ccompat/v7/',
  });
  assert.deepEqual(errors, []);
  assert.equal(config!.converters.keyRegistryUrl, 'http://r:8081/apis/ccompat/v7/');
});

test('the heartbeat topic: topic.heartbeat.name, else <topic.heartbeat.prefix>.<topic.prefix>; heartbeat.topics.prefix (ignored by Debezium\'s PostgreSQL connector) is refused', () => {
  assert.equal(validateConnectorConfig(minimal).config!.heartbeatTopic, '__debezium-heartbeat.dbserver1');
  assert.equal(validateConnectorConfig({ ...minimal, 'topic.heartbeat.prefix': 'beats' }).config!.heartbeatTopic, 'beats.dbserver1');
  assert.equal(validateConnectorConfig({ ...minimal, 'topic.heartbeat.prefix': 'beats', 'topic.heartbeat.name': 'shared-heartbeat' }).config!.heartbeatTopic, 'shared-heartbeat');
  assert.equal(validateConnectorConfig({ ...minimal, 'topic.heartbeat.name': '' }).config!.heartbeatTopic, '__debezium-heartbeat.dbserver1');
  assertRefused('topic.heartbeat.prefix', '#heartbeat#', /must be 1-249 characters/);
  assertRefused('topic.heartbeat.name', 'invalid@topic!name', /must be 1-249 characters/);
  assertRefused('heartbeat.topics.prefix', 'beats', /topic\.heartbeat\.prefix/);
  assert.deepEqual(validateConnectorConfig({ ...minimal, 'heartbeat.topics.prefix': '__debezium-heartbeat' }).errors, []);
});

test('refusals reach the Kafka Connect validate response and count as errors', () => {
  const answer = toConnectValidationResponse({ ...minimal, transforms: 'unwrap', 'column.mask.with.x.chars': 'public.t.c' });
  const byName = new Map(answer.configs.map((c) => [c.definition.name, c.value.errors]));
  assert.match(byName.get('transforms')!.join(' '), /transforms is not supported by pgcdc yet/);
  assert.match(byName.get('column.mask.with.x.chars')!.join(' '), /column\.mask\.with\.x\.chars/);
  assert.equal(answer.error_count, 2);
});

test('include.unknown.datatypes reaches the type mapping (it was accepted and ignored)', () => {
  assert.equal(validateConnectorConfig({ ...minimal, 'include.unknown.datatypes': 'true' }).config!.conversion.includeUnknownDatatypes, true);
  assert.equal(validateConnectorConfig(minimal).config!.conversion.includeUnknownDatatypes, false);
});

test('column.mask.* / column.truncate.* keys: malformed names and bad regexes are refused naming the key', () => {
  for (const key of ['column.mask.with.x.chars', 'column.mask.hash.MD2.with.salt.s', 'column.truncate.to.0.chars', 'column.mask.something', 'column.truncate.to.5']) {
    assertRefused(key, 'public.t.c', /./);
  }
  assertRefused('column.mask.with.3.chars', 'public.(t.c', /invalid regular expression/);
  const { config, errors } = validateConnectorConfig({
    ...minimal,
    'column.mask.with.4.chars': 'public.users.ssn',
    'column.mask.hash.SHA-256.with.salt.pepper.v1': 'public.users.email,inventory\\..*\\.mail',
    'column.mask.hash.v2.sha-512.with.salt.s': 'public.users.phone',
    'column.truncate.to.3.chars': 'public.users.bio',
  });
  assert.deepEqual(errors, []);
  const rules = config!.columnRules.map((r) => ({ ...r }));
  assert.deepEqual(rules.find((r) => r.kind === 'mask'), { kind: 'mask', key: 'column.mask.with.4.chars', patterns: ['public.users.ssn'], length: 4 });
  assert.deepEqual(rules.find((r) => r.kind === 'hash' && r.version === 1), {
    kind: 'hash', key: 'column.mask.hash.SHA-256.with.salt.pepper.v1', patterns: ['public.users.email', 'inventory\\..*\\.mail'], algorithm: 'sha256', salt: 'pepper.v1', version: 1,
  });
  assert.deepEqual(rules.filter((r) => r.kind === 'hash' && r.version === 2).map((r) => r.kind === 'hash' && r.algorithm), ['sha512']);
  assert.equal(rules.find((r) => r.kind === 'truncate')?.length, 3);
});

test('message.key.columns: malformed values are refused naming the key', () => {
  for (const bad of ['public.t', 'public.t:', ':id', 'public.t:a b', 'public.(t:id']) assertRefused('message.key.columns', bad, /message\.key\.columns/);
  const { config, errors } = validateConnectorConfig({ ...minimal, 'message.key.columns': 'public.orders:customer,region; inventory\\..*:code' });
  assert.deepEqual(errors, []);
  assert.deepEqual(config!.messageKeyColumns.map((e) => [e.table, e.columns]), [['public.orders', ['customer', 'region']], ['inventory\\..*', ['code']]]);
});

// ---- the event builder, as the snapshot and the stream both use it ----

const TEXT = 25;
const VARCHAR = 1043;
const INT4 = 23;

function table(columns: [string, number, number][], primaryKey: string[]): { rel: RelationMessage; facts: TableFacts } {
  return {
    rel: { tag: 'relation', relationOid: 42, schema: 'public', table: 'users', replicaIdentity: 'full', columns: columns.map(([name, typeOid, typeMod]) => ({ name, typeOid, typeMod, isKey: primaryKey.includes(name) })) },
    facts: { primaryKey, columns: new Map(columns.map(([name, typeOid, typeMod]) => [name, { notNull: primaryKey.includes(name), typeOid, typeMod, defaultExpr: null }])) },
  };
}

function context(extra: Record<string, unknown>): SchemaContext {
  const { config, errors } = validateConnectorConfig({ ...minimal, ...extra });
  assert.deepEqual(errors, []);
  return {
    topicPrefix: 'dbserver1', catalog: { get: () => undefined }, conversion: config!.conversion, placeholder: '__debezium_unavailable_value',
    includeColumn: config!.filters.column, columnRules: compileColumnRules(config!.columnRules), messageKey: messageKeyChooser(config!.messageKeyColumns),
  };
}

const builder = new ChangeEventBuilder({ connectorVersion: 'test', serverName: 'dbserver1', database: 'inventory', tombstonesOnDelete: true, skippedOperations: new Set() });
const tx: TxContext = { xid: 7, commitLsn: 100n, commitTimeUs: 1_700_000_000_000_000n, previousCommitLsn: null };
const USERS: [string, number, number][] = [['id', INT4, -1], ['ssn', TEXT, -1], ['email', VARCHAR, 4 + 10], ['bio', TEXT, -1], ['phone', TEXT, -1], ['region', TEXT, -1]];
const MASKS = {
  'column.mask.with.5.chars': 'public.users.ssn',
  'column.mask.hash.SHA-256.with.salt.pepper': 'PUBLIC.USERS.EMAIL',
  'column.mask.hash.v2.SHA-256.with.salt.pepper': 'public.users.phone',
  'column.truncate.to.4.chars': 'public.users.bio',
};

test('masks, hashes and truncation apply to before and after of every operation, schemas marked as Debezium does', () => {
  const { rel, facts } = table(USERS, ['id']);
  const t = buildTableSchema(rel, facts, context(MASKS));
  const out: ChangeRecord[] = [];
  const row = ['1', 'CANARY-123-45', 'alice@example.org', 'a long biography', '+41 79 000', 'emea'];
  builder.insert(t, row, tx, 100n, out);
  builder.update(t, null, row, ['1', 'CANARY-999', null, 'bio', '+41', 'apac'], tx, 101n, out);
  builder.delete(t, null, ['1', null, 'bob@example.org', null, null, 'x'], tx, 102n, out);
  builder.read(t, row, 'true', tx, 103n, out);
  const after = out[0]!.value!.after!;
  assert.equal(after.ssn, '*****');
  // Debezium V1: hex(SHA-256(salt + Java serialization of the string)), cut to varchar(10)
  assert.equal(after.email, createHash('sha256').update('pepper').update(javaSerializedString('alice@example.org')).digest('hex').slice(0, 10));
  assert.equal(after.phone, createHash('sha256').update('pepper+41 79 000').digest('hex'), 'V2: the UTF-8 bytes, text is unbounded');
  assert.equal(after.bio, 'a lo');
  assert.equal(after.region, 'emea');
  const update = out[1]!.value!;
  assert.equal(update.before!.ssn, '*****');
  assert.equal(update.after!.email, null, 'a hashed null stays null');
  assert.equal(update.after!.bio, 'bio');
  const del = out.find((r) => r.value?.op === 'd')!.value!;
  assert.equal(del.before!.ssn, '*****', 'Debezium masks null too');
  assert.equal(out.find((r) => r.value?.op === 'r')!.value!.after!.ssn, '*****');
  const text = JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
  for (const clear of ['CANARY', 'alice@', 'bob@', 'biography', '79 000']) assert.ok(!text.includes(clear), `${clear} must not appear in any record`);

  const field = (name: string) => (t.valueSchema.fields as { name: string; type: unknown }[]).find((f) => f.name === name)!.type;
  assert.deepEqual(field('ssn'), ['null', { type: 'string', 'connect.parameters': { masked: 'true' } }]);
  assert.deepEqual(field('email'), ['null', { type: 'string', 'connect.parameters': { masked: 'true' } }]);
  assert.deepEqual(field('bio'), ['null', { type: 'string', 'connect.parameters': { truncateLength: '4' } }]);
  assert.deepEqual(field('region'), ['null', 'string']);
  // The compiled Avro type accepts the masked event.
  assert.ok(t.envelopeType.isValid(out[0]!.value));
});

test('a dead letter carries masked columns masked', () => {
  const { rel, facts } = table([['id', INT4, -1], ['ssn', TEXT, -1]], ['id']);
  const t = buildTableSchema(rel, facts, context({ 'column.mask.with.3.chars': 'public.users.ssn' }));
  t.deadLetter = { tolerant: true } as never;
  const out: ChangeRecord[] = [];
  builder.insert(t, ['not-an-int', 'CANARY-SSN'], tx, 100n, out);
  assert.equal(out.length, 1);
  assert.equal(out[0]!.deadLetter!.after!.ssn, '***');
  assert.ok(!JSON.stringify(out[0]!.deadLetter!.after).includes('CANARY'));
});

test('a mask on a non-character column, or two rules on one column, is refused naming key and column', () => {
  const { rel, facts } = table(USERS, ['id']);
  assert.throws(() => buildTableSchema(rel, facts, context({ 'column.mask.with.3.chars': 'public.users.(id|ssn)' })), (e: unknown) =>
    e instanceof PgcdcError && e.kind === 'config' && !e.retriable && /column\.mask\.with\.3\.chars matches column public\.users\.id, which is not a character column/.test(e.message));
  assert.throws(() => buildTableSchema(rel, facts, context({ 'column.mask.with.3.chars': 'public.users.bio', 'column.truncate.to.2.chars': 'public.users.b.*' })),
    /public\.users\.bio matches both/);
  // A truncation matching an int column leaves it alone (Debezium truncates strings only), as does one wider than varchar(n).
  const t = buildTableSchema(rel, facts, context({ 'column.truncate.to.20.chars': 'public.users.(id|email)' }));
  assert.equal(t.columns.find((c) => c.name === 'id')!.transform, undefined);
  assert.equal(t.columns.find((c) => c.name === 'email')!.transform, undefined);
});

test('hash strategies: Java serialization for V1 (modified UTF-8), plain UTF-8 for V2', () => {
  assert.equal(javaSerializedString('abc').toString('hex'), 'aced0005740003616263');
  // NUL → C0 80; é → C3 A9; € → E2 82 AC; 😀 → two 3-byte surrogates
  assert.equal(javaSerializedString('\u0000é€😀').toString('hex'), 'aced000574000d' + 'c080' + 'c3a9' + 'e282ac' + 'eda0bdedb880');
  assert.equal(javaSerializedString('x'.repeat(70_000)).subarray(0, 13).toString('hex'), 'aced00057c' + '0000000000011170');
  assert.equal(hashValue('abc', 'md5', 's', 2), createHash('md5').update('sabc').digest('hex'));
});

test('message.key.columns: the key is made of the named columns, in the order listed, for the tables named', () => {
  const { rel, facts } = table(USERS, ['id']);
  const t = buildTableSchema(rel, facts, context({ 'message.key.columns': 'public.other:x;public.users:region,email' }));
  assert.deepEqual((t.keySchema as { fields: { name: string }[] }).fields.map((f) => f.name), ['region', 'email']);
  assert.deepEqual(t.keyColumns.map((i) => t.columns[i]!.name), ['id'], 'the primary key still drives snapshot chunking');
  const out: ChangeRecord[] = [];
  builder.insert(t, ['1', 's', 'a@b', 'bio', 'p', 'emea'], tx, 100n, out);
  assert.deepEqual(out[0]!.key, { region: 'emea', email: 'a@b' });
  assert.ok(t.keyType!.isValid(out[0]!.key));
  // A change of the message key is a delete + tombstone + create, as for a primary key change.
  const changed: ChangeRecord[] = [];
  builder.update(t, null, ['1', 's', 'a@b', 'bio', 'p', 'emea'], ['1', 's', 'a@b', 'bio', 'p', 'apac'], tx, 101n, changed);
  assert.deepEqual(changed.map((r) => r.value?.op ?? 'tombstone'), ['d', 'tombstone', 'c']);
  // Tables not named keep their primary key; a named table without such a column is refused.
  const other = buildTableSchema(rel, facts, context({ 'message.key.columns': 'public.other:x' }));
  assert.deepEqual((other.keySchema as { fields: { name: string }[] }).fields.map((f) => f.name), ['id']);
  assert.throws(() => buildTableSchema(rel, facts, context({ 'message.key.columns': 'public.users:nope' })), /message\.key\.columns entry "public\.users:nope" names table public\.users, but none of its columns matches/);
  // A key column left out by column.exclude.list is still captured (it is the key).
  const kept = buildTableSchema(rel, facts, context({ 'message.key.columns': 'public.users:region', 'column.exclude.list': 'public.users.region' }));
  assert.ok(kept.columns.some((c) => c.name === 'region'));
});
