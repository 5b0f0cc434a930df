import { PgcdcError } from '../errors/pgcdc-error.js';
import { registryTarget, registryProblem, readBounded } from './registry-response.js';

/**
 * Registers schemas under Confluent's subject naming (`<topic>-key`, `<topic>-value`) through the
 * Confluent-compatible REST API and caches the ids, so an unchanged schema costs one request per
 * connector start. Registration answers 409 when the registry's compatibility rule rejects the new
 * version: that becomes a permanent `schema-incompatible` error naming the subject.
 *
 * The URL is the caller's choice, so it may point at any internal service: errors name the HTTP
 * status and only the registry's own `error_code`/`message` fields (clipped), never a body, and
 * answers are read up to a bound. Credentials in the URL (`user:pass@`) go in an Authorization
 * header and never appear in messages.
 */
export class SchemaRegistrar {
  private readonly ids = new Map<string, number>();
  private readonly target: ReturnType<typeof registryTarget>;

  constructor(baseUrl: string, private readonly timeoutMs = 10_000) {
    this.target = registryTarget(baseUrl);
  }

  async register(subject: string, schema: unknown): Promise<number> {
    const text = JSON.stringify(schema);
    const cacheKey = `${subject}\u0000${text}`;
    const cached = this.ids.get(cacheKey);
    if (cached !== undefined) return cached;
    const { base, shown, authorization } = this.target;
    const url = `${base}/subjects/${encodeURIComponent(subject)}/versions`;
    let res: Response;
    let body: string;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', accept: 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ schema: text, schemaType: 'AVRO' }),
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      body = await readBounded(res);
    } catch (err) {
      // fetch reports "fetch failed"; the socket error (ECONNREFUSED, timeout) is on its cause
      const cause = (err as { cause?: { code?: string } }).cause;
      const why = cause?.code ?? (err as { name?: string }).name;
      throw new PgcdcError('sink-transient', `schema registry at ${shown} unreachable while registering subject "${subject}"${why ? ` (${why})` : ''}`, {
        cause: err,
        remedy: 'check that the schema registry is running; pgcdc retries',
      });
    }
    if (res.ok) {
      let id = NaN;
      try {
        id = Number((JSON.parse(body) as { id: unknown }).id);
      } catch {
        /* reported below */
      }
      if (!Number.isInteger(id)) {
        throw new PgcdcError('sink-permanent', `schema registry at ${shown} answered ${res.status} for subject "${subject}" without a schema id: is it a Confluent-compatible registry?`, { retriable: false });
      }
      this.ids.set(cacheKey, id);
      return id;
    }
    const problem = registryProblem(body);
    if (res.status === 409) {
      throw new PgcdcError('schema-incompatible', `schema registry rejected a new version of subject "${subject}" as incompatible${problem}`, {
        retriable: false,
        remedy: 'make the table change compatible (add nullable columns, do not change types), or relax the subject compatibility in the registry',
      });
    }
    const retriable = res.status >= 500 || res.status === 429;
    throw new PgcdcError(retriable ? 'sink-transient' : 'sink-permanent', `schema registry at ${shown} answered HTTP ${res.status} for subject "${subject}"${problem}`, { retriable });
  }
}
