// Static files of the portal and the console: /assets/portal.css (and scripts other modules drop beside
// it). Read once at start from src/web/portal/assets/; only plain names of .css and .js files are served.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { projectPath } from '../../paths.js';

const TYPES: Record<string, string> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8' };

export async function assetsPlugin(app: FastifyInstance): Promise<void> {
  const dir = projectPath('src/web/portal/assets');
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(dir)) {
    const m = /^[a-z0-9-]+\.(css|js)$/.exec(name);
    if (m) files.set(name, { type: TYPES[m[1]!]!, body: readFileSync(join(dir, name)) });
  }
  // One route per kind, so each answers one content type (the contract names them).
  for (const ext of ['css', 'js'] as const)
    app.get<{ Params: { name: string } }>(`/assets/:name.${ext}`, async (req, reply) => {
      const f = files.get(`${req.params.name}.${ext}`);
      if (!f)
        return reply
          .status(404)
          .type('text/plain; charset=utf-8')
          .header('cache-control', 'no-store')
          .send('not found');
      // Short caching: a deploy's new stylesheet reaches browsers within minutes.
      return reply.type(f.type).header('cache-control', 'public, max-age=300').send(f.body);
    });
}
