/**
 * Debezium's column mappers for column.truncate.to.<N>.chars, column.mask.with.<N>.chars and
 * column.mask.hash[.v2].<algorithm>.with.salt.<salt> (config/keys-columns.ts parses the keys):
 * - truncate: string values longer than N characters (UTF-16 units, as Java counts) are cut to N;
 *   the field gets the schema parameter truncateLength=N. A column declared no longer than N is
 *   left alone, as Debezium does.
 * - mask: every value, null included, becomes N '*' characters; parameter masked=true.
 * - hash: the hex of digest(salt + bytes), cut to the column's declared length (varchar(n), char(n));
 *   null stays null; parameter masked=true. Bytes: V1 = Java's serialization of the String (what
 *   Debezium's ObjectOutputStream produces), V2 = its UTF-8 bytes.
 * Debezium applies these to character columns only and passes any other column through in clear;
 * pgcdc refuses a mask or hash rule that matches a non-character column instead (a privacy leak
 * otherwise), and refuses a column matched by two rules (Debezium would apply only the first).
 */
import { createHash } from 'node:crypto';
import type { ColumnRule } from '../config/keys-columns.js';
import { compilePattern } from '../config/filters.js';
import { PgcdcError } from '../errors/pgcdc-error.js';
import type { AvroSchema } from '../types/mapping.js';

/** text, varchar, bpchar, "char", name: what Debezium's JDBC types CHAR/VARCHAR cover in PostgreSQL. */
const CHARACTER_OIDS = new Set([25, 1043, 1042, 18, 19]);
const BOUNDED_OIDS = new Set([1043, 1042]);

export interface CompiledColumnRule {
  rule: ColumnRule;
  matches(id: string): boolean;
}

export function compileColumnRules(rules: readonly ColumnRule[]): CompiledColumnRule[] {
  return rules.map((rule) => {
    const patterns = rule.patterns.map(compilePattern);
    return { rule, matches: (id: string) => patterns.some((p) => p.test(id)) };
  });
}

/** How one column's values and schema change. */
export interface ColumnTransform {
  /** the rule's key, for messages */
  key: string;
  apply(value: unknown): unknown;
  schema(schema: AvroSchema): AvroSchema;
}

/** The declared length of varchar(n)/char(n), or -1 when unbounded. */
function declaredLength(typeOid: number, typeMod: number): number {
  return BOUNDED_OIDS.has(typeOid) && typeMod >= 4 ? typeMod - 4 : -1;
}

function withParameter(schema: AvroSchema, name: string, value: string): AvroSchema {
  const base = typeof schema === 'string' ? { type: schema } : (schema as Record<string, unknown>);
  const params = { ...((base['connect.parameters'] as Record<string, string> | undefined) ?? {}), [name]: value };
  return { ...base, 'connect.parameters': params };
}

/** Java's modified UTF-8 (DataOutput.writeUTF): NUL as C0 80, each UTF-16 unit on its own. */
function modifiedUtf8(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x01 && c <= 0x7f) out.push(c);
    else if (c <= 0x7ff) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Buffer.from(out);
}

/** ObjectOutputStream.writeObject(aString): stream header, then TC_STRING or TC_LONGSTRING. */
export function javaSerializedString(s: string): Buffer {
  const utf = modifiedUtf8(s);
  const head = Buffer.from([0xac, 0xed, 0x00, 0x05]);
  if (utf.length <= 0xffff) {
    const len = Buffer.alloc(3);
    len[0] = 0x74;
    len.writeUInt16BE(utf.length, 1);
    return Buffer.concat([head, len, utf]);
  }
  const len = Buffer.alloc(9);
  len[0] = 0x7c;
  len.writeBigInt64BE(BigInt(utf.length), 1);
  return Buffer.concat([head, len, utf]);
}

export function hashValue(value: string, algorithm: string, salt: string, version: 1 | 2): string {
  const data = version === 1 ? javaSerializedString(value) : Buffer.from(value, 'utf8');
  return createHash(algorithm).update(Buffer.from(salt, 'utf8')).update(data).digest('hex');
}

function transformOf(rule: ColumnRule, typeOid: number, typeMod: number): ColumnTransform | null {
  const length = declaredLength(typeOid, typeMod);
  switch (rule.kind) {
    case 'truncate': {
      if (length >= 0 && length <= rule.length) return null;
      const n = rule.length;
      return {
        key: rule.key,
        apply: (v) => (typeof v === 'string' && v.length > n ? v.slice(0, n) : v),
        schema: (s) => withParameter(s, 'truncateLength', String(n)),
      };
    }
    case 'mask': {
      const mask = '*'.repeat(rule.length);
      return { key: rule.key, apply: () => mask, schema: (s) => withParameter(s, 'masked', 'true') };
    }
    case 'hash': {
      const { algorithm, salt, version } = rule;
      return {
        key: rule.key,
        apply: (v) => {
          if (v === null || v === undefined) return null;
          const hex = hashValue(String(v), algorithm, salt, version);
          return length > 0 ? hex.slice(0, length) : hex;
        },
        schema: (s) => withParameter(s, 'masked', 'true'),
      };
    }
  }
}

/**
 * The transform for column `schema.table.column`, or null when no rule matches (or a truncation
 * cannot shorten it). Throws a config PgcdcError for a refused combination, naming key and column.
 */
export function columnTransformFor(
  rules: readonly CompiledColumnRule[], schema: string, table: string, column: string, typeOid: number, typeMod: number,
): ColumnTransform | null {
  if (rules.length === 0) return null;
  const id = `${schema}.${table}.${column}`;
  const matched = rules.filter((r) => r.matches(id));
  if (matched.length === 0) return null;
  if (matched.length > 1) {
    throw new PgcdcError('config', `column ${id} matches both ${matched[0]!.rule.key} and ${matched[1]!.rule.key}; a column takes one truncation or mask`, {
      remedy: 'narrow the regular expressions so that each column matches one column.truncate.* / column.mask.* key',
    });
  }
  const rule = matched[0]!.rule;
  if (!CHARACTER_OIDS.has(typeOid)) {
    if (rule.kind === 'truncate') return null; // Debezium truncates only strings; nothing is revealed
    throw new PgcdcError('config', `${rule.key} matches column ${id}, which is not a character column (text, varchar, char, name): Debezium would send it in clear, so pgcdc refuses`, {
      remedy: `narrow ${rule.key} to character columns, or leave the column out with column.exclude.list`,
    });
  }
  return transformOf(rule, typeOid, typeMod);
}
