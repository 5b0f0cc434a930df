/** Value representation, snapshots and flow control (batching, queueing, flush cadence). */
import { keysIn, rules, type ConfigKey } from './definition.js';
import { onlyDefault } from './keys-refused.js';

const val = keysIn('Value Representation');
const snap = keysIn('Snapshot');
const flow = keysIn('Flow Control');

const NOT_YET = 'not supported by pgcdc yet';

export const valueKeys: ConfigKey[] = [
  val('decimal.handling.mode', 'STRING', 'precise', 'MEDIUM', 'Decimal handling mode',
    'numeric/decimal/money as precise: Avro decimal bytes; double: double (may lose precision); string: plain text.',
    { allowed: ['precise', 'double', 'string'] }),
  val('binary.handling.mode', 'STRING', 'bytes', 'LOW', 'Binary handling mode',
    'bytea as bytes, or as a base64, base64-url-safe or hex string.',
    { allowed: ['bytes', 'base64', 'base64-url-safe', 'hex'] }),
  val('interval.handling.mode', 'STRING', 'numeric', 'LOW', 'Interval handling mode',
    'interval as numeric: microseconds (io.debezium.time.MicroDuration); string: ISO-8601 P...Y...M...DT...H...M...S.',
    { allowed: ['numeric', 'string'] }),
  val('time.precision.mode', 'STRING', 'adaptive', 'MEDIUM', 'Time precision mode',
    'adaptive: time/timestamp types follow the column precision (ms or us); adaptive_time_microseconds: time always in us.',
    { allowed: ['adaptive', 'adaptive_time_microseconds'], rejected: { connect: NOT_YET } }),
  val('money.fraction.digits', 'INT', 2, 'LOW', 'Money fraction digits', 'Scale of the decimal used for money columns.',
    { validate: rules.range(0, 30) }),
  val('unavailable.value.placeholder', 'STRING', '__debezium_unavailable_value', 'LOW', 'Unavailable value placeholder',
    'Value written for an unchanged TOASTed column whose content logical decoding does not send.'),
  val('hstore.handling.mode', 'STRING', 'json', 'LOW', 'hstore handling mode',
    'hstore as json: a JSON string (io.debezium.data.Json); map: an Avro map of optional strings.', { allowed: ['json', 'map'] }),
  val('include.unknown.datatypes', 'BOOLEAN', false, 'LOW', 'Include unknown data types',
    'Emit columns of types pgcdc cannot map as raw bytes instead of leaving them out.'),
];

export const snapshotKeys: ConfigKey[] = [
  snap('snapshot.mode', 'STRING', 'initial', 'MEDIUM', 'Snapshot mode',
    'initial: snapshot when no offset exists, then stream; initial_only: snapshot then stop; no_data: stream only; always: snapshot on every start; when_needed: snapshot when offsets are missing or the slot cannot resume from them.',
    {
      allowed: ['initial', 'initial_only', 'no_data', 'always', 'when_needed'],
      aliases: { never: 'no_data', exported: 'initial' },
      rejected: { custom: NOT_YET, configuration_based: NOT_YET },
    }),
  snap('snapshot.max.threads', 'INT', 1, 'LOW', 'Snapshot threads', 'Tables snapshotted in parallel.', { validate: rules.range(1) }),
  snap('snapshot.fetch.size', 'INT', 10240, 'LOW', 'Snapshot fetch size', 'Rows fetched per round trip while snapshotting a table.',
    { validate: rules.range(1) }),
  snap('snapshot.chunk.rows', 'INT', 100000, 'LOW', 'Snapshot chunk rows',
    'pgcdc: about how many rows one snapshot chunk (a range of heap blocks) holds; chunks of one table are read in parallel and are the unit a restarted snapshot resumes from.',
    { validate: rules.range(1) }),
  snap('snapshot.chunk.max.bytes', 'LONG', 64 * 1024 * 1024, 'LOW', 'Snapshot chunk bytes',
    'pgcdc: about how many bytes of table data (TOAST included, from the table\'s size statistics) one snapshot chunk holds at most, so chunks of tables with large values stay short; the smaller of this and snapshot.chunk.rows decides.',
    { validate: rules.range(1) }),
  snap('snapshot.include.collection.list', 'LIST', null, 'LOW', 'Snapshot table list',
    'Regular expressions (whole schema.table) restricting which captured tables the initial snapshot reads; empty = all.',
    { validate: rules.regexList, width: 'LONG' }),
  snap('signal.data.collection', 'STRING', null, 'LOW', 'Signal table',
    'schema.table of the signalling table used for ad hoc incremental snapshots.',
    { validate: (v) => (typeof v === 'string' && !/^[^.\s]+\.[^.\s]+$/.test(v.trim()) ? 'must be schema.table' : undefined) }),
  snap('incremental.snapshot.chunk.size', 'INT', 1024, 'LOW', 'Incremental snapshot chunk size',
    'Rows read per chunk of an incremental snapshot.', { validate: rules.range(1) }),
];

export const flowKeys: ConfigKey[] = [
  flow('max.batch.size', 'INT', 2048, 'MEDIUM', 'Max batch size', 'Maximum records handed to the Kafka producer per batch.',
    { validate: rules.range(1) }),
  flow('max.queue.size', 'INT', 8192, 'MEDIUM', 'Max queue size',
    'Records buffered between the replication stream and Kafka; reading pauses when full. Must exceed max.batch.size.',
    {
      validate: (v, all) => {
        const batch = all['max.batch.size'];
        if (typeof v === 'number' && typeof batch === 'number' && v <= batch) {
          return `must be greater than max.batch.size (${batch}); raise max.queue.size or lower max.batch.size`;
        }
        return rules.range(1)(v);
      },
    }),
  flow('max.queue.size.in.bytes', 'LONG', 0, 'LOW', 'Max queue size (bytes)',
    'Debezium: a byte bound of the queue. pgcdc bounds its queue by max.queue.size only, so only 0 (no byte bound) is accepted.',
    { validate: onlyDefault(0, 'the queue is bounded by max.queue.size (records) only; set 0', rules.range(0) as (v: unknown) => string | undefined) }),
  flow('poll.interval.ms', 'LONG', 500, 'LOW', 'Poll interval (ms)',
    'Longest wait for new records before a partial batch is sent. pgcdc never holds a partial batch back (it sends as soon as the stream has nothing more ready), so this upper bound always holds.',
    { validate: rules.range(1) }),
  flow('status.update.interval.ms', 'INT', 10000, 'LOW', 'Status update interval (ms)',
    'How often a standby status update (keepalive with the flushed LSN) is sent to the server.', { validate: rules.range(1) }),
  flow('offset.flush.interval.ms', 'LONG', 1000, 'MEDIUM', 'Offset flush interval (ms)',
    `How often the stored offset and the slot's confirmed LSN advance to what Kafka has acknowledged (pgcdc default 1000; Kafka Connect's is 60000).`,
    { validate: rules.range(1) }),
];
