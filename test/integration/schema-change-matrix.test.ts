// schema.change.policy × DDL, on the real stack (one worker, one connector and database per policy,
// the DDLs applied in sequence, one table each). Per DDL kind the table gets one row with the old
// shape, the DDL, then one row with the new shape. Asserted per policy:
// - pause (with schema.change.topic.enabled and schema.change.breaking.topic.versioning): additive →
//   RUNNING and the row on the table's topic; breaking → PAUSED with the change's kinds and the
//   registry's verdict, nothing new on the topic, the stored offset before the change, the
//   schema-change record already written; approve → the row on `<topic>.v2`, whose value subject
//   starts with the new schema; at the end every row exactly once across `<topic>` and `<topic>.v2`
//   and the schema-change topic holds, per table in order, the records of what happened;
// - fail: breaking → FAILED naming the table and the change, nothing new on the topic;
// - allow: FAILED naming the subject where the registry refuses the new version, else registered.
// A FAILED connector moves on by a switch to pause, an approve over REST, and a switch back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { topicEnd } from '../harness/topic-reader.js';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { readTopics } from '../harness/topics.js';
import { WorkerHttp } from '../harness/worker-http.js';
import { parseLsn } from '../../src/postgres/lsn.js';

type Policy = 'pause' | 'fail' | 'allow';

interface DdlCase {
  table: string;
  create: string;
  /** statements with the old shape before the DDL, and how many records they make */
  old: string;
  oldRecords: number;
  ddl: string;
  /** the row with the new shape (id 2) */
  insert: string;
  /** the changes pgcdc finds: kind and classification */
  changes: [string, 'additive' | 'breaking'][];
  reason: RegExp;
  /** whether the registry accepts the new key and value versions (BACKWARD) */
  registryAccepts: boolean;
}

const CASES: DdlCase[] = [
  { table: 'add_nullable', create: 'id int PRIMARY KEY, a int NOT NULL', old: 'INSERT INTO add_nullable VALUES (1, 1)', oldRecords: 1,
    ddl: 'ALTER TABLE add_nullable ADD COLUMN b text', insert: `INSERT INTO add_nullable VALUES (2, 2, 'b')`,
    changes: [['column-added', 'additive']], reason: /nullable column "b" added/, registryAccepts: true },
  // the schema carries the default (connect.default + Avro default, as Debezium), so BACKWARD accepts it
  { table: 'add_notnull_default', create: 'id int PRIMARY KEY, a int NOT NULL', old: 'INSERT INTO add_notnull_default VALUES (1, 1)', oldRecords: 1,
    ddl: 'ALTER TABLE add_notnull_default ADD COLUMN b int NOT NULL DEFAULT 0', insert: 'INSERT INTO add_notnull_default VALUES (2, 2, 5)',
    changes: [['column-added', 'additive']], reason: /NOT NULL column "b" with a default added/, registryAccepts: true },
  // additive to pgcdc, but an array default has no Avro form (none in Debezium's schemas either), which BACKWARD refuses
  { table: 'add_notnull_array_default', create: 'id int PRIMARY KEY, a int NOT NULL', old: 'INSERT INTO add_notnull_array_default VALUES (1, 1)', oldRecords: 1,
    ddl: `ALTER TABLE add_notnull_array_default ADD COLUMN b int[] NOT NULL DEFAULT '{}'`, insert: `INSERT INTO add_notnull_array_default VALUES (2, 2, '{5}')`,
    changes: [['column-added', 'additive']], reason: /NOT NULL column "b" with a default added/, registryAccepts: false },
  // PostgreSQL allows it on an empty table only: the row is deleted first (delete + tombstone)
  { table: 'add_notnull', create: 'id int PRIMARY KEY, a int NOT NULL', old: 'INSERT INTO add_notnull VALUES (1, 1); DELETE FROM add_notnull', oldRecords: 3,
    ddl: 'ALTER TABLE add_notnull ADD COLUMN b int NOT NULL', insert: 'INSERT INTO add_notnull VALUES (2, 2, 5)',
    changes: [['column-added', 'breaking']], reason: /NOT NULL column "b" without default added/, registryAccepts: false },
  { table: 'drop_nullable', create: 'id int PRIMARY KEY, a int NOT NULL, b text', old: `INSERT INTO drop_nullable VALUES (1, 1, 'b')`, oldRecords: 1,
    ddl: 'ALTER TABLE drop_nullable DROP COLUMN b', insert: 'INSERT INTO drop_nullable VALUES (2, 2)',
    changes: [['column-dropped', 'additive']], reason: /nullable column "b" dropped/, registryAccepts: true },
  { table: 'drop_notnull', create: 'id int PRIMARY KEY, a int NOT NULL, b int NOT NULL', old: 'INSERT INTO drop_notnull VALUES (1, 1, 1)', oldRecords: 1,
    ddl: 'ALTER TABLE drop_notnull DROP COLUMN b', insert: 'INSERT INTO drop_notnull VALUES (2, 2)',
    changes: [['column-dropped', 'breaking']], reason: /NOT NULL column "b" dropped/, registryAccepts: true },
  { table: 'rename_col', create: 'id int PRIMARY KEY, a int NOT NULL, b text', old: `INSERT INTO rename_col VALUES (1, 1, 'b')`, oldRecords: 1,
    ddl: 'ALTER TABLE rename_col RENAME COLUMN b TO c', insert: `INSERT INTO rename_col VALUES (2, 2, 'c')`,
    changes: [['column-renamed', 'breaking']], reason: /column "b" renamed to "c"/, registryAccepts: true },
  { table: 'widen', create: 'id int PRIMARY KEY, a int NOT NULL', old: 'INSERT INTO widen VALUES (1, 1)', oldRecords: 1,
    ddl: 'ALTER TABLE widen ALTER COLUMN a TYPE bigint', insert: 'INSERT INTO widen VALUES (2, 2)',
    changes: [['type-widened', 'additive']], reason: /column "a" widened from int to long/, registryAccepts: true },
  { table: 'narrow', create: 'id int PRIMARY KEY, a bigint NOT NULL', old: 'INSERT INTO narrow VALUES (1, 1)', oldRecords: 1,
    ddl: 'ALTER TABLE narrow ALTER COLUMN a TYPE int', insert: 'INSERT INTO narrow VALUES (2, 2)',
    changes: [['type-changed', 'breaking']], reason: /column "a" changed type from long to int/, registryAccepts: false },
  { table: 'retype_text', create: 'id int PRIMARY KEY, a int NOT NULL', old: 'INSERT INTO retype_text VALUES (1, 1)', oldRecords: 1,
    ddl: 'ALTER TABLE retype_text ALTER COLUMN a TYPE text', insert: `INSERT INTO retype_text VALUES (2, 'two')`,
    changes: [['type-changed', 'breaking']], reason: /column "a" changed type from int to string/, registryAccepts: false },
  { table: 'set_notnull', create: 'id int PRIMARY KEY, a int', old: 'INSERT INTO set_notnull VALUES (1, 1)', oldRecords: 1,
    ddl: 'ALTER TABLE set_notnull ALTER COLUMN a SET NOT NULL', insert: 'INSERT INTO set_notnull VALUES (2, 2)',
    changes: [['not-null-added', 'breaking']], reason: /column "a" became NOT NULL/, registryAccepts: false },
  { table: 'pk_change', create: 'id int PRIMARY KEY, a int NOT NULL', old: 'INSERT INTO pk_change VALUES (1, 1)', oldRecords: 1,
    ddl: 'ALTER TABLE pk_change DROP CONSTRAINT pk_change_pkey, ADD PRIMARY KEY (id, a)', insert: 'INSERT INTO pk_change VALUES (2, 2)',
    changes: [['primary-key-changed', 'breaking']], reason: /primary key changed from \(id\) to \(id, a\)/, registryAccepts: false },
  // the registered schemas stay the same: the registry has nothing to refuse
  { table: 'replica_identity', create: 'id int PRIMARY KEY, a int NOT NULL', old: 'INSERT INTO replica_identity VALUES (1, 1)', oldRecords: 1,
    ddl: 'ALTER TABLE replica_identity REPLICA IDENTITY FULL', insert: 'INSERT INTO replica_identity VALUES (2, 2)',
    changes: [['replica-identity-changed', 'breaking']], reason: /REPLICA IDENTITY changed from DEFAULT to FULL/, registryAccepts: true },
];

const breaking = (c: DdlCase) => c.changes.some(([, cl]) => cl === 'breaking') || !c.registryAccepts;

let services: TestServices;
let worker: WorkerHttp;

class PolicyRun {
  readonly name: string;
  readonly prefix: string;
  db!: pg.ClientConfig;
  config!: Record<string, unknown>;
  /** per table: what the run saw (for the final checks) */
  readonly seen = new Map<string, { pendingId?: string }>();

  constructor(readonly policy: Policy, readonly extra: Record<string, unknown> = {}) {
    this.name = `pgcdc_it_scmatrix_${policy}`;
    this.prefix = topicPrefixFor(this.name);
  }

  topic(table: string, version = 1): string {
    return `${this.prefix}.public.${table}${version > 1 ? `.v${version}` : ''}`;
  }

  sql(text: string) {
    return withClient(this.db, (c) => c.query(text));
  }

  async status(): Promise<any> {
    return (await worker.request('GET', `/connectors/${this.name}/status`)).body;
  }

  async setup(): Promise<void> {
    this.db = await freshDatabase(services, this.name);
    // `late`, `midtx`: for the reject/skip-table and mid-transaction tests (the publication holds the tables there at the start)
    await this.sql([...CASES.map((c) => `CREATE TABLE ${c.table} (${c.create})`), 'CREATE TABLE late (id int PRIMARY KEY, a int NOT NULL)', 'CREATE TABLE midtx (id int PRIMARY KEY, qty int NOT NULL)'].join('; '));
    const { name: _n, ...config } = testConnectorConfig(this.db, services, this.name, { 'snapshot.mode': 'no_data', 'schema.change.policy': this.policy, ...this.extra });
    this.config = config;
    const created = await worker.request('POST', '/connectors', { name: this.name, config });
    assert.equal(created.status, 201, created.text);
    await eventually(async () => (await this.status())?.connector?.state === 'RUNNING', `${this.name} RUNNING`);
  }

  async setPolicy(policy: Policy): Promise<void> {
    const put = await worker.request('PUT', `/connectors/${this.name}/config`, { ...this.config, 'schema.change.policy': policy });
    assert.equal(put.status, 200, put.text);
  }

  async approve(id: string): Promise<void> {
    const res = await worker.request('POST', `/connectors/${this.name}/schema-changes/${id}/approve`);
    assert.equal(res.status, 200, `${this.name}: approve ${id}: ${res.text}`);
  }

  /** A FAILED connector goes on: pause at the change, approve it, back to the policy under test. */
  async moveOn(c: DdlCase): Promise<void> {
    await this.setPolicy('pause');
    // A REPLICA IDENTITY change is seen only by a run that saw the table before: the new run streams on.
    const delivered = async () => (await records(this.topic(c.table))) === c.oldRecords + 1;
    await eventually(async () => (await this.status())?.schema_change_pending?.table === `public.${c.table}` || (await delivered()), `${this.name}: paused at ${c.table} after the switch to pause`);
    const pending = (await this.status()).schema_change_pending;
    if (pending) await this.approve(pending.id);
    else assert.equal(c.table, 'replica_identity', `${this.name}: only a replica identity change passes a fresh run`);
    await eventually(async () => (await this.status()).connector.state === 'RUNNING' && (await delivered()), `${this.name}: RUNNING after approve, the row delivered`).catch(async (err) => {
      throw new Error(`${(err as Error).message} (${c.table}; records ${await records(this.topic(c.table))}; status ${JSON.stringify((await this.status()).connector)})`);
    });
    await this.setPolicy(this.policy);
    await eventually(async () => (await this.status()).connector.state === 'RUNNING', `${this.name}: RUNNING under ${this.policy} again`);
  }

  async run(c: DdlCase): Promise<void> {
    const what = `${this.policy} × ${c.table}`;
    const walBefore = BigInt((await this.sql('SELECT pg_current_wal_lsn() - \'0/0\'::pg_lsn AS n')).rows[0].n);
    await this.sql(c.old);
    await eventually(async () => (await records(this.topic(c.table))) === c.oldRecords, `${what}: the old-shape records`);
    // A FAILED run stores no offset (at least once: what was acknowledged since the last flush comes
    // again after a restart); the old-shape records are stored as delivered before the DDL.
    await eventually(async () => BigInt((await worker.request('GET', `/connectors/${this.name}/offsets`)).body.offsets[0]?.offset?.lsn_commit ?? 0) > walBefore, `${what}: the offset stored past the old-shape records`);
    await this.sql(c.ddl);
    await this.sql(c.insert);
    const stops = this.policy === 'pause' ? breaking(c) : this.policy === 'fail' ? breaking(c) : !c.registryAccepts;
    if (!stops) {
      await eventually(async () => (await records(this.topic(c.table))) === c.oldRecords + 1, `${what}: the new-shape row delivered`);
      assert.equal((await this.status()).connector.state, 'RUNNING', what);
      return;
    }
    const expected = this.policy === 'pause' ? 'PAUSED' : 'FAILED';
    await eventually(async () => (await this.status()).connector.state === expected, `${what}: ${expected}`);
    const st = await this.status();
    // nothing with the new shape delivered
    assert.equal(await records(this.topic(c.table)), c.oldRecords, `${what}: nothing of the new shape on the topic`);
    if (this.policy === 'fail') {
      assert.match(st.connector.trace, new RegExp(`breaking schema change of public\\.${c.table}`), what);
      assert.match(st.connector.trace, c.reason, what);
      assert.match(st.connector.trace, /schema\.change\.policy=fail/, what);
      return this.moveOn(c);
    }
    if (this.policy === 'allow') {
      assert.match(st.connector.trace, new RegExp(`${c.table}`), what);
      assert.match(st.connector.trace, /subject/i, `${what}: the refusal names the subject: ${st.connector.trace}`);
      return this.moveOn(c);
    }
    // pause: the pending change, its kinds and verdicts; the offset stands before it
    const pending = (await worker.request('GET', `/connectors/${this.name}/schema-changes`)).body.pending;
    assert.equal(pending.table, `public.${c.table}`, what);
    assert.deepEqual(pending.changes.map((x: any) => [x.kind, x.classification]), c.changes, what);
    assert.equal(pending.registry.every((v: any) => v.compatible), c.registryAccepts, `${what}: registry ${JSON.stringify(pending.registry)}`);
    assert.ok(pending.changes.some((x: any) => c.reason.test(x.reason)), `${what}: ${JSON.stringify(pending.changes)}`);
    // the trace names the breaking reasons (pgcdc's, else the registry's refusal)
    assert.match(st.connector.trace, c.changes.some(([, cl]) => cl === 'breaking') ? c.reason : /the registry rejects the new version/, what);
    const offset = (await worker.request('GET', `/connectors/${this.name}/offsets`)).body.offsets[0].offset;
    assert.ok(BigInt(offset.lsn_commit) < parseLsn(pending.lsn), `${what}: stored offset ${offset.lsn_commit} before the change at ${pending.lsn}`);
    assert.equal(st.schema_change_pending.topic, this.topic(c.table), what);
    this.seen.set(c.table, { pendingId: pending.id });
    await this.approve(pending.id);
    await eventually(async () => (await records(this.topic(c.table, 2))) === 1, `${what}: the new-shape row on ${this.topic(c.table, 2)}`);
    assert.equal((await this.status()).connector.state, 'RUNNING', what);
    assert.equal((await this.status()).versioned_topics[`public.${c.table}`], this.topic(c.table, 2), `${what}: status shows the topic in use`);
    assert.equal(await records(this.topic(c.table)), c.oldRecords, `${what}: the old topic got nothing more`);
  }
}

/** Records a topic holds now (0 while it does not exist). */
async function records(topic: string): Promise<number> {
  try {
    return Number(await topicEnd(services.kafkaBrokers, topic));
  } catch {
    return 0;
  }
}

const runs = {
  pause: new PolicyRun('pause', { 'schema.change.topic.enabled': 'true', 'schema.change.breaking.topic.versioning': 'true' }),
  fail: new PolicyRun('fail'),
  allow: new PolicyRun('allow'),
};

before(async () => {
  services = await testServices();
  worker = new WorkerHttp(services, 'scmatrix');
  await worker.start();
  await Promise.all(Object.values(runs).map((r) => r.setup()));
});

after(async () => {
  await worker?.stop();
  for (const r of Object.values(runs)) await dropDatabase(services, r.name);
});

let matrixDone = false;

test('every DDL kind under every schema.change.policy', async () => {
  await Promise.all(Object.values(runs).map(async (r) => {
    for (const c of CASES) await r.run(c);
  }));
  matrixDone = true;
});

test('pause + versioning: every row exactly once across <topic> and <topic>.v2; v2 subjects start with the new schema; the schema-change topic tells each change in order', async () => {
  assert.ok(matrixDone, 'the matrix ran to its end');
  const r = runs.pause;
  const topics = CASES.flatMap((c) => (breaking(c) ? [r.topic(c.table), r.topic(c.table, 2)] : [r.topic(c.table)]));
  const total = CASES.reduce((n, c) => n + c.oldRecords + 1, 0);
  const all = await readTopics(services.kafkaBrokers, services.registryUrl, topics, (x) => x.length >= total, 60_000);
  for (const c of CASES) {
    const creates = all.filter((x) => (x.topic === r.topic(c.table) || x.topic === r.topic(c.table, 2)) && x.value?.op === 'c').map((x) => [x.topic, Number(x.value!.after.id)] as [string, number]).sort((a, b) => a[1] - b[1]);
    const newTopic = breaking(c) ? r.topic(c.table, 2) : r.topic(c.table);
    assert.deepEqual(creates, [[r.topic(c.table), 1], [newTopic, 2]], `${c.table}: no gap, no duplicate`);
    if (breaking(c)) {
      const versions = (await (await fetch(`${services.registryUrl}/subjects/${r.topic(c.table, 2)}-value/versions`)).json()) as number[];
      assert.equal(versions.length, 1, `${c.table}: the v2 subject has one version, the new schema`);
    }
  }

  const changeTopic = `${r.prefix}.schema-changes`;
  const expected = CASES.reduce((n, c) => n + (breaking(c) ? 2 : 1), 0);
  const changes = await readTopics(services.kafkaBrokers, services.registryUrl, [changeTopic], (x) => x.length >= expected, 30_000);
  assert.equal(changes.length, expected);
  for (const c of CASES) {
    const mine = changes.filter((x) => x.key?.tableName === c.table);
    assert.ok(mine.every((x) => x.partition === mine[0]!.partition), `${c.table}: one partition per table (keyed by table)`);
    const v = mine.map((x) => x.value!);
    assert.deepEqual(v.map((x) => x.decision), breaking(c) ? ['pending', 'approved'] : ['auto-registered'], c.table);
    assert.deepEqual(mine[0]!.key, { databaseName: r.name, schemaName: 'public', tableName: c.table });
    const first = v[0]!;
    assert.equal(first.classification, breaking(c) ? 'breaking' : 'additive', c.table);
    assert.deepEqual(first.changes.map((x: any) => [x.kind, x.classification]), c.changes, c.table);
    assert.ok(first.columnsBefore.length > 0 && first.columnsAfter.length > 0, `${c.table}: old and new column lists`);
    assert.equal(first.registry.every((x: any) => x.compatible), c.registryAccepts, c.table);
    if (breaking(c)) {
      assert.equal(v[0]!.id, r.seen.get(c.table)?.pendingId, `${c.table}: the pending change's id`);
      assert.equal(v[1]!.id, v[0]!.id);
      assert.equal(v[1]!.topic, r.topic(c.table, 2), `${c.table}: the approval names the new topic`);
    }
  }
  const widen = changes.find((x) => x.key?.tableName === 'widen')!.value!;
  assert.deepEqual([widen.columnsBefore.find((x: any) => x.name === 'a').type, widen.columnsAfter.find((x: any) => x.name === 'a').type], ['"int"', '"long"']);
});

test('pause + versioning: a worker restart keeps the versioned topic; reject and skip-table are told on the schema-change topic', async () => {
  assert.ok(matrixDone, 'the matrix ran to its end');
  const r = runs.pause;
  await worker.restart();
  await eventually(async () => (await r.status())?.connector?.state === 'RUNNING', 'RUNNING after the worker restart');
  assert.equal((await r.status()).versioned_topics['public.narrow'], r.topic('narrow', 2), 'the topic version survives the restart');
  const tables = (await worker.request('GET', `/connectors/${r.name}/tables`)).body.tables;
  await r.sql('INSERT INTO narrow VALUES (3, 3)');
  await eventually(async () => (await records(r.topic('narrow', 2))) === 2, 'the next row on narrow.v2');
  assert.equal(await records(r.topic('narrow')), 1, 'nothing more on the old topic');
  const shown = (await worker.request('GET', `/connectors/${r.name}/tables`)).body.tables.find((t: any) => t.table === 'public.narrow');
  assert.equal(shown?.topic, r.topic('narrow', 2), `/tables shows the topic in use (before the row: ${JSON.stringify(tables)})`);

  await r.sql('INSERT INTO late VALUES (1, 1)');
  await eventually(async () => (await records(r.topic('late'))) === 1, 'the late table streams');
  await r.sql('ALTER TABLE late DROP COLUMN a; INSERT INTO late VALUES (2)');
  await eventually(async () => (await r.status()).schema_change_pending?.table === 'public.late', 'PAUSED at late');
  const id = (await r.status()).schema_change_pending.id;
  assert.equal((await worker.request('POST', `/connectors/${r.name}/schema-changes/${id}/reject`)).status, 200);
  assert.equal((await r.status()).connector.state, 'PAUSED', 'reject keeps the pause');
  assert.equal((await worker.request('POST', `/connectors/${r.name}/schema-changes/${id}/skip-table`)).status, 200);
  await eventually(async () => (await r.status()).connector.state === 'RUNNING', 'RUNNING after skip-table');
  const changeTopic = `${r.prefix}.schema-changes`;
  const changes = await readTopics(services.kafkaBrokers, services.registryUrl, [changeTopic], (x) => x.filter((y) => y.key?.tableName === 'late').length >= 3, 30_000);
  const late = changes.filter((x) => x.key?.tableName === 'late').map((x) => x.value!);
  assert.deepEqual(late.map((x) => [x.id, x.decision]), [[id, 'pending'], [id, 'rejected'], [id, 'skipped-table']]);
  assert.equal(await records(r.topic('late')), 1, 'nothing of the skipped table after the change');
});

test('pause + versioning, a change inside a transaction: old-shape rows stay on <topic>, new-shape ones go to .v2, once each; returning to the old shape later is a change, not a move back', async () => {
  assert.ok(matrixDone, 'the matrix ran to its end');
  const r = runs.pause;
  await withClient(r.db, async (c) => {
    await c.query('BEGIN');
    await c.query('INSERT INTO midtx SELECT g, g FROM generate_series(1, 3) g');
    await c.query('ALTER TABLE midtx ALTER COLUMN qty TYPE text');
    await c.query(`INSERT INTO midtx SELECT g, 'q' || g FROM generate_series(4, 6) g`);
    await c.query('COMMIT');
  });
  await eventually(async () => (await r.status()).schema_change_pending?.table === 'public.midtx', 'PAUSED at midtx');
  assert.equal(await records(r.topic('midtx')), 3, 'the three old-shape rows delivered');
  const offset = (await worker.request('GET', `/connectors/${r.name}/offsets`)).body.offsets[0].offset;
  assert.deepEqual([offset.pgcdc_tx_changes, offset.pgcdc_tx_complete], [3, false], 'the offset inside the transaction, before the change');
  await r.approve((await r.status()).schema_change_pending.id);
  // the resume replays the transaction from its start: its old-shape Relation must not pause again
  await eventually(async () => (await records(r.topic('midtx', 2))) === 3, 'the new-shape rows on midtx.v2');
  assert.equal((await r.status()).connector.state, 'RUNNING');
  const rows = await readTopics(services.kafkaBrokers, services.registryUrl, [r.topic('midtx'), r.topic('midtx', 2)], (x) => x.length >= 6, 30_000);
  assert.deepEqual(rows.map((x) => [x.topic, Number(x.value!.after.id)]).sort((a, b) => (a[1] as number) - (b[1] as number)),
    [1, 2, 3].map((i) => [r.topic('midtx'), i]).concat([4, 5, 6].map((i) => [r.topic('midtx', 2), i])), 'each row once, old shape on the old topic');
  assert.equal(await records(r.topic('midtx')), 3);

  // back to the old type: judged against midtx.v2 (string → int), so it pauses; nothing goes to the old topic
  await r.sql('ALTER TABLE midtx ALTER COLUMN qty TYPE int USING length(qty); INSERT INTO midtx VALUES (7, 7)');
  await eventually(async () => (await r.status()).schema_change_pending?.table === 'public.midtx', 'PAUSED at midtx again');
  assert.match((await r.status()).connector.trace, /column "qty" changed type from string to int/);
  assert.equal(await records(r.topic('midtx')), 3, 'the old topic gets nothing');
  await r.approve((await r.status()).schema_change_pending.id);
  await eventually(async () => (await records(r.topic('midtx', 3))) === 1, 'the row on midtx.v3');
});
