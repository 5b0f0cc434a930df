/**
 * Kafka Connect's client security settings (security.protocol, sasl.*, ssl.* with PEM stores),
 * checked and turned into the TLS and SASL options of @platformatic/kafka (OAUTHBEARER's keys:
 * oauth-settings.ts). Every problem names its key; values of secret keys (sasl.jaas.config,
 * sasl.oauthbearer.client.credentials.client.secret, ssl.keystore.key, ssl.key.password) never appear.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { OAUTH_KEYS, OAUTH_LOGIN_MODULE, oauthSaslFrom, type OAuthSasl } from './oauth-settings.js';

export interface KafkaSecurity {
  tls?: TlsOptions;
  /** The password is a function so that it does not show when the options are printed. */
  sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: () => string } | OAuthSasl;
}

export const KAFKA_SECURITY_KEYS = [
  'bootstrap.servers', 'security.protocol', 'sasl.mechanism', 'sasl.jaas.config',
  'ssl.truststore.type', 'ssl.truststore.certificates', 'ssl.truststore.location',
  'ssl.keystore.type', 'ssl.keystore.certificate.chain', 'ssl.keystore.key', 'ssl.keystore.location',
  'ssl.key.password', 'ssl.endpoint.identification.algorithm', ...OAUTH_KEYS,
] as const;

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
const LOGIN_MODULES: Record<string, string> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  OAUTHBEARER: OAUTH_LOGIN_MODULE,
};
const MECHANISMS = 'PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER';

/** `Module required name="value" ...;` → module and options, or a problem (which never quotes the value). */
export function parseJaasConfig(text: string): { module: string; options: Map<string, string> } | string {
  const m = /^\s*([A-Za-z0-9_.$]+)\s+(required|requisite|sufficient|optional)\b([\s\S]*)$/.exec(text);
  if (!m) return 'must be "<LoginModule class> required name=\\"value\\" ...;"';
  const options = new Map<string, string>();
  let rest = m[3]!;
  const option = /^\s*([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s";]+))/;
  for (;;) {
    const o = option.exec(rest);
    if (!o) break;
    options.set(o[1]!, o[2] !== undefined ? o[2].replace(/\\(.)/g, '$1') : o[3]!);
    rest = rest.slice(o[0].length);
  }
  if (!/^\s*;\s*$/.test(rest)) return 'is not valid JAAS syntax: expected name="value" options ending with ";"';
  return { module: m[1]!, options };
}

/** Reads the keys above (others under ssl./sasl. are refused) into brokers and client security options. */
export function kafkaSecurityFrom(props: Map<string, string>, problems: string[]): { brokers: string[]; security: KafkaSecurity } {
  const known = new Set<string>(KAFKA_SECURITY_KEYS);
  for (const key of props.keys()) {
    if (known.has(key)) continue;
    if (/^(ssl|sasl)\./.test(key) || key.startsWith('PGCDC_KAFKA_')) problems.push(`${key}: not supported by pgcdc (supported: ${KAFKA_SECURITY_KEYS.filter((k) => k !== 'bootstrap.servers').join(', ')})`);
  }
  const get = (k: string): string | undefined => props.get(k)?.trim();
  const brokers = (get('bootstrap.servers') || '127.0.0.1:9092').split(',').map((b) => b.trim()).filter((b) => b !== '');
  for (const b of brokers) if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(b)) problems.push(`bootstrap.servers: ${JSON.stringify(b)} is not host:port`);

  const protocol = (get('security.protocol') || 'PLAINTEXT').toUpperCase();
  if (!PROTOCOLS.includes(protocol)) problems.push(`security.protocol: ${JSON.stringify(get('security.protocol'))} must be one of ${PROTOCOLS.join(', ')}`);
  const usesSsl = protocol === 'SSL' || protocol === 'SASL_SSL';
  const usesSasl = protocol.startsWith('SASL_');
  const security: KafkaSecurity = {};
  // Settings that would be ignored under this protocol are mistakes worth saying out loud.
  for (const key of props.keys()) {
    if (!usesSasl && key.startsWith('sasl.')) problems.push(`${key}: set, but security.protocol=${protocol} does not use SASL`);
    if (!usesSsl && key.startsWith('ssl.') && known.has(key)) problems.push(`${key}: set, but security.protocol=${protocol} does not use TLS`);
  }
  if (usesSasl) security.sasl = saslFrom(props, get, problems);
  if (usesSsl) security.tls = tlsFrom(props, problems);
  return { brokers, security };
}

function saslFrom(props: Map<string, string>, get: (k: string) => string | undefined, problems: string[]): KafkaSecurity['sasl'] {
  const mechanism = (get('sasl.mechanism') || 'GSSAPI').toUpperCase();
  if (!(mechanism in LOGIN_MODULES)) {
    problems.push(`sasl.mechanism: ${mechanism}${get('sasl.mechanism') ? '' : " (Kafka's default)"} is not supported; set ${MECHANISMS}`);
    return undefined;
  }
  // The OAUTHBEARER keys (sasl.login.*, sasl.oauthbearer.*) would do nothing under another mechanism.
  if (mechanism !== 'OAUTHBEARER') {
    for (const key of OAUTH_KEYS) if (props.has(key)) problems.push(`${key}: set, but sasl.mechanism=${mechanism} does not use it (OAUTHBEARER only)`);
  }
  const jaas = get('sasl.jaas.config');
  if (!jaas) {
    const example = mechanism === 'OAUTHBEARER' ? 'clientId="..." clientSecret="..."' : 'username="..." password="..."';
    problems.push(`sasl.jaas.config: required with sasl.mechanism=${mechanism}, e.g. ${LOGIN_MODULES[mechanism]} required ${example};`);
    return undefined;
  }
  const parsed = parseJaasConfig(jaas);
  if (typeof parsed === 'string') {
    problems.push(`sasl.jaas.config: ${parsed}`);
    return undefined;
  }
  if (parsed.module !== LOGIN_MODULES[mechanism]) {
    problems.push(`sasl.jaas.config: sasl.mechanism=${mechanism} needs ${LOGIN_MODULES[mechanism]}, not ${parsed.module}`);
    return undefined;
  }
  if (mechanism === 'OAUTHBEARER') return oauthSaslFrom(get, parsed.options, problems);
  const username = parsed.options.get('username');
  const password = parsed.options.get('password');
  if (!username || !password) {
    problems.push('sasl.jaas.config: needs both username="..." and password="..."');
    return undefined;
  }
  const extra = [...parsed.options.keys()].filter((k) => k !== 'username' && k !== 'password');
  if (extra.length > 0) problems.push(`sasl.jaas.config: option(s) ${extra.join(', ')} not supported by pgcdc`);
  return { mechanism: mechanism as 'PLAIN', username, password: () => password };
}

function pemFile(key: string, path: string, problems: string[]): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problems.push(`${key}: cannot read ${path}${code === 'ENOENT' ? ' (no such file)' : code ? ` (${code})` : ''}`);
    return undefined;
  }
}

function tlsFrom(props: Map<string, string>, problems: string[]): TlsOptions {
  const get = (k: string): string | undefined => (props.get(k)?.trim() || undefined);
  const tls: TlsOptions = {};
  const checkPem = (key: string, text: string | undefined, what: RegExp, label: string): void => {
    if (text !== undefined && !what.test(text)) problems.push(`${key}: no PEM ${label} found`);
  };

  const trustType = get('ssl.truststore.type');
  const trustInline = get('ssl.truststore.certificates');
  const trustFile = get('ssl.truststore.location');
  if (trustType !== undefined && trustType.toUpperCase() !== 'PEM') problems.push(`ssl.truststore.type: ${trustType} is not supported; use PEM (convert with keytool/openssl)`);
  else if ((trustInline || trustFile) && trustType === undefined) problems.push('ssl.truststore.type: set it to PEM (Kafka\'s default JKS is not supported)');
  if (trustInline && trustFile) problems.push('ssl.truststore.certificates and ssl.truststore.location: set only one');
  const ca = trustInline ?? (trustFile ? pemFile('ssl.truststore.location', trustFile, problems) : undefined);
  checkPem(trustInline ? 'ssl.truststore.certificates' : 'ssl.truststore.location', ca, /-----BEGIN CERTIFICATE-----/, 'certificate');
  // No truststore: the system's CAs (as Java uses its default cacerts), which managed Kafka services rely on.
  if (ca) tls.ca = ca;

  const keyType = get('ssl.keystore.type');
  const chain = get('ssl.keystore.certificate.chain');
  const key = get('ssl.keystore.key');
  const keyFile = get('ssl.keystore.location');
  const keyPassword = props.get('ssl.key.password');
  if (keyType !== undefined && keyType.toUpperCase() !== 'PEM') problems.push(`ssl.keystore.type: ${keyType} is not supported; use PEM (convert with keytool/openssl)`);
  else if ((chain || key || keyFile) && keyType === undefined) problems.push('ssl.keystore.type: set it to PEM (Kafka\'s default JKS is not supported)');
  if (keyFile && (chain || key)) problems.push('ssl.keystore.location and ssl.keystore.certificate.chain/ssl.keystore.key: set only one way');
  else if (Boolean(chain) !== Boolean(key)) problems.push('ssl.keystore.certificate.chain and ssl.keystore.key: set both (the client certificate and its key)');
  const keyPem = keyFile ? pemFile('ssl.keystore.location', keyFile, problems) : key;
  const certPem = keyFile ? keyPem : chain;
  if (keyPem !== undefined && certPem !== undefined) {
    const keyName = keyFile ? 'ssl.keystore.location' : 'ssl.keystore.key';
    checkPem(keyFile ? 'ssl.keystore.location' : 'ssl.keystore.certificate.chain', certPem, /-----BEGIN CERTIFICATE-----/, 'certificate');
    checkPem(keyName, keyPem, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key');
    if (/ENCRYPTED/.test(keyPem) && !keyPassword) problems.push(`ssl.key.password: required, ${keyName} holds an encrypted key`);
    else if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyPem)) {
      // Decrypting now turns a wrong password into a start-up problem rather than a failing connection.
      try {
        createPrivateKey({ key: keyPem, passphrase: keyPassword ?? '' });
      } catch {
        problems.push(keyPassword ? `ssl.key.password: does not decrypt the key in ${keyName}` : `${keyName}: the private key cannot be read`);
      }
    }
    tls.cert = certPem;
    tls.key = keyPem;
    if (keyPassword) tls.passphrase = keyPassword;
  } else if (keyPassword) problems.push('ssl.key.password: set, but there is no ssl.keystore key');

  const identification = props.get('ssl.endpoint.identification.algorithm');
  if (identification !== undefined && identification.trim() !== '' && identification.trim().toLowerCase() !== 'https') {
    problems.push(`ssl.endpoint.identification.algorithm: ${JSON.stringify(identification)} must be https (check the broker's host name, the default) or empty (do not)`);
  }
  // Empty: the certificate chain is still verified against the truststore, only the host name is not.
  if (identification !== undefined && identification.trim() === '') tls.checkServerIdentity = () => undefined;
  return tls;
}
