import { TextFormatError } from '../errors.js';

/**
 * hstore's text output (hstore_out: `"k"=>"v", "k2"=>NULL`, `"` and `\` escaped with `\`) parsed
 * as pgjdbc's HStoreConverter.fromString parses it for Debezium, into entries in the iteration
 * order of the java.util.HashMap that method returns (see javaHashMapOrder): Debezium writes the
 * JSON and the Avro map in that order.
 */
export function parseHstore(text: string): [string, string | null][] {
  const entries: [string, string | null][] = [];
  const n = text.length;
  let i = 0;
  const skipSpace = (): void => {
    while (i < n && /\s/.test(text[i]!)) i++;
  };
  const quoted = (): string => {
    if (text[i] !== '"') throw new TextFormatError(`malformed hstore text (expected '"' at ${i}): ${clip(text)}`);
    i++;
    let out = '';
    for (;;) {
      if (i >= n) throw new TextFormatError(`malformed hstore text (unterminated string): ${clip(text)}`);
      const c = text[i]!;
      if (c === '"') break;
      if (c === '\\') {
        i++;
        if (i >= n) throw new TextFormatError(`malformed hstore text (dangling backslash): ${clip(text)}`);
      }
      out += text[i];
      i++;
    }
    i++;
    return out;
  };
  skipSpace();
  while (i < n) {
    const key = quoted();
    skipSpace();
    if (text.slice(i, i + 2) !== '=>') throw new TextFormatError(`malformed hstore text (expected "=>"): ${clip(text)}`);
    i += 2;
    skipSpace();
    let value: string | null;
    if (text.slice(i, i + 4) === 'NULL') {
      value = null;
      i += 4;
    } else value = quoted();
    entries.push([key, value]);
    skipSpace();
    if (i < n) {
      if (text[i] !== ',') throw new TextFormatError(`malformed hstore text (expected ","): ${clip(text)}`);
      i++;
      skipSpace();
    }
  }
  return javaHashMapOrder(entries);
}

/** java.lang.String.hashCode over UTF-16 code units. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The iteration order of a java.util.HashMap (default capacity 16, load factor 0.75) after putting
 * the entries in order: buckets by (h ^ h >>> 16) & (capacity - 1), insertion order within a
 * bucket (resizes keep it); a later put of a present key keeps its position and takes the value.
 * Like HashMap, a bucket reaching 9 entries doubles the table while it is smaller than 64. Beyond
 * that HashMap turns the bucket into a tree, whose iteration order this does not model
 * (insertion order is kept): only keys crafted to collide get there.
 */
export function javaHashMapOrder<V>(entries: readonly [string, V][]): [string, V][] {
  const unique = new Map<string, V>();
  for (const [k, v] of entries) unique.set(k, v);
  const keys = [...unique.keys()];
  const spread = keys.map((k) => {
    const h = javaStringHash(k);
    return (h ^ (h >>> 16)) >>> 0;
  });
  let capacity = 16;
  while (keys.length > capacity * 0.75) capacity *= 2;
  for (;;) {
    if (capacity >= 64) break;
    const counts = new Map<number, number>();
    let crowded = false;
    for (const s of spread) {
      const b = s & (capacity - 1);
      const c = (counts.get(b) ?? 0) + 1;
      counts.set(b, c);
      if (c >= 9) crowded = true;
    }
    if (!crowded) break;
    capacity *= 2;
  }
  const order = keys.map((k, i) => ({ k, i, b: spread[i]! & (capacity - 1) }));
  order.sort((a, b) => a.b - b.b || a.i - b.i);
  return order.map(({ k }) => [k, unique.get(k) as V]);
}

/**
 * Entries as Jackson's JsonGenerator writes them for Debezium (writeStringField per entry):
 * compact, `null` for a NULL value, control characters as \b \t \n \f \r or \u00XX (upper-case
 * hex), `"` and `\` escaped, everything else (non-ASCII, `/`) as is.
 */
export function hstoreJson(entries: readonly [string, string | null][]): string {
  let out = '{';
  entries.forEach(([k, v], i) => {
    if (i > 0) out += ',';
    out += `${jacksonString(k)}:${v === null ? 'null' : jacksonString(v)}`;
  });
  return `${out}}`;
}

const SHORT_ESCAPES: Record<number, string> = { 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r', 0x22: '\\"', 0x5c: '\\\\' };

function jacksonString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(start, i) + (SHORT_ESCAPES[c] ?? `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`);
    start = i + 1;
  }
  return `${out}${s.slice(start)}"`;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
