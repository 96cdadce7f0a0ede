import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../http/app.js';
import { actorOf } from '../http/request-context.js';
import { SpectraReader, SPECTRA_LIMITS } from './spectra-reader.js';
import { MEDIA_TYPE } from './wire.js';

const path = { type: 'string', minLength: 1, maxLength: 4200 } as const;

/**
 * Spectra for the web plotter: many spectra from storage, read with the sdk readers (with the
 * caller's rights) and sent as binary Float32 (wire.ts), not JSON — a thousand spectra of a
 * few thousand points arrive as one compact buffer the browser maps without parsing.
 */
export async function spectraRoutes(app: FastifyInstance, services: AppServices): Promise<void> {
  const reader = new SpectraReader(services.files.ops, services.config.paths.storageRoot, services.log.child({ area: 'spectra' }));
  app.addHook('onClose', async () => reader.close());

  app.post<{ Body: { paths: string[]; maxPoints?: number } }>('/api/spectra', {
    schema: {
      tags: ['Files'],
      summary: 'Read spectra for plotting: files or folders (expanded) → one binary answer (application/vnd.vocloud.spectra); unreadable files are listed as per-item errors',
      description:
        'The answer: "VCSP", a uint32 LE header length, a JSON header {version, grids, spectra, values}, then float32 LE arrays ' +
        '(wavelength grids shared between spectra that have the same grid). See docs/web.md.',
      body: {
        type: 'object',
        required: ['paths'],
        additionalProperties: false,
        properties: {
          paths: { type: 'array', items: path, minItems: 1, maxItems: SPECTRA_LIMITS.maxFiles },
          maxPoints: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0, description: 'Decimate longer spectra to about this many points (min/max per bucket); 0 = every point' },
        },
      },
    },
  }, async (request, reply) => {
    const controller = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableEnded) controller.abort();
    };
    request.raw.socket.once('close', onClose);
    try {
      const out = await reader.read(actorOf(request), request.body.paths, { maxPoints: request.body.maxPoints ?? 0, signal: controller.signal });
      return reply
        .type(MEDIA_TYPE)
        .header('Cache-Control', 'no-store')
        .header('X-Vocloud-Spectra', String(out.spectra))
        .header('X-Vocloud-Errors', String(out.errors))
        .send(out.body);
    } finally {
      request.raw.socket.off('close', onClose);
    }
  });
}
