import { createRequire } from 'node:module';
import { encodeProduceRequest, type ProduceRequestArgs } from './produce-request-encoder.js';
import type { EncoderClass, KafkajsEncoder } from './record-batch-encoder.js';

/**
 * Installs pgcdc's produce request encoding into kafkajs. Stock kafkajs 2.2.4 builds a new Encoder
 * (512-byte buffer) per record and per header, varints through small Buffers and `Long`
 * arithmetic, copies each batch several times and computes CRC-32C a byte at a time: about a third
 * of the worker's CPU when streaming. The replacement writes the same bytes with one buffer per
 * record batch and one copy into the request.
 *
 * It swaps the encode step of kafkajs's internal produce request module (v3; v4-v7 reuse it), so it
 * is tied to the exact version whose bytes it reproduces (test/unit/record-batch-encoder.test.ts
 * compares them with stock kafkajs): any other version keeps stock kafkajs. It must run before
 * kafkajs loads that module (on the first send); compressed batches keep kafkajs's own encoding.
 */
export const PATCHED_KAFKAJS_VERSION = '2.2.4';

const require = createRequire(import.meta.url);
const REQUEST_MODULE = 'kafkajs/src/protocol/requests/produce/v3/request';
const ENCODER_MODULE = 'kafkajs/src/protocol/encoder';

type ProduceRequest = (args: ProduceRequestArgs) => { encode: () => Promise<KafkajsEncoder> };

let installed = false;

/**
 * Returns whether the encoding is in place; `version` stands for the loaded kafkajs version (tests),
 * `warn` receives why it is not.
 */
export function installRecordBatchEncoder(warn: (message: string) => void, version = loadedKafkajsVersion()): boolean {
  if (version !== PATCHED_KAFKAJS_VERSION) {
    warn(`kafkajs ${version} is loaded, not ${PATCHED_KAFKAJS_VERSION}: producing with stock kafkajs record encoding (slower)`);
    return false;
  }
  if (installed) return true;
  const path = require.resolve(REQUEST_MODULE);
  if (require.cache[path]) {
    warn('kafkajs produce requests were loaded before the record batch encoder: producing with stock kafkajs record encoding');
    return false;
  }
  const Encoder = require(ENCODER_MODULE) as EncoderClass;
  const stockRequest = require(REQUEST_MODULE) as ProduceRequest;
  require.cache[path]!.exports = (args: ProduceRequestArgs) => {
    const request = stockRequest(args);
    const stockEncode = request.encode;
    request.encode = async () => {
      const body = encodeProduceRequest(args, Encoder);
      if (!body) return stockEncode();
      const encoder = new Encoder(1);
      encoder.buf = body;
      encoder.offset = body.length;
      return encoder;
    };
    return request;
  };
  installed = true;
  return true;
}

function loadedKafkajsVersion(): string {
  return (require('kafkajs/package.json') as { version: string }).version;
}
