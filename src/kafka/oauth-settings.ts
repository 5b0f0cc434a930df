/**
 * sasl.mechanism=OAUTHBEARER with an OIDC token endpoint (KIP-768), in the keys a Kafka Connect
 * worker uses: sasl.login.callback.handler.class (Kafka's OAuthBearerLoginCallbackHandler),
 * sasl.oauthbearer.token.endpoint.url, the client credentials in sasl.jaas.config (clientId,
 * clientSecret, scope, extension_<name>) or in Kafka 4.1's sasl.oauthbearer.client.credentials.*,
 * and the sasl.login.* timeouts, retries and refresh window. Every problem names its key and never
 * quotes the client secret.
 */
import { OAuthTokenSource, type RefreshSettings } from './oauth-token-source.js';
import type { TokenRequestSettings } from './oauth-token-request.js';

export const OAUTH_LOGIN_MODULE = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule';
const HANDLERS = [
  'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler',
  // Kafka 3.1-3.x's name of the same handler (removed in 4.0); still in many copied worker files.
  'org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerLoginCallbackHandler',
];
const RETRIEVERS = [
  // Kafka 4.1+: the default picks the client_credentials retriever for an http(s) token endpoint.
  'org.apache.kafka.common.security.oauthbearer.DefaultJwtRetriever',
  'org.apache.kafka.common.security.oauthbearer.ClientCredentialsJwtRetriever',
];

/** The keys read here, beyond sasl.mechanism and sasl.jaas.config; sasl.login.* below apply to OAUTHBEARER only. */
export const OAUTH_KEYS = [
  'sasl.login.callback.handler.class', 'sasl.oauthbearer.token.endpoint.url',
  'sasl.oauthbearer.jwt.retriever.class', 'sasl.oauthbearer.client.credentials.client.id',
  'sasl.oauthbearer.client.credentials.client.secret', 'sasl.oauthbearer.scope',
  'sasl.oauthbearer.scope.claim.name', 'sasl.oauthbearer.sub.claim.name', 'sasl.oauthbearer.header.urlencode',
  'sasl.login.connect.timeout.ms', 'sasl.login.read.timeout.ms',
  'sasl.login.retry.backoff.ms', 'sasl.login.retry.backoff.max.ms',
  'sasl.login.refresh.window.factor', 'sasl.login.refresh.window.jitter',
  'sasl.login.refresh.min.period.seconds', 'sasl.login.refresh.buffer.seconds',
] as const;

export interface OAuthSasl {
  mechanism: 'OAUTHBEARER';
  /** Called by the client library at every (re-)authentication. */
  token: () => Promise<string>;
  oauthBearerExtensions?: Record<string, string>;
}

type Get = (key: string) => string | undefined;

function numberSetting(get: Get, key: string, fallback: number, min: number, max: number, integer: boolean, problems: string[]): number {
  const text = get(key);
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    problems.push(`${key}: ${JSON.stringify(text)} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
    return fallback;
  }
  return n;
}

/** Kafka's rules for SASL extensions (RFC 7628): names of letters, values of visible ASCII, "auth" reserved. */
function extensionsFrom(options: Map<string, string>, problems: string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [k, v] of options) {
    if (!k.startsWith('extension_')) continue;
    const name = k.slice('extension_'.length);
    if (!/^[A-Za-z]+$/.test(name) || name === 'auth') problems.push(`sasl.jaas.config: ${k}: an extension name must be letters only, and not "auth"`);
    else if (!/^[\x21-\x7E \t\r\n]+$/.test(v)) problems.push(`sasl.jaas.config: ${k}: the value must be visible ASCII`);
    else out[name] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The OAUTHBEARER client of `get`'s keys and sasl.jaas.config's options (the login module already checked). */
export function oauthSaslFrom(get: Get, options: Map<string, string>, problems: string[]): OAuthSasl | undefined {
  const before = problems.length;
  const handler = get('sasl.login.callback.handler.class');
  if (!handler) {
    problems.push(`sasl.login.callback.handler.class: required with sasl.mechanism=OAUTHBEARER: ${HANDLERS[0]} (Kafka's default makes unsecured tokens, which pgcdc does not)`);
  } else if (!HANDLERS.includes(handler)) {
    problems.push(`sasl.login.callback.handler.class: ${handler} is not supported; pgcdc implements ${HANDLERS[0]} (an OIDC token endpoint with client credentials)`);
  }
  const retriever = get('sasl.oauthbearer.jwt.retriever.class');
  if (retriever && !RETRIEVERS.includes(retriever)) {
    problems.push(`sasl.oauthbearer.jwt.retriever.class: ${retriever} is not supported; pgcdc implements the client_credentials grant (${RETRIEVERS.join(' or ')})`);
  }

  const url = get('sasl.oauthbearer.token.endpoint.url');
  if (!url) problems.push('sasl.oauthbearer.token.endpoint.url: required with sasl.mechanism=OAUTHBEARER (the identity provider\'s token endpoint)');
  else {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      problems.push('sasl.oauthbearer.token.endpoint.url: not a URL');
    }
    if (parsed && parsed.protocol === 'file:') problems.push('sasl.oauthbearer.token.endpoint.url: a file: token is not supported by pgcdc; give the http(s) token endpoint');
    else if (parsed && parsed.protocol !== 'https:' && parsed.protocol !== 'http:') problems.push('sasl.oauthbearer.token.endpoint.url: must be an http(s) URL');
    else if (parsed && (parsed.username || parsed.password)) problems.push('sasl.oauthbearer.token.endpoint.url: must not carry credentials; give them as clientId/clientSecret in sasl.jaas.config');
  }

  // Client credentials: the JAAS options (KIP-768) or Kafka 4.1's keys, one way only.
  const known = new Set(['clientId', 'clientSecret', 'scope']);
  const other = [...options.keys()].filter((k) => !known.has(k) && !k.startsWith('extension_'));
  if (other.length > 0) problems.push(`sasl.jaas.config: option(s) ${other.join(', ')} not supported by pgcdc with OAUTHBEARER (supported: clientId, clientSecret, scope, extension_<name>)`);
  const pick = (option: string, key: string): string | undefined => {
    const fromJaas = options.get(option);
    const fromKey = get(key);
    if (fromJaas !== undefined && fromKey) problems.push(`${key} and sasl.jaas.config's ${option}: set only one`);
    return fromKey || fromJaas;
  };
  const clientId = pick('clientId', 'sasl.oauthbearer.client.credentials.client.id');
  const clientSecret = pick('clientSecret', 'sasl.oauthbearer.client.credentials.client.secret');
  const scope = pick('scope', 'sasl.oauthbearer.scope');
  if (!clientId || !clientSecret) problems.push('sasl.jaas.config: needs clientId="..." and clientSecret="..." with OAUTHBEARER (or sasl.oauthbearer.client.credentials.client.id/.client.secret)');
  const extensions = extensionsFrom(options, problems);

  const urlencode = get('sasl.oauthbearer.header.urlencode');
  if (urlencode !== undefined && urlencode !== '' && !/^(true|false)$/i.test(urlencode)) problems.push(`sasl.oauthbearer.header.urlencode: ${JSON.stringify(urlencode)} must be true or false`);
  const claim = (key: string, fallback: string): string => {
    const v = get(key);
    if (v !== undefined && v !== '' && !/^[A-Za-z0-9_.:/-]+$/.test(v)) problems.push(`${key}: ${JSON.stringify(v)} is not a claim name`);
    return v || fallback;
  };
  const request: TokenRequestSettings = {
    tokenEndpointUrl: url ?? '',
    clientId: clientId ?? '',
    clientSecret: () => clientSecret ?? '',
    ...(scope ? { scope } : {}),
    headerUrlencode: /^true$/i.test(urlencode ?? ''),
    subClaimName: claim('sasl.oauthbearer.sub.claim.name', 'sub'),
    scopeClaimName: claim('sasl.oauthbearer.scope.claim.name', 'scope'),
    // Kafka leaves both unset (the JVM waits forever); pgcdc bounds them.
    connectTimeoutMs: numberSetting(get, 'sasl.login.connect.timeout.ms', 10_000, 1, 3_600_000, true, problems),
    readTimeoutMs: numberSetting(get, 'sasl.login.read.timeout.ms', 10_000, 1, 3_600_000, true, problems),
    retryBackoffMs: numberSetting(get, 'sasl.login.retry.backoff.ms', 100, 0, 3_600_000, true, problems),
    retryBackoffMaxMs: numberSetting(get, 'sasl.login.retry.backoff.max.ms', 10_000, 0, 3_600_000, true, problems),
  };
  const refresh: RefreshSettings = {
    windowFactor: numberSetting(get, 'sasl.login.refresh.window.factor', 0.8, 0.5, 1.0, false, problems),
    windowJitter: numberSetting(get, 'sasl.login.refresh.window.jitter', 0.05, 0, 0.25, false, problems),
    minPeriodSeconds: numberSetting(get, 'sasl.login.refresh.min.period.seconds', 60, 0, 900, true, problems),
    bufferSeconds: numberSetting(get, 'sasl.login.refresh.buffer.seconds', 300, 0, 3600, true, problems),
  };
  if (request.retryBackoffMaxMs < request.retryBackoffMs) problems.push(`sasl.login.retry.backoff.max.ms: must be at least sasl.login.retry.backoff.ms (${request.retryBackoffMs})`);
  if (problems.length > before) return undefined;
  const source = new OAuthTokenSource(request, refresh);
  return { mechanism: 'OAUTHBEARER', token: () => source.token(), ...(extensions ? { oauthBearerExtensions: extensions } : {}) };
}
