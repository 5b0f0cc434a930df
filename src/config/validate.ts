/**
 * Validation of a raw connector config map. Every problem is collected in one pass so a user fixes
 * their config once, not one error per restart; each error names its key.
 */
import { buildConnectorConfig, type ConnectorConfig } from './connector-config.js';
import {
  HIDDEN, isRequired, parseText, rawToString, valueToString,
  type ConfigKey, type ConfigValue, type ParsedValues,
} from './definition.js';
import { CONFIG_KEYS, classifyKey } from './keys.js';
import { parseColumnRules } from './keys-columns.js';
import { refusalMessage } from './keys-refused.js';
import { isSecretKey, redactUrlCredentials } from './secrets.js';

export interface ConfigIssue {
  key: string;
  message: string;
}

export interface ConfigValidationResult {
  /** Present only when there are no errors. */
  config?: ConnectorConfig;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

/** What validation concluded about one declared key (also feeds the Kafka Connect response). */
export interface KeyOutcome {
  key: ConfigKey;
  /** The raw value as given (undefined when absent). */
  raw: unknown;
  /** Parsed value, default applied; undefined when it did not parse. */
  value?: ConfigValue;
  errors: string[];
}

export interface KeyEvaluation {
  outcomes: KeyOutcome[];
  values: ParsedValues;
  warnings: ConfigIssue[];
  /** errors of undeclared keys: refused Debezium keys (keys-refused.ts), malformed column.mask.* / column.truncate.* */
  refusals: ConfigIssue[];
}

/** The value as quoted in a message: never a secret, no URL credentials, shortened. */
function shown(key: ConfigKey, value: unknown): string {
  if (isSecretKey(key.name)) return HIDDEN;
  const text = redactUrlCredentials(typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : String(value));
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

/** Node's timers take at most 2^31-1 ms; a larger delay silently becomes 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Every `*.ms` key is a duration some timer waits for: refused beyond Node's timer range. */
function timerRangeProblem(key: ConfigKey, value: ConfigValue): string | undefined {
  if (!key.name.endsWith('.ms') || typeof value !== 'number' || value <= MAX_TIMER_MS) return undefined;
  return `must be at most ${MAX_TIMER_MS} (2^31-1 ms, about 24.8 days: the longest timer Node.js supports)`;
}

function invalid(key: ConfigKey, value: unknown, reason: string): string {
  return `Invalid value ${shown(key, value)} for configuration ${key.name}: ${reason}`;
}

/** Checks `allowed`/`rejected`/`aliases`, returning the canonical value or the reason it is refused. */
function checkEnum(key: ConfigKey, value: ConfigValue, warn: (msg: string) => void): { value?: ConfigValue; reason?: string } {
  if (!key.allowed || value === null) return { value };
  const exact = key.type === 'CLASS';
  const one = (item: string): { value?: string; reason?: string } => {
    const probe = exact ? item.trim() : item.trim().toLowerCase();
    const alias = key.aliases?.[probe];
    if (alias !== undefined) {
      warn(`Value "${item}" of configuration ${key.name} is a legacy Debezium name; treated as "${alias}"`);
      return { value: alias };
    }
    const rejected = key.rejected?.[probe];
    if (rejected !== undefined) return { reason: `"${item}" is ${rejected}` };
    const found = key.allowed!.find((a) => (exact ? a === probe : a.toLowerCase() === probe));
    if (found !== undefined) return { value: found };
    return { reason: key.notAllowedMessage ?? `must be one of: ${key.allowed!.join(', ')}` };
  };
  if (Array.isArray(value)) {
    const out: string[] = [];
    const reasons: string[] = [];
    for (const item of value) {
      const r = one(item);
      if (r.reason) reasons.push(`${JSON.stringify(item)}: ${r.reason}`);
      else if (!out.includes(r.value!)) out.push(r.value!);
    }
    return reasons.length ? { reason: reasons.join('; ') } : { value: out };
  }
  return typeof value === 'string' ? one(value) : { value };
}

/** Parses and checks every declared key; classifies undeclared ones as warnings. */
export function evaluateKeys(raw: Readonly<Record<string, unknown>>): KeyEvaluation {
  const warnings: ConfigIssue[] = [];
  const refusals: ConfigIssue[] = [];
  const values: Record<string, ConfigValue> = {};
  const outcomes: KeyOutcome[] = [];

  for (const key of CONFIG_KEYS) {
    const rawValue = Object.hasOwn(raw, key.name) ? raw[key.name] : undefined;
    const outcome: KeyOutcome = { key, raw: rawValue, errors: [] };
    outcomes.push(outcome);
    const { text, error } = rawToString(rawValue);
    if (error !== undefined) {
      outcome.errors.push(`Invalid value for configuration ${key.name}: ${error}`);
      continue;
    }
    let parsed: ConfigValue;
    if (text === undefined) {
      if (isRequired(key)) {
        outcome.errors.push(`Missing required configuration "${key.name}" which has no default value.`);
        continue;
      }
      parsed = key.default ?? null;
    } else {
      const result = parseText(key, text);
      if (result.error !== undefined) {
        outcome.errors.push(invalid(key, text, result.error));
        continue;
      }
      parsed = result.value;
    }
    const checked = checkEnum(key, parsed, (message) => warnings.push({ key: key.name, message }));
    if (checked.reason !== undefined) {
      outcome.errors.push(invalid(key, text ?? valueToString(parsed), checked.reason));
      continue;
    }
    outcome.value = checked.value!;
    values[key.name] = checked.value!;
  }

  // Per-key and cross-key rules, once every value is known.
  for (const outcome of outcomes) {
    if (outcome.value === undefined) continue;
    const reason = timerRangeProblem(outcome.key, outcome.value) ?? outcome.key.validate?.(outcome.value, values);
    if (reason !== undefined) outcome.errors.push(invalid(outcome.key, outcome.value, reason));
  }

  for (const name of Object.keys(raw)) {
    const kind = classifyKey(name);
    if (kind === 'refused') {
      const { text, error } = rawToString(raw[name]);
      const message = error !== undefined ? `Invalid value for configuration ${name}: ${error}` : refusalMessage(name, text);
      if (message !== undefined) refusals.push({ key: name, message });
    } else if (kind === 'unimplemented') {
      warnings.push({ key: name, message: `Configuration ${name} is a known Debezium/Kafka Connect key not implemented by pgcdc; ignored` });
    } else if (kind === 'unknown') {
      warnings.push({ key: name, message: `Configuration ${name} is not recognised by pgcdc; ignored` });
    }
  }
  refusals.push(...parseColumnRules(raw).errors);
  return { outcomes, values, warnings, refusals };
}

/**
 * Validates a connector config map (Kafka Connect sends strings; numbers and booleans are accepted).
 * Resolve config provider references (resolveConfigProviders) first when running the connector.
 */
export function validateConnectorConfig(raw: Record<string, unknown>): ConfigValidationResult {
  const { outcomes, values, warnings, refusals } = evaluateKeys(raw);
  const errors = [...outcomes.flatMap((o) => o.errors.map((message) => ({ key: o.key.name, message }))), ...refusals];
  if (errors.length > 0) return { errors, warnings };
  return { config: buildConnectorConfig(values, raw), errors, warnings };
}

/** One line per issue, for logs and CLI output. */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => `  - ${i.message}`).join('\n');
}
