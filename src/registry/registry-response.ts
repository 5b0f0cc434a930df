/**
 * What pgcdc takes from a schema registry's answers: a bounded read of the body, and for errors
 * only the registry's own `error_code` and `message` fields, clipped. Anything else (an HTML page,
 * an internal service's JSON) is never repeated: the URL may point anywhere.
 */
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

/** The base URL without credentials, as shown in messages, and the credentials as a header. */
export function registryTarget(baseUrl: string): { base: string; shown: string; authorization?: string } {
  const trimmed = baseUrl.replace(/\/+$/, '');
  try {
    const u = new URL(trimmed);
    const shown = `${u.origin}${u.pathname}`.replace(/\/+$/, '');
    if (!u.username && !u.password) return { base: trimmed, shown };
    const user = decodeURIComponent(u.username);
    const password = decodeURIComponent(u.password);
    u.username = '';
    u.password = '';
    return { base: u.toString().replace(/\/+$/, ''), shown, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
  } catch {
    return { base: trimmed, shown: '[invalid registry URL]' };
  }
}
