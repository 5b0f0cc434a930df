import avro from 'avsc';

interface Tap {
  buf: Buffer;
  pos: number;
  writeString(s: string): void;
}
type Writer = { _write(tap: Tap, value: unknown): void };

/** Strings up to this many characters are tried as ASCII; their length then fits one varint byte. */
const SHORT_CHARS = 63;

const standard = avro.Type.forSchema('string') as unknown as avro.Type & Writer;
const standardWrite = standard._write;

/**
 * Avro `string` with a write path for short ASCII strings, most of an event's strings (the source
 * block's names, `sequence`, `op`, ISO timestamps, hex and decimal text): length byte and characters
 * are written in one pass instead of asking Buffer.byteLength first. On the first non-ASCII character
 * it starts over on avsc's path, which writes the same bytes. Everything but writing is avsc's.
 */
export const stringType: avro.Type = Object.freeze(
  Object.create(standard, {
    _write: {
      value: function (this: unknown, tap: Tap, value: unknown): void {
        if (typeof value !== 'string' || value.length > SHORT_CHARS) return standardWrite.call(this, tap, value);
        const n = value.length;
        const buf = tap.buf;
        let pos = tap.pos;
        buf[pos++] = n << 1; // zig-zag varint of n < 64: one byte
        for (let i = 0; i < n; i++) {
          const c = value.charCodeAt(i);
          if (c >= 0x80) return tap.writeString(value); // tap.pos is untouched: avsc rewrites from the start
          buf[pos++] = c;
        }
        tap.pos = pos;
      },
    },
  }),
) as avro.Type;
