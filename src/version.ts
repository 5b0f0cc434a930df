import { readFileSync } from 'node:fs';

/** pgcdc's version, as written in `source.version` of every event (compiled file sits at dist/src/). */
export const PGCDC_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
