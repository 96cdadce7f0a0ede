import type { FastifyInstance } from 'fastify';
import type { JobService } from '../uws/job-service.js';
import type { Metrics } from '../metrics/metrics.js';
import type { HealthService } from '../vosi/health.js';

export interface ApiRouteOptions {
  readonly jobs: JobService;
  readonly metrics: Metrics;
  readonly health: HealthService;
}

/** JSON for the web UI and scripts; /metrics for Prometheus. */
export async function apiRoutes(app: FastifyInstance, opts: ApiRouteOptions): Promise<void> {
  app.get('/api/job-types', {
    schema: {
      tags: ['API'],
      summary: 'The job types: name, title, description, version, limits and the JSON Schema of their parameters',
    },
  }, async () => ({
    jobTypes: opts.jobs.jobTypes().map((t) => ({
      name: t.definition.name,
      kind: t.definition.kind,
      title: t.definition.title,
      description: t.definition.description,
      version: t.definition.version,
      restricted: t.definition.restricted,
      limits: t.definition.limits,
      parameters: t.definition.parameters,
    })),
  }));

  app.get('/api/health', { schema: { tags: ['API'], summary: 'The availability checks as JSON; 503 when unavailable' } }, async (_req, reply) => {
    const h = await opts.health.check();
    return reply.code(h.available ? 200 : 503).send({ available: h.available, upSince: h.upSince.toISOString(), checks: h.checks });
  });

  app.get('/metrics', { schema: { tags: ['Operations'], summary: 'Prometheus metrics (text format)' } }, async (_req, reply) => {
    return reply.type(opts.metrics.contentType).send(await opts.metrics.text());
  });

  // Until the web UI is built into core, the root leads to the API documentation.
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/docs'));
}
