import { test } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import { avroSchemaText } from '../../src/avro/schema-text.js';

const envelope = {
  type: 'record',
  name: 'Envelope',
  namespace: 'p.public.t',
  fields: [
    { name: 'before', type: ['null', { type: 'record', name: 'Value', namespace: 'p.public.t', fields: [
      { name: 'n', type: ['null', { type: 'record', name: 'VariableScaleDecimal', namespace: 'io.debezium.data', fields: [{ name: 'scale', type: 'int' }] }], default: null },
      { name: 'm', type: ['null', 'io.debezium.data.VariableScaleDecimal'], default: null },
    ], 'connect.name': 'p.public.t.Value' }], default: null },
    { name: 'after', type: ['null', 'p.public.t.Value'], default: null },
    { name: 'source', type: { type: 'record', name: 'Source', namespace: 'io.debezium.connector.postgresql', fields: [{ name: 'x', type: 'string' }] } },
  ],
  'connect.name': 'p.public.t.Envelope',
};

test('schema text as Java Avro writes it: names inside the enclosing namespace are short, the schema is the same', () => {
  const text = avroSchemaText(envelope);
  const json = JSON.parse(text);
  assert.equal(json.namespace, 'p.public.t', 'the top level keeps its namespace');
  const value = json.fields[0].type[1];
  assert.deepEqual(Object.keys(value), ['type', 'name', 'fields', 'connect.name']);
  assert.equal(value.name, 'Value');
  assert.equal(json.fields[1].type[1], 'Value', 'a reference inside the namespace is short');
  assert.equal(value.fields[0].type[1].namespace, 'io.debezium.data', 'another namespace is written');
  assert.equal(value.fields[1].type[1], 'io.debezium.data.VariableScaleDecimal');
  assert.equal(json.fields[2].type.namespace, 'io.debezium.connector.postgresql');
  const a = avro.Type.forSchema(envelope as avro.Schema);
  const b = avro.Type.forSchema(json);
  assert.equal(b.fingerprint('sha256').toString('hex'), a.fingerprint('sha256').toString('hex'), 'same Parsing Canonical Form');
});
