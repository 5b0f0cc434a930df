/**
 * Where a connector's schema-change state lives: in the offset topic, next to its offset, under
 * the key `["<connector>",{"server":"<topic.prefix>","pgcdc":"schema-changes"}]` (Kafka Connect's
 * key layout, a partition of its own), so a pending change and the decisions taken survive a
 * worker restart and the checkpoints (which write only the offset's own key) never overwrite them.
 */
import type { KafkaOffsetStore } from '../offsets/offset-store.js';
import { parseState, type SchemaChangeState } from './pending.js';

export class SchemaChangeStore {
  constructor(private readonly store: Pick<KafkaOffsetStore, 'read' | 'write'>, readonly key: string) {}

  static key(connector: string, serverName: string): string {
    return JSON.stringify([connector, { server: serverName, pgcdc: 'schema-changes' }]);
  }

  async load(): Promise<SchemaChangeState> {
    return parseState(await this.store.read(this.key));
  }

  async save(state: SchemaChangeState): Promise<void> {
    await this.store.write(this.key, state as unknown as Record<string, unknown>);
  }
}
