import { PgcdcError } from './pgcdc-error.js';

/**
 * Classifies what the OAUTHBEARER token endpoint (sasl.oauthbearer.token.endpoint.url) answered,
 * where it enters (src/kafka/oauth-token-request.ts). Refused client credentials do not heal by
 * retrying and name sasl.jaas.config; an unreachable or failing endpoint is retried. Neither the
 * client secret nor a token ever appears: only the HTTP status and the OAuth `error` code.
 */

const ENDPOINT = 'sasl.oauthbearer.token.endpoint.url';

/** The OAuth error code of a token endpoint's JSON answer (RFC 6749 5.2), when it has a plain one. */
function oauthErrorCode(body: string): string | undefined {
  try {
    const code = (JSON.parse(body) as { error?: unknown }).error;
    return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** An answer other than 2xx. */
export function classifyTokenEndpointStatus(url: string, status: number, body: string): PgcdcError {
  const code = oauthErrorCode(body);
  const what = `the OAUTHBEARER token endpoint ${url} answered HTTP ${status}${code ? ` ${code}` : ''}`;
  if (status === 401 || status === 403 || code === 'invalid_client' || code === 'unauthorized_client' || code === 'invalid_grant') {
    const remedy = 'check clientId and clientSecret in sasl.jaas.config (or sasl.oauthbearer.client.credentials.*): the identity provider refused them';
    return new PgcdcError('sink-permanent', `${what}; ${remedy}`, { retriable: false, remedy });
  }
  if (code === 'invalid_scope') {
    const remedy = 'check scope in sasl.jaas.config (or sasl.oauthbearer.scope): the identity provider does not grant it to this client';
    return new PgcdcError('sink-permanent', `${what}; ${remedy}`, { retriable: false, remedy });
  }
  if (status >= 500 || status === 429 || status === 408) {
    return new PgcdcError('sink-transient', what, { retriable: true, remedy: 'the identity provider is failing or busy; pgcdc retries' });
  }
  const remedy = `check ${ENDPOINT} (the identity provider's token endpoint) and the client settings in sasl.jaas.config`;
  return new PgcdcError('sink-permanent', `${what}; ${remedy}`, { retriable: false, remedy });
}

/** A 2xx answer that does not carry a usable token (names the setting that decides what "usable" is). */
export function invalidTokenAnswer(url: string, problem: string, setting = ENDPOINT): PgcdcError {
  const remedy = `check ${setting}`;
  return new PgcdcError('sink-permanent', `the OAUTHBEARER token endpoint ${url} returned no usable token: ${problem}; ${remedy}`, { retriable: false, remedy });
}

const CERT = /unable to verify|self[- ]signed certificate|unable to get (local )?issuer|certificate has expired|certificate is not yet valid|CERT_|UNABLE_TO_VERIFY|altnames|Hostname\/IP does not match/i;

/** No answer: refused, reset, timed out (retriable), or a TLS certificate that will not become trusted. */
export function classifyTokenEndpointFailure(url: string, err: unknown, timeout?: string): PgcdcError {
  const e = err as { code?: string; message?: string } | undefined;
  const detail = timeout ?? `${e?.code ? `${e.code} ` : ''}${e?.message ?? String(err)}`;
  if (!timeout && CERT.test(detail)) {
    const remedy = `the token endpoint's certificate is not trusted or does not name its host: pgcdc checks it against Node's CA list (add a private CA with NODE_EXTRA_CA_CERTS), as Java checks it against its default truststore`;
    return new PgcdcError('sink-permanent', `cannot reach the OAUTHBEARER token endpoint ${url}: ${detail}; ${remedy}`, { cause: err, retriable: false, remedy });
  }
  return new PgcdcError('sink-transient', `cannot reach the OAUTHBEARER token endpoint ${url}: ${detail}`, {
    cause: err,
    retriable: true,
    remedy: `check that ${ENDPOINT} is reachable from pgcdc; pgcdc retries`,
  });
}
