/**
 * Kafka Connect config providers: `${env:NAME}` and `${file:/path/to/file.properties:key}` inside
 * a value are replaced at run time. Stored configs keep the references as written (so secrets never
 * reach the config store or REST answers). Only providers the operator enabled work
 * (provider-policy.ts), only in secret keys (a resolved value in any other key would come back in
 * messages, topic names or outgoing requests), and every error names the key and the reference as
 * written, never a value.
 */
import { readProviderFile } from './provider-files.js';
import { activeProviderPolicy, enabledProviders, PROVIDER_SETTINGS, type ProviderPolicy } from './provider-policy.js';
import { classifyKey } from './keys.js';
import { isSecretKey } from './secrets.js';
import type { ConfigIssue } from './validate.js';

export interface ProviderOptions {
  /** Default: the worker's policy (setProviderPolicy), which is "off" unless the operator enabled providers. */
  policy?: ProviderPolicy;
  /** Environment for ${env:...}; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Reads a provider file; default: readProviderFile under the policy's allowed paths. */
  readFile?: (path: string) => Promise<string>;
}

export interface ProviderResolution {
  /** A copy of the map with every reference substituted (unresolvable ones left as written). */
  config: Record<string, unknown>;
  errors: ConfigIssue[];
  /** Keys whose value contained at least one resolved reference. */
  resolvedKeys: string[];
  /** Every value a provider substituted (to redact from any text). */
  resolvedValues: string[];
}

/** More references than this in one config are refused (each may read a file). */
export const MAX_REFERENCES = 20;
/** Environment variables never offered, whatever the allowlist: the worker's own REST credentials. */
const NEVER_ENV = /^PGCDC_REST_/;

export interface Reference {
  /** The reference as written, `${...}`. */
  text: string;
  start: number;
  end: number;
  provider: string;
  path: string | undefined;
  key: string;
}

/** The references in a value, Kafka's `${provider:[path:]key}` syntax, found in one linear pass. */
export function findReferences(value: string): Reference[] {
  const found: Reference[] = [];
  let from = 0;
  for (;;) {
    const start = value.indexOf('${', from);
    if (start < 0) break;
    const end = value.indexOf('}', start + 2);
    if (end < 0) break;
    const content = value.slice(start + 2, end);
    const first = content.indexOf(':');
    if (first < 0) {
      from = start + 2;
      continue;
    }
    const rest = content.slice(first + 1);
    const second = rest.indexOf(':');
    found.push({
      text: value.slice(start, end + 1),
      start,
      end: end + 1,
      provider: content.slice(0, first),
      path: second < 0 ? undefined : rest.slice(0, second),
      key: second < 0 ? rest : rest.slice(second + 1),
    });
    from = end + 1;
  }
  return found;
}

export function hasProviderReference(value: unknown): boolean {
  return typeof value === 'string' && findReferences(value).length > 0;
}

function unescapeProperties(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[e] ?? e;
  });
}

/** An odd number of trailing backslashes continues the logical line (counted, not matched: linear). */
function continues(line: string): boolean {
  let n = 0;
  while (n < line.length && line[line.length - 1 - n] === '\\') n++;
  return n % 2 === 1;
}

/** Parses a Java .properties file: `#`/`!` comments, `=`, `:` or space separators, `\` continuations. */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i]!.replace(/^[ \t\f]+/, '');
    if (first === '' || first.startsWith('#') || first.startsWith('!')) continue;
    const parts = [first];
    while (continues(parts[parts.length - 1]!) && i + 1 < lines.length) {
      parts[parts.length - 1] = parts[parts.length - 1]!.slice(0, -1);
      parts.push(lines[++i]!.replace(/^[ \t\f]+/, ''));
    }
    const line = parts.join('');
    const m = /^((?:\\.|[^\\=: \t\f])*)[ \t\f]*(?:[=:][ \t\f]*)?(.*)$/s.exec(line);
    if (!m) continue;
    result.set(unescapeProperties(m[1]!), unescapeProperties(m[2]!));
  }
  return result;
}

/** A reference as quoted in messages: what the caller wrote, shortened. */
function quoted(reference: string): string {
  return reference.length > 120 ? `${reference.slice(0, 100)}…}` : reference;
}

/** Why a reference may not be used here, before anything is read; undefined when it may. */
function refusal(name: string, ref: Reference, policy: ProviderPolicy): string | undefined {
  if (ref.provider !== 'file' && ref.provider !== 'env') return `config provider "${ref.provider}" is not supported by pgcdc (supported: env, file)`;
  if (ref.provider === 'file' ? policy.fileAllowedPaths === null : policy.envAllowlist === null) {
    const on = enabledProviders(policy);
    return `config provider "${ref.provider}" is not enabled on this worker (the operator enables it with ${PROVIDER_SETTINGS.providers}; enabled: ${on.length ? on.join(', ') : 'none'})`;
  }
  if (!isSecretKey(name)) {
    return 'config provider references are accepted only in secret keys (passwords, secrets, tokens, keys, credentials); give this key a plain value';
  }
  if (ref.provider === 'env') {
    if (ref.path) return 'expected ${env:NAME}';
    if (NEVER_ENV.test(ref.key) || !policy.envAllowlist!.test(ref.key)) {
      return `environment variable ${ref.key} is not allowed by ${PROVIDER_SETTINGS.envAllowlist}`;
    }
  } else if (!ref.path) return 'expected ${file:/path/to/file.properties:key}';
  return undefined;
}

/**
 * Substitutes provider references in every string value of `raw`. Asynchronous: files are read
 * off the event loop, bounded in size and time. Keys pgcdc ignores are checked but never read.
 */
export async function resolveConfigProviders(raw: Readonly<Record<string, unknown>>, options: ProviderOptions = {}): Promise<ProviderResolution> {
  const policy = options.policy ?? activeProviderPolicy();
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((path: string) => readProviderFile(path, policy.fileAllowedPaths ?? []));
  const files = new Map<string, Promise<Map<string, string> | Error>>();
  const loadFile = (path: string) => {
    let loaded = files.get(path);
    if (!loaded) {
      loaded = readFile(path).then(parseProperties, (e: Error) => new Error(`cannot read ${path}: ${e.message}`));
      files.set(path, loaded);
    }
    return loaded;
  };

  const config: Record<string, unknown> = { ...raw };
  const errors: ConfigIssue[] = [];
  const resolvedKeys: string[] = [];
  const resolvedValues: string[] = [];
  let count = 0;
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'string') continue;
    const refs = findReferences(value);
    if (refs.length === 0) continue;
    count += refs.length;
    if (count > MAX_REFERENCES) {
      errors.push({ key: name, message: `Configuration ${name}: more than ${MAX_REFERENCES} config provider references in one config` });
      break;
    }
    const fail = (ref: Reference, why: string) => errors.push({ key: name, message: `Configuration ${name}: cannot resolve ${quoted(ref.text)}: ${why}` });
    const refused = refs.map((ref) => refusal(name, ref, policy));
    refs.forEach((ref, i) => refused[i] !== undefined && fail(ref, refused[i]!));
    if (refused.some((r) => r !== undefined) || classifyKey(name) !== 'implemented') continue;

    const values: (string | undefined)[] = [];
    for (const ref of refs) {
      if (ref.provider === 'env') {
        const v = env[ref.key];
        if (v === undefined) fail(ref, `environment variable ${ref.key} is not set`);
        values.push(v);
        continue;
      }
      const props = await loadFile(ref.path!);
      if (props instanceof Error) {
        fail(ref, props.message);
        values.push(undefined);
        continue;
      }
      const v = props.get(ref.key);
      if (v === undefined) fail(ref, `file ${ref.path} has no key ${ref.key}`);
      values.push(v);
    }
    if (values.some((v) => v === undefined)) continue;
    let out = '';
    let at = 0;
    refs.forEach((ref, i) => {
      out += value.slice(at, ref.start) + values[i]!;
      at = ref.end;
    });
    config[name] = out + value.slice(at);
    resolvedKeys.push(name);
    for (const v of values) if (v !== '') resolvedValues.push(v!);
  }
  return { config, errors, resolvedKeys, resolvedValues };
}
