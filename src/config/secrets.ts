/**
 * Keeping secrets out of REST answers, logs and error messages. A key is secret when it is declared
 * PASSWORD, or its name looks like a credential: Debezium's and Kafka Connect's password keys
 * (`database.password`, `database.sslpassword`, `ssl.key.password`, `*.keystore.password`...),
 * `sasl.jaas.config`, `basic.auth.user.info`, secrets, tokens, API and private keys, credentials.
 * Undeclared keys such as `value.converter.basic.auth.user.info` are ignored but still hidden.
 * URLs with `user:password@` have the password hidden wherever they appear.
 */
import { HIDDEN } from './definition.js';
import { KEYS_BY_NAME } from './keys.js';

const SECRET_NAME = new RegExp([
  'passw(?:or)?d', 'pwd$', 'secret', 'credential', 'token', 'jaas\\.config', 'basic\\.auth\\.user\\.info',
  'api[._-]?key', 'private[._-]?key', 'access[._-]?key', '(?:^|\\.)key$', 'sslkey$', 'keystore\\.key',
].join('|'), 'i');

export function isSecretKey(name: string): boolean {
  return KEYS_BY_NAME.get(name)?.type === 'PASSWORD' || SECRET_NAME.test(name);
}

/**
 * `http://user:pass@host/` → `http://user:[hidden]@host/` (also `user@` alone, which may be a
 * token); other text unchanged. A scan, not a regex: linear in the text whatever it holds.
 */
export function redactUrlCredentials(text: string): string {
  let out = '';
  let at = 0;
  for (let i = text.indexOf('://'); i >= 0; i = text.indexOf('://', i + 3)) {
    const authorityStart = i + 3;
    if (authorityStart < at) continue;
    // The authority ends at the first delimiter; its last '@' ends the user info.
    let end = authorityStart;
    let lastAt = -1;
    for (; end < text.length; end++) {
      const ch = text.charCodeAt(end);
      if (ch === 64) lastAt = end; // @
      else if (AUTHORITY_END.has(ch)) break;
    }
    if (lastAt < 0) {
      i = Math.max(i, end - 3);
      continue;
    }
    const userinfo = text.slice(authorityStart, lastAt);
    const colon = userinfo.indexOf(':');
    out += text.slice(at, authorityStart) + (colon >= 0 ? `${userinfo.slice(0, colon)}:${HIDDEN}` : HIDDEN);
    at = lastAt;
    i = Math.max(i, end - 3);
  }
  return at === 0 ? text : out + text.slice(at);
}

const AUTHORITY_END = new Set([...'/?#\\ \t\r\n"\'<>'].map((c) => c.charCodeAt(0)));

/** A copy safe to show: secret values (set, non-null) become "[hidden]", URL credentials are masked. */
export function redactConfig(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== null && value !== undefined && isSecretKey(name)) out[name] = HIDDEN;
    else out[name] = typeof value === 'string' ? redactUrlCredentials(value) : value;
  }
  return out;
}

/**
 * The secret values to hide in text about a (resolved) config: those of declared secret keys (the
 * only ones pgcdc uses, hence the only ones that can reach a driver's message) plus `extra` (values
 * config providers substituted), longest first. Bounded by the declared keys, not by the config's size.
 */
export function secretValues(raw: Readonly<Record<string, unknown>>, extra: Iterable<string> = []): string[] {
  const found = new Set<string>();
  for (const [name, key] of KEYS_BY_NAME) {
    const value = raw[name];
    if (isSecretKey(key.name) && (typeof value === 'string' || typeof value === 'number') && String(value) !== '') found.add(String(value));
  }
  for (const value of extra) if (value !== '') found.add(value);
  // The forms a value takes inside JSON text and URLs hide it too.
  for (const value of [...found]) {
    const json = JSON.stringify(value).slice(1, -1);
    if (json !== value) found.add(json);
    const url = encodeURIComponent(value);
    if (url !== value) found.add(url);
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/** A function hiding the given secrets (computed once) and URL credentials in any text. */
export function redactorFor(secrets: readonly string[]): (text: string) => string {
  return (text) => {
    let out = text;
    // Longest first so a secret that contains another is hidden whole.
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(HIDDEN);
    return redactUrlCredentials(out);
  };
}

/**
 * Replaces every occurrence of a secret value in `text` (an error message from the driver, a log line)
 * by "[hidden]". Pass the RESOLVED config, and `extra` = the values config providers substituted.
 */
export function redactText(text: string, raw: Readonly<Record<string, unknown>>, extra: Iterable<string> = []): string {
  return redactorFor(secretValues(raw, extra))(text);
}
