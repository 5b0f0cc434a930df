/**
 * schema.change.breaking.topic.versioning: after an approval a table's events go to `<topic>.v<N>`.
 * A resumed stream replays what precedes the approved change, including Relation messages with the
 * table's old shape (pgoutput sends one at the start of each transaction that touches the table);
 * that shape belongs to the topic it was registered for, not to the new one. This finds that topic:
 * the newest older version of the table's topic whose subjects hold exactly this shape.
 */
import { keySubject, topicName, valueSubject } from '../events/names.js';
import type { TableSchema } from '../events/table-schema.js';
import type { SchemaRegistrar } from '../registry/schema-registrar.js';

export class TopicVersions {
  constructor(
    private readonly registrar: SchemaRegistrar,
    private readonly topicPrefix: string,
    private readonly versionOf: (schema: string, table: string) => number,
  ) {}

  /** The older topic whose subjects hold this shape, or null (the shape is new, or the table was never moved). */
  async olderTopicOf(schema: TableSchema): Promise<string | null> {
    const current = this.versionOf(schema.schema, schema.table);
    if (current <= 1 || (await this.holds(schema.topic, schema))) return null;
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
