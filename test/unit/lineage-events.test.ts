import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { validateConnectorConfig, redactConfig } from '../../src/config/index.js';
import { buildRunEvent, inputName, inputNamespace, kafkaNamespace, producerUri, type RunEventInput } from '../../src/lineage/event-builder.js';
import { avroFields, columnFields, type LineageField } from '../../src/lineage/schema-fields.js';
import { DeliveryQueue } from '../../src/lineage/delivery-queue.js';
import { LineageEmitter } from '../../src/lineage/lineage-emitter.js';
import { ConnectorMetrics } from '../../src/metrics/connector-metrics.js';
import { fileLocationProblem, lineageFileAllowedPaths } from '../../src/lineage/file-policy.js';
import { INT4, relationOf, tableSchemaOf, TEXT } from '../fakes/memory-tables.js';
import { openLineageProblems } from '../harness/openlineage-schema.js';

const config = {
  name: 'inv', 'topic.prefix': 'inv', 'database.hostname': 'db.local', 'database.password': 'pw-s3cr3t',
  'value.converter.schema.registry.url': 'http://reg-user:reg-pass@registry:8081',
  'openlineage.integration.transport.auth.token': 'tok-s3cr3t',
};

const base: RunEventInput = {
  eventType: 'START',
  eventTime: new Date('2026-01-02T03:04:05.678Z'),
  runId: '0195c5d0-1111-7222-8333-944445555666',
  job: { namespace: 'lineage-ns', topicPrefix: 'inv', description: 'CDC for inventory', tags: [['env', 'prod'], ['team', 'data']], owners: [['Alice', 'maintainer']] },
  producer: producerUri('0.1.0'),
  version: '0.1.0',
  config,
};

/** `name;TYPE` of every field, nested ones as parent.child (as Debezium's OpenLineageIT flattens them). */
function flat(fields: LineageField[], prefix = ''): string[] {
  return fields.flatMap((f) => [`${prefix}${f.name};${f.type}`, ...flat(f.fields ?? [], `${prefix}${f.name}.`)]);
}

test('a START event: Debezium\'s job naming and facets, valid against the OpenLineage schema', () => {
  const e = buildRunEvent(base) as Record<string, any>;
  assert.deepEqual(openLineageProblems(e), []);
  // the validator itself refuses what the spec refuses
  assert.notDeepEqual(openLineageProblems({ ...e, eventType: 'BOGUS' }), []);
  assert.notDeepEqual(openLineageProblems({ ...e, run: { runId: 'not-a-uuid', facets: {} } }), []);
  assert.notDeepEqual(openLineageProblems({ ...e, job: { ...e.job, facets: { documentation: { _producer: e.producer, _schemaURL: 'x' } } } }), []);
  assert.equal(e.eventType, 'START');
  assert.equal(e.eventTime, '2026-01-02T03:04:05.678Z');
  assert.equal(e.schemaURL, 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent');
  assert.deepEqual({ namespace: e.job.namespace, name: e.job.name }, { namespace: 'lineage-ns', name: 'inv.0' });
  assert.equal(e.job.facets.documentation.description, 'CDC for inventory');
  assert.deepEqual(
    { processingType: e.job.facets.jobType.processingType, integration: e.job.facets.jobType.integration, jobType: e.job.facets.jobType.jobType },
    { processingType: 'STREAMING', integration: 'DEBEZIUM', jobType: 'TASK' },
  );
  assert.deepEqual(e.job.facets.tags.tags, [{ key: 'env', value: 'prod', source: 'CONFIG' }, { key: 'team', value: 'data', source: 'CONFIG' }]);
  assert.deepEqual(e.job.facets.ownership.owners, [{ name: 'Alice', type: 'maintainer' }]);
  assert.equal(e.run.runId, base.runId);
  assert.equal(e.run.facets.processing_engine.name, 'pgcdc');
  assert.deepEqual([e.inputs, e.outputs], [[], []]);
  assert.equal(e.run.facets.errorMessage, undefined);
});

test('the debezium_config facet lists the config with every secret hidden', () => {
  const e = buildRunEvent(base) as Record<string, any>;
  const lines: string[] = e.run.facets.debezium_config.configs;
  assert.ok(lines.includes('database.hostname=db.local'));
  assert.ok(lines.includes('database.password=[hidden]'));
  assert.ok(lines.includes('openlineage.integration.transport.auth.token=[hidden]'));
  assert.ok(lines.includes('value.converter.schema.registry.url=http://reg-user:[hidden]@registry:8081'));
  const text = JSON.stringify(e);
  for (const secret of ['pw-s3cr3t', 'tok-s3cr3t', 'reg-pass']) assert.ok(!text.includes(secret), secret);
});

test('no job tags or owners: no empty ownership/tags facets', () => {
  const e = buildRunEvent({ ...base, job: { ...base.job, tags: [], owners: [] } }) as Record<string, any>;
  assert.deepEqual(Object.keys(e.job.facets).sort(), ['documentation', 'jobType']);
  assert.deepEqual(openLineageProblems(e), []);
});

test('a FAIL event carries the error message facet', () => {
  const e = buildRunEvent({ ...base, eventType: 'FAIL', error: 'connect: ECONNREFUSED' }) as Record<string, any>;
  assert.deepEqual(openLineageProblems(e), []);
  assert.equal(e.eventType, 'FAIL');
  assert.deepEqual({ message: e.run.facets.errorMessage.message, language: e.run.facets.errorMessage.programmingLanguage }, { message: 'connect: ECONNREFUSED', language: 'JavaScript' });
});

test('datasets: postgres://host:port db.schema.table with PostgreSQL types in, kafka://host:port topic with the Envelope out', () => {
  const table = tableSchemaOf(relationOf(16400, 'items', [['id', INT4], ['title', TEXT]]));
  const e = buildRunEvent({
    ...base,
    eventType: 'RUNNING',
    inputs: [{ namespace: inputNamespace('db.local', 5432), name: inputName('shop', 'public', 'items'), fields: columnFields([{ name: 'id', typeName: 'int4' }, { name: 'title', typeName: 'text' }]) }],
    outputs: [{ namespace: kafkaNamespace('broker-1:9092'), name: table.topic, fields: avroFields(table.envelopeSchema) }],
  }) as Record<string, any>;
  assert.deepEqual(openLineageProblems(e), []);
  const [input] = e.inputs;
  assert.deepEqual([input.namespace, input.name], ['postgres://db.local:5432', 'shop.public.items']);
  assert.deepEqual(input.facets.schema.fields, [{ name: 'id', type: 'int4' }, { name: 'title', type: 'text' }]);
  assert.equal(input.facets.datasetType.datasetType, 'TABLE');
  const [output] = e.outputs;
  assert.deepEqual([output.namespace, output.name, output.facets.datasetType.datasetType], ['kafka://broker-1:9092', table.topic, 'STREAM']);
  const fields = flat(output.facets.schema.fields);
  for (const f of ['before;STRUCT', 'before.id;INT32', 'before.title;STRING', 'after;STRUCT', 'after.id;INT32', 'after.title;STRING',
    'source;STRUCT', 'source.version;STRING', 'source.ts_ms;INT64', 'source.lsn;INT64', 'op;STRING', 'ts_ms;INT64']) {
    assert.ok(fields.includes(f), `${f} in ${fields.join(' ')}`);
  }
});

test('avroFields: named references resolve, connect.type int16 is INT16, unions and logical types', () => {
  const fields = avroFields({
    type: 'record', name: 'Envelope', namespace: 'p.s.t',
    fields: [
      { name: 'before', type: ['null', { type: 'record', name: 'Value', fields: [
        { name: 'small', type: { type: 'int', 'connect.type': 'int16' } },
        { name: 'tags', type: ['null', { type: 'array', items: 'string' }] },
        { name: 'at', type: { type: 'long', 'connect.name': 'io.debezium.time.MicroTimestamp' } },
      ] }] },
      { name: 'after', type: ['null', 'Value'] },
      { name: 'either', type: ['null', 'int', 'string'] },
    ],
  });
  assert.deepEqual(flat(fields), ['before;STRUCT', 'before.small;INT16', 'before.tags;ARRAY', 'before.at;INT64',
    'after;STRUCT', 'after.small;INT16', 'after.tags;ARRAY', 'after.at;INT64', 'either;UNION']);
});

const quiet = pino({ level: 'silent' });
const counts = () => {
  const c = { sent: 0, dropped: 0 };
  return { c, counters: { sent: () => void c.sent++, dropped: () => void c.dropped++ } };
};
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond());
};

test('delivery queue: in order, one at a time; a failing receiver is retried, then the event is dropped and counted', async () => {
  const got: string[] = [];
  let failures = 1;
  const { c, counters } = counts();
  const q = new DeliveryQueue(async (line) => {
    if (failures-- > 0) throw new Error('HTTP 503');
    got.push(JSON.parse(line).eventType);
  }, 'test', counters, quiet, { maxQueue: 10, attempts: 3, initialDelayMs: 1 });
  q.offer({ eventType: 'START' });
  q.offer({ eventType: 'COMPLETE' });
  await until(() => c.sent === 2);
  assert.deepEqual(got, ['START', 'COMPLETE']);
  assert.equal(c.dropped, 0);
  const dead = new DeliveryQueue(async () => { throw new Error('ECONNREFUSED'); }, 'test', counters, quiet, { maxQueue: 10, attempts: 2, initialDelayMs: 1 });
  dead.offer({ eventType: 'START' });
  await until(() => c.dropped === 1);
  assert.equal(dead.pending, 0);
});

test('delivery queue: offer never waits; a full queue drops the oldest and counts it', async () => {
  const { c, counters } = counts();
  let release!: () => void;
  const hang = new Promise<void>((r) => (release = r));
  const q = new DeliveryQueue(() => hang, 'test', counters, quiet, { maxQueue: 2, attempts: 1, initialDelayMs: 1 });
  const t0 = Date.now();
  for (let i = 0; i < 5; i++) q.offer({ eventType: `E${i}` });
  assert.ok(Date.now() - t0 < 50);
  await new Promise((r) => setTimeout(r, 10)); // the first is being delivered, two wait
  q.offer({ eventType: 'E5' });
  assert.ok(c.dropped >= 3, `dropped ${c.dropped}`);
  release();
  q.close();
});

test('file transport location: only inside PGCDC_OPENLINEAGE_FILE_ALLOWED_PATHS', () => {
  assert.match(fileLocationProblem('/var/lib/pgcdc/lineage.jsonl', [])!, /PGCDC_OPENLINEAGE_FILE_ALLOWED_PATHS/);
  assert.equal(fileLocationProblem('/var/lib/pgcdc/lineage.jsonl', ['/var/lib/pgcdc']), undefined);
  assert.match(fileLocationProblem('/etc/passwd', ['/var/lib/pgcdc'])!, /inside a directory/);
  assert.match(fileLocationProblem('/var/lib/pgcdc/../../etc/cron.d/x', ['/var/lib/pgcdc'])!, /normalised/);
  assert.match(fileLocationProblem('/var/lib/pgcdcx/l.jsonl', ['/var/lib/pgcdc'])!, /inside a directory/);
  assert.match(fileLocationProblem('lineage.jsonl', ['/var/lib/pgcdc'])!, /absolute/);
  assert.deepEqual(lineageFileAllowedPaths({ PGCDC_OPENLINEAGE_FILE_ALLOWED_PATHS: '/a/, relative, /b' }), ['/a', '/b']);
});

const minimal = { name: 'c', 'database.hostname': 'h', 'database.user': 'u', 'database.dbname': 'd', 'topic.prefix': 'p' };

test('config: off by default; enabled needs a URL (http) or a permitted file; config.file.path refused; token hidden', () => {
  assert.equal(validateConnectorConfig(minimal).config!.lineage, null);
  const noUrl = validateConnectorConfig({ ...minimal, 'openlineage.integration.enabled': 'true' });
  assert.deepEqual(noUrl.errors.map((e) => e.key), ['openlineage.integration.transport.url']);
  const file = validateConnectorConfig({ ...minimal, 'openlineage.integration.enabled': 'true', 'openlineage.integration.transport.type': 'file', 'openlineage.integration.transport.file.location': '/tmp/x.jsonl' });
  assert.deepEqual(file.errors.map((e) => e.key), ['openlineage.integration.transport.file.location']);
  assert.match(file.errors[0]!.message, /PGCDC_OPENLINEAGE_FILE_ALLOWED_PATHS/);
  const yml = validateConnectorConfig({ ...minimal, 'openlineage.integration.config.file.path': '/etc/openlineage.yml' });
  assert.deepEqual(yml.errors.map((e) => e.key), ['openlineage.integration.config.file.path']);
  const mixed = validateConnectorConfig({ ...minimal, 'openlineage.integration.enabled': 'true', 'openlineage.integration.transport.url': 'http://m:5000',
    'openlineage.integration.transport.file.location': '/tmp/x.jsonl' });
  assert.deepEqual(mixed.errors.map((e) => e.key), ['openlineage.integration.transport.file.location'], 'a key of the other transport is refused, not ignored');
  assert.match(mixed.errors[0]!.message, /applies only to openlineage\.integration\.transport\.type=file/);
  assert.deepEqual(validateConnectorConfig({ ...minimal, 'openlineage.integration.transport.url': 'http://m:5000' }).errors, [], 'settings may stay while lineage is off');
  const badTags = validateConnectorConfig({ ...minimal, 'openlineage.integration.job.tags': 'env=prod,oops' });
  assert.deepEqual(badTags.errors.map((e) => e.key), ['openlineage.integration.job.tags']);
  const ok = validateConnectorConfig({
    ...minimal, 'openlineage.integration.enabled': 'true', 'openlineage.integration.transport.url': 'http://marquez:5000/',
    'openlineage.integration.transport.auth.token': 'tok', 'openlineage.integration.job.tags': 'env=prod', 'openlineage.integration.job.owners': 'Alice=maintainer',
  });
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.config!.lineage, {
    jobNamespace: 'p', jobDescription: 'pgcdc CDC job for p', tags: [['env', 'prod']], owners: [['Alice', 'maintainer']], kafkaAddress: null,
    transport: 'http', url: 'http://marquez:5000/', endpoint: '/api/v1/lineage', token: 'tok', fileLocation: null, timeoutMs: 5000,
  });
  assert.equal(redactConfig(ok.config!.raw)['openlineage.integration.transport.auth.token'], '[hidden]');
});

test('emitter: one runId per run, FAIL message with the config\'s secrets hidden, events appended to the file in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgcdc-lineage-unit-'));
  const before = process.env.PGCDC_OPENLINEAGE_FILE_ALLOWED_PATHS;
  process.env.PGCDC_OPENLINEAGE_FILE_ALLOWED_PATHS = dir;
  try {
    const location = join(dir, 'events.jsonl');
    const { config, errors } = validateConnectorConfig({ ...minimal, 'database.password': 'pw-s3cr3t', 'openlineage.integration.enabled': 'true',
      'openlineage.integration.transport.type': 'file', 'openlineage.integration.transport.file.location': location });
    assert.deepEqual(errors, []);
    const metrics = new ConnectorMetrics();
    const emitter = LineageEmitter.fromConfig(config!, ['broker:9092'], metrics, quiet)!;
    emitter.started();
    emitter.failed('authentication failed for password pw-s3cr3t');
    emitter.started();
    emitter.completed();
    await until(() => metrics.lineageSent === 4);
    const lines = readFileSync(location, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((e) => e.eventType), ['START', 'FAIL', 'START', 'COMPLETE']);
    assert.equal(lines[1].run.runId, lines[0].run.runId);
    assert.notEqual(lines[2].run.runId, lines[0].run.runId, 'a new run, a new runId');
    assert.equal(lines[3].run.runId, lines[2].run.runId);
    assert.equal(lines[1].run.facets.errorMessage.message, 'authentication failed for password [hidden]');
    assert.ok(!readFileSync(location, 'utf8').includes('pw-s3cr3t'));
    for (const e of lines) assert.deepEqual(openLineageProblems(e), []);
    assert.equal(existsSync(location), true);
  } finally {
    if (before === undefined) delete process.env.PGCDC_OPENLINEAGE_FILE_ALLOWED_PATHS;
    else process.env.PGCDC_OPENLINEAGE_FILE_ALLOWED_PATHS = before;
    rmSync(dir, { recursive: true, force: true });
  }
});
