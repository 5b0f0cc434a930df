/**
 * One OAUTHBEARER token from an OIDC token endpoint with the client_credentials grant, as Kafka's
 * OAuthBearerLoginCallbackHandler (KIP-768) asks for it: a form POST with the client id and secret
 * as HTTP basic authentication, retried with exponential backoff (sasl.login.retry.backoff.ms up to
 * sasl.login.retry.backoff.max.ms in all) while the endpoint is unreachable or failing; the answer's
 * access_token checked as Kafka's client checks it (a JWT with exp and the sub claim).
 */
import http from 'node:http';
import https from 'node:https';
import { classifyTokenEndpointFailure, classifyTokenEndpointStatus, invalidTokenAnswer } from '../errors/classify-oauth.js';
import { PgcdcError } from '../errors/pgcdc-error.js';

export interface TokenRequestSettings {
  tokenEndpointUrl: string;
  clientId: string;
  /** A function so that the secret does not show when the settings are printed. */
  clientSecret: () => string;
  scope?: string;
  /** sasl.oauthbearer.header.urlencode: URL-encode id and secret inside the basic authentication. */
  headerUrlencode: boolean;
  subClaimName: string;
  scopeClaimName: string;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
}

export interface IssuedToken {
  token: string;
  /** from the JWT's exp claim */
  expiresAtMs: number;
  principal: string;
}

/** Requests a token, retrying retriable failures until sasl.login.retry.backoff.max.ms has passed. */
export async function requestToken(s: TokenRequestSettings, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): Promise<IssuedToken> {
  const deadline = Date.now() + s.retryBackoffMaxMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await requestOnce(s);
    } catch (err) {
      if (!(err instanceof PgcdcError) || !err.retriable) throw err;
      const wait = Math.min(s.retryBackoffMs * 2 ** (attempt - 1), deadline - Date.now());
      if (wait <= 0) throw err;
      await sleep(wait);
    }
  }
}

function basicAuth(s: TokenRequestSettings): string {
  const enc = (v: string) => (s.headerUrlencode ? encodeURIComponent(v) : v);
  return `Basic ${Buffer.from(`${enc(s.clientId)}:${enc(s.clientSecret())}`).toString('base64')}`;
}

async function requestOnce(s: TokenRequestSettings): Promise<IssuedToken> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (s.scope) form.set('scope', s.scope);
  const { status, body } = await post(s, form.toString());
  if (status < 200 || status > 299) throw classifyTokenEndpointStatus(s.tokenEndpointUrl, status, body);
  let token: unknown;
  try {
    token = (JSON.parse(body) as { access_token?: unknown }).access_token;
  } catch {
    throw invalidTokenAnswer(s.tokenEndpointUrl, 'the answer is not JSON');
  }
  if (typeof token !== 'string' || token.trim() === '') throw invalidTokenAnswer(s.tokenEndpointUrl, 'no access_token in the answer');
  return checkJwt(token.trim(), s);
}

/** Kafka's ClientJwtValidator: three base64url parts, a JSON payload with exp (seconds) and the sub claim. */
export function checkJwt(token: string, s: Pick<TokenRequestSettings, 'tokenEndpointUrl' | 'subClaimName' | 'scopeClaimName'>): IssuedToken {
  const parts = token.split('.');
  if (parts.length !== 3) throw invalidTokenAnswer(s.tokenEndpointUrl, 'the access_token is not a JWT (header.payload.signature)');
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw invalidTokenAnswer(s.tokenEndpointUrl, "the access_token's payload is not JSON");
  }
  if (typeof payload !== 'object' || payload === null) throw invalidTokenAnswer(s.tokenEndpointUrl, "the access_token's payload is not a JSON object");
  const exp = payload.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw invalidTokenAnswer(s.tokenEndpointUrl, 'the access_token has no numeric exp claim');
  const sub = payload[s.subClaimName];
  if (typeof sub !== 'string' || sub.trim() === '') {
    throw invalidTokenAnswer(s.tokenEndpointUrl, `the access_token has no ${s.subClaimName} claim`, 'sasl.oauthbearer.sub.claim.name');
  }
  const scope = payload[s.scopeClaimName];
  if (scope !== undefined && typeof scope !== 'string' && !(Array.isArray(scope) && scope.every((x) => typeof x === 'string'))) {
    throw invalidTokenAnswer(s.tokenEndpointUrl, `the access_token's ${s.scopeClaimName} claim is neither a string nor a list of strings`, 'sasl.oauthbearer.scope.claim.name');
  }
  return { token, expiresAtMs: exp * 1000, principal: sub };
}

/** The POST: connect timeout until the connection (and TLS) is up, read timeout for each wait for data. */
function post(s: TokenRequestSettings, body: string): Promise<{ status: number; body: string }> {
  const url = new URL(s.tokenEndpointUrl);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown, timeout?: string): void => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(classifyTokenEndpointFailure(s.tokenEndpointUrl, err, timeout));
    };
    const req = lib.request(url, {
      method: 'POST',
      agent: false,
      headers: {
        Accept: 'application/json',
        Authorization: basicAuth(s),
        'Cache-Control': 'no-cache',
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': Buffer.byteLength(body),
      },
    });
    const connectTimer = setTimeout(() => fail(new Error('connect timeout'), `no connection within sasl.login.connect.timeout.ms (${s.connectTimeoutMs} ms)`), s.connectTimeoutMs);
    req.on('socket', (socket) => {
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        clearTimeout(connectTimer);
        socket.setTimeout(s.readTimeoutMs, () => fail(new Error('read timeout'), `no answer within sasl.login.read.timeout.ms (${s.readTimeoutMs} ms)`));
      });
    });
    req.on('error', (err) => {
      clearTimeout(connectTimer);
      fail(err);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        // A token answer is a few KB; anything far larger is not one.
        if (size > 1024 * 1024) fail(new Error('answer larger than 1 MiB'));
        else chunks.push(c);
      });
      res.on('error', (err) => fail(err));
      res.on('end', () => {
        clearTimeout(connectTimer);
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(body);
  });
}
