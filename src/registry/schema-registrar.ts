import { PgcdcError } from '../errors/pgcdc-error.js';
import { avroSchemaText } from '../avro/schema-text.js';
import { registryTarget, registryProblem, readBounded } from './registry-response.js';
import { KEY_HOST_CHECK, registryTls, type RegistryAccess, type RegistryTls } from './registry-access.js';
import { registryFetch } from './registry-http.js';
import { registryAuthFailure, registryRequestFailure } from '../errors/classify-registry.js';

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
  private tls: RegistryTls | null | undefined;

  /** A URL alone (credentials only from user:pass@) or the connector's registry access. */
  constructor(private readonly access: string | RegistryAccess, private readonly timeoutMs = 10_000) {
    this.target = registryTarget(access);
  }

  async register(subject: string, schema: unknown): Promise<number> {
    const text = avroSchemaText(schema);
    const cacheKey = `${subject}\u0000${text}`;
    const cached = this.ids.get(cacheKey);
    if (cached !== undefined) return cached;
    const { shown } = this.target;
    const { res, body } = await this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: text, schemaType: 'AVRO' }, `registering subject "${subject}"`);
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
    throw this.unexpected(res, body, subject);
  }

  /**
   * The registry's own verdict on a new version (Confluent API: POST
   * /compatibility/subjects/{subject}/versions/latest): true when the subject does not exist yet.
   */
  async compatible(subject: string, schema: unknown): Promise<boolean> {
    const { res, body } = await this.request('POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`, { schema: avroSchemaText(schema), schemaType: 'AVRO' }, `checking the compatibility of subject "${subject}"`);
    if (res.status === 404) return true;
    if (!res.ok) throw this.unexpected(res, body, subject);
    const verdict = (safeJson(body) as { is_compatible?: unknown } | null)?.is_compatible;
    if (typeof verdict !== 'boolean') throw new PgcdcError('sink-permanent', `schema registry at ${this.target.shown} answered a compatibility check for subject "${subject}" without is_compatible`, { retriable: false });
    return verdict;
  }

  /** Whether this exact schema is registered under the subject, at any version (POST /subjects/{subject}). */
  async isRegistered(subject: string, schema: unknown): Promise<boolean> {
    const { res, body } = await this.request('POST', `/subjects/${encodeURIComponent(subject)}`, { schema: avroSchemaText(schema), schemaType: 'AVRO' }, `looking up a schema of subject "${subject}"`);
    if (res.status === 404) return false;
    if (!res.ok) throw this.unexpected(res, body, subject);
    return true;
  }

  /**
   * Before anything is created: refused credentials and an untrusted certificate fail here, not
   * after the slot exists. GET /schemas/types needs no subject-level permission (a 403 there is
   * not an answer about the subjects, so only 401 counts); an unreachable registry is left to the
   * first registration, which retries.
   */
  async checkAccess(): Promise<void> {
    let status: number;
    try {
      status = (await this.send('GET', '/schemas/types', undefined, 'checking access')).res.status;
    } catch (err) {
      if (err instanceof PgcdcError && err.retriable) return;
      throw err;
    }
    if (status === 401) throw registryAuthFailure(status, this.target.shown, 'checking access', this.target.authKey);
  }

  /** The latest registered schema of a subject, parsed; null when the subject does not exist. */
  async latest(subject: string): Promise<unknown | null> {
    const { res, body } = await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`, undefined, `reading subject "${subject}"`);
    if (res.status === 404) return null;
    if (!res.ok) throw this.unexpected(res, body, subject);
    const schema = (safeJson(body) as { schema?: unknown } | null)?.schema;
    return typeof schema === 'string' ? safeJson(schema) : null;
  }

  /**
   * One request to the registry, with the credentials; an unreachable registry is a retriable error
   * naming `what`, refused credentials and an untrusted certificate are permanent ones naming the key.
   */
  async request(method: string, path: string, json: unknown, what: string, apiBase?: (base: string) => string): Promise<{ res: Response; body: string }> {
    const answer = await this.send(method, path, json, what, apiBase);
    const { status } = answer.res;
    if (status === 401 || status === 403) throw registryAuthFailure(status, this.target.shown, what, this.target.authKey);
    return answer;
  }

  /** The request without the 401/403 verdict. */
  private async send(method: string, path: string, json: unknown, what: string, apiBase?: (base: string) => string): Promise<{ res: Response; body: string }> {
    const { shown, authorization } = this.target;
    const base = apiBase ? apiBase(this.target.base) : this.target.base;
    // the truststore file is read once, on first use (a config error names its key)
    if (this.tls === undefined) this.tls = typeof this.access === 'string' ? null : registryTls(this.access);
    let res: Response;
    let body: string;
    try {
      res = await registryFetch(`${base}${path}`, {
        method,
        // another API (Apicurio's own, for the one-time override) takes plain JSON
        headers: { 'content-type': apiBase ? 'application/json' : 'application/vnd.schemaregistry.v1+json', accept: 'application/json', ...(authorization ? { authorization } : {}) },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        timeoutMs: this.timeoutMs,
      }, this.tls);
      body = await readBounded(res);
    } catch (err) {
      throw registryRequestFailure(err, shown, what, this.tls?.trustKey ?? 'value.converter.schema.registry.ssl.truststore.location (truststore.type=PEM)', KEY_HOST_CHECK);
    }
    return { res, body };
  }

  /** An answer pgcdc did not expect: retriable for 5xx and 429. */
  unexpected(res: Response, body: string, subject: string): PgcdcError {
    const retriable = res.status >= 500 || res.status === 429;
    return new PgcdcError(retriable ? 'sink-transient' : 'sink-permanent', `schema registry at ${this.target.shown} answered HTTP ${res.status} for subject "${subject}"${registryProblem(body)}`, { retriable });
  }

  get shownUrl(): string {
    return this.target.shown;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
