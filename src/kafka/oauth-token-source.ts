/**
 * The OAUTHBEARER token every Kafka connection of the worker authenticates with: fetched on first
 * use, reused until its refresh time, then fetched anew, so a connection (a reconnect, or the
 * library's re-authentication before the broker's session lifetime ends) never gets a token past
 * its refresh time. The refresh time is Kafka's (ExpiringCredentialRefreshingLogin):
 * sasl.login.refresh.window.factor (+ up to .window.jitter) of the token's lifetime, but no later
 * than .buffer.seconds before expiry and no sooner than .min.period.seconds after it was obtained,
 * unless the lifetime is too short for both (then the window factor alone). A failed refresh keeps
 * handing out the current token while it is still valid; the next connection tries again.
 */
import { invalidTokenAnswer } from '../errors/classify-oauth.js';
import { requestToken, type IssuedToken, type TokenRequestSettings } from './oauth-token-request.js';

export interface RefreshSettings {
  windowFactor: number;
  windowJitter: number;
  minPeriodSeconds: number;
  bufferSeconds: number;
}

/** When a token obtained at `obtainedMs`, expiring at `expiresAtMs`, is to be replaced. */
export function refreshAtMs(obtainedMs: number, expiresAtMs: number, r: RefreshSettings, random = Math.random()): number {
  const pct = r.windowFactor + r.windowJitter * random;
  const proposed = obtainedMs + Math.floor((expiresAtMs - obtainedMs) * pct);
  if (obtainedMs + 1000 * (r.minPeriodSeconds + r.bufferSeconds) > expiresAtMs) return proposed;
  const bufferStart = expiresAtMs - 1000 * r.bufferSeconds;
  const minPeriodEnd = obtainedMs + 1000 * r.minPeriodSeconds;
  return Math.max(Math.min(proposed, bufferStart), minPeriodEnd);
}

interface Held extends IssuedToken {
  refreshAtMs: number;
}

export class OAuthTokenSource {
  private current: Held | undefined;
  private pending: Promise<Held> | undefined;

  constructor(
    private readonly settings: TokenRequestSettings,
    private readonly refresh: RefreshSettings,
    private readonly request: (s: TokenRequestSettings) => Promise<IssuedToken> = requestToken,
    private readonly now: () => number = Date.now,
  ) {}

  /** The token to authenticate with now. Rejects with the endpoint's classified PgcdcError. */
  async token(): Promise<string> {
    const held = this.current;
    if (held && this.now() < held.refreshAtMs) return held.token;
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    try {
      return (await this.pending).token;
    } catch (err) {
      // A refresh that failed: the current token still works until it expires.
      if (held && this.now() < held.expiresAtMs - 1000) return held.token;
      throw err;
    }
  }

  private async fetch(): Promise<Held> {
    const obtained = this.now();
    const issued = await this.request(this.settings);
    if (issued.expiresAtMs <= this.now()) {
      throw invalidTokenAnswer(this.settings.tokenEndpointUrl, 'the access_token has already expired (check the clocks of pgcdc and the identity provider)');
    }
    this.current = { ...issued, refreshAtMs: refreshAtMs(obtained, issued.expiresAtMs, this.refresh) };
    return this.current;
  }
}
