import { encodeRecordBatch, type BatchMessage, type EncoderClass } from './record-batch-encoder.js';

/** The arguments kafkajs 2.2.4's producer passes to its produce request (protocol/requests/produce/v3). */
export interface ProduceRequestArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: { topic: string; partitions: { partition: number; firstSequence?: number; messages: BatchMessage[] }[] }[];
}

/**
 * The body of a produce request (v3 layout, shared by v3-v7) byte for byte as kafkajs 2.2.4
 * encodes it, each record batch written once and the request assembled with one copy. Null when
 * kafkajs's own encoding must run: compression, or a record of a kind left to stock kafkajs.
 */
export function encodeProduceRequest(args: ProduceRequestArgs, Encoder: EncoderClass): Buffer | null {
  if ((args.compression ?? 0) !== 0) return null;
  const transactionalId = args.transactionalId ?? null;
  const producerId = args.producerId === undefined ? -1 : args.producerId;
  const producerEpoch = args.producerEpoch ?? 0;
  const parts: Buffer[] = [new Encoder(64).writeString(transactionalId).writeInt16(args.acks).writeInt32(args.timeout).writeInt32(args.topicData.length).buffer];
  for (const { topic, partitions } of args.topicData) {
    parts.push(new Encoder(64).writeString(topic).writeInt32(partitions.length).buffer);
    for (const { partition, firstSequence, messages } of partitions) {
      const { firstTimestamp, maxTimestamp, deltas } = timestampsOf(messages);
      const batch = encodeRecordBatch(
        { firstTimestamp, maxTimestamp, producerId, producerEpoch, firstSequence, transactional: !!transactionalId, lastOffsetDelta: messages.length - 1 },
        messages,
        deltas,
        Encoder,
      );
      if (!batch) return null;
      parts.push(new Encoder(8).writeInt32(partition).writeInt32(batch.length).buffer, batch);
    }
  }
  return Buffer.concat(parts);
}

/**
 * First and max timestamp and per-record deltas as kafkajs computes them: its own clock when no
 * message carries a timestamp (every delta 0, the producer's case), else its exact rules (a
 * default sort, so timestamps compare as strings; a message without one counts as now).
 */
function timestampsOf(messages: readonly BatchMessage[]): { firstTimestamp: unknown; maxTimestamp: unknown; deltas: number[] | null } {
  const dateNow = Date.now();
  if (messages.every((m) => m.timestamp == null)) return { firstTimestamp: dateNow, maxTimestamp: dateNow, deltas: null };
  const sorted = messages.map((m) => m.timestamp).filter((t) => t != null).sort();
  const firstTimestamp = sorted[0];
  const deltas = messages.map((m) => ((m.timestamp || dateNow) as number) - (firstTimestamp as number));
  return { firstTimestamp, maxTimestamp: sorted[sorted.length - 1], deltas };
}
