/**
 * The answer of Kafka Connect's `PUT /connector-plugins/{type}/config/validate`:
 * `{name, error_count, groups, configs: [{definition, value}]}`, one entry per declared key.
 *
 * Kafka Connect has no notion of warnings (a config value only has `errors`, and every one of them
 * counts in error_count). pgcdc's warnings (ignored keys, legacy values) are therefore kept out of
 * `configs` and `error_count` and returned in an extra top-level `warnings: [{key, message}]` array,
 * which Kafka Connect clients ignore. Secret values are shown as "[hidden]", URL credentials masked;
 * provider references are shown as written, never resolved.
 */
import { HIDDEN, isRequired, valueToString, type ConfigKey, type Width } from './definition.js';
import { CONFIG_GROUPS } from './keys.js';
import { CONNECTOR_CLASSES, DEBEZIUM_CONNECTOR_CLASS } from './keys-common.js';
import { hasProviderReference, type ProviderResolution } from './providers.js';
import { isSecretKey, redactUrlCredentials } from './secrets.js';
import { evaluateKeys, type ConfigIssue } from './validate.js';

export interface ConnectConfigDefinition {
  name: string;
  type: string;
  required: boolean;
  default_value: string | null;
  importance: string;
  documentation: string;
  group: string;
  width: Width;
  display_name: string;
  dependents: string[];
  /** Position within the group, from 1 (Kafka's orderInGroup; -1 = none). */
  order: number;
}

export interface ConnectConfigValue {
  name: string;
  value: string | null;
  recommended_values: string[];
  errors: string[];
  visible: boolean;
}

export interface ConnectValidationResponse {
  name: string;
  error_count: number;
  groups: string[];
  configs: { definition: ConnectConfigDefinition; value: ConnectConfigValue }[];
  /** pgcdc extension: not errors, not counted in error_count. */
  warnings: ConfigIssue[];
}

export interface ValidationResponseOptions {
  /** The config with ${env:...}/${file:...} resolved (resolveConfigProviders); its errors are reported. */
  resolution?: Pick<ProviderResolution, 'config' | 'errors'>;
  /** Top-level `name`; default: the accepted connector.class given, else Debezium's class name. */
  pluginName?: string;
}

function defaultWidth(key: ConfigKey): Width {
  if (key.width) return key.width;
  if (key.type === 'LIST') return 'LONG';
  return key.type === 'STRING' || key.type === 'CLASS' || key.type === 'PASSWORD' ? 'MEDIUM' : 'SHORT';
}

function definitionOf(key: ConfigKey, order: number): ConnectConfigDefinition {
  return {
    name: key.name,
    type: key.type,
    required: isRequired(key),
    default_value: isRequired(key) ? null : valueToString(key.default),
    importance: key.importance,
    documentation: key.documentation,
    group: key.group,
    width: defaultWidth(key),
    display_name: key.displayName,
    dependents: [],
    order,
  };
}

export function toConnectValidationResponse(
  raw: Record<string, unknown>,
  options: ValidationResponseOptions = {},
): ConnectValidationResponse {
  const effective = options.resolution?.config ?? raw;
  const providerErrors: ConfigIssue[] = options.resolution?.errors ?? [];
  // By key, so that a config of many keys costs linear time.
  const providerErrorsOf = new Map<string, string[]>();
  for (const e of providerErrors) providerErrorsOf.set(e.key, [...(providerErrorsOf.get(e.key) ?? []), e.message]);
  const { outcomes, warnings, refusals } = evaluateKeys(effective);

  const orderInGroup = new Map<string, number>();
  const configs: ConnectValidationResponse['configs'] = [];
  for (const outcome of outcomes) {
    const { key } = outcome;
    const order = (orderInGroup.get(key.group) ?? 0) + 1;
    orderInGroup.set(key.group, order);
    const given = raw[key.name];
    let value: string | null;
    if (hasProviderReference(given) || outcome.value === undefined) {
      value = given === undefined || given === null ? null : typeof given === 'string' ? given : JSON.stringify(given);
    } else value = valueToString(outcome.value);
    if (value !== null && isSecretKey(key.name)) value = HIDDEN;
    else if (value !== null) value = redactUrlCredentials(value);
    const errors = [...(providerErrorsOf.get(key.name) ?? []), ...outcome.errors];
    configs.push({
      definition: definitionOf(key, order),
      value: { name: key.name, value, recommended_values: [...(key.allowed ?? [])], errors, visible: true },
    });
  }
  // Show entries grouped, groups in display order, keys in declaration order within a group.
  const groupIndex = (g: string) => CONFIG_GROUPS.indexOf(g);
  configs.sort((a, b) => groupIndex(a.definition.group) - groupIndex(b.definition.group) || a.definition.order - b.definition.order);

  // A reference that failed in an undeclared (ignored) key still fails at run time: report it too,
  // as are undeclared keys pgcdc refuses (keys-refused.ts, malformed column.mask.* / column.truncate.*).
  const declared = new Set(configs.map((c) => c.definition.name));
  const extra = new Map<string, ConnectValidationResponse['configs'][number]>();
  for (const e of [...providerErrors, ...refusals]) {
    if (declared.has(e.key)) continue;
    const seen = extra.get(e.key);
    if (seen) {
      seen.value.errors.push(e.message);
      continue;
    }
    const entry = {
      definition: {
        name: e.key, type: 'STRING', required: false, default_value: null, importance: 'LOW',
        documentation: providerErrors.includes(e) ? 'Not a pgcdc key, but its config provider reference must resolve.' : 'A Debezium key pgcdc refuses as given.',
        group: 'Common', width: 'NONE' as Width, display_name: e.key, dependents: [], order: -1,
      },
      value: { name: e.key, value: isSecretKey(e.key) ? HIDDEN : redactUrlCredentials(String(raw[e.key])), recommended_values: [], errors: [e.message], visible: true },
    };
    extra.set(e.key, entry);
    configs.push(entry);
  }

  const givenClass = raw['connector.class'];
  const name = options.pluginName
    ?? (typeof givenClass === 'string' && (CONNECTOR_CLASSES as readonly string[]).includes(givenClass.trim()) ? givenClass.trim() : DEBEZIUM_CONNECTOR_CLASS);
  return {
    name,
    error_count: configs.reduce((n, c) => n + c.value.errors.length, 0),
    groups: [...CONFIG_GROUPS],
    configs,
    warnings,
  };
}
