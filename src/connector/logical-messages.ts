/**
 * Logical decoding messages (pg_logical_emit_message) as Debezium's op "m" events on
 * `<topic.prefix>.message`: filtered by prefix (message.prefix.include.list / exclude.list), built
 * by events/message-event.ts, written through a FixedSchemaTopic prepared with the first message.
 */
import type { LogicalMessage } from '../decoding/messages.js';
import { MESSAGE_KEY_SCHEMA, messageEvent, messageTopic, messageValueSchema, type MessageEventOptions, type MessagePosition } from '../events/message-event.js';
import type { RecordSink } from '../kafka/ports.js';
import type { SinkRecord } from '../kafka/sink-record.js';
import type { SchemaRegistrar } from '../registry/schema-registrar.js';
import { FixedSchemaTopic } from './fixed-schema-topic.js';

export class LogicalMessages {
  private readonly topic: FixedSchemaTopic;

  constructor(
    topicPrefix: string,
    private readonly opts: MessageEventOptions,
    readonly included: (prefix: string) => boolean,
    sink: RecordSink,
    registrar: SchemaRegistrar,
  ) {
    this.topic = new FixedSchemaTopic(messageTopic(topicPrefix), MESSAGE_KEY_SCHEMA, messageValueSchema(opts.binaryHandlingMode), sink, registrar);
  }

  /** The record of an included message (creating the topic and registering its schemas the first time). */
  async record(m: LogicalMessage, at: MessagePosition): Promise<SinkRecord> {
    if (!this.topic.ready) await this.topic.prepare();
    const e = messageEvent(this.opts, m, at, Date.now());
    // like Debezium's LogicalDecodingMessageMonitor: no extended (__debezium.context.*) headers
    return this.topic.record(e.key, e.value);
  }
}
