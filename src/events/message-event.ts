/**
 * Debezium's logical decoding message event (io.debezium.connector.postgresql.LogicalDecodingMessageMonitor,
 * schemas from PostgresSchemaFactory): topic `<topic.prefix>.message`, key
 * `io.debezium.connector.postgresql.MessageKey` {prefix}, value `io.debezium.connector.postgresql.MessageValue`
 * {op: "m", ts_ms, source, transaction, message: {prefix, content}}, content as binary.handling.mode
 * says (bytes, or base64 / base64-url-safe / hex text). The source block has empty schema and table,
 * the transaction's txId and commit time (a non-transactional message: no txId, the last commit
 * time seen, as Debezium leaves it) and the message's LSN. Pure: no I/O.
 */
import type { LogicalMessage } from '../decoding/messages.js';
import type { Lsn } from '../postgres/lsn.js';
import type { ConversionOptions } from '../types/mapping.js';
import { base64UrlPadded } from '../types/text/binary.js';
import { formatLsnDecimal } from './sequence.js';
import { SOURCE_SCHEMA, TRANSACTION_BLOCK_SCHEMA, type SourceBlock } from './source-schema.js';

type BinaryMode = ConversionOptions['binaryHandlingMode'];

const NS = 'io.debezium.connector.postgresql';
const optional = (type: unknown) => ({ type: ['null', type], default: null });

export function messageTopic(topicPrefix: string): string {
  return `${topicPrefix}.message`;
}

export const MESSAGE_KEY_SCHEMA = {
  type: 'record',
  name: 'MessageKey',
  namespace: NS,
  fields: [{ name: 'prefix', ...optional('string') }],
  'connect.version': 1,
  'connect.name': `${NS}.MessageKey`,
};

export function messageValueSchema(binaryMode: BinaryMode): Record<string, unknown> {
  return {
    type: 'record',
    name: 'MessageValue',
    namespace: NS,
    fields: [
      { name: 'op', type: 'string' },
      { name: 'ts_ms', ...optional('long') },
      { name: 'source', type: SOURCE_SCHEMA },
      { name: 'transaction', ...optional(TRANSACTION_BLOCK_SCHEMA) },
      {
        name: 'message',
        type: {
          type: 'record',
          name: 'Message',
          namespace: NS,
          fields: [
            { name: 'prefix', ...optional('string') },
            { name: 'content', ...optional(binaryMode === 'bytes' ? 'bytes' : 'string') },
          ],
          'connect.version': 1,
          'connect.name': `${NS}.Message`,
        },
      },
    ],
    'connect.version': 1,
    'connect.name': `${NS}.MessageValue`,
  };
}

export interface MessageEventOptions {
  connectorVersion: string;
  serverName: string;
  database: string;
  binaryHandlingMode: BinaryMode;
}

/** Where the message stands: its transaction (null for a non-transactional message) and the time to report. */
export interface MessagePosition {
  txId: number | null;
  /** the transaction's commit time, or for a non-transactional message the last one seen (null: none yet) */
  commitTimeUs: bigint | null;
  previousCommitLsn: Lsn | null;
}

export interface MessageEvent {
  key: { prefix: string };
  value: {
    op: 'm';
    ts_ms: number;
    source: SourceBlock;
    transaction: null;
    message: { prefix: string; content: Buffer | string };
  };
}

export function encodeContent(content: Buffer, mode: BinaryMode): Buffer | string {
  switch (mode) {
    case 'base64':
      return content.toString('base64');
    case 'base64-url-safe':
      return base64UrlPadded(content);
    case 'hex':
      return content.toString('hex');
    default:
      return content;
  }
}

export function messageEvent(opts: MessageEventOptions, m: LogicalMessage, at: MessagePosition, nowMs: number): MessageEvent {
  const us = at.commitTimeUs ?? BigInt(nowMs) * 1000n;
  const source: SourceBlock = {
    version: opts.connectorVersion,
    connector: 'postgresql',
    name: opts.serverName,
    ts_ms: Number(us / 1000n),
    snapshot: 'false',
    db: opts.database,
    sequence: `[${at.previousCommitLsn === null ? 'null' : `"${formatLsnDecimal(at.previousCommitLsn)}"`},"${formatLsnDecimal(m.lsn)}"]`,
    ts_us: Number(us),
    ts_ns: us * 1000n,
    schema: '',
    table: '',
    txId: at.txId,
    lsn: m.lsn,
    xmin: null,
    origin: null,
    origin_lsn: null,
  };
  return {
    key: { prefix: m.prefix },
    value: { op: 'm', ts_ms: nowMs, source, transaction: null, message: { prefix: m.prefix, content: encodeContent(m.content, opts.binaryHandlingMode) } },
  };
}
