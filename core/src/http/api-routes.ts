import type { FastifyInstance } from 'fastify';
import type { JobService } from '../uws/job-service.js';
import type { Metrics } from '../metrics/metrics.js';
import type { HealthService } from '../vosi/health.js';
import type { VocloudConfig } from '../config/schema.js';
import { ForbiddenError } from '../uws/errors.js';
import { isManager } from '../uws/model.js';
import { actorOf } from './request-context.js';

export interface ApiRouteOptions {
  readonly jobs: JobService;
  readonly metrics: Metrics;
  readonly health: HealthService;
  readonly config: VocloudConfig;
}

/** JSON for the web UI and scripts; /metrics for Prometheus. */
export async function apiRoutes(app: FastifyInstance, opts: ApiRouteOptions): Promise<void> {
  app.get('/api/job-types', {
    schema: {
      tags: ['API'],
      summary: 'The job types: name, title, description, version, limits and the JSON Schema of their parameters',
    },
  }, async (request) => ({
    jobTypes: opts.jobs.jobTypes().map((t) => ({
      name: t.definition.name,
      kind: t.definition.kind,
      title: t.definition.title,
      description: t.definition.description,
      version: t.definition.version,
      restricted: t.definition.restricted,
      usable: !t.definition.restricted || isManager(actorOf(request)),
      enabled: opts.jobs.enabled(t),
      limits: opts.jobs.limitsOf(t),
      parameters: t.definition.parameters,
    })),
  }));

  app.get('/api/health', { config: { public: true }, schema: { tags: ['API'], summary: 'The availability checks as JSON; 503 when unavailable' } }, async (_req, reply) => {
    const h = await opts.health.check();
    return reply.code(h.available ? 200 : 503).send({ available: h.available, upSince: h.upSince.toISOString(), checks: h.checks });
  });

  app.get('/metrics', {
    config: { public: opts.config.server.metricsPublic },
    schema: { tags: ['Operations'], summary: 'Prometheus metrics (text format); managers and admins, or anyone when server.metricsPublic' },
  }, async (request, reply) => {
    if (!opts.config.server.metricsPublic && !isManager(actorOf(request))) {
      throw new ForbiddenError('metrics are for managers and administrators (or set server.metricsPublic); scrape with an API token');
    }
    return reply.type(opts.metrics.contentType).send(await opts.metrics.text());
  });

}
