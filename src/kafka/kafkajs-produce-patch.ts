import { createRequire } from 'node:module';
import { encodeRecordBatch, PendingRecord, type EncoderClass, type RecordBatchArgs } from './record-batch-encoder.js';

/**
 * Installs pgcdc's record batch encoder into kafkajs's produce path. Stock kafkajs 2.2.4 builds a
 * new Encoder (512-byte buffer) per record and per header, varints through small Buffers and Long
 * arithmetic, copies the batch several times and computes CRC-32C a byte at a time: about a third
 * of the worker's CPU when streaming. The replacement writes the same bytes in one allocation.
 *
 * It replaces two internal modules, so it is tied to the exact version whose output it reproduces
 * (test/unit/record-batch-encoder.test.ts compares bytes with stock kafkajs): any other version
 * keeps stock kafkajs. It must run before kafkajs loads its produce request module (the first send).
 */
export const PATCHED_KAFKAJS_VERSION = '2.2.4';

const require = createRequire(import.meta.url);
const RECORD_MODULE = 'kafkajs/src/protocol/recordBatch/record/v0';
const BATCH_MODULE = 'kafkajs/src/protocol/recordBatch/v0';
const REQUEST_MODULE = 'kafkajs/src/protocol/requests/produce/v3/request';
const ENCODER_MODULE = 'kafkajs/src/protocol/encoder';

type RecordFn = (args: Record<string, unknown>) => unknown;
type BatchFn = (args: RecordBatchArgs) => Promise<unknown>;

let installed = false;

/**
 * Returns whether the encoder is in place; `version` stands for the loaded kafkajs version (tests),
 * `warn` receives why it is not.
 */
export function installRecordBatchEncoder(warn: (message: string) => void, version = loadedKafkajsVersion()): boolean {
  if (version !== PATCHED_KAFKAJS_VERSION) {
    warn(`kafkajs ${version} is loaded, not ${PATCHED_KAFKAJS_VERSION}: producing with stock kafkajs record encoding (slower)`);
    return false;
  }
  if (installed) return true;
  if (require.cache[require.resolve(REQUEST_MODULE)]) {
    warn('kafkajs produce requests were loaded before the record batch encoder: producing with stock kafkajs record encoding');
    return false;
  }
  const Encoder = require(ENCODER_MODULE) as EncoderClass;
  const recordModule = require.cache[require.resolve(RECORD_MODULE)] ?? (require(RECORD_MODULE), require.cache[require.resolve(RECORD_MODULE)]!);
  const stockRecord = recordModule.exports as RecordFn;
  const batchExports = require(BATCH_MODULE) as { RecordBatch: BatchFn };
  const stockBatch = batchExports.RecordBatch;

  recordModule.exports = (args: Record<string, unknown>) =>
    new PendingRecord(args.key, args.value, args.headers, (args.offsetDelta as number | undefined) ?? 0, (args.timestampDelta as number | undefined) ?? 0);
  batchExports.RecordBatch = async (args: RecordBatchArgs) => {
    const records = (args.records ?? []) as PendingRecord[];
    const fast = (args.compression ?? 0) === 0 ? encodeRecordBatch(args, records, Encoder) : null;
    if (fast) {
      const encoder = new Encoder(1);
      encoder.buf = fast;
      encoder.offset = fast.length;
      return encoder;
    }
    // Compressed batches and unusual records: stock kafkajs, from the same record fields.
    return stockBatch({ ...args, records: records.map((r) => stockRecord({ key: r.key, value: r.value, headers: r.headers, offsetDelta: r.offsetDelta, timestampDelta: r.timestampDelta })) });
  };
  installed = true;
  return true;
}

function loadedKafkajsVersion(): string {
  return (require('kafkajs/package.json') as { version: string }).version;
}
