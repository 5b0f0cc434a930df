import { TextFormatError } from '../errors.js';

/**
 * PostgreSQL's built-in geometric types from their text output (point_out, box_out, ...), parsed
 * as pgjdbc's org.postgresql.geometric.PG* classes parse them for Debezium, and the little-endian
 * OGC WKB Debezium builds from them (io.debezium.data.geometry.Point's buildWKBPoint and
 * io.debezium.spatial.WkbWriter). Coordinates are float8 text (Infinity, -Infinity, NaN included).
 */

export type XY = [x: number, y: number];

const POINT_RE = /\(\s*([^,()\s]+)\s*,\s*([^,()\s]+)\s*\)/g;

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function float8(token: string, text: string, what: string): number {
  const v = Number(token);
  if (Number.isNaN(v) && token !== 'NaN') throw new TextFormatError(`malformed ${what} text (bad coordinate "${token}"): ${clip(text)}`);
  return v;
}

/** Every "(x,y)" of `inner` in order; refuses anything else between them but "," and spaces. */
function points(inner: string, text: string, what: string): XY[] {
  const out: XY[] = [];
  let last = 0;
  POINT_RE.lastIndex = 0;
  for (let m = POINT_RE.exec(inner); m !== null; m = POINT_RE.exec(inner)) {
    if (!/^[\s,]*$/.test(inner.slice(last, m.index))) throw new TextFormatError(`malformed ${what} text: ${clip(text)}`);
    out.push([float8(m[1]!, text, what), float8(m[2]!, text, what)]);
    last = POINT_RE.lastIndex;
  }
  if (!/^[\s,]*$/.test(inner.slice(last)) || out.length === 0) throw new TextFormatError(`malformed ${what} text: ${clip(text)}`);
  return out;
}

function enclosed(text: string, open: string, close: string): string | null {
  const t = text.trim();
  return t.startsWith(open) && t.endsWith(close) ? t.slice(1, -1) : null;
}

/** point: "(x,y)" */
export function parsePoint(text: string): XY {
  const p = points(text, text, 'point');
  if (p.length !== 1) throw new TextFormatError(`malformed point text: ${clip(text)}`);
  return p[0]!;
}

/** box: "(x1,y1),(x2,y2)", PostgreSQL writes the upper-right corner first; kept in text order. */
export function parseBox(text: string): [XY, XY] {
  const p = points(text, text, 'box');
  if (p.length !== 2) throw new TextFormatError(`malformed box text: ${clip(text)}`);
  return [p[0]!, p[1]!];
}

/** lseg: "[(x1,y1),(x2,y2)]" */
export function parseLseg(text: string): [XY, XY] {
  const inner = enclosed(text, '[', ']');
  const p = inner === null ? [] : points(inner, text, 'lseg');
  if (p.length !== 2) throw new TextFormatError(`malformed lseg text: ${clip(text)}`);
  return [p[0]!, p[1]!];
}

/** path: "[(x,y),...]" open, "((x,y),...)" closed (pgjdbc PGpath). */
export function parsePath(text: string): { points: XY[]; closed: boolean } {
  const open = enclosed(text, '[', ']');
  if (open !== null) return { points: points(open, text, 'path'), closed: false };
  const closed = enclosed(text, '(', ')');
  if (closed !== null) return { points: points(closed, text, 'path'), closed: true };
  throw new TextFormatError(`malformed path text: ${clip(text)}`);
}

/** polygon: "((x,y),...)" */
export function parsePolygon(text: string): XY[] {
  const inner = enclosed(text, '(', ')');
  if (inner === null) throw new TextFormatError(`malformed polygon text: ${clip(text)}`);
  return points(inner, text, 'polygon');
}

/** circle: "<(x,y),r>" */
export function parseCircle(text: string): { center: XY; radius: number } {
  const inner = enclosed(text, '<', '>');
  const m = inner === null ? null : /^\s*(\([^()]*\))\s*,\s*([^,()\s]+)\s*$/.exec(inner);
  if (!m) throw new TextFormatError(`malformed circle text: ${clip(text)}`);
  return { center: parsePoint(m[1]!), radius: float8(m[2]!, text, 'circle') };
}

/** line: "{A,B,C}" (Ax + By + C = 0) */
export function parseLine(text: string): [number, number, number] {
  const inner = enclosed(text, '{', '}');
  const parts = inner === null ? [] : inner.split(',').map((s) => s.trim());
  if (parts.length !== 3) throw new TextFormatError(`malformed line text: ${clip(text)}`);
  return [float8(parts[0]!, text, 'line'), float8(parts[1]!, text, 'line'), float8(parts[2]!, text, 'line')];
}

const WKB_POINT = 1;
const WKB_LINE_STRING = 2;
const WKB_POLYGON = 3;

/** WKB Point: byte order 1 (little endian), type 1, x, y (21 bytes). */
export function wkbPoint([x, y]: XY): Buffer {
  const b = Buffer.alloc(21);
  b.writeUInt8(1, 0);
  b.writeUInt32LE(WKB_POINT, 1);
  b.writeDoubleLE(x, 5);
  b.writeDoubleLE(y, 13);
  return b;
}

/** WKB LineString: header, point count, points. */
export function wkbLineString(pts: readonly XY[]): Buffer {
  const b = Buffer.alloc(9 + 16 * pts.length);
  b.writeUInt8(1, 0);
  b.writeUInt32LE(WKB_LINE_STRING, 1);
  writePoints(b, 5, pts);
  return b;
}

/** WKB Polygon: header, ring count, each ring as point count + points. */
export function wkbPolygon(rings: readonly (readonly XY[])[]): Buffer {
  const b = Buffer.alloc(9 + rings.reduce((n, r) => n + 4 + 16 * r.length, 0));
  b.writeUInt8(1, 0);
  b.writeUInt32LE(WKB_POLYGON, 1);
  b.writeUInt32LE(rings.length, 5);
  let at = 9;
  for (const r of rings) at = writePoints(b, at, r);
  return b;
}

function writePoints(b: Buffer, at: number, pts: readonly XY[]): number {
  b.writeUInt32LE(pts.length, at);
  at += 4;
  for (const [x, y] of pts) {
    b.writeDoubleLE(x, at);
    b.writeDoubleLE(y, at + 8);
    at += 16;
  }
  return at;
}

/** Debezium's box ring: (x1,y1) (x1,y2) (x2,y2) (x2,y1) (x1,y1), corners in text order. */
export function boxRing([[x1, y1], [x2, y2]]: [XY, XY]): XY[] {
  return [[x1, y1], [x1, y2], [x2, y2], [x2, y1], [x1, y1]];
}

/** Debezium's closeRing: appends the first point when a ring of 2+ points does not end on it. */
export function closeRing(ring: readonly XY[]): XY[] {
  const out = [...ring];
  if (out.length >= 2) {
    const [fx, fy] = out[0]!;
    const [lx, ly] = out[out.length - 1]!;
    if (fx !== lx || fy !== ly) out.push([fx, fy]);
  }
  return out;
}
