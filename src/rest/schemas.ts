/**
 * JSON schemas of request bodies (checked by fastify, unknown keys refused) and of responses (used
 * only by the OpenAPI description, never to serialise, so no field is dropped from an answer).
 * Config values are only required to be an object here: their keys and types are checked by
 * connector validation, which reports every problem at once rather than the first one.
 */
const obj = (properties: Record<string, unknown>, required: string[] = [], extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
  ...extra,
});

export const TARGET_STATE = { type: 'string', enum: ['RUNNING', 'PAUSED', 'STOPPED'] } as const;
const STATE = { type: 'string', enum: ['UNASSIGNED', 'RUNNING', 'PAUSED', 'STOPPED', 'FAILED', 'RESTARTING'] };

export const ConfigMap = {
  type: 'object',
  description: 'Connector configuration: Debezium PostgreSQL connector keys, string values (numbers and booleans accepted). Secrets are returned as "[hidden]".',
  additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
};

export const CreateConnectorRequest = obj(
  { name: { type: 'string', minLength: 1 }, config: { type: 'object' }, initial_state: TARGET_STATE },
  ['name', 'config'],
);

export const ConfigBody = { type: 'object' };

export const OffsetsRequest = obj(
  {
    offsets: {
      type: 'array',
      minItems: 1,
      items: obj({ partition: { type: 'object' }, offset: { type: ['object', 'null'] } }, ['partition', 'offset']),
    },
  },
  ['offsets'],
);

export const NameParams = obj({ name: { type: 'string' } }, ['name']);
export const TaskParams = obj({ name: { type: 'string' }, task: { type: 'string' } }, ['name', 'task']);
export const PluginParams = obj({ type: { type: 'string' } }, ['type']);

/** Response shapes, for the OpenAPI description. */
export const responses = {
  Error: obj({ error_code: { type: 'integer' }, message: { type: 'string' } }, ['error_code', 'message'], { additionalProperties: true }),
  ServerInfo: obj({ version: { type: 'string' }, commit: { type: 'string' }, kafka_cluster_id: { type: ['string', 'null'] } }),
  ConnectorInfo: obj({
    name: { type: 'string' },
    config: ConfigMap,
    tasks: { type: 'array', items: obj({ connector: { type: 'string' }, task: { type: 'integer' } }) },
    type: { type: 'string', enum: ['source'] },
  }),
  ConnectorStatus: obj({
    name: { type: 'string' },
    connector: obj({ state: STATE, worker_id: { type: 'string' }, version: { type: 'string' }, trace: { type: 'string' } }),
    tasks: { type: 'array', items: obj({ id: { type: 'integer' }, state: STATE, worker_id: { type: 'string' }, version: { type: 'string' }, trace: { type: 'string' } }) },
    type: { type: 'string', enum: ['source'] },
    warnings: { type: 'array', items: obj({ key: { type: 'string' }, message: { type: 'string' } }) },
  }),
  Offsets: obj({
    offsets: { type: 'array', items: obj({ partition: obj({ server: { type: 'string' } }), offset: { type: 'object' } }) },
  }),
  Config: ConfigMap,
  Message: obj({ message: { type: 'string' } }),
  Names: { type: 'array', items: { type: 'string' } },
  Plugins: { type: 'array', items: obj({ class: { type: 'string' }, type: { type: 'string' }, version: { type: 'string' } }) },
  Validation: {
    type: 'object',
    description: "Kafka Connect's validation answer; pgcdc adds `warnings` (ignored keys, legacy values), not counted in error_count.",
    properties: {
      name: { type: 'string' },
      error_count: { type: 'integer' },
      groups: { type: 'array', items: { type: 'string' } },
      configs: { type: 'array', items: { type: 'object' } },
      warnings: { type: 'array', items: { type: 'object' } },
    },
  },
  Topics: { type: 'object', additionalProperties: obj({ topics: { type: 'array', items: { type: 'string' } } }) },
  Expanded: { type: 'object', additionalProperties: obj({ status: { type: 'object' }, info: { type: 'object' } }) },
  ConfigDefinitions: { type: 'array', items: { type: 'object' } },
  Tasks: { type: 'array', items: obj({ id: obj({ connector: { type: 'string' }, task: { type: 'integer' } }), config: ConfigMap }) },
  OpenApi: { type: 'object' },
} as const;
