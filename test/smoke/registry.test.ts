import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { testServices } from '../harness/services.js';

test('schema registry: an Avro schema registered through the Confluent API is read back by id', async () => {
  const services = await testServices();
  const registry = new SchemaRegistry({ host: services.registryUrl });
  const name = `Smoke${Date.now()}`;
  const schema = { type: 'record', name, namespace: 'pgcdc.smoke', fields: [{ name: 'id', type: 'int' }, { name: 'note', type: ['null', 'string'], default: null }] };
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject: `pgcdc-smoke-${name}-value` });
  assert.ok(Number.isInteger(id) && id > 0, `registry returned id ${id}`);
  const readBack = JSON.parse(await registry.getSchema(id).then((s) => JSON.stringify(s)));
  assert.equal(readBack.name, `pgcdc.smoke.${name}`, "the schema read back by id is the one registered");
  const encoded = await registry.encode(id, { id: 7, note: 'round trip' });
  assert.equal(encoded[0], 0, 'Confluent wire format starts with magic byte 0');
  assert.equal(encoded.readInt32BE(1), id, 'followed by the schema id');
  assert.deepEqual({ ...(await registry.decode(encoded)) }, { id: 7, note: 'round trip' });
});
