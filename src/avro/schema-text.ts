/**
 * The text of an Avro schema as Java's Avro library writes it (Schema.toString), which is what the
 * Confluent and Apicurio converters register for Debezium: a named type inside the enclosing
 * namespace is written with its short name and no `namespace`, and a reference to a type of the
 * enclosing namespace by its short name. The schema is the same either way (same Parsing Canonical
 * Form); matching the text keeps a subject's versions identical to Debezium's.
 */
const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAMED = new Set(['record', 'error', 'enum', 'fixed']);

export function avroSchemaText(schema: unknown): string {
  return JSON.stringify(relative(schema, null));
}

function relative(schema: unknown, enclosing: string | null): unknown {
  if (typeof schema === 'string') return reference(schema, enclosing);
  if (Array.isArray(schema)) return schema.map((s) => relative(s, enclosing));
  if (!schema || typeof schema !== 'object') return schema;
  const s = schema as Record<string, unknown>;
  if (NAMED.has(s.type as string) && typeof s.name === 'string') {
    const dot = s.name.lastIndexOf('.');
    const namespace = dot >= 0 ? s.name.slice(0, dot) : typeof s.namespace === 'string' ? s.namespace : enclosing;
    const name = dot >= 0 ? s.name.slice(dot + 1) : s.name;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) {
      if (k === 'namespace') continue;
      if (k === 'name') {
        out.name = name;
        if (namespace && namespace !== enclosing) out.namespace = namespace;
      } else if (k === 'fields' && Array.isArray(v)) {
        out.fields = v.map((f) => (f && typeof f === 'object' ? { ...(f as Record<string, unknown>), type: relative((f as { type: unknown }).type, namespace) } : f));
      } else out[k] = v;
    }
    return out;
  }
  if (s.type === 'array') return { ...s, items: relative(s.items, enclosing) };
  if (s.type === 'map') return { ...s, values: relative(s.values, enclosing) };
  return s;
}

/** A reference to a named type: its short name when it lives in the enclosing namespace. */
function reference(name: string, enclosing: string | null): string {
  if (PRIMITIVES.has(name)) return name;
  const dot = name.lastIndexOf('.');
  return dot >= 0 && enclosing !== null && name.slice(0, dot) === enclosing ? name.slice(dot + 1) : name;
}
