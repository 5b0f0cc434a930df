/**
 * Writes schema-change records (change-record.ts) to the connector's schema-change topic through a
 * RecordSink: registers the key and value schemas under `<topic>-key` / `<topic>-value`, creates
 * the topic once, and resolves only when Kafka acknowledged the record, so a caller that awaits it
 * before delivering anything of a new shape has the record on the topic first.
 */
import type avro from 'avsc';
import { compileSchema, encodeWire } from '../avro/codec.js';
import { keySubject, valueSubject } from '../events/names.js';
import type { RecordSink } from '../kafka/ports.js';
import type { SchemaRegistrar } from '../registry/schema-registrar.js';
import { SCHEMA_CHANGE_KEY_SCHEMA, SCHEMA_CHANGE_VALUE_SCHEMA, schemaChangeKey, schemaChangeValue, type SchemaChangeNotice } from './change-record.js';

/** Something told of each detected schema change and each decision (the topic; other listeners may follow). */
export interface SchemaChangeAnnouncer {
  announce(notice: SchemaChangeNotice): Promise<void>;
}

let keyType: avro.Type | null = null;
let valueType: avro.Type | null = null;

export class SchemaChangeTopic implements SchemaChangeAnnouncer {
  private ids: Promise<{ key: number; value: number }> | null = null;

  constructor(readonly topic: string, private readonly sink: RecordSink, private readonly registrar: SchemaRegistrar) {}

  async announce(notice: SchemaChangeNotice): Promise<void> {
    const ids = await this.prepare();
    keyType ??= compileSchema(SCHEMA_CHANGE_KEY_SCHEMA);
    valueType ??= compileSchema(SCHEMA_CHANGE_VALUE_SCHEMA);
    await this.sink.send([{ topic: this.topic, key: encodeWire(ids.key, keyType, schemaChangeKey(notice)), value: encodeWire(ids.value, valueType, schemaChangeValue(notice)) }]);
  }

  private prepare(): Promise<{ key: number; value: number }> {
    this.ids ??= (async () => {
      await this.sink.ensureTopic(this.topic);
      return {
        key: await this.registrar.register(keySubject(this.topic), SCHEMA_CHANGE_KEY_SCHEMA),
        value: await this.registrar.register(valueSubject(this.topic), SCHEMA_CHANGE_VALUE_SCHEMA),
      };
    })();
    // a failed attempt (registry or Kafka down) is tried again with the next record
    this.ids.catch(() => (this.ids = null));
    return this.ids;
  }
}
