/**
 * Geometric types and hstore: the pure text parsers (src/types/text/geometric.ts, hstore.ts) and
 * their mapping rows. Expected WKB is written out byte by byte (little-endian doubles, computed
 * with Python's struct.pack('<d', ...)); expected HashMap orders were printed by jshell
 * (java.util.HashMap keySet() after putting the keys in order).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import type { PgTypeInfo, TypeCatalog } from '../../src/types/catalog.js';
import { ConversionError, defaultConversionOptions, mapColumn } from '../../src/types/index.js';
import type { ConversionOptions } from '../../src/types/mapping.js';
import { parseArrayText } from '../../src/types/text/array.js';
import { closeRing, parseBox, parseCircle, parseLine, parseLseg, parsePath, parsePoint, parsePolygon, wkbLineString, wkbPoint, wkbPolygon } from '../../src/types/text/geometric.js';
import { hstoreJson, javaHashMapOrder, javaStringHash, parseHstore } from '../../src/types/text/hstore.js';
import { buildTableSchema } from '../../src/events/table-schema.js';

const hex = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex');
// little-endian doubles
const D0 = '0000000000000000';
const D1 = '000000000000f03f';
const D2 = '0000000000000040';
const D3 = '0000000000000840';
const D15 = '000000000000f83f'; // 1.5
const DM1 = '000000000000f0bf'; // -1

describe('geometric text parsers', () => {
  it('point, box, lseg, path, polygon, circle, line', () => {
    assert.deepEqual(parsePoint('(1.5,-1)'), [1.5, -1]);
    assert.deepEqual(parsePoint('(Infinity,NaN)'), [Infinity, NaN]);
    assert.deepEqual(parsePoint('(1e+300,-0)'), [1e300, -0]);
    assert.deepEqual(parseBox('(3,2),(1,0)'), [[3, 2], [1, 0]]);
    assert.deepEqual(parseLseg('[(1,2),(3,4)]'), [[1, 2], [3, 4]]);
    assert.deepEqual(parsePath('[(0,0),(1,1),(2,0)]'), { points: [[0, 0], [1, 1], [2, 0]], closed: false });
    assert.deepEqual(parsePath('((0,0),(1,1))'), { points: [[0, 0], [1, 1]], closed: true });
    assert.deepEqual(parsePolygon('((0,0),(1,1),(1,0))'), [[0, 0], [1, 1], [1, 0]]);
    assert.deepEqual(parseCircle('<(1,2),3.5>'), { center: [1, 2], radius: 3.5 });
    assert.deepEqual(parseLine('{1,-1,0}'), [1, -1, 0]);
  });

  it('malformed text is refused', () => {
    for (const [f, t] of [
      [parsePoint, '(1,2'], [parsePoint, '(1,x)'], [parsePoint, '(1,2),(3,4)'], [parseBox, '(1,2)'], [parseLseg, '(1,2),(3,4)'],
      [parsePath, '(1,2),(3,4'], [parsePolygon, '[(1,2)]'], [parseCircle, '<(1,2)>'], [parseLine, '{1,2}'], [parseLine, '{1,2,z}'],
    ] as [(s: string) => unknown, string][]) {
      assert.throws(() => f(t), /malformed/, t);
    }
  });

  it('WKB as Debezium writes it: byte order 1, type, counts, little-endian doubles', () => {
    assert.deepEqual(wkbPoint([1, 2]), hex(`01 01000000 ${D1} ${D2}`));
    assert.deepEqual(wkbLineString([[0, 1], [2, 3]]), hex(`01 02000000 02000000 ${D0} ${D1} ${D2} ${D3}`));
    assert.deepEqual(wkbPolygon([[[0, 0], [1, 0], [0, 1], [0, 0]]]), hex(`01 03000000 01000000 04000000 ${D0} ${D0} ${D1} ${D0} ${D0} ${D1} ${D0} ${D0}`));
  });

  it('closeRing adds the first point unless the ring is closed or shorter than 2', () => {
    assert.deepEqual(closeRing([[0, 0], [1, 1], [1, 0]]), [[0, 0], [1, 1], [1, 0], [0, 0]]);
    assert.deepEqual(closeRing([[0, 0], [1, 1], [0, 0]]), [[0, 0], [1, 1], [0, 0]]);
    assert.deepEqual(closeRing([[5, 5]]), [[5, 5]]);
  });

  it('arrays of box use ";" between elements', () => {
    assert.deepEqual(parseArrayText('{(1,1),(0,0);(3,3),(2,2)}', ';'), ['(1,1),(0,0)', '(3,3),(2,2)']);
    assert.deepEqual(parseArrayText('{(1,1),(0,0);NULL}', ';'), ['(1,1),(0,0)', null]);
  });
});

const emptyCatalog: TypeCatalog = { get: () => undefined };
const map = (oid: number, options: Partial<ConversionOptions> = {}, catalog = emptyCatalog) =>
  mapColumn({ name: 'g', typeOid: oid, typeMod: -1, isKey: false, notNull: false }, catalog, { ...defaultConversionOptions, ...options }, 'public.t');

const POINT_SCHEMA = {
  type: 'record', name: 'Point', namespace: 'io.debezium.data.geometry',
  fields: [
    { name: 'x', type: 'double' }, { name: 'y', type: 'double' },
    { name: 'wkb', type: ['null', 'bytes'], default: null }, { name: 'srid', type: ['null', 'int'], default: null },
  ],
  'connect.doc': 'Geometry (POINT)', 'connect.version': 1, 'connect.name': 'io.debezium.data.geometry.Point',
};

describe('geometric rows', () => {
  it('point: io.debezium.data.geometry.Point with its WKB and no srid', () => {
    const m = map(600);
    assert.deepEqual(m.schema, POINT_SCHEMA);
    assert.equal(m.optionalSchema, undefined);
    assert.deepEqual(m.convert('(1,2)'), { x: 1, y: 2, wkb: hex(`01 01000000 ${D1} ${D2}`), srid: null });
    assert.deepEqual(m.fallback, { x: 0, y: 0, wkb: hex(`01 01000000 ${D0} ${D0}`), srid: null });
  });

  it('box, lseg, path, polygon: optional io.debezium.data.geometry.Geometry with extensions', () => {
    const box = map(603);
    assert.deepEqual(box.schema, {
      type: 'record', name: 'Geometry', namespace: 'io.debezium.data.geometry',
      fields: [
        { name: 'wkb', type: 'bytes' }, { name: 'srid', type: ['null', 'int'], default: null },
        { name: 'extensions', type: ['null', { type: 'map', values: 'string' }], default: null },
      ],
      'connect.doc': 'Geometry', 'connect.version': 2, 'connect.name': 'io.debezium.data.geometry.Geometry',
    });
    assert.equal(box.optionalSchema, true);
    // corners in text order (upper right first): x1=2 y1=1 x2=0 y2=0, ring (x1,y1) (x1,y2) (x2,y2) (x2,y1) (x1,y1)
    assert.deepEqual(box.convert('(2,1),(0,0)'), {
      wkb: hex(`01 03000000 01000000 05000000 ${D2} ${D1} ${D2} ${D0} ${D0} ${D0} ${D0} ${D1} ${D2} ${D1}`), srid: null, extensions: { type: 'box' },
    });
    assert.deepEqual(map(601).convert('[(1,2),(3,1.5)]'), { wkb: hex(`01 02000000 02000000 ${D1} ${D2} ${D3} ${D15}`), srid: null, extensions: { type: 'lseg' } });
    assert.deepEqual(map(602).convert('((0,0),(1,-1))'), { wkb: hex(`01 02000000 02000000 ${D0} ${D0} ${D1} ${DM1}`), srid: null, extensions: { type: 'path', closed: 'true' } });
    assert.deepEqual((map(602).convert('[(0,0),(1,-1)]') as { extensions: unknown }).extensions, { type: 'path', closed: 'false' });
    assert.deepEqual(map(604).convert('((0,0),(1,0),(0,1))'), {
      wkb: hex(`01 03000000 01000000 04000000 ${D0} ${D0} ${D1} ${D0} ${D0} ${D1} ${D0} ${D0}`), srid: null, extensions: { type: 'polygon' },
    });
    for (const oid of [601, 602, 604]) assert.equal(map(oid).optionalSchema, true);
    // Debezium's geometryFallback values
    assert.deepEqual((map(601).fallback as { extensions: unknown }).extensions, { type: 'lseg' });
    assert.deepEqual((map(602).fallback as { extensions: unknown }).extensions, { type: 'path' });
  });

  it('circle and line: optional Circle {center Point, radius} and Line {a, b, c}', () => {
    const circle = map(718);
    assert.equal(circle.optionalSchema, true);
    assert.deepEqual(circle.schema, {
      type: 'record', name: 'Circle', namespace: 'io.debezium.data.geometry',
      fields: [{ name: 'center', type: (({ namespace: _n, ...rest }) => rest)(POINT_SCHEMA) }, { name: 'radius', type: 'double' }],
      'connect.doc': 'Geometry (CIRCLE)', 'connect.version': 1, 'connect.name': 'io.debezium.data.geometry.Circle',
    });
    assert.deepEqual(circle.convert('<(1,2),3>'), { center: { x: 1, y: 2, wkb: hex(`01 01000000 ${D1} ${D2}`), srid: null }, radius: 3 });
    const line = map(628);
    assert.equal(line.optionalSchema, true);
    assert.deepEqual(line.schema, {
      type: 'record', name: 'Line', namespace: 'io.debezium.data.geometry',
      fields: [{ name: 'a', type: 'double' }, { name: 'b', type: 'double' }, { name: 'c', type: 'double' }],
      'connect.doc': 'Geometry (LINE)', 'connect.version': 1, 'connect.name': 'io.debezium.data.geometry.Line',
    });
    assert.deepEqual(line.convert('{1,-1,0}'), { a: 1, b: -1, c: 0 });
    assert.deepEqual(line.fallback, { a: 0, b: 1, c: 0 });
  });

  it('arrays: box[] split on ";", items optional; malformed text is a ConversionError', () => {
    const boxes = map(1020);
    assert.deepEqual((boxes.schema as { items: unknown[] }).items[0], 'null');
    const v = boxes.convert('{(1,1),(0,0);NULL}') as unknown[];
    assert.equal(v.length, 2);
    assert.equal(v[1], null);
    assert.deepEqual((v[0] as { extensions: unknown }).extensions, { type: 'box' });
    assert.deepEqual(map(1017).convert('{"(1,2)"}'), [{ x: 1, y: 2, wkb: wkbPoint([1, 2]), srid: null }]);
    assert.throws(() => map(603).convert('(1,1)'), ConversionError);
  });
});

describe('hstore', () => {
  it('parses hstore_out text: quotes, escapes, NULL', () => {
    assert.deepEqual(parseHstore(''), []);
    assert.deepEqual(parseHstore('"a"=>"1"'), [['a', '1']]);
    assert.deepEqual(parseHstore('"q\\"x"=>"back\\\\slash"'), [['q"x', 'back\\slash']]);
    assert.deepEqual(parseHstore('"n"=>NULL'), [['n', null]]);
    assert.deepEqual(parseHstore('"NULL"=>"NULL"'), [['NULL', 'NULL']]);
    for (const bad of ['"a"=>', '"a"=>"1', 'a=>"1"', '"a"->"1"', '"a"=>"1" "b"=>"2"']) assert.throws(() => parseHstore(bad), /malformed hstore/, bad);
  });

  it('String.hashCode and HashMap iteration order as Java has them (jshell)', () => {
    assert.equal(javaStringHash('key 1'), 101942960);
    assert.equal(javaStringHash('Zürich'), -1482116162);
    const order = (keys: string[]) => javaHashMapOrder(keys.map((k) => [k, 'v'] as [string, string])).map(([k]) => k).join('|');
    assert.equal(order(['a', 'b', 'c', 'key 1', 'key_2', 'zz', 'é', '10', '2']), 'zz|a|key_2|b|2|c|key 1|é|10');
    assert.equal(order(['name', 'age', 'city', 'Zürich', 'x"y', 'back\\slash', 'empty', '']), '|city|Zürich|back\\slash|name|age|x"y|empty');
    // 20 keys: the table grew to 32 buckets
    assert.equal(order(Array.from({ length: 20 }, (_, i) => `k${i}`)), 'k0|k1|k2|k3|k4|k5|k11|k6|k10|k7|k13|k8|k12|k9|k15|k14|k17|k16|k19|k18');
  });

  it('JSON as Jackson writes it: compact, null, upper-case \\u escapes', () => {
    assert.equal(hstoreJson([]), '{}');
    assert.equal(hstoreJson([['a', '1'], ['n', null]]), '{"a":"1","n":null}');
    assert.equal(hstoreJson([['q"\\', 'line\nnext\ttab\u0001\u001f/é']]), '{"q\\"\\\\":"line\\nnext\\ttab\\u0001\\u001F/é"}');
  });

  const hstoreType: PgTypeInfo = { oid: 90009, name: 'hstore', schema: 'public', typtype: 'b', category: 'U', elementOid: 0, baseOid: 0, baseTypmod: -1 };
  const hstoreArray: PgTypeInfo = { ...hstoreType, oid: 90010, name: '_hstore', category: 'A', elementOid: 90009 };
  const catalog: TypeCatalog = { get: (oid) => (oid === 90009 ? hstoreType : oid === 90010 ? hstoreArray : undefined) };

  it('hstore.handling.mode=json: io.debezium.data.Json string', () => {
    const m = map(90009, {}, catalog);
    assert.deepEqual(m.schema, { type: 'string', 'connect.version': 1, 'connect.name': 'io.debezium.data.Json' });
    assert.equal(m.convert('"b"=>"2", "a"=>NULL'), '{"a":null,"b":"2"}');
    assert.equal(m.fallback, '{}');
    assert.deepEqual(map(90010, {}, catalog).convert('{"\\"a\\"=>\\"1\\"",NULL}'), ['{"a":"1"}', null]);
  });

  it('hstore.handling.mode=map: Avro map of optional strings, encodable', () => {
    const m = map(90009, { hstoreHandlingMode: 'map' }, catalog);
    assert.deepEqual(m.schema, { type: 'map', values: ['null', 'string'] });
    const v = m.convert('"b"=>"2", "a"=>NULL');
    assert.deepEqual(v, { a: null, b: '2' });
    assert.deepEqual(m.fallback, {});
    const type = avro.Type.forSchema(m.schema as avro.Schema, { wrapUnions: false });
    assert.deepEqual(type.fromBuffer(type.toBuffer(v)), { a: null, b: '2' });
  });
});

describe('value record with geometric columns', () => {
  it('NOT NULL Geometry/Circle/Line fields are ["null", ...]; Point refers to itself by name; avsc accepts it', () => {
    const rel = {
      tag: 'relation' as const, relationOid: 1, schema: 'public', table: 'geo', replicaIdentity: 'default' as const,
      columns: [
        { name: 'id', typeOid: 23, typeMod: -1, isKey: true },
        { name: 'p', typeOid: 600, typeMod: -1, isKey: false },
        { name: 'c', typeOid: 718, typeMod: -1, isKey: false },
        { name: 'b', typeOid: 603, typeMod: -1, isKey: false },
        { name: 'b2', typeOid: 603, typeMod: -1, isKey: false },
      ],
    };
    const notNull = (name: string) => ({ name, notNull: true, defaultExpr: null });
    const facts = { primaryKey: ['id'], columns: new Map(['id', 'p', 'c', 'b', 'b2'].map((n) => [n, notNull(n)])) } as never;
    const ts = buildTableSchema(rel as never, facts, {
      topicPrefix: 'geo', catalog: emptyCatalog, conversion: defaultConversionOptions, placeholder: 'x', includeColumn: () => true,
    });
    const fields = ts.valueSchema.fields as { name: string; type: any }[];
    assert.equal(fields[1]!.type.name, 'Point', 'a NOT NULL point is not optional');
    assert.equal(fields[2]!.type[0], 'null', 'a NOT NULL circle is optional (Debezium)');
    assert.equal(fields[2]!.type[1].fields[0].type, 'Point', 'Point is referred to by its short name inside Circle');
    assert.equal(fields[3]!.type[1].name, 'Geometry');
    assert.equal(fields[4]!.type[1], 'io.debezium.data.geometry.Geometry', 'a second Geometry refers to the first');
    const b = ts.columns.find((c) => c.name === 'b')!;
    assert.deepEqual((b.fallback as { extensions: unknown }).extensions, { type: 'box' });
    assert.ok(ts.envelopeType);
  });
});
