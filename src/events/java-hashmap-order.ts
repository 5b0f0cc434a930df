/**
 * The iteration order of a java.util.HashMap<String, ?> filled with `keys` in this order (default
 * capacity 16, load factor 0.75): by bucket (spread String.hashCode masked by the capacity), then
 * insertion order within a bucket (resizing keeps it). Debezium keeps a transaction's per-table
 * counts in such a map, so its END record lists data_collections in this order.
 */
export function javaHashMapOrder(keys: readonly string[]): string[] {
  let capacity = 16;
  while (keys.length > capacity * 0.75) capacity *= 2;
  const bucket = (k: string) => {
    const h = javaStringHash(k);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return keys
    .map((k, i) => ({ k, i, b: bucket(k) }))
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((e) => e.k);
}

/** java.lang.String.hashCode: over UTF-16 code units, 32-bit wrap-around. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}
