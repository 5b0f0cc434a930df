/**
 * Decides, while streaming, what a table's new shape does before anything of it is registered or
 * delivered: compares it with the last registered shape (the one this run registered, else the
 * registry's latest versions of its subjects), asks the registry's own compatibility verdict, and
 * applies schema.change.policy. Additive changes are logged with the diff and counted; a breaking
 * one becomes a pending change (pause) or a permanent error (fail).
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { SchemaChangePolicy } from '../config/keys-schema-changes.js';
import { PgcdcError } from '../errors/pgcdc-error.js';
import { classifyPostgresError } from '../errors/classify-postgres.js';
import { keySubject, valueSubject } from '../events/names.js';
import type { TableSchema } from '../events/table-schema.js';
import type { SchemaRegistrar } from '../registry/schema-registrar.js';
import type { SchemaChangeNotice, SchemaChangeOutcome } from './change-record.js';
import type { SchemaChangeAnnouncer } from './change-topic.js';
import { classifyChange, type ShapeDiff } from './classify.js';
import type { SchemaChangeCounters } from './counters.js';
import { changeId, describePending, type PendingSchemaChange, type RegistryVerdict } from './pending.js';
import { shapeOfRegistered, shapeOfSchema, type TableShape } from './shape.js';

/** Where in the stream the Relation message arrived. */
export interface StreamPoint {
  lsn: string;
  /** the position delivery stands at (describeOffset), which also makes the change's id */
  position: string;
  /** the commit LSN of the transaction the Relation came in (absent between transactions) */
  commitLsn?: string;
}

export class SchemaChangeGate {
  constructor(
    readonly policy: SchemaChangePolicy,
    private readonly registrar: SchemaRegistrar,
    private readonly catalog: pg.Client,
    private readonly counters: SchemaChangeCounters,
    private readonly log: Logger,
    /** ids of changes an operator approved: met again (a replay after the approval), they pass */
    private readonly approved: ReadonlySet<string> = new Set(),
    /** schema.change.topic.enabled: told of every classified change before anything of its shape is delivered */
    private readonly announcer: SchemaChangeAnnouncer | null = null,
    private readonly database = '',
  ) {}

  /** null: register and stream on; a pending change: pause before it. Throws under policy fail. */
  async check(previous: TableSchema | null, next: TableSchema, at: StreamPoint): Promise<PendingSchemaChange | null> {
    if (this.policy === 'allow') return null;
    // A shape registered before (an older one a resumed stream replays) is nothing new to consumers;
    // a replica identity change keeps the registered schemas, so it is judged on the shapes.
    const identityChanged = previous !== null && previous.replicaIdentity !== next.replicaIdentity;
    if (!identityChanged && (await this.registered(next))) return null;
    const table = `${next.schema}.${next.table}`;
    const before = previous ? shapeOfSchema(previous) : await this.registeredShape(next);
    if (!before) return null; // first version of the table's subjects
    const after = shapeOfSchema(next, await this.columnsWithDefault(next));
    const diff = classifyChange(before, after);
    if (diff.classification === 'neutral') return null;
    const verdicts = await this.verdicts(next);
    const breaking = diff.classification === 'breaking' || verdicts.some((v) => !v.compatible);
    const summary = { table, lsn: at.lsn, classification: breaking ? 'breaking' : diff.classification, changes: diff.changes.map((c) => c.reason), registry: verdicts };
    const schemas = { key: next.keySchema, value: next.envelopeSchema };
    const id = changeId(table, at.position, schemas);
    const notice = (decision: SchemaChangeOutcome): SchemaChangeNotice => ({
      id, database: this.database, table, topic: next.topic, lsn: at.lsn, classification: breaking ? 'breaking' : 'additive',
      changes: diff.changes, before, after, registry: verdicts, decision, at: new Date(),
    });
    if (!breaking) {
      this.counters.count(diff.classification, 'registered');
      this.log.info(summary, 'additive schema change: registering the new version');
      await this.announcer?.announce(notice('auto-registered'));
      return null;
    }
    if (this.policy === 'fail') {
      this.counters.count('breaking', 'failed');
      await this.announcer?.announce(notice('failed'));
      throw new PgcdcError('schema-incompatible', `breaking schema change of ${table} at LSN ${at.lsn} (schema.change.policy=fail): ${reasons(diff, verdicts)}; nothing with the new shape was delivered`, {
        retriable: false,
        remedy: 'undo the table change, or set schema.change.policy=pause to decide per change (approve or skip-table), then restart',
      });
    }
    const pending: PendingSchemaChange = {
      id,
      table,
      topic: next.topic,
      lsn: at.lsn,
      position: at.position,
      detected_at: new Date().toISOString(),
      classification: 'breaking',
      changes: diff.changes,
      registry: verdicts,
      subjects: { key: next.keySchema ? keySubject(next.topic) : null, value: valueSubject(next.topic) },
      schemas,
      shapes: { before, after },
      ...(at.commitLsn ? { commit_lsn: at.commitLsn } : {}),
    };
    if (this.approved.has(pending.id)) {
      this.log.info({ ...summary, id: pending.id }, 'approved schema change reached: registering it');
      return null;
    }
    this.counters.count('breaking', 'paused');
    this.log.warn({ ...summary, id: pending.id, diff: diff.changes }, describePending(pending));
    await this.announcer?.announce(notice('pending'));
    return pending;
  }

  private async registered(next: TableSchema): Promise<boolean> {
    if (next.keySchema && !(await this.registrar.isRegistered(keySubject(next.topic), next.keySchema))) return false;
    return this.registrar.isRegistered(valueSubject(next.topic), next.envelopeSchema);
  }

  private async registeredShape(next: TableSchema): Promise<TableShape | null> {
    const value = await this.registrar.latest(valueSubject(next.topic));
    if (value === null) return null;
    const key = await this.registrar.latest(keySubject(next.topic));
    return shapeOfRegistered(value, key);
  }

  private async verdicts(next: TableSchema): Promise<RegistryVerdict[]> {
    const out: RegistryVerdict[] = [];
    if (next.keySchema) out.push({ subject: keySubject(next.topic), compatible: await this.registrar.compatible(keySubject(next.topic), next.keySchema) });
    out.push({ subject: valueSubject(next.topic), compatible: await this.registrar.compatible(valueSubject(next.topic), next.envelopeSchema) });
    return out;
  }

  /** Columns with a DEFAULT (pgoutput does not send it). */
  private async columnsWithDefault(next: TableSchema): Promise<Set<string>> {
    try {
      const res = await this.catalog.query(`SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped AND atthasdef`, [next.relationOid]);
      return new Set(res.rows.map((r) => r.attname as string));
    } catch (err) {
      throw classifyPostgresError(err, `reading column defaults of ${next.schema}.${next.table}`, 'read');
    }
  }
}

function reasons(diff: ShapeDiff, verdicts: RegistryVerdict[]): string {
  const own = diff.changes.map((c) => `${c.reason} (${c.classification})`);
  const rejected = verdicts.filter((v) => !v.compatible).map((v) => `the registry finds the new version of "${v.subject}" incompatible`);
  return [...own, ...rejected].join('; ');
}
