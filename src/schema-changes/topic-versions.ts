/**
 * schema.change.breaking.topic.versioning: after an approval a table's events go to `<topic>.v<N>`.
 * A resumed stream replays what precedes the approved change, including Relation messages with the
 * table's old shape (pgoutput sends one at the start of each transaction that touches the table);
 * that shape belongs to the topic it was registered for, not to the new one. This finds that topic:
 * the newest older version of the table's topic whose subjects hold exactly this shape, for Relations
 * in transactions up to the one of the approved change only: later, a table that returns to an old
 * shape is a change like any other (judged against its current topic), not a silent move back.
 */
import { keySubject, topicName, valueSubject } from '../events/names.js';
import type { TableSchema } from '../events/table-schema.js';
import type { SchemaRegistrar } from '../registry/schema-registrar.js';
import { parseLsn } from '../postgres/lsn.js';
import type { StreamPoint } from './gate.js';

export class TopicVersions {
  constructor(
    private readonly registrar: SchemaRegistrar,
    private readonly topicPrefix: string,
    private readonly versionOf: (schema: string, table: string) => number,
    /** commit LSN of the transaction of the approval that moved `schema.table`, or null */
    private readonly movedAt: (table: string) => string | null,
  ) {}

  /** The older topic whose subjects hold this shape, or null (the shape is new, the table was never moved, or the Relation comes after the move). */
  async olderTopicOf(schema: TableSchema, at: StreamPoint): Promise<string | null> {
    const current = this.versionOf(schema.schema, schema.table);
    const moved = this.movedAt(`${schema.schema}.${schema.table}`);
    if (current <= 1 || !moved || !at.commitLsn || parseLsn(at.commitLsn) > parseLsn(moved)) return null;
    if (await this.holds(schema.topic, schema)) return null;
    for (let v = current - 1; v >= 1; v--) {
      const topic = topicName(this.topicPrefix, schema.schema, schema.table, v);
      if (await this.holds(topic, schema)) return topic;
    }
    return null;
  }

  private async holds(topic: string, schema: TableSchema): Promise<boolean> {
    if (schema.keySchema && !(await this.registrar.isRegistered(keySubject(topic), schema.keySchema))) return false;
    return this.registrar.isRegistered(valueSubject(topic), schema.envelopeSchema);
  }
}
