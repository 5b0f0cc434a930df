/**
 * Where a connector may have lineage events written (openlineage.integration.transport.file.location):
 * only under the directories the operator lists in PGCDC_OPENLINEAGE_FILE_ALLOWED_PATHS (a worker
 * setting, never a REST one). Unset: the file transport is refused. Checked lexically at validation
 * and again, after following links, when the file is opened.
 */
import { isAbsolute, normalize, sep } from 'node:path';

export const LINEAGE_FILE_SETTING = 'PGCDC_OPENLINEAGE_FILE_ALLOWED_PATHS';

/** The allowed directories (absolute, normalised); relative entries are left out. */
export function lineageFileAllowedPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[LINEAGE_FILE_SETTING] ?? '').split(',').map((s) => s.trim())
    .filter((p) => p !== '' && isAbsolute(p)).map((p) => normalize(p).replace(/(.)\/+$/, '$1'));
}

export function isUnder(path: string, dirs: readonly string[]): boolean {
  return dirs.some((dir) => path.startsWith(dir === sep ? dir : dir + sep));
}

/** Why `location` may not be written, or undefined when it may (lexical check). */
export function fileLocationProblem(location: string, dirs: readonly string[] = lineageFileAllowedPaths()): string | undefined {
  if (dirs.length === 0) return `the file transport is off on this worker: its operator enables it by listing directories in ${LINEAGE_FILE_SETTING}`;
  if (!isAbsolute(location)) return 'must be an absolute path';
  if (normalize(location) !== location || location.endsWith(sep)) return 'must be a normalised file path (no "..", "." or trailing "/")';
  if (!isUnder(location, dirs)) return `must be inside a directory listed in ${LINEAGE_FILE_SETTING}`;
  return undefined;
}
