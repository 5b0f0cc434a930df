/**
 * What a registry client needs besides the URL: credentials (sent as an Authorization header on
 * every request) and the CA certificates to trust. Plain data from the connector config; the
 * setting names travel with it so errors can name the key to fix without showing its value.
 */
import { readFileSync } from 'node:fs';
import { PgcdcError } from '../errors/pgcdc-error.js';

export interface RegistryAccess {
  url: string;
  /** user:password from value.converter.basic.auth.user.info (source USER_INFO) */
  basicUserInfo: string | null;
  /** value.converter.bearer.auth.token (source STATIC_TOKEN) */
  bearerToken: string | null;
  /** PEM trust: a file or inline certificates; null = the system CAs */
  truststore: { file: string | null; pem: string | null } | null;
  /** false when endpoint.identification.algorithm is empty */
  checkHostname: boolean;
}

export const KEY_USER_INFO = 'value.converter.basic.auth.user.info';
export const KEY_BEARER_TOKEN = 'value.converter.bearer.auth.token';
export const KEY_URL = 'value.converter.schema.registry.url';
export const KEY_TRUST_FILE = 'value.converter.schema.registry.ssl.truststore.location';
export const KEY_TRUST_PEM = 'value.converter.schema.registry.ssl.truststore.certificates';
export const KEY_HOST_CHECK = 'value.converter.schema.registry.ssl.endpoint.identification.algorithm';

/** A bare URL (the loader, the console's lookups of old configs): credentials only from user:pass@. */
export function accessFromUrl(url: string): RegistryAccess {
  return { url, basicUserInfo: null, bearerToken: null, truststore: null, checkHostname: true };
}

/** The TLS options of a registry connection, or null for the system CAs with the default checks. */
export interface RegistryTls {
  ca: string | null;
  checkHostname: boolean;
  /** the key to name when the registry's certificate is not trusted */
  trustKey: string;
}

export function registryTls(access: RegistryAccess): RegistryTls | null {
  const t = access.truststore;
  if (!t && access.checkHostname) return null;
  let ca: string | null = t?.pem ?? null;
  if (t?.file) {
    try {
      ca = readFileSync(t.file, 'utf8');
    } catch (err) {
      throw new PgcdcError('config', `cannot read the registry truststore ${KEY_TRUST_FILE}=${t.file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { retriable: false, remedy: `point ${KEY_TRUST_FILE} at a readable PEM file` });
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new PgcdcError('config', `the registry truststore ${KEY_TRUST_FILE}=${t.file} holds no PEM certificate`, { retriable: false });
    }
  }
  return { ca, checkHostname: access.checkHostname, trustKey: t?.file ? KEY_TRUST_FILE : t?.pem ? KEY_TRUST_PEM : `${KEY_TRUST_FILE} (truststore.type=PEM)` };
}
