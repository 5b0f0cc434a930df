import { PgcdcError } from './pgcdc-error.js';

/** What was being produced when a produce request failed; lets a too-large rejection name its cause. */
export interface ProduceRequestInfo {
  /** the distinct topics of the request's records */
  topics: string[];
  records: number;
  /** key + value + header bytes of the request's records (for one record: that record's size) */
  bytes: number;
  /** of a single record: its key and value sizes */
  keyBytes?: number;
  valueBytes?: number;
}

interface ErrorLike {
  retriable?: boolean;
  name?: string;
  message?: string;
  status?: number;
  type?: string;
  code?: string;
  cause?: unknown;
}

/** kafkajs wraps protocol errors (KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded); the broker's error type sits on a cause. */
function protocolErrorType(err: unknown): string | undefined {
  let e = err as ErrorLike | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++, e = e.cause as ErrorLike | undefined) {
    if (typeof e.type === 'string') return e.type;
  }
  return undefined;
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const quoteList = (names: string[]): string => names.map((n) => `"${n}"`).join(', ');

/**
 * Classifies errors from kafkajs and the schema registry client. kafkajs marks its own errors with
 * `retriable`; the registry client carries an HTTP `status`. `produce` describes the request when
 * the error came from producing records.
 */
export function classifyKafkaError(err: unknown, context: string, produce?: ProduceRequestInfo): PgcdcError {
  if (err instanceof PgcdcError) return err;
  const e = err as ErrorLike | undefined;
  const msg = `${context}: ${e?.message ?? String(err)}`;
  const type = protocolErrorType(err);
  if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE' || /too large|TooLarge/i.test(`${e?.name ?? ''} ${e?.message ?? ''}`)) {
    if (produce && produce.records > 1) {
      // pgcdc splits batches into requests well below Kafka's 1 MiB default, so no single column is to blame.
      return new PgcdcError('sink-permanent', `${msg} (a request of ${fmt(produce.records)} records, ${fmt(produce.bytes)} bytes, to ${quoteList(produce.topics)})`, {
        cause: err,
        remedy: `the topic's max.message.bytes (or the broker's message.max.bytes) is below pgcdc's produce request size; raise it to at least 1 MiB (1048588, Kafka's default)`,
      });
    }
    const record = produce
      ? `: one record of ${fmt(produce.bytes)} bytes${produce.valueBytes !== undefined ? ` (key ${fmt(produce.keyBytes ?? 0)}, value ${fmt(produce.valueBytes)})` : ''} to topic ${quoteList(produce.topics)}`
      : '';
    return new PgcdcError('sink-permanent', `${context}${record}: ${e?.message ?? String(err)}`, {
      cause: err,
      // pgcdc refuses records over producer.override.max.request.size before sending (naming table,
      // key and LSN); a record rejected here means the topic's limit is below that setting.
      remedy: "raise the broker/topic max.message.bytes or exclude the column; keep producer.override.max.request.size at most the topic's max.message.bytes so pgcdc's own check (or errors.tolerance=all) catches such changes",
    });
  }
  const transient =
    e?.retriable === true ||
    /KafkaJSConnectionError|KafkaJSNumberOfRetriesExceeded|KafkaJSRequestTimeoutError|KafkaJSBrokerNotFound|KafkaJSLockTimeout/.test(e?.name ?? '') ||
    (typeof e?.status === 'number' && e.status >= 500) ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up/.test(`${e?.code ?? ''} ${e?.message ?? ''}`);
  if (transient) return new PgcdcError('sink-transient', msg, { cause: err, remedy: 'check that Kafka and the schema registry are up; pgcdc retries' });
  return new PgcdcError('sink-permanent', msg, { cause: err });
}
