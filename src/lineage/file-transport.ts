/**
 * Appends one JSON line per event to openlineage.integration.transport.file.location. The location
 * passed validation (inside PGCDC_OPENLINEAGE_FILE_ALLOWED_PATHS, lexically); here, at every write,
 * its directory is resolved with links followed and must still be inside an allowed directory, and
 * the file is opened without following a link (O_NOFOLLOW), for appending, created 0600.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Deliver } from './delivery-queue.js';
import { isUnder, lineageFileAllowedPaths, LINEAGE_FILE_SETTING } from './file-policy.js';

export function fileDeliver(location: string, allowed: () => readonly string[] = lineageFileAllowedPaths): Deliver {
  return async (line) => {
    const dirs = await Promise.all(allowed().map((d) => realpath(d).catch(() => d)));
    let dir: string;
    try {
      dir = await realpath(dirname(location));
    } catch (err) {
      throw new Error(`directory not accessible (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!isUnder(join(dir, basename(location)), dirs)) throw new Error(`resolves outside ${LINEAGE_FILE_SETTING}; not written`);
    let handle;
    try {
      handle = await open(join(dir, basename(location)), constants.O_WRONLY | constants.O_NONBLOCK | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    } catch (err) {
      throw new Error(`cannot open the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new Error('not a regular file; not written');
      await handle.appendFile(`${line}\n`);
    } finally {
      await handle.close();
    }
  };
}
