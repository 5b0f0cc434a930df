import { PgcdcError } from './pgcdc-error.js';
import { kafkaSecurityHint } from './kafka-security-hint.js';

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
  /** @platformatic/kafka: whether the library would retry it (false on a permanent broker answer) */
  canRetry?: boolean;
  name?: string;
  message?: string;
  status?: number;
  /** @platformatic/kafka: the broker's error name (ProtocolError) */
  apiId?: string;
  code?: string;
  cause?: unknown;
  /** @platformatic/kafka's MultipleErrors (an AggregateError): each attempt's or each broker's error */
  errors?: unknown[];
}

/** The broker's error name (MESSAGE_TOO_LARGE, ...) on the error or anywhere below it. */
function protocolErrorTypes(err: unknown): string[] {
  const types: string[] = [];
  const visit = (x: unknown, depth: number): void => {
    const e = x as ErrorLike | undefined;
    if (!e || typeof e !== 'object' || depth > 6) return;
    if (typeof e.apiId === 'string') types.push(e.apiId);
    if (Array.isArray(e.errors)) for (const n of e.errors) visit(n, depth + 1);
    if (e.cause !== undefined) visit(e.cause, depth + 1);
  };
  visit(err, 0);
  return types;
}

/** Retriable failures: connection, leadership, timeouts, an unavailable cluster or registry. */
function isTransient(e: ErrorLike): boolean {
  return (
    e.canRetry === true ||
    e.code === 'PLT_KFK_NETWORK' ||
    e.code === 'PLT_KFK_TIMEOUT' ||
    (typeof e.status === 'number' && e.status >= 500) ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|socket hang up/.test(`${e.code ?? ''} ${e.message ?? ''}`)
  );
}

/** An error's message followed by its causes' ("Connection to ... failed: connect ECONNREFUSED"). */
function chainMessage(e: ErrorLike, depth = 0): string {
  const cause = e.cause as ErrorLike | undefined;
  const own = e.message ?? String(e);
  return cause && typeof cause === 'object' && depth < 4 && cause.message && !own.includes(cause.message) ? `${own}: ${chainMessage(cause, depth + 1)}` : own;
}

/** An error and its causes, outermost first. */
function causeChain(e: ErrorLike): ErrorLike[] {
  const chain: ErrorLike[] = [];
  for (let c: ErrorLike | undefined = e; c && typeof c === 'object' && chain.length < 6; c = c.cause as ErrorLike | undefined) chain.push(c);
  return chain;
}

/** The errors a MultipleErrors gathers (each attempt's, each broker's), without the wrappers. */
function gathered(err: unknown, depth = 0, out: ErrorLike[] = []): ErrorLike[] {
  const e = err as ErrorLike | undefined;
  if (!e || typeof e !== 'object' || depth > 6 || out.length > 50) return out;
  if (Array.isArray(e.errors) && e.errors.length > 0) for (const n of e.errors) gathered(n, depth + 1, out);
  else out.push(e);
  return out;
}

/** The message with what its wrappers hide ("produce failed 3 times." says nothing of why). */
function describe(err: unknown): string {
  const e = err as ErrorLike | undefined;
  const top = e?.message ?? String(err);
  if (!e || typeof e !== 'object' || !Array.isArray(e.errors)) return e && typeof e === 'object' ? chainMessage(e) : top;
  const below = [...new Set(gathered(err).map((g) => chainMessage(g)))].slice(0, 3);
  return below.length > 0 ? `${top} (${below.join('; ')})` : top;
}

/**
 * A PgcdcError the client library carries inside its own (the OAUTHBEARER token provider's, already
 * classified where it entered: src/errors/classify-oauth.ts), searched through causes and MultipleErrors.
 */
function innerPgcdcError(err: unknown, depth = 0): PgcdcError | undefined {
  const e = err as ErrorLike | undefined;
  if (!e || typeof e !== 'object' || depth > 6) return undefined;
  if (err instanceof PgcdcError) return err;
  for (const n of Array.isArray(e.errors) ? e.errors : []) {
    const found = innerPgcdcError(n, depth + 1);
    if (found) return found;
  }
  return e.cause !== undefined ? innerPgcdcError(e.cause, depth + 1) : undefined;
}

/** Broker answers about a transactional producer's state, not about the records. */
const TRANSACTION_STATE_ERRORS = new Set([
  'PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'INVALID_TXN_STATE', 'OUT_OF_ORDER_SEQUENCE_NUMBER', 'INVALID_PRODUCER_ID_MAPPING',
  'CONCURRENT_TRANSACTIONS', 'TRANSACTION_ABORTABLE', 'TRANSACTIONAL_ID_NOT_FOUND', 'UNKNOWN_PRODUCER_ID',
]);

const fmt = (n: number): string => n.toLocaleString('en-US');
const quoteList = (names: string[]): string => names.map((n) => `"${n}"`).join(', ');

/**
 * Classifies errors from @platformatic/kafka (pgcdc's Kafka client) and the schema registry
 * client. @platformatic/kafka marks errors with `canRetry` and a `code` (PLT_KFK_NETWORK,
 * PLT_KFK_TIMEOUT, ...); the registry client carries an HTTP `status`. An error made of several (retries, brokers) is retriable only if every one is.
 * `produce` describes the request when the error came from producing records.
 */
export function classifyKafkaError(err: unknown, context: string, produce?: ProduceRequestInfo): PgcdcError {
  if (err instanceof PgcdcError) return err;
  const inner = innerPgcdcError(err);
  if (inner) return new PgcdcError(inner.kind, `${context}: ${inner.message}`, { cause: err, retriable: inner.retriable, ...(inner.remedy ? { remedy: inner.remedy } : {}) });
  const e = err as ErrorLike | undefined;
  const detail = describe(err);
  const msg = `${context}: ${detail}`;
  const types = protocolErrorTypes(err);
  if (types.includes('MESSAGE_TOO_LARGE') || types.includes('RECORD_LIST_TOO_LARGE') || /too large|TooLarge/i.test(`${e?.name ?? ''} ${e?.message ?? ''}`)) {
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
    return new PgcdcError('sink-permanent', `${context}${record}: ${detail}`, {
      cause: err,
      // pgcdc refuses records over producer.override.max.request.size before sending (naming table,
      // key and LSN); a record rejected here means the topic's limit is below that setting.
      remedy: "raise the broker/topic max.message.bytes or exclude the column; keep producer.override.max.request.size at most the topic's max.message.bytes so pgcdc's own check (or errors.tolerance=all) catches such changes",
    });
  }
  // Exactly-once: a transaction the broker no longer accepts (fenced, timed out, out of sequence) is
  // healed by the restart it causes: a new producer fences this one, aborts the transaction and the
  // run resumes from the last committed offset.
  if (types.some((t) => TRANSACTION_STATE_ERRORS.has(t))) {
    return new PgcdcError('sink-transient', msg, { cause: err, remedy: 'the connector\'s Kafka transaction was aborted; the run restarts from the last committed offset (if it repeats, check that no other worker runs this connector: its transactional.id is pgcdc-<connector name>)' });
  }
  // Security refusals do not heal by retrying: the operator fixes a worker setting, named here.
  const hint = kafkaSecurityHint(detail);
  if (hint) return new PgcdcError('sink-permanent', `${msg}; ${hint}`, { cause: err, remedy: hint });
  // Retriable only if every attempt/broker failed retriably; a permanent answer anywhere
  // (canRetry false: authorization, invalid config, ...) makes it permanent.
  const attempts = gathered(err).map(causeChain);
  const transient = attempts.length > 0 && attempts.every((chain) => chain.some(isTransient) && !chain.some((c) => c.canRetry === false));
  if (transient) return new PgcdcError('sink-transient', msg, { cause: err, remedy: 'check that Kafka and the schema registry are up; pgcdc retries' });
  return new PgcdcError('sink-permanent', msg, { cause: err });
}
