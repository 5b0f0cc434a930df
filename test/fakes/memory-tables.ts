/**
 * Table schemas without a database or a schema registry: the catalog facts pgoutput does not send
 * (primary key, NOT NULL) are given by the test, built-in types need no type catalog, and schema ids
 * are handed out in registration order, as a registry would.
 */
import type { RelationMessage } from '../../src/decoding/messages.js';
import type { RegisteredTable } from '../../src/connector/table-registry.js';
import type { StreamingTables } from '../../src/connector/streaming-source.js';
import { buildTableSchema, type SchemaContext, type TableSchema } from '../../src/events/table-schema.js';
import type { TableFacts } from '../../src/postgres/catalog.js';
import { defaultConversionOptions } from '../../src/types/index.js';

export const INT4 = 23;
export const TEXT = 25;

export const schemaContext: SchemaContext = {
  topicPrefix: 'dbserver1',
  catalog: { get: () => undefined },
  conversion: defaultConversionOptions,
  placeholder: '__debezium_unavailable_value',
  includeColumn: () => true,
};

export function relationOf(relationOid: number, table: string, columns: [name: string, typeOid: number][], replicaIdentity: RelationMessage['replicaIdentity'] = 'default', primaryKey = ['id']): RelationMessage {
  return { tag: 'relation', relationOid, schema: 'public', table, replicaIdentity, columns: columns.map(([name, typeOid]) => ({ name, typeOid, typeMod: -1, isKey: primaryKey.includes(name) })) };
}

/** The schema a table gets, with `primaryKey` as its catalog's primary key (NOT NULL) and every other column nullable. */
export function tableSchemaOf(rel: RelationMessage, primaryKey = ['id']): TableSchema {
  const facts: TableFacts = { primaryKey, columns: new Map(rel.columns.map((c) => [c.name, { notNull: primaryKey.includes(c.name), typeOid: c.typeOid, typeMod: c.typeMod, defaultExpr: null }])) };
  return buildTableSchema(rel, facts, schemaContext);
}

/** The streaming loop's view of the table registry (src/connector/table-registry.ts), in memory. */
export class MemoryTables implements StreamingTables {
  private readonly tables = new Map<number, RegisteredTable | null>();
  private nextId = 1;
  readonly relations: RelationMessage[] = [];

  /** `excluded`: tables (by name) outside table.include.list */
  constructor(private readonly excluded: string[] = []) {}

  get(relationOid: number): RegisteredTable | null | undefined {
    return this.tables.get(relationOid);
  }

  forgetType(): void {}

  async onRelation(rel: RelationMessage): Promise<null> {
    this.relations.push(rel);
    if (this.excluded.includes(rel.table)) {
      this.tables.set(rel.relationOid, null);
      return null;
    }
    const schema = tableSchemaOf(rel);
    this.tables.set(rel.relationOid, { schema, keySchemaId: this.nextId++, valueSchemaId: this.nextId++ });
    return null;
  }
}
