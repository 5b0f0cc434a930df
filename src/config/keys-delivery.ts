/**
 * Exactly-once delivery (Kafka Connect's KIP-618 keys). Under exactly.once.support=required a
 * connector writes its records and its source offset in one Kafka transaction per boundary, so a
 * consumer with isolation.level=read_committed sees every change once across crashes
 * (src/kafka/sink-transaction.ts, src/offsets/transactional-offsets.ts).
 */
import { keysIn, rules, type ConfigKey, type ConfigValue, type ParsedValues } from './definition.js';

const eos = keysIn('Exactly Once');

export const TRANSACTION_BOUNDARIES = ['poll', 'interval'] as const;
export type TransactionBoundary = (typeof TRANSACTION_BOUNDARIES)[number];

/** transaction.boundary.interval.ms means something only with transaction.boundary=interval. */
function intervalProblem(v: ConfigValue, all: ParsedValues): string | undefined {
  if (v === null || v === '') return undefined;
  if (all['transaction.boundary'] !== 'interval') return `applies only to transaction.boundary=interval (it is ${String(all['transaction.boundary'])}); remove it`;
  return rules.range(1)(v);
}

export const deliveryKeys: ConfigKey[] = [
  eos('exactly.once.support', 'STRING', 'requested', 'MEDIUM', 'Exactly-once support',
    'required: records and the source offset are written in one Kafka transaction (transactional.id pgcdc-<connector name>), and the LSN is confirmed only after it committed; consumers must read with isolation.level=read_committed. requested (default): at-least-once, as without Kafka Connect\'s exactly.once.source.support.',
    { allowed: ['requested', 'required'] }),
  eos('transaction.boundary', 'STRING', 'poll', 'LOW', 'Transaction boundary',
    'Under exactly.once.support=required: poll commits a transaction after each delivered batch (at most max.batch.size records); interval commits every transaction.boundary.interval.ms. Kafka Connect\'s "connector" boundary is not offered.',
    { allowed: [...TRANSACTION_BOUNDARIES],
      validate: (v, all) => (v === 'interval' && all['exactly.once.support'] !== 'required' ? 'applies only to exactly.once.support=required (at-least-once delivery writes no transactions); remove it' : undefined) }),
  eos('transaction.boundary.interval.ms', 'LONG', null, 'LOW', 'Transaction interval (ms)',
    'With transaction.boundary=interval: how often the open transaction commits; default offset.flush.interval.ms.',
    { validate: intervalProblem }),
];
