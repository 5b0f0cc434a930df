/**
 * A topic whose records all have one key and one value schema (heartbeats, logical decoding
 * messages): creates the topic and registers `<topic>-key` / `<topic>-value` once, then turns key
 * and value into a Confluent-wire SinkRecord. The records go through the StreamingSource's batches,
 * so Kafka acknowledges them in order with the change events around them.
 */
import type avro from 'avsc';
import { compileSchema, encodeWire, type AvroSchemaJson } from '../avro/codec.js';
import { keySubject, valueSubject } from '../events/names.js';
import type { RecordSink } from '../kafka/ports.js';
import type { SinkRecord } from '../kafka/sink-record.js';
import type { SchemaRegistrar } from '../registry/schema-registrar.js';

export class FixedSchemaTopic {
  private ids: { key: number; value: number } | null = null;
  private preparing: Promise<void> | null = null;
  private readonly keyType: avro.Type;
  private readonly valueType: avro.Type;

  constructor(
    readonly topic: string,
    private readonly keySchema: AvroSchemaJson,
    private readonly valueSchema: AvroSchemaJson,
    private readonly sink: RecordSink,
    private readonly registrar: SchemaRegistrar,
  ) {
    this.keyType = compileSchema(keySchema);
    this.valueType = compileSchema(valueSchema);
  }

  get ready(): boolean {
    return this.ids !== null;
  }

  /** Creates the topic and registers both schemas (again after a failed attempt). */
  prepare(): Promise<void> {
    this.preparing ??= (async () => {
      await this.sink.ensureTopic(this.topic);
      const key = await this.registrar.register(keySubject(this.topic), this.keySchema);
      const value = await this.registrar.register(valueSubject(this.topic), this.valueSchema);
      this.ids = { key, value };
    })();
    this.preparing.catch(() => (this.preparing = null));
    return this.preparing;
  }

  /** The record; prepare() must have resolved. */
  record(key: unknown, value: unknown, partition?: number): SinkRecord {
    const ids = this.ids;
    if (!ids) throw new Error(`topic ${this.topic} used before its schemas were registered`);
    return { topic: this.topic, key: encodeWire(ids.key, this.keyType, key), value: encodeWire(ids.value, this.valueType, value), ...(partition !== undefined ? { partition } : {}) };
  }
}
