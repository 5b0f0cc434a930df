/**
 * The worker's Kafka settings in Kafka Connect's vocabulary (bootstrap.servers, security.protocol,
 * sasl.*, ssl.*), read from a Java properties file (PGCDC_WORKER_PROPERTIES) and from the
 * environment as PGCDC_KAFKA_<KEY, upper case, dots as _> (e.g. PGCDC_KAFKA_SECURITY_PROTOCOL);
 * the environment overrides the file. PGCDC_KAFKA_BROKERS stays an alias of bootstrap.servers.
 * The file's other keys are reported (unusedWorkerProperties) for one warning at start.
 */
import { readFileSync } from 'node:fs';

/** Java properties syntax: `key=value`, `key: value` or `key value`; `#`/`!` comments; `\` continues a line. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // An odd number of trailing backslashes joins the next line (its leading blanks dropped).
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    }
    let k = 0;
    let key = '';
    while (k < line.length && !/[=: \t\f]/.test(line[k]!)) {
      if (line[k] === '\\' && k + 1 < line.length) k++;
      key += line[k++];
    }
    while (k < line.length && /[ \t\f]/.test(line[k]!)) k++;
    if (line[k] === '=' || line[k] === ':') k++;
    while (k < line.length && /[ \t\f]/.test(line[k]!)) k++;
    out.set(key, unescape(line.slice(k)));
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, c: string) => {
    if (c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[c] ?? c;
  });
}

/**
 * The file's keys pgcdc does not read: a Kafka Connect worker file also carries group.id,
 * key.converter, offset.storage.topic, ... . ssl.* and sasl.* keys are not among them: those are
 * read or refused (src/kafka/security.ts).
 */
export function unusedWorkerProperties(fileKeys: Iterable<string>, used: readonly string[]): string[] {
  const known = new Set(used);
  return [...fileKeys].filter((k) => !known.has(k) && !/^(ssl|sasl)\./.test(k)).sort();
}

/** The one warning the worker logs at start about them, or null when every key is used. */
export function unusedWorkerPropertiesWarning(keys: readonly string[]): string | null {
  if (keys.length === 0) return null;
  // Connect files often repeat the security keys per client (producer.sasl.jaas.config, ...).
  const perClient = keys.some((k) => /^(producer|consumer|admin)\.(ssl|sasl|security)\./.test(k))
    ? '; pgcdc applies the unprefixed security.protocol, ssl.* and sasl.* keys to all its clients, not producer./consumer./admin.-prefixed ones'
    : '';
  return `PGCDC_WORKER_PROPERTIES: pgcdc does not use ${keys.length === 1 ? 'this key' : `these ${keys.length} keys`}, and ignores ${keys.length === 1 ? 'it' : 'them'}: ${keys.join(', ')} ` +
    `(pgcdc reads bootstrap.servers, security.protocol, ssl.* and sasl.*; connectors, converters and offset topics are set per connector or by PGCDC_* variables${perClient})`;
}

/** The Kafka keys pgcdc reads from the environment (each as PGCDC_KAFKA_<KEY>). */
export function envName(key: string): string {
  return `PGCDC_KAFKA_${key.toUpperCase().replace(/\./g, '_')}`;
}

/**
 * The worker's Kafka properties: the file's, then the environment's over them. Env names cannot
 * be turned back into keys unambiguously, so the environment is read for the names given.
 * Problems (a missing or unreadable file) go to `problems`, naming the setting and the path.
 */
export function workerKafkaProperties(env: NodeJS.ProcessEnv, keys: readonly string[], problems: string[], unused: string[] = []): Map<string, string> {
  let props = new Map<string, string>();
  const file = env.PGCDC_WORKER_PROPERTIES;
  if (file) {
    try {
      props = parseProperties(readFileSync(file, 'utf8'));
      unused.push(...unusedWorkerProperties(props.keys(), keys));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push(`PGCDC_WORKER_PROPERTIES: cannot read ${file}${code === 'ENOENT' ? ' (no such file)' : code ? ` (${code})` : ''}`);
    }
  }
  if (env.PGCDC_KAFKA_BROKERS) props.set('bootstrap.servers', env.PGCDC_KAFKA_BROKERS);
  for (const key of keys) {
    const v = env[envName(key)];
    if (v !== undefined) props.set(key, v);
  }
  // Unknown security-looking env names would otherwise be ignored silently.
  for (const name of Object.keys(env)) {
    if (/^PGCDC_KAFKA_(SSL|SASL)_/.test(name) && !keys.some((k) => envName(k) === name)) props.set(name, env[name]!);
  }
  return props;
}
