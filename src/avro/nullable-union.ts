import avro from 'avsc';

interface Tap {
  writeLong(n: number): void;
}
type Writer = { _write(tap: Tap, value: unknown): void };

/** Branch types whose own `_write` rejects every value they cannot carry, as the union check would. */
const SELF_CHECKING = new Set(['boolean', 'int', 'long', 'float', 'double', 'string', 'bytes', 'fixed', 'enum', 'array', 'map', 'abstract:long']);

/**
 * Fast write path for the `["null", T]` unions that every optional column and most of the source
 * block use. avsc's unwrapped union finds the branch by value bucket, and for a branch like pgcdc's
 * exact long (an abstract type) by running the value through the branch's validity check first,
 * then writes it again; this writes the branch index and hands the value straight to T, whose own
 * write rejects what it cannot carry. Records get an object check (a record of optional fields would
 * otherwise accept anything); undefined and unknown branch kinds take avsc's path unchanged.
 * Returns the union unchanged when it is not of that shape.
 */
export function withNullableWrite(union: avro.Type): avro.Type {
  const types = (union as unknown as { types?: avro.Type[] }).types;
  if (!types || types.length !== 2) return union;
  const nullIndex = types.findIndex((t) => t.typeName === 'null');
  if (nullIndex < 0) return union;
  const valueIndex = 1 - nullIndex;
  const branch = types[valueIndex]! as unknown as avro.Type & Writer;
  const isRecord = branch.typeName === 'record';
  if (!isRecord && !SELF_CHECKING.has(branch.typeName)) return union;
  const slow = (union as unknown as Writer)._write;
  return Object.freeze(
    Object.create(union, {
      _write: {
        value: function (this: unknown, tap: Tap, value: unknown): void {
          if (value === null) return tap.writeLong(nullIndex);
          if (value === undefined || (isRecord && (typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)))) return slow.call(this, tap, value);
          tap.writeLong(valueIndex);
          branch._write(tap, value);
        },
      },
    }),
  ) as avro.Type;
}
