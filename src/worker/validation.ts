/**
 * Checks a connector config before anything is stored or started, and turns a stored config into
 * the typed one a Connector runs with. Every problem is reported at once, each naming its key.
 */
import {
  HIDDEN, KEYS_BY_NAME, classifyKey, isSecretKey, redactUrlCredentials, redactorFor, resolveConfigProviders, secretValues, validateConnectorConfig,
  type ConfigIssue, type ConnectorConfig, type ProviderOptions, type ProviderResolution,
} from '../config/index.js';
import { WorkerError } from './errors.js';

/** Why a connector name is unusable, or undefined. The config module's `name` rule is the reference. */
export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'a connector name is required';
  const reason = KEYS_BY_NAME.get('name')?.validate?.(name, {});
  return reason ? `Invalid connector name ${JSON.stringify(name)}: ${reason}` : undefined;
}

export function checkName(name: unknown): asserts name is string {
  const problem = nameProblem(name);
  if (problem) throw new WorkerError(400, problem);
}

/**
 * The config as it will be stored: the name filled in (Kafka Connect takes it from the request),
 * and, on an update, secret values sent back as "[hidden]" (what GET returned) kept as stored.
 */
export function configToStore(name: string, config: Record<string, unknown>, previous?: Record<string, unknown>): Record<string, unknown> {
  const given = config.name;
  if (given !== undefined && given !== name) {
    throw new WorkerError(400, `Connector name configuration (${String(given)}) doesn't match connector name in the URL (${name})`);
  }
  const out: Record<string, unknown> = { ...config, name };
  if (previous) {
    for (const [key, value] of Object.entries(out)) {
      if (value === HIDDEN && isSecretKey(key) && previous[key] !== undefined) out[key] = previous[key];
      // A URL as GET showed it (`user:[hidden]@`) keeps its stored credentials.
      const before = previous[key];
      if (typeof value === 'string' && typeof before === 'string' && value !== before && value.includes(HIDDEN) && redactUrlCredentials(before) === value) out[key] = before;
    }
  }
  return out;
}

export interface RunnableConfig {
  config?: ConnectorConfig;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
  /** Redacts secrets (resolved ones included) from text about this connector. */
  redact(text: string): string;
  /** What the config providers did (for the validation response). */
  resolution: ProviderResolution;
}

/** A config not prepared yet: nothing to show, nothing to hide but URL credentials. */
export const UNPREPARED: RunnableConfig = {
  errors: [],
  warnings: [],
  redact: redactorFor([]),
  resolution: { config: {}, errors: [], resolvedKeys: [], resolvedValues: [] },
};

/**
 * Resolves config provider references (under the worker's provider policy), then validates. Every
 * value a provider substituted is a secret in messages, whatever its key or length. The redactor's
 * secrets are computed once, so preparing a config of n keys costs linear time.
 */
export async function prepareConfig(stored: Record<string, unknown>, options: ProviderOptions = {}): Promise<RunnableConfig> {
  const resolution = await resolveConfigProviders(stored, options);
  // A key whose reference failed still holds the reference as written: quoting it is what messages should do.
  const failed = new Set(resolution.errors.map((e) => e.key));
  const usable = failed.size === 0 ? resolution.config : Object.fromEntries(Object.entries(resolution.config).filter(([k]) => !failed.has(k)));
  const redact = redactorFor(secretValues(usable, resolution.resolvedValues));
  const typeErrors: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(stored)) {
    // Declared keys get their type checked by validation; undeclared ones only here.
    if (classifyKey(key) !== 'implemented' && value !== null && typeof value === 'object') {
      typeErrors.push({ key, message: `Invalid value for configuration ${key}: must be a string, number or boolean, not a JSON ${Array.isArray(value) ? 'array' : 'object'}` });
    }
  }
  const clean = (issues: ConfigIssue[]) => issues.map((i) => ({ key: i.key, message: redact(i.message) }));
  if (resolution.errors.length > 0) {
    // Validate the rest anyway so that every problem is listed, not only the unresolvable references.
    const rest = validateConnectorConfig(resolution.config);
    const failedKeys = new Set(resolution.errors.map((e) => e.key));
    const others = rest.errors.filter((e) => !failedKeys.has(e.key));
    return { errors: clean([...resolution.errors, ...others, ...typeErrors]), warnings: clean(rest.warnings), redact, resolution };
  }
  const result = validateConnectorConfig(resolution.config);
  const errors = clean([...result.errors, ...typeErrors]);
  return { config: errors.length === 0 ? result.config : undefined, errors, warnings: clean(result.warnings), redact, resolution };
}
