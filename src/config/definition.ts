import { compilePattern } from './filters.js';

/**
 * How a configuration key is declared, and how raw values are parsed.
 *
 * Kafka Connect hands connectors a map of strings; JSON clients often send numbers and booleans
 * instead, so both are accepted and read through their string form (as Kafka's ConfigDef would).
 */

/** Kafka ConfigDef types pgcdc uses (SHORT is read as INT). */
export type ConfigType = 'STRING' | 'INT' | 'LONG' | 'BOOLEAN' | 'LIST' | 'PASSWORD' | 'CLASS' | 'DOUBLE';
export type Importance = 'HIGH' | 'MEDIUM' | 'LOW';
/** Kafka ConfigDef.Width: how wide a UI should draw the field. */
export type Width = 'NONE' | 'SHORT' | 'MEDIUM' | 'LONG';

/** A parsed value: string (STRING/PASSWORD/CLASS), number (INT/LONG/DOUBLE), boolean, list, or unset. */
export type ConfigValue = string | number | boolean | string[] | null;

/** Parsed values of every key that parsed successfully, defaults applied. */
export type ParsedValues = Readonly<Record<string, ConfigValue>>;

export interface ConfigKey {
  name: string;
  type: ConfigType;
  /** Absent = required. `null` = optional without a value. */
  default?: ConfigValue;
  importance: Importance;
  documentation: string;
  group: string;
  displayName: string;
  /** Extra rule run after parsing; gets every parsed value for cross-key rules. Returns the reason. */
  validate?(value: ConfigValue, all: ParsedValues): string | undefined;
  /** Accepted values (matched case-insensitively for STRING/LIST, exactly for CLASS). */
  allowed?: readonly string[];
  /** Values Debezium knows that pgcdc refuses, with the reason (better than "must be one of"). */
  rejected?: Readonly<Record<string, string>>;
  /** Legacy values rewritten to their current name, with a warning. */
  aliases?: Readonly<Record<string, string>>;
  /** Replaces the generic "must be one of" reason when a value is not in `allowed`. */
  notAllowedMessage?: string;
  width?: Width;
}

export const HIDDEN = '[hidden]';

export function isRequired(key: ConfigKey): boolean {
  return key.default === undefined;
}

/** Kafka Connect's string form of a parsed value (lists comma-joined). */
export function valueToString(value: ConfigValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** The raw value as a string, or an error for JSON objects/arrays that no ConfigDef type accepts. */
export function rawToString(raw: unknown): { text?: string; error?: string } {
  if (raw === null || raw === undefined) return {};
  if (typeof raw === 'string') return { text: raw };
  if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint') return { text: String(raw) };
  return { error: `must be a string, number or boolean, not ${Array.isArray(raw) ? 'an array' : typeof raw}` };
}

/**
 * Splits a comma-separated list. Commas escaped with a backslash or inside [...], {...} or (...)
 * do not split, so regex lists such as `public\.t_\d{1,3}` survive (Debezium's lists are regexes).
 */
export function splitList(text: string): string[] {
  if (text.trim() === '') return [];
  const items: string[] = [];
  let current = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      // `\,` is an escaped separator; keep other escapes for the regex engine.
      current += text[i + 1] === ',' ? ',' : ch + text[i + 1];
      i++;
      continue;
    }
    if (ch === '[' || ch === '{' || ch === '(') depth++;
    else if ((ch === ']' || ch === '}' || ch === ')') && depth > 0) depth--;
    if (ch === ',' && depth === 0) {
      items.push(current.trim());
      current = '';
    } else current += ch;
  }
  items.push(current.trim());
  return items.filter((item) => item !== '');
}

export type ParseResult = { value: ConfigValue; error?: undefined } | { value?: undefined; error: string };

const INT_RE = /^[+-]?\d+$/;

/** Parses one value's text according to the key's type. Empty text of an optional key means "unset". */
export function parseText(key: ConfigKey, text: string): ParseResult {
  const trimmed = text.trim();
  if (trimmed === '' && key.type !== 'LIST') {
    if (isRequired(key)) return { error: 'a value is required' };
    // An empty non-string or enum value (UIs send "" for untouched fields) falls back to the default.
    if ((key.type !== 'STRING' && key.type !== 'PASSWORD') || key.allowed) return { value: key.default ?? null };
    return { value: key.default === null ? null : text };
  }
  switch (key.type) {
    case 'STRING':
    case 'PASSWORD':
      return { value: text };
    case 'CLASS':
      return { value: trimmed };
    case 'BOOLEAN': {
      const lower = trimmed.toLowerCase();
      if (lower === 'true' || lower === 'false') return { value: lower === 'true' };
      return { error: 'expected true or false' };
    }
    case 'INT': {
      const n = INT_RE.test(trimmed) ? Number(trimmed) : NaN;
      if (Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31) return { value: n };
      return { error: 'not a number of type INT (a 32-bit integer)' };
    }
    case 'LONG': {
      const n = INT_RE.test(trimmed) ? Number(trimmed) : NaN;
      if (Number.isSafeInteger(n)) return { value: n };
      return { error: 'not a number of type LONG (an integer up to 2^53-1 in pgcdc)' };
    }
    case 'DOUBLE': {
      const n = Number(trimmed);
      if (trimmed !== '' && Number.isFinite(n)) return { value: n };
      return { error: 'not a number of type DOUBLE' };
    }
    case 'LIST':
      return { value: splitList(text) };
  }
}

/** Reasons shared by several key declarations. */
export const rules = {
  range(min: number, max = Number.MAX_SAFE_INTEGER) {
    return (v: ConfigValue): string | undefined =>
      typeof v === 'number' && (v < min || v > max)
        ? max === Number.MAX_SAFE_INTEGER ? `must be at least ${min}` : `must be between ${min} and ${max}`
        : undefined;
  },
  httpUrl(v: ConfigValue): string | undefined {
    if (typeof v !== 'string') return undefined;
    try {
      const url = new URL(v.trim());
      if (url.protocol === 'http:' || url.protocol === 'https:') return undefined;
    } catch {
      /* fall through */
    }
    return 'must be an http:// or https:// URL';
  },
  /** Every list item must compile as a regular expression. */
  regexList(v: ConfigValue): string | undefined {
    if (!Array.isArray(v)) return undefined;
    const bad: string[] = [];
    for (const item of v) {
      try {
        compilePattern(item);
      } catch (e) {
        const shown = item.length > 120 ? `${item.slice(0, 100)}…` : item;
        bad.push(`${JSON.stringify(shown)} (${(e as Error).message})`);
      }
    }
    return bad.length ? `invalid regular expression: ${bad.join('; ')}` : undefined;
  },
  /** Include and exclude lists of one kind cannot both be set (declared on the exclude key). */
  exclusiveWith(includeKey: string, excludeKey: string) {
    return (v: ConfigValue, all: ParsedValues): string | undefined => {
      const other = all[includeKey];
      const set = (x: ConfigValue | undefined) => Array.isArray(x) && x.length > 0;
      if (set(v) && set(other)) return `${includeKey} and ${excludeKey} are mutually exclusive; set only one of them`;
      return rules.regexList(v);
    };
  },
};

/** Marks a key without a default in `keysIn` declarations. */
export const REQUIRED = Symbol('required');

/** A compact declarer for the keys of one group: name, type, default, importance, label, doc. */
export function keysIn(group: string) {
  return (
    name: string,
    type: ConfigType,
    dflt: ConfigValue | typeof REQUIRED,
    importance: Importance,
    displayName: string,
    documentation: string,
    extra: Partial<Omit<ConfigKey, 'name' | 'type' | 'default' | 'group'>> = {},
  ): ConfigKey => ({
    name,
    type,
    ...(dflt === REQUIRED ? {} : { default: dflt }),
    importance,
    documentation,
    group,
    displayName,
    ...extra,
  });
}
