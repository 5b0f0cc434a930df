/**
 * Connector configuration: declarations, validation, the typed config, secrets and config providers.
 *
 * Run time:   await resolveConfigProviders(stored) → validateConnectorConfig(resolved) → ConnectorConfig.
 * REST:       toConnectValidationResponse(body) for PUT /connector-plugins/{type}/config/validate;
 *             redactConfig(stored) before returning a stored config.
 */
export {
  HIDDEN, isRequired, parseText, splitList, valueToString,
  type ConfigKey, type ConfigType, type ConfigValue, type Importance, type ParsedValues, type Width,
} from './definition.js';
export { CONFIG_GROUPS, CONFIG_KEYS, KEYS_BY_NAME, classifyKey, type KeyKind } from './keys.js';
export { AVRO_CONVERTERS, CONNECTOR_CLASSES, DEBEZIUM_CONNECTOR_CLASS, DEFAULT_REGISTRY_URL } from './keys-common.js';
export {
  buildConnectorConfig,
  type ConnectorConfig, type PublicationAutocreateMode, type SkippableOperation, type SnapshotMode, type SslMode,
} from './connector-config.js';
export {
  columnFilter, compilePattern, isSystemSchema, tableFilter,
  type ColumnFilter, type FilterLists, type TableFilter,
} from './filters.js';
export {
  evaluateKeys, formatConfigIssues, validateConnectorConfig,
  type ConfigIssue, type ConfigValidationResult, type KeyOutcome,
} from './validate.js';
export { isSecretKey, redactConfig, redactText, redactUrlCredentials, redactorFor, secretValues } from './secrets.js';
export {
  MAX_REFERENCES, findReferences, hasProviderReference, parseProperties, resolveConfigProviders,
  type ProviderOptions, type ProviderResolution, type Reference,
} from './providers.js';
export {
  PROVIDERS_OFF, PROVIDER_SETTINGS, activeProviderPolicy, enabledProviders, providerPolicyFromEnv, setProviderPolicy,
  type ProviderPolicy,
} from './provider-policy.js';
export { FILE_MAX_BYTES, FILE_TIMEOUT_MS, readProviderFile } from './provider-files.js';
export { backtrackingRisk } from './regex-safety.js';
export { MAX_TIMER_MS } from './validate.js';
export {
  toConnectValidationResponse,
  type ConnectConfigDefinition, type ConnectConfigValue, type ConnectValidationResponse, type ValidationResponseOptions,
} from './validation-response.js';
