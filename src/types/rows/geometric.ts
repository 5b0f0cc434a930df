import { circleSchema, geometrySchema, lineSchema, pointSchema } from '../schemas.js';
import { row, type TypeRow } from '../row.js';
import {
  boxRing, closeRing, parseBox, parseCircle, parseLine, parseLseg, parsePath, parsePoint, parsePolygon,
  wkbLineString, wkbPoint, wkbPolygon, type XY,
} from '../text/geometric.js';

/**
 * PostgreSQL's geometric types as Debezium 3.7's PostgresValueConverter represents them:
 * - point: io.debezium.data.geometry.Point {x, y, wkb (a WKB Point), srid null};
 * - box, lseg, path, polygon: io.debezium.data.geometry.Geometry {wkb, srid null, extensions}: a box
 *   as a closed 5-point Polygon ring, an lseg as a 2-point LineString, a path as a LineString with
 *   extensions {type: path, closed: true|false}, a polygon as one Polygon ring closed if needed;
 *   extensions.type names the source type;
 * - circle: io.debezium.data.geometry.Circle {center Point, radius};
 * - line: io.debezium.data.geometry.Line {a, b, c}.
 * Geometry, Circle and Line are optional Connect structs in Debezium, so their fields are
 * ["null", ...] even for NOT NULL columns; a NOT NULL column without a value gets Debezium's
 * fallback (a unit square, a unit segment, a unit triangle, a zero circle, the line y = 0).
 */

export function pointValue(p: XY): { x: number; y: number; wkb: Buffer; srid: null } {
  return { x: p[0], y: p[1], wkb: wkbPoint(p), srid: null };
}

function geometryValue(wkb: Buffer, extensions: Record<string, string>): { wkb: Buffer; srid: null; extensions: Record<string, string> } {
  return { wkb, srid: null, extensions };
}

const geometryRow = (convert: (text: string) => unknown, fallback: () => unknown): TypeRow =>
  row(geometrySchema, () => convert, { optionalSchema: true, fallback });

export const pointRow: TypeRow = row(() => pointSchema(), () => (text) => pointValue(parsePoint(text)), { fallback: () => pointValue([0, 0]) });

export const boxRow: TypeRow = {
  ...geometryRow(
    (text) => geometryValue(wkbPolygon([boxRing(parseBox(text))]), { type: 'box' }),
    () => geometryValue(wkbPolygon([[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]), { type: 'box' }),
  ),
  arrayDelimiter: ';',
};

export const lsegRow: TypeRow = geometryRow(
  (text) => geometryValue(wkbLineString(parseLseg(text)), { type: 'lseg' }),
  () => geometryValue(wkbLineString([[0, 0], [1, 0]]), { type: 'lseg' }),
);

export const pathRow: TypeRow = geometryRow(
  (text) => {
    const path = parsePath(text);
    return geometryValue(wkbLineString(path.points), { type: 'path', closed: String(path.closed) });
  },
  // Debezium's fallback for a path carries only the type (no "closed")
  () => geometryValue(wkbLineString([[0, 0], [1, 0]]), { type: 'path' }),
);

export const polygonRow: TypeRow = geometryRow(
  (text) => geometryValue(wkbPolygon([closeRing(parsePolygon(text))]), { type: 'polygon' }),
  () => geometryValue(wkbPolygon([[[0, 0], [1, 0], [0, 1], [0, 0]]]), { type: 'polygon' }),
);

export const circleRow: TypeRow = row(
  circleSchema,
  () => (text) => {
    const c = parseCircle(text);
    return { center: pointValue(c.center), radius: c.radius };
  },
  { optionalSchema: true, fallback: () => ({ center: pointValue([0, 0]), radius: 0 }) },
);

export const lineRow: TypeRow = row(
  lineSchema,
  () => (text) => {
    const [a, b, c] = parseLine(text);
    return { a, b, c };
  },
  { optionalSchema: true, fallback: () => ({ a: 0, b: 1, c: 0 }) },
);
