import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
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
import { authRoutes } from './auth-routes.js';
import { installAuthentication } from './authentication.js';
import type { AuthService } from '../auth/auth-service.js';
import type { UserService } from '../auth/user-service.js';
import type { UsageService } from '../quota/usage-service.js';
import type { AuditLog } from '../auth/audit.js';
import type { JobTypeSettings } from '../plugins/job-type-settings.js';
import type { NodeRegistry } from '../scheduler/node-registry.js';
import type { JobEvents } from '../uws/job-events.js';
import { graphqlRoutes } from '../graphql/plugin.js';
import type { FileService } from '../files/file-service.js';
import { fileRoutes } from '../files/routes.js';
import type { Executor } from '../executor/executor.js';
import { dataSourceRoutes } from './datasource-routes.js';
import { jobApiRoutes } from './job-api-routes.js';
import { webUi } from './web-ui.js';
import { spectraRoutes } from '../spectra/routes.js';
import { refuseNonFiniteNumbers } from './finite-numbers.js';
import { installErrorHandling } from './errors.js';

export interface AppServices {
  readonly config: LoadedConfig;
  readonly jobs: JobService;
  readonly health: HealthService;
  readonly metrics: Metrics;
  readonly auth: AuthService;
  readonly users: UserService;
  readonly usage: UsageService;
  readonly audit: AuditLog;
  readonly settings: JobTypeSettings;
  readonly nodes: NodeRegistry;
  readonly events: JobEvents;
  readonly files: FileService;
  readonly executor: Executor;
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
  refuseNonFiniteNumbers(app);

  // UWS/DALI forms keep every name as sent (case, repeats, order): parse into pairs.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, [...new URLSearchParams(body as string)]);
  });
  await app.register(multipart, { throwFileSizeLimit: false });
  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'", 'http://localhost:21012', 'http://127.0.0.1:21012'], // SAMP web profile hub
        frameSrc: ["'self'"],
        frameAncestors: ["'self'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    // Results may be opened by other tools (SAMP, notebooks) from other origins.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginEmbedderPolicy: false,
  });
  if (config.server.corsOrigins.length > 0) {
    await app.register(cors, { origin: config.server.corsOrigins, credentials: true, exposedHeaders: ['Location'] });
  }
  // The API docs are public even when anonymous use is off.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...(route.config ?? {}), public: true };
  });
  installAuthentication(app, services.auth, config.auth.anonymous);

  // While the node shuts down, every answer closes its connection, so kept-alive clients
  // (pyvo polling with WAIT) reconnect elsewhere instead of holding the shutdown up.
  app.addHook('onSend', async (_request, reply) => {
    if (services.health.isDraining) reply.header('Connection', 'close');
  });
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
  await app.register(apiRoutes, { jobs: services.jobs, metrics: services.metrics, health: services.health, config });
  await app.register(authRoutes, { auth: services.auth, users: services.users, usage: services.usage, config });
  await app.register(fileRoutes, { files: services.files, config });
  await app.register(jobApiRoutes, { jobs: services.jobs, events: services.events, config });
  await app.register(dataSourceRoutes, { jobs: services.jobs, executor: services.executor, config });
  await app.register(graphqlRoutes, services);
  await app.register(spectraRoutes, services);
  await app.register(async (scope) => webUi(scope, services.config));
  return app;
}
