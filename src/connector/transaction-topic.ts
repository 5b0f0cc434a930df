/**
 * The transaction metadata topic (provide.transaction.metadata): `<topic.prefix>.<topic.transaction>`.
 * prepare() creates the topic and registers Debezium's key and value schemas under
 * `<topic>-key` / `<topic>-value` before streaming starts; encode() then serializes a BEGIN or END
 * record synchronously, so the streaming loop puts it into the same batch as the changes around it
 * and the offset after them is stored only once Kafka acknowledged it too.
 */
import type avro from 'avsc';
import { compileSchema, encodeWire } from '../avro/codec.js';
import { keySubject, valueSubject } from '../events/names.js';
import { TRANSACTION_KEY_SCHEMA, TRANSACTION_VALUE_SCHEMA, type TransactionRecord } from '../events/transaction-schema.js';
import type { RecordSink } from '../kafka/ports.js';
import type { SinkRecord } from '../kafka/sink-record.js';
import type { SchemaRegistrar } from '../registry/schema-registrar.js';

/** What the streaming loop needs to write BEGIN/END records (a fake in unit tests). */
export interface TransactionRecordEncoder {
  encode(r: TransactionRecord): SinkRecord;
}

let keyType: avro.Type | null = null;
let valueType: avro.Type | null = null;

export class TransactionTopic implements TransactionRecordEncoder {
  private ids: { key: number; value: number } | null = null;

  constructor(readonly topic: string) {}

  async prepare(sink: Pick<RecordSink, 'ensureTopic'>, registrar: Pick<SchemaRegistrar, 'register'>): Promise<void> {
    await sink.ensureTopic(this.topic);
    this.ids = {
      key: await registrar.register(keySubject(this.topic), TRANSACTION_KEY_SCHEMA),
      value: await registrar.register(valueSubject(this.topic), TRANSACTION_VALUE_SCHEMA),
    };
  }

  encode(r: TransactionRecord): SinkRecord {
    if (!this.ids) throw new Error(`transaction topic ${this.topic} used before prepare()`);
    keyType ??= compileSchema(TRANSACTION_KEY_SCHEMA);
    valueType ??= compileSchema(TRANSACTION_VALUE_SCHEMA);
    return { topic: this.topic, key: encodeWire(this.ids.key, keyType, r.key), value: encodeWire(this.ids.value, valueType, r.value) };
  }
}
