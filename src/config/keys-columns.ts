/**
 * Debezium's column mapping keys, whose names carry a parameter (so they cannot be declared once):
 *   column.truncate.to.<N>.chars                       N >= 1
 *   column.mask.with.<N>.chars                         N >= 0
 *   column.mask.hash.<algorithm>.with.salt.<salt>      hashing strategy V1
 *   column.mask.hash.v2.<algorithm>.with.salt.<salt>   hashing strategy V2
 * Each value is a comma-separated list of regular expressions matched, case-insensitively, against
 * the whole `<schema>.<table>.<column>`. A malformed name under column.mask.* / column.truncate.* is
 * refused naming it: a mask that silently did nothing would send the column in clear.
 */
import { rawToString, rules, splitList } from './definition.js';

export type ColumnRule =
  | { kind: 'truncate'; key: string; patterns: string[]; length: number }
  | { kind: 'mask'; key: string; patterns: string[]; length: number }
  | { kind: 'hash'; key: string; patterns: string[]; algorithm: string; salt: string; version: 1 | 2 };

/** Java MessageDigest names (case-insensitive, with the SUN provider's aliases) → Node's digest names. */
export const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  md5: 'md5',
  sha: 'sha1', sha1: 'sha1', 'sha-1': 'sha1',
  'sha-224': 'sha224', sha224: 'sha224',
  'sha-256': 'sha256', sha256: 'sha256',
  'sha-384': 'sha384', sha384: 'sha384',
  'sha-512': 'sha512', sha512: 'sha512',
  'sha-512/224': 'sha512-224', 'sha-512/256': 'sha512-256',
  'sha3-224': 'sha3-224', 'sha3-256': 'sha3-256', 'sha3-384': 'sha3-384', 'sha3-512': 'sha3-512',
};

export const COLUMN_RULE_PREFIXES = ['column.mask.', 'column.truncate.'] as const;

export function isColumnRuleKey(name: string): boolean {
  return COLUMN_RULE_PREFIXES.some((p) => name.startsWith(p));
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Parsed = { rule: DistributiveOmit<ColumnRule, 'patterns' | 'key'> } | { error: string };

function parseName(name: string): Parsed {
  let m = /^column\.truncate\.to\.(\d+)\.chars$/.exec(name);
  if (m) {
    const length = Number(m[1]);
    return length >= 1 && length < 2 ** 31 ? { rule: { kind: 'truncate', length } } : { error: 'the length must be between 1 and 2147483647' };
  }
  m = /^column\.mask\.with\.(\d+)\.chars$/.exec(name);
  if (m) {
    const length = Number(m[1]);
    return length <= 10_000 ? { rule: { kind: 'mask', length } } : { error: 'the mask length must be between 0 and 10000' };
  }
  m = /^column\.mask\.hash\.(v2\.)?([^.]+)\.with\.salt\.(.+)$/s.exec(name);
  if (m) {
    const algorithm = HASH_ALGORITHMS[m[2]!.toLowerCase()];
    if (!algorithm) return { error: `unknown hash algorithm "${m[2]}" (supported: MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512, SHA-512/224, SHA-512/256, SHA3-224, SHA3-256, SHA3-384, SHA3-512)` };
    return { rule: { kind: 'hash', algorithm, salt: m[3]!, version: m[1] ? 2 : 1 } };
  }
  return {
    error: 'not a column mapping pgcdc knows; expected column.truncate.to.<N>.chars, column.mask.with.<N>.chars, column.mask.hash.<algorithm>.with.salt.<salt> or column.mask.hash.v2.<algorithm>.with.salt.<salt>',
  };
}

/** Every column rule of a raw config, or the errors (each naming its key). */
export function parseColumnRules(raw: Readonly<Record<string, unknown>>): { rules: ColumnRule[]; errors: { key: string; message: string }[] } {
  const out: ColumnRule[] = [];
  const errors: { key: string; message: string }[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (!isColumnRuleKey(key)) continue;
    const parsed = parseName(key);
    if ('error' in parsed) {
      errors.push({ key, message: `Configuration ${key}: ${parsed.error}` });
      continue;
    }
    const { text, error } = rawToString(value);
    if (error !== undefined) {
      errors.push({ key, message: `Invalid value for configuration ${key}: ${error}` });
      continue;
    }
    const patterns = splitList(text ?? '');
    const bad = rules.regexList(patterns);
    if (bad !== undefined) {
      errors.push({ key, message: `Invalid value for configuration ${key}: ${bad}` });
      continue;
    }
    if (patterns.length > 0) out.push({ ...parsed.rule, key, patterns } as ColumnRule);
  }
  return { rules: out, errors };
}
