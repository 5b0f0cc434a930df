import type avro from 'avsc';
import { compileSchema, decodeWire, wireSchemaId } from '../avro/codec.js';
import { SchemaRegistrar } from '../registry/schema-registrar.js';
import type { RegistryAccess } from '../registry/registry-access.js';

export interface RegisteredSchema {
  id: number;
  json: Record<string, any>;
  type: avro.Type;
}

/**
 * Schemas by registry id (GET /schemas/ids/{id}), fetched once each: a record in the Confluent wire
 * format names its writer schema by id, so a consumer needs nothing else to read any version.
 */
export class RegistrySchemas {
  private readonly byId = new Map<number, Promise<RegisteredSchema>>();

  private readonly client: SchemaRegistrar;

  /** A URL (credentials only as user:pass@) or a connector's registry access (auth, PEM trust). */
  constructor(registry: string | RegistryAccess, timeoutMs = 10_000) {
    // the registrar's request: credentials as a header, the truststore, errors without secrets
    this.client = new SchemaRegistrar(registry, timeoutMs);
  }

  get(id: number): Promise<RegisteredSchema> {
    let found = this.byId.get(id);
    if (!found) {
      found = this.fetch(id);
      this.byId.set(id, found);
      found.catch(() => this.byId.delete(id)); // a failed fetch is retried by the next record
    }
    return found;
  }

  /** Decodes one wire-format key or value; null stays null (tombstones, key-less tables). */
  async decode(buf: Buffer | null): Promise<{ value: any; schema: RegisteredSchema | null }> {
    if (!buf) return { value: null, schema: null };
    const schema = await this.get(wireSchemaId(buf));
    return { value: decodeWire(schema.type, buf), schema };
  }

  private async fetch(id: number): Promise<RegisteredSchema> {
    const { res, body: text } = await this.client.request('GET', `/schemas/ids/${id}`, undefined, `reading schema id ${id}`);
    if (!res.ok) throw new Error(`schema registry at ${this.client.shownUrl} answered ${res.status} for schema id ${id}`);
    const json = JSON.parse((JSON.parse(text) as { schema: string }).schema) as Record<string, any>;
    return { id, json, type: compileSchema(json) };
  }
}
