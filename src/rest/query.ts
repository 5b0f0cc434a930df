/** Query-string helpers: Kafka Connect's flags are `true`/`false`; anything else is a 400, not a guess. */
import { WorkerError } from '../worker/errors.js';

export type Query = Record<string, string | string[] | undefined>;

export function queryList(query: Query, name: string): string[] {
  const v = query[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

export function queryFlag(query: Query, name: string): boolean {
  const values = queryList(query, name);
  if (values.length === 0) return false;
  const last = values[values.length - 1]!.toLowerCase();
  if (last === 'true') return true;
  if (last === 'false') return false;
  throw new WorkerError(400, `Query parameter ${name} must be true or false`);
}

/** Refuses query parameters a route does not know, so a typo is not silently ignored. */
export function onlyQuery(query: Query, allowed: string[]): void {
  const unknown = Object.keys(query).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new WorkerError(400, `Unknown query parameter(s): ${unknown.join(', ')}${allowed.length ? ` (accepted: ${allowed.join(', ')})` : ''}`);
  }
}
