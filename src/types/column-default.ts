/**
 * Column defaults as Debezium puts them into its schemas (PostgresDefaultValueConverter): the
 * expression PostgreSQL stores (`pg_get_expr(adbin, adrelid)`, e.g. `'z'::text`, `42`,
 * `nextval('t_id_seq'::regclass)`, `now()`) becomes the PostgreSQL text of a constant, which the
 * column's own converter then turns into the default value — so a default has exactly the form
 * the column's values have.
 *
 * Debezium's rules, kept here: a literal default is the first quoted string (with '' unescaped)
 * or the raw expression when it has no quote; a default computed by a function (`nextval(...)`,
 * `now()`, `gen_random_uuid()`) or CURRENT_TIMESTAMP and friends gets a placeholder of its type
 * (0, the epoch, the empty string, the nil UUID), because consumers need some default to read
 * old data; `NULL::type` means no default. Only the types below have a rule: any other type
 * (arrays, bytea, ranges, money, domains, geometric types) has no default in Debezium's schemas
 * either. Pure: no I/O.
 */

/** `^[(]?name(args)`: a default computed by a function call. */
const FUNCTION_CALL = /^[(]?[A-Za-z0-9_.]+\((?:.+(?:, ?.+)*)?\)/;
const CURRENT_DATE_TIMES = new Set(['current_timestamp', 'current_time', 'current_date', 'localtime', 'localtimestamp']);
/** The first single-quoted literal, '' being an escaped quote. */
const QUOTED = /'([^']*(?:''[^']*)*)'/;

type Rule = { placeholder: string | null; check?: (text: string) => boolean; nullable?: boolean; normalize?: (text: string) => string };

const INTEGER = (text: string) => /^[+-]?\d+$/.test(text);
const DECIMAL = (text: string) => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) || /^[+-]?(NaN|Infinity|inf|infinity)$/i.test(text);

/**
 * Types by pg_type.typname with Debezium's placeholder for computed defaults (null: a computed
 * default gives none). `nullable`: a
 * `NULL::type` default is no default (Debezium's parseNullDefault); `check`: the text must parse
 * as the Java parser Debezium uses would accept (else Debezium logs and drops the default).
 */
const RULES: Readonly<Record<string, Rule>> = {
  // Java's Boolean.parseBoolean: "true" in any case is true, anything else false; as PostgreSQL's text.
  bool: { placeholder: 'false', nullable: true, normalize: (t) => (t.toLowerCase() === 'true' ? 't' : 'f') },
  bpchar: { placeholder: '' },
  varchar: { placeholder: '' },
  text: { placeholder: '' },
  numeric: { placeholder: '0.0', nullable: true, check: DECIMAL },
  float4: { placeholder: '0.0', nullable: true, check: DECIMAL },
  float8: { placeholder: '0.0', nullable: true, check: DECIMAL },
  int2: { placeholder: '0', nullable: true, check: INTEGER },
  int4: { placeholder: '0', nullable: true, check: INTEGER },
  int8: { placeholder: '0', nullable: true, check: INTEGER },
  json: { placeholder: '{}' },
  jsonb: { placeholder: '{}' },
  xml: { placeholder: '' },
  uuid: { placeholder: '00000000-0000-0000-0000-000000000000', check: (t) => /^[0-9a-f]{8}-?([0-9a-f]{4}-?){3}[0-9a-f]{12}$/i.test(t) },
  date: { placeholder: '1970-01-01' },
  time: { placeholder: '00:00:00' },
  timestamp: { placeholder: '1970-01-01 00:00:00' },
  timestamptz: { placeholder: '1970-01-01 00:00:00+00' },
  // Debezium's placeholder for intervals ("epoch") does not parse, so a computed interval default is none.
  interval: { placeholder: null },
  // bit(1) only: Debezium reads a one-character default as a boolean; wider bit strings are left out.
  bit: { placeholder: null, check: (t) => t === '0' || t === '1' },
};

/** Types whose leading and trailing blanks Debezium trims before parsing. */
const TRIMMED = new Set(['bit', 'bool', 'numeric', 'float4', 'float8', 'int2', 'int4', 'int8', 'uuid', 'date', 'time', 'timestamp', 'timestamptz', 'interval']);

/**
 * The PostgreSQL text of the column's default, or null when its schema has none.
 * `typeName`: pg_type.typname of the column's type; `isEnum`: the type is an enum.
 */
export function defaultText(expression: string | null, typeName: string, isEnum: boolean): string | null {
  if (expression === null) return null;
  if (isEnum) return enumDefault(expression);
  const rule = RULES[typeName];
  if (!rule) return null;
  const expr = TRIMMED.has(typeName) ? expression.trim() : expression;
  if (rule.nullable && expr.startsWith('NULL::')) return null;
  let text: string | null;
  if (FUNCTION_CALL.test(expr) || CURRENT_DATE_TIMES.has(expr.toLowerCase())) text = rule.placeholder;
  else text = literal(expr);
  if (text === null) return null;
  if (rule.check && !rule.check(text)) return null;
  return rule.normalize ? rule.normalize(text) : text;
}

/** `'abc'::text` → abc; `42` → 42; `NULL::text` → null. */
function literal(expr: string): string | null {
  if (!expr.includes("'")) return expr.startsWith('NULL::') ? null : expr;
  const m = QUOTED.exec(expr);
  return m ? m[1]!.replace(/''/g, "'") : null;
}

/** `'happy'::mood` (or `::public.mood`) → happy; anything else (a function, no cast) → none. */
function enumDefault(expr: string): string | null {
  const cast = expr.lastIndexOf('::');
  if (cast < 0) return null;
  const value = expr.slice(0, cast);
  if (value.length < 2 || !value.startsWith("'") || !value.endsWith("'")) return null;
  return value.slice(1, -1);
}
