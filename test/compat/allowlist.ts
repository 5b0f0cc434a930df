import type { Difference } from './compare.js';

/**
 * Differences between Debezium 3.7 and pgcdc the compatibility suite accepts. Matched on the table, the
 * kind and a regular expression over the field path; anything else fails the test.
 */
export interface Expected {
  table?: string;
  kind?: Difference['kind'];
  path: RegExp;
  /** why the difference is there */
  reason: string;
}

/**
 * Intentional differences, each documented in the README's "Events" section (keep the two the same;
 * keep this short).
 */
export const ALLOWED: Expected[] = [];

/**
 * Differences that are pgcdc bugs not fixed yet, each naming its issue item: listed so the suite stays
 * green while they are open, and still printed on every run. Remove an entry when its fix lands.
 */
export const KNOWN_BUGS: Expected[] = [];

export const matches = (e: Expected, d: Difference) => (!e.table || e.table === d.table) && (!e.kind || e.kind === d.kind) && e.path.test(d.path);
