import { PgcdcError } from './pgcdc-error.js';

/**
 * Classifies errors from kafkajs and the schema registry client. kafkajs marks its own errors with
 * `retriable`; the registry client carries an HTTP `status`.
 */
export function classifyKafkaError(err: unknown, context: string): PgcdcError {
  if (err instanceof PgcdcError) return err;
  const e = err as { retriable?: boolean; name?: string; message?: string; status?: number; type?: string; code?: string };
  const msg = `${context}: ${e?.message ?? String(err)}`;
  if (e?.type === 'MESSAGE_TOO_LARGE' || /too large/i.test(e?.message ?? '')) {
    return new PgcdcError('sink-permanent', msg, { cause: err, remedy: 'raise the broker/topic max.message.bytes or exclude the column' });
  }
  const transient =
    e?.retriable === true ||
    /KafkaJSConnectionError|KafkaJSNumberOfRetriesExceeded|KafkaJSRequestTimeoutError|KafkaJSBrokerNotFound|KafkaJSLockTimeout/.test(e?.name ?? '') ||
    (typeof e?.status === 'number' && e.status >= 500) ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up/.test(`${e?.code ?? ''} ${e?.message ?? ''}`);
  if (transient) return new PgcdcError('sink-transient', msg, { cause: err, remedy: 'check that Kafka and the schema registry are up; pgcdc retries' });
  return new PgcdcError('sink-permanent', msg, { cause: err });
}
