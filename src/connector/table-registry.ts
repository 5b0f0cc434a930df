import type pg from 'pg';
import type { Logger } from 'pino';
import type { RelationMessage } from '../decoding/messages.js';
import { PgcdcError } from '../errors/pgcdc-error.js';
import { classifyPostgresError } from '../errors/classify-postgres.js';
import type { RecordSink } from '../kafka/ports.js';
import { loadTableFacts, type PgTypeCatalog } from '../postgres/catalog.js';
import type { SchemaRegistrar } from '../registry/schema-registrar.js';
import { keySubject, valueSubject } from '../events/names.js';
import { buildTableSchema, type SchemaContext, type TableSchema } from '../events/table-schema.js';
import type { SchemaChangeGate, StreamPoint } from '../schema-changes/gate.js';
import type { PendingSchemaChange } from '../schema-changes/pending.js';
import type { TopicVersions } from '../schema-changes/topic-versions.js';

export interface RegisteredTable {
  schema: TableSchema;
  keySchemaId: number | null;
  valueSchemaId: number;
}

/**
 * Turns pgoutput Relation messages into registered table schemas: reads what pgoutput does not send
 * (nullability, primary key, type details) from the catalog, builds the Avro schemas, registers them
 * under `<topic>-key` / `<topic>-value` and creates the topic. Keyed by relation oid.
 */
export class TableRegistry {
  private readonly tables = new Map<number, RegisteredTable | null>();
  /** every relation pgoutput announced, captured or not (the signal table need not be captured) */
  private readonly relations = new Map<number, RelationMessage>();
  /** told when a table's shape is registered, or waits for a schema-change decision (lineage) */
  onShape: ((table: TableSchema, state: 'registered' | 'pending') => void) | null = null;

  constructor(
    private readonly catalogClient: pg.Client,
    private readonly types: PgTypeCatalog,
    private readonly registrar: SchemaRegistrar,
    private readonly sink: RecordSink,
    private readonly ctx: SchemaContext,
    private readonly includeTable: (schema: string, table: string) => boolean,
    private readonly log: Logger,
    /** schema.change.policy while streaming; absent: register whatever the registry accepts */
    private readonly gate: SchemaChangeGate | null = null,
    /** schema.change.breaking.topic.versioning: where a replayed pre-approval shape belongs */
    private readonly topicVersions: TopicVersions | null = null,
  ) {}

  /** The registered table, undefined when the relation was never announced, null when it is not captured. */
  get(relationOid: number): RegisteredTable | null | undefined {
    return this.tables.get(relationOid);
  }

  /** The captured tables' registered schemas. */
  registeredTables(): TableSchema[] {
    return [...this.tables.values()].filter((t): t is RegisteredTable => t !== null).map((t) => t.schema);
  }

  forgetType(oid: number): void {
    this.types.forget(oid);
  }

  relation(relationOid: number): RelationMessage | undefined {
    return this.relations.get(relationOid);
  }

  /**
   * Registers the table's shape. With `at` (the streaming phase) a changed shape first goes through
   * schema.change.policy: a breaking change to pause before comes back as pending, and then nothing
   * is registered and the table keeps its previous schema. Snapshots register as before.
   */
  async onRelation(rel: RelationMessage, at?: StreamPoint): Promise<PendingSchemaChange | null> {
    this.relations.set(rel.relationOid, rel);
    if (!this.includeTable(rel.schema, rel.table)) {
      this.tables.set(rel.relationOid, null);
      return null;
    }
    let schema: TableSchema;
    try {
      const facts = await loadTableFacts(this.catalogClient, rel.relationOid);
      await this.types.load(this.catalogClient, rel.columns.map((c) => c.typeOid));
      schema = buildTableSchema(rel, facts, this.ctx);
      if (schema.keyColumns.length === 0) {
        this.log.warn({ table: `${rel.schema}.${rel.table}` }, 'table has no primary key: its events have a null key, as with Debezium');
      }
    } catch (err) {
      if (err instanceof PgcdcError || (err as { retriable?: boolean }).retriable === false) throw err;
      throw classifyPostgresError(err, `reading the catalog for ${rel.schema}.${rel.table}`, 'read');
    }
    const previous = this.tables.get(rel.relationOid) ?? null;
    // the key schema too: a primary-key change leaves the envelope as it was
    const sameShape = previous !== null && JSON.stringify(previous.schema.envelopeSchema) === JSON.stringify(schema.envelopeSchema)
      && JSON.stringify(previous.schema.keySchema) === JSON.stringify(schema.keySchema);
    if (sameShape && (!at || previous.schema.replicaIdentity === schema.replicaIdentity)) {
      this.tables.set(rel.relationOid, { ...previous, schema: { ...schema, topic: previous.schema.topic } });
      return null;
    }
    if (at && this.topicVersions) {
      const older = await this.topicVersions.olderTopicOf(schema, at);
      if (older) schema = { ...schema, topic: older };
    }
    if (at && this.gate) {
      const pending = await this.gate.check(previous?.schema ?? null, schema, at);
      if (pending) return (this.onShape?.(schema, 'pending'), pending);
      if (sameShape) {
        this.tables.set(rel.relationOid, { ...previous, schema: { ...schema, topic: previous.schema.topic } });
        return null;
      }
    }
    await this.sink.ensureTopic(schema.topic);
    try {
      const keySchemaId = schema.keySchema ? await this.registrar.register(keySubject(schema.topic), schema.keySchema) : null;
      const valueSchemaId = await this.registrar.register(valueSubject(schema.topic), schema.envelopeSchema);
      this.tables.set(rel.relationOid, { schema, keySchemaId, valueSchemaId });
      this.log.info({ table: `${schema.schema}.${schema.table}`, topic: schema.topic, valueSchemaId }, 'table schema registered');
      this.onShape?.(schema, 'registered');
      return null;
    } catch (err) {
      if (err instanceof PgcdcError && err.kind === 'schema-incompatible') {
        throw new PgcdcError('schema-incompatible', `${err.message}; table ${schema.schema}.${schema.table} changed: ${describeChange(previous?.schema ?? null, schema)}`, {
          retriable: false,
          remedy: err.remedy,
          cause: err,
        });
      }
      throw err;
    }
  }
}

/** Names the columns that differ between two versions of a table, for error messages. */
export function describeChange(before: TableSchema | null, after: TableSchema): string {
  if (!before) return 'first registration since start';
  const old = new Map(before.columns.map((c) => [c.name, c]));
  const changes: string[] = [];
  for (const c of after.columns) {
    const o = old.get(c.name);
    if (!o) changes.push(`column "${c.name}" added`);
    else if (JSON.stringify(o.mapping.schema) !== JSON.stringify(c.mapping.schema) || o.optional !== c.optional) changes.push(`column "${c.name}" changed type or nullability`);
    old.delete(c.name);
  }
  for (const name of old.keys()) changes.push(`column "${name}" dropped`);
  return changes.join(', ') || 'no column difference';
}
