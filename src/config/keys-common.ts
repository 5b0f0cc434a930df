/** Kafka Connect's common keys, the converters pgcdc accepts, and the database connection. */
import { readFileSync } from 'node:fs';
import { keysIn, REQUIRED, rules, type ConfigKey, type ConfigValue, type ParsedValues } from './definition.js';

export const DEBEZIUM_CONNECTOR_CLASS = 'io.debezium.connector.postgresql.PostgresConnector';
export const CONNECTOR_CLASSES = [DEBEZIUM_CONNECTOR_CLASS, 'io.pgcdc.PostgresConnector', 'pgcdc'] as const;
export const AVRO_CONVERTERS = [
  'io.confluent.connect.avro.AvroConverter',
  'io.apicurio.registry.utils.converter.AvroConverter',
] as const;
export const DEFAULT_REGISTRY_URL = 'http://127.0.0.1:8081/apis/ccompat/v7';

const common = keysIn('Common');

/** key.converter.schema.registry.url: pgcdc has one registry client, for keys and values alike. */
function sameRegistryAsValues(v: ConfigValue, all: ParsedValues): string | undefined {
  const bad = rules.httpUrl(v);
  if (bad !== undefined || typeof v !== 'string') return bad;
  const values = all['value.converter.schema.registry.url'];
  const norm = (u: string) => u.trim().replace(/\/+$/, '');
  return typeof values === 'string' && norm(values) !== norm(v)
    ? 'a key registry other than value.converter.schema.registry.url is not supported by pgcdc yet (keys and values are registered in one registry); set both to the same URL'
    : undefined;
}
const conn = keysIn('Connection');

/**
 * A PEM file key: the worker must be able to read the file (checked again when connecting). The
 * reason never repeats the path: `invalid` shows the value unless the key looks secret (sslkey).
 */
function pemFileProblem(v: ConfigValue): string | undefined {
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  try {
    readFileSync(v, 'utf8');
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'the file does not exist' : `the file cannot be read by the worker (${code ?? 'error'})`;
  }
}

function converterKeys(side: 'key' | 'value'): ConfigKey[] {
  const Side = side === 'key' ? 'Key' : 'Value';
  return [
    common(`${side}.converter`, 'CLASS', AVRO_CONVERTERS[0], 'LOW', `${Side} converter class`,
      `Converter for record ${side}s. pgcdc writes Avro through a Confluent-compatible schema registry, so only the Avro converters are accepted.`,
      { allowed: AVRO_CONVERTERS, notAllowedMessage: `pgcdc only writes Avro; use ${AVRO_CONVERTERS[0]}` }),
    common(`${side}.converter.schema.registry.url`, 'STRING', side === 'value' ? DEFAULT_REGISTRY_URL : null, 'HIGH', `${Side} schema registry URL`,
      side === 'value'
        ? 'Base URL of the Confluent-compatible schema registry used for record key and value schemas (Apicurio: .../apis/ccompat/v7).'
        : 'Registry of record key schemas; pgcdc registers keys and values in one registry, so this must be unset or equal value.converter.schema.registry.url.',
      { validate: side === 'value' ? rules.httpUrl : sameRegistryAsValues, width: 'LONG' }),
  ];
}

export const commonKeys: ConfigKey[] = [
  common('name', 'STRING', REQUIRED, 'HIGH', 'Connector name',
    'Globally unique name of the connector: 1-200 characters from A-Z a-z 0-9 . _ -. It names the stored offsets and state.',
    {
      validate: (v) =>
        typeof v === 'string' && (!/^[A-Za-z0-9._-]{1,200}$/.test(v) || v === '.' || v === '..')
          ? 'must be 1-200 characters from A-Z a-z 0-9 . _ - (no spaces or path characters)'
          : undefined,
    }),
  common('connector.class', 'CLASS', DEBEZIUM_CONNECTOR_CLASS, 'HIGH', 'Connector class',
    `Connector implementation. pgcdc answers to Debezium's class name so existing configurations work unchanged.`,
    {
      allowed: CONNECTOR_CLASSES,
      notAllowedMessage: `pgcdc implements only ${DEBEZIUM_CONNECTOR_CLASS} (also accepted: pgcdc, io.pgcdc.PostgresConnector)`,
    }),
  common('tasks.max', 'INT', 1, 'HIGH', 'Tasks max',
    'Maximum number of tasks. A PostgreSQL replication slot has one reader, so pgcdc (like Debezium) runs a single task.',
    { validate: (v) => (v !== 1 ? 'pgcdc runs exactly one task per connector; set 1' : undefined) }),
  ...converterKeys('key'),
  ...converterKeys('value'),
];

export const connectionKeys: ConfigKey[] = [
  conn('database.hostname', 'STRING', REQUIRED, 'HIGH', 'Hostname', 'Host name or IP address of the PostgreSQL server.',
    { validate: (v) => (typeof v === 'string' && /\s/.test(v.trim()) ? 'must not contain whitespace' : undefined) }),
  conn('database.port', 'INT', 5432, 'HIGH', 'Port', 'Port of the PostgreSQL server.', { validate: rules.range(1, 65535) }),
  conn('database.user', 'STRING', REQUIRED, 'HIGH', 'User',
    'PostgreSQL role to connect as; it needs the REPLICATION attribute and SELECT on the captured tables.'),
  conn('database.password', 'PASSWORD', null, 'HIGH', 'Password',
    'Password of database.user. Where the worker enables config providers (PGCDC_CONFIG_PROVIDERS), prefer a reference such as ${env:PGCDC_DB_PASSWORD} or ${file:/run/secrets/db.properties:password}.'),
  conn('database.dbname', 'STRING', REQUIRED, 'HIGH', 'Database', 'Name of the database to capture changes from.'),
  conn('database.sslmode', 'STRING', 'prefer', 'MEDIUM', 'SSL mode',
    'As libpq: disable: plain connection; allow: plain, or TLS when the server refuses a plain connection; prefer: TLS, or plain when the server does not offer TLS; require: TLS without certificate checks (with database.sslrootcert set: like verify-ca); verify-ca: TLS with the server certificate checked against database.sslrootcert; verify-full: verify-ca plus the host name check.',
    {
      allowed: ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'],
      validate: (v, all) =>
        (v === 'verify-ca' || v === 'verify-full') && !all['database.sslrootcert']
          ? `${v} checks the server certificate against a CA: set database.sslrootcert to the PEM file of that CA`
          : undefined,
    }),
  conn('database.sslrootcert', 'STRING', null, 'MEDIUM', 'SSL root certificate',
    'Path of the PEM file with the CA certificate(s) the server certificate is checked against (verify-ca, verify-full, and require when set).',
    { validate: pemFileProblem }),
  conn('database.sslcert', 'STRING', null, 'MEDIUM', 'SSL client certificate',
    'Path of the file (PEM, or DER as pgjdbc accepts) with the client certificate sent to the server (for pg_hba.conf "cert" authentication or clientcert=verify-*); needs database.sslkey.',
    {
      validate: (v, all) =>
        pemFileProblem(v) ??
        (v && !all['database.sslkey'] ? 'a client certificate needs its private key: set database.sslkey too'
          : v && all['database.sslmode'] === 'disable' ? 'database.sslmode=disable opens plain connections, which send no certificate: use another sslmode or remove it'
            : undefined),
    }),
  conn('database.sslkey', 'STRING', null, 'MEDIUM', 'SSL client key',
    'Path of the file with the private key of database.sslcert: PEM (PKCS#1, PKCS#8 or SEC1) or PKCS#8 DER (pgjdbc\'s .pk8); an encrypted key needs database.sslpassword.',
    { validate: (v, all) => pemFileProblem(v) ?? (v && !all['database.sslcert'] ? 'a client key needs its certificate: set database.sslcert too' : undefined) }),
  conn('database.sslpassword', 'PASSWORD', null, 'MEDIUM', 'SSL client key password',
    'Passphrase of an encrypted database.sslkey.',
    { validate: (v, all) => (v && !all['database.sslkey'] ? 'a passphrase is only used to decrypt database.sslkey: set database.sslkey or remove it' : undefined) }),
  conn('connect.timeout.ms', 'INT', 10_000, 'MEDIUM', 'Connect timeout (ms)',
    "Longest time opening a PostgreSQL connection (TCP, TLS, authentication) may take before it counts as failed; the connector then goes RESTARTING and retries with backoff. Debezium's key (its other connectors'; pgjdbc's connectTimeout default is also 10 s).",
    { validate: rules.range(1, 3_600_000) }),
];
