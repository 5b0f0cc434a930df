import { PgcdcError } from '../errors/pgcdc-error.js';

/**
 * Registers schemas under Confluent's subject naming (`<topic>-key`, `<topic>-value`) through the
 * Confluent-compatible REST API and caches the ids, so an unchanged schema costs one request per
 * connector start. Registration answers 409 when the registry's compatibility rule rejects the new
 * version: that becomes a permanent `schema-incompatible` error naming the subject.
 */
export class SchemaRegistrar {
  private readonly ids = new Map<string, number>();

  constructor(private readonly baseUrl: string, private readonly timeoutMs = 10_000) {}

  async register(subject: string, schema: unknown): Promise<number> {
    const text = JSON.stringify(schema);
    const cacheKey = `${subject}\u0000${text}`;
    const cached = this.ids.get(cacheKey);
    if (cached !== undefined) return cached;
    const url = `${this.baseUrl.replace(/\/$/, '')}/subjects/${encodeURIComponent(subject)}/versions`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', accept: 'application/json' },
        body: JSON.stringify({ schema: text, schemaType: 'AVRO' }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      // fetch reports "fetch failed"; the socket error (ECONNREFUSED, timeout) is on its cause
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message;
      throw new PgcdcError('sink-transient', `schema registry at ${this.baseUrl} unreachable while registering subject "${subject}": ${(err as Error).message}${why ? ` (${why})` : ''}`, {
        cause: err,
        remedy: 'check that the schema registry is running; pgcdc retries',
      });
    }
    const body = await res.text();
    if (res.ok) {
      const id = Number((JSON.parse(body) as { id: unknown }).id);
      this.ids.set(cacheKey, id);
      return id;
    }
    if (res.status === 409) {
      throw new PgcdcError('schema-incompatible', `schema registry rejected a new version of subject "${subject}" as incompatible: ${body}`, {
        retriable: false,
        remedy: 'make the table change compatible (add nullable columns, do not change types), or relax the subject compatibility in the registry',
      });
    }
    const retriable = res.status >= 500 || res.status === 429;
    throw new PgcdcError(retriable ? 'sink-transient' : 'sink-permanent', `schema registry answered ${res.status} for subject "${subject}": ${body.slice(0, 500)}`, { retriable });
  }
}
