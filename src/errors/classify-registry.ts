/**
 * Registry failures classified where they enter (schema-registrar.ts): refused credentials and an
 * untrusted certificate are permanent and name the setting to fix, never its value; anything else
 * on the way (refused connection, timeout) is transient. Messages show the URL without user info.
 */
import { PgcdcError } from './pgcdc-error.js';

/** Node's TLS verification codes (fetch and node:https both put them on the error's cause). */
const CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE', 'INVALID_CA',
]);
const HOSTNAME_CODE = 'ERR_TLS_CERT_ALTNAME_INVALID';

/** A failed request (no HTTP answer). `trustKey` names the truststore setting, `hostKey` the host name check. */
export function registryRequestFailure(err: unknown, shown: string, what: string, trustKey: string, hostKey: string): PgcdcError {
  const cause = (err as { cause?: { code?: string } }).cause;
  const code = cause?.code;
  if (code && CERT_CODES.has(code)) {
    return new PgcdcError('sink-permanent', `schema registry at ${shown} presented a certificate pgcdc does not trust while ${what} (${code})`, {
      retriable: false, cause: err,
      remedy: `set ${trustKey} to the PEM of the CA that signed the registry's certificate (with truststore.type=PEM)`,
    });
  }
  if (code === HOSTNAME_CODE) {
    return new PgcdcError('sink-permanent', `schema registry at ${shown} presented a certificate for another host name while ${what} (${code})`, {
      retriable: false, cause: err,
      remedy: `use the host name the certificate names in the registry URL, or set ${hostKey} to empty to skip the host name check`,
    });
  }
  const why = code ?? (err as { name?: string }).name;
  return new PgcdcError('sink-transient', `schema registry at ${shown} unreachable while ${what}${why ? ` (${why})` : ''}`, {
    cause: err,
    remedy: 'check that the schema registry is running; pgcdc retries',
  });
}

/** HTTP 401/403: the registry refused pgcdc's credentials (or wants some). `authKey` is the setting that holds them. */
export function registryAuthFailure(status: number, shown: string, what: string, authKey: string | null): PgcdcError {
  const refused = status === 401 ? 'rejected the credentials' : 'denied access';
  return new PgcdcError('sink-permanent', authKey
    ? `schema registry at ${shown} ${refused} (HTTP ${status}) while ${what}: check ${authKey}`
    : `schema registry at ${shown} requires authentication (HTTP ${status}) while ${what}: set value.converter.basic.auth.credentials.source=USER_INFO and value.converter.basic.auth.user.info, or bearer.auth.*`, {
    retriable: false,
    remedy: status === 403 ? "the registry's user needs read and write access to the subjects" : authKey ? 'credentials are not retried; fix them and restart the connector' : 'configure registry credentials',
  });
}
