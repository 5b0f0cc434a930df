/**
 * GET /ui: the on-call console, a single page compiled with the worker (src/ui/), no CDN. The shell
 * and its scripts hold no data and are served without credentials (auth.ts lists them as open), so
 * the page can ask for a token; everything it shows comes from the authenticated JSON endpoints.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { CONSOLE_CSS } from '../../ui/style.js';
import { CONSOLE_HTML } from '../../ui/page.js';
import { WorkerError } from '../../worker/errors.js';

/** The page loads only its own scripts and styles and talks only to this worker. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The compiled browser modules (dist/src/ui/app/*.js), read once: only these names are served. */
function loadScripts(): Map<string, string> {
  const dir = fileURLToPath(new URL('../../ui/app/', import.meta.url));
  const scripts = new Map<string, string>();
  // Source map comments point at files that are not served: dropped.
  for (const f of readdirSync(dir)) if (f.endsWith('.js')) scripts.set(f, readFileSync(`${dir}${f}`, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));
  if (!scripts.has('main.js')) throw new Error(`console scripts missing in ${dir}: run the build (tsc)`);
  return scripts;
}

function secure(reply: FastifyReply, type: string): FastifyReply {
  return reply.type(type).header('content-security-policy', CSP).header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer').header('cache-control', 'no-cache');
}

export function uiRoutes(app: FastifyInstance): void {
  const scripts = loadScripts();
  app.get('/ui', {
    config: { doc: { tag: 'worker', summary: 'The on-call console (HTML page); its data comes from the authenticated endpoints', responses: { 200: ['HTML page'] } } },
  }, async (_request, reply) => secure(reply, 'text/html; charset=utf-8').send(CONSOLE_HTML));

  app.get<{ Params: { file: string } }>('/ui/assets/:file', {
    config: { doc: { tag: 'worker', summary: "The console's scripts and style sheet", responses: { 200: ['JavaScript module or CSS'], 404: ['No such asset', 'Error'] } } },
  }, async (request, reply) => {
    const file = request.params.file;
    if (file === 'console.css') return secure(reply, 'text/css; charset=utf-8').send(CONSOLE_CSS);
    const script = scripts.get(file);
    if (script === undefined) throw new WorkerError(404, `No console asset ${JSON.stringify(file.slice(0, 80))}`);
    return secure(reply, 'text/javascript; charset=utf-8').send(script);
  });
}
