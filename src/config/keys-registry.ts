/**
 * Schema registry authentication and TLS trust, in the Confluent converter vocabulary
 * (`value.converter.basic.auth.*`, `value.converter.bearer.auth.*`,
 * `value.converter.schema.registry.ssl.truststore.*`). pgcdc has one registry client for keys and
 * values, so each `key.converter.*` twin must be unset or equal its `value.converter.*` key.
 */
import { keysIn, type ConfigKey, type ConfigValue, type ParsedValues } from './definition.js';

const reg = keysIn('Schema registry');
type Side = 'key' | 'value';

export const registryKey = (side: Side, suffix: string): string => `${side}.converter.${suffix}`;
const SSL = 'schema.registry.ssl.';

/** The settings that exist on both sides; the key side's twin must match. */
export const REGISTRY_SUFFIXES = [
  'basic.auth.credentials.source', 'basic.auth.user.info', 'bearer.auth.credentials.source', 'bearer.auth.token',
  `${SSL}truststore.type`, `${SSL}truststore.location`, `${SSL}truststore.certificates`, `${SSL}endpoint.identification.algorithm`,
] as const;

const isSet = (x: ConfigValue | undefined): boolean => x !== null && x !== undefined && x !== '';

/** A key.converter.* value other than the value.converter.* one is refused (one client). */
function sameAsValue(suffix: string) {
  return (v: ConfigValue, all: ParsedValues): string | undefined => {
    if (!isSet(v)) return undefined;
    const other = all[registryKey('value', suffix)];
    return String(v) === String(other ?? '')
      ? undefined
      : `pgcdc registers keys and values through one registry client; leave it unset or set it equal to ${registryKey('value', suffix)}`;
  };
}

/** The value side's cross-key rules (Confluent's RestService refuses most of these combinations too). */
const valueRules: Record<string, (v: ConfigValue, all: ParsedValues) => string | undefined> = {
  'basic.auth.user.info': (v, all) => {
    const source = all[registryKey('value', 'basic.auth.credentials.source')];
    if (source === 'USER_INFO') {
      if (!isSet(v)) return 'is required when value.converter.basic.auth.credentials.source=USER_INFO (user:password)';
      if (!String(v).includes(':')) return 'must be user:password (no ":" found)';
    } else if (isSet(v)) {
      return 'is only used with value.converter.basic.auth.credentials.source=USER_INFO; set that, or remove this key';
    }
    return undefined;
  },
  'bearer.auth.token': (v, all) => {
    const source = all[registryKey('value', 'bearer.auth.credentials.source')];
    if (source === 'STATIC_TOKEN' && !isSet(v)) return 'is required when value.converter.bearer.auth.credentials.source=STATIC_TOKEN';
    if (source !== 'STATIC_TOKEN' && isSet(v)) return 'is only used with value.converter.bearer.auth.credentials.source=STATIC_TOKEN; set that, or remove this key';
    return undefined;
  },
  'bearer.auth.credentials.source': (v, all) =>
    isSet(v) && all[registryKey('value', 'basic.auth.credentials.source')] === 'USER_INFO'
      ? 'basic and bearer authentication cannot both be configured; set only one of value.converter.basic.auth.credentials.source=USER_INFO and this key'
      : undefined,
  [`${SSL}truststore.type`]: (v, all) => {
    const location = all[registryKey('value', `${SSL}truststore.location`)];
    const inline = all[registryKey('value', `${SSL}truststore.certificates`)];
    if (!isSet(v)) {
      return isSet(location) || isSet(inline) ? 'must be PEM when a truststore location or certificates are set (JKS and PKCS12 are not supported)' : undefined;
    }
    if (isSet(location) === isSet(inline)) return `PEM needs exactly one of ${registryKey('value', `${SSL}truststore.location`)} (a PEM file) and ${registryKey('value', `${SSL}truststore.certificates`)} (inline PEM)`;
    const url = all['value.converter.schema.registry.url'];
    if (typeof url === 'string' && !url.trim().toLowerCase().startsWith('https:')) return 'a truststore is only used for an https:// value.converter.schema.registry.url';
    return undefined;
  },
  [`${SSL}truststore.certificates`]: (v) =>
    isSet(v) && !String(v).includes('-----BEGIN CERTIFICATE-----') ? 'must hold PEM certificates (-----BEGIN CERTIFICATE----- ...)' : undefined,
};

function hostCheckRule(v: ConfigValue): string | undefined {
  return typeof v === 'string' && v.trim().toLowerCase() !== 'https' && v.trim() !== '' ? 'must be https (check the host name) or empty (no host name check)' : undefined;
}

function sideKeys(side: Side): ConfigKey[] {
  const Side = side === 'key' ? 'Key' : 'Value';
  const rule = (suffix: string) => (side === 'key' ? sameAsValue(suffix) : valueRules[suffix]);
  const twin = side === 'key' ? ' Must be unset or equal to its value.converter.* twin (one registry client).' : '';
  const opt = (suffix: string) => ({ ...(rule(suffix) ? { validate: rule(suffix) } : {}) });
  return [
    reg(registryKey(side, 'basic.auth.credentials.source'), 'STRING', side === 'value' ? 'URL' : null, 'MEDIUM', `${Side} registry basic auth source`,
      `Where registry basic-auth credentials come from: URL (user:password@ in the registry URL, if any) or USER_INFO (basic.auth.user.info).${twin}`,
      { allowed: ['URL', 'USER_INFO'], rejected: { sasl_inherit: 'not supported by pgcdc (it has no Kafka SASL credentials to inherit); use USER_INFO' }, ...opt('basic.auth.credentials.source') }),
    reg(registryKey(side, 'basic.auth.user.info'), 'PASSWORD', null, 'MEDIUM', `${Side} registry user info`,
      `user:password sent to the registry as HTTP basic auth when basic.auth.credentials.source=USER_INFO (e.g. a Confluent Cloud API key and secret).${twin}`,
      opt('basic.auth.user.info')),
    reg(registryKey(side, 'bearer.auth.credentials.source'), 'STRING', null, 'MEDIUM', `${Side} registry bearer auth source`,
      `STATIC_TOKEN sends bearer.auth.token as "Authorization: Bearer"; unset = no bearer auth.${twin}`,
      {
        allowed: ['STATIC_TOKEN'],
        rejected: {
          oauthbearer: 'not supported by pgcdc yet (no OAuth token endpoint client); use STATIC_TOKEN',
          sasl_oauthbearer_inherit: 'not supported by pgcdc (it has no Kafka SASL credentials to inherit); use STATIC_TOKEN',
          custom: 'custom bearer credential providers cannot run in pgcdc; use STATIC_TOKEN',
        },
        ...opt('bearer.auth.credentials.source'),
      }),
    reg(registryKey(side, 'bearer.auth.token'), 'PASSWORD', null, 'MEDIUM', `${Side} registry bearer token`,
      `Token sent to the registry when bearer.auth.credentials.source=STATIC_TOKEN.${twin}`, opt('bearer.auth.token')),
    reg(registryKey(side, `${SSL}truststore.type`), 'STRING', null, 'MEDIUM', `${Side} registry truststore type`,
      `PEM: trust the CA certificates of truststore.location or truststore.certificates for an https:// registry (instead of the system CAs). JKS and PKCS12 are not supported.${twin}`,
      { allowed: ['PEM'], rejected: { jks: 'not supported by pgcdc; convert the truststore to PEM (keytool -exportcert -rfc)', pkcs12: 'not supported by pgcdc; convert the truststore to PEM (openssl pkcs12 -nokeys)' }, ...opt(`${SSL}truststore.type`) }),
    reg(registryKey(side, `${SSL}truststore.location`), 'STRING', null, 'MEDIUM', `${Side} registry truststore file`,
      `Path of a PEM file with the CA certificate(s) the registry's certificate must chain to (truststore.type=PEM).${twin}`,
      { width: 'LONG', ...opt(`${SSL}truststore.location`) }),
    reg(registryKey(side, `${SSL}truststore.certificates`), 'STRING', null, 'MEDIUM', `${Side} registry truststore certificates`,
      `The CA certificate(s) as inline PEM text, instead of truststore.location (truststore.type=PEM).${twin}`,
      { width: 'LONG', ...opt(`${SSL}truststore.certificates`) }),
    reg(registryKey(side, `${SSL}endpoint.identification.algorithm`), 'STRING', side === 'value' ? 'https' : null, 'LOW', `${Side} registry host name check`,
      `https checks that the registry's certificate names its host; empty disables the check (the certificate must still chain to a trusted CA).${twin}`,
      // not an `allowed` list: for those an empty value means the default, and here it disables the check
      { validate: side === 'value' ? hostCheckRule : sameAsValue(`${SSL}endpoint.identification.algorithm`) }),
  ];
}

export const registryKeys: ConfigKey[] = [
  ...sideKeys('key'),
  ...sideKeys('value'),
  reg('value.converter.ignore.default.for.nullables', 'BOOLEAN', true, 'LOW', 'Keep nulls in columns with a default',
    'true (pgcdc\'s default): a NULL in a column that has a default is sent as null. false: sent as the column\'s default, as the Confluent and Apicurio Avro converters do by default (so a NULL cannot be told from the default); set it to get exactly the events Debezium with those converters writes.'),
];
