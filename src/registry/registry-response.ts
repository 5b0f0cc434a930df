/**
 * What pgcdc takes from a schema registry's answers: a bounded read of the body, and for errors
 * only the registry's own `error_code` and `message` fields, clipped. Anything else (an HTML page,
 * an internal service's JSON) is never repeated: the URL may point anywhere.
 */
import { accessFromUrl, KEY_BEARER_TOKEN, KEY_URL, KEY_USER_INFO, type RegistryAccess } from './registry-access.js';
export const MAX_BODY_BYTES = 64 * 1024;
const MAX_MESSAGE_CHARS = 200;

/** Reads at most MAX_BODY_BYTES of the answer (the rest is dropped). */
export async function readBounded(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
}

/** `: <message> (error_code N)` from a Confluent-style error body, or '' when it is not one. */
export function registryProblem(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return '';
  }
  if (!parsed || typeof parsed !== 'object') return '';
  const { error_code: code, message } = parsed as { error_code?: unknown; message?: unknown };
  // Both fields, as Confluent-compatible registries answer; anything else is not a registry's error.
  if (typeof code !== 'number' || !Number.isInteger(code) || typeof message !== 'string') return '';
  const oneLine = message.replace(/[\r\n\t]+/g, ' ');
  return `: ${oneLine.length > MAX_MESSAGE_CHARS ? `${oneLine.slice(0, MAX_MESSAGE_CHARS)}…` : oneLine} (error_code ${code})`;
}

/**
 * The base URL without credentials, as shown in messages; the credentials as a header (basic from
 * user.info or the URL's user:pass@, or a bearer token); and the setting that holds them, for errors.
 */
export function registryTarget(target: string | RegistryAccess): { base: string; shown: string; authorization?: string; authKey: string | null } {
  const access = typeof target === 'string' ? accessFromUrl(target) : target;
  const trimmed = access.url.replace(/\/+$/, '');
  let base = trimmed;
  let shown = '[invalid registry URL]';
  let fromUrl: string | undefined;
  try {
    const u = new URL(trimmed);
    shown = `${u.origin}${u.pathname}`.replace(/\/+$/, '');
    if (u.username || u.password) {
      fromUrl = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
      u.username = '';
      u.password = '';
      base = u.toString().replace(/\/+$/, '');
    }
  } catch {
    /* shown as invalid; the request fails */
  }
  const basic = (userInfo: string) => `Basic ${Buffer.from(userInfo).toString('base64')}`;
  if (access.bearerToken) return { base, shown, authorization: `Bearer ${access.bearerToken}`, authKey: KEY_BEARER_TOKEN };
  if (access.basicUserInfo) return { base, shown, authorization: basic(access.basicUserInfo), authKey: KEY_USER_INFO };
  if (fromUrl !== undefined) return { base, shown, authorization: basic(fromUrl), authKey: `the user info (user:password@) of ${KEY_URL}` };
  return { base, shown, authKey: null };
}
