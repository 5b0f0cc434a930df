/**
 * Reads a `${file:...}` provider file without letting a request hurt the worker: only under the
 * operator's allowed paths (checked on the real path, so a symlink cannot lead out), only regular
 * files (not /dev/zero, FIFOs, sockets), at most FILE_MAX_BYTES, asynchronously, and given up after
 * FILE_TIMEOUT_MS. Errors carry only the path as written and a reason, never file content.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, normalize, sep } from 'node:path';

export const FILE_MAX_BYTES = 256 * 1024;
export const FILE_TIMEOUT_MS = 2_000;

export class ProviderFileError extends Error {}

function within(path: string, allowed: string): boolean {
  return path === allowed || path.startsWith(allowed.endsWith(sep) ? allowed : `${allowed}${sep}`);
}

async function readBounded(path: string, allowedPaths: readonly string[]): Promise<string> {
  if (!isAbsolute(path)) throw new ProviderFileError('the path must be absolute');
  const allowed = (p: string) => allowedPaths.some((a) => within(p, a));
  if (!allowed(normalize(path))) throw new ProviderFileError('the path is not under PGCDC_CONFIG_PROVIDERS_FILE_PARAM_ALLOWED_PATHS');
  let real: string;
  try {
    real = await realpath(path);
  } catch (e) {
    throw new ProviderFileError(`cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!allowed(real)) throw new ProviderFileError('the path leads (through a link) outside PGCDC_CONFIG_PROVIDERS_FILE_PARAM_ALLOWED_PATHS');
  // O_NONBLOCK: opening a FIFO must not wait for a writer; the checks below then refuse it.
  const handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW).catch((e: NodeJS.ErrnoException) => {
    throw new ProviderFileError(`cannot read it (${e.code ?? 'error'})`);
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ProviderFileError('it is not a regular file');
    if (info.size > FILE_MAX_BYTES) throw new ProviderFileError(`it is larger than ${FILE_MAX_BYTES} bytes`);
    // Some files (/proc) report size 0: read at most one byte more than allowed to tell.
    const buffer = Buffer.alloc(FILE_MAX_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > FILE_MAX_BYTES) throw new ProviderFileError(`it is larger than ${FILE_MAX_BYTES} bytes`);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close().catch(() => {});
  }
}

/** The file's text, or a ProviderFileError saying why not. */
export async function readProviderFile(path: string, allowedPaths: readonly string[], timeoutMs = FILE_TIMEOUT_MS): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProviderFileError(`reading it took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([readBounded(path, allowedPaths), late]);
  } catch (e) {
    if (e instanceof ProviderFileError) throw e;
    throw new ProviderFileError(`cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    clearTimeout(timer);
  }
}
