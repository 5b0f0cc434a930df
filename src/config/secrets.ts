/**
 * Keeping secrets out of REST answers, logs and error messages. A key is secret when it is declared
 * PASSWORD, or its name looks like a credential (Kafka Connect sub-settings such as
 * `value.converter.basic.auth.user.info` are undeclared but still carry secrets).
 */
import { HIDDEN } from './definition.js';
import { KEYS_BY_NAME } from './keys.js';

const SECRET_NAME = /(^|\.)password$|secret|basic\.auth\.user\.info|sasl\.jaas\.config|credentials|api\.key|token/i;

export function isSecretKey(name: string): boolean {
  return KEYS_BY_NAME.get(name)?.type === 'PASSWORD' || SECRET_NAME.test(name);
}

/** `http://user:pass@host/` → `http://user:[hidden]@host/`; other text unchanged. */
function redactUrlPassword(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]+):[^\s/@]+@/gi, `$1:${HIDDEN}@`);
}

/** A copy safe to show: secret values (set, non-null) become "[hidden]", URL passwords are masked. */
export function redactConfig(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== null && value !== undefined && isSecretKey(name)) out[name] = HIDDEN;
    else out[name] = typeof value === 'string' ? redactUrlPassword(value) : value;
  }
  return out;
}

/** The secret values of a (resolved) config, plus extra ones, longest first. */
export function secretValues(raw: Readonly<Record<string, unknown>>, extra: Iterable<string> = []): string[] {
  const found = new Set<string>();
  for (const [name, value] of Object.entries(raw)) {
    if (isSecretKey(name) && (typeof value === 'string' || typeof value === 'number') && String(value) !== '') {
      found.add(String(value));
    }
  }
  for (const value of extra) if (value !== '') found.add(value);
  return [...found].sort((a, b) => b.length - a.length);
}

/**
 * Replaces every occurrence of a secret value in `text` (an error message from the driver, a log line)
 * by "[hidden]". Pass the RESOLVED config, and `extra` = the values config providers substituted
 * (resolveConfigProviders().resolvedValues), since any of those may be a secret.
 */
export function redactText(text: string, raw: Readonly<Record<string, unknown>>, extra: Iterable<string> = []): string {
  let out = text;
  // Longest first so a secret that contains another is hidden whole.
  for (const secret of secretValues(raw, extra)) out = out.split(secret).join(HIDDEN);
  return redactUrlPassword(out);
}
