import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import type { JobService } from '../uws/job-service.js';
import type { HealthService } from '../vosi/health.js';
import type { Metrics } from '../metrics/metrics.js';
import { uwsRoutes } from '../uws/routes.js';
import { vosiRoutes } from '../vosi/routes.js';
import { apiRoutes } from './api-routes.js';
import { installErrorHandling } from './errors.js';

export interface AppServices {
  readonly config: LoadedConfig;
  readonly jobs: JobService;
  readonly health: HealthService;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly version: string;
}

/** The HTTP server: one fastify plugin per area, JSON Schema on every route, OpenAPI at /docs. */
export async function buildApp(services: AppServices): Promise<FastifyInstance> {
  const { config } = services.config;
  const app = Fastify({
    loggerInstance: services.log as unknown as FastifyBaseLogger,
    trustProxy: config.server.trustProxy,
    bodyLimit: config.server.bodyLimit,
    // Long WAIT requests must not be cut by the server's own timeouts.
    requestTimeout: 0,
    connectionTimeout: 0,
    keepAliveTimeout: 65_000,
    // Request lines at info level would drown the job log; failures are logged by the handlers.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
  });
  installErrorHandling(app);

  // UWS/DALI forms keep every name as sent (case, repeats, order): parse into pairs.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, [...new URLSearchParams(body as string)]);
  });
  await app.register(multipart, { throwFileSizeLimit: false });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    services.metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) request.log.warn({ url: request.url, status: reply.statusCode }, 'request failed');
  });

  if (config.docs.enabled) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'vocloud',
          version: services.version,
          description: 'IVOA UWS 1.1 job lists per job type, VOSI 1.1, and the JSON API. Generated from the route schemas.',
        },
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  }

  await app.register(uwsRoutes, { jobs: services.jobs, config });
  await app.register(vosiRoutes, { jobs: services.jobs, health: services.health, config });
  await app.register(apiRoutes, { jobs: services.jobs, metrics: services.metrics, health: services.health });
  return app;
}
