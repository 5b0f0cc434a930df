/** Logical decoding messages (pg_logical_emit_message): which prefixes become `<topic.prefix>.message` events. */
import { keysIn, rules, type ConfigKey } from './definition.js';

const msg = keysIn('Messages');

export const messageKeys: ConfigKey[] = [
  msg('message.prefix.include.list', 'LIST', null, 'MEDIUM', 'Message prefix include list',
    'Comma-separated regular expressions matched (case-insensitively) against the whole prefix of a logical decoding message (pg_logical_emit_message, PostgreSQL 14+); only matching messages become op "m" events on <topic.prefix>.message. All prefixes by default. Cannot be combined with message.prefix.exclude.list.',
    { validate: rules.regexList, width: 'LONG' }),
  msg('message.prefix.exclude.list', 'LIST', null, 'MEDIUM', 'Message prefix exclude list',
    'Comma-separated regular expressions matched (case-insensitively) against the whole prefix of a logical decoding message; matching messages are not emitted. Cannot be combined with message.prefix.include.list.',
    { validate: rules.exclusiveWith('message.prefix.include.list', 'message.prefix.exclude.list'), width: 'LONG' }),
];
