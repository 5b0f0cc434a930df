import { TextFormatError } from '../errors.js';

/**
 * Parses PostgreSQL's array output (array_out) into its elements' text, NULL elements as null.
 *
 * - `{}` is the empty array.
 * - Elements are separated by `delimiter`, the element type's pg_type.typdelim: `,` for every
 *   type but `box` (`;`).
 * - A quoted element (`"a,b"`, `""`, `"NULL"`) is taken literally after removing the backslash
 *   escapes (`\"` and `\\`); an unquoted `NULL` (any case) is SQL NULL. Unquoted elements may
 *   also contain backslash escapes; array_out never writes whitespace around elements, but
 *   surrounding whitespace of unquoted elements is ignored as array_in does.
 * - Multi-dimensional arrays (`{{1,2},{3,4}}`) are FLATTENED in row-major order ([1,2,3,4]):
 *   the Avro schema is a one-dimensional array, like Debezium's. The dimensions are lost.
 * - A leading dimension decoration (`[0:1]={5,6}`, written when a lower bound is not 1) is
 *   skipped: the elements are returned from the lower bound up.
 */
export function parseArrayText(text: string, delimiter = ','): (string | null)[] {
  const delim = delimiter.charCodeAt(0);
  let i = 0;
  const n = text.length;
  if (n > 0 && text.charCodeAt(0) === 0x5b /* [ */) {
    const eq = text.indexOf('=');
    if (eq < 0) throw new TextFormatError(`malformed array literal (dimension decoration without "="): ${clip(text)}`);
    i = eq + 1;
  }
  if (text.charCodeAt(i) !== 0x7b /* { */) throw new TextFormatError(`malformed array literal (expected "{"): ${clip(text)}`);
  const out: (string | null)[] = [];
  let depth = 0;
  // state after an element or a closing brace: expecting ',' or '}'
  let afterItem = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) {
      if (afterItem) throw new TextFormatError(`malformed array literal (unexpected "{"): ${clip(text)}`);
      depth++;
      i++;
      continue;
    }
    if (c === 0x7d /* } */) {
      depth--;
      i++;
      afterItem = true;
      if (depth === 0) {
        if (i !== n) throw new TextFormatError(`malformed array literal (text after the closing "}"): ${clip(text)}`);
        return out;
      }
      continue;
    }
    if (c === delim) {
      if (!afterItem) throw new TextFormatError(`malformed array literal (empty element): ${clip(text)}`);
      afterItem = false;
      i++;
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++;
      continue;
    }
    if (afterItem) throw new TextFormatError(`malformed array literal (missing ","): ${clip(text)}`);
    if (c === 0x22 /* " */) {
      // quoted element
      i++;
      let start = i;
      let value = '';
      for (;;) {
        if (i >= n) throw new TextFormatError(`malformed array literal (unterminated quoted element): ${clip(text)}`);
        const q = text.charCodeAt(i);
        if (q === 0x22) break;
        if (q === 0x5c /* \ */) {
          value += text.slice(start, i);
          i++;
          if (i >= n) throw new TextFormatError(`malformed array literal (dangling backslash): ${clip(text)}`);
          start = i; // the escaped character is kept literally
        }
        i++;
      }
      value += text.slice(start, i);
      i++; // closing quote
      out.push(value);
    } else {
      // unquoted element: up to the delimiter or } (backslash escapes allowed)
      let start = i;
      let value = '';
      let escaped = false;
      for (;;) {
        if (i >= n) throw new TextFormatError(`malformed array literal (unterminated element): ${clip(text)}`);
        const u = text.charCodeAt(i);
        if (u === delim || u === 0x7d) break;
        if (u === 0x5c) {
          value += text.slice(start, i);
          i++;
          if (i >= n) throw new TextFormatError(`malformed array literal (dangling backslash): ${clip(text)}`);
          start = i;
          escaped = true;
        }
        i++;
      }
      value += text.slice(start, i);
      if (!escaped) value = value.trim();
      out.push(!escaped && value.length === 4 && value.toUpperCase() === 'NULL' ? null : value);
    }
    afterItem = true;
  }
  throw new TextFormatError(`malformed array literal (missing closing "}"): ${clip(text)}`);
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
