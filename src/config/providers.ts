/**
 * Kafka Connect config providers: `${env:NAME}` and `${file:/path/to/file.properties:key}` inside
 * a value are replaced at run time. Stored configs keep the references as written (so secrets never
 * reach the config store or REST answers); errors name the key and reference, never a value.
 */
import { readFileSync } from 'node:fs';
import type { ConfigIssue } from './validate.js';

export interface ProviderOptions {
  /** Environment for ${env:...}; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Reads a file as UTF-8 for ${file:...}; default fs.readFileSync. */
  readFile?: (path: string) => string;
}

export interface ProviderResolution {
  /** A copy of the map with every reference substituted (unresolvable ones left as written). */
  config: Record<string, unknown>;
  errors: ConfigIssue[];
  /** Keys whose value contained at least one resolved reference. */
  resolvedKeys: string[];
}

/** Kafka's ConfigTransformer pattern: ${provider:[path:]key}. */
const REFERENCE = /\$\{([^}]*?):(?:([^}]*?):)?([^}]*)\}/g;

export function hasProviderReference(value: unknown): boolean {
  return typeof value === 'string' && new RegExp(REFERENCE.source).test(value);
}

function unescapeProperties(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[e] ?? e;
  });
}

/** Parses a Java .properties file: `#`/`!` comments, `=`, `:` or space separators, `\` continuations. */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // An odd number of trailing backslashes continues the logical line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    }
    const m = /^((?:\\.|[^\\=: \t\f])*)[ \t\f]*(?:[=:][ \t\f]*)?(.*)$/.exec(line);
    if (!m) continue;
    result.set(unescapeProperties(m[1]!), unescapeProperties(m[2]!));
  }
  return result;
}

/** Substitutes provider references in every string value of `raw`. Synchronous: run at connector start. */
export function resolveConfigProviders(raw: Readonly<Record<string, unknown>>, options: ProviderOptions = {}): ProviderResolution {
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const files = new Map<string, Map<string, string> | Error>();
  const loadFile = (path: string): Map<string, string> | Error => {
    if (!files.has(path)) {
      try {
        files.set(path, parseProperties(readFile(path)));
      } catch (e) {
        // Only the error code: some readers put file content into messages.
        const code = (e as NodeJS.ErrnoException).code ?? 'read error';
        files.set(path, new Error(`cannot read ${path} (${code})`));
      }
    }
    return files.get(path)!;
  };

  const config: Record<string, unknown> = {};
  const errors: ConfigIssue[] = [];
  const resolvedKeys: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'string' || !hasProviderReference(value)) {
      config[name] = value;
      continue;
    }
    let resolvedAny = false;
    config[name] = value.replace(REFERENCE, (reference, provider: string, path: string | undefined, key: string) => {
      const fail = (why: string) => {
        errors.push({ key: name, message: `Configuration ${name}: cannot resolve ${reference}: ${why}` });
        return reference;
      };
      if (provider === 'env') {
        if (path) return fail('expected ${env:NAME}');
        const v = env[key];
        if (v === undefined) return fail(`environment variable ${key} is not set`);
        resolvedAny = true;
        return v;
      }
      if (provider === 'file') {
        if (!path) return fail('expected ${file:/path/to/file.properties:key}');
        const props = loadFile(path);
        if (props instanceof Error) return fail(props.message);
        const v = props.get(key);
        if (v === undefined) return fail(`file ${path} has no key ${key}`);
        resolvedAny = true;
        return v;
      }
      return fail(`config provider "${provider}" is not supported by pgcdc (supported: env, file)`);
    });
    if (resolvedAny) resolvedKeys.push(name);
  }
  return { config, errors, resolvedKeys };
}
