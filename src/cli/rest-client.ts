/**
 * The CLI's client of a worker's REST API. Credentials come from the same variables the worker
 * reads (PGCDC_REST_TOKEN, PGCDC_REST_BASIC_AUTH), so one environment serves both.
 */
export class RestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface ClientOptions {
  url: string;
  env?: NodeJS.ProcessEnv;
}

export class RestClient {
  private readonly base: string;
  private readonly auth: string | null;

  constructor(options: ClientOptions) {
    const env = options.env ?? process.env;
    this.base = options.url.replace(/\/+$/, '');
    if (env.PGCDC_REST_TOKEN) this.auth = `Bearer ${env.PGCDC_REST_TOKEN}`;
    else if (env.PGCDC_REST_BASIC_AUTH) this.auth = `Basic ${Buffer.from(env.PGCDC_REST_BASIC_AUTH).toString('base64')}`;
    else this.auth = null;
  }

  /** Sends a request; resolves with the parsed body (null when empty), throws RestError on 4xx/5xx. */
  async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.auth) headers.authorization = this.auth;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new RestError(0, `cannot reach the pgcdc worker at ${this.base} (${cause?.code ?? cause?.message ?? (err as Error).message}); is it running? (--url)`);
    }
    const text = await response.text();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!response.ok) {
      const message = typeof parsed === 'object' && parsed !== null && 'message' in parsed ? String((parsed as { message: unknown }).message) : `${response.status} ${response.statusText}`;
      throw new RestError(response.status, message);
    }
    return parsed;
  }
}

export const connectorPath = (name: string, rest = '') => `/connectors/${encodeURIComponent(name)}${rest}`;
