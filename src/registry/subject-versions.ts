/**
 * The latest version and id of a registry subject, for the console's table list. Read-only GETs
 * with a short timeout; an answer that is not a version (404, registry down, a body over the bound)
 * is a short reason, never the body: the registry URL may point anywhere.
 */
import { readBounded, registryTarget } from './registry-response.js';

export type SubjectVersion = { version: number; id: number } | { error: string };

export async function latestVersion(registryUrl: string, subject: string, timeoutMs = 3_000): Promise<SubjectVersion> {
  const { base, authorization } = registryTarget(registryUrl);
  try {
    const res = await fetch(`${base}/subjects/${encodeURIComponent(subject)}/versions/latest`, {
      headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) },
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await readBounded(res);
    if (res.status === 404) return { error: 'not registered' };
    if (!res.ok) return { error: `registry answered HTTP ${res.status}` };
    let parsed: { version?: unknown; id?: unknown } = {};
    try {
      parsed = JSON.parse(body);
    } catch {
      return { error: 'registry answer is not JSON (or too large)' };
    }
    if (Number.isInteger(parsed.version) && Number.isInteger(parsed.id)) return { version: parsed.version as number, id: parsed.id as number };
    return { error: 'registry answer has no version' };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { error: `registry unreachable${cause?.code ? ` (${cause.code})` : ''}` };
  }
}
