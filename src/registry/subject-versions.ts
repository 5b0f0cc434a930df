/**
 * The latest version and id of a registry subject, for the console's table list. Read-only GETs
 * with a short timeout; an answer that is not a version (404, registry down, a body over the bound)
 * is a short reason, never the body: the registry URL may point anywhere.
 */
import { readBounded, registryTarget } from './registry-response.js';
import { registryTls, type RegistryAccess } from './registry-access.js';
import { registryFetch } from './registry-http.js';

export type SubjectVersion = { version: number; id: number } | { error: string };

export async function latestVersion(registry: string | RegistryAccess, subject: string, timeoutMs = 3_000): Promise<SubjectVersion> {
  const { base, authorization } = registryTarget(registry);
  try {
    const tls = typeof registry === 'string' ? null : registryTls(registry);
    const res = await registryFetch(`${base}/subjects/${encodeURIComponent(subject)}/versions/latest`, {
      method: 'GET',
      headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) },
      timeoutMs,
    }, tls);
    const body = await readBounded(res);
    if (res.status === 404) return { error: 'not registered' };
    if (res.status === 401 || res.status === 403) return { error: `registry refused the credentials (HTTP ${res.status})` };
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
    if ((err as { kind?: string }).kind === 'config') return { error: 'registry truststore unreadable' };
    const cause = (err as { cause?: { code?: string } }).cause;
    return { error: `registry unreachable${cause?.code ? ` (${cause.code})` : ''}` };
  }
}
