import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { LoadedConfig } from '../config/load.js';

/** Where the built web UI is: web.root, or the dist folder of the @vocloud/web package. */
export function webRoot(config: LoadedConfig): string | null {
  if (config.config.web.root) {
    const root = resolve(config.baseDir, config.config.web.root);
    return existsSync(join(root, 'index.html')) ? root : null;
  }
  try {
    const pkg = createRequire(import.meta.url).resolve('@vocloud/web/package.json');
    const dist = join(dirname(pkg), 'dist');
    return existsSync(join(dist, 'index.html')) ? dist : null;
  } catch {
    return null;
  }
}

/**
 * Serve the single-page web UI: its files, and index.html for every other GET that is not an
 * API path (client-side routes). Without a built UI, `/` leads to the API documentation.
 */
export async function webUi(app: FastifyInstance, config: LoadedConfig): Promise<void> {
  const root = config.config.web.enabled ? webRoot(config) : null;
  if (!root) {
    app.get('/', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => reply.redirect('/docs'));
    return;
  }
  // The app's own files are public (its sign-in page must load before anyone has signed in);
  // what it shows comes from the API, which checks every request.
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), public: true };
  });
  await app.register(fastifyStatic, { root, prefix: '/', index: ['index.html'], wildcard: false, maxAge: '1h', immutable: false });
  // Client-side routes (/jobs/…, /files/…) get the app; API-like paths keep their 404s.
  const api = /^\/(uws|api|graphql|graphiql|docs|metrics|availability|capabilities)(\/|$)/;
  app.get('/*', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    if (api.test(request.url) || /\.[a-z0-9]{1,8}(\?|$)/i.test(request.url)) {
      return reply.code(404).type('text/plain; charset=utf-8').send(`no resource at ${request.url.split('?')[0]!.slice(0, 200)}\n`);
    }
    return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
  });
}
