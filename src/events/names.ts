/**
 * Names as Debezium derives them. Topics: `<topic.prefix>.<schema>.<table>` (`.v<N>` appended for a
 * versioned table, see below), characters Kafka does
 * not allow replaced by `_`. Avro record and field names: characters Avro does not allow replaced by
 * `_`, and a leading digit prefixed with `_`.
 */
export function topicName(prefix: string, schema: string, table: string, version = 1): string {
  const base = `${prefix}.${schema}.${table}`.replace(/[^A-Za-z0-9._-]/g, '_');
  return version > 1 ? `${base}.v${version}` : base;
}

/**
 * Under schema.change.breaking.topic.versioning a table whose breaking change was approved moves to
 * `<topic>.v<N>` (N = 2, 3, ...); version 1 is the plain topic. The suffix adds at most this many
 * characters to a topic name.
 */
export const TOPIC_VERSION_SUFFIX_MAX = '.v999'.length;

export function avroName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(clean) ? `_${clean}` : clean;
}

/** Full name of a record for a table, e.g. `dbserver1.public.orders.Value`. */
export function recordFullName(prefix: string, schema: string, table: string, suffix: 'Key' | 'Value' | 'Envelope'): string {
  return [prefix, schema, table, suffix].map((part) => part.split('.').map(avroName).join('.')).join('.');
}

export const keySubject = (topic: string) => `${topic}-key`;
export const valueSubject = (topic: string) => `${topic}-value`;

/** Kafka's limit on a topic name's length. */
export const MAX_TOPIC_LENGTH = 249;

/**
 * Kafka refuses a topic whose name equals another's once `.` is read as `_` (their metric names
 * would collide), so topics are compared in that form.
 */
export const topicCollisionKey = (topic: string) => topic.replace(/\./g, '_');

/**
 * The first two originals that map to one name under `rename` (e.g. two columns whose Avro field
 * names are equal once invalid characters became `_`), or null when all mapped names differ.
 */
export function firstCollision(originals: string[], rename: (s: string) => string): [string, string, string] | null {
  const seen = new Map<string, string>();
  for (const original of originals) {
    const mapped = rename(original);
    const other = seen.get(mapped);
    if (other !== undefined) return [other, original, mapped];
    seen.set(mapped, original);
  }
  return null;
}
